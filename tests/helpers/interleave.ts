import { expect, vi } from 'vitest';
import type { TestApp } from './app.js';

// Deterministic interleavings of a request with a concurrent change, for the race tests that run on
// PostgreSQL (TEST_DATABASE_URL): PGlite runs one statement at a time and never waits for a lock.

type Db = TestApp['app']['db'];
type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** Waits until `atLeast` statements of this database wait for a lock; false after 5 s. */
export function someoneWaits(db: Db, atLeast = 1): Promise<boolean> {
  return vi
    .waitFor(
      async () => {
        const [row] = await db.$queryRawUnsafe<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        expect(row!.n).toBeGreaterThanOrEqual(atLeast);
      },
      { timeout: 5_000, interval: 50 },
    )
    .then(
      () => true,
      () => false,
    );
}

/**
 * Runs `hold` in a transaction kept open until `request` waits for a lock (or 5 s: a request that
 * does not wait has decided on the rows as they were), then `meanwhile` inside that transaction,
 * then commits; answers what the request answered. `waiters`: how many statements must wait first.
 */
export async function whileHolding<T>(
  db: Db,
  hold: (tx: Tx) => Promise<unknown>,
  request: () => Promise<T>,
  meanwhile?: (tx: Tx) => Promise<unknown>,
  waiters = 1,
): Promise<T> {
  let commit!: () => void;
  let holding!: () => void;
  const held = new Promise<void>((r) => (commit = r));
  const isHolding = new Promise<void>((r) => (holding = r));
  const holder = db.$transaction(
    async (tx) => {
      await hold(tx);
      holding();
      await held;
      await meanwhile?.(tx);
    },
    { timeout: 20_000 },
  );
  await isHolding;
  // started now (supertest sends a request when it is awaited or then-ed)
  const res = (async () => await request())();
  await someoneWaits(db, waiters);
  commit();
  await holder;
  return res;
}

/**
 * A double submit made deterministic: `hold` locks the row the request needs, the same request is
 * sent twice, and the lock is let go once both wait for it (or after 5 s); answers both answers.
 */
export const twiceWhileHolding = <T>(db: Db, hold: (tx: Tx) => Promise<unknown>, request: () => Promise<T>): Promise<[T, T]> =>
  whileHolding(db, hold, () => Promise.all([(async () => await request())(), (async () => await request())()]), undefined, 2);
