import { expect, vi } from 'vitest';
import type { TestApp } from './app.js';

// Deterministic interleavings of a request with a concurrent change, for the race tests that run on
// PostgreSQL (TEST_DATABASE_URL): PGlite runs one statement at a time and never waits for a lock.

type Db = TestApp['app']['db'];
type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** Waits until some statement of this database waits for a lock; false after 5 s. */
export function someoneWaits(db: Db): Promise<boolean> {
  return vi
    .waitFor(
      async () => {
        const [row] = await db.$queryRawUnsafe<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        expect(row!.n).toBeGreaterThan(0);
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
 * then commits; answers what the request answered.
 */
export async function whileHolding<T>(db: Db, hold: (tx: Tx) => Promise<unknown>, request: () => Promise<T>, meanwhile?: (tx: Tx) => Promise<unknown>): Promise<T> {
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
  await someoneWaits(db);
  commit();
  await holder;
  return res;
}
