import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { fillListWorld, LIST_ROUTE, listCases, rowsOf, type Caller, type Case } from '../helpers/list-world.js';
import { endpoints } from '../security/route-table.js';

// A client pages through a list: page 1, 2, 3… of explore, start 0, n, 2n… of a table, a growing
// `limit` of search. Unless the ORDER BY is a total order (a unique tiebreak after the documented
// keys), PostgreSQL may put rows that tie on the sort key in another order for each page (a top-N
// sort of LIMIT 6 is not the first six of a full sort), so a row shows twice and another never.
// Every list route is paged here, 3 rows a page (at most 8 pages by each table column), over a world where many rows tie on the default
// sort keys and on the table columns, in the default order and, for tables, by each column in
// both directions and with a global search: the pages put together are the whole list in the
// same order (every row once), the counts are the rows there are, and a page asked twice is the
// same page.
//
// PostgreSQL only: the world is tests/helpers/list-world.ts's, which the bench's seed writes
// through its own PostgreSQL connection.

const PAGE = 3;
/** Most rows a list may have here: each is paged through many times (narrow a larger one below). */
const MOST = 200;
/** Pages a table is cut into when sorted by one of its columns (of PAGE rows at least). */
const COLUMN_PAGES = 8;

/** Filters that keep a list of the world short enough to page through, by resource and caller (the audit log has thousands of rows). */
const NARROW: Record<string, Partial<Record<Caller, Record<string, unknown>>>> = {
  logs: { staff: { action: 'client_event' } },
  doctor_schedules: { staff: { hari: 'Senin' } },
  order_items: { staff: { id_menu: 1 } },
};

/** The paged shapes (explore: page/length, table: start/length, search and items: limit). */
const PAGED = new Set(['explore', 'search', 'table', 'items']);

/** List routes not paged here, with the reason. */
const LEFT_OUT: Record<string, string> = {
  '/threads/adminview': 'no page size or limit: one answer holds every thread of the filter, grouped',
  '/threads/overview': 'no page size or limit: one answer holds every thread of the caller, grouped',
  '/threads/overview/doctors': 'no page size or limit: one answer holds every thread of the doctor, grouped',
  '/user_schedules/timeline': 'no page size or limit: one answer holds every appointment of the window (at most 400 days)',
  '/report/penjualan/stats': 'one row of totals, nothing to page',
  '/dashboard/total/pendapatan': 'one row per month of the year so far, no page size or limit',
  '/dashboard/total/invoice': 'one row per month of the year so far, no page size or limit',
  '/brandstore/city': 'the distinct cities of the stores, no page size or limit',
  '/deliveries/provinces': 'regions from RajaOngkir (or its offline fallback), not from the database, no page size',
  '/deliveries/:id/cities': 'regions from RajaOngkir (or its offline fallback), not from the database, no page size',
  '/deliveries/:id/districts': 'regions from RajaOngkir (or its offline fallback), not from the database, no page size',
  '/users/data/export': "one account's whole data in one answer, no page size",
};

const cases = listCases().filter((c) => PAGED.has(c.shape));

let t: TestApp;
let http: ReturnType<typeof supertest>;
let tokens: Record<Caller, string>;

/**
 * Rows that tie on the default orders and on the table columns: one created_at for every row of
 * every table (the audit log excepted: its rows are chained by their hashes), one start for the
 * promotions, one last update for the threads, one date for the medical records, ratings of all the customer's orders, and more rows of
 * the lists whose documented order is not unique by itself (a doctor's weekly schedule at one
 * time, delivery zones starting at one distance).
 */
async function makeTies(t: TestApp) {
  const sql = (text: string) => t.app.db.$executeRawUnsafe(text);
  const tables = await t.app.db.$queryRawUnsafe<{ table_name: string }[]>(
    `SELECT table_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND column_name = 'created_at' AND table_name NOT LIKE 'audit%'`,
  );
  for (const { table_name } of tables) await sql(`UPDATE "${table_name}" SET created_at = '2026-01-01T03:00:00Z'`);
  await sql(`UPDATE promotions SET start_datetime = now() - interval '1 day'`);
  await sql(`UPDATE threads SET last_update_at = '2026-01-02T03:00:00Z' WHERE id % 2 = 0`);
  // the customer's (user 5) other orders rated too: more than a page of their ratings
  await sql(`INSERT INTO ratings (id_orders, id_users, ratings, rating_desc, updated_at)
             SELECT o.id, o.id_member, 5, 'Bagus', now() FROM orders o
             WHERE o.id_member = 5 AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.id_orders = o.id)`);
  await sql(`UPDATE patient_rekam_medis SET tanggal_konsul = current_date - 1`);
  await sql(`INSERT INTO schedules (id_doctors, hari, jam, jam_selesai, updated_at)
             SELECT d.id, 'Senin', '09:00', '10:00', now() FROM doctors d, generate_series(1, 4)`);
  await sql(`INSERT INTO deliveries (distance_fr, distance_to, segment, price_in_km, updated_at)
             SELECT 0, g, 'Zona sama ' || g, 3000, now() FROM generate_series(1, 8) g`);
}

describe.runIf(process.env.TEST_DATABASE_URL)('paging through every list', () => {
  beforeAll(async () => {
    // no read or count cache: every page is computed from the database
    t = await createTestApp({ READ_CACHE_SECONDS: '0', COUNT_CACHE_SECONDS: '0' });
    // fewer orders, appointments and threads than the statement counts need: every list is paged through
    tokens = await fillListWorld(t, { orders: 120, appointments: 60, threads: 60, messages: 240 });
    await makeTies(t);
    http = supertest(createApp(t.app));
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  async function ask(c: Case, caller: Caller, query: string, body: Record<string, unknown>) {
    const auth = { Authorization: `Bearer ${tokens[caller]}` };
    const res = c.method === 'get' ? await http.get(c.path + query).set(auth) : await http.post(c.path + query).set(auth).send(body);
    expect(res.status, `${c.path}${query} ${JSON.stringify(body)} as ${caller}: ${res.text.slice(0, 300)}`).toBe(200);
    return res.body;
  }

  /** Rows a page: PAGE, or 1 for a list of PAGE rows or fewer (a report's rows per doctor). */
const pageSize = (rows: number) => (rows > PAGE ? PAGE : 1);

/** There are rows to page through, and not too many. */
function pageable(where: string, rows: number) {
  expect(rows, `${where}: the world should list more than one row`).toBeGreaterThan(1);
  expect(rows, `${where}: too many rows to page through: narrow the list (NARROW)`).toBeLessThanOrEqual(MOST);
}

/** The pages put together are the whole list, in its order: else which rows came twice, which never. */
  function samePages(where: string, paged: unknown[], whole: unknown[]) {
    const key = (r: unknown) => JSON.stringify(r);
    const seen = new Map<string, number>();
    for (const r of paged) seen.set(key(r), (seen.get(key(r)) ?? 0) + 1);
    const twice = [...seen].filter(([, n]) => n > 1).map(([k]) => k.slice(0, 120));
    const never = whole.map(key).filter((k) => !seen.has(k)).map((k) => k.slice(0, 120));
    expect({ twice, never }, `${where}: rows on two pages or on none`).toEqual({ twice: [], never: [] });
    expect(paged.map(key), `${where}: the pages in another order than the whole list`).toEqual(whole.map(key));
  }

  it('every list route of the app is paged here, or named with the reason it is not', () => {
    const paged = new Set(cases.map((c) => `${c.method} ${c.path}`));
    const missing = endpoints()
      .filter((e) => LIST_ROUTE.test(e.path) && !paged.has(`${e.method} ${e.path}`) && !LEFT_OUT[e.path])
      .map((e) => `${e.method} ${e.path}`);
    expect(missing).toEqual([]);
    expect(Object.keys(LEFT_OUT).filter((p) => !endpoints().some((e) => e.path === p))).toEqual([]);
  });

  for (const c of cases) {
    for (const caller of c.callers) {
      const name = `${c.method.toUpperCase()} ${c.path} as ${caller}`;
      const base = { ...c.body, ...NARROW[c.path.split('/')[1]!]?.[caller] };

      if (c.shape === 'explore') {
        it(`${name}: pages of ${PAGE} in the default order`, async () => {
          const first = await ask(c, caller, '?page=1&length=100', base);
          const whole: unknown[] = [...first.data];
          for (let p = 2; p <= first.totalpage; p++) whole.push(...(await ask(c, caller, `?page=${p}&length=100`, base)).data);
          pageable(name, whole.length);
          expect(first.totaldata).toBe(whole.length);
          const size = pageSize(whole.length);
          const pages = Math.ceil(whole.length / size);
          const paged: unknown[] = [];
          for (let p = 1; p <= pages; p++) {
            const query = `?page=${p}&length=${size}`;
            const page = await ask(c, caller, query, base);
            expect({ page: page.page, totalpage: page.totalpage, length: page.length, totaldata: page.totaldata, displayed: page.displayed }).toEqual({
              page: p, totalpage: pages, length: size, totaldata: whole.length, displayed: page.data.length,
            });
            expect((await ask(c, caller, query, base)).data, `${name}: page ${p} asked twice`).toEqual(page.data);
            paged.push(...page.data);
          }
          samePages(name, paged, whole);
        }, 120_000);
      } else if (c.shape === 'search' || c.shape === 'items') {
        it(`${name}: a larger limit lists the smaller one's rows first`, async () => {
          const whole = rowsOf(c.shape, await ask(c, caller, '', base));
          pageable(name, whole.length);
          const limits = [...new Set([1, 2, 3, 4, 5, 6, 9, 12, Math.floor(whole.length / 2), whole.length - 1, whole.length])];
          for (const limit of limits.filter((n) => n >= 1 && n <= whole.length)) {
            const rows = rowsOf(c.shape, await ask(c, caller, '', { ...base, limit }));
            samePages(`${name}, limit ${limit}`, rows, whole.slice(0, limit));
            expect(rowsOf(c.shape, await ask(c, caller, '', { ...base, limit })), `${name}: limit ${limit} asked twice`).toEqual(rows);
          }
        }, 120_000);
      } else {
        /** Pages through the table with this order and search; the whole list is `length: -1`. */
        const pageThrough = async (what: string, extra: Record<string, unknown>, pages?: number) => {
          const where = `${name}, ${what}`;
          const all = await ask(c, caller, '', { ...base, ...extra, draw: 7, start: 0, length: -1 });
          const whole = all.data as unknown[];
          pageable(where, whole.length);
          expect(all.recordsFiltered, `${where}: recordsFiltered`).toBe(whole.length);
          // recordsTotal: the rows before the search and the filters (the caller's, live ones)
          if (!extra.search && !Object.keys(base).length) expect(all.recordsTotal, `${where}: recordsTotal without a search or filter`).toBe(whole.length);
          else expect(all.recordsTotal, `${where}: recordsTotal`).toBeGreaterThanOrEqual(whole.length);
          const size = pages ? Math.max(pageSize(whole.length), Math.ceil(whole.length / pages)) : pageSize(whole.length);
          const paged: unknown[] = [];
          for (let start = 0; start < whole.length; start += size) {
            const body = { ...base, ...extra, draw: start + 1, start, length: size };
            const page = await ask(c, caller, '', body);
            expect({ draw: page.draw, recordsTotal: page.recordsTotal, recordsFiltered: page.recordsFiltered }, `${where}, start ${start}`).toEqual({
              draw: start + 1, recordsTotal: all.recordsTotal, recordsFiltered: whole.length,
            });
            if (start === 0) expect((await ask(c, caller, '', body)).data, `${where}: the first page asked twice`).toEqual(page.data);
            paged.push(...page.data);
          }
          samePages(where, paged, whole);
          return whole;
        };

        it(`${name}: pages of ${PAGE} in the default order, by each column both ways, and with a global search`, async () => {
          const whole = await pageThrough('default order', {});
          const columns = (whole[0] as unknown[]).length;
          for (let column = 0; column < columns; column++) {
            for (const dir of ['asc', 'desc']) await pageThrough(`column ${column} ${dir}`, { order: [{ column, dir }] }, COLUMN_PAGES);
          }
          // a search that finds more than one row, if one of these does (else only its counts are checked)
          for (const term of ['a', 'e', 'i', '1', '0']) {
            const found = await ask(c, caller, '', { ...base, draw: 1, start: 0, length: -1, search: { value: term } });
            expect(found.recordsFiltered, `${name}, search "${term}": recordsFiltered`).toBe(found.data.length);
            if (found.recordsFiltered < 2) continue;
            await pageThrough(`search "${term}"`, { search: { value: term } });
            await pageThrough(`search "${term}", column 0 desc`, { search: { value: term }, order: [{ column: 0, dir: 'desc' }] });
            break;
          }
        }, 300_000);
      }
    }
  }
});
