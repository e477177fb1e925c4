import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { eCart, menu, stockOf } from './fixtures.js';

// no Midtrans keys: the built-in payment simulator
let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp({ POINTS_EARN_PERCENT: '1', POINTS_EXPIRY_DAYS: '30' });
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());

const put = (path: string, u: TestUser, body: object = {}) => t.http.put(path).set(t.auth(u)).send(body);
const order = (id: number) => t.app.db.order.findUniqueOrThrow({ where: { id } });

describe('a manual payment undone (unpaid), then the customer pays the checkout in Midtrans', () => {
  it('pays the order: the money is for its own current checkout, not a superseded one', async () => {
    const u = await t.user(['CUSTOMER']);
    const m = await menu(t, { harga: 40_000 });
    const stock = await stockOf(t, m.id, 5);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 10_000);
    const co = await put(`/orders/${id}/checkout`, u).expect(200);
    // staff record a transfer that, it turns out, never arrived
    await put(`/orders/${id}/paid`, admin, { pay_channel: 'TRANSFER' }).expect(200);
    await put(`/orders/${id}/unpaid`, admin).expect(200);
    expect(await order(id)).toMatchObject({ status: 'CHECKOUT', is_paid: 0, token: co.body.token });
    // the order still offers its Snap page; the customer pays there
    const pay = await t.http.post(`/payments/simulator/${co.body.token}/pay`);
    expect(pay.body).toMatchObject({ result: 'paid' });
    expect(await order(id)).toMatchObject({ status: 'PAID', is_paid: 1, reservation_status: 'CONSUMED', pay_channel: 'simulator' });
    expect(await t.app.db.userPoint.count({ where: { id_orders_earned: id } })).toBe(1);
    // and the expiry job no longer cancels it
    t.app.now = () => new Date(Date.now() + 7 * 86_400_000);
    try {
      const { expireUnpaidCheckouts } = await import('../../src/modules/commerce/payments.service.js');
      await expireUnpaidCheckouts(t.app);
    } finally {
      t.app.now = () => new Date();
    }
    expect((await order(id)).status).toBe('PAID');
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(4);
  });
});

describe('a Midtrans payment undone by staff (unpaid), the order then paid another way', () => {
  it('stays paid when Midtrans later reports the undone payment taken back: that money no longer pays the order', async () => {
    const u = await t.user(['CUSTOMER']);
    const m = await menu(t, { harga: 40_000 });
    const stock = await stockOf(t, m.id, 5);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 10_000);
    const co = await put(`/orders/${id}/checkout`, u).expect(200);
    expect((await t.http.post(`/payments/simulator/${co.body.token}/pay`)).body).toMatchObject({ result: 'paid' });
    await put(`/orders/${id}/unpaid`, admin).expect(200);
    // the customer pays at the counter instead; staff void the card payment in the Midtrans dashboard
    await put(`/orders/${id}/paid`, admin, { pay_channel: 'CASH' }).expect(200);
    const { simulatedNotification } = await import('../../src/modules/commerce/payments.service.js');
    const attempt = await t.app.db.orderPayment.findFirstOrThrow({ where: { id_orders: id } });
    const voided = await t.http.post('/payments/webhooks/midtrans').send(simulatedNotification(t.app, attempt, 'deny'));
    expect(voided.status).toBe(200);
    expect(voided.body.result).not.toBe('reversed');
    expect(await order(id)).toMatchObject({ status: 'PAID', is_paid: 1, pay_channel: 'CASH', reservation_status: 'CONSUMED' });
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(4);
    expect(await t.app.db.userPoint.count({ where: { id_orders_earned: id, remaining_point: { gt: 0 } } })).toBe(1);
  });
});

// docs/compat.md: "Each step stamps its *_datetime; undo clears it." Back in the cart the order
// showed the time of a checkout it no longer was.
describe('an order back in the cart (uncheckout, uncancel)', () => {
  it('no longer shows a checkout time; the next checkout stamps its own', async () => {
    const u = await t.user(['CUSTOMER']);
    const m = await menu(t, { harga: 40_000 });
    await stockOf(t, m.id, 5);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 10_000);
    const shown = async () => (await t.http.get(`/orders/${id}`).set(t.auth(u)).expect(200)).body.orders.checkout_datetime;
    await put(`/orders/${id}/checkout`, u).expect(200);
    expect(await shown()).not.toBeNull();
    await put(`/orders/${id}/uncheckout`, u).expect(200);
    expect(await shown()).toBeNull();
    await put(`/orders/${id}/checkout`, u).expect(200);
    expect(await shown()).not.toBeNull();
    await put(`/orders/${id}/cancel`, admin).expect(200);
    await put(`/orders/${id}/uncancel`, admin).expect(200);
    expect(await order(id)).toMatchObject({ status: 'SHOPPING CARTS', checkout_datetime: null });
    expect(await shown()).toBeNull();
  });
});

// docs/compat.md: "Any other move is 409 with the allowed states in the message", as the
// fulfilment steps, paid and unpaid say; cancel, uncancel and uncheckout named only the status.
describe('a move the state machine does not allow', () => {
  it('answers 409 naming the statuses it is allowed from', async () => {
    const u = await t.user(['CUSTOMER']);
    const m = await menu(t, { harga: 40_000 });
    await stockOf(t, m.id, 5);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 10_000);
    await put(`/orders/${id}/checkout`, u).expect(200);
    await put(`/orders/${id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
    for (const a of ['prepared', 'processing', 'pickup']) await put(`/orders/${id}/${a}`, admin).expect(200);
    const refused = async (path: string, who: TestUser) => {
      const r = await put(`/orders/${id}/${path}`, who);
      expect(r.status).toBe(409);
      return r.body.message as string;
    };
    expect(await refused('cancel', admin)).toBe('Cannot cancel an order in status PICKUP (allowed from CHECKOUT, PAID, PREPARED, PROCESSING)');
    expect(await refused('uncancel', admin)).toBe('Cannot uncancel an order in status PICKUP (allowed from CANCEL)');
    expect(await refused('uncheckout', u)).toBe(`Order ${id} cannot go back to the cart (status PICKUP; allowed from CHECKOUT, unpaid)`);
    // the verb, not the route's name ("Cannot prepared an order…")
    expect(await refused('prepared', admin)).toBe('Cannot prepare an order in status PICKUP (allowed from PAID)');
    expect(await refused('processing', admin)).toBe('Cannot process an order in status PICKUP (allowed from PREPARED)');
    expect(await refused('unprocessing', admin)).toBe('Cannot undo the processing of an order in status PICKUP (allowed from PROCESSING)');
    expect(await refused('consignee', admin)).toBe('Cannot mark as received an order in status PICKUP (allowed from DELIVERED)');
  });
});

describe('an order cancelled by another admin than the one who marked it paid', () => {
  it('names the cancelling admin in both admin fields (id_admin and pic_admin), not one of each', async () => {
    const u = await t.user(['CUSTOMER']);
    const other = await t.user(['ADMIN']);
    const m = await menu(t, { harga: 40_000 });
    await stockOf(t, m.id, 5);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 10_000);
    await put(`/orders/${id}/checkout`, u).expect(200);
    await put(`/orders/${id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
    expect(await order(id)).toMatchObject({ id_admin: admin.id, pic_admin: admin.username });
    // sent: the body's admin
    await put(`/orders/${id}/cancel`, other, { pic_admin: 'Danny Setiawan', id_admin: other.id, cancel_reason: 'stok rusak' }).expect(200);
    expect(await order(id)).toMatchObject({ id_admin: other.id, pic_admin: 'Danny Setiawan', cancel_pic: 'Danny Setiawan' });

    // not sent: the signed-in admin
    const id2 = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 10_000);
    await put(`/orders/${id2}/checkout`, u).expect(200);
    await put(`/orders/${id2}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
    await put(`/orders/${id2}/cancel`, other).expect(200);
    expect(await order(id2)).toMatchObject({ id_admin: other.id, pic_admin: other.username, cancel_pic: other.username });
  });
});

describe('id_admin named in an admin action', () => {
  it('must be a live OWNER or ADMIN account: a customer, a doctor, a deleted admin or an unknown id is 422 (id_admin), nothing changes', async () => {
    const u = await t.user(['CUSTOMER']);
    const doc = await t.user(['DOCTOR']);
    const gone = await t.user(['ADMIN']);
    await t.app.db.user.update({ where: { id: gone.id }, data: { deleted_at: new Date() } });
    const owner = await t.user(['OWNER']);
    const m = await menu(t, { harga: 40_000 });
    await stockOf(t, m.id, 20);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 10_000);
    await put(`/orders/${id}/checkout`, u).expect(200);
    const refused = async (action: string, extra: object = {}) => {
      for (const who of [u.id, doc.id, gone.id, 999_999]) {
        const res = await put(`/orders/${id}/${action}`, admin, { id_admin: who, pic_admin: 'Danny', ...extra });
        expect([res.status, res.body.errors]).toEqual([422, [{ field: 'id_admin', message: 'not a live OWNER or ADMIN account' }]]);
      }
    };
    await refused('paid', { pay_channel: 'QRIS' });
    expect(await order(id)).toMatchObject({ status: 'CHECKOUT', id_admin: null });
    // another admin, an owner, or the caller are fine
    await put(`/orders/${id}/paid`, admin, { id_admin: owner.id, pic_admin: 'Owner', pay_channel: 'QRIS' }).expect(200);
    expect(await order(id)).toMatchObject({ status: 'PAID', id_admin: owner.id, pic_admin: 'Owner' });
    await refused('unpaid');
    expect(await order(id)).toMatchObject({ status: 'PAID', id_admin: owner.id });
    await put(`/orders/${id}/unpaid`, admin, { id_admin: admin.id }).expect(200);
    await refused('cancel', { cancel_reason: 'x' });
    expect(await order(id)).toMatchObject({ status: 'CHECKOUT', id_admin: admin.id });
    await put(`/orders/${id}/cancel`, admin, { id_admin: owner.id, cancel_reason: 'x' }).expect(200);
    await refused('uncancel');
    expect(await order(id)).toMatchObject({ status: 'CANCEL', id_admin: owner.id });
    await put(`/orders/${id}/uncancel`, admin, { id_admin: 0 }).expect(200);
    expect(await order(id)).toMatchObject({ status: 'SHOPPING CARTS', id_admin: admin.id });
  });
});
