import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/http/authenticate.js';
import type { Role } from '../../src/http/auth-user.js';
import { methodsOf, type RouteDef } from '../../src/http/route.js';
import { allRoutes } from '../../src/modules/index.js';
import { seedDemoData } from '../../src/seed/index.js';
import { readDocument, routeOf, sections } from '../helpers/api-document.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { call, concrete, inspect, label } from './route-table.js';

/**
 * The document's own request samples, one field changed at a time. fuzz.test.ts sends random
 * bodies, which the schemas refuse before any rule runs; here every other field is as the document
 * shows it, on the demo data (whose ids the samples name), so the changed field reaches the
 * services, the queries and the constraints behind the schema. Each documented request is sent as
 * it is, then with each of its fields (and each field of a nested object, or of a list's first
 * object) replaced by an awkward value, by every kind of caller the route admits. An answer may
 * refuse (4xx) but never fail (5xx) or show a stack trace or a secret.
 */

/** Awkward values for a field, by what the document sends in it. */
function awkwardFor(value: unknown): unknown[] {
  const anything = [null, '', [], {}];
  if (typeof value === 'number') return [...anything, -1, 2 ** 31, 1e21, 0.5, '1e3', 'abc'];
  if (Array.isArray(value)) return [...anything, 'abc', [null], ['x'.repeat(3000)], Array.from({ length: 600 }, (_v, i) => i + 1)];
  if (typeof value === 'string' && /^\d/.test(value)) return [...anything, ' ', 'abc', -1, '2024-02-30', '31/12/9999', '24:61', '99999999999999999999'];
  return [...anything, ' ', 123, true, 'x'.repeat(3000)];
}

type Caller = 'customer' | 'doctor' | 'staff';
const CALLER_ROLE: Record<Caller, Role> = { customer: 'CUSTOMER', doctor: 'DOCTOR', staff: 'OWNER' };

function callersOf(def: RouteDef): Caller[] {
  const access = def.access;
  if (access === 'public' || access === 'authenticated') return ['customer', 'staff'];
  return (['customer', 'doctor', 'staff'] as Caller[]).filter((c) => access.includes(CALLER_ROLE[c]) || (c === 'staff' && access.includes('ADMIN')));
}

/** The sample, then the sample with one field replaced, for every field and awkward value. */
function variants(sample: Record<string, unknown>): { change: string; body: Record<string, unknown> }[] {
  const out = [{ change: 'as documented', body: sample }];
  for (const [key, value] of Object.entries(sample)) {
    for (const awkward of awkwardFor(value)) out.push({ change: `${key}=${JSON.stringify(awkward).slice(0, 20)}`, body: { ...sample, [key]: awkward } });
    const nested = Array.isArray(value) ? value[0] : value;
    if (!nested || typeof nested !== 'object' || Array.isArray(nested)) continue;
    for (const inner of Object.keys(nested)) {
      for (const awkward of awkwardFor((nested as Record<string, unknown>)[inner])) {
        const changed = { ...(nested as object), [inner]: awkward };
        out.push({ change: `${key}.${inner}=${JSON.stringify(awkward).slice(0, 20)}`, body: { ...sample, [key]: Array.isArray(value) ? [changed, ...value.slice(1)] : changed } });
      }
    }
  }
  return out;
}

const defs = allRoutes();
const cases = sections(readDocument()).flatMap((s) => {
  const def = routeOf(defs, s.path);
  const sample = s.request;
  if (!def || !sample || typeof sample !== 'object' || Array.isArray(sample) || def.upload) return [];
  return methodsOf(def)
    .filter((m) => m !== 'get' && s.methods.includes(m))
    .slice(0, 1)
    .map((method) => ({ name: `${method.toUpperCase()} ${def.path}`, method, def, sample: sample as Record<string, unknown> }));
});

let t: TestApp;
const users = {} as Record<Caller, number>;
/** rows of the demo data the customer and the doctor hold, put where a sample names an id */
const rows = {} as Record<'patient' | 'doctor' | 'doctorService' | 'doctorSchedule' | 'service' | 'menu' | 'department', number>;

/** The id fields of the samples, and the row each names here. */
const ID_FIELDS: Record<string, keyof typeof rows | 'cart' | 'customer' | 'staff'> = {
  id_patients: 'patient',
  id_doctors: 'doctor',
  id_doctor_services: 'doctorService',
  id_doctor_schedules: 'doctorSchedule',
  id_services: 'service',
  id_menu: 'menu',
  id_menus: 'menu',
  id_departments: 'department',
  id_order: 'cart',
  id_orders: 'cart',
  id_users: 'customer',
  id_admin: 'staff',
};
/** A path's `:id` by the resource it names. */
const PATH_IDS: Record<string, keyof typeof rows | 'cart'> = {
  orders: 'cart',
  patients: 'patient',
  doctors: 'doctor',
  doctor_services: 'doctorService',
  doctor_schedules: 'doctorSchedule',
  services: 'service',
  menus: 'menu',
  departments: 'department',
};

/** The customer's new cart holding one product: each orders sample starts from a cart of its own. */
async function newCart(): Promise<number> {
  // an earlier sample may have unlinked or deleted the customer's patient (users/patients/unlink)
  await t.app.db.patient.update({ where: { id: rows.patient }, data: { id_users: users.customer, deleted_at: null } });
  const auth = { Authorization: `Bearer ${await tokenOf('customer')}` };
  const init = await t.http.post('/orders/init').set(auth).send({ id_patients: rows.patient, order_type: 'E' });
  expect(init.status, init.text).toBe(200);
  const add = await t.http.post('/orders/e_add_to_carts').set(auth).send({ id_order: init.body.orders.id, items: [{ id_menu: rows.menu, qty: 1 }] });
  expect(add.status, add.text).toBe(200);
  return init.body.orders.id;
}

/** The sample with its ids pointing at rows that exist (an id field keeps its form: a list stays a list). */
function withRealIds(sample: Record<string, unknown>, cart: number | undefined): Record<string, unknown> {
  const real = (key: string, value: unknown): unknown => {
    const row = ID_FIELDS[key];
    if (!row || (row === 'cart' && cart === undefined)) return value;
    const id = row === 'cart' ? cart : row === 'customer' || row === 'staff' ? users[row] : rows[row];
    return Array.isArray(value) ? value.map(() => id) : typeof value === 'number' || typeof value === 'string' ? id : value;
  };
  const replace = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, real(k, v)]));
  return Object.fromEntries(
    Object.entries(replace(sample)).map(([k, v]) => [
      k,
      Array.isArray(v) ? v.map((e) => (e && typeof e === 'object' && !Array.isArray(e) ? replace(e as Record<string, unknown>) : e)) : v && typeof v === 'object' ? replace(v as Record<string, unknown>) : v,
    ]),
  );
}

beforeAll(async () => {
  t = await createTestApp();
  await seedDemoData(t.app);
  const demo = async (username: string) => (await t.app.db.user.findFirstOrThrow({ where: { username } })).id;
  users.customer = await demo('budi');
  users.doctor = await demo('dr.andini');
  // not the demo's first accounts: a documented `users/1/delete` must not end the caller's session
  users.staff = (await t.user(['OWNER', 'ADMIN'])).id;
  const db = t.app.db;
  rows.patient = (await db.patient.findFirstOrThrow({ where: { id_users: users.customer, deleted_at: null } })).id;
  const doctor = await db.doctor.findFirstOrThrow({ where: { id_users: users.doctor } });
  rows.doctor = doctor.id;
  const schedule = await db.doctorSchedule.findFirstOrThrow({ where: { id_doctors: doctor.id, deleted_at: null } });
  rows.doctorSchedule = schedule.id;
  rows.doctorService = schedule.id_doctor_services;
  rows.service = schedule.id_services;
  rows.department = (await db.department.findFirstOrThrow()).id;
  // a product the warehouse holds, sold without a prescription
  const { id_brandstore_gudang } = await db.deliverySetting.findFirstOrThrow();
  const stocked = await db.brandstoreMenu.findFirstOrThrow({
    where: { idbrandstore: id_brandstore_gudang!, menu: { is: { is_resep_required: 0, deleted_at: null } } },
    orderBy: { stock: { quantitytotal: 'desc' } },
  });
  rows.menu = stocked.idmenu;
}, 120_000);
afterAll(() => t?.close());

/**
 * Tokens for the accounts as stored: a sample that changes a password or the roles ends the older
 * sessions, and the next request signs again.
 */
const tokens = new Map<Caller, string>();
/** the answers to the samples as documented, for the last check */
const asDocumented: number[] = [];
async function tokenOf(caller: Caller, renew = false) {
  if (renew || !tokens.has(caller)) {
    const row = await t.app.db.user.findUniqueOrThrow({ where: { id: users[caller] }, include: { roles: true } });
    tokens.set(caller, signToken(t.app, { id: row.id, token_version: row.token_version, roles: row.roles.map((r) => r.role_codes as Role) }));
  }
  return tokens.get(caller)!;
}

// PostgreSQL only (TEST_DATABASE_URL): thousands of requests, about a minute and a half on PostgreSQL
describe.skipIf(!process.env.TEST_DATABASE_URL)("the document's request samples with one field changed", () => {
  it('covers the documented requests with a JSON sample', () => {
    expect(cases.length).toBeGreaterThan(100);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const resource = c.def.path.split('/')[1]!;
    const ordersCase = resource === 'orders' || Object.keys(c.sample).some((k) => ID_FIELDS[k] === 'cart');
    const pathRow = PATH_IDS[resource];
    for (const caller of callersOf(c.def)) {
      const cart = ordersCase ? await newCart() : undefined;
      const url = concrete(c.def.path, pathRow ? { id: pathRow === 'cart' ? cart! : rows[pathRow] } : {});
      for (const v of variants(withRealIds(c.sample, cart))) {
        const send = async (renew: boolean) => call(t, c.method, url).set('Authorization', `Bearer ${await tokenOf(caller, renew)}`).send(v.body);
        let res = await send(false);
        if (res.status === 401) res = await send(true);
        if (v.change === 'as documented') asDocumented.push(res.status);
        inspect(res, `${label({ method: c.method, path: c.def.path })} as ${caller}, ${v.change}`);
      }
    }
  }, 180_000);

  it('reaches the rules behind the schemas: most documented requests succeed as the document shows them', () => {
    // (at the time of writing 145 of 204; the rest are refused by a rule, e.g. a checkout without a courier)
    expect(asDocumented.filter((status) => status < 300).length / asDocumented.length).toBeGreaterThan(0.6);
  });
});
