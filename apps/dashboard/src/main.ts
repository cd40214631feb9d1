import './styles.css';
import { ApiClient } from './api-client.js';
import { apiKeyStore } from './api-key-store.js';
import { ApiKeyPanel } from './api-key-panel.js';
import { DataStatusPanel } from './data-status-panel.js';
import { RecentReportsPanel } from './recent-reports-panel.js';
import { ReportPanel } from './report-panel.js';
import { reportIdInUrl, urlForReport } from './report-url.js';
import { StorePanel } from './store-panel.js';

const DATA_STATUS_REFRESH_MS = 60_000;

// Once a key is given, everything the refused calls were for loads again, a report in the address too.
const keyPanel = new ApiKeyPanel(() => {
  void loadAll();
  if (reportIdInUrl(location.href)) showReportOfUrl();
});
const api = new ApiClient({ apiKey: () => apiKeyStore.get(), onUnauthorized: () => keyPanel.requireKey() });
const dataStatus = new DataStatusPanel(api);
const storePanel = new StorePanel(api);
const recentReports = new RecentReportsPanel(api, (reportId) => void reportPanel.open(reportId));
const reportPanel = new ReportPanel(api, {
  onOpenStore: (storeId, report) => void storePanel.open(storeId, report),
  onReportOpened: (reportId) => {
    storePanel.close();
    // Each report the page opens gets its own address (a history entry, so Back returns to the previous one).
    if (reportIdInUrl(location.href) !== reportId) history.pushState({ report: reportId }, '', urlForReport(location.href, reportId));
  },
  onReportFinished: () => void recentReports.load(),
});

/** The page follows its address: a bookmarked report opens, Back and Forward move between reports. */
function showReportOfUrl(): void {
  const reportId = reportIdInUrl(location.href);
  if (reportId) void reportPanel.open(reportId);
  else {
    reportPanel.close();
    storePanel.close();
  }
}
window.addEventListener('popstate', showReportOfUrl);

async function loadAll(): Promise<void> {
  await Promise.all([dataStatus.load(), recentReports.load()]);
}

void loadAll();
if (reportIdInUrl(location.href)) showReportOfUrl();
setInterval(() => {
  if (document.visibilityState === 'visible') void dataStatus.load();
}, DATA_STATUS_REFRESH_MS);
