/**
 * Large counts, remembered briefly. A list's page costs the same however large the table is, but
 * its exact count makes PostgreSQL visit every matching row (≈50 ms for the 25,000 of 200,000
 * orders that a common name matches), and DataTables and the app's paging ask for it with every
 * page. So a count under `minRows` is always counted afresh, and a count at or above it is reused
 * for `ttlMs`: per key, which the caller builds from everything that decides the count (the
 * resource, the caller's scope and the filters). The first request after that counts again while
 * requests arriving meanwhile keep the last figure, so a large count lags the rows by at most
 * `ttlMs` plus one count. Rows are never cached.
 */
export interface CountCacheOptions {
  /** counts below this are never reused */
  minRows: number;
  /** how long a large count is reused; 0 turns the cache off */
  ttlMs: number;
  /** entries kept at most (the oldest goes first) */
  maxEntries: number;
  /** the current time in ms (the app's clock, which tests may pin) */
  now: () => number;
}

interface Entry {
  n: number;
  /** when the count started: its figure is at least that old */
  at: number;
  refreshing: boolean;
}

/** Keys longer than this are never stored (a search that long matches few rows anyway). */
const MAX_KEY_LENGTH = 1000;

export class CountCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: CountCacheOptions) {}

  async count(key: string, countNow: () => Promise<number>): Promise<number> {
    const { minRows, ttlMs, maxEntries, now } = this.opts;
    if (ttlMs <= 0 || key.length > MAX_KEY_LENGTH) return countNow();
    const hit = this.entries.get(key);
    const started = now();
    if (hit && (started - hit.at < ttlMs || hit.refreshing)) return hit.n;
    if (hit) hit.refreshing = true;
    let n: number;
    try {
      n = await countNow();
    } finally {
      // a failed count leaves the old entry expired, so the next request counts again
      if (hit) hit.refreshing = false;
    }
    this.entries.delete(key);
    if (n >= minRows) {
      this.entries.set(key, { n, at: started, refreshing: false });
      if (this.entries.size > maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    }
    return n;
  }

  /** entries held now (tests) */
  get size() {
    return this.entries.size;
  }
}
