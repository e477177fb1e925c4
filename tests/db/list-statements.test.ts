import pg from 'pg';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { fillListWorld, LIST_ROUTE, listCases, rowsOf, type Caller, type Case } from '../helpers/list-world.js';
import { endpoints } from '../security/route-table.js';

// "Lists make a constant number of queries" (docs/architecture.md): the statements one list
// request sends to PostgreSQL do not grow with the rows it returns. Every list endpoint is asked,
// after a warm-up, for one row and then for all of them, by each caller it is scoped to, with every
// statement counted at pg's Client.query (as docs/performance.md measured); the answer with all
// rows may not cost more statements than the one with one row.
//
// PostgreSQL only: the statements counted are the pg pool's (PGlite has none). The routes and the
// data are tests/helpers/list-world.ts's (the bench's seed at a tiny scale plus the demo data).

/** Statements that are not the list's work: transaction control and session settings. */
const CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET|DEALLOCATE)\b/i;

let counting: string[] | null = null;
const clientQuery = pg.Client.prototype.query;

function startCounting() {
  // Only the app's pooled connections (they carry pg-pool's `release`), not the table-change
  // listener's connection of its own. The test app runs no background jobs (only src/server.ts
  // starts them), so the pool's statements while a request is in flight are that request's.
  (pg.Client.prototype as any).query = function (this: { release?: unknown }, ...args: any[]) {
    const text: unknown = typeof args[0] === 'string' ? args[0] : args[0]?.text;
    if (counting && typeof this.release === 'function' && typeof text === 'string' && !CONTROL.test(text)) counting.push(text);
    return (clientQuery as any).apply(this, args);
  };
}

/** The request for one row or for all of them; `narrow`: a filter naming about one row, for lists without a page size. */
function request(c: Case, n: 'one' | 'all', narrow: Record<string, unknown>) {
  const base = c.body ?? {};
  switch (c.shape) {
    case 'explore':
      return { query: `?page=1&length=${n === 'one' ? 1 : 100}`, body: base };
    case 'search':
      return { query: '', body: { ...base, limit: n === 'one' ? 1 : 100 } };
    case 'table':
      return { query: '', body: { ...base, draw: 1, start: 0, length: n === 'one' ? 1 : -1 } };
    case 'items':
      return { query: '', body: { ...base, limit: n === 'one' ? 1 : 50 } };
    default:
      return { query: '', body: n === 'one' ? { ...base, ...narrow } : base };
  }
}

/** Routes that list something but are not asked here, with the reason. */
const NOT_COVERED: Record<string, string> = {
  '/report/penjualan/stats': 'one row of totals (one aggregate statement), no rows to page',
  '/dashboard/total/pendapatan': 'one row per month of the year so far from one grouped statement; no page size or filter',
  '/dashboard/total/invoice': 'one row per month of the year so far from one grouped statement; no page size or filter',
  '/brandstore/city': 'the distinct cities of the stores from one statement; no page size or filter',
  '/deliveries/provinces': 'regions from RajaOngkir (or its offline fallback), not from the database',
  '/deliveries/:id/cities': 'regions from RajaOngkir (or its offline fallback), not from the database',
  '/deliveries/:id/districts': 'regions from RajaOngkir (or its offline fallback), not from the database',
  '/users/data/export': 'one statement per table in two rounds (docs: one query per table), whatever the rows; no page size',
};

const cases = listCases();

// -------------------------------------------------------------------------------------- the test

let t: TestApp;
let http: ReturnType<typeof supertest>;
let tokens: Record<Caller, string>;

describe.runIf(process.env.TEST_DATABASE_URL)('statements of a list request', () => {
  beforeAll(async () => {
    // no read or count cache: every request computes its answer
    t = await createTestApp({ READ_CACHE_SECONDS: '0', COUNT_CACHE_SECONDS: '0' });
    tokens = await fillListWorld(t);
    // the app alone, without the suite's answer checks (they read the database too)
    http = supertest(createApp(t.app));
    startCounting();
  }, 120_000);

  afterAll(async () => {
    pg.Client.prototype.query = clientQuery;
    await t?.close();
  });

  async function send(c: Case, caller: Caller, r: { query: string; body: unknown }) {
    counting = [];
    const auth = { Authorization: `Bearer ${tokens[caller]}` };
    const res = c.method === 'get' ? await http.get(c.path + r.query).set(auth) : await http.post(c.path + r.query).set(auth).send(r.body as object);
    const statements = counting;
    counting = null;
    expect(res.status, `${c.path} as ${caller}: ${res.text.slice(0, 300)}`).toBe(200);
    return { rows: rowsOf(c.shape, res.body), statements };
  }

  it('every list route of the app is asked, or named with the reason it is not', () => {
    const covered = new Set(cases.map((c) => `${c.method} ${c.path}`));
    const missing = endpoints()
      .filter((e) => LIST_ROUTE.test(e.path) && !covered.has(`${e.method} ${e.path}`) && !NOT_COVERED[e.path])
      .map((e) => `${e.method} ${e.path}`);
    expect(missing).toEqual([]);
    expect(Object.keys(NOT_COVERED).filter((p) => !endpoints().some((e) => e.path === p))).toEqual([]);
  });

  for (const c of cases) {
    for (const caller of c.callers) {
      it(`${c.method.toUpperCase()} ${c.path} as ${caller}: no more statements for all rows than for one`, async () => {
        const all = request(c, 'all', {});
        await send(c, caller, all); // warm-up: the caller's account, Prisma's plans, prepared statements
        const many = await send(c, caller, all);
        expect(many.rows.length, `${c.path} as ${caller} should list more than one row`).toBeGreaterThan(1);
        const narrow = narrowing(c, many.rows);
        const one = await send(c, caller, request(c, 'one', narrow));
        expect(one.rows.length).toBeGreaterThanOrEqual(1);
        expect(one.rows.length).toBeLessThan(many.rows.length);
        const again = await send(c, caller, all);
        expect(again.rows.length).toBe(many.rows.length);
        expect(again.statements.length).toBeGreaterThan(0);
        expect(
          again.statements.length,
          `${many.rows.length} rows: ${again.statements.length} statements, 1 row: ${one.statements.length}\n` +
            `all rows:\n${again.statements.map((s) => s.slice(0, 200)).join('\n')}\none row:\n${one.statements.map((s) => s.slice(0, 200)).join('\n')}`,
        ).toBeLessThanOrEqual(one.statements.length);
      });
    }
  }
});

/** A filter naming (about) one row of a list that has no page size. */
function narrowing(c: Case, rows: any[]): Record<string, unknown> {
  if (c.shape === 'grouped') return { id_order: rows.find((r) => r.id_order)?.id_order };
  if (c.shape === 'timeline') {
    const day = String(rows[0].start).slice(0, 10);
    return { date_from: day, date_to: day };
  }
  return {};
}
