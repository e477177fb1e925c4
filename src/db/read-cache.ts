/**
 * Answers of the busiest public reads (the shop's product lists and product page), kept until a
 * table they read changes. PostgreSQL tells every server which table changed after each commit
 * (the `table_changes` notifications of the triggers in the *_table_change_notify migration, heard
 * by db/table-changes.ts), so an answer is never older than the last change the server heard of,
 * however it was made: through this API, another server, a script or psql.
 *
 * - A cached answer names the tables it read; a change to any of them retires it (a stamp of their
 *   versions is kept with the answer and compared on every lookup).
 * - An answer computed while one of its tables changed is not kept: its snapshot may predate it.
 * - Until the server listens (start-up, and whenever the listening connection is lost) nothing is
 *   cached: every lookup computes. Listening again starts from an empty cache, as changes may have
 *   been missed meanwhile.
 * - A change is heard a moment after its commit. So that a client sees its own change at once, a
 *   request that changed something waits, before it answers, until the server has heard every
 *   change committed so far (`settle`, called by register.ts after a write).
 * - Answers that depend on the time (a promotion's price starts or ends) say until when they hold
 *   (`validUntil`), and no answer is kept longer than `ttlMs`, as a safety net.
 * - Concurrent lookups of the same missing answer share one computation.
 */
export interface ReadCacheOptions {
  /** how long an answer is kept at most; 0 turns the cache off */
  ttlMs: number;
  /** answers kept at most (the least recently used goes first) */
  maxEntries: number;
  /** the current time in ms (the app's clock, which tests may pin) */
  now: () => number;
}

export interface Computed<T> {
  value: T;
  /** when the answer stops holding (ms), whatever changes; undefined: only changes retire it */
  validUntil?: number;
}

/** What tells the cache about changes (db/table-changes.ts). */
export interface ChangeFeed {
  /** resolves once every change committed before the call has been heard */
  caughtUp(): Promise<void>;
}

interface Entry {
  value: unknown;
  stamp: string;
  /** the time the answer was computed at: a clock set back before it cannot use it */
  from: number;
  until: number;
}

/** Keys longer than this are never stored (such a search is rarely asked twice). */
const MAX_KEY_LENGTH = 1000;
/**
 * Sources with a version kept at most: one per table, and one per row for rows cached one by one
 * (`user_auth:<id>`, the callers' accounts). Past it every version is forgotten, with every answer.
 */
const MAX_VERSIONS = 50_000;

export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly computing = new Map<string, Promise<unknown>>();
  private readonly versions = new Map<string, number>();
  /** bumped whenever the cache is emptied, so that computations begun before are not kept */
  private epoch = 0;
  private feed: ChangeFeed | undefined;

  constructor(private readonly opts: ReadCacheOptions) {}

  /** the feed listens: start caching, from empty */
  attach(feed: ChangeFeed) {
    this.clear();
    this.feed = feed;
  }

  /** the feed stopped listening (or failed): stop caching; nothing kept can be trusted */
  detach() {
    this.feed = undefined;
    this.clear();
  }

  get live() {
    return this.feed !== undefined && this.opts.ttlMs > 0;
  }

  /**
   * A table, or one row of it, changed (a notification: `menus`, `user_auth:12`); answers that read
   * it are retired.
   */
  changed(source: string) {
    this.versions.set(source, (this.versions.get(source) ?? 0) + 1);
    if (this.versions.size > MAX_VERSIONS) {
      // emptied with the answers: a stamp made of forgotten versions could match again
      this.versions.clear();
      this.clear();
    }
  }

  /**
   * Waits until every change committed before the call has been heard, when anything is cached or
   * being computed (a write request calls this before answering: see the class comment).
   */
  async settle(): Promise<void> {
    if (this.feed && (this.entries.size > 0 || this.computing.size > 0)) await this.feed.caughtUp();
  }

  /**
   * The answer under `key`, computed by `compute` unless a current one is kept. `tables`: every
   * source it read (a table, or `<source>:<id>` for one row that its own notifications name).
   */
  async get<T>(key: string, tables: readonly string[], compute: () => Promise<Computed<T>>): Promise<T> {
    if (!this.live || key.length > MAX_KEY_LENGTH) return (await compute()).value;
    const stamp = this.stamp(tables);
    const now = this.opts.now();
    const hit = this.entries.get(key);
    if (hit && hit.stamp === stamp && hit.from <= now && now < hit.until) {
      // most recently used last: the first entry is the one to evict
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value as T;
    }
    const flightKey = `${stamp}\0${key}`;
    const inFlight = this.computing.get(flightKey);
    if (inFlight) return inFlight as Promise<T>;
    const epoch = this.epoch;
    const run = compute().then(({ value, validUntil }) => {
      // kept only if no table it read changed meanwhile and the cache was not emptied
      if (this.live && this.epoch === epoch && this.stamp(tables) === stamp) {
        const until = Math.min(now + this.opts.ttlMs, validUntil ?? Infinity);
        this.entries.delete(key);
        if (until > now) {
          this.entries.set(key, { value, stamp, from: now, until });
          if (this.entries.size > this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
        }
      }
      return value;
    });
    this.computing.set(flightKey, run);
    // a failure is not kept: the next lookup computes again
    void run.then(
      () => this.computing.delete(flightKey),
      () => this.computing.delete(flightKey),
    );
    return run;
  }

  /** answers kept now (tests) */
  get size() {
    return this.entries.size;
  }

  private clear() {
    this.entries.clear();
    this.computing.clear();
    this.epoch += 1;
  }

  private stamp(tables: readonly string[]) {
    let stamp = '';
    for (const t of tables) stamp += `${this.versions.get(t) ?? 0}.`;
    return stamp;
  }
}

/** The earliest of `times` after `now` (ms), if any: when a time-dependent answer stops holding. */
export function nextChange(now: number, times: Iterable<Date | null | undefined>): number | undefined {
  let next: number | undefined;
  for (const t of times) {
    const ms = t?.getTime();
    if (ms !== undefined && ms > now && (next === undefined || ms < next)) next = ms;
  }
  return next;
}
