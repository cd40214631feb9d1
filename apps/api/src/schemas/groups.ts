import { Type } from 'typebox';
import { GroupId, OwnerId } from './owners.js';

const exampleGroupId = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';
const exampleOwnerId = '7d4b2f0e-1c3a-4e5f-8a9b-0c1d2e3f4a5b';

const GroupName = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\x00-\\x1F\\x7F]+$', description: 'A region, a district, a brand: unique among the owner’s groups, ignoring case' });
const StoreIds = Type.Array(Type.String(), { maxItems: 100_000, description: 'Ids of the owner’s set (any other id answers 400 naming it); duplicates count once' });

export const GroupIdParams = Type.Object({ group_id: GroupId });

export const CreateGroupBody = Type.Object(
  {
    name: GroupName,
    store_ids: Type.Optional(StoreIds),
    owner_id: Type.Optional({ ...OwnerId, description: 'The operator names the owner; an owner key makes its own group' }),
  },
  { additionalProperties: false, examples: [{ name: 'North region', store_ids: ['6069798455074389010', '2492131989990483260'] }] },
);

export const PatchGroupBody = Type.Object({ name: GroupName }, { additionalProperties: false, examples: [{ name: 'North-east region' }] });

export const GroupStoreSetJsonBody = Type.Object({ store_ids: StoreIds }, { additionalProperties: false, examples: [{ store_ids: ['6069798455074389010'] }] });

export const GroupView = Type.Object(
  {
    group_id: GroupId,
    owner_id: OwnerId,
    name: Type.String(),
    store_count: Type.Integer({ description: 'Stores of the group that are in the owner’s current set (a group is always read so)' }),
    known_store_count: Type.Integer({ description: 'Of those, the stores the registry knows: the rows of the group’s reports' }),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  {
    description: 'A group of an owner’s stores',
    examples: [
      { group_id: exampleGroupId, owner_id: exampleOwnerId, name: 'North region', store_count: 42, known_store_count: 42, created_at: '2026-12-08T10:00:00.000Z', updated_at: '2026-12-08T10:00:00.000Z' },
    ],
  },
);

export const GroupList = Type.Object({ groups: Type.Array(GroupView) }, { description: 'The caller’s groups by name (a group key: its own group)' });

export const GroupListQuery = Type.Object({ owner_id: Type.Optional({ ...OwnerId, description: 'Operator only: one owner’s groups (default: every owner’s)' }) });

export const GroupDetail = Type.Object(
  {
    ...GroupView.properties,
    stores: Type.Array(Type.Object({ store_id: Type.String(), known: Type.Boolean({ description: 'Whether the store registry knows the store' }) }), {
      description: 'The group’s current set (as read: within the owner’s set), in byte order',
    }),
  },
  { description: 'A group with its stores' },
);

export const GroupStoreSetResponse = Type.Object(
  {
    group_id: GroupId,
    store_count: Type.Integer({ description: 'Store ids in the new set' }),
    known_store_count: Type.Integer({ description: 'Of those, the ones the store registry knows' }),
  },
  { description: 'The group’s new set, counted', examples: [{ group_id: exampleGroupId, store_count: 42, known_store_count: 42 }] },
);

export const GroupSummaryQuery = Type.Object({
  days: Type.Integer({ minimum: 1, maximum: 90, default: 30, description: 'Local calendar days, the last ending at the latest observation' }),
  owner_id: Type.Optional({ ...OwnerId, description: 'Operator only: one owner’s groups (default: every owner’s)' }),
});

const Figures = {
  business_hours: Type.Number(),
  uptime_hours: Type.Number(),
  downtime_hours: Type.Number(),
  uptime_percent: Type.Union([Type.Number(), Type.Null()], { description: 'Business-time-weighted; null without business time' }),
};

export const GroupSummaryResponse = Type.Object(
  {
    as_of: Type.String({ format: 'date-time' }),
    days: Type.Integer(),
    groups: Type.Array(
      Type.Object({
        group_id: GroupId,
        owner_id: OwnerId,
        name: Type.String(),
        store_count: Type.Integer({ description: 'Stores of the group the data knows' }),
        rank: Type.Integer({ description: '1 = the worst uptime of the period' }),
        ...Figures,
        incident_count: Type.Integer(),
        days: Type.Array(Type.Object({ date: Type.String({ description: 'Local date YYYY-MM-DD' }), ...Figures, incident_count: Type.Integer() })),
      }),
      { description: 'Worst uptime first (groups without business time last), then by name' },
    ),
  },
  { description: 'Per group, per day: business-time-weighted uptime, downtime hours and incidents, ranked worst first' },
);
