// Hears PostgreSQL's `table_changes` notifications (sent after each commit that changed a watched
// table: the triggers of the *_change_notify migrations) and tells the read caches
// (db/read-cache.ts: the answers', the callers' accounts') which table, or which user's account,
// changed. On PostgreSQL it keeps a connection of its own, outside the pool, since a listening
// session must stay open; when that connection is lost the caches are turned off until it is back
// (changes made meanwhile would go unheard), and it reconnects with a growing pause. PGlite runs in
// this process: it calls back as the committing statement returns.
import type { Logger } from 'pino';
import pg from 'pg';
import type { ChangeFeed, ReadCache } from './read-cache.js';
import { databaseOf } from './client.js';

const TABLE_CHANGES_CHANNEL = 'table_changes';
/** how the listening session is named in pg_stat_activity */
export const LISTENER_APPLICATION_NAME = 'colederma-table-changes';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

export interface WatchOptions {
  /** how long the listening connection may take to answer before it counts as lost (default 5 s) */
  queryTimeoutMs?: number;
}

/** Starts listening for the caches; the returned function stops (the server's and tests' shutdown). */
export async function watchTableChanges(db: object, caches: ReadCache | ReadCache[], logger: Logger, opts: WatchOptions = {}): Promise<() => Promise<void>> {
  const cache = fanOut(Array.isArray(caches) ? caches : [caches]);
  const target = databaseOf(db);
  if (!target) {
    logger.warn('the read cache stays off: the database client was not made by db/client.ts');
    return async () => {};
  }
  if (target.kind === 'pglite') {
    const unlisten = await target.pglite.listen(TABLE_CHANGES_CHANNEL, (table) => cache.changed(table));
    // PGlite delivers a change before its commit's statement returns: nothing to wait for
    cache.attach({ caughtUp: async () => {} });
    return async () => {
      cache.detach();
      if (!target.pglite.closed) await unlisten();
    };
  }
  return listenOnPostgres(target.connectionString, cache, logger, opts.queryTimeoutMs ?? 5_000);
}

/** The caches that one listener feeds, told the same things. */
type Listening = Pick<ReadCache, 'changed' | 'attach' | 'detach'>;
function fanOut(caches: ReadCache[]): Listening {
  return {
    changed: (source) => caches.forEach((c) => c.changed(source)),
    attach: (feed) => caches.forEach((c) => c.attach(feed)),
    detach: () => caches.forEach((c) => c.detach()),
  };
}

async function listenOnPostgres(connectionString: string, cache: Listening, logger: Logger, queryTimeoutMs: number) {
  let client: pg.Client | undefined;
  let stopped = false;
  let retryMs = RETRY_MIN_MS;
  let retry: NodeJS.Timeout | undefined;

  const lost = (c: pg.Client, err?: Error) => {
    if (client !== c) return; // already handled
    client = undefined;
    cache.detach();
    c.end().catch(() => {});
    if (stopped) return;
    logger.warn({ err }, `the read cache is off: listening for table changes failed; retrying in ${retryMs} ms`);
    retry = setTimeout(connect, retryMs);
    retry.unref();
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };

  async function connect() {
    // time limits: a connection that stops answering must not hold up start-up or a write
    // request's settle(); it counts as lost (the cache turns off) and is replaced
    const c = new pg.Client({
      connectionString,
      application_name: LISTENER_APPLICATION_NAME,
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
      query_timeout: queryTimeoutMs,
    });
    client = c;
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c));
    c.on('notification', (msg) => {
      if (msg.channel === TABLE_CHANGES_CHANNEL && msg.payload) cache.changed(msg.payload);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${TABLE_CHANGES_CHANNEL}`);
    } catch (err) {
      lost(c, err as Error);
      return;
    }
    if (stopped || client !== c) return;
    retryMs = RETRY_MIN_MS;
    cache.attach(caughtUpOn(c, (err) => lost(c, err)));
    logger.debug('listening for table changes: the read cache is on');
  }

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const c = client;
    client = undefined;
    cache.detach();
    await c?.end().catch(() => {});
  };
}

/**
 * PostgreSQL sends a session its pending notifications before it answers a statement, so once a
 * statement on the listening connection returns, every change committed before it was sent has been
 * heard. Requests waiting at the same time share a round trip, as long as it was sent after they
 * asked.
 */
function caughtUpOn(c: pg.Client, fail: (err: Error) => void): ChangeFeed {
  let next: Promise<void> | undefined;
  let sending: Promise<void> | undefined;
  const send = () =>
    c.query('SELECT 1').then(
      () => {},
      (err: Error) => fail(err), // the cache is detached: whoever waits may go on
    );
  return {
    caughtUp() {
      if (next) return next; // not sent yet: it will be sent after this call
      const after = sending ?? Promise.resolve();
      next = after.then(() => {
        next = undefined;
        return (sending = send().finally(() => (sending = undefined)));
      });
      return next;
    },
  };
}
