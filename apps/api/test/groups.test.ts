import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedSyntheticStores } from '@store-monitoring/reports/testing';
import { REPORT_HEADER, startTestApi, workerEnvFor, type TestApi } from './support/test-api.js';

const OPERATOR_KEY = 'operator-key-for-store-groups-0123456789';
const operator = { authorization: `Bearer ${OPERATOR_KEY}` };
const workerMain = fileURLToPath(new URL('../../worker/dist/main.js', import.meta.url));
const AS_OF = '2023-01-25T18:00:00.123456Z';
const storeId = (n: number) => `S${String(n).padStart(7, '0')}`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => storeId(from + index));
const key = (value: string) => ({ 'x-api-key': value });

/**
 * Store groups and team keys through the real app, a real worker, Redis and Postgres: Alice owns
 * stores 1-30 in two groups (North 1-10, South 11-20); Bob owns 21-40.
 */
describe('store groups and team keys', () => {
  let api: TestApi;
  let worker: ChildProcess | undefined;
  let aliceId: string;
  let aliceKey: string;
  let bobKey: string;
  let north: string;
  let south: string;
  const keys: Record<'viewer' | 'manager' | 'owner', string> = { viewer: '', manager: '', owner: '' };
  const keyIds: string[] = [];

  const inject = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) =>
    api.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });

  async function trigger(headers: Record<string, string>, body: Record<string, unknown> = {}): Promise<{ report_id: string }> {
    const response = await inject('POST', '/api/trigger_report', headers, { as_of: AS_OF, ...body });
    expect(response.statusCode).toBe(200);
    return response.json();
  }

  async function csvOf(id: string, headers: Record<string, string>): Promise<string[]> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const response = await inject('GET', `/api/get_report?report_id=${id}`, headers);
      expect(response.statusCode).toBe(200);
      if (response.headers['x-report-status'] === 'Complete') return response.body.trimEnd().split('\n');
      if (Date.now() > deadline) throw new Error(`report ${id} did not complete`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  beforeAll(async () => {
    api = await startTestApi('groups', { API_KEY: OPERATOR_KEY });
    await seedSyntheticStores(api.database.db, { stores: 40, pollsPerStore: 190, endIso: '2023-01-25T18:13:22.479220Z' });
    const owner = async (name: string, stores: string[]) => {
      const created = await inject('POST', '/api/owners', operator, { name });
      const ownerId = created.json().owner_id as string;
      expect((await inject('PUT', `/api/owners/${ownerId}/stores`, operator, { store_ids: stores })).statusCode).toBe(200);
      const made = await inject('POST', `/api/owners/${ownerId}/keys`, operator);
      expect(made.json()).toMatchObject({ role: 'owner', group_id: null });
      return { ownerId, key: made.json().key as string };
    };
    ({ ownerId: aliceId, key: aliceKey } = await owner('Alice', range(1, 30)));
    ({ key: bobKey } = await owner('Bob', range(21, 40)));
    worker = spawn(process.execPath, [workerMain], { env: workerEnvFor(api, mkdtempSync(join(tmpdir(), 'groups-data-')), { REPORT_SHARDS: '2' }), stdio: 'ignore' });
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((resolve) => worker!.once('exit', resolve));
    }
    await api?.close();
  });

  it("holds only the owner's stores, naming any other id, and is the owner's alone", async () => {
    const created = await inject('POST', '/api/groups', key(aliceKey), { name: 'North', store_ids: range(1, 10) });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ owner_id: aliceId, name: 'North', store_count: 10, known_store_count: 10 });
    north = created.json().group_id;
    south = (await inject('POST', '/api/groups', key(aliceKey), { name: 'South', store_ids: range(11, 20) })).json().group_id;

    // Bob's store and an id nobody has are refused alike, by name, and nothing is created.
    const foreign = await inject('POST', '/api/groups', key(aliceKey), { name: 'Mixed', store_ids: [storeId(5), storeId(35), 'nobody-has-this'] });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().message).toContain(`"${storeId(35)}"`);
    expect(foreign.json().message).toContain('"nobody-has-this"');
    expect(foreign.json().message).not.toContain(`"${storeId(5)}"`);
    expect((await inject('POST', '/api/groups', key(aliceKey), { name: 'north', store_ids: [] })).statusCode).toBe(409);

    // The CSV form replaces the set as for owners; a foreign id leaves the set as it was.
    const csv = await api.app.inject({ method: 'PUT', url: `/api/groups/${south}/stores`, headers: { ...key(aliceKey), 'content-type': 'text/csv' }, payload: `store_id\n${range(11, 20).join('\n')}\n${storeId(30)}\n` });
    expect(csv.json()).toEqual({ group_id: south, store_count: 11, known_store_count: 11 });
    const refused = await inject('PUT', `/api/groups/${south}/stores`, key(aliceKey), { store_ids: [storeId(11), storeId(40)] });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toContain(`"${storeId(40)}"`);
    expect((await inject('PUT', `/api/groups/${south}/stores`, key(aliceKey), { store_ids: range(11, 20) })).json().store_count).toBe(10);

    const listed = await inject('GET', '/api/groups', key(aliceKey));
    expect(listed.json().groups.map((group: { name: string }) => group.name)).toEqual(['North', 'South']);
    expect((await inject('GET', '/api/groups', key(bobKey))).json().groups).toEqual([]);
    for (const [method, url] of [
      ['GET', `/api/groups/${north}`],
      ['PATCH', `/api/groups/${north}`],
      ['DELETE', `/api/groups/${north}`],
      ['GET', `/api/history?days=3&group_id=${north}`],
      ['GET', `/api/status/now?group_id=${north}`],
    ] as const) {
      const response = await inject(method, url, key(bobKey), method === 'PATCH' ? { name: 'Mine now' } : undefined);
      expect({ method, url, status: response.statusCode }).toEqual({ method, url, status: 404 });
    }
    expect((await inject('POST', '/api/trigger_report', key(bobKey), { group_id: north })).statusCode).toBe(404);

    // A group is read as its intersection with the owner's current set.
    expect((await inject('PUT', `/api/owners/${aliceId}/stores`, operator, { store_ids: range(2, 30) })).statusCode).toBe(200);
    const narrowed = await inject('GET', `/api/groups/${north}`, key(aliceKey));
    expect(narrowed.json().stores.map((store: { store_id: string }) => store.store_id)).toEqual(range(2, 10));
    expect((await inject('PUT', `/api/owners/${aliceId}/stores`, operator, { store_ids: range(1, 30) })).statusCode).toBe(200);
    expect((await inject('GET', `/api/groups/${north}`, key(aliceKey))).json().store_count).toBe(10);
  });

  it("reports on a group: each row equal to the all-stores report's, the group's set pinned", async () => {
    const all = await csvOf((await trigger(operator)).report_id, operator);
    const rowsByStore = new Map(all.slice(1).map((line) => [line.split(',')[0]!, line]));
    const group = await trigger(key(aliceKey), { group_id: north });
    const lines = await csvOf(group.report_id, key(aliceKey));
    expect(lines[0]).toBe(REPORT_HEADER);
    expect(lines.slice(1)).toEqual(range(1, 10).map((id) => rowsByStore.get(id)));
    const view = await inject('GET', `/api/reports/${group.report_id}`, key(aliceKey));
    expect(view.json()).toMatchObject({ owner_id: aliceId, group_id: north, rows: 10 });

    // The same group and set share the computation; the owner's whole set is another report.
    const again = await inject('GET', `/api/reports/${(await trigger(key(aliceKey), { group_id: north })).report_id}`, key(aliceKey));
    expect(again.json().computed_by).toBe(group.report_id);
    const ownerWide = await inject('GET', `/api/reports/${(await trigger(key(aliceKey))).report_id}`, key(aliceKey));
    expect(ownerWide.json().computed_by).not.toBe(group.report_id);
    // A new state of the group's set is a new snapshot: it never shares with the old one.
    expect((await inject('PUT', `/api/groups/${north}/stores`, key(aliceKey), { store_ids: range(1, 5) })).statusCode).toBe(200);
    const changed = await trigger(key(aliceKey), { group_id: north });
    expect((await inject('GET', `/api/reports/${changed.report_id}`, key(aliceKey))).json().computed_by).toBeNull();
    expect((await csvOf(changed.report_id, key(aliceKey))).slice(1)).toEqual(range(1, 5).map((id) => rowsByStore.get(id)));
    expect((await inject('PUT', `/api/groups/${north}/stores`, key(aliceKey), { store_ids: range(1, 10) })).statusCode).toBe(200);
  }, 150_000);

  it('gives team keys their group and role: 404 outside the group, 403 beyond the role', async () => {
    for (const role of ['viewer', 'manager', 'owner'] as const) {
      const made = await inject('POST', `/api/owners/${aliceId}/keys`, key(aliceKey), { group_id: north, role });
      expect(made.statusCode).toBe(201);
      expect(made.json()).toMatchObject({ owner_id: aliceId, group_id: north, role });
      keys[role] = made.json().key;
      keyIds.push(made.json().key_id);
    }
    const me = await inject('GET', '/api/me', key(keys.viewer));
    expect(me.json()).toMatchObject({ kind: 'owner', owner_id: aliceId, group_id: north, group_name: 'North', role: 'viewer', store_count: 10 });

    for (const role of ['viewer', 'manager', 'owner'] as const) {
      const headers = key(keys[role]);
      // Reads: the group's stores only, for every role.
      const history = await inject('GET', '/api/history?days=3', headers);
      expect(history.statusCode).toBe(200);
      expect(history.json().store_count).toBe(10);
      expect((await inject('GET', `/api/stores/${storeId(5)}/history?days=3`, headers)).statusCode).toBe(200);
      expect((await inject('GET', `/api/history/stores?days=3`, headers)).json().total).toBe(10);
      for (const [method, url] of [
        ['GET', `/api/stores/${storeId(15)}/history?days=3`],
        ['GET', `/api/stores/${storeId(15)}/timeline`],
        ['GET', `/api/groups/${south}`],
        ['GET', `/api/history?days=3&group_id=${south}`],
        ['POST', `/api/stores/${storeId(15)}/mute`],
      ] as const) {
        const response = await inject(method, url, headers, method === 'POST' ? { until: '2099-01-01T00:00:00Z' } : undefined);
        expect({ role, url, status: response.statusCode }).toEqual({ role, url, status: 404 });
      }
      expect((await inject('GET', '/api/groups', headers)).json().groups.map((group: { group_id: string }) => group.group_id)).toEqual([north]);
      const report = await trigger(headers);
      expect((await inject('GET', `/api/reports/${report.report_id}`, headers)).json()).toMatchObject({ group_id: north });
      // Managing groups is for an owner key of all the owner's stores.
      const createGroup = await inject('POST', '/api/groups', headers, { name: `By ${role}`, store_ids: [] });
      expect(createGroup.statusCode).toBe(403);
      expect((await inject('PUT', `/api/groups/${north}/stores`, headers, { store_ids: range(1, 30) })).statusCode).toBe(403);
    }

    // Mutes: a manager may, a viewer hears the role it needs.
    const viewerMute = await inject('POST', `/api/stores/${storeId(5)}/mute`, key(keys.viewer), { until: '2099-01-01T00:00:00Z' });
    expect(viewerMute.statusCode).toBe(403);
    expect(viewerMute.json().message).toContain('manager role');
    expect((await inject('POST', `/api/stores/${storeId(5)}/mute`, key(keys.manager), { until: '2099-01-01T00:00:00Z' })).statusCode).toBe(200);
    expect((await inject('DELETE', `/api/stores/${storeId(5)}/mute`, key(keys.manager))).statusCode).toBe(204);
    expect((await inject('POST', '/api/mutes', key(keys.viewer), { until: '2099-01-01T00:00:00Z' })).statusCode).toBe(403);
    const bulk = await inject('POST', '/api/mutes', key(keys.manager), { until: '2099-01-01T00:00:00Z', store_ids: [storeId(5), storeId(15)] });
    expect(bulk.statusCode).toBe(400);
    expect(bulk.json().message).toContain(storeId(15));

    // Subscriptions: limited to the group; managed by a manager; invisible to other groups.
    const subscription = { channel: 'email', to: 'north@example.com', events: ['store.down'] };
    expect((await inject('POST', '/api/subscriptions', key(keys.viewer), subscription)).statusCode).toBe(403);
    const made = await inject('POST', '/api/subscriptions', key(keys.manager), subscription);
    expect(made.statusCode).toBe(201);
    expect(made.json().group_id).toBe(north);
    const subscriptionId = made.json().subscription_id as string;
    expect((await inject('GET', `/api/subscriptions/${subscriptionId}`, key(keys.viewer))).statusCode).toBe(200);
    expect((await inject('PATCH', `/api/subscriptions/${subscriptionId}`, key(keys.viewer), { status: 'paused' })).statusCode).toBe(403);
    const southViewer = await inject('POST', `/api/owners/${aliceId}/keys`, key(aliceKey), { group_id: south, role: 'manager' });
    keyIds.push(southViewer.json().key_id);
    expect((await inject('GET', `/api/subscriptions/${subscriptionId}`, key(southViewer.json().key))).statusCode).toBe(404);
    expect((await inject('GET', '/api/subscriptions', key(southViewer.json().key))).json().subscriptions).toEqual([]);

    // Keys: the owner role of a group key manages its group's keys only; the others may not.
    expect((await inject('POST', `/api/owners/${aliceId}/keys`, key(keys.manager), { role: 'viewer' })).statusCode).toBe(403);
    expect((await inject('GET', `/api/owners/${aliceId}/keys`, key(keys.viewer))).statusCode).toBe(403);
    const byGroupOwner = await inject('POST', `/api/owners/${aliceId}/keys`, key(keys.owner), { role: 'viewer' });
    expect(byGroupOwner.json()).toMatchObject({ group_id: north, role: 'viewer' });
    keyIds.push(byGroupOwner.json().key_id);
    expect((await inject('POST', `/api/owners/${aliceId}/keys`, key(keys.owner), { group_id: south, role: 'viewer' })).statusCode).toBe(404);
    const groupKeys = await inject('GET', `/api/owners/${aliceId}/keys`, key(keys.owner));
    expect(new Set(groupKeys.json().keys.map((listed: { group_id: string }) => listed.group_id))).toEqual(new Set([north]));
    expect((await inject('DELETE', `/api/owners/${aliceId}/keys/${southViewer.json().key_id}`, key(keys.owner))).statusCode).toBe(404);
    // The operator's routes stay the operator's; another owner's keys are not found.
    expect((await inject('GET', `/api/owners/${aliceId}`, key(aliceKey))).statusCode).toBe(403);
    expect((await inject('POST', `/api/owners/${aliceId}/keys`, key(bobKey), {})).statusCode).toBe(404);

    // A group in use cannot go: the answer names its keys and subscriptions.
    const inUse = await inject('DELETE', `/api/groups/${north}`, key(aliceKey));
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().message).toContain(keyIds[0]);
    expect(inUse.json().message).toContain(subscriptionId);
  });

  it('ranks the groups by uptime, each as its history reads', async () => {
    const summary = await inject('GET', '/api/groups/summary?days=3', key(aliceKey));
    expect(summary.statusCode).toBe(200);
    const groups = summary.json().groups as { group_id: string; rank: number; uptime_percent: number | null; downtime_hours: number; incident_count: number; days: unknown[] }[];
    expect(groups.map((group) => group.group_id).sort()).toEqual([north, south].sort());
    expect(groups.map((group) => group.rank)).toEqual([1, 2]);
    expect(groups[0]!.uptime_percent!).toBeLessThanOrEqual(groups[1]!.uptime_percent!);
    for (const group of groups) {
      const history = (await inject('GET', `/api/history?days=3&group_id=${group.group_id}`, key(aliceKey))).json();
      expect(group.uptime_percent).toBe(history.totals.uptime_percent);
      expect(group.downtime_hours).toBe(history.totals.downtime_hours);
      expect(group.days).toHaveLength(history.days.length);
    }
    // A group key sees its own group only.
    expect((await inject('GET', '/api/groups/summary?days=3', key(keys.viewer))).json().groups.map((group: { group_id: string }) => group.group_id)).toEqual([north]);
  });
});
