import './styles.css';
import { ApiClient } from './api-client.js';
import { apiKeyStore } from './api-key-store.js';
import { AccountPanel } from './account-panel.js';
import { ApiKeyPanel } from './api-key-panel.js';
import { BoardPanel } from './board-panel.js';
import { DataStatusPanel } from './data-status-panel.js';
import { RecentReportsPanel } from './recent-reports-panel.js';
import { ReportPanel } from './report-panel.js';
import { NotificationsPanel } from './notifications-panel.js';
import { OwnersPanel } from './owners-panel.js';
import { reportIdInUrl, urlForReport } from './report-url.js';
import { StorePanel } from './store-panel.js';
import { UptimePanel } from './uptime-panel.js';

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

const account = new AccountPanel(api);
const refreshButton = document.getElementById('refresh-data');
const uptime = new UptimePanel(api, () => void showOperatorView());
const board = new BoardPanel(api, (storeId) => void uptime.openStore(storeId));
const notifications = new NotificationsPanel(api);
const owners = new OwnersPanel(api, (owner) => {
  // The whole page as the owner sees it: its stores, and its reports made and listed on its behalf.
  api.viewAs(owner.owner_id);
  void recentReports.load();
  void uptime.show({ ownerId: owner.owner_id, title: `${owner.name}'s stores`, viewingAs: owner.name, overview: true });
  void board.show(owner.owner_id);
  void notifications.show({ ownerId: owner.owner_id, canAdd: true });
});

async function showOperatorView(): Promise<void> {
  api.viewAs(null);
  void recentReports.load();
  await Promise.all([uptime.show({ ownerId: null, title: 'All stores', viewingAs: null, overview: false }), notifications.show({ ownerId: null, canAdd: false }), board.show(null)]);
}

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

/** Who is signed in decides the page: an owner sees its own stores; the operator also sees the owners. */
async function loadAll(): Promise<void> {
  api.viewAs(null);
  const me = await account.load();
  const isOwner = me?.kind === 'owner';
  if (refreshButton) refreshButton.hidden = isOwner;
  if (me?.kind === 'operator') void owners.load();
  else owners.hide();
  const views: Promise<void>[] = [dataStatus.load(), recentReports.load()];
  if (me !== null) {
    views.push(isOwner ? uptime.show({ ownerId: null, title: 'Your stores', viewingAs: null, overview: true }) : showOperatorView());
    if (isOwner) views.push(notifications.show({ ownerId: null, canAdd: true }), board.show(null));
  } else {
    notifications.hide();
    board.hide();
  }
  await Promise.all(views);
}

void loadAll();
if (reportIdInUrl(location.href)) showReportOfUrl();
setInterval(() => {
  if (document.visibilityState === 'visible') void dataStatus.load();
}, DATA_STATUS_REFRESH_MS);
