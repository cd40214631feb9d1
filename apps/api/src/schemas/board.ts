import { Type } from 'typebox';
import { UUID_PATTERN, nullableInstant, stringEnum } from './common.js';
import { NullableAcknowledgement } from './incidents.js';

export const STORE_STATES = ['closed', 'no_data', 'down', 'up'] as const;

export const BoardQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1_000, default: 100, description: 'Stores per page' }),
  offset: Type.Integer({ minimum: 0, default: 0, description: 'Stores to skip, in board order' }),
  state: Type.Optional(stringEnum(STORE_STATES, { description: 'Only the stores in this state (the counts stay those of every state)' })),
  owner_id: Type.Optional(Type.String({ pattern: UUID_PATTERN, description: "Operator only: one owner's board" })),
  group_id: Type.Optional(Type.String({ pattern: UUID_PATTERN, maxLength: 36, description: 'Only the stores of this group of the owner’s stores (a group key always sees its own group)' })),
});

const BoardStore = Type.Object({
  store_id: Type.String(),
  state: stringEnum(STORE_STATES, {
    description:
      'At the latest observation, the first that holds: `closed` (outside business hours), `no_data` (should be open, no poll for longer than NO_DATA_AFTER_MINUTES), `down` (open, in an open incident), `up`',
  }),
  closed_by: Type.Union([stringEnum(['weekly', 'special'] as const), Type.Null()], { description: 'Why a closed store is closed: its weekly hours, or special hours for the day' }),
  down_since: nullableInstant('Start of the open incident of a down store (as in GET /api/incidents)'),
  down_minutes: Type.Union([Type.Integer(), Type.Null()], { description: 'Whole minutes from `down_since` to the latest observation' }),
  last_poll_at: nullableInstant('For a `no_data` store, its latest poll (null when it sent none in the last week); null in the other states'),
  muted: Type.Boolean({ description: 'Its down alerts are muted now (the caller’s own mute or the operator’s)' }),
  muted_until: nullableInstant('When the mute ends (the latest, when there are several)'),
  mute_reason: Type.Union([Type.String(), Type.Null()]),
  incident_id: Type.Union([Type.String({ pattern: UUID_PATTERN }), Type.Null()], { description: 'A down store’s open incident (to acknowledge it); null otherwise' }),
  acknowledgement: NullableAcknowledgement,
});

export const BoardResponse = Type.Object(
  {
    as_of: nullableInstant('The latest observation the states are taken at; null before the first ingest was evaluated'),
    evaluated_at: nullableInstant('When the states were computed (after the ingest that brought that observation)'),
    data_age_seconds: Type.Union([Type.Integer(), Type.Null()], { description: 'Seconds from the latest observation to now (wall clock)' }),
    counts: Type.Object(
      {
        down: Type.Integer(),
        no_data: Type.Integer(),
        up: Type.Integer(),
        closed: Type.Integer(),
        muted: Type.Integer({ description: 'Stores muted now, whatever their state' }),
      },
      { description: 'Stores per state, over all the caller’s stores' },
    ),
    total: Type.Integer({ description: 'Stores the page is taken from (those of `state` when given)' }),
    limit: Type.Integer(),
    offset: Type.Integer(),
    stores: Type.Array(BoardStore, { description: 'Down stores first, longest down first; then no_data, up and closed, each by store id' }),
  },
  {
    description: 'Which of the caller’s stores are down right now, and since when',
    examples: [
      {
        as_of: '2023-01-25T18:13:22.479Z',
        evaluated_at: '2023-01-25T18:15:03.112Z',
        data_age_seconds: 101,
        counts: { down: 1, no_data: 0, up: 1, closed: 1, muted: 1 },
        total: 3,
        limit: 100,
        offset: 0,
        stores: [
          { store_id: '1481966498820158979', state: 'down', closed_by: null, down_since: '2023-01-25T16:40:00.000Z', down_minutes: 93, last_poll_at: null, muted: true, muted_until: '2023-01-26T06:00:00.000Z', mute_reason: 'remodel', incident_id: '9f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f', acknowledgement: { acknowledged_at: '2023-01-25T17:02:41.000Z', key_id: 'c4d5e6f7-0a1b-4c2d-9e3f-5a6b7c8d9e0f', role: 'manager', note: 'on it' } },
          { store_id: '6069798455074389010', state: 'up', closed_by: null, down_since: null, down_minutes: null, last_poll_at: null, muted: false, muted_until: null, mute_reason: null, incident_id: null, acknowledgement: null },
          { store_id: '8419537941919820732', state: 'closed', closed_by: 'weekly', down_since: null, down_minutes: null, last_poll_at: null, muted: false, muted_until: null, mute_reason: null, incident_id: null, acknowledgement: null },
        ],
      },
    ],
  },
);
