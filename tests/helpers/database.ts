// A fresh, migrated database for one test file:
//
//   let db: TestDatabase;
//   beforeAll(async () => { db = await createTestDatabase(); });
//   afterAll(() => db?.close());
//
// - TEST_DATABASE_URL set (CI): a new PostgreSQL database `t_<random>` on that server, copied from a
//   migrated template database (`CREATE DATABASE ... TEMPLATE`), dropped again by close(). The
//   template `colederma_tpl_<hash of the migrations>` is built once and reused by every worker and
//   every later run until the migrations change; its creation is serialized across vitest workers
//   with a PostgreSQL advisory lock.
// - otherwise: an in-memory PGlite. Starting PGlite and migrating it costs seconds, so a migrated
//   data directory is dumped once to the OS temp dir (`colederma-pglite-<hash>.tar`) and every
//   test file starts from a copy of it.
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { pgliteClient, postgresClient, type PrismaClient } from '../../src/db/client.js';
import { createPGlite } from '../../src/db/pglite.js';
import { applyPendingMigrations, defaultPaths, readMigrations } from '../../src/db/schema-engine.js';

export interface TestDatabase {
  prisma: PrismaClient;
  /** the PostgreSQL URL of this test database (TEST_DATABASE_URL mode only) */
  databaseUrl?: string;
  kind: 'postgres' | 'pglite';
  /** for the schema engine (drift checks) */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  close(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  return serverUrl ? createPostgresTestDatabase(serverUrl) : createPgliteTestDatabase();
}

/** sha256 over the migration directory names and files: names the template and the PGlite dump. */
export async function migrationsHash(): Promise<string> {
  const list = await readMigrations(defaultPaths.migrationsDir);
  const hash = createHash('sha256');
  for (const dir of list.migrationDirectories) {
    const { content } = dir.migrationFile;
    hash.update(`${dir.path}\0${content.tag === 'ok' ? content.value : ''}\0`);
  }
  return hash.digest('hex').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

const TEMPLATE_LOCK_KEY = 7_427_001; // pg_advisory_lock key guarding template creation

function urlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(serverUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Retries while PostgreSQL still counts a just-closed session on the source database. */
async function retryBusy<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

let templateName: Promise<string> | undefined;

function ensureTemplate(serverUrl: string): Promise<string> {
  templateName ??= (async () => {
    const name = `colederma_tpl_${await migrationsHash()}`;
    await withAdmin(serverUrl, async (admin) => {
      await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
      try {
        const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (found.rowCount) return;
        const building = `${name}_building`;
        await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
        await admin.query(`CREATE DATABASE "${building}"`);
        const factory = new PrismaPg({ connectionString: urlFor(serverUrl, building), max: 2 });
        await applyPendingMigrations(factory); // closes its connections when done
        await retryBusy(() => admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`));
        // Templates of other migration sets are kept: parallel checkouts (branches) may still use them.
      } finally {
        await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
      }
    });
    return name;
  })();
  templateName.catch(() => (templateName = undefined));
  return templateName;
}

async function createPostgresTestDatabase(serverUrl: string): Promise<TestDatabase> {
  const template = await ensureTemplate(serverUrl);
  const name = `t_${randomBytes(6).toString('hex')}`;
  await withAdmin(serverUrl, (admin) =>
    retryBusy(() => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`)),
  );
  const databaseUrl = urlFor(serverUrl, name);
  const { prisma, adapterFactory, close: disconnect } = postgresClient(databaseUrl, 5, 10_000);
  return {
    prisma,
    databaseUrl,
    kind: 'postgres',
    adapterFactory,
    close: async () => {
      await disconnect();
      await withAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// PGlite

const pgliteVersion = (
  JSON.parse(
    await readFile(
      path.join(path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')), '..', 'package.json'),
      'utf8',
    ),
  ) as { version: string }
).version;

async function migratedPgliteDump(): Promise<Blob> {
  const prefix = `colederma-pglite-${pgliteVersion}-`;
  const file = path.join(os.tmpdir(), `${prefix}${await migrationsHash()}.tar`);
  const cached = await readFile(file).catch(() => null);
  if (cached) return new Blob([cached]);

  const pglite = await createPGlite();
  try {
    await applyPendingMigrations(new PrismaPGlite(pglite));
    const dump = await pglite.dumpDataDir('none');
    const bytes = Buffer.from(await dump.arrayBuffer());
    // Written under a unique name, then renamed: parallel workers never read a partial file.
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(partial, bytes);
    await rename(partial, file);
    const others = (await readdir(os.tmpdir())).filter(
      (n) => n.startsWith('colederma-pglite-') && n.endsWith('.tar') && n !== path.basename(file),
    );
    await Promise.all(others.map((n) => rm(path.join(os.tmpdir(), n), { force: true })));
    return new Blob([bytes]);
  } finally {
    await pglite.close();
  }
}

async function createPgliteTestDatabase(): Promise<TestDatabase> {
  const pglite = await createPGlite(undefined, { loadDataDir: await migratedPgliteDump() });
  const { prisma, adapterFactory } = pgliteClient(pglite);
  return {
    prisma,
    kind: 'pglite',
    adapterFactory,
    close: async () => {
      await prisma.$disconnect();
      if (!pglite.closed) await pglite.close();
    },
  };
}
