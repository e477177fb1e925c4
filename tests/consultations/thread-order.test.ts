import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { patientOf } from '../commerce/fixtures.js';
import { createConsultationOrder, pay } from './fixtures.js';
import { signature, signingKey } from '../../src/adapters/midtrans.js';
import { simulatedNotification } from '../../src/modules/commerce/payments.service.js';

// A consultation thread and its order: reopening is for a paid consultation, and the window shown
// by orders/:id (consultation_closed) is the thread's (estimate_done_at).
// No Midtrans keys: the built-in payment simulator.
let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await createTestApp({ CONSULTATION_WINDOW_MINUTES: '60' });
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());

const put = (path: string, u: TestUser, body: object = {}) => t.http.put(path).set(t.auth(u)).send(body);

/** A consultation order (C) with a new doctor, checked out by a new customer and not paid yet. */
async function checkedOutConsultation() {
  const doctorUser = await t.user(['DOCTOR']);
  const d = await t.app.db.doctor.create({ data: { id_users: doctorUser.id, custom_price: 100_000 } });
  const u = await t.user(['CUSTOMER']);
  const patient = await patientOf(t, u);
  const id = (await t.http.post('/orders/init').set(t.auth(u)).send({ id_patients: patient.id, order_type: 'C' })).body.orders.id as number;
  await t.http.post('/orders/c_add_to_carts').set(t.auth(u)).send({ id_order: id, items: [{ id_doctors: d.id, qty: 1 }] }).expect(200);
  await put(`/orders/${id}/checkout`, u).expect(200);
  return { id, customer: u, doctor: doctorUser };
}
async function paidConsultation() {
  const c = await checkedOutConsultation();
  await put(`/orders/${c.id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
  const thread = await t.app.db.thread.findFirstOrThrow({ where: { id_order: c.id } });
  return { ...c, threadId: thread.id };
}
const thread = (id: number) => t.app.db.thread.findUniqueOrThrow({ where: { id } });
/** the window as the two answers show it */
async function windows(orderId: number, threadId: number) {
  const o = await t.http.get(`/orders/${orderId}`).set(t.auth(admin)).expect(200);
  const th = await t.http.get(`/threads/${threadId}`).set(t.auth(admin)).expect(200);
  return { order: o.body.orders.consultation_closed, thread: th.body.threads.estimate_done_at };
}

describe('reopening a consultation nobody pays for', () => {
  for (const [undo, body] of [
    ['unpaid', {}],
    ['cancel', { cancel_reason: 'refund' }],
  ] as const) {
    it(`is refused (409) once its order was ${undo === 'unpaid' ? 'unpaid' : 'cancelled'}: reopen and update is_closed 0`, async () => {
      const c = await paidConsultation();
      await put(`/orders/${c.id}/${undo}`, admin, body).expect(200);
      expect((await thread(c.threadId)).is_closed).toBe(1);
      for (const caller of [admin, c.doctor]) {
        const reopen = await put(`/threads/${c.threadId}/reopen`, caller);
        expect([reopen.status, reopen.body.message]).toEqual([409, 'The consultation’s order is not paid: the thread cannot be reopened']);
        const update = await put(`/threads/${c.threadId}/update`, caller, { is_closed: 0 });
        expect([update.status, update.body.message]).toEqual([409, 'The consultation’s order is not paid: the thread cannot be reopened']);
      }
      expect(await thread(c.threadId)).toMatchObject({ is_closed: 1 });
      // other edits of the closed thread stay possible
      expect((await put(`/threads/${c.threadId}/update`, admin, { queue_number: 4, is_closed: 1 })).status).toBe(200);
    });
  }

  it('a thread without an order (made by an admin) is reopened as before', async () => {
    const c = await paidConsultation();
    const made = await t.http.post('/threads/create').set(t.auth(admin)).send({ id_user_from: c.customer.id, id_user_to: c.doctor.id });
    const id = made.body.threads.id as number;
    await put(`/threads/${id}/close`, admin).expect(200);
    expect((await put(`/threads/${id}/reopen`, admin)).body).toEqual({ reopen: true });
    await put(`/threads/${id}/close`, admin).expect(200);
    expect((await put(`/threads/${id}/update`, admin, { is_closed: 0 })).body.threads.is_closed).toBe(0);
  });
});

describe('the window of orders/:id is the thread’s', () => {
  it('follows reopen and an update of estimate_done_at', async () => {
    const c = await paidConsultation();
    const w0 = await windows(c.id, c.threadId);
    expect(w0.order).toBe(w0.thread);
    await put(`/threads/${c.threadId}/close`, c.doctor).expect(200);
    const later = new Date(Date.now() + 3 * 3600_000);
    t.app.now = () => later;
    try {
      await put(`/threads/${c.threadId}/reopen`, c.doctor).expect(200);
    } finally {
      t.app.now = () => new Date();
    }
    const w1 = await windows(c.id, c.threadId);
    expect(w1.thread).not.toBe(w0.thread);
    expect(w1.order).toBe(w1.thread);
    await put(`/threads/${c.threadId}/update`, c.doctor, { estimate_done_at: '2031-05-06 07:08:09' }).expect(200);
    expect(await windows(c.id, c.threadId)).toEqual({ order: '2031-05-06 07:08:09', thread: '2031-05-06 07:08:09' });
    // null: no end (the thread takes messages until closed), on both sides
    await put(`/threads/${c.threadId}/update`, admin, { estimate_done_at: null }).expect(200);
    expect(await windows(c.id, c.threadId)).toEqual({ order: null, thread: null });
  });

  it('an order without a window (its payment undone) keeps none; its payment again opens the thread for a new one', async () => {
    const c = await paidConsultation();
    // a window without end, then the payment undone: the thread still closes
    await put(`/threads/${c.threadId}/update`, admin, { estimate_done_at: null }).expect(200);
    await put(`/orders/${c.id}/unpaid`, admin).expect(200);
    expect(await thread(c.threadId)).toMatchObject({ is_closed: 1 });
    await put(`/threads/${c.threadId}/update`, admin, { estimate_done_at: '2031-05-06 07:08:09' }).expect(200);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id: c.id } })).consultation_closed).toBeNull();
    await put(`/orders/${c.id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
    const th = await thread(c.threadId);
    expect(th.is_closed).toBe(0);
    expect(th.estimate_done_at!.getTime()).toBeLessThan(Date.now() + 61 * 60_000);
    const w = await windows(c.id, c.threadId);
    expect(w.order).toBe(w.thread);
  });
});

// Undone (`unpaid`), a consultation checkout can go back to the cart (`uncheckout`), and the
// customer may choose another doctor there before paying again: the thread reopened with the
// first doctor, who was no longer paid for, while the doctor paid for was told of a consultation
// they could not open.
describe('a consultation paid again for another doctor', () => {
  it('reopens its thread with the doctor now paid for', async () => {
    const c = await paidConsultation();
    const otherUser = await t.user(['DOCTOR']);
    const other = await t.app.db.doctor.create({ data: { id_users: otherUser.id, custom_price: 120_000 } });
    const first = await t.app.db.orderExtra.findFirstOrThrow({ where: { id_orders: c.id } });
    await put(`/orders/${c.id}/unpaid`, admin).expect(200);
    await put(`/orders/${c.id}/uncheckout`, c.customer).expect(200);
    await t.http.post('/orders/c_add_to_carts').set(t.auth(c.customer)).send({ id_order: c.id, items: [{ id_doctors: first.id_doctors, qty: 0 }, { id_doctors: other.id, qty: 1 }] }).expect(200);
    await put(`/orders/${c.id}/checkout`, c.customer).expect(200);
    await put(`/orders/${c.id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
    expect(await thread(c.threadId)).toMatchObject({ is_closed: 0, id_user_to: otherUser.id });
    expect(await t.app.db.thread.count({ where: { id_order: c.id } })).toBe(1);
    const say = (u: TestUser) => t.http.post('/thread_messages/text').set(t.auth(u)).send({ id_threads: c.threadId, content: 'Halo' });
    expect((await say(otherUser)).status).toBe(200);
    expect((await say(c.doctor)).status).not.toBe(200);
  });

  it('reopens it without the patient the buyer no longer manages, as a first payment would', async () => {
    const c = await paidConsultation();
    const { id_patients } = await thread(c.threadId);
    expect(id_patients).not.toBeNull();
    await put(`/orders/${c.id}/unpaid`, admin).expect(200);
    await put('/users/patients/unlink', admin, { id_patients }).expect(200);
    await put(`/orders/${c.id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
    expect(await thread(c.threadId)).toMatchObject({ is_closed: 0, id_user_to: c.doctor.id, id_patients: null });
  });
});

// Deleting the cart of a consultation paid once (`unpaid`, `uncheckout`) deleted the order: its
// thread lost the link (id_order null) and was then reopened like an admin-made thread, without
// the payment check. The cart is now kept, closed as a cancelled order, and the thread keeps it.
describe('a consultation cart deleted after its payment was undone', () => {
  it('is kept as a cancelled order with its attempts; its thread keeps it and is not reopened without a payment', async () => {
    const c = await paidConsultation();
    await put(`/orders/${c.id}/unpaid`, admin).expect(200);
    await put(`/orders/${c.id}/uncheckout`, c.customer).expect(200);
    expect((await t.http.delete(`/orders/${c.id}/delete`).set(t.auth(c.customer))).body).toEqual({ deleted: true });
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({ status: 'CANCEL', cart_open: null, is_paid: 0 });
    expect(await t.app.db.orderPayment.count({ where: { id_orders: c.id } })).toBe(1);
    expect(await thread(c.threadId)).toMatchObject({ id_order: c.id, is_closed: 1 });
    for (const caller of [admin, c.doctor]) {
      const reopen = await put(`/threads/${c.threadId}/reopen`, caller);
      expect([reopen.status, reopen.body.message]).toEqual([409, 'The consultation’s order is not paid: the thread cannot be reopened']);
    }
    expect((await thread(c.threadId)).is_closed).toBe(1);
  });
});

// Staff may soft-delete a thread; its consultation paid again after `unpaid` reopened the thread
// with deleted_at still set, so the consultation just paid for had no visible thread.
describe('a consultation paid again after staff deleted its thread', () => {
  it('brings the thread back: the customer paid for it', async () => {
    const c = await paidConsultation();
    await put(`/orders/${c.id}/unpaid`, admin).expect(200);
    await t.http.delete(`/threads/${c.threadId}/delete`).set(t.auth(admin)).expect(200);
    expect((await t.http.get(`/threads/${c.threadId}`).set(t.auth(c.customer))).status).toBe(404);
    await put(`/orders/${c.id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
    expect(await thread(c.threadId)).toMatchObject({ deleted_at: null, is_closed: 0 });
    expect((await t.http.get(`/threads/${c.threadId}`).set(t.auth(c.customer))).status).toBe(200);
    const say = await t.http.post('/thread_messages/text').set(t.auth(c.customer)).send({ id_threads: c.threadId, content: 'Halo dokter' });
    expect(say.status, say.text).toBe(200);
  });

  it('a repeated payment event of a consultation still paid leaves staff’s delete as it is', async () => {
    const c = await paidConsultation();
    await t.http.delete(`/threads/${c.threadId}/delete`).set(t.auth(admin)).expect(200);
    await pay(t, c.id);
    expect((await thread(c.threadId)).deleted_at).not.toBeNull();
  });
});

// Reopening a closed consultation whose doctor had gone (account deleted, or the DOCTOR role taken
// away, both allowed while the thread is closed) gave the customer a consultation nobody could answer.
describe('reopening a consultation whose doctor is gone', () => {
  const gone = 'The thread’s doctor is no longer available: hand it to another doctor first';
  const ways = {
    'account deleted': (id: number) => t.app.db.user.update({ where: { id }, data: { deleted_at: new Date() } }),
    'DOCTOR role taken away': (id: number) => t.app.db.userRole.deleteMany({ where: { id_users: id, role_codes: 'DOCTOR' } }),
  };
  for (const [way, leave] of Object.entries(ways)) {
    it(`is refused (409) when the doctor's ${way}; handed to a live doctor in the same update, it reopens`, async () => {
      const c = await paidConsultation();
      await put(`/threads/${c.threadId}/close`, admin).expect(200);
      await leave(c.doctor.id);
      const reopen = await put(`/threads/${c.threadId}/reopen`, admin);
      expect([reopen.status, reopen.body.message]).toEqual([409, gone]);
      const update = await put(`/threads/${c.threadId}/update`, admin, { is_closed: 0 });
      expect([update.status, update.body.message]).toEqual([409, gone]);
      // naming the same doctor again is no handover
      const same = await put(`/threads/${c.threadId}/update`, admin, { is_closed: 0, id_user_to: c.doctor.id });
      expect(same.status).not.toBe(200);
      expect(await thread(c.threadId)).toMatchObject({ is_closed: 1, id_user_to: c.doctor.id });
      // other edits of the closed thread stay possible
      expect((await put(`/threads/${c.threadId}/update`, admin, { queue_number: 2 })).status).toBe(200);
      const other = await t.user(['DOCTOR']);
      const handed = await put(`/threads/${c.threadId}/update`, admin, { is_closed: 0, id_user_to: other.id });
      expect(handed.status, handed.text).toBe(200);
      expect(await thread(c.threadId)).toMatchObject({ is_closed: 0, id_user_to: other.id });
    });
  }

  it('an untaken thread (no doctor) is not concerned', async () => {
    const c = await paidConsultation();
    await put(`/threads/${c.threadId}/close`, admin).expect(200);
    await put(`/threads/${c.threadId}/update`, admin, { id_user_to: 0 }).expect(200);
    expect((await put(`/threads/${c.threadId}/reopen`, admin)).body).toEqual({ reopen: true });
  });
});

// threads/create with an order opened a thread for an order nobody had paid for (or cancelled), and
// an explicit estimate_done_at was not copied to the order's consultation_closed.
describe('threads/create with an order', () => {
  async function orderWithoutThread(fields: Record<string, unknown> = {}) {
    const c = await paidConsultation();
    const { id_doctors } = await t.app.db.orderExtra.findFirstOrThrow({ where: { id_orders: c.id } });
    const patient = await patientOf(t, c.customer);
    const order = await createConsultationOrder(t, c.customer, patient.id, id_doctors!);
    if (Object.keys(fields).length) await t.app.db.order.update({ where: { id: order.id }, data: fields });
    return { ...c, orderId: order.id };
  }

  for (const [what, fields] of [
    ['not paid', { is_paid: 0, status: 'CHECKOUT' }],
    ['cancelled', { status: 'CANCEL' }],
  ] as const) {
    it(`refuses an order ${what} (422, id_order)`, async () => {
      const o = await orderWithoutThread(fields);
      const res = await t.http.post('/threads/create').set(t.auth(admin)).send({ id_order: o.orderId, id_user_from: o.customer.id, id_user_to: o.doctor.id });
      expect([res.status, res.body.errors]).toEqual([422, [{ field: 'id_order', message: 'not paid' }]]);
      expect(await t.app.db.thread.count({ where: { id_order: o.orderId } })).toBe(0);
    });
  }

  it('refuses an e-commerce order (422, id_order): a consultation is a C order, whose cancellation or undone payment closes it', async () => {
    const c = await paidConsultation();
    const patient = await patientOf(t, c.customer);
    const e = await t.app.db.order.create({
      data: { order_type: 'E', order_code: `E-HAND-${patient.id}`, status: 'PAID', is_paid: 1, paid_date: new Date(), cart_open: null, id_member: c.customer.id, id_patients: patient.id },
    });
    const res = await t.http.post('/threads/create').set(t.auth(admin)).send({ id_order: e.id, id_user_from: c.customer.id, id_user_to: c.doctor.id });
    expect([res.status, res.body.errors]).toEqual([422, [{ field: 'id_order', message: 'not a consultation order' }]]);
    expect(await t.app.db.thread.count({ where: { id_order: e.id } })).toBe(0);
  });

  it('copies an explicit estimate_done_at to the order’s window', async () => {
    const o = await orderWithoutThread();
    const res = await t.http
      .post('/threads/create')
      .set(t.auth(admin))
      .send({ id_order: o.orderId, id_user_from: o.customer.id, id_user_to: o.doctor.id, estimate_done_at: '2031-05-06 07:08:09' });
    expect(res.status, res.text).toBe(200);
    expect(await windows(o.orderId, res.body.threads.id)).toEqual({ order: '2031-05-06 07:08:09', thread: '2031-05-06 07:08:09' });
  });
});

// A paid consultation cancelled (staff's cancel, a refund's webhook: both cancelOrder) told only the
// customer; the doctor kept expecting it. The doctor holding its thread is told too, by the order code only.
describe('a cancelled consultation order', () => {
  it("tells the thread's doctor (consultation_cancelled, by the order code) besides the customer, whose notice is unchanged", async () => {
    const c = await paidConsultation();
    const code = (await t.app.db.order.findUniqueOrThrow({ where: { id: c.id } })).order_code!;
    await put(`/orders/${c.id}/cancel`, admin, { cancel_reason: 'refund' }).expect(200);
    const toCustomer = await t.app.db.notification.findMany({ where: { id_user_to: c.customer.id, intentions: 'order_cancelled' } });
    expect(toCustomer.map((n) => [n.title, n.content, n.labels, n.reference_type, n.reference_id])).toEqual([['Pesanan dibatalkan', `Pesanan ${code} dibatalkan: refund`, 'Warning', 'orders', c.id]]);
    expect(await t.app.db.notification.count({ where: { id_user_to: c.customer.id, intentions: 'consultation_cancelled' } })).toBe(0);
    const toDoctor = await t.app.db.notification.findMany({ where: { id_user_to: c.doctor.id, intentions: { in: ['order_cancelled', 'consultation_cancelled'] } } });
    expect(toDoctor.map((n) => [n.intentions, n.title, n.content, n.labels, n.reference_type, n.reference_id])).toEqual([
      ['consultation_cancelled', 'Konsultasi dibatalkan', `Konsultasi dari pesanan ${code} dibatalkan.`, 'Warning', 'threads', c.threadId],
    ]);
    // the doctor may open what it points at
    expect((await t.http.get(`/threads/${c.threadId}`).set(t.auth(c.doctor))).status).toBe(200);
  });

  it('tells the doctor when Midtrans reports the payment refunded (the webhook cancels the order)', async () => {
    const { id, customer: u, doctor: doctorUser } = await checkedOutConsultation();
    const p = await t.app.db.orderPayment.findFirstOrThrow({ where: { id_orders: id, status: 'PENDING' } });
    const paid = simulatedNotification(t.app, p, 'settlement');
    expect((await t.http.post('/payments/webhooks/midtrans').send(paid)).body.result).toBe('paid');
    const threadId = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: id } })).id;
    const refund = { ...paid, transaction_status: 'refund', refund_amount: paid.gross_amount, signature_key: signature(paid.order_id, '200', paid.gross_amount, signingKey(t.app)) };
    expect((await t.http.post('/payments/webhooks/midtrans').send(refund)).body.result).toBe('reversed');
    expect(await t.app.db.notification.count({ where: { id_user_to: u.id, intentions: 'order_cancelled' } })).toBe(1);
    const toDoctor = await t.app.db.notification.findMany({ where: { id_user_to: doctorUser.id, intentions: 'consultation_cancelled' } });
    expect(toDoctor.map((n) => [n.reference_type, n.reference_id])).toEqual([['threads', threadId]]);
  });

  it('tells the doctor an admin handed the consultation to, not the one who had it', async () => {
    const c = await paidConsultation();
    const other = await t.user(['DOCTOR']);
    await put(`/threads/${c.threadId}/update`, admin, { id_user_to: other.id }).expect(200);
    await put(`/orders/${c.id}/cancel`, admin, {}).expect(200);
    expect(await t.app.db.notification.count({ where: { id_user_to: other.id, intentions: 'consultation_cancelled' } })).toBe(1);
    expect(await t.app.db.notification.count({ where: { id_user_to: c.doctor.id, intentions: 'consultation_cancelled' } })).toBe(0);
  });

  it('tells no doctor when the consultation was never paid (a checkout cancelled or expired unpaid)', async () => {
    const { id, customer: u, doctor: doctorUser } = await checkedOutConsultation();
    await put(`/orders/${id}/cancel`, admin, {}).expect(200);
    expect(await t.app.db.notification.count({ where: { id_user_to: u.id, intentions: 'order_cancelled' } })).toBe(1);
    expect(await t.app.db.notification.count({ where: { id_user_to: doctorUser.id } })).toBe(0);
  });
});

/** threads/:id as staff read it (times as the answers print them) */
const printed = async (threadId: number) => (await t.http.get(`/threads/${threadId}`).set(t.auth(admin)).expect(200)).body.threads;
const say = (u: TestUser, threadId: number) => t.http.post('/thread_messages/text').set(t.auth(u)).send({ id_threads: threadId, content: 'Halo' });
/** the thread's window put in the past (open, but it accepts no messages) */
const expire = (threadId: number) => put(`/threads/${threadId}/update`, admin, { estimate_done_at: '2020-01-02 03:04:05' }).expect(200);

// threads/:id/update {is_closed: 0} of a thread that is open but past its window answered 200 and
// changed nothing: the thread still accepted no message, where threads/:id/reopen gives a new window.
// An update with is_closed 0 of a thread that accepts no messages is now a reopen (compat.md,
// "Window and closing"): a new window from now unless the update sets estimate_done_at itself.
describe('update {is_closed: 0} of a consultation that accepts no messages', () => {
  it('past its window: a new window of CONSULTATION_WINDOW_MINUTES from now, the order’s with it; messages are accepted again', async () => {
    const c = await paidConsultation();
    await expire(c.threadId);
    expect((await say(c.customer, c.threadId)).status).toBe(409);
    const started = Date.now();
    const res = await put(`/threads/${c.threadId}/update`, c.doctor, { is_closed: 0 });
    expect(res.status, res.text).toBe(200);
    const th = await thread(c.threadId);
    expect(th).toMatchObject({ is_closed: 0, closed_at: null });
    expect(th.estimate_done_at!.getTime()).toBeGreaterThanOrEqual(started + 60 * 60_000 - 1000);
    expect(th.estimate_done_at!.getTime()).toBeLessThanOrEqual(Date.now() + 60 * 60_000 + 1000);
    const w = await windows(c.id, c.threadId);
    expect(w.order).toBe(w.thread);
    expect((await say(c.customer, c.threadId)).status).toBe(200);
  });

  it('closed: a new window as reopen gives (not what was left of the old one)', async () => {
    const c = await paidConsultation();
    await put(`/threads/${c.threadId}/update`, admin, { estimate_done_at: '2031-05-06 07:08:09' }).expect(200);
    await put(`/threads/${c.threadId}/close`, c.doctor).expect(200);
    await put(`/threads/${c.threadId}/update`, admin, { is_closed: 0 }).expect(200);
    const th = await thread(c.threadId);
    expect(th).toMatchObject({ is_closed: 0, closed_at: null });
    expect(th.estimate_done_at!.getTime()).toBeLessThanOrEqual(Date.now() + 60 * 60_000 + 1000);
    const w = await windows(c.id, c.threadId);
    expect(w.order).toBe(w.thread);
  });

  it('with an estimate_done_at of its own in the same update: that window, on both', async () => {
    const c = await paidConsultation();
    await expire(c.threadId);
    await put(`/threads/${c.threadId}/update`, admin, { is_closed: 0, estimate_done_at: '2031-05-06 07:08:09' }).expect(200);
    expect(await windows(c.id, c.threadId)).toEqual({ order: '2031-05-06 07:08:09', thread: '2031-05-06 07:08:09' });
    await expire(c.threadId);
    // null: no end, as an update of estimate_done_at alone sets it
    await put(`/threads/${c.threadId}/update`, admin, { is_closed: 0, estimate_done_at: null }).expect(200);
    expect(await windows(c.id, c.threadId)).toEqual({ order: null, thread: null });
  });

  it('past its window with its doctor gone: refused (409) as reopen is, unless handed to a live doctor in the same update', async () => {
    const c = await paidConsultation();
    await expire(c.threadId);
    await t.app.db.userRole.deleteMany({ where: { id_users: c.doctor.id, role_codes: 'DOCTOR' } });
    const res = await put(`/threads/${c.threadId}/update`, admin, { is_closed: 0 });
    expect([res.status, res.body.message]).toEqual([409, 'The thread’s doctor is no longer available: hand it to another doctor first']);
    // nor does a new window alone make it accept messages again for nobody to answer
    const later = await put(`/threads/${c.threadId}/update`, admin, { estimate_done_at: '2031-05-06 07:08:09' });
    expect([later.status, later.body.message]).toEqual([409, 'The thread’s doctor is no longer available: hand it to another doctor first']);
    const other = await t.user(['DOCTOR']);
    await put(`/threads/${c.threadId}/update`, admin, { is_closed: 0, id_user_to: other.id }).expect(200);
    expect(await thread(c.threadId)).toMatchObject({ is_closed: 0, id_user_to: other.id });
    expect((await say(other, c.threadId)).status).toBe(200);
  });

  it('a consultation that accepts messages: nothing changes (as before)', async () => {
    const c = await paidConsultation();
    const before = await thread(c.threadId);
    await put(`/threads/${c.threadId}/update`, c.doctor, { is_closed: 0 }).expect(200);
    expect((await thread(c.threadId)).estimate_done_at).toEqual(before.estimate_done_at);
  });
});

// Closing a consultation early left orders/:id's consultation_closed at the window's end, while
// reopen and an update of estimate_done_at move it with the thread. The order now shows when the
// consultation ended: the close (close, update is_closed 1), or its window's end when that came first.
describe('orders/:id’s consultation_closed when the consultation is closed', () => {
  for (const [how, close] of [
    ['close', (id: number, u: TestUser) => put(`/threads/${id}/close`, u)],
    ['update is_closed 1', (id: number, u: TestUser) => put(`/threads/${id}/update`, u, { is_closed: 1 })],
  ] as const) {
    it(`is the close time (${how}), moved again by reopen`, async () => {
      const c = await paidConsultation();
      const w0 = await windows(c.id, c.threadId);
      expect((await close(c.threadId, c.doctor)).status).toBe(200);
      const th = await printed(c.threadId);
      expect(th.closed_at).not.toBeNull();
      const w1 = await windows(c.id, c.threadId);
      expect(w1).toEqual({ order: th.closed_at, thread: w0.thread });
      // closing again (update repeating is_closed 1) keeps it
      await put(`/threads/${c.threadId}/update`, admin, { is_closed: 1 }).expect(200);
      expect(await windows(c.id, c.threadId)).toEqual(w1);
      await put(`/threads/${c.threadId}/reopen`, admin).expect(200);
      const w2 = await windows(c.id, c.threadId);
      expect(w2.order).toBe(w2.thread);
      expect(w2.order).not.toBe(th.closed_at);
    });
  }

  it('a consultation closed after its window passed ended with its window: the order keeps that', async () => {
    const c = await paidConsultation();
    await expire(c.threadId);
    await put(`/threads/${c.threadId}/close`, admin).expect(200);
    expect(await windows(c.id, c.threadId)).toEqual({ order: '2020-01-02 03:04:05', thread: '2020-01-02 03:04:05' });
  });

  it('an update of estimate_done_at of a closed consultation moves the order’s no later than the close', async () => {
    const c = await paidConsultation();
    await put(`/threads/${c.threadId}/close`, admin).expect(200);
    const closedAt = (await printed(c.threadId)).closed_at;
    await put(`/threads/${c.threadId}/update`, admin, { estimate_done_at: '2031-05-06 07:08:09' }).expect(200);
    expect(await windows(c.id, c.threadId)).toEqual({ order: closedAt, thread: '2031-05-06 07:08:09' });
    await put(`/threads/${c.threadId}/update`, admin, { estimate_done_at: '2020-01-02 03:04:05' }).expect(200);
    expect(await windows(c.id, c.threadId)).toEqual({ order: '2020-01-02 03:04:05', thread: '2020-01-02 03:04:05' });
  });
});
