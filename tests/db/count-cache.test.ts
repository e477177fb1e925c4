// Large list counts are reused for a few seconds (src/db/count-cache.ts): small counts stay exact,
// rows are always fresh, each scope and filter set has its own count, and a large count is
// counted again once its time is up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountCache } from '../../src/db/count-cache.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { patientOf } from '../commerce/fixtures.js';

/** a count the test answers by hand, to hold a count in flight */
function deferred() {
  let resolve!: (n: number) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<number>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('CountCache', () => {
  let clock = 0;
  const cache = (o: Partial<{ minRows: number; ttlMs: number; maxEntries: number }> = {}) =>
    new CountCache({ minRows: 100, ttlMs: 10_000, maxEntries: 10, now: () => clock, ...o });
  /** a count function that answers `n` and counts its calls */
  const counter = (n: number) => {
    const f = async () => ((f.calls += 1), n);
    f.calls = 0;
    return f;
  };

  it('counts a small figure every time', async () => {
    const c = cache();
    const f = counter(99);
    expect([await c.count('k', f), await c.count('k', f)]).toEqual([99, 99]);
    expect(f.calls).toBe(2);
    expect(c.size).toBe(0);
  });

  it('reuses a large figure until its time is up, then counts again', async () => {
    clock = 0;
    const c = cache();
    const first = counter(100);
    expect(await c.count('k', first)).toBe(100);
    clock = 9_999;
    const later = counter(150);
    expect(await c.count('k', later)).toBe(100);
    expect(later.calls).toBe(0);
    clock = 10_000;
    expect(await c.count('k', later)).toBe(150);
    expect(later.calls).toBe(1);
    // another key is counted on its own
    expect(await c.count('other', counter(120))).toBe(120);
  });

  it('gives the last figure to requests that arrive while one counts again, and counts once', async () => {
    clock = 0;
    const c = cache();
    await c.count('k', counter(500));
    clock = 20_000;
    const slow = deferred();
    let calls = 0;
    const refreshing = c.count('k', () => ((calls += 1), slow.promise));
    const meanwhile = await Promise.all([c.count('k', counter(1)), c.count('k', counter(2))]);
    expect(meanwhile).toEqual([500, 500]);
    slow.resolve(700);
    expect(await refreshing).toBe(700);
    expect(calls).toBe(1);
    expect(await c.count('k', counter(3))).toBe(700);
  });

  it('after a failed recount, the next request counts again', async () => {
    clock = 0;
    const c = cache();
    await c.count('k', counter(500));
    clock = 20_000;
    await expect(c.count('k', () => Promise.reject(new Error('connection lost')))).rejects.toThrow('connection lost');
    const f = counter(600);
    expect(await c.count('k', f)).toBe(600);
    expect(f.calls).toBe(1);
  });

  it('forgets a figure that fell under the threshold, and keeps at most maxEntries', async () => {
    clock = 0;
    const c = cache({ maxEntries: 2 });
    await c.count('k', counter(500));
    clock = 20_000;
    await c.count('k', counter(5));
    const f = counter(6);
    expect(await c.count('k', f)).toBe(6);
    expect(f.calls).toBe(1);
    for (const k of ['a', 'b', 'c']) await c.count(k, counter(200));
    expect(c.size).toBe(2);
    const a = counter(300);
    expect(await c.count('a', a)).toBe(300); // the oldest went first
    expect(a.calls).toBe(1);
  });

  it('counts every time with a time of 0, or a key too long to keep', async () => {
    const off = cache({ ttlMs: 0 });
    const f = counter(500);
    await off.count('k', f);
    await off.count('k', f);
    expect(f.calls).toBe(2);
    const c = cache();
    const g = counter(500);
    await c.count('x'.repeat(1001), g);
    await c.count('x'.repeat(1001), g);
    expect(g.calls).toBe(2);
  });
});

describe('large counts in lists and tables', () => {
  let t: TestApp;
  let staff: TestUser;
  beforeAll(async () => {
    // three rows make a count "large" here (5,000 by default)
    t = await createTestApp({ COUNT_CACHE_MIN_ROWS: '3', COUNT_CACHE_SECONDS: '10' });
    staff = await t.user(['ADMIN']);
  });
  afterAll(async () => t?.close());

  const category = (name: string) => t.app.db.menuCategory.create({ data: { menu_categories: name } });
  const table = (search: string) =>
    t.http.post('/menu_categories/table').set(t.auth(staff)).send({ draw: 1, start: 0, length: 100, 'search[value]': search });

  it('a DataTables count of many rows lags for at most its time; a small one and the rows never do', async () => {
    const realNow = t.app.now;
    const start = Date.now();
    t.app.now = () => new Date(start);
    try {
      for (const n of [1, 2, 3]) await category(`Acne care ${n}`);
      await category('Other');
      const first = await table('acne');
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ recordsTotal: 4, recordsFiltered: 3 });
      expect(first.body.data).toHaveLength(3);

      await category('Acne care 4');
      const lagging = await table('acne');
      // both counts were large: reused; the rows are read afresh
      expect(lagging.body).toMatchObject({ recordsTotal: 4, recordsFiltered: 3 });
      expect(lagging.body.data.map((r: unknown[]) => r[1])).toContain('Acne care 4');

      // a small count is always exact
      expect((await table('other')).body.recordsFiltered).toBe(1);
      await category('Other too');
      expect((await table('other')).body.recordsFiltered).toBe(2);

      // the paged explore shares the rule
      const explore = () => t.http.post('/menu_categories/explore?page=1&length=2').send({ menu_categories: 'acne' });
      expect((await explore()).body.totaldata).toBe(4);
      await category('Acne care 5');
      expect((await explore()).body.totaldata).toBe(4);

      t.app.now = () => new Date(start + 10_000);
      const fresh = await table('acne');
      expect(fresh.body).toMatchObject({ recordsTotal: 7, recordsFiltered: 5 });
      expect((await explore()).body.totaldata).toBe(5);
    } finally {
      t.app.now = realNow;
    }
  });

  it("a customer's count is their own, not another's that was counted before", async () => {
    const [a, b] = [await t.user(), await t.user()];
    for (let i = 0; i < 3; i += 1) await patientOf(t, a);
    await patientOf(t, b);
    const count = (u: TestUser) => t.http.post('/patients/explore?page=1&length=10').set(t.auth(u)).send({});
    expect((await count(a)).body.totaldata).toBe(3);
    const theirs = await count(b);
    expect(theirs.body.totaldata).toBe(1);
    expect(theirs.body.data).toHaveLength(1);
  });
});
