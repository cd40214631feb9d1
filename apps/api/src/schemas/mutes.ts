import { Type } from 'typebox';

const MAX_REASON_LENGTH = 500;
/** Most stores one bulk call names: a chain's whole fleet. */
export const MAX_BULK_STORES = 100_000;

const Until = Type.String({
  format: 'date-time',
  description: 'Wall-clock instant (ISO-8601 with a zone) the mute ends; must be in the future',
  examples: ['2026-12-27T06:00:00Z'],
});
const Reason = Type.Optional(Type.String({ maxLength: MAX_REASON_LENGTH, description: 'Why, for whoever reads the board', examples: ['remodel'] }));

export const MuteBody = Type.Object({ until: Until, reason: Reason }, { additionalProperties: false });

export const BulkMuteBody = Type.Object(
  {
    store_ids: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: MAX_BULK_STORES, description: 'The stores; omitted: every store of the caller' })),
    until: Until,
    reason: Reason,
  },
  { additionalProperties: false },
);

export const BulkUnmuteBody = Type.Object(
  { store_ids: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: MAX_BULK_STORES, description: 'The stores; omitted: every store of the caller' })) },
  { additionalProperties: false },
);

export const MuteView = Type.Object({
  store_id: Type.String(),
  owner_id: Type.Union([Type.String(), Type.Null()], { description: 'Whose mute it is; null: the operator’s, which silences every owner' }),
  until: Type.String({ format: 'date-time' }),
  reason: Type.Union([Type.String(), Type.Null()]),
  created_by: Type.String({ description: '`operator`, or `key:<key id>` of the owner key that set it' }),
  created_at: Type.String({ format: 'date-time' }),
});

export const MuteList = Type.Object({ mutes: Type.Array(MuteView, { description: 'Active mutes the caller sees: its own and the operator’s (the operator sees all)' }) });

export const BulkMuteResponse = Type.Object({
  muted: Type.Integer({ description: 'Stores muted (or whose mute was moved)' }),
  until: Type.String({ format: 'date-time' }),
});

export const BulkUnmuteResponse = Type.Object({ unmuted: Type.Integer({ description: 'Active mutes of the caller that ended' }) });
