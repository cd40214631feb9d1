import type { ReportRow } from './report-csv.js';
import { StoreTableModel } from './store-table-model.js';

function row(storeId: string, downtimeWeek: number, uptimeWeek = 10, downtimeHour = 0): ReportRow {
  return { storeId, uptimeHour: 0, uptimeDay: 0, uptimeWeek, downtimeHour, downtimeDay: 0, downtimeWeek };
}

const manyStores = Array.from({ length: 14_000 }, (_, index) => row(`store-${String(index).padStart(5, '0')}`, (index * 7919) % 1000, 50));

describe('StoreTableModel', () => {
  it('starts with the most weekly downtime first, 25 rows per page', () => {
    const view = new StoreTableModel(manyStores).view();
    expect(view.rows).toHaveLength(25);
    expect(view.pageCount).toBe(560);
    expect(view.matches).toBe(14_000);
    const downtimes = view.rows.map((r) => r.downtimeWeek);
    expect(downtimes).toEqual([...downtimes].sort((a, b) => b - a));
    expect(downtimes[0]).toBe(Math.max(...manyStores.map((r) => r.downtimeWeek)));
  });

  it('flips the direction on a second click and starts another column at its natural direction', () => {
    const model = new StoreTableModel([row('b', 1), row('a', 2), row('c', 3)]);
    model.sortBy('downtimeWeek');
    expect(model.view().rows.map((r) => r.storeId)).toEqual(['b', 'a', 'c']);
    model.sortBy('storeId');
    expect(model.view()).toMatchObject({ sortKey: 'storeId', sortDirection: 'asc' });
    expect(model.view().rows.map((r) => r.storeId)).toEqual(['a', 'b', 'c']);
  });

  it('breaks ties by store id so the order is stable across pages', () => {
    const model = new StoreTableModel([row('b', 5), row('a', 5), row('c', 9)]);
    expect(model.view().rows.map((r) => r.storeId)).toEqual(['c', 'a', 'b']);
  });

  it('keeps stores without business time last when sorting by uptime in either direction', () => {
    const model = new StoreTableModel([row('none', 0, 0), row('low', 9, 1), row('high', 1, 9)]);
    model.sortBy('uptimeWeekPercent');
    expect(model.view().rows.map((r) => r.storeId)).toEqual(['low', 'high', 'none']);
    model.sortBy('uptimeWeekPercent');
    expect(model.view().rows.map((r) => r.storeId)).toEqual(['high', 'low', 'none']);
  });

  it('filters by a case-insensitive substring of the store id and goes back to page 1', () => {
    const model = new StoreTableModel(manyStores);
    model.goToPage(3);
    model.setSearch(' STORE-001 ');
    const view = model.view();
    expect(view.page).toBe(1);
    expect(view.matches).toBe(100);
    expect(view.rows.every((r) => r.storeId.includes('store-001'))).toBe(true);
    model.setSearch('999');
    expect(model.view().rows.every((r) => r.storeId.includes('999'))).toBe(true);
    model.setSearch('');
    expect(model.view().matches).toBe(14_000);
  });

  it('clamps paging to the pages that exist and shows every store exactly once across pages', () => {
    const model = new StoreTableModel(manyStores.slice(0, 60));
    model.goToPage(99);
    expect(model.view()).toMatchObject({ page: 3, pageCount: 3 });
    expect(model.view().rows).toHaveLength(10);
    model.goToPage(0);
    expect(model.view().page).toBe(1);
    const seen = new Set<string>();
    for (let page = 1; page <= 3; page += 1) {
      model.goToPage(page);
      for (const r of model.view().rows) seen.add(r.storeId);
    }
    expect(seen.size).toBe(60);
  });

  it('finds a store only by its exact id', () => {
    const model = new StoreTableModel(manyStores);
    expect(model.find('store-00042')?.storeId).toBe('store-00042');
    expect(model.find('store-0004')).toBeUndefined();
  });
});
