import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { twiceWhileHolding, whileHolding } from '../helpers/interleave.js';
import { setCourier, stockOf } from '../commerce/fixtures.js';
import { consultationFixture, createMenu, pay } from './fixtures.js';

// Requests on a thread racing a change of who may act in it. Each race is set up deterministically:
// the change is held in an open transaction until the request waits for its row lock. The race
// shows on PostgreSQL (TEST_DATABASE_URL); PGlite runs one statement at a time.
let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());

async function paidThread() {
  const f = await consultationFixture(t);
  await pay(t, f.order.id);
  return { ...f, threadId: (await t.app.db.thread.findFirstOrThrow({ where: { id_order: f.order.id } })).id };
}

/** what threads/update does when an admin hands the thread to another doctor */
const handTo = (threadId: number, doctorId: number) => (tx: any) => tx.thread.update({ where: { id: threadId }, data: { id_user_to: doctorId } });

describe.runIf(process.env.TEST_DATABASE_URL)('an admin handing a thread to another doctor while its doctor writes', () => {
  it('a prescription of the doctor who loses the thread is refused (409): only the thread’s doctor prescribes', async () => {
    const f = await paidThread();
    const menu = await createMenu(t);
    const next = await t.user(['DOCTOR']);
    const res = await whileHolding(t.app.db, handTo(f.threadId, next.id), () =>
      t.http.post('/thread_messages/prescriptions').set(t.auth(f.doctor)).send({ id_threads: f.threadId, id_menu: menu.id, qty: 3 }).then((r) => r),
    );
    expect(res.status).toBe(409);
    expect(await t.app.db.threadMessage.count({ where: { id_threads: f.threadId, content_type: 'prescriptions' } })).toBe(0);
    expect((await t.app.db.thread.findUniqueOrThrow({ where: { id: f.threadId } })).id_user_to).toBe(next.id);
  });

  it('a text of the doctor who loses the thread is refused (409)', async () => {
    const f = await paidThread();
    const next = await t.user(['DOCTOR']);
    const res = await whileHolding(t.app.db, handTo(f.threadId, next.id), () =>
      t.http.post('/thread_messages/text').set(t.auth(f.doctor)).send({ id_threads: f.threadId, content: 'Saya masih di sini' }).then((r) => r),
    );
    expect(res.status).toBe(409);
    expect(await t.app.db.threadMessage.count({ where: { id_threads: f.threadId } })).toBe(0);
  });

  it("the customer's message goes to the thread's new doctor, who is told of it", async () => {
    const f = await paidThread();
    const next = await t.user(['DOCTOR']);
    const res = await whileHolding(t.app.db, handTo(f.threadId, next.id), () =>
      t.http.post('/thread_messages/text').set(t.auth(f.customer)).send({ id_threads: f.threadId, content: 'Dok, masih gatal' }).then((r) => r),
    );
    expect(res.status).toBe(200);
    expect(res.body.thread_messages.id_user_to).toBe(next.id);
    const note = await t.app.db.notification.findFirstOrThrow({ where: { intentions: 'new_message', reference_id: f.threadId } });
    expect(note.id_user_to).toBe(next.id);
  });

  it('close and reopen by the doctor who loses the thread are refused (404: no longer theirs), the thread as the admin left it', async () => {
    const f = await paidThread();
    const next = await t.user(['DOCTOR']);
    const close = await whileHolding(t.app.db, handTo(f.threadId, next.id), () => t.http.put(`/threads/${f.threadId}/close`).set(t.auth(f.doctor)).then((r) => r));
    expect(close.status).toBe(404);
    expect((await t.app.db.thread.findUniqueOrThrow({ where: { id: f.threadId } })).is_closed).toBe(0);
    await t.http.put(`/threads/${f.threadId}/close`).set(t.auth(admin)).expect(200);
    const third = await t.user(['DOCTOR']);
    const reopen = await whileHolding(t.app.db, handTo(f.threadId, third.id), () => t.http.put(`/threads/${f.threadId}/reopen`).set(t.auth(next)).then((r) => r));
    expect(reopen.status).toBe(404);
    expect((await t.app.db.thread.findUniqueOrThrow({ where: { id: f.threadId } })).is_closed).toBe(1);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('an admin handing a thread over while its doctor updates it', () => {
  it('the doctor who loses the thread is refused (as close and reopen), the thread as the admin left it', async () => {
    // a prescription request the doctor took, handed back to nobody: the doctor still sees it (an
    // untaken request) but no longer manages it
    const customer = await t.user(['CUSTOMER']);
    const doc = await t.user(['DOCTOR']);
    const made = await t.http.post('/threads/create').set(t.auth(admin)).send({ thread_type: 'prescriptions', id_user_from: customer.id, id_user_to: doc.id });
    const id = made.body.threads.id as number;
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.thread.update({ where: { id }, data: { id_user_to: null } }),
      () => t.http.put(`/threads/${id}/update`).set(t.auth(doc)).send({ is_closed: 1, queue_number: 7 }).then((r) => r),
    );
    expect(res.status).toBe(403);
    expect(await t.app.db.thread.findUniqueOrThrow({ where: { id } })).toMatchObject({ id_user_to: null, is_closed: 0, queue_number: 0 });

    // handed to another doctor: no longer the caller's thread at all (404)
    const f = await paidThread();
    const next = await t.user(['DOCTOR']);
    const moved = await whileHolding(t.app.db, handTo(f.threadId, next.id), () =>
      t.http.put(`/threads/${f.threadId}/update`).set(t.auth(f.doctor)).send({ is_closed: 1 }).then((r) => r),
    );
    expect(moved.status).toBe(404);
    expect(await t.app.db.thread.findUniqueOrThrow({ where: { id: f.threadId } })).toMatchObject({ id_user_to: next.id, is_closed: 0 });
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('a reopen while staff undo the consultation’s payment', () => {
  it('waits for the order and is refused (409): the consultation is no longer paid', async () => {
    const f = await paidThread();
    await t.http.put(`/threads/${f.threadId}/close`).set(t.auth(f.doctor)).expect(200);
    // what orders/:id/unpaid does: the order locked, back to an unpaid checkout, its window cleared
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM orders WHERE id = ${f.order.id} FOR UPDATE`,
      () => t.http.put(`/threads/${f.threadId}/reopen`).set(t.auth(admin)).then((r) => r),
      async (tx) => {
        await tx.order.update({ where: { id: f.order.id }, data: { status: 'CHECKOUT', is_paid: 0, consultation_closed: null } });
        await tx.thread.updateMany({ where: { id_order: f.order.id, is_closed: 0 }, data: { is_closed: 1 } });
      },
    );
    expect([res.status, res.body.message]).toEqual([409, 'The consultation’s order is not paid: the thread cannot be reopened']);
    expect((await t.app.db.thread.findUniqueOrThrow({ where: { id: f.threadId } })).is_closed).toBe(1);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id: f.order.id } })).consultation_closed).toBeNull();
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('a prescription deleted while it is redeemed and checked out', () => {
  it('stays (409): the checked-out order rests on it, even when the delete read it unredeemed', async () => {
    const f = await paidThread();
    const menu = await createMenu(t);
    await stockOf(t, menu.id, 10);
    const rx = (await t.http.post('/thread_messages/prescriptions').set(t.auth(f.doctor)).send({ id_threads: f.threadId, id_menu: menu.id, qty: 1 }).expect(200)).body.thread_messages.id as number;
    let redeemed = 0;
    let checkedOut = 0;
    // Another transaction holds the message row (as an edit would) while the doctor deletes the
    // prescription; meanwhile the customer redeems it and checks the cart out.
    const del = await whileHolding(t.app.db, 
      (tx) => tx.$queryRaw`SELECT id FROM thread_messages WHERE id = ${rx} FOR NO KEY UPDATE`,
      () => t.http.delete(`/thread_messages/${rx}/delete`).set(t.auth(f.doctor)).then((r) => r),
      async () => {
        redeemed = (await t.http.post('/menu_reedems/add_to_carts').set(t.auth(f.customer)).send({ id_threads: f.threadId, id_menu: menu.id, id_thread_messages: rx })).status;
        const cart = await t.app.db.menuReedem.findUniqueOrThrow({ where: { id_thread_messages: rx } });
        await setCourier(t, cart.id_orders);
        checkedOut = (await t.http.put(`/orders/${cart.id_orders}/checkout`).set(t.auth(f.customer)).send({ alamat_kirim: 'Jl. Dago 10, Bandung' })).status;
      },
    );
    expect([redeemed, checkedOut]).toEqual([200, 200]);
    expect(del.status).toBe(409);
    expect((await t.app.db.threadMessage.findUniqueOrThrow({ where: { id: rx } })).deleted_at).toBeNull();
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('a message deleted twice at once (a double tap)', () => {
  it('is deleted once: one 200, the other finds it gone (404), as a delete sent a moment later', async () => {
    const f = await paidThread();
    const msg = await t.app.db.threadMessage.create({ data: { id_threads: f.threadId, id_user_from: f.customer.id, id_user_to: f.doctor.id, content_type: 'text', content: 'salah kirim' } });
    const answers = await twiceWhileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM thread_messages WHERE id = ${msg.id} FOR UPDATE`,
      () => t.http.delete(`/thread_messages/${msg.id}/delete`).set(t.auth(f.customer)),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 404]);
    expect((await t.app.db.threadMessage.findUniqueOrThrow({ where: { id: msg.id } })).deleted_at).not.toBeNull();
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('a doctor’s prescription sent twice at once (a double tap)', () => {
  it('is written once: one 200, the other 409; the customer can redeem the prescribed qty once, not twice', async () => {
    const f = await paidThread();
    const menu = await createMenu(t);
    const answers = await twiceWhileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM threads WHERE id = ${f.threadId} FOR UPDATE`,
      () => t.http.post('/thread_messages/prescriptions').set(t.auth(f.doctor)).send({ id_threads: f.threadId, id_menu: menu.id, qty: 2 }),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(await t.app.db.threadMessage.count({ where: { id_threads: f.threadId, content_type: 'prescriptions' } })).toBe(1);
  });
});

// A prescription stands on its consultation's payment: its redemption and the checkout of the line
// it backs hold the consultation's order, so staff cancelling it (or a refund) at the same moment is
// seen (422) or waits. Here the cancellation holds the order's lock first, as orders/:id/cancel does.
describe.runIf(process.env.TEST_DATABASE_URL)('a prescription redeemed or checked out while its consultation is cancelled', () => {
  /** what orders/:id/cancel does to a paid consultation, under the order's lock */
  const cancelling = (orderId: number) => ({
    hold: (tx: any) => tx.$queryRaw`SELECT id FROM orders WHERE id = ${orderId} FOR UPDATE`,
    meanwhile: async (tx: any) => {
      await tx.order.update({ where: { id: orderId }, data: { status: 'CANCEL', is_canceled: 1, cancel_datetime: new Date() } });
      await tx.thread.updateMany({ where: { id_order: orderId, is_closed: 0 }, data: { is_closed: 1, closed_at: new Date() } });
    },
  });
  const undone = 'This prescription’s consultation was cancelled or is no longer paid: it cannot be redeemed';

  it('the redemption waits for the cancellation and is refused (422); nothing goes into a cart', async () => {
    const f = await paidThread();
    const menu = await createMenu(t);
    const rx = (await t.http.post('/thread_messages/prescriptions').set(t.auth(f.doctor)).send({ id_threads: f.threadId, id_menu: menu.id, qty: 1 }).expect(200)).body.thread_messages.id as number;
    const c = cancelling(f.order.id);
    const res = await whileHolding(
      t.app.db,
      c.hold,
      () => t.http.post('/menu_reedems/add_to_carts').set(t.auth(f.customer)).send({ id_threads: f.threadId, id_menu: menu.id, id_thread_messages: rx }).then((r) => r),
      c.meanwhile,
    );
    expect([res.status, res.body.message]).toEqual([422, undone]);
    expect(await t.app.db.menuReedem.count({ where: { id_thread_messages: rx } })).toBe(0);
  });

  it('the checkout of the line it backs waits for the cancellation and is refused (422); the cart stays a cart', async () => {
    const f = await paidThread();
    const menu = await createMenu(t);
    const rx = (await t.http.post('/thread_messages/prescriptions').set(t.auth(f.doctor)).send({ id_threads: f.threadId, id_menu: menu.id, qty: 1 }).expect(200)).body.thread_messages.id as number;
    await t.http.post('/menu_reedems/add_to_carts').set(t.auth(f.customer)).send({ id_threads: f.threadId, id_menu: menu.id, id_thread_messages: rx }).expect(200);
    const { id_orders: cartId } = await t.app.db.menuReedem.findUniqueOrThrow({ where: { id_thread_messages: rx } });
    await setCourier(t, cartId);
    const c = cancelling(f.order.id);
    const res = await whileHolding(
      t.app.db,
      c.hold,
      () => t.http.put(`/orders/${cartId}/checkout`).set(t.auth(f.customer)).send({ alamat_kirim: 'Jl. Dago 10, Bandung' }).then((r) => r),
      c.meanwhile,
    );
    expect(res.status, res.text).toBe(422);
    expect(res.body.message).toMatch(/no longer valid: its consultation was cancelled or is no longer paid/);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id: cartId } })).status).toBe('SHOPPING CARTS');
  });
});
