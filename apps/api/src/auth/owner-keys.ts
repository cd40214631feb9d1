import { createHash, randomBytes } from 'node:crypto';
import type { OwnerKeyMatch, OwnerRepository } from '@store-monitoring/db';

/** Owner keys carry this prefix, so a presented key is looked up only when it can be one. */
export const OWNER_KEY_PREFIX = 'smo_';
const OWNER_KEY_PATTERN = /^smo_[A-Za-z0-9_-]{43}$/;
/** Characters of the key kept in clear, to tell an owner's keys apart in listings. */
const SHOWN_PREFIX_LENGTH = OWNER_KEY_PREFIX.length + 8;

/** A new owner key (256 random bits), its stored hash and the prefix kept in clear. */
export function newOwnerKey(): { key: string; keyHash: string; keyPrefix: string } {
  const key = `${OWNER_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, keyHash: ownerKeyHash(key), keyPrefix: key.slice(0, SHOWN_PREFIX_LENGTH) };
}

/** SHA-256 hex: the only form in which a key is stored. The key is random, so no salt or slow hash is needed. */
export function ownerKeyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function looksLikeOwnerKey(value: string): boolean {
  return OWNER_KEY_PATTERN.test(value);
}

/**
 * How long a lookup is remembered. Revocation must reach every API instance within 5 seconds; two
 * seconds of cache keeps a busy dashboard from costing a query per request while staying well inside.
 */
export const KEY_CACHE_TTL_MS = 2_000;
const KEY_CACHE_MAX_ENTRIES = 10_000;

/** Remembers recent lookups (found or not) by key hash for KEY_CACHE_TTL_MS. */
export class OwnerKeyCache {
  private readonly entries = new Map<string, { match: OwnerKeyMatch | null; expiresAt: number }>();

  constructor(
    private readonly owners: OwnerRepository,
    private readonly ttlMs = KEY_CACHE_TTL_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  async lookup(key: string): Promise<OwnerKeyMatch | null> {
    const keyHash = ownerKeyHash(key);
    const now = this.clock();
    const cached = this.entries.get(keyHash);
    if (cached !== undefined && cached.expiresAt > now) return cached.match;
    const match = (await this.owners.findActiveKey(keyHash)) ?? null;
    // Bounded: a flood of made-up keys must not grow memory; dropping everything only costs queries.
    if (this.entries.size >= KEY_CACHE_MAX_ENTRIES) this.entries.clear();
    this.entries.set(keyHash, { match, expiresAt: now + this.ttlMs });
    return match;
  }

  /** Forgets a key at once on the instance that revoked it; the others forget it within the TTL. */
  forgetOwner(ownerId: string): void {
    for (const [keyHash, entry] of this.entries) if (entry.match?.ownerId === ownerId) this.entries.delete(keyHash);
  }
}
