import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestUser } from '../helpers/app.js';
import { breakAuditLog, repairAuditLog, entryOf as entryBy, lastSeq, logsAfter, REFUSED } from '../helpers/audit-log.js';
import { verifyAuditChain } from '../../src/modules/audit/audit.service.js';
import { patientBody } from '../patients/fixtures.js';
import { eCart, menu, stockOf } from '../commerce/fixtures.js';

// The generic audit entry of a staff change (register.ts auditAdminChange) is written in the
// change's own transaction: the two commit or roll back together.

let t: TestApp;
let admin: TestUser;
let customer: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
});
afterAll(() => t.close());

/** the generic entry of a change by `admin` unless said */
const entryOf = (action: string, resource: string, id: number | null, by = admin) => entryBy(action, resource, id, by);

afterEach(() => repairAuditLog(t));

let codes = 0;
const createDepartment = (name: string) => t.http.post('/departments/create').set(t.auth(admin)).send({ department_name: name, department_codes: `D${++codes}` });

describe('a staff change whose audit entry cannot be written', () => {
  it('is not made: create, update and delete roll back and answer an error', async () => {
    const kept = (await createDepartment('Kept').expect(200)).body.departments;
    const logs = await t.app.db.log.count();
    await breakAuditLog(t);

    const created = await createDepartment('Unlogged');
    expect(created.status).toBe(500);
    expect(created.body).toEqual({ status: 500, message: 'Internal server error' });
    expect(await t.app.db.department.count({ where: { department_name: 'Unlogged' } })).toBe(0);

    const updated = await t.http.put(`/departments/${kept.id}/update`).set(t.auth(admin)).send({ department_name: 'Renamed' });
    expect(updated.status).toBe(500);
    expect((await t.app.db.department.findUniqueOrThrow({ where: { id: kept.id } })).department_name).toBe('Kept');

    const deleted = await t.http.delete(`/departments/${kept.id}/delete`).set(t.auth(admin));
    expect(deleted.status).toBe(500);
    expect(await t.app.db.department.count({ where: { id: kept.id } })).toBe(1);

    // staff through a route open to every signed-in user (users/:id/update)
    const edited = await t.http.put(`/users/${customer.id}/update`).set(t.auth(admin)).send({ users_address: 'Jl. Unlogged 1' });
    expect(edited.status).toBe(500);
    expect((await t.app.db.user.findUniqueOrThrow({ where: { id: customer.id } })).users_address).not.toBe('Jl. Unlogged 1');

    expect(await t.app.db.log.count()).toBe(logs);
  });

  it('does not touch changes that are not audited (a customer editing their own account)', async () => {
    await breakAuditLog(t);
    await t.http.put(`/users/${customer.id}/update`).set(t.auth(customer)).send({ users_address: 'Jl. Own 2' }).expect(200);
    expect((await t.app.db.user.findUniqueOrThrow({ where: { id: customer.id } })).users_address).toBe('Jl. Own 2');
  });
});

describe('a staff change', () => {
  it('has exactly one entry, as before: who, role, action, resource, id, address and agent', async () => {
    const from = (await t.app.db.log.aggregate({ _max: { seq: true } }))._max.seq ?? 0;
    const id = (await createDepartment('Logged').set('User-Agent', 'audit-test/1').expect(200)).body.departments.id;
    await t.http.post(`/departments/${id}/update`).set(t.auth(admin)).set('User-Agent', 'audit-test/1').send({ department_name: 'Logged 2' }).expect(200);
    await t.http.delete(`/departments/${id}/delete`).set(t.auth(admin)).set('User-Agent', 'audit-test/1').expect(200);
    const rows = await t.app.db.log.findMany({ where: { seq: { gt: from } }, orderBy: { seq: 'asc' } });
    const entry = (action: string) => ({
      id_users: admin.id,
      role: 'ADMIN',
      action,
      resource: 'departments',
      resource_id: String(id),
      id_patients: null,
      outcome: 'success',
      ip: expect.stringMatching(/127\.0\.0\.1/),
      user_agent: 'audit-test/1',
      details: null,
    });
    expect(rows).toEqual([
      expect.objectContaining(entry('POST /departments/create')),
      expect.objectContaining(entry('POST /departments/:id/update')),
      expect.objectContaining(entry('DELETE /departments/:id/delete')),
    ]);
  });

  it('with its own, more precise entry (a patient) still has only that one', async () => {
    const from = (await t.app.db.log.aggregate({ _max: { seq: true } }))._max.seq ?? 0;
    const res = await t.http.post('/patients/create').set(t.auth(admin)).send(patientBody({ id_users: customer.id }));
    expect(res.status).toBe(200);
    const rows = await t.app.db.log.findMany({ where: { seq: { gt: from } } });
    expect(rows.map((r) => [r.action, r.resource, r.resource_id])).toEqual([['create', 'patients', String(res.body.patients.id)]]);
  });

  it('keeps the chain intact when many are made at once', async () => {
    const from = await t.app.db.log.count();
    const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => createDepartment(`Concurrent ${i}`).expect(200).then((r) => r.body.departments.id as number)));
    const answers = await Promise.all(
      ids.flatMap((id, i) => [
        t.http.put(`/departments/${id}/update`).set(t.auth(admin)).send({ department_name: `Concurrent ${i}b` }),
        t.http.put(`/users/${customer.id}/update`).set(t.auth(admin)).send({ users_address: `Jl. Concurrent ${i}` }),
      ]),
    );
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
    expect(await t.app.db.log.count()).toBe(from + ids.length * 3);
    expect(await verifyAuditChain(t.app.db)).toMatchObject({ ok: true });
  });
});

// ---- the orders' staff actions (money, stock and points move with them)

const staff = (path: string, body: object = {}) => t.http.put(path).set(t.auth(admin)).set('User-Agent', 'audit-test/1').send(body);

/** the fulfilment of an e-commerce order, step by step: the status each staff action reaches */
const FULFILMENT: [status: string, action: string, body?: object][] = [
  ['PAID', 'paid', { pay_channel: 'CASH' }],
  ['PREPARED', 'prepared'],
  ['PROCESSING', 'processing'],
  ['PICKUP', 'pickup'],
  ['DELIVERED', 'process/noresi', { nomor_resi: 'JNE0001' }],
];

let product = 0;
/** A checked-out e-commerce order of `customer`, then moved by staff to `status` (with a working log). */
async function orderIn(status: string) {
  if (!product) {
    product = (await menu(t, { harga: 40_000 })).id;
    await stockOf(t, product, 1000);
  }
  const id = await eCart(t, customer, [{ id_menu: product, qty: 2 }]);
  await t.http.put(`/orders/${id}/checkout`).set(t.auth(customer)).send({}).expect(200);
  if (status === 'CANCEL') await staff(`/orders/${id}/cancel`).expect(200);
  else if (status !== 'CHECKOUT') {
    for (const [reached, action, body] of FULFILMENT) {
      await staff(`/orders/${id}/${action}`, body).expect(200);
      if (reached === status) break;
    }
  }
  expect((await t.app.db.order.findUniqueOrThrow({ where: { id } })).status).toBe(status);
  return id;
}

/** Everything a staff action on an order moves: the order, its lines, payments, the stock, the customer's points, notifications. */
async function orderState(id: number) {
  const order = await t.app.db.order.findUniqueOrThrow({ where: { id } });
  return {
    order,
    items: await t.app.db.orderItem.findMany({ where: { id_order: id }, orderBy: { id: 'asc' } }),
    payments: await t.app.db.orderPayment.findMany({ where: { id_orders: id }, orderBy: { id: 'asc' } }),
    stock: await t.app.db.stock.findMany({ where: { brandstoreMenu: { idmenu: product } }, orderBy: { id: 'asc' } }),
    points: await t.app.db.userPoint.findMany({ where: { id_users: order.id_member }, orderBy: { id: 'asc' } }),
    notifications: await t.app.db.notification.count(),
  };
}

const ORDER_ACTIONS: [action: string, from: string, body?: object][] = [
  ['paid', 'CHECKOUT', { pay_channel: 'CASH' }],
  ['unpaid', 'PAID'],
  ['prepared', 'PAID'],
  ['unprepare', 'PREPARED'],
  ['processing', 'PREPARED'],
  ['unprocessing', 'PROCESSING'],
  ['pickup', 'PROCESSING'],
  ['unpickup', 'PICKUP'],
  ['process/noresi', 'PICKUP', { nomor_resi: 'JNE0002' }],
  ['consignee', 'DELIVERED'],
  ['cancel', 'PAID'],
  ['uncancel', 'CANCEL'],
];

describe("an order's staff action whose audit entry cannot be written", () => {
  it.each(ORDER_ACTIONS)('orders/:id/%s (from %s) is not made: an error, and the order, its payment, stock and points as they were', async (action, from, body) => {
    const id = await orderIn(from);
    const before = await orderState(id);
    const logs = await t.app.db.log.count();
    await breakAuditLog(t);

    const res = await staff(`/orders/${id}/${action}`, body);
    expect(res.status).toBe(500);
    expect(res.body).toEqual(REFUSED);
    expect(await orderState(id)).toEqual(before);
    expect(await t.app.db.log.count()).toBe(logs);
  });
});

describe("an order's staff action", () => {
  it('has exactly one entry, as before', async () => {
    const id = await orderIn('CHECKOUT');
    const other = await orderIn('CHECKOUT');
    const from = await lastSeq(t);
    const steps: [number, string, object?][] = [
      [id, 'paid', { pay_channel: 'CASH' }],
      [id, 'unpaid'],
      [id, 'paid', { pay_channel: 'TRANSFER' }],
      [id, 'prepared'],
      [id, 'unprepare'],
      [id, 'prepared'],
      [id, 'processing'],
      [id, 'unprocessing'],
      [id, 'processing'],
      [id, 'pickup'],
      [id, 'unpickup'],
      [id, 'process/noresi', { nomor_resi: 'JNE0003' }],
      [id, 'consignee'],
      [other, 'cancel', { cancel_reason: 'asked by the customer' }],
      [other, 'uncancel'],
    ];
    for (const [orderId, action, body] of steps) await staff(`/orders/${orderId}/${action}`, body).expect(200);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id } })).status).toBe('DONE');
    expect(await logsAfter(t, from)).toEqual(steps.map(([orderId, action]) => expect.objectContaining(entryOf(`PUT /orders/:id/${action}`, 'orders', orderId))));
  });
});

describe("orders' staff actions made at once", () => {
  it('each commit with their entry, and the chain stays intact', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push(await orderIn('CHECKOUT'));
    const from = await t.app.db.log.count();
    const answers = await Promise.all(
      ids.flatMap((id, i) => [
        staff(`/orders/${id}/paid`, { pay_channel: 'CASH' }),
        t.http.put(`/users/${customer.id}/update`).set(t.auth(admin)).send({ users_address: `Jl. Orders ${i}` }),
      ]),
    );
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
    expect(await t.app.db.order.count({ where: { id: { in: ids }, status: 'PAID' } })).toBe(ids.length);
    expect(await t.app.db.log.count()).toBe(from + ids.length * 2);
    expect(await verifyAuditChain(t.app.db)).toMatchObject({ ok: true });
  });
});

// ---- store stock and store products, accounts

async function storeProduct(quantity: number) {
  const m = await menu(t);
  const stock = await stockOf(t, m.id, quantity);
  return { id: stock.idbrandstoremenus, menuId: m.id, stockId: stock.id };
}
const stockState = async (id: number) => ({
  stock: await t.app.db.stock.findMany({ where: { idbrandstoremenus: id } }),
  movements: await t.app.db.stockMovement.count(),
});
const accountState = (id: number) =>
  t.app.db.user.findUniqueOrThrow({ where: { id }, select: { password_hash: true, token_version: true, is_password_reset_required: true, is_blocked: true, num_of_login_attempts: true } });
const post = (path: string, u: TestUser, body: object = {}) => t.http.post(path).set(t.auth(u)).set('User-Agent', 'audit-test/1').send(body);
const newPassword = { new_password: 'changed-pass-456', new_password_confirm: 'changed-pass-456' };

describe('a stock, store product or account change whose audit entry cannot be written', () => {
  it('brandstore_menus/:id/stocks: the stock is as it was, no movement recorded', async () => {
    const sm = await storeProduct(7);
    const before = await stockState(sm.id);
    await breakAuditLog(t);
    for (const body of [{ quantitytotal: 20 }, { delta: -3 }]) {
      expect((await post(`/brandstore_menus/${sm.id}/stocks`, admin, body)).body).toEqual(REFUSED);
      expect(await stockState(sm.id)).toEqual(before);
    }
  });

  it('brandstore_menus/create/bulk and :id/duplicates: no store product or stock row is made', async () => {
    const sm = await storeProduct(7);
    const store = await t.app.db.brandstore.create({ data: { nama: 'Cabang Unlogged' } });
    const m = await menu(t);
    const rows = async () => [await t.app.db.brandstoreMenu.count(), await t.app.db.stock.count(), await t.app.db.stockMovement.count()];
    const before = await rows();
    await breakAuditLog(t);
    const bulk = await post('/brandstore_menus/create/bulk', admin, [{ idmenu: m.id, idbrandstore: store.id, quantitytotal: 5 }]);
    expect(bulk.status).toBe(500);
    expect(bulk.body).toEqual(REFUSED);
    const copy = await post(`/brandstore_menus/${sm.id}/duplicates`, admin, { idbrandstore: store.id });
    expect(copy.status).toBe(500);
    expect(await rows()).toEqual(before);
  });

  it('users/:id/unblock: the account stays blocked', async () => {
    const blocked = await t.user(['CUSTOMER'], { is_blocked: 1, num_of_login_attempts: 5 });
    await breakAuditLog(t);
    const res = await post(`/users/${blocked.id}/unblock`, admin);
    expect(res.status).toBe(500);
    expect(await accountState(blocked.id)).toMatchObject({ is_blocked: 1, num_of_login_attempts: 5 });
  });

  it("users/:id/update/password/admin and a staff member's own update/password: the password and sessions are as they were", async () => {
    const target = await t.user(['CUSTOMER']);
    const clerk = await t.user(['ADMIN']);
    const before = [await accountState(target.id), await accountState(clerk.id)];
    await breakAuditLog(t);
    expect((await post(`/users/${target.id}/update/password/admin`, admin, newPassword)).body).toEqual(REFUSED);
    expect((await post(`/users/${clerk.id}/update/password`, clerk, { prev_password: TEST_PASSWORD, ...newPassword })).body).toEqual(REFUSED);
    expect([await accountState(target.id), await accountState(clerk.id)]).toEqual(before);
    // the sessions the change would have ended still work
    await t.http.get('/users/data').set(t.auth(clerk)).expect(200);
    await t.http.get('/users/data').set(t.auth(target)).expect(200);
  });

  it('a sign-in: no token, and the account does not record it as its last sign-in', async () => {
    const u = await t.user(['CUSTOMER']);
    await breakAuditLog(t);
    const res = await t.http.post('/users/login').send({ act: 'login', username: u.username, password: TEST_PASSWORD, app: 'mobile' });
    expect(res.body).toEqual(REFUSED);
    // a right password is no failed attempt, and the sign-in that did not happen is not the last one
    expect(await t.app.db.user.findUniqueOrThrow({ where: { id: u.id }, select: { last_login_at: true, num_of_login_attempts: true } })).toEqual({ last_login_at: null, num_of_login_attempts: 0 });
    await repairAuditLog(t);
    await t.http.post('/users/login').send({ act: 'login', username: u.username, password: TEST_PASSWORD, app: 'mobile' }).expect(200);
    expect((await t.app.db.user.findUniqueOrThrow({ where: { id: u.id } })).last_login_at).not.toBeNull();
  });

  it("does not touch a customer's own password change (not audited)", async () => {
    const own = await t.user(['CUSTOMER']);
    await breakAuditLog(t);
    await post(`/users/${own.id}/update/password`, own, { prev_password: TEST_PASSWORD, ...newPassword }).expect(200);
    // changed: the sessions before it end (signing in is audited, so not tried here)
    expect(await accountState(own.id)).toMatchObject({ token_version: 1 });
  });
});

describe('a stock, store product or account change', () => {
  it('has exactly one entry, as before', async () => {
    const sm = await storeProduct(7);
    const store = await t.app.db.brandstore.create({ data: { nama: 'Cabang Logged' } });
    const m = await menu(t);
    const blocked = await t.user(['CUSTOMER'], { is_blocked: 1, num_of_login_attempts: 5 });
    const target = await t.user(['CUSTOMER']);
    const clerk = await t.user(['ADMIN']);
    const from = await lastSeq(t);

    const set = await post(`/brandstore_menus/${sm.id}/stocks`, admin, { quantitytotal: 20 }).expect(200);
    expect(set.body.brandstoremenus.stocks[0].quantitytotal).toBe(20);
    await t.http.put(`/brandstore_menus/${sm.id}/stocks`).set(t.auth(admin)).set('User-Agent', 'audit-test/1').send({ delta: -3 }).expect(200);
    const bulk = await post('/brandstore_menus/create/bulk', admin, [{ idmenu: m.id, idbrandstore: store.id, quantitytotal: 5 }]).expect(200);
    expect(bulk.body.brandstoremenus).toHaveLength(1);
    await post(`/brandstore_menus/${sm.id}/duplicates`, admin, { idbrandstore: store.id }).expect(200);
    await post(`/users/${blocked.id}/unblock`, admin).expect(200);
    await post(`/users/${target.id}/update/password/admin`, admin, newPassword).expect(200);
    await post(`/users/${clerk.id}/update/password`, clerk, { prev_password: TEST_PASSWORD, ...newPassword }).expect(200);

    expect(await t.app.db.stock.findMany({ where: { idbrandstoremenus: sm.id }, select: { quantitytotal: true } })).toEqual([{ quantitytotal: 17 }]);
    expect(await accountState(blocked.id)).toMatchObject({ is_blocked: 0, num_of_login_attempts: 0 });
    expect(await logsAfter(t, from)).toEqual([
      expect.objectContaining(entryOf('POST /brandstore_menus/:id/stocks', 'brandstore_menus', sm.id)),
      expect.objectContaining(entryOf('PUT /brandstore_menus/:id/stocks', 'brandstore_menus', sm.id)),
      expect.objectContaining(entryOf('POST /brandstore_menus/create/bulk', 'brandstore_menus', null)),
      expect.objectContaining(entryOf('POST /brandstore_menus/:id/duplicates', 'brandstore_menus', sm.id)),
      expect.objectContaining(entryOf('POST /users/:id/unblock', 'users', blocked.id)),
      expect.objectContaining(entryOf('POST /users/:id/update/password/admin', 'users', target.id)),
      expect.objectContaining(entryOf('POST /users/:id/update/password', 'users', clerk.id, clerk)),
    ]);
  });
});

// Reads sent as POST (the document's method) are not changes: the machinery wrote a "change" entry
// for every staff or doctor call of these, and with the log unavailable REFUSED the read.
describe('reads sent as POST', () => {
  it('answer with the audit log unavailable, and write no change entry', async () => {
    const doctor = await t.user(['DOCTOR']);
    const reads: [TestUser, string, object][] = [
      [admin, '/threads/adminview', {}],
      [admin, '/threads/overview', {}],
      [doctor, '/threads/overview/doctors', {}],
      [admin, '/user_schedules/check/doctor/availability', { id_doctors: 1 }],
      [admin, '/user_schedules/timeline', { date_from: '2026-01-01', date_to: '2026-01-31' }],
      [admin, '/deliveries/calculate/byweight', { city_id_origin: 11, city_id_destination: 53, weight: 1000, courier: 'jne' }],
    ];
    const seq = await lastSeq(t);
    await breakAuditLog(t);
    for (const [who, path, body] of reads) {
      const r = await t.http.post(path).set(t.auth(who)).set('User-Agent', 'audit-test/1').send(body);
      expect([path, r.status < 500]).toEqual([path, true]);
    }
    await repairAuditLog(t);
    for (const [who, path, body] of reads) await t.http.post(path).set(t.auth(who)).send(body);
    expect(await logsAfter(t, seq)).toEqual([]);
  });
});

