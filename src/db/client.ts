// The database connection: PostgreSQL through @prisma/adapter-pg when a URL is given, otherwise an
// embedded PGlite (Postgres compiled to WASM, in process) persisted on disk or in memory.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client.js';
import type { PGlite } from '@electric-sql/pglite';
import { createPGlite } from './pglite.js';

export { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { Prisma as PrismaTypes } from '../generated/prisma/client.js';

/**
 * What a change's transaction runs last, before it commits: a staff change's audit entry
 * (RequestContext.auditChange), so that the two commit or roll back together.
 */
export type BeforeCommit = (tx: Tx) => Promise<void>;
/** the client a transaction's callback is given (`db.$transaction(async (tx) => …)`) */
export type Tx = PrismaTypes.TransactionClient;
/** the client or a transaction's, for what runs either way */
export type Db = PrismaClient | Tx;

const DEFAULT_PGLITE_DIR = './data/pglite';
const MEMORY = 'memory://';

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
  /** told when the server drops an idle pooled connection (restart, failover); default: ignored */
  onIdleConnectionError?: (err: Error) => void;
  /** keep recurring statements prepared per connection (default true; see statementName) */
  preparedStatements?: boolean;
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
    const { prisma, adapterFactory, close } = postgresClient(opts.databaseUrl, opts.poolMax ?? 10, opts.connectionTimeoutMillis ?? 10_000, opts.onIdleConnectionError, opts.preparedStatements ?? true);
    return { prisma, adapterFactory, kind: 'postgres', close };
  }

  const dataDir = opts.dataDir ?? DEFAULT_PGLITE_DIR;
  const inMemory = dataDir === MEMORY;
  if (!inMemory) await mkdir(path.dirname(path.resolve(dataDir)), { recursive: true });
  const pglite = await createPGlite(inMemory ? undefined : dataDir);
  const { prisma, adapterFactory } = pgliteClient(pglite);
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

/** A PrismaClient on a PGlite instance (the server and the tests use it); the instance stays reachable by `databaseOf`. */
export function pgliteClient(pglite: PGlite) {
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = new PrismaClient({ adapter: adapterFactory, errorFormat: ERROR_FORMAT });
  connections.set(prisma, { kind: 'pglite', pglite });
  return { prisma, adapterFactory };
}

/** What a client made here talks to, for a connection of one's own (db/table-changes.ts listens on it). */
export type DatabaseConnection = { kind: 'postgres'; connectionString: string } | { kind: 'pglite'; pglite: PGlite };
const connections = new WeakMap<object, DatabaseConnection>();
export const databaseOf = (prisma: object): DatabaseConnection | undefined => connections.get(prisma);

// ---------------------------------------------------------------- plain SQL on the hot paths
//
// Every Prisma call costs ≈0.4–1 ms of Node CPU on top of the query itself (argument
// serialisation, query-plan cache lookup, plan interpretation, result mapping), measured against
// the same statement through `pg`. On a request path that runs on every call (authentication) or on
// the busiest lists, that is most of the request's CPU. `sqlRows` sends one parameterised
// statement straight through the pg pool Prisma itself uses; where there is no such pool (PGlite,
// a transaction client, a client made elsewhere) it is the same statement through `$queryRawUnsafe`.
// Write the SQL so both answer alike: cast counts to int (`count(*)::int`), and only select
// columns whose pg and Prisma values agree (int, text, boolean, timestamptz, json).

const pools = new WeakMap<object, { pool: pg.Pool; preparedStatements: boolean }>();

/**
 * Run on each new connection before the pool hands it out (pg-pool's `onConnect`).
 * TimeZone=UTC: Prisma's pg adapter writes a timestamptz as UTC wall time without an offset and
 * reads one by dropping its offset, which is right only in a UTC session. A server, database or
 * role whose `timezone` is another (Asia/Jakarta, as Indonesian hosts often set it) stored every
 * instant written through Prisma shifted by its offset, which Prisma read back unshifted but the
 * plain statements (sqlRows, reports, now()) did not: product pages showed promotion windows 7
 * hours off and reports cut days at the wrong time. Sent first, and its failure is the
 * connection's: the app must not run on a session that shifts what it writes.
 * jit=off: the
 * app's statements run for milliseconds, and PostgreSQL's JIT, which starts once a plan's estimated
 * cost passes jit_above_cost (100,000), compiled for 15–330 ms before statements that then ran for
 * 10–150 ms (a doctor's patients count, a report filtered by product: docs/performance.md, round 17);
 * estimates of correlated EXISTS (Prisma's relation filters) pass that cost easily. A SET, not the
 * `options` startup parameter, which PgBouncer and other poolers refuse. A server without the
 * setting keeps its default.
 */
async function sessionSettings(client: pg.ClientBase) {
  await client.query("SET TimeZone = 'UTC'");
  await client.query('SET jit = off').catch(() => undefined);
}

/** A PostgreSQL PrismaClient whose pg pool is also reachable by `sqlRows` (the server and the tests use it). */
export function postgresClient(
  databaseUrl: string,
  max: number,
  connectionTimeoutMillis: number,
  onIdleConnectionError?: (err: Error) => void,
  preparedStatements = true,
) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis, idleTimeoutMillis: 30_000, onConnect: sessionSettings });
  // pg emits 'error' on the pool when the server ends an idle connection (restart, failover, a
  // dropped test database); unheard, that event would crash the process. The pool replaces the
  // connection on the next query.
  pool.on('error', (err) => onIdleConnectionError?.(err));
  if (preparedStatements) {
    pool.on('connect', (client) => forgottenAtConnect.set(client, namesForgotten));
    pool.on('release', (_err, client) => retireStale(client));
  }
  // Prisma's statements are kept prepared too once they recur (statementName), except pattern
  // searches, whose best plan depends on the pattern. The pool outlives the client's adapter, so
  // it is ended here, by close().
  const statementNameGenerator = (query: { sql: string }) => (/\bI?LIKE\b/i.test(query.sql) ? undefined : statementName(query.sql));
  const adapterOptions = preparedStatements ? { statementNameGenerator: statementNameGenerator as (q: { sql: string }) => string } : {};
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, adapterOptions), errorFormat: ERROR_FORMAT });
  // The schema engine gets a factory of its own: one connection, closed when it is done. It holds
  // a session advisory lock while migrating; through the shared pool that lock stayed on a pooled
  // connection after start-up, and every other process migrating this database (a second server,
  // `npm run db:migrate`) then waited for it and failed.
  const adapterFactory = new PrismaPg({ connectionString: databaseUrl, max: 1, connectionTimeoutMillis });
  pools.set(prisma, { pool, preparedStatements });
  connections.set(prisma, { kind: 'postgres', connectionString: databaseUrl });
  const close = async () => {
    await prisma.$disconnect();
    await pool.end();
  };
  return { prisma, adapterFactory, close };
}

/** the texts named so far, least recently used first (a Map keeps insertion order; a use re-inserts) */
const statementNames = new Map<string, string>();
const sightings = new Set<string>();
/** how many statement texts are kept prepared (each prepared on every pooled connection that runs it) */
const MAX_PREPARED = 300;
let namesGiven = 0;
/** names forgotten so far (each may still be prepared on connections that ran it: retireStale) */
let namesForgotten = 0;
/**
 * A stable name for a statement's text once it recurs, so that each pooled connection prepares it
 * once and then only binds and executes it (what JDBC's prepareThreshold does): PostgreSQL parses
 * and plans an unnamed statement on every run, which for the hot lists' joins and Prisma's large
 * joined statements costs more than running them (≈0.5–0.9 ms against ≈0.1–0.3 ms). After five
 * runs PostgreSQL keeps one generic plan if it costs about the same as the ones made for the
 * values; a LIMIT or OFFSET parameter defeats that (the generic plan assumes a tenth of the rows),
 * so the hand-written statements write their page as literals (pageClause). A text is named on its
 * second run (start-up and other one-off statements take no slot). At most MAX_PREPARED texts keep
 * a name, the least recently used giving theirs up: page offsets and filters make new texts all
 * day, and a fixed set of the first ones would leave the statements in use later unprepared.
 */
function statementName(text: string): string | undefined {
  const name = statementNames.get(text);
  if (name) {
    statementNames.delete(text);
    statementNames.set(text, name);
    return name;
  }
  if (!sightings.has(text)) {
    if (sightings.size >= 10_000) sightings.clear();
    sightings.add(text);
    return undefined;
  }
  sightings.delete(text);
  if (statementNames.size >= MAX_PREPARED) {
    statementNames.delete(statementNames.keys().next().value!);
    namesForgotten += 1;
  }
  // never a forgotten one's name again: a connection may still hold it for its old text
  const named = `colederma_${++namesGiven}`;
  statementNames.set(text, named);
  return named;
}

const forgottenAtConnect = new WeakMap<object, number>();
/**
 * On a connection's return to the pool: once more names have been forgotten since it connected than
 * are kept, it is closed (the pool then opens a new one when needed), and with it go the statements
 * it prepared under names no longer used; so a connection holds at most about twice MAX_PREPARED.
 * Closed, not sent DEALLOCATE ALL: the pool may hand it to a waiting caller at once, and pg refuses
 * (deprecates) a query sent while another runs. Ending a client makes the pool remove it on release.
 */
function retireStale(client: pg.PoolClient) {
  const since = forgottenAtConnect.get(client) ?? namesForgotten;
  if (namesForgotten - since > MAX_PREPARED) void client.end().catch(() => undefined);
}

/** `OFFSET n LIMIT m` as literals, for prepared statements (see statementName); both validated integers. */
export function pageClause(skip: number, take: number): string {
  if (!Number.isSafeInteger(skip) || skip < 0 || !Number.isSafeInteger(take) || take < 0) throw new RangeError(`bad page ${skip}/${take}`);
  return `OFFSET ${skip} LIMIT ${take}`;
}

/**
 * Runs one parameterised statement ($1, $2, …) and returns its rows (see the note above).
 * `prepared`: keep it prepared on each connection (for statements whose plan does not depend on
 * the values, such as lookups by id; not for pattern searches, where a plan made for one pattern
 * can be bad for another).
 */
export async function sqlRows<T>(db: object, text: string, values: unknown[] = [], opts: { prepared?: boolean } = {}): Promise<T[]> {
  const entry = pools.get(db);
  if (entry) {
    const name = opts.prepared && entry.preparedStatements ? statementName(text) : undefined;
    return (await entry.pool.query(name ? { name, text, values } : { text, values })).rows as T[];
  }
  return (db as PrismaClient).$queryRawUnsafe<T[]>(text, ...values);
}
