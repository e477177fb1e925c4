import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { whileHolding } from '../helpers/interleave.js';
import { doctor, patientOf } from '../commerce/fixtures.js';

// A doctor (profile, or an account acting as a thread's doctor) who still owes paid consultations
// cannot go: the thread would be left without its doctor, or a payment would open one to nobody.
// No Midtrans keys: the built-in payment simulator.
let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await createTestApp({ CONSULTATION_WINDOW_MINUTES: '60' });
  admin = await t.user(['ADMIN']);
  await t.user(['OWNER']); // not the last owner: accounts may be deleted
});
afterAll(() => t.close());

const put = (path: string, u: TestUser, body: object = {}) => t.http.put(path).set(t.auth(u)).send(body);
const delDoctor = (id: number) => t.http.delete(`/doctors/${id}/delete`).set(t.auth(admin));

/** a customer's consultation cart with the doctor, ready for checkout */
async function consultationCart(doctorId: number) {
  const u = await t.user(['CUSTOMER']);
  const patient = await patientOf(t, u);
  const id = (await t.http.post('/orders/init').set(t.auth(u)).send({ id_patients: patient.id, order_type: 'C' })).body.orders.id as number;
  await t.http.post('/orders/c_add_to_carts').set(t.auth(u)).send({ id_order: id, items: [{ id_doctors: doctorId, qty: 1 }] }).expect(200);
  return { u, id };
}
async function checkedOut(doctorId: number) {
  const c = await consultationCart(doctorId);
  await put(`/orders/${c.id}/checkout`, c.u).expect(200);
  return c;
}
async function paid(doctorId: number) {
  const c = await checkedOut(doctorId);
  await put(`/orders/${c.id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
  return { ...c, thread: await t.app.db.thread.findFirstOrThrow({ where: { id_order: c.id } }) };
}

describe('doctors/:id/delete while the doctor owes consultations', () => {
  it('is refused (409) while a consultation checkout awaits payment, and while its paid thread is open', async () => {
    const d = await doctor(t);
    const { id } = await checkedOut(d.id);
    const waiting = await delDoctor(d.id);
    expect([waiting.status, waiting.body.message]).toEqual([409, 'This doctor has 1 consultation checkout awaiting payment; cancel it first']);
    await put(`/orders/${id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
    const thread = await t.app.db.thread.findFirstOrThrow({ where: { id_order: id } });
    const open = await delDoctor(d.id);
    expect([open.status, open.body.message]).toEqual([409, 'This doctor has 1 open paid consultation; close it or hand it to another doctor first']);
    expect((await t.app.db.doctor.findUniqueOrThrow({ where: { id: d.id } })).deleted_at).toBeNull();
    // closed, the consultation is over: the doctor may go
    await put(`/threads/${thread.id}/close`, admin).expect(200);
    expect((await delDoctor(d.id)).body).toEqual({ deleted: true });
  });

  it('is allowed once the checkout is cancelled, and when the paid thread is past its window', async () => {
    const d = await doctor(t);
    const { id } = await checkedOut(d.id);
    await put(`/orders/${id}/cancel`, admin).expect(200);
    await paid(d.id);
    const later = new Date(Date.now() + 2 * 3600_000);
    t.app.now = () => later;
    try {
      expect((await delDoctor(d.id)).body).toEqual({ deleted: true });
    } finally {
      t.app.now = () => new Date();
    }
  });

  it('a paid thread handed to another doctor no longer holds the first one', async () => {
    const d = await doctor(t);
    const { thread } = await paid(d.id);
    const next = await t.user(['DOCTOR']);
    await put(`/threads/${thread.id}/update`, admin, { id_user_to: next.id }).expect(200);
    expect((await delDoctor(d.id)).body).toEqual({ deleted: true });
  });
});

describe('the account of a thread’s doctor', () => {
  it('cannot be deleted, nor lose the DOCTOR role, while it is the doctor of an open paid consultation (409)', async () => {
    const d = await doctor(t);
    const { thread } = await paid(d.id);
    // an account with the DOCTOR role but no doctor profile takes the thread over
    const next = await t.user(['DOCTOR']);
    await put(`/threads/${thread.id}/update`, admin, { id_user_to: next.id }).expect(200);
    const role = await t.app.db.userRole.findFirstOrThrow({ where: { id_users: next.id, role_codes: 'DOCTOR' } });
    const attempts = [
      () => t.http.delete(`/users/${next.id}/delete`).set(t.auth(admin)),
      () => put(`/users/${next.id}/update`, admin, { roles: ['CUSTOMER'] }),
      () => t.http.delete(`/roles/${role.id}/delete`).set(t.auth(admin)),
      () => put(`/roles/${role.id}/update`, admin, { iduser: next.id, rolecodes: 'ADMIN' }),
    ];
    for (const attempt of attempts) {
      const res = await attempt();
      expect([res.status, res.body.message]).toEqual([409, expect.stringMatching(/: the user is the doctor of 1 open paid consultation; close it or hand it to another doctor first$/)]);
    }
    expect(await t.app.db.userRole.count({ where: { id_users: next.id, role_codes: 'DOCTOR' } })).toBe(1);
    expect((await t.app.db.user.findUniqueOrThrow({ where: { id: next.id } })).deleted_at).toBeNull();
    await put(`/threads/${thread.id}/close`, admin).expect(200);
    expect((await t.http.delete(`/users/${next.id}/delete`).set(t.auth(admin))).status).toBe(200);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('a consultation checkout racing with the deletion of its doctor', () => {
  it('waits for the deletion and is refused (422): no checkout is left awaiting payment for a deleted doctor', async () => {
    const d = await doctor(t);
    const { u, id } = await consultationCart(d.id);
    // what doctors/:id/delete does once its checks passed: the doctor's row locked, then deleted
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM doctors WHERE id = ${d.id} FOR UPDATE`,
      () => put(`/orders/${id}/checkout`, u).then((r) => r),
      (tx) => tx.doctor.update({ where: { id: d.id }, data: { deleted_at: new Date() } }),
    );
    expect([res.status, res.body.message]).toEqual([422, 'The chosen doctor is no longer available']);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id } })).status).toBe('SHOPPING CARTS');
  });
});

describe('a consultation paid again after its doctor was deleted', () => {
  it('its payment cannot be undone (409): the checkout it leaves would open a thread to the deleted doctor once paid', async () => {
    const d = await doctor(t);
    const { id, thread } = await paid(d.id);
    // the consultation is over: the doctor may go, and the account with it
    await put(`/threads/${thread.id}/close`, admin).expect(200);
    expect((await delDoctor(d.id)).body).toEqual({ deleted: true });
    const undo = await put(`/orders/${id}/unpaid`, admin);
    expect([undo.status, undo.body.message]).toEqual([409, 'The consultation’s doctor is no longer available: cancel the order instead']);
    const o = await t.app.db.order.findUniqueOrThrow({ where: { id } });
    expect([o.status, o.is_paid]).toEqual(['PAID', 1]);
    // cancelling it (a refund) stays possible
    await put(`/orders/${id}/cancel`, admin).expect(200);
    expect((await t.app.db.thread.findUniqueOrThrow({ where: { id: thread.id } })).is_closed).toBe(1);
  });
});

describe('a consultation with oneself', () => {
  it('is refused (422) at c_add_to_carts, also when staff fill the cart: its thread would be the doctor’s to themselves', async () => {
    const u = await t.user(['DOCTOR']);
    const d = await t.app.db.doctor.create({ data: { id_users: u.id, custom_price: 100_000, is_active: 1 } });
    const patient = await patientOf(t, u);
    const init = await t.http.post('/orders/init').set(t.auth(u)).send({ id_patients: patient.id, order_type: 'C' }).expect(200);
    const id = init.body.orders.id as number;
    for (const who of [u, admin]) {
      const res = await t.http.post('/orders/c_add_to_carts').set(t.auth(who)).send({ id_order: id, items: [{ id_doctors: d.id, qty: 1 }] });
      expect([res.status, res.body.errors]).toEqual([422, [{ field: 'id_doctors', message: 'the customer’s own doctor profile' }]]);
    }
    expect(await t.app.db.orderExtra.count({ where: { id_orders: id } })).toBe(0);
    // another doctor is fine
    const other = await doctor(t);
    await t.http.post('/orders/c_add_to_carts').set(t.auth(u)).send({ id_order: id, items: [{ id_doctors: other.id, qty: 1 }] }).expect(200);
  });

  it('is refused (422) at checkout when the doctor profile was given to the customer’s account since', async () => {
    const u = await t.user(['DOCTOR']);
    const { id } = await (async () => {
      const d = await doctor(t);
      const patient = await patientOf(t, u);
      const cart = (await t.http.post('/orders/init').set(t.auth(u)).send({ id_patients: patient.id, order_type: 'C' })).body.orders.id as number;
      await t.http.post('/orders/c_add_to_carts').set(t.auth(u)).send({ id_order: cart, items: [{ id_doctors: d.id, qty: 1 }] }).expect(200);
      await put(`/doctors/${d.id}/update`, admin, { id_users: u.id }).expect(200);
      return { id: cart };
    })();
    const res = await put(`/orders/${id}/checkout`, u);
    expect([res.status, res.body.errors]).toEqual([422, [{ field: 'id_doctors', message: 'the customer’s own doctor profile' }]]);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id } })).status).toBe('SHOPPING CARTS');
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('undoing a consultation’s payment while its doctor is deleted', () => {
  it('waits for the deletion and is refused (409): no checkout is left awaiting payment for a deleted doctor', async () => {
    const d = await doctor(t);
    const { id, thread } = await paid(d.id);
    await put(`/threads/${thread.id}/close`, admin).expect(200);
    // what doctors/:id/delete does once its checks passed: the doctor's row locked, then deleted
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM doctors WHERE id = ${d.id} FOR UPDATE`,
      () => put(`/orders/${id}/unpaid`, admin).then((r) => r),
      (tx) => tx.doctor.update({ where: { id: d.id }, data: { deleted_at: new Date() } }),
    );
    expect([res.status, res.body.message]).toEqual([409, 'The consultation’s doctor is no longer available: cancel the order instead']);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id } })).status).toBe('PAID');
  });
});

describe('the consultation price of a doctor whose main service was deleted', () => {
  it('is none (the doctor shows no service): c_add_to_carts and a checkout refuse it (422), as for a doctor with no price set', async () => {
    const svc = await t.app.db.service.create({ data: { services_name: `Konsultasi ${Math.random().toString(36).slice(2, 7)}`, buffer_time: 30, services_price: 120_000 } });
    const d = await doctor(t, 0);
    await t.app.db.doctor.update({ where: { id: d.id }, data: { id_services: svc.id } });
    // priced by its service while it lives
    const { u, id } = await consultationCart(d.id);
    expect((await t.app.db.orderExtra.findFirstOrThrow({ where: { id_orders: id } })).extra_prices).toBe(120_000);
    expect((await t.http.delete(`/services/${svc.id}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
    expect((await t.http.get(`/doctors/${d.id}`)).body.doctors).toMatchObject({ custom_price: 0, services: null });
    const checkout = await put(`/orders/${id}/checkout`, u);
    expect([checkout.status, checkout.body.errors]).toEqual([422, [{ field: 'id_doctors', message: 'no consultation price set' }]]);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id } })).status).toBe('SHOPPING CARTS');
    const other = await t.user(['CUSTOMER']);
    const patient = await patientOf(t, other);
    const cart = (await t.http.post('/orders/init').set(t.auth(other)).send({ id_patients: patient.id, order_type: 'C' })).body.orders.id as number;
    const add = await t.http.post('/orders/c_add_to_carts').set(t.auth(other)).send({ id_order: cart, items: [{ id_doctors: d.id, qty: 1 }] });
    expect([add.status, add.body.errors]).toEqual([422, [{ field: 'id_doctors', message: 'no consultation price set' }]]);
  });
});
