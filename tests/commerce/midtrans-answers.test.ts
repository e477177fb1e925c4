import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expireUnpaidCheckouts } from '../../src/modules/commerce/payments.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { readBody } from '../helpers/fake-servers.js';
import { eCart, menu, stockOf } from './fixtures.js';

// Midtrans answering, but not with what its API promises: a proxy's HTML page or an empty body with
// a success code, JSON without the fields we read. Snap's answer is the customer's payment page and
// the status API's decides whether an order is cancelled: neither may be taken on trust.

let t: TestApp;
/** what the next Snap create and status calls answer */
const answer = { snap: { status: 201, type: 'application/json', body: '{}' }, status: { status: 200, type: 'application/json', body: '{}' } };
const server = createServer(async (req, res) => {
  await readBody(req);
  const a = req.method === 'POST' && req.url === '/snap/v1/transactions' ? answer.snap : answer.status;
  res.writeHead(a.status, { 'content-type': a.type }).end(a.body);
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await createTestApp({ MIDTRANS_SERVER_KEY: 'SB-Mid-server-answers', MIDTRANS_CLIENT_KEY: 'c', MIDTRANS_SNAP_URL: `${url}/snap/v1`, MIDTRANS_API_URL: url });
});
afterAll(async () => {
  await t.close();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('Snap answering success without a payment page', () => {
  for (const [name, snap] of [
    ['an HTML page', { status: 200, type: 'text/html', body: '<html><body>Maintenance</body></html>' }],
    ['an empty body', { status: 201, type: 'application/json', body: '' }],
    ['JSON without token and redirect_url', { status: 201, type: 'application/json', body: '{"status_code":"201"}' }],
    ['a token of the wrong type', { status: 201, type: 'application/json', body: '{"token":{"id":1},"redirect_url":42}' }],
  ] as const) {
    it(`${name}: 503, the order is the cart again, its stock given back, no token stored`, async () => {
      answer.snap = snap;
      const u = await t.user(['CUSTOMER']);
      const m = await menu(t, { harga: 40_000 });
      const stock = await stockOf(t, m.id, 2);
      const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 0);
      const r = await t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({});
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ status: 503, message: expect.stringMatching(/payment service/) });
      expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'SHOPPING CARTS', cart_open: 1, reservation_status: 'NONE', token: '' });
      expect(await t.app.db.orderPayment.findMany({ where: { id_orders: id } })).toMatchObject([{ status: 'FAILED', snap_token: '' }]);
      expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(2);
    });
  }
});

// Snap refusing the request: 401 is our server key (configuration), 400 our request (Snap's
// validation, or an order_id it has seen). The client gets the 503 of any failure to start the
// payment (a later checkout is a new attempt with a new order_id); the log says which, with
// Snap's own messages, at error level, and the answer does not repeat them.
describe('Snap refusing the create-transaction request', () => {
  for (const [status, messages, logged] of [
    [401, ['Access denied due to unauthorized transaction, please check client or server key'], /MIDTRANS_SERVER_KEY/],
    [400, ['transaction_details.gross_amount is not equal to the sum of item_details'], /refused the transaction request/],
  ] as const) {
    it(`${status}: 503 to the client, the cart back; logged as an error naming the cause, with Snap's messages`, async () => {
      answer.snap = { status, type: 'application/json', body: JSON.stringify({ error_messages: messages }) };
      const errors = vi.spyOn(t.app.logger, 'error');
      try {
        const u = await t.user(['CUSTOMER']);
        const m = await menu(t, { harga: 40_000 });
        const stock = await stockOf(t, m.id, 2);
        const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 0);
        const r = await t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({});
        expect({ status: r.status, body: r.body }).toEqual({ status: 503, body: { status: 503, message: expect.stringMatching(/payment service/) } });
        expect(JSON.stringify(r.body)).not.toContain(messages[0]);
        expect(errors).toHaveBeenCalledWith(expect.objectContaining({ status, messages }), expect.stringMatching(logged));
        expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'SHOPPING CARTS', reservation_status: 'NONE', token: '' });
        expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(2);
      } finally {
        errors.mockRestore();
      }
    });
  }
});

describe('the status API answering without a transaction status', () => {
  for (const [name, status] of [
    ['JSON without transaction_status', { status: 200, type: 'application/json', body: '{"status_code":"200","status_message":"Success"}' }],
    ['a transaction_status of the wrong type', { status: 200, type: 'application/json', body: '{"status_code":"200","transaction_status":["expire"]}' }],
    ['a status this API does not know', { status: 200, type: 'application/json', body: '{"status_code":"201","transaction_status":"authorize","gross_amount":"40000.00"}' }],
  ] as const) {
    it(`${name}: the expiry job leaves the order waiting for a readable answer`, async () => {
      answer.status = status;
      const id = await dueCheckout();
      expect(await expireUnpaidCheckouts(t.app)).toBe(0);
      expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'CHECKOUT' });
      expect(await t.app.db.orderPayment.findMany({ where: { id_orders: id } })).toMatchObject([{ status: 'PENDING' }]);
    });
  }
});

/** an unpaid checkout of 40,000 past its expiry, its first payment attempt at Midtrans */
async function dueCheckout() {
  const u = await t.user(['CUSTOMER']);
  const m = await menu(t, { harga: 40_000 });
  await stockOf(t, m.id, 2);
  const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 0);
  const order = await t.app.db.order.update({
    where: { id },
    data: { status: 'CHECKOUT', cart_open: null, reservation_status: 'RESERVED', order_code: `E-DUE-${id}`, payment_attempts: 1, expires_at: new Date(Date.now() - 1000) },
  });
  await t.app.db.orderPayment.create({ data: { id_orders: id, attempt: 1, midtrans_order_id: order.order_code!, gross_amount: 40_000 } });
  return id;
}

// The webhook reads an empty fraud_status as none (a capture without fraud review is paid); the
// expiry job read it as unreadable and left the paid order waiting.
describe('the status API answering a capture with an empty fraud_status', () => {
  it('is paid, as the webhook pays it', async () => {
    const id = await dueCheckout();
    answer.status = {
      status: 200,
      type: 'application/json',
      body: JSON.stringify({ status_code: '200', transaction_status: 'capture', gross_amount: '40000.00', transaction_id: 'tx-empty-fraud', payment_type: 'credit_card', fraud_status: '' }),
    };
    await expireUnpaidCheckouts(t.app);
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'PAID', is_paid: 1 });
  });
});

describe('the status API answering a settlement with fields of other types', () => {
  it('the lost payment is applied from what is readable, and the run goes on to the next due order', async () => {
    const [a, b] = [await dueCheckout(), await dueCheckout()];
    answer.status = {
      status: 200,
      type: 'application/json',
      body: JSON.stringify({ status_code: '200', transaction_status: 'settlement', gross_amount: '40000.00', transaction_id: 987654321, payment_type: { type: 'qris' }, fraud_status: 'accept' }),
    };
    await expireUnpaidCheckouts(t.app);
    for (const id of [a, b]) {
      expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'PAID', is_paid: 1 });
      expect(await t.app.db.orderPayment.findMany({ where: { id_orders: id } })).toMatchObject([{ status: 'PAID', transaction_id: null, payment_type: '' }]);
    }
  });
});

// A settled payment is money Midtrans holds: the job applies it when the amount is the attempt's, and
// otherwise (no amount, another amount) it cannot tell, so the order waits for staff, as the webhook
// leaves such a notification (amount_mismatch). It used to cancel the order as "payment expired".
describe('the status API answering a settlement whose amount is missing or not the attempt\'s', () => {
  for (const [name, body] of [
    ['without gross_amount', { status_code: '200', transaction_status: 'settlement', transaction_id: 'tx-no-amount', payment_type: 'qris' }],
    ['with another gross_amount', { status_code: '200', transaction_status: 'settlement', gross_amount: '45000.00', transaction_id: 'tx-other-amount', payment_type: 'qris' }],
  ] as const) {
    it(`${name}: the order is neither paid nor cancelled, its reservations kept`, async () => {
      answer.status = { status: 200, type: 'application/json', body: JSON.stringify(body) };
      const id = await dueCheckout();
      expect(await expireUnpaidCheckouts(t.app)).toBe(0);
      expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'CHECKOUT', is_paid: 0, reservation_status: 'RESERVED' });
      expect(await t.app.db.orderPayment.findMany({ where: { id_orders: id } })).toMatchObject([{ status: 'PENDING' }]);
    });
  }
});

// Its settlement's notification lost and the payment refunded in the Midtrans dashboard: the
// status API says `refund`, which the job took for a status it does not handle and the checkout
// held its stock, promotion quota and points for good, an error logged every minute.
describe('the status API saying the payment was refunded in full', () => {
  for (const s of ['refund', 'chargeback']) {
    it(`${s}: the checkout is cancelled as the webhook cancels it, everything given back`, async () => {
      answer.status = { status: 200, type: 'application/json', body: JSON.stringify({ status_code: '200', transaction_status: s, gross_amount: '40000.00' }) };
      const id = await dueCheckout();
      // (the checkouts earlier tests left waiting are due too, and hear the same answer)
      expect(await expireUnpaidCheckouts(t.app)).toBeGreaterThanOrEqual(1);
      expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'CANCEL', reservation_status: 'RELEASED', cancel_reason: `payment ${s}` });
      expect(await t.app.db.orderPayment.findMany({ where: { id_orders: id } })).toMatchObject([{ status: 'REFUNDED' }]);
    });
  }
});

// Its settlement's notification lost and the payment refunded in part: only settled money is
// refunded, so the checkout was paid; the job took `partial_refund` for a status it does not
// handle and the checkout waited for good (the customer's money kept, nothing shipped).
describe('the status API saying the payment was refunded in part', () => {
  for (const s of ['partial_refund', 'partial_chargeback']) {
    it(`${s}: the checkout is paid, what was taken back recorded; for another amount it waits`, async () => {
      const body = { status_code: '200', transaction_status: s, gross_amount: '40000.00', payment_type: 'bank_transfer', refund_amount: '10000.00' };
      answer.status = { status: 200, type: 'application/json', body: JSON.stringify(body) };
      const id = await dueCheckout();
      await expireUnpaidCheckouts(t.app);
      expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'PAID', is_paid: 1, reservation_status: 'CONSUMED', refunded_amount: 10_000 });
      expect(await t.app.db.orderPayment.findMany({ where: { id_orders: id } })).toMatchObject([{ status: 'PAID' }]);
      answer.status = { status: 200, type: 'application/json', body: JSON.stringify({ ...body, gross_amount: '39000.00' }) };
      const other = await dueCheckout();
      await expireUnpaidCheckouts(t.app);
      expect(await t.app.db.order.findUniqueOrThrow({ where: { id: other } })).toMatchObject({ status: 'CHECKOUT', is_paid: 0, refunded_amount: 0 });
    });
  }
});
