import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { breakAuditLog, repairAuditLog, entryOf, lastSeq, logsAfter, REFUSED } from '../helpers/audit-log.js';
import { verifyAuditChain } from '../../src/modules/audit/audit.service.js';
import { deliverySettings } from '../../src/modules/shipping/shipping.service.js';
import { startFakeRajaOngkir } from '../shipping/fake-rajaongkir.js';
import { doctor, eCart, givePoints, menu, patientOf, promotion, stockOf } from '../commerce/fixtures.js';
import { consultationFixture, createMenu, pay } from '../consultations/fixtures.js';

// The generic audit entry of a staff change on a cart or order (cart lines, points, promotion,
// checkout, courier, address) and of menu_reedems/add_to_carts is written in the change's own
// transaction (register.ts auditAdminChange through RequestContext.auditChange): the two commit or
// roll back together. A customer's own cart calls are not audited and go on as before.

let t: TestApp;
let fake: Awaited<ReturnType<typeof startFakeRajaOngkir>>;
let admin: TestUser;
let customer: TestUser;
let product: number;

beforeAll(async () => {
  fake = await startFakeRajaOngkir('test-key');
  t = await createTestApp({ RAJAONGKIR_BASE_URL: fake.url, RAJAONGKIR_API_KEY: 'test-key', SHIPPING_COURIERS: 'jne', WAREHOUSE_LAT: '-6.2', WAREHOUSE_LNG: '106.8' });
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  // the settings from the configuration first (warehouse position, couriers), then the warehouse store
  await deliverySettings(t.app);
  product = (await menu(t, { harga: 40_000 })).id;
  await stockOf(t, product, 1000);
  await t.app.db.delivery.create({ data: { distance_fr: 0, distance_to: 100, price_in_km: 5_000 } });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

afterEach(() => repairAuditLog(t));

/** Every table a cart or order action can write: its lines, totals, payments, stock, points, promotion quota, courier quotes, redemptions, events. */
const TABLES = [
  'orders', 'order_items', 'order_extras', 'order_payments', 'order_code_counters', 'courier_quotes', 'stocks', 'stock_movements', 'promotions',
  'promotion_usages', 'user_points', 'user_point_consumptions', 'user_point_balances', 'menu_reedems', 'notifications', 'message_outbox', 'logs',
];
async function snapshot() {
  const rows: Record<string, unknown> = {};
  for (const table of TABLES) rows[table] = await t.app.db.$queryRawUnsafe(`SELECT to_jsonb(r)::text AS row FROM ${table} r ORDER BY 1`);
  return rows;
}

const as = (u: TestUser, method: 'post' | 'put', path: string, body: object = {}) => t.http[method](path).set(t.auth(u)).set('User-Agent', 'audit-test/1').send(body);
const staff = (method: 'post' | 'put', path: string, body: object = {}) => as(admin, method, path, body);
const mine = (method: 'post' | 'put', path: string, body: object = {}) => as(customer, method, path, body).expect(200);

/** A cart of `customer` with one product line (40,000) and a courier (20,000). */
const cart = () => eCart(t, customer, [{ id_menu: product, qty: 1 }]);
const newAddress = { kode_provinsi: '9', kode_kota: '23', kode_kecamatan: '330', alamat_kirim: 'Jl. Dago 1, Bandung', lat_kirim: -6.25, lng_kirim: 106.85 };

type Call = {
  /** the staff (or, for a role-restricted route, the caller's) request, ready to be sent */
  send: () => Promise<Response>;
  /** what the entry's resource_id is, from the answer */
  id: (res: Response) => number | null;
  by?: TestUser;
};
/** [what is called, the entry's action and resource, a fresh order (or prescription) and the call on it] */
const CALLS: [name: string, action: string, resource: string, setup: () => Promise<Call>][] = [
  [
    'orders/init',
    'POST /orders/init',
    'orders',
    async () => {
      const patient = await patientOf(t, customer);
      return { send: () => staff('post', '/orders/init', { id_users: customer.id, id_patients: patient.id, order_type: 'E' }), id: (res) => res.body.orders.id };
    },
  ],
  [
    'orders/e_add_to_carts',
    'POST /orders/e_add_to_carts',
    'orders',
    async () => {
      const id = await cart();
      return { send: () => staff('post', '/orders/e_add_to_carts', { id_order: id, items: [{ id_menu: product, qty: '+' }] }), id: () => null };
    },
  ],
  [
    'orders/c_add_to_carts',
    'POST /orders/c_add_to_carts',
    'orders',
    async () => {
      const patient = await patientOf(t, customer);
      const id = (await mine('post', '/orders/init', { id_patients: patient.id, order_type: 'C' })).body.orders.id;
      const d = await doctor(t, 100_000);
      return { send: () => staff('post', '/orders/c_add_to_carts', { id_order: id, items: [{ id_doctors: d.id, qty: 1 }] }), id: () => null };
    },
  ],
  [
    'orders/:id/apply/points',
    'PUT /orders/:id/apply/points',
    'orders',
    async () => {
      const id = await cart();
      await givePoints(t, customer.id, 5_000);
      return { send: () => staff('put', `/orders/${id}/apply/points`, { poin_used: 5_000 }), id: () => id };
    },
  ],
  [
    'orders/:id/unapply/points',
    'PUT /orders/:id/unapply/points',
    'orders',
    async () => {
      const id = await cart();
      await givePoints(t, customer.id, 5_000);
      await mine('put', `/orders/${id}/apply/points`, { poin_used: 5_000 });
      return { send: () => staff('put', `/orders/${id}/unapply/points`), id: () => id };
    },
  ],
  [
    'orders/:id/apply/promotions',
    'PUT /orders/:id/apply/promotions',
    'orders',
    async () => {
      const id = await cart();
      const p = await promotion(t);
      return { send: () => staff('put', `/orders/${id}/apply/promotions`, { display_codes: p.display_codes }), id: () => id };
    },
  ],
  [
    'orders/:id/unapply/promotions',
    'PUT /orders/:id/unapply/promotions',
    'orders',
    async () => {
      const id = await cart();
      await mine('put', `/orders/${id}/apply/promotions`, { display_codes: (await promotion(t)).display_codes });
      return { send: () => staff('put', `/orders/${id}/unapply/promotions`), id: () => id };
    },
  ],
  [
    // stock, promotion quota and points reserved, an order code and a payment attempt (Snap after the commit)
    'orders/:id/checkout',
    'PUT /orders/:id/checkout',
    'orders',
    async () => {
      const id = await cart();
      await mine('put', `/orders/${id}/apply/promotions`, { display_codes: (await promotion(t)).display_codes });
      await givePoints(t, customer.id, 1_000);
      await mine('put', `/orders/${id}/apply/points`, { poin_used: 1_000 });
      return { send: () => staff('put', `/orders/${id}/checkout`, { catatan_order: 'by phone' }), id: () => id };
    },
  ],
  [
    // nothing left to pay: paid at once, in the same transaction (points taken, points earned)
    'orders/:id/checkout (points cover it)',
    'PUT /orders/:id/checkout',
    'orders',
    async () => {
      const id = await cart();
      const { grand_totals } = await t.app.db.order.findUniqueOrThrow({ where: { id } });
      await givePoints(t, customer.id, grand_totals);
      await mine('put', `/orders/${id}/apply/points`, { poin_used: grand_totals });
      return { send: () => staff('put', `/orders/${id}/checkout`), id: () => id };
    },
  ],
  [
    'orders/:id/uncheckout',
    'PUT /orders/:id/uncheckout',
    'orders',
    async () => {
      const id = await cart();
      await mine('put', `/orders/${id}/checkout`);
      return { send: () => staff('put', `/orders/${id}/uncheckout`), id: () => id };
    },
  ],
  [
    // a new district: the courier chosen for the old one is cleared too
    'orders/:id/update/address',
    'PUT /orders/:id/update/address',
    'orders',
    async () => {
      const id = await cart();
      return { send: () => staff('put', `/orders/${id}/update/address`, newAddress), id: () => id };
    },
  ],
  [
    'deliveries/calculate',
    'POST /deliveries/calculate',
    'deliveries',
    async () => {
      const id = await cart();
      await mine('put', `/orders/${id}/update/address`, newAddress);
      return { send: () => staff('post', '/deliveries/calculate', { id_order: id, courier: 'jne' }), id: () => null };
    },
  ],
  [
    'orders/:id/process/courier',
    'PUT /orders/:id/process/courier',
    'orders',
    async () => {
      const id = await cart();
      await mine('put', `/orders/${id}/update/address`, newAddress);
      await mine('post', '/deliveries/calculate', { id_order: id, courier: 'jne' });
      return { send: () => staff('put', `/orders/${id}/process/courier`, { courier: 'jne', service: 'REG', costs: 11_000 }), id: () => id };
    },
  ],
  [
    'orders/:id/process/sameday/courier',
    'PUT /orders/:id/process/sameday/courier',
    'orders',
    async () => {
      const id = await cart();
      return { send: () => staff('put', `/orders/${id}/process/sameday/courier`, { lat_kirim: -6.25, lng_kirim: 106.85 }), id: () => id };
    },
  ],
  [
    'orders/:id/unprocess/courier',
    'PUT /orders/:id/unprocess/courier',
    'orders',
    async () => {
      const id = await cart();
      return { send: () => staff('put', `/orders/${id}/unprocess/courier`), id: () => id };
    },
  ],
  [
    // a role-restricted route (CUSTOMER): every call is audited, the customer's too
    'menu_reedems/add_to_carts',
    'POST /menu_reedems/add_to_carts',
    'menu_reedems',
    async () => {
      const f = await consultationFixture(t);
      await pay(t, f.order.id);
      const thread = await t.app.db.thread.findFirstOrThrow({ where: { id_order: f.order.id } });
      const drug = await createMenu(t);
      const rx = await t.http.post('/thread_messages/prescriptions').set(t.auth(f.doctor)).send({ id_threads: thread.id, id_menu: drug.id, qty: 2 }).expect(200);
      const body = { id_threads: thread.id, id_menu: drug.id, id_thread_messages: rx.body.thread_messages.id };
      return { send: () => as(f.customer, 'post', '/menu_reedems/add_to_carts', body), id: () => null, by: f.customer };
    },
  ],
];

describe('a staff change of a cart or order whose audit entry cannot be written', () => {
  it.each(CALLS)('%s is not made: an error, and the order, its lines, totals, payments, stock, points, quota, courier as they were', async (_name, _action, _resource, setup) => {
    const call = await setup();
    const before = await snapshot();
    await breakAuditLog(t);

    const res = await call.send();
    expect(res.status, res.text).toBe(500);
    expect(res.body).toEqual(REFUSED);
    expect(await snapshot()).toEqual(before);
  });
});

describe('a staff change of a cart or order', () => {
  it.each(CALLS)('%s has exactly one entry, as before', async (_name, action, resource, setup) => {
    const call = await setup();
    const from = await lastSeq(t);
    const res = await call.send();
    expect(res.status, res.text).toBe(200);
    expect(await logsAfter(t, from)).toEqual([expect.objectContaining(entryOf(action, resource, call.id(res), call.by ?? admin))]);
  });

  it('made at once with others, each commits with its entry and the chain stays intact', async () => {
    const calls = [];
    for (const [, action, , setup] of CALLS) if (action.startsWith('PUT /orders/:id/')) calls.push(await setup());
    const from = await t.app.db.log.count();
    const answers = await Promise.all(calls.map((c) => c.send()));
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
    expect(await t.app.db.log.count()).toBe(from + calls.length);
    expect(await verifyAuditChain(t.app.db)).toMatchObject({ ok: true });
  });
});

describe("a customer's own cart calls (not audited)", () => {
  it('are made as before while the audit log is broken', async () => {
    const id = await cart();
    await givePoints(t, customer.id, 2_000);
    await breakAuditLog(t);
    await mine('post', '/orders/e_add_to_carts', { id_order: id, items: [{ id_menu: product, qty: 3 }] });
    await mine('put', `/orders/${id}/apply/points`, { poin_used: 2_000 });
    await mine('put', `/orders/${id}/update/address`, newAddress);
    await mine('post', '/deliveries/calculate', { id_order: id, courier: 'jne' });
    await mine('put', `/orders/${id}/process/courier`, { courier: 'jne', service: 'REG', costs: 11_000 });
    await mine('put', `/orders/${id}/checkout`);
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'CHECKOUT', kode_kecamatan: '330', courier_price: 11_000, poin_used: 2_000, total_price: 120_000 });
    await mine('put', `/orders/${id}/uncheckout`);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id } })).status).toBe('SHOPPING CARTS');
  });
});

describe('order_items/create and order_extras/create', () => {
  it('make no change (405), so there is no entry to write, with the log working or not', async () => {
    const id = await cart();
    const from = await lastSeq(t);
    const tries = () => [
      staff('post', '/order_items/create', { id_order: id, id_menu: product, qty: 1 }),
      staff('post', '/order_extras/create', { id_orders: id, id_doctors: 1, qty: 1 }),
    ];
    expect((await Promise.all(tries())).map((r) => r.status)).toEqual([405, 405]);
    expect(await logsAfter(t, from)).toEqual([]);
    await breakAuditLog(t);
    expect((await Promise.all(tries())).map((r) => r.status)).toEqual([405, 405]);
  });
});
