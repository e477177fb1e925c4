// The migration history (prisma/migrations) must produce exactly the schema of prisma/schema/*.prisma,
// and applying it must record `_prisma_migrations` rows as `prisma migrate deploy` does.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
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

  // docs/data-model.md: every foreign-key column is indexed. Without an index whose leading columns
  // are the key's, each delete or key change of the referenced row scans the referencing table (the
  // key's check), and every list filtering or joining on the column scans it too.
  it('index every foreign key (its columns lead some index)', async () => {
    const unindexed = await db.prisma.$queryRaw<{ tbl: string; name: string }[]>`
      SELECT c.conrelid::regclass::text AS tbl, c.conname AS name
      FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE c.contype = 'f' AND n.nspname = 'public'
        AND NOT EXISTS (
          SELECT 1 FROM pg_index i
          WHERE i.indrelid = c.conrelid
            AND (SELECT array_agg(k ORDER BY k) FROM unnest((i.indkey::int2[])[0:cardinality(c.conkey) - 1]) k)
              = (SELECT array_agg(k ORDER BY k) FROM unnest(c.conkey) k))
      ORDER BY 1, 2`;
    expect(unindexed, 'add @@index([<fk columns>, ...]) to the model, then npm run db:migration').toEqual([]);
    // not vacuous: the catalogue holds as many foreign keys as the schema declares relations with fields
    const [{ n }] = await db.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_constraint c JOIN pg_namespace s ON s.oid = c.connamespace
      WHERE c.contype = 'f' AND s.nspname = 'public'`;
    const schemaDir = path.join(path.dirname(defaultPaths.migrationsDir), 'schema');
    const declared = readdirSync(schemaDir)
      .filter((f) => f.endsWith('.prisma'))
      .reduce((sum, f) => sum + (readFileSync(path.join(schemaDir, f), 'utf8').match(/@relation\([^)]*fields:/g)?.length ?? 0), 0);
    expect(declared).toBeGreaterThan(50);
    expect(n).toBe(declared);
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
