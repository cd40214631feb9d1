import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { StoreMuteRepository, StoreStateRepository, type StoreMuteView } from '@store-monitoring/db';
import { IncidentAcknowledgements } from '@store-monitoring/notifications';
import { parseTimestampUs } from '@store-monitoring/reports';
import { ApiTags, apiSecurity, errorResponses } from '../../schemas/common.js';
import { BoardQuery, BoardResponse } from '../../schemas/board.js';
import { acknowledgementView } from './incidents.js';

/** ISO text with microseconds, shown with milliseconds like every instant the API answers with. */
const display = (iso: string | null) => (iso === null ? null : new Date(Math.floor(parseTimestampUs(iso)! / 1_000)).toISOString());

/** The latest-ending mute of each store. */
function latestMutes(mutes: StoreMuteView[]): Map<string, StoreMuteView> {
  const byStore = new Map<string, StoreMuteView>();
  for (const mute of mutes) {
    const seen = byStore.get(mute.store_id);
    if (!seen || seen.until < mute.until) byStore.set(mute.store_id, mute);
  }
  return byStore;
}

const boardRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const states = new StoreStateRepository(app.database.db);
  const mutes = new StoreMuteRepository(app.database.db);
  const acknowledgements = new IncidentAcknowledgements(app.database.db);

  app.get(
    '/status/now',
    {
      schema: {
        summary: 'The live board: which of the caller’s stores are down right now, and since when',
        description:
          'Every store of the caller (an owner’s set, a group key’s group; every store for the operator, or one owner’s with `owner_id`; one group’s with `group_id`) in its state at the latest observation, ' +
          'as the step after each ingest left it (no poll history is read): `closed` (outside business hours, `closed_by` weekly or special), `no_data` ' +
          '(should be open, no poll for longer than NO_DATA_AFTER_MINUTES), `down` (open and in an open incident, the one GET /api/incidents lists, with ' +
          '`down_since`, its `incident_id` and the owner’s `acknowledgement`), else `up`. `muted` is beside the state. Counts per state over all the caller’s stores; down stores first, longest down first.',
        operationId: 'getStatusNow',
        tags: [ApiTags.Stores],
        security: apiSecurity,
        querystring: BoardQuery,
        response: { 200: BoardResponse, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      const { limit, offset, state } = request.query;
      const { ownerId, groupId } = await request.scope(request.query.owner_id, request.query.group_id);
      const [evaluation, board, mutedCount] = await Promise.all([
        states.latestEvaluation(),
        states.board(ownerId, { limit, offset, state }, groupId),
        mutes.mutedStateCount(ownerId, groupId),
      ]);
      const shownMutes = latestMutes(await mutes.active(ownerId, board.rows.map((row) => row.store_id), groupId));
      const downStores = board.rows.filter((row) => row.state === 'down').map((row) => row.store_id);
      const openIncidents = new Map((await acknowledgements.open(ownerId, { storeIds: downStores })).map((incident) => [incident.store_id, incident]));
      const asOfUs = evaluation ? parseTimestampUs(evaluation.observed_iso) : null;
      return {
        as_of: evaluation ? display(evaluation.observed_iso) : null,
        evaluated_at: evaluation ? evaluation.evaluated_at.toISOString() : null,
        data_age_seconds: asOfUs === null ? null : Math.max(0, Math.floor((Date.now() * 1_000 - asOfUs) / 1e6)),
        counts: { ...board.counts, muted: mutedCount },
        total: board.total,
        limit,
        offset,
        stores: board.rows.map((row) => {
          const mute = shownMutes.get(row.store_id);
          const incident = row.state === 'down' ? openIncidents.get(row.store_id) : undefined;
          const sinceUs = row.down_since === null ? null : parseTimestampUs(row.down_since);
          return {
            store_id: row.store_id,
            state: row.state,
            closed_by: row.closed_by,
            down_since: display(row.down_since),
            down_minutes: sinceUs === null || asOfUs === null ? null : Math.floor((asOfUs - sinceUs) / 60e6),
            last_poll_at: display(row.last_poll_at),
            muted: mute !== undefined,
            muted_until: mute ? mute.until.toISOString() : null,
            mute_reason: mute?.reason ?? null,
            incident_id: incident?.id ?? null,
            acknowledgement: incident?.acknowledgement ? acknowledgementView(incident.acknowledgement) : null,
          };
        }),
      };
    },
  );
};

export default boardRoutes;
