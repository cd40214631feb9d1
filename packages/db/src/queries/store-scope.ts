import { sql, type RawBuilder } from 'kysely';

/*
 * Which stores and which data a store read sees, as conditions on its columns: the selection (a
 * range, one store), the owner's set, the data version and the versioned sources. Every poll read
 * is keyed by store_id and joins nothing across stores.
 */

/** A contiguous slice of the store registry in byte order: [fromStoreId, toStoreId), null = open. */
export interface StoreRange {
  fromStoreId: string | null;
  toStoreId: string | null;
}

/** The stores a read covers: a shard's range, or one store (the timeline). */
export type StoreSelection = StoreRange | { storeId: string };

/** The selection as a condition on a store_id column (every table read is keyed by store_id). */
export function inSelection(column: string, selection: StoreSelection): RawBuilder<boolean> {
  const storeId = sql.ref(column);
  if ('storeId' in selection) return sql<boolean>`${storeId} = ${selection.storeId}`;
  const bounds = [
    ...(selection.fromStoreId === null ? [] : [sql`${storeId} >= ${selection.fromStoreId}`]),
    ...(selection.toStoreId === null ? [] : [sql`${storeId} < ${selection.toStoreId}`]),
  ];
  return bounds.length === 0 ? sql<boolean>`true` : sql<boolean>`${sql.join(bounds, sql` AND `)}`;
}

/**
 * Which data a read sees: a data version (with its hours and zones), and for an owner the stores
 * of its set (in the state a report pinned, or the current one).
 */
export interface StoreScope {
  /** The data version whose polls and store registry are read; null = nothing was ever ingested. */
  dataVersion: string | null;
  businessHoursVersion: string | null;
  timezonesVersion: string | null;
  /** Only the stores of this owner's set; null or absent = every store. */
  ownerId?: string | null;
  /** The state of the owner's set a report pinned (owners.store_set_version); null = the current set. */
  ownerSetVersion?: string | null;
  /** Only the stores of this group of the owner's stores (read as its intersection with the owner's set); null or absent = all of them. */
  groupId?: string | null;
  /** The state of the group's set a report pinned (store_groups.store_set_version); null = the current set. */
  groupSetVersion?: string | null;
}

/** Whose set a read is limited to: an owner's (in a pinned state or the current one), narrowed to one of its groups. */
export type StoreSetRef = Pick<StoreScope, 'ownerId' | 'ownerSetVersion' | 'groupId' | 'groupSetVersion'>;

/** Rows of a versioned set table (alias) in the state `setVersion`, or the current state. */
function versionedRowsIn(alias: string, setVersion: string | null | undefined): RawBuilder<boolean> {
  const since = sql.ref(`${alias}.since_set_version`);
  const until = sql.ref(`${alias}.until_set_version`);
  return setVersion === null || setVersion === undefined
    ? sql<boolean>`${until} IS NULL`
    : sql<boolean>`${since} <= ${setVersion}::int8 AND (${until} IS NULL OR ${until} > ${setVersion}::int8)`;
}

/**
 * The store set a read is limited to, as a condition on a qualified store_id column: the owner's
 * set (ownedBy) and, for a group, a semi-join on group_stores (primary key (group_id, store_id,
 * since_set_version)) in the group's pinned or current state. A group's set is thus always read as
 * its intersection with the owner's set, in the same query.
 */
export function inStoreSet(column: string, set: StoreSetRef): RawBuilder<boolean> {
  const owned = ownedBy(column, set.ownerId, set.ownerSetVersion);
  if (set.groupId === null || set.groupId === undefined) return owned;
  const inGroup = sql<boolean>`EXISTS (SELECT 1 FROM group_stores AS gs WHERE gs.group_id = ${set.groupId}::uuid AND gs.store_id = ${sql.ref(column)} AND ${versionedRowsIn('gs', set.groupSetVersion)})`;
  return sql<boolean>`(${owned} AND ${inGroup})`;
}

/**
 * The owner's store set as a condition on a store_id column: a semi-join on owner_stores (primary
 * key (owner_id, store_id, since_set_version)), so an owner's read never yields another owner's
 * store. `setVersion` reads the set as it stood in that state (a report's pinned set), otherwise
 * the current set. The column must be qualified with its table: a bare name would resolve to
 * owner_stores' own store_id.
 */
export function ownedBy(column: string, ownerId: string | null | undefined, setVersion?: string | null): RawBuilder<boolean> {
  if (ownerId === null || ownerId === undefined) return sql<boolean>`true`;
  return sql<boolean>`EXISTS (SELECT 1 FROM owner_stores AS os WHERE os.owner_id = ${ownerId}::uuid AND os.store_id = ${sql.ref(column)} AND ${versionedRowsIn('os', setVersion)})`;
}

/**
 * A versioned store set: an owner's (a group's has the same shape). Its members table holds one row
 * per (set, store, since_set_version), in the states [since_set_version, until_set_version) of the
 * set (until null = the current set), keyed by (set id, store_id, since_set_version), so the set's
 * own ids are one ordered index range, in store-id order.
 */
export interface VersionedStoreSet {
  kind: StoreSetKind;
  setId: string;
  /** The state of the set a report pinned; null = the current set. */
  setVersion: string | null;
}

/** Where each kind of store set keeps its members: the table and its set-id column. */
const STORE_SET_MEMBERS = {
  owner: { table: 'owner_stores', key: 'owner_id' },
} as const;

export type StoreSetKind = keyof typeof STORE_SET_MEMBERS;

/** The versioned store set a scope reads, or null when it reads every store. */
export function storeSetOf(scope: Pick<StoreScope, 'ownerId' | 'ownerSetVersion'>): VersionedStoreSet | null {
  if (scope.ownerId === null || scope.ownerId === undefined) return null;
  return { kind: 'owner', setId: scope.ownerId, setVersion: scope.ownerSetVersion ?? null };
}

/** A members row (alias `m`) is in the set's state. */
function inSetState(set: VersionedStoreSet): RawBuilder<boolean> {
  return set.setVersion === null
    ? sql<boolean>`m.until_set_version IS NULL`
    : sql<boolean>`m.since_set_version <= ${set.setVersion}::int8 AND (m.until_set_version IS NULL OR m.until_set_version > ${set.setVersion}::int8)`;
}

/**
 * The set's store ids within the range, in store-id order, as a subquery with one column
 * `store_id`: an index range scan of the members table's primary key, touching only the set's rows.
 * A store is in one state of the set at most once, so each id appears once.
 */
export function storeSetMembers(set: VersionedStoreSet, range: StoreRange = { fromStoreId: null, toStoreId: null }): RawBuilder<{ store_id: string }> {
  const { table, key } = STORE_SET_MEMBERS[set.kind];
  return sql<{ store_id: string }>`SELECT m.store_id FROM ${sql.table(table)} AS m
    WHERE ${sql.ref(`m.${key}`)} = ${set.setId}::uuid AND ${inSetState(set)} AND ${inSelection('m.store_id', range)}
    ORDER BY m.store_id`;
}

/** A poll_days row is in a data version when the version lies in [valid_from, valid_to). */
export function visibleIn(table: string, version: string | null): RawBuilder<boolean> {
  if (version === null) return sql<boolean>`false`;
  const from = sql.ref(`${table}.valid_from`);
  const to = sql.ref(`${table}.valid_to`);
  return sql<boolean>`${from} <= ${version}::int8 AND (${to} IS NULL OR ${to} > ${version}::int8)`;
}

/** A UTC day number (days since 1970-01-01) as a date literal. */
export function utcDay(dayNumber: number): RawBuilder<string> {
  return sql<string>`(DATE '1970-01-01' + ${dayNumber}::int)`;
}

/** A version column of a versioned source (hours, zones) equal to the pinned version; none pinned = no rows. */
export function sourceVersionIs(column: string, version: string | null): RawBuilder<boolean> {
  return version === null ? sql<boolean>`false` : sql<boolean>`${sql.ref(column)} = ${version}`;
}

/** The registry's stores (alias `s`) that the data version knows. */
export function inRegistry(version: string | null): RawBuilder<boolean> {
  return version === null ? sql<boolean>`false` : sql<boolean>`s.since_version <= ${version}::int8`;
}

