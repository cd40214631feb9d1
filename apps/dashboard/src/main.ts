import './styles.css';
import { ApiClient } from './api-client.js';
import { apiKeyStore } from './api-key-store.js';
import { ApiKeyPanel } from './api-key-panel.js';
import { DataStatusPanel } from './data-status-panel.js';
import { RecentReportsPanel } from './recent-reports-panel.js';
import { ReportPanel } from './report-panel.js';
import { StorePanel } from './store-panel.js';

const DATA_STATUS_REFRESH_MS = 60_000;

const keyPanel = new ApiKeyPanel(() => void loadAll());
const api = new ApiClient({ apiKey: () => apiKeyStore.get(), onUnauthorized: () => keyPanel.requireKey() });
const dataStatus = new DataStatusPanel(api);
const storePanel = new StorePanel(api);
const recentReports = new RecentReportsPanel(api, (reportId) => void reportPanel.open(reportId));
const reportPanel = new ReportPanel(api, {
  onOpenStore: (storeId, report) => void storePanel.open(storeId, report),
  onReportOpened: () => storePanel.close(),
  onReportFinished: () => void recentReports.load(),
});

async function loadAll(): Promise<void> {
  await Promise.all([dataStatus.load(), recentReports.load()]);
}

void loadAll();
setInterval(() => {
  if (document.visibilityState === 'visible') void dataStatus.load();
}, DATA_STATUS_REFRESH_MS);
