// The database connection: PostgreSQL through @prisma/adapter-pg when a URL is given, otherwise an
// embedded PGlite (Postgres compiled to WASM, in process) persisted on disk or in memory.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client.js';
import { createPGlite } from './pglite.js';

export { Prisma, PrismaClient } from '../generated/prisma/client.js';

export const DEFAULT_PGLITE_DIR = './data/pglite';
export const MEMORY = 'memory://';

/**
 * 'minimal' in every environment: with 'colorless' or 'pretty' (Prisma's default outside
 * NODE_ENV=production) the client captures a stack trace (`new Error()`) on every query to point
 * its messages at the caller's line. Prisma errors never reach a client (errors.ts maps them), so
 * that cost bought nothing but a longer log line.
 */
const ERROR_FORMAT = 'minimal' as const;

export interface DatabaseOptions {
  /** PostgreSQL connection string; when absent, PGlite is used */
  databaseUrl?: string;
  /** PGlite data directory (default ./data/pglite); 'memory://' for an in-memory database */
  dataDir?: string;
  /** PostgreSQL pool size (default 10) */
  poolMax?: number;
  /** how long a query waits for a free pooled connection before failing (default 10 s) */
  connectionTimeoutMillis?: number;
}

export interface Database {
  prisma: PrismaClient;
  /** the driver adapter factory, for the schema engine (src/db/schema-engine.ts) */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

export async function createDatabase(opts: DatabaseOptions = {}): Promise<Database> {
  if (opts.databaseUrl) {
    const adapterFactory = new PrismaPg({
      connectionString: opts.databaseUrl,
      max: opts.poolMax ?? 10,
      connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 10_000,
      idleTimeoutMillis: 30_000,
    });
    const prisma = new PrismaClient({ adapter: adapterFactory, errorFormat: ERROR_FORMAT });
    return { prisma, adapterFactory, kind: 'postgres', close: () => prisma.$disconnect() };
  }

  const dataDir = opts.dataDir ?? DEFAULT_PGLITE_DIR;
  const inMemory = dataDir === MEMORY;
  if (!inMemory) await mkdir(path.dirname(path.resolve(dataDir)), { recursive: true });
  const pglite = await createPGlite(inMemory ? undefined : dataDir);
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = new PrismaClient({ adapter: adapterFactory, errorFormat: ERROR_FORMAT });
  return {
    prisma,
    adapterFactory,
    kind: 'pglite',
    close: async () => {
      await prisma.$disconnect();
      if (!pglite.closed) await pglite.close();
    },
  };
}
