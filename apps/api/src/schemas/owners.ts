import { Type, type Static } from 'typebox';
import { UUID_PATTERN, nullableInstant, stringEnum } from './common.js';

const exampleOwnerId = '7d4b2f0e-1c3a-4e5f-8a9b-0c1d2e3f4a5b';
const exampleKeyId = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

export const OwnerId = Type.String({ pattern: UUID_PATTERN, maxLength: 36, description: 'Owner id (UUID)', examples: [exampleOwnerId] });

export const OwnerIdParams = Type.Object({ owner_id: OwnerId });
export const OwnerKeyParams = Type.Object({
  owner_id: OwnerId,
  key_id: Type.String({ pattern: UUID_PATTERN, maxLength: 36, description: 'Key id (UUID) as returned when the key was made', examples: [exampleKeyId] }),
});

export const CreateOwnerBody = Type.Object(
  // No control characters: a NUL byte is not even storable in Postgres text.
  { name: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\x00-\\x1F\\x7F]+$', description: 'Display name of the brand or franchisee' }) },
  { additionalProperties: false, examples: [{ name: 'Northwind Pizza' }] },
);

export const OwnerView = Type.Object(
  {
    owner_id: OwnerId,
    name: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    store_count: Type.Integer({ description: "Store ids in the owner's set, including those no source has mentioned yet" }),
    known_store_count: Type.Integer({ description: 'Of those, the stores the registry knows: the rows of the owner’s reports' }),
    active_key_count: Type.Integer({ description: 'Keys not revoked' }),
  },
  {
    description: 'An owner',
    examples: [{ owner_id: exampleOwnerId, name: 'Northwind Pizza', created_at: '2026-12-01T10:00:00.000Z', store_count: 300, known_store_count: 298, active_key_count: 1 }],
  },
);
export type OwnerView = Static<typeof OwnerView>;

export const GroupId = Type.String({ pattern: UUID_PATTERN, maxLength: 36, description: 'Group id (UUID)', examples: ['5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b'] });

export const KeyRoleSchema = stringEnum(['viewer', 'manager', 'owner'], {
  description:
    'viewer: reads (reports, history, board); manager: also acknowledges incidents, mutes stores, sets special hours and manages subscriptions; owner: also manages groups and keys',
});

export const OwnerKeyView = Type.Object({
  key_id: Type.String(),
  key_prefix: Type.String({ description: 'The first characters of the key, to tell keys apart' }),
  group_id: Type.Union([GroupId, Type.Null()], { description: 'The group of the owner’s stores the key is limited to; null = all of them' }),
  role: KeyRoleSchema,
  created_at: Type.String({ format: 'date-time' }),
  revoked_at: nullableInstant('When the key was revoked; null while it works'),
});

export const OwnerDetail = Type.Object(
  { ...OwnerView.properties, keys: Type.Array(OwnerKeyView, { description: 'Every key of the owner, revoked ones included; never the key itself' }) },
  { description: 'An owner with its keys' },
);

export const OwnerList = Type.Object(
  { owners: Type.Array(OwnerView), total: Type.Integer({ description: 'Owners matching the search' }), limit: Type.Integer(), offset: Type.Integer() },
  { description: 'Owners by name' },
);

export const OwnerListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  search: Type.Optional(Type.String({ maxLength: 200, pattern: '^[^\\x00-\\x1F\\x7F]*$', description: 'Part of the name, any case' })),
});

export const StoreSetJsonBody = Type.Object(
  {
    store_ids: Type.Array(Type.String(), { maxItems: 100_000, description: "The owner's whole store set (replaces the current one); duplicates count once" }),
  },
  { additionalProperties: false, examples: [{ store_ids: ['6069798455074389010', '2492131989990483260'] }] },
);

export const StoreSetCsvBody = Type.String({
  description: 'CSV with a `store_id` column (other columns are ignored), one store per row',
  examples: ['store_id\n6069798455074389010\n2492131989990483260\n'],
});

export const StoreSetResponse = Type.Object(
  {
    owner_id: OwnerId,
    store_count: Type.Integer({ description: 'Store ids in the new set' }),
    known_store_count: Type.Integer({ description: 'Of those, the ones the store registry knows' }),
    unknown_store_count: Type.Integer({ description: 'Kept, but not (yet) in any source; they join the reports once their data arrives' }),
  },
  {
    description: "The owner's new store set, counted",
    examples: [{ owner_id: exampleOwnerId, store_count: 300, known_store_count: 298, unknown_store_count: 2 }],
  },
);

export const OwnerStoreList = Type.Object(
  {
    owner_id: OwnerId,
    stores: Type.Array(Type.Object({ store_id: Type.String(), known: Type.Boolean({ description: 'Whether the store registry knows the store' }) })),
  },
  { description: "The owner's store set in byte order" },
);

export const CreateKeyBody = Type.Object(
  {
    group_id: Type.Optional(GroupId),
    role: Type.Optional(KeyRoleSchema),
  },
  { additionalProperties: false, description: 'Default: a key for all of the owner’s stores with the owner role', examples: [{ group_id: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b', role: 'manager' }] },
);

export const CreatedKey = Type.Object(
  {
    key_id: Type.String(),
    key: Type.String({ description: 'The key itself: shown this once and stored only as a hash' }),
    key_prefix: Type.String(),
    owner_id: OwnerId,
    group_id: Type.Union([GroupId, Type.Null()], { description: 'The group the key is limited to; null = all of the owner’s stores' }),
    role: KeyRoleSchema,
    created_at: Type.String({ format: 'date-time' }),
  },
  {
    description: 'A new key for the owner',
    examples: [
      {
        key_id: exampleKeyId,
        key: 'smo_3q2-7wEXAMPLEexampleEXAMPLEexampleEXAMPLE0',
        key_prefix: 'smo_3q2-7wEX',
        owner_id: exampleOwnerId,
        group_id: null,
        role: 'owner',
        created_at: '2026-12-01T10:00:00.000Z',
      },
    ],
  },
);

export const OwnerKeyList = Type.Object(
  { owner_id: OwnerId, keys: Type.Array(OwnerKeyView, { description: 'Revoked ones included; never the key itself' }) },
  { description: 'The owner’s keys (a group key’s owner role sees its group’s keys only)' },
);

export const RevokedKey = Type.Object({ ...OwnerKeyView.properties, owner_id: OwnerId }, { description: 'The key, now revoked' });

export const WhoAmI = Type.Object(
  {
    kind: Type.Union([Type.Literal('operator'), Type.Literal('owner')]),
    owner_id: Type.Union([OwnerId, Type.Null()]),
    name: Type.Union([Type.String(), Type.Null()], { description: "The owner's name; null for the operator" }),
    key_id: Type.Union([Type.String(), Type.Null()]),
    store_count: Type.Union([Type.Integer(), Type.Null()], { description: "Stores in the owner's set; null for the operator (all stores)" }),
    known_store_count: Type.Union([Type.Integer(), Type.Null()], { description: 'Of those, the stores in the data (the rest no source names yet); null for the operator' }),
    group_id: Type.Union([GroupId, Type.Null()], { description: 'The group the key is limited to; null = all of the owner’s stores (and for the operator)' }),
    group_name: Type.Union([Type.String(), Type.Null()], { description: 'The name of that group' }),
    role: KeyRoleSchema,
  },
  {
    description: 'Who the key belongs to: owner, group and role (store counts are of the group for a group key)',
    examples: [
      { kind: 'owner', owner_id: exampleOwnerId, name: 'Northwind Pizza', key_id: exampleKeyId, store_count: 300, known_store_count: 298, group_id: null, group_name: null, role: 'owner' },
    ],
  },
);
