export {
  EVENT_TYPES,
  POLICY_EVENT_TYPES,
  TEST_EVENT,
  envelope,
  renderEmail,
  type BatchStore,
  type EventEnvelope,
  type EventType,
  type PolicyEventType,
  type ReportEventData,
  type StoreDownData,
  type StoreRecoveredData,
  type StoresDownData,
  type StoreStillDownData,
} from './events.js';
export { AlertPolicy, type AlertCandidate, type AlertContext } from './alert-policy.js';
export { IncidentAcknowledgements, type AcknowledgeOutcome, type Acknowledger } from './incident-acknowledgements.js';
export { generateSigningSecret, signWebhook, type SignedHeaders, type SigningSecrets } from './signing.js';
export { checkWebhookUrl, isMetadataAddress, isPublicAddress, resolveSafeTarget, systemResolver, TargetUnreachableError, UnsafeTargetError, type Resolver, type SafeTarget, type TargetPolicy } from './target-guard.js';
export { MAX_RESPONSE_BYTES, WEBHOOK_TIMEOUT_MS, sendWebhook, type WebhookRequest, type WebhookResult, type WebhookSenderOptions } from './webhook-sender.js';
export { EmailSender, type EmailMessage, type EmailResult } from './email-sender.js';
export { MAX_RETRY_DELAY_MS, parseRetryAfter, retryDelayMs, verdictForSmtpCode, verdictForStatus, type AttemptVerdict, type RetrySettings } from './retry-policy.js';
export { detectIncidents, incidentMinutes, type DetectedIncident } from './incidents.js';
export { NotificationService, type NotificationDependencies, type NotificationSettings } from './notification-service.js';
export { ReportEvents } from './report-events.js';
export { ScheduledReports } from './scheduled-reports.js';
export { IncidentEvaluation } from './incident-evaluation.js';
export { DeliveryAttempts } from './delivery-attempts.js';
export { DeliverySweep } from './delivery-sweep.js';
export { validateSchedule } from './schedule.js';
export { ReportSchedules, wantsSchedule } from './report-schedules.js';
export {
  SECRET_OVERLAP_SECONDS,
  SubscriptionRefusal,
  SubscriptionService,
  type AlertPolicyChange,
  type AlertPolicySettings,
  type NewSubscriptionInput,
  type SubscriptionChange,
  type SubscriptionOwner,
  type SubscriptionServiceDependencies,
} from './subscription-service.js';
export { downloadLinkPath, verifyDownloadLink } from './download-link.js';
export { refreshStoreStates, type StoreStateRefresh, type StoreStateRefreshSettings } from './store-states.js';
