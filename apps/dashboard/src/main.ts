import './styles.css';
import { ApiClient } from './api-client.js';
import { apiKeyStore } from './api-key-store.js';
import { AccountPanel } from './account-panel.js';
import { ApiKeyPanel } from './api-key-panel.js';
import { BoardPanel } from './board-panel.js';
import { DataStatusPanel } from './data-status-panel.js';
import { GroupsPanel } from './groups-panel.js';
import { RecentReportsPanel } from './recent-reports-panel.js';
import { ReportPanel } from './report-panel.js';
import { NotificationsPanel } from './notifications-panel.js';
import { OwnersPanel } from './owners-panel.js';
import { invalidReportParam, ownerIdInUrl, reportIdInUrl, urlForOwner, urlForReport } from './report-url.js';
import { StorePanel } from './store-panel.js';
import { UptimePanel } from './uptime-panel.js';
import type { OwnerView } from './api-types.js';

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
const uptime = new UptimePanel(api, () => {
  history.pushState(history.state, '', urlForOwner(location.href, null));
  void showOperatorView();
});
const groups = new GroupsPanel(api, uptime);
const board = new BoardPanel(api, (storeId, opener) => void uptime.openStoreIncidents(storeId, opener));
const notifications = new NotificationsPanel(api);
const owners = new OwnersPanel(api, (owner) => {
  // The address records the view, so it can be bookmarked and reloaded.
  if (ownerIdInUrl(location.href) !== owner.owner_id) history.pushState(history.state, '', urlForOwner(location.href, owner.owner_id));
  void showOwnerView(owner);
});

/** The whole page as the owner sees it: its stores and counts, and its reports made and listed on its behalf. */
async function showOwnerView(owner: OwnerView): Promise<void> {
  api.viewAs(owner.owner_id);
  const storeSet = { storeCount: owner.store_count, knownCount: owner.known_store_count };
  account.showViewing({ name: owner.name, ...storeSet });
  reportPanel.setStoreSet({ ownerId: owner.owner_id, ...storeSet });
  await Promise.all([
    recentReports.load(),
    dataStatus.load(),
    uptime.show({ ownerId: owner.owner_id, title: `${owner.name}'s stores`, viewingAs: owner.name, overview: true, storeSet }),
    groups.show(owner.owner_id),
    notifications.show({ ownerId: owner.owner_id, canAdd: true, ownerName: null }),
    board.show(owner.owner_id),
  ]);
}

async function showOperatorView(): Promise<void> {
  api.viewAs(null);
  // Every owner's groups side by side would mean nothing: an owner's view shows its groups.
  groups.hide();
  account.showViewing(null);
  reportPanel.setStoreSet(null);
  await Promise.all([
    recentReports.load(),
    dataStatus.load(),
    uptime.show({ ownerId: null, title: 'All stores', viewingAs: null, overview: false, storeSet: null }),
    notifications.show({ ownerId: null, canAdd: false, ownerName: (ownerId) => owners.find(ownerId)?.name }),
    board.show(null),
  ]);
}

/** The operator's view the address names: an owner's (looked up if not among the owners listed), or the operator's own. */
async function showViewOfUrl(): Promise<void> {
  const ownerId = ownerIdInUrl(location.href);
  if (ownerId === null) return showOperatorView();
  try {
    return await showOwnerView(owners.find(ownerId) ?? (await api.owner(ownerId)));
  } catch {
    history.replaceState(history.state, '', urlForOwner(location.href, null));
    return showOperatorView();
  }
}

/** The page follows its address: a bookmarked report opens, Back and Forward move between reports and views. */
function showReportOfUrl(): void {
  const reportId = reportIdInUrl(location.href);
  const invalid = invalidReportParam(location.href);
  if (reportId) void reportPanel.open(reportId);
  else if (invalid !== null) reportPanel.showInvalidId(invalid);
  else {
    reportPanel.close();
    storePanel.close();
  }
}
window.addEventListener('popstate', () => {
  showReportOfUrl();
  if (isOperator) void showViewOfUrl();
});

let isOperator = false;

/** Who is signed in decides the page: an owner sees its own stores; the operator also sees the owners. */
async function loadAll(): Promise<void> {
  api.viewAs(null);
  const me = await account.load();
  const isOwner = me?.kind === 'owner';
  isOperator = me?.kind === 'operator';
  if (refreshButton) refreshButton.hidden = isOwner;
  if (me === null) {
    owners.hide();
    notifications.hide();
    board.hide();
    groups.hide();
    await Promise.all([dataStatus.load(), recentReports.load()]);
    return;
  }
  if (isOwner) {
    owners.hide();
    const storeCount = me.store_count ?? 0;
    const storeSet = { storeCount, knownCount: me.known_store_count ?? storeCount };
    reportPanel.setStoreSet(me.owner_id ? { ownerId: me.owner_id, ...storeSet } : null);
    await Promise.all([
      dataStatus.load(),
      recentReports.load(),
      uptime.show({ ownerId: null, title: me.group_name ? `Stores of ${me.group_name}` : 'Your stores', viewingAs: null, overview: true, storeSet }),
      groups.show(null),
      notifications.show({ ownerId: null, canAdd: true, ownerName: null }),
      board.show(null),
    ]);
    return;
  }
  // The owners' names first: the operator's subscription list says whose each one is.
  await owners.load();
  await showViewOfUrl();
}

void loadAll();
if (reportIdInUrl(location.href) || invalidReportParam(location.href) !== null) showReportOfUrl();
setInterval(() => {
  if (document.visibilityState === 'visible') void dataStatus.load();
}, DATA_STATUS_REFRESH_MS);
