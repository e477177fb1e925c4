// The migration history (prisma/migrations) must produce exactly the schema of prisma/schema/*.prisma,
// and applying it must record `_prisma_migrations` rows as `prisma migrate deploy` does.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPendingMigrations, defaultPaths, diffMigrationsAgainstSchema, readMigrations } from '../src/db/schema-engine.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';

const migrations = (await readMigrations(defaultPaths.migrationsDir)).migrationDirectories;

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.close());

  it('agree with the Prisma schema (no drift)', async () => {
    const sql = await diffMigrationsAgainstSchema(db.adapterFactory);
    expect(
      sql,
      'prisma/schema/*.prisma differs from prisma/migrations: run `npm run db:migration -- <name>` ' +
        'and commit the new migration (never edit an applied migration)',
    ).toBe('');
  });

  it.skipIf(migrations.length === 0)('are recorded in _prisma_migrations like prisma migrate deploy', async () => {
    const rows = await db.prisma.$queryRaw<
      { migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null; applied_steps_count: number; logs: string | null }[]
    >`SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, logs
        FROM _prisma_migrations ORDER BY migration_name`;
    expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.path));
    for (const [i, m] of migrations.entries()) {
      const content = m.migrationFile.content;
      if (content.tag !== 'ok') throw new Error(`${m.path}: ${content.value}`);
      const row = rows[i]!;
      expect(row.checksum).toBe(createHash('sha256').update(content.value).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.logs).toBeNull();
    }
  });

  // Every server applies pending migrations at start-up under the schema engine's session advisory
  // lock. A lock left on one of the app's pooled connections made a second server (or
  // `npm run db:migrate`) wait for it and fail. (PostgreSQL only: embedded PGlite is one session
  // of one process, where the engine's lock is re-entrant and nobody else can wait for it.)
  it.skipIf(!process.env.TEST_DATABASE_URL)('leave no lock behind once applied', async () => {
    expect(await applyPendingMigrations(db.adapterFactory)).toEqual([]);
    // the app goes on using its pool, as a server does after start-up
    await Promise.all(Array.from({ length: 8 }, () => db.prisma.$queryRaw`SELECT 1`));
    const locks = await db.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND d.datname = current_database()`;
    expect(locks[0]!.n).toBe(0);
  });
});
