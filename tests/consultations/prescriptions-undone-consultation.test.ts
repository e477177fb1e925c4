import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signature, signingKey } from '../../src/adapters/midtrans.js';
import { simulatedNotification } from '../../src/modules/commerce/payments.service.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { patientOf, setCourier } from '../commerce/fixtures.js';
import { createMenu } from './fixtures.js';

// A prescription is written in a consultation somebody paid for. Once that consultation's order is
// cancelled (staff's cancel, a refund or chargeback from Midtrans) or its payment undone (`unpaid`),
// its prescriptions were still redeemed and checked out: prescription-only products sold on a
// consultation the clinic gave the money back for. No Midtrans keys: the built-in simulator.
let t: TestApp;
let admin: TestUser;
let doctorId: number;
let doctorUser: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  doctorUser = await t.user(['DOCTOR']);
  doctorId = (await t.app.db.doctor.create({ data: { id_users: doctorUser.id, custom_price: 100_000 } })).id;
});
afterAll(() => t.close());

const put = (path: string, u: TestUser, body: object = {}) => t.http.put(path).set(t.auth(u)).send(body);
const undone = 'This prescription’s consultation was cancelled or is no longer paid: it cannot be redeemed';

/** A consultation of a new customer checked out through the API (not paid yet). */
async function checkedOutConsultation() {
  const customer = await t.user(['CUSTOMER']);
  const patient = await patientOf(t, customer);
  const id = (await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: patient.id, order_type: 'C' })).body.orders.id as number;
  await t.http.post('/orders/c_add_to_carts').set(t.auth(customer)).send({ id_order: id, items: [{ id_doctors: doctorId, qty: 1 }] }).expect(200);
  await put(`/orders/${id}/checkout`, customer).expect(200);
  return { orderId: id, customer, patient };
}

/** ... paid by staff, with a prescription of a new prescription-only product written in its thread. */
async function prescribed(qty = 1) {
  const c = await checkedOutConsultation();
  await put(`/orders/${c.orderId}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
  return withPrescription(c, qty);
}

async function withPrescription<C extends { orderId: number }>(c: C, qty = 1) {
  const threadId = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: c.orderId } })).id;
  const product = await createMenu(t, { nama_menus: `Tretinoin ${Math.random().toString(36).slice(2, 7)}` });
  const rx = await t.http.post('/thread_messages/prescriptions').set(t.auth(doctorUser)).send({ id_threads: threadId, id_menu: product.id, qty });
  expect(rx.status, rx.text).toBe(200);
  return { ...c, threadId, productId: product.id, rx: rx.body.thread_messages.id as number };
}

type Prescribed = Awaited<ReturnType<typeof prescribed>>;
const redeem = (c: Prescribed) =>
  t.http.post('/menu_reedems/add_to_carts').set(t.auth(c.customer)).send({ id_threads: c.threadId, id_menu: c.productId, id_thread_messages: c.rx });
const openCart = (c: Prescribed) => t.app.db.order.findFirst({ where: { id_member: c.customer.id, order_type: 'E', cart_open: 1 } });
const checkout = async (c: Prescribed) => {
  const cart = (await openCart(c))!;
  await setCourier(t, cart.id);
  return { cartId: cart.id, res: await put(`/orders/${cart.id}/checkout`, c.customer, { alamat_kirim: 'Jalan Dago 10, Bandung' }) };
};

/** A full refund of the attempt that paid `orderId`, as Midtrans notifies it. */
async function refundThroughMidtrans(orderId: number, status: 'refund' | 'chargeback' = 'refund') {
  const p = await t.app.db.orderPayment.findFirstOrThrow({ where: { id_orders: orderId, status: 'PAID' } });
  const paid = simulatedNotification(t.app, p, 'settlement');
  const code = '200';
  const n = { ...paid, transaction_status: status, status_code: code, refund_amount: paid.gross_amount, signature_key: signature(paid.order_id, code, paid.gross_amount, signingKey(t.app)) };
  return (await t.http.post('/payments/webhooks/midtrans').send(n)).body.result as string;
}

describe('a prescription of a consultation whose order was cancelled or is no longer paid', () => {
  it('is not redeemed once staff cancelled the paid consultation (422); nothing goes into a cart', async () => {
    const c = await prescribed();
    await put(`/orders/${c.orderId}/cancel`, admin, { cancel_reason: 'dokter berhalangan' }).expect(200);
    const res = await redeem(c);
    expect([res.status, res.body.message]).toEqual([422, undone]);
    expect(await openCart(c)).toBeNull();
    expect(await t.app.db.menuReedem.count({ where: { id_thread_messages: c.rx } })).toBe(0);
    // the message itself stays as the doctor wrote it (the consultation is a record), not redeemed
    const m = await t.http.get(`/thread_messages/${c.rx}`).set(t.auth(c.customer)).expect(200);
    expect(m.body.thread_messages.is_redeemed).toBe(0);
  });

  for (const status of ['refund', 'chargeback'] as const) {
    it(`is not redeemed once Midtrans reported the consultation's payment ${status === 'refund' ? 'refunded' : 'charged back'} in full (422)`, async () => {
      const c = await checkedOutConsultation();
      const p = await t.app.db.orderPayment.findFirstOrThrow({ where: { id_orders: c.orderId, status: 'PENDING' } });
      expect((await t.http.post('/payments/webhooks/midtrans').send(simulatedNotification(t.app, p, 'settlement'))).body.result).toBe('paid');
      const rx = await withPrescription(c);
      expect((await redeem(rx)).status).toBe(200);
      await t.http.delete(`/orders/${(await openCart(rx))!.id}/delete`).set(t.auth(c.customer)).expect(200);
      expect(await refundThroughMidtrans(c.orderId, status)).toBe('reversed');
      const res = await redeem(rx);
      expect([res.status, res.body.message]).toEqual([422, undone]);
      expect(await openCart(rx)).toBeNull();
    });
  }

  it('is not redeemed once Midtrans took back in full a consultation already DONE (not cancelled: staff settle it), nor is its thread reopened', async () => {
    const c = await checkedOutConsultation();
    const p = await t.app.db.orderPayment.findFirstOrThrow({ where: { id_orders: c.orderId, status: 'PENDING' } });
    expect((await t.http.post('/payments/webhooks/midtrans').send(simulatedNotification(t.app, p, 'settlement'))).body.result).toBe('paid');
    const rx = await withPrescription(c);
    await t.app.db.order.update({ where: { id: c.orderId }, data: { status: 'DONE' } });
    await put(`/threads/${rx.threadId}/close`, doctorUser).expect(200);
    expect(await refundThroughMidtrans(c.orderId)).toBe('reversed_manual');
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id: c.orderId } })).toMatchObject({ status: 'DONE', is_paid: 1 });
    const res = await redeem(rx);
    expect([res.status, res.body.message]).toEqual([422, undone]);
    expect(await openCart(rx)).toBeNull();
    const reopen = await put(`/threads/${rx.threadId}/reopen`, doctorUser);
    expect([reopen.status, reopen.body.message]).toEqual([409, 'The consultation’s order is not paid: the thread cannot be reopened']);
  });

  it('is not redeemed while the payment is undone (`unpaid`), and is again once the consultation is paid again', async () => {
    const c = await prescribed(2);
    await put(`/orders/${c.orderId}/unpaid`, admin).expect(200);
    const res = await redeem(c);
    expect([res.status, res.body.message]).toEqual([422, undone]);
    await put(`/orders/${c.orderId}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
    const again = await redeem(c);
    expect(again.status, again.text).toBe(200);
    expect((await t.app.db.orderItem.findFirstOrThrow({ where: { id_order: (await openCart(c))!.id } })).qty).toBe(2);
  });

  it('without naming the prescription: the newest of the product is refused the same way', async () => {
    const c = await prescribed();
    await put(`/orders/${c.orderId}/cancel`, admin).expect(200);
    const res = await t.http.post('/menu_reedems/add_to_carts').set(t.auth(c.customer)).send({ id_threads: c.threadId, id_menu: c.productId });
    expect([res.status, res.body.message]).toEqual([422, undone]);
  });
});

describe('a cart line of a prescription whose consultation was cancelled after it was redeemed', () => {
  it('is refused at checkout (422), as a line of an expired prescription; the line can be removed', async () => {
    const c = await prescribed(2);
    await redeem(c).expect(200);
    await put(`/orders/${c.orderId}/cancel`, admin, { cancel_reason: 'refund' }).expect(200);
    const { cartId, res } = await checkout(c);
    expect(res.status, res.text).toBe(422);
    expect(res.body.message).toMatch(/^The prescription for Tretinoin \w+ is no longer valid: its consultation was cancelled or is no longer paid; remove it from the cart$/);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id: cartId } })).status).toBe('SHOPPING CARTS');
    // still is_redeemed (it backs the line), and the line can be removed
    const line = await t.app.db.orderItem.findFirstOrThrow({ where: { id_order: cartId } });
    expect((await t.http.delete(`/order_items/${line.id}/delete`).set(t.auth(c.customer))).body).toEqual({ deleted: true });
  });

  it('a line also backed by a prescription of a consultation still paid checks out at that prescription’s qty', async () => {
    // two consultations of the same customer and patient, each with a prescription of the product
    const first = await prescribed(1);
    const second = { ...(await paidConsultationOf(first.customer, first.patient.id)), customer: first.customer };
    const rx2 = await t.http.post('/thread_messages/prescriptions').set(t.auth(doctorUser)).send({ id_threads: second.threadId, id_menu: first.productId, qty: 1 });
    expect(rx2.status, rx2.text).toBe(200);
    await redeem(first).expect(200);
    await t.http.post('/menu_reedems/add_to_carts').set(t.auth(first.customer)).send({ id_threads: second.threadId, id_menu: first.productId, id_thread_messages: rx2.body.thread_messages.id }).expect(200);
    const cart = (await openCart(first))!;
    expect((await t.app.db.orderItem.findFirstOrThrow({ where: { id_order: cart.id, id_menu: first.productId } })).qty).toBe(2);
    await put(`/orders/${first.orderId}/cancel`, admin).expect(200);
    const refused = await checkout(first);
    expect(refused.res.status, refused.res.text).toBe(422);
    expect(refused.res.body.message).toMatch(/no longer valid: its consultation was cancelled/);
    const line = await t.app.db.orderItem.findFirstOrThrow({ where: { id_order: cart.id, id_menu: first.productId } });
    await put(`/order_items/${line.id}/update`, first.customer, { qty: 1 }).expect(200);
    await setCourier(t, cart.id); // a lighter cart: quoted again
    const ok = await put(`/orders/${cart.id}/checkout`, first.customer, { alamat_kirim: 'Jalan Dago 10, Bandung' });
    expect(ok.status, ok.text).toBe(200);
  });
});

/** A consultation of an existing customer and patient, checked out and paid by staff; its thread. */
async function paidConsultationOf(customer: TestUser, patientId: number) {
  const id = (await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: patientId, order_type: 'C' })).body.orders.id as number;
  await t.http.post('/orders/c_add_to_carts').set(t.auth(customer)).send({ id_order: id, items: [{ id_doctors: doctorId, qty: 1 }] }).expect(200);
  await put(`/orders/${id}/checkout`, customer).expect(200);
  await put(`/orders/${id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
  return { orderId: id, threadId: (await t.app.db.thread.findFirstOrThrow({ where: { id_order: id } })).id };
}

// The other way round: the e-commerce order a prescription was redeemed into is refunded in full.
// Decided to leave it used (409), as for a paid order staff cancelled: the paid sale rests on the
// prescription (menu_reedems keeps pointing at that order; redeeming again would move it away), and
// whether the goods left the clinic is not something the refund says. A new prescription is the way.
describe('a prescription whose paid e-commerce order Midtrans refunded in full', () => {
  it('stays used (409), as once staff cancel a paid order', async () => {
    const c = await prescribed();
    await redeem(c).expect(200);
    const { cartId, res } = await checkout(c);
    expect(res.status, res.text).toBe(200);
    const p = await t.app.db.orderPayment.findFirstOrThrow({ where: { id_orders: cartId, status: 'PENDING' } });
    expect((await t.http.post('/payments/webhooks/midtrans').send(simulatedNotification(t.app, p, 'settlement'))).body.result).toBe('paid');
    expect(await refundThroughMidtrans(cartId)).toBe('reversed');
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id: cartId } })).toMatchObject({ status: 'CANCEL', is_paid: 1 });
    const again = await redeem(c);
    expect([again.status, again.body.message]).toEqual([409, 'This prescription is already in a cart']);
  });
});
