import pg from 'pg';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed, sizes } from '../../bench/seed.js';
import { createApp } from '../../src/app.js';
import type { Role } from '../../src/http/auth-user.js';
import { signToken } from '../../src/http/authenticate.js';
import { audit } from '../../src/modules/audit/audit.service.js';
import { seedDemoData } from '../../src/seed/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { endpoints } from '../security/route-table.js';

// "Lists make a constant number of queries" (docs/architecture.md): the statements one list
// request sends to PostgreSQL do not grow with the rows it returns. Every list endpoint is asked,
// after a warm-up, for one row and then for all of them, by each caller it is scoped to, with every
// statement counted at pg's Client.query (as docs/performance.md measured); the answer with all
// rows may not cost more statements than the one with one row.
//
// PostgreSQL only: the statements counted are the pg pool's (PGlite has none). The data is the
// bench's seed at a tiny scale (orders with items, threads with messages, appointments, patients)
// plus the demo data and a few rows of the tables neither fills.

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

type Caller = 'staff' | 'customer' | 'doctor';
type Shape = 'explore' | 'search' | 'table' | 'grouped' | 'timeline' | 'items';

interface Case {
  method: 'get' | 'post';
  path: string;
  shape: Shape;
  callers: Caller[];
  body?: Record<string, unknown>;
}

/** Rows of an answer, by its shape. */
function rowsOf(shape: Shape, body: any): any[] {
  if (shape === 'explore' || shape === 'table') return body.data;
  if (shape === 'grouped') return [...body.active.prescriptions, ...body.active.online_consultations, ...body.archive.prescriptions, ...body.archive.online_consultations];
  if (shape === 'timeline') return body.events;
  if (shape === 'items') return body.items;
  const lists = Object.values(body).filter(Array.isArray);
  expect(lists).toHaveLength(1);
  return lists[0] as any[];
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

// ------------------------------------------------------------------------------------- the cases

const WIDE = { tgl_awal: '01/01/2020', tgl_akhir: '31/12/2030' };
// UTC days are fine here: the window is 400 days wide, a few hours either way change nothing
const isoDay = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
/** the timeline's longest window (400 days) around today */
const TIMELINE = { date_from: isoDay(-200), date_to: isoDay(199) };

/** Lists a customer or a doctor sees rows of (besides staff); every other list is asked by staff. */
const SCOPED: Record<string, Caller[]> = {
  patients: ['customer', 'doctor'],
  patient_allergies: ['customer', 'doctor'],
  patient_rekam_medis: ['customer', 'doctor'],
  user_schedules: ['customer', 'doctor'],
  threads: ['customer', 'doctor'],
  thread_messages: ['customer', 'doctor'],
  notifications: ['customer', 'doctor'],
  orders: ['customer'],
  order_items: ['customer'],
  order_extras: ['customer'],
  ratings: ['customer'],
  user_points: ['customer'],
  deliveries: ['customer'],
};

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

/** What the coverage check counts as a list route. */
const LIST_ROUTE = /\/(explore|search|table|adminview|overview|overview\/doctors|timeline|city|provinces|cities|districts|export)$|^\/(report|dashboard)\//;

/** explore/search/table of every resource, from the app's route table. */
function resourceCases(): Case[] {
  return endpoints()
    .filter((e) => /\/(explore|search|table)$/.test(e.path) && !e.path.startsWith('/report/'))
    .map((e) => {
      const resource = e.path.split('/')[1]!;
      return {
        method: e.method as 'get' | 'post',
        path: e.path,
        shape: e.path.split('/').pop() as Shape,
        callers: ['staff' as Caller, ...(SCOPED[resource] ?? [])],
      };
    });
}

const otherCases: Case[] = [
  { method: 'post', path: '/threads/adminview', shape: 'grouped', callers: ['staff'] },
  { method: 'post', path: '/threads/overview', shape: 'grouped', callers: ['customer', 'doctor'] },
  { method: 'post', path: '/threads/overview/doctors', shape: 'grouped', callers: ['doctor'] },
  { method: 'post', path: '/user_schedules/timeline', shape: 'timeline', callers: ['staff', 'customer', 'doctor'], body: TIMELINE },
  { method: 'post', path: '/report/penjualan/overall', shape: 'table', callers: ['staff'], body: WIDE },
  { method: 'post', path: '/report/penjualan/products', shape: 'table', callers: ['staff'], body: WIDE },
  { method: 'post', path: '/report/penjualan/online_consultations', shape: 'table', callers: ['staff'], body: WIDE },
  { method: 'post', path: '/report/offline/appoinment/performance', shape: 'table', callers: ['staff'], body: WIDE },
  { method: 'post', path: '/dashboard/upcoming/offline_appoinments', shape: 'table', callers: ['staff'] },
  { method: 'post', path: '/dashboard/upcoming/ecommerce', shape: 'table', callers: ['staff'] },
  { method: 'post', path: '/dashboard/upcoming/promotions', shape: 'table', callers: ['staff'] },
  { method: 'post', path: '/dashboard/total/products', shape: 'items', callers: ['staff'] },
  { method: 'post', path: '/dashboard/total/services', shape: 'items', callers: ['staff'] },
];

const cases = [...resourceCases(), ...otherCases];

// -------------------------------------------------------------------------------------- the data

let t: TestApp;
let http: ReturnType<typeof supertest>;
const tokens = {} as Record<Caller, string>;

async function fill(t: TestApp) {
  // users 1 (owner, admin), 2–4 doctors, 5–12 customers: ~40 orders, ~8 threads and ~40 appointments each
  const s = { ...sizes(0.001), users: 12, doctors: 3, customers: 8, menus: 30, stores: 4, services: 6, orders: 300, appointments: 300, threads: 60, messages: 600 };
  await seed(t.databaseUrl!, s, () => undefined);
  await seedDemoData(t.app);
  const sql = (text: string) => t.app.db.$executeRawUnsafe(text);
  const customer = 5;
  const doctor = 2;
  // served appointments for the reports and the year's top services (the bench books this week
  // and later): a third of them served today, the clinic's day (no slot held, as a cancelled one)
  await sql(`UPDATE user_schedules SET tanggal = (now() AT TIME ZONE 'Asia/Jakarta')::date, status = 'DONE', active_slot = NULL WHERE id % 3 = 0`);
  // the customer's own patients, the doctor's patients (their consultations'), with allergies and records
  await sql(`INSERT INTO patients (id_users, nama_lengkap_pasien, no_handphone, no_identitas, updated_at)
             SELECT ${customer}, 'Pasien ' || g, '0812000000' || g, '3273000000' || lpad(g::text, 6, '0'), now() FROM generate_series(1, 6) g`);
  // the customer's orders, consultations and appointments spread over those patients (the bench gives each customer one)
  for (const table of ['orders', 'user_schedules']) {
    const owner = table === 'orders' ? 'id_member' : 'id_users';
    await sql(`UPDATE ${table} x SET id_patients = p.id
               FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM ${table} WHERE ${owner} = ${customer}) r,
                    (SELECT id, row_number() OVER (ORDER BY id) AS n, count(*) OVER () AS total FROM patients WHERE id_users = ${customer}) p
               WHERE x.id = r.id AND p.n = (r.n - 1) % p.total + 1`);
  }
  await sql(`UPDATE threads t SET id_patients = o.id_patients FROM orders o WHERE o.id = t.id_order AND o.id_member = ${customer}`);
  await sql(`INSERT INTO patient_allergies (id_patients, allergies, diagnosa, updated_at) SELECT p.id, 'Alergi ' || p.id, 'Gatal', now() FROM patients p, generate_series(1, 2)`);
  await sql(`INSERT INTO patient_rekam_medis (id_patients, tanggal_konsul, keluhan, diagnosa, created_by_iduser, updated_at)
             SELECT p.id, current_date - k, 'Jerawat', 'Acne vulgaris', ${doctor}, now() FROM patients p, generate_series(1, 2) k`);
  await sql(`INSERT INTO notifications (id_user_from, id_user_to, intentions, title, content, updated_at)
             SELECT 1, u, 'info', 'Pesan ' || g, 'Isi ' || g, now() FROM generate_series(1, 8) g, unnest(ARRAY[${customer}, ${doctor}, 1]) u`);
  await sql(`INSERT INTO user_points (id_users, id_orders, add_point, remaining_point, usecase, expired_date, updated_at)
             SELECT o.id_member, o.id, 1000, 1000, 'EARN', current_date + 365, now() FROM orders o WHERE o.id_member = ${customer} AND o.is_paid = 1 LIMIT 8`);
  await sql(`INSERT INTO ratings (id_orders, id_users, ratings, rating_desc, updated_at)
             SELECT o.id, o.id_member, 5, 'Bagus', now() FROM orders o WHERE o.status = 'DONE' ORDER BY o.id LIMIT 30`);
  await sql(`INSERT INTO menu_images (id_menus, menu_image, nomor_urut_tampil, updated_at) SELECT m.id, 'm' || m.id || '.png', 1, now() FROM menus m LIMIT 10`);
  await sql(`INSERT INTO service_images (id_services, service_image, nomor_urut_tampil, updated_at) SELECT v.id, 's' || v.id || '.png', 1, now() FROM services v LIMIT 10`);
  await sql(`INSERT INTO promotions (id_menu, type, value, quota, start_datetime, expired_datetime, display_codes, display_codes_key, title, updated_at)
             SELECT g, 'PERCENT', 10, 100, now() - interval '1 day', now() + interval '30 days', 'PROMO' || g, 'PROMO' || g, 'Promo ' || g, now() FROM generate_series(1, 6) g`);
  await sql(`INSERT INTO holidays (dates, descriptions, updated_at) SELECT current_date + 100 + g, 'Libur ' || g, now() FROM generate_series(1, 6) g ON CONFLICT DO NOTHING`);
  await sql(`INSERT INTO departments (department_name, department_codes, updated_at) SELECT 'Bagian ' || g, 'DEP' || g, now() FROM generate_series(1, 6) g`);
  await sql(`INSERT INTO user_departments (id_users, id_departments) SELECT u, d.id FROM departments d, generate_series(1, 4) u ON CONFLICT DO NOTHING`);
  await sql(`INSERT INTO deliveries (distance_fr, distance_to, segment, price_in_km, updated_at) SELECT 10 * g, 10 * g + 10, 'Zona ' || g, 2000 + g, now() FROM generate_series(3, 8) g`);
  await sql(`INSERT INTO service_categories (service_categories, codes, updated_at) SELECT 'Layanan ' || g, 'L' || g, now() FROM generate_series(1, 6) g`);
  await sql(`INSERT INTO static_contents (type, contents, updated_at) SELECT 'info' || g, 'Isi ' || g, now() FROM generate_series(1, 4) g`);
  for (let i = 0; i < 8; i++) await audit(t.app, { user: { id: 1, roles: ['OWNER'] }, action: 'client_event', resource: 'client', details: { i } });
  const token = async (id: number) => {
    const u = await t.app.db.user.findUniqueOrThrow({ where: { id }, include: { roles: true } });
    return signToken(t.app, { id, token_version: u.token_version, roles: u.roles.map((r) => r.role_codes as Role) });
  };
  tokens.staff = await token(1);
  tokens.customer = await token(customer);
  tokens.doctor = await token(doctor);
}

// -------------------------------------------------------------------------------------- the test

describe.runIf(process.env.TEST_DATABASE_URL)('statements of a list request', () => {
  beforeAll(async () => {
    // no read or count cache: every request computes its answer
    t = await createTestApp({ READ_CACHE_SECONDS: '0', COUNT_CACHE_SECONDS: '0' });
    await fill(t);
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
