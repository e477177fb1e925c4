import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireUnpaidCheckouts } from '../../src/modules/commerce/payments.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { readBody } from '../helpers/fake-servers.js';
import { settlementNotification } from './fake-midtrans.js';
import { eCart, menu, stockOf } from './fixtures.js';

// Midtrans answering late: a stand-in whose Snap and status answers the test holds back until it
// has done something else in the meantime (paid the order, opened a new cart).

const SERVER_KEY = 'SB-Mid-server-test-key';

/** A promise and the function that settles it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

async function slowMidtrans() {
  let snap: { reached: () => void; release: Promise<void>; fail: boolean } | undefined;
  let status: { reached: () => void; release: Promise<void>; answer: Record<string, unknown> } | undefined;
  let tokens = 0;
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    res.setHeader('content-type', 'application/json');
    if (req.method === 'POST' && req.url === '/snap/v1/transactions') {
      const held = snap;
      if (held) {
        held.reached();
        await held.release;
        if (held.fail) return void ((res.statusCode = 500), res.end(JSON.stringify({ error_messages: ['down'] })));
      }
      tokens += 1;
      res.statusCode = 201;
      return void res.end(JSON.stringify({ token: `tok-${tokens}`, redirect_url: `https://snap.test/${JSON.parse(body).transaction_details.order_id}` }));
    }
    if (req.method === 'GET' && /^\/v2\/[^/]+\/status$/.test(req.url ?? '') && status) {
      status.reached();
      await status.release;
      res.statusCode = 200;
      return void res.end(JSON.stringify(status.answer));
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ status_code: '404' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  /** The next Snap call waits until release(); `fail` makes it answer 500. */
  const holdSnap = (fail: boolean) => {
    const reached = gate();
    const release = gate();
    snap = { reached: reached.open, release: release.opened, fail };
    return { reached: reached.opened, release: () => ((snap = undefined), release.open()) };
  };
  /** Status calls wait until release(), then answer `answer`. */
  const holdStatus = (answer: Record<string, unknown>) => {
    const reached = gate();
    const release = gate();
    status = { reached: reached.open, release: release.opened, answer };
    return { reached: reached.opened, release: () => release.open() };
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    holdSnap,
    holdStatus,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let t: TestApp;
let midtrans: Awaited<ReturnType<typeof slowMidtrans>>;
beforeAll(async () => {
  midtrans = await slowMidtrans();
  t = await createTestApp({ MIDTRANS_SERVER_KEY: SERVER_KEY, MIDTRANS_CLIENT_KEY: 'c', MIDTRANS_SNAP_URL: `${midtrans.url}/snap/v1`, MIDTRANS_API_URL: midtrans.url, POINTS_EARN_PERCENT: '10' });
});
afterAll(async () => {
  await t.close();
  await midtrans.close();
});

const settlement = (orderId: string, gross: number) => settlementNotification(SERVER_KEY, orderId, gross);

describe('the expiry job, while it waits for Midtrans', () => {
  it('does not cancel an order whose payment arrived meanwhile', async () => {
    const u = await t.user(['CUSTOMER']);
    const m = await menu(t, { harga: 100_000 });
    const stock = await stockOf(t, m.id, 5);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 0);
    await t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({}).expect(200);
    const o = await t.app.db.order.update({ where: { id }, data: { expires_at: new Date(Date.now() - 1000) } });
    const held = midtrans.holdStatus({ status_code: '404', status_message: "Transaction doesn't exist." });
    const job = expireUnpaidCheckouts(t.app);
    await held.reached;
    expect((await t.http.post('/payments/webhooks/midtrans').send(settlement(o.order_code!, 100_000))).body.result).toBe('paid');
    held.release();
    expect(await job).toBe(0);
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'PAID', is_paid: 1, is_canceled: 0 });
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(4);
    expect((await t.app.db.userPointBalance.findUniqueOrThrow({ where: { id_users: u.id } })).balance).toBe(10_000);
  });

  it('does not cancel a new checkout made meanwhile (a new attempt, a new expiry)', async () => {
    const u = await t.user(['CUSTOMER']);
    const m = await menu(t, { harga: 100_000 });
    await stockOf(t, m.id, 5);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 0);
    await t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({}).expect(200);
    await t.app.db.order.update({ where: { id }, data: { expires_at: new Date(Date.now() - 1000) } });
    const held = midtrans.holdStatus({ status_code: '404', status_message: "Transaction doesn't exist." });
    const job = expireUnpaidCheckouts(t.app);
    await held.reached;
    await t.http.put(`/orders/${id}/uncheckout`).set(t.auth(u)).send({}).expect(200);
    await t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({}).expect(200);
    held.release();
    expect(await job).toBe(0);
    const after = await t.app.db.order.findUniqueOrThrow({ where: { id }, include: { payments: { orderBy: { attempt: 'asc' } } } });
    expect(after.status).toBe('CHECKOUT');
    expect(after.payments.map((p) => [p.attempt, p.status])).toEqual([[1, 'SUPERSEDED'], [2, 'PENDING']]);
  });
});

describe('Snap failing after the customer opened a new cart for the same patient', () => {
  it('answers 503, cancels the failed checkout and gives its stock back; the new cart stays open', async () => {
    const u = await t.user(['CUSTOMER']);
    const m = await menu(t, { harga: 100_000 });
    const stock = await stockOf(t, m.id, 1);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 0);
    const o = await t.app.db.order.findUniqueOrThrow({ where: { id } });
    const held = midtrans.holdSnap(true);
    const checkout = t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({}).then((r) => r);
    await held.reached;
    const init = await t.http.post('/orders/init').set(t.auth(u)).send({ id_patients: o.id_patients, order_type: 'E' });
    expect(init.status).toBe(200);
    held.release();
    const r = await checkout;
    expect(r.status).toBe(503);
    const after = await t.app.db.order.findUniqueOrThrow({ where: { id }, include: { payments: true } });
    expect(after).toMatchObject({ status: 'CANCEL', cart_open: null, reservation_status: 'RELEASED', cancel_reason: 'payment could not be started' });
    expect(after.payments.map((p) => p.status)).toEqual(['FAILED']);
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(1);
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id: init.body.orders.id } })).toMatchObject({ status: 'SHOPPING CARTS', cart_open: 1 });
    // and going back to the cart by hand is refused with a reason while another cart is open
    const m2 = await menu(t);
    await stockOf(t, m2.id, 3);
    const id2 = await eCart(t, u, [{ id_menu: m2.id, qty: 1 }], 0);
    await t.http.put(`/orders/${id2}/checkout`).set(t.auth(u)).send({}).expect(200);
    const o2 = await t.app.db.order.findUniqueOrThrow({ where: { id: id2 } });
    await t.http.post('/orders/init').set(t.auth(u)).send({ id_patients: o2.id_patients, order_type: 'E' }).expect(200);
    const back = await t.http.put(`/orders/${id2}/uncheckout`).set(t.auth(u)).send({});
    expect(back.status).toBe(409);
    expect(back.body.message).toMatch(/Another cart is already open/);
  });
});
