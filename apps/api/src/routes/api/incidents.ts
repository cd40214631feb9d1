import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Acknowledgement } from '@store-monitoring/db';
import { IncidentAcknowledgements } from '@store-monitoring/notifications';
import { requireRole } from '../../auth/scope.js';
import { ApiError } from '../../errors.js';
import { ApiTags, apiSecurity, errorResponses } from '../../schemas/common.js';
import { AcknowledgeBody, AcknowledgedIncident, IncidentIdParams, IncidentsQuery, OpenIncidents } from '../../schemas/incidents.js';

export function acknowledgementView(acknowledgement: Acknowledgement) {
  return { acknowledged_at: acknowledgement.acknowledged_at.toISOString(), key_id: acknowledgement.key_id, role: acknowledgement.role, note: acknowledgement.note };
}

/** Open incidents and their acknowledgement ("I'm on it"); the rules live in packages/notifications. */
const incidentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const acknowledgements = new IncidentAcknowledgements(app.database.db);

  app.get(
    '/incidents',
    {
      schema: {
        summary: 'Stores down right now, with their acknowledgement',
        description:
          "Open downtime incidents of the caller's stores (an owner's set, a group key's group, or one group's with `group_id`; every store, or one owner's with `owner_id`, for the operator), newest first, as of the " +
          "latest evaluated ingest, each with the owner's acknowledgement (null: nobody is on it yet; for the operator's own view, the first of any owner). " +
          '`acknowledged=false` lists those nobody is on.',
        operationId: 'listOpenIncidents',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        querystring: IncidentsQuery,
        response: { 200: OpenIncidents, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      const scope = await request.scope(request.query.owner_id, request.query.group_id);
      const rows = await acknowledgements.open(scope.ownerId, { acknowledged: request.query.acknowledged, groupId: scope.groupId });
      return {
        incidents: rows.map((row) => ({
          incident_id: row.id,
          store_id: row.store_id,
          started_at: row.started_iso,
          observed_until: row.observed_iso,
          acknowledgement: row.acknowledgement && acknowledgementView(row.acknowledgement),
        })),
      };
    },
  );

  app.post(
    '/incidents/:incident_id/acknowledge',
    {
      schema: {
        summary: 'Acknowledge an incident: someone is on it',
        description:
          'Records who (the key’s id and role), when and the `note`, for the caller’s owner: the incident’s reminders (`store.still_down`) stop and escalation ' +
          'policies (`escalate`) do not get its `store.down`. Owners sharing a store acknowledge apart. Shown in GET /api/incidents, the board and the store’s ' +
          'history. Idempotent: acknowledging again answers the first acknowledgement unchanged. Needs a manager or owner key (403 names the role); an incident ' +
          'of a store the caller cannot see answers 404; one that ended unacknowledged answers 409.',
        operationId: 'acknowledgeIncident',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        params: IncidentIdParams,
        body: AcknowledgeBody,
        response: { 200: AcknowledgedIncident, ...errorResponses(400, 401, 403, 404, 409, 429, 503) },
      },
    },
    async (request) => {
      const scope = await request.scope(request.body?.owner_id);
      const incidentId = request.params.incident_id;
      if (scope.ownerId === null) {
        // The operator acts for an owner: without one, say so only about incidents that exist.
        if (!(await acknowledgements.find(incidentId, null))) throw new ApiError(404, `No incident with id ${incidentId}`);
        throw new ApiError(400, 'owner_id: is required when the operator acknowledges (acknowledgements are per owner)');
      }
      const principal = request.principal;
      const outcome = await acknowledgements.acknowledge(
        incidentId,
        { ownerId: scope.ownerId, groupId: scope.groupId, keyId: principal.kind === 'owner' ? principal.keyId : null, role: scope.role, actor: scope.actor },
        request.body?.note ?? null,
        () => requireRole(scope, 'manager', 'Acknowledging an incident'),
      );
      if (outcome.kind === 'not_found') throw new ApiError(404, `No incident with id ${incidentId}`);
      if (outcome.kind === 'ended') throw new ApiError(409, `Incident ${incidentId} ended at ${outcome.incident.ended_iso} without an acknowledgement; there is nothing left to acknowledge`);
      if (outcome.created) request.log.info({ incident_id: incidentId, store_id: outcome.incident.store_id, role: scope.role }, 'incident acknowledged');
      return {
        incident_id: outcome.incident.id,
        store_id: outcome.incident.store_id,
        started_at: outcome.incident.started_iso,
        ended_at: outcome.incident.ended_iso,
        acknowledgement: acknowledgementView(outcome.acknowledgement),
      };
    },
  );
};

export default incidentRoutes;
