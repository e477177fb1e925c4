import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { whileHolding } from '../helpers/interleave.js';
import { consultationFixture, createMenu, pay } from '../consultations/fixtures.js';
import { eCart, menu } from './fixtures.js';

// A deleted account's open carts stayed: lines nobody could buy any more, and the prescriptions
// redeemed into them held for good. They now go with the account, as orders/:id/delete removes a
// cart; a checkout awaiting payment stays (paid, or cancelled by the expiry job, as any other).

let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  // an account is deleted only while another owner remains
  await t.user(['OWNER']);
});
afterAll(() => t.close());

const order = (id: number) => t.app.db.order.findUnique({ where: { id } });

describe('deleting an account (users/:id/delete)', () => {
  it('removes its open carts as a cart delete does, freeing the prescriptions redeemed into them; checkouts and other customers’ carts stay', async () => {
    const f = await consultationFixture(t);
    await pay(t, f.order.id);
    const id_threads = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: f.order.id } })).id;
    const rx = (await createMenu(t)).id;
    const prescribed = await t.http.post('/thread_messages/prescriptions').set(t.auth(f.doctor)).send({ id_threads, id_menu: rx, qty: 2 });
    expect(prescribed.status, prescribed.text).toBe(200);
    const messageId = prescribed.body.thread_messages.id as number;
    // the prescription opens the patient's E cart (never checked out: deleted with the account)
    expect((await t.http.post('/menu_reedems/add_to_carts').set(t.auth(f.customer)).send({ id_threads, id_menu: rx })).status).toBe(200);
    const rxCart = await t.app.db.order.findFirstOrThrow({ where: { id_member: f.customer.id, id_patients: f.patient.id, order_type: 'E', cart_open: 1 } });

    // a consultation cart checked out before (payment_attempts > 0): closed, not deleted
    const cInit = await t.http.post('/orders/init').set(t.auth(f.customer)).send({ id_patients: f.patient.id, order_type: 'C' });
    expect(cInit.status, cInit.text).toBe(200);
    const cCart = cInit.body.orders.id as number;
    await t.app.db.order.update({ where: { id: cCart }, data: { payment_attempts: 1 } });

    // a checkout awaiting payment of the same customer: left as it is
    const m = await menu(t);
    const waiting = await eCart(t, f.customer, [{ id_menu: m.id, qty: 1 }]);
    await t.app.db.order.update({ where: { id: waiting }, data: { status: 'CHECKOUT', cart_open: null, payment_attempts: 1, checkout_datetime: new Date() } });

    // another customer's cart: untouched
    const other = await t.user(['CUSTOMER']);
    const othersCart = await eCart(t, other, [{ id_menu: m.id, qty: 1 }]);

    const res = await t.http.delete(`/users/${f.customer.id}/delete`).set(t.auth(admin));
    expect(res.status, res.text).toBe(200);

    expect(await order(rxCart.id)).toBeNull();
    expect(await t.app.db.orderItem.count({ where: { id_order: rxCart.id } })).toBe(0);
    // the prescription backs no line any more (is_redeemed 0): its redemption went with the cart
    expect(await t.app.db.menuReedem.count({ where: { id_thread_messages: messageId } })).toBe(0);
    const msg = await t.http.get(`/thread_messages/${messageId}`).set(t.auth(f.doctor));
    expect(msg.status, msg.text).toBe(200);
    expect(msg.body.thread_messages.is_redeemed).toBe(0);

    expect(await order(cCart)).toMatchObject({ status: 'CANCEL', cart_open: null, is_canceled: 1, cancel_reason: 'account deleted', cancel_pic: admin.username, checkout_datetime: null });
    // no open cart is left for the account
    expect(await t.app.db.order.count({ where: { id_member: f.customer.id, cart_open: 1 } })).toBe(0);

    expect(await order(waiting)).toMatchObject({ status: 'CHECKOUT', is_canceled: 0 });
    expect(await order(othersCart)).toMatchObject({ status: 'SHOPPING CARTS', cart_open: 1 });
    // the cancelled cart cannot be restored (a deleted cart)
    expect((await t.http.put(`/orders/${cCart}/uncancel`).set(t.auth(admin)).send({})).status).toBe(409);
  });

  it('keeps the carts when the delete is refused (409: a live doctor profile)', async () => {
    const u = await t.user(['CUSTOMER', 'DOCTOR']);
    await t.app.db.doctor.create({ data: { id_users: u.id, custom_price: 100_000, is_active: 1 } });
    const m = await menu(t);
    const cart = await eCart(t, u, [{ id_menu: m.id, qty: 1 }]);
    expect((await t.http.delete(`/users/${u.id}/delete`).set(t.auth(admin))).status).toBe(409);
    expect(await order(cart)).toMatchObject({ status: 'SHOPPING CARTS', cart_open: 1 });
  });
});

// PostgreSQL only: a cart opened at the moment the account is deleted. The deletion holds the account's
// row (and has removed the carts it found); a cart opened meanwhile would be left behind, so both ways of
// opening one hold the account first: they wait for the deletion and then find the account gone (404).
describe.runIf(process.env.TEST_DATABASE_URL)('a cart opened while the account is being deleted', () => {
  /** what users/:id/delete does to the account's row, held until `open` waits for it */
  const deleting = (userId: number, open: () => Promise<{ status: number }>) =>
    whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM users WHERE id = ${userId} FOR NO KEY UPDATE`,
      open,
      (tx) => tx.user.update({ where: { id: userId }, data: { deleted_at: new Date() } }),
    );

  it('orders/init waits for the deletion, then finds the account gone: no cart left', async () => {
    const f = await consultationFixture(t);
    const res = await deleting(f.customer.id, () => t.http.post('/orders/init').set(t.auth(f.customer)).send({ id_patients: f.patient.id, order_type: 'E' }));
    expect(res.status).toBe(404);
    expect(await t.app.db.order.count({ where: { id_member: f.customer.id, cart_open: 1 } })).toBe(0);
  });

  it('a prescription redeemed into a new cart waits for the deletion, then finds the account gone: no cart left', async () => {
    const f = await consultationFixture(t);
    await pay(t, f.order.id);
    const id_threads = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: f.order.id } })).id;
    const rx = (await createMenu(t)).id;
    await t.http.post('/thread_messages/prescriptions').set(t.auth(f.doctor)).send({ id_threads, id_menu: rx, qty: 1 }).expect(200);
    const res = await deleting(f.customer.id, () => t.http.post('/menu_reedems/add_to_carts').set(t.auth(f.customer)).send({ id_threads, id_menu: rx }));
    expect(res.status).toBe(404);
    expect(await t.app.db.order.count({ where: { id_member: f.customer.id, cart_open: 1 } })).toBe(0);
  });
});
