import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { on } from '../../src/lib/events.js';
import { expireUnpaidCheckouts } from '../../src/modules/commerce/payments.service.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { pdfText } from '../helpers/pdf-text.js';
import { startFakeMidtrans } from './fake-midtrans.js';
import { doctor, eCart, givePoints, menu, patientOf, promotion, stockOf } from './fixtures.js';

const SERVER_KEY = 'SB-Mid-server-test-key';
let t: TestApp;
let fake: Awaited<ReturnType<typeof startFakeMidtrans>>;
let admin: TestUser;
let customer: TestUser;
const paidEvents: number[] = [];

beforeAll(async () => {
  fake = await startFakeMidtrans(SERVER_KEY);
  t = await createTestApp({
    MIDTRANS_SERVER_KEY: SERVER_KEY,
    MIDTRANS_CLIENT_KEY: 'SB-Mid-client-test',
    MIDTRANS_SNAP_URL: `${fake.url}/snap/v1`,
    MIDTRANS_API_URL: fake.url,
    POINTS_EARN_PERCENT: '10',
  });
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  on('order.paid', async (_app, p) => {
    paidEvents.push(p.orderId);
  });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

const sign = (orderId: string, code: string, gross: string, key = SERVER_KEY) => createHash('sha512').update(orderId + code + gross + key).digest('hex');
/** the order's invoice as `u` asks for it, its body the PDF's bytes */
const invoice = (u: TestUser, orderId: number) =>
  t.http.get(`/orders/${orderId}/invoices`).set(t.auth(u)).buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });
async function invoiceText(u: TestUser, orderId: number) {
  const pdf = await invoice(u, orderId);
  expect(pdf.status).toBe(200);
  return pdfText(pdf.body as Buffer);
}

/** A customer's checkout of one 30,000 product with 5,000 shipping (35,000), its code and its Midtrans transaction. */
async function checkedOut() {
  const u = await t.user(['CUSTOMER']);
  const { m, stock } = await product({ harga: 30_000 }, 3);
  const orderId = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 5_000);
  await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(u)).send({}).expect(200);
  const code = (await order(orderId)).order_code!;
  return { u, stock, orderId, code, trx: { transaction_id: `t-${code}` } };
}

function notification(orderId: string, gross: number | string, status = 'settlement', extra: Record<string, unknown> = {}) {
  const code = status === 'settlement' || status === 'capture' ? '200' : status === 'pending' ? '201' : '202';
  const gross_amount = typeof gross === 'number' ? `${gross}.00` : gross;
  return {
    transaction_time: '2026-11-25 10:00:00',
    transaction_status: status,
    transaction_id: `trx-${orderId}-${status}`,
    status_message: 'midtrans payment notification',
    status_code: code,
    signature_key: sign(orderId, code, gross_amount),
    payment_type: 'bank_transfer',
    order_id: orderId,
    gross_amount,
    fraud_status: 'accept',
    ...extra,
  };
}
const webhook = (body: unknown) => t.http.post('/payments/webhooks/midtrans').send(body as object);
/** A product with stock in the warehouse (checkouts reserve from it). */
async function product(fields: Record<string, unknown>, qty = 100) {
  const m = await menu(t, fields);
  const stock = await stockOf(t, m.id, qty);
  return { m, stock };
}
const order = (id: number) => t.app.db.order.findUniqueOrThrow({ where: { id } });

describe('checkout with Midtrans Snap', () => {
  it('assigns the order code, reserves, sends item details summing to the gross amount, answers the documented shape', async () => {
    const { m } = await product({ harga: 120_000, nama_menus: 'A very long product name that certainly exceeds fifty characters in total' }, 5);
    const u = await t.user(['CUSTOMER']);
    await givePoints(t, u.id, 7_000);
    const orderId = await eCart(t, u, [{ id_menu: m.id, qty: 2 }], 18_000);
    const p = await promotion(t, { type: 'PERSEN', value: 15 });
    await t.http.put(`/orders/${orderId}/apply/promotions`).set(t.auth(u)).send({ display_codes: p.display_codes }).expect(200);
    await t.http.put(`/orders/${orderId}/apply/points`).set(t.auth(u)).send({ poin_used: 7_000 }).expect(200);
    const r = await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(u)).send({ catatan_order: 'cepat ya' });
    expect(r.status).toBe(200);
    const day = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
    expect(r.body.orders.order_code).toMatch(new RegExp(`^E-${day}-\\d{3}$`));
    expect(r.body).toMatchObject({ token: expect.stringContaining('tok-'), redirect_url: expect.stringContaining('https://app.sandbox.midtrans.com/snap/v3/redirection/') });
    expect(r.body.orders).toMatchObject({ status: 'CHECKOUT', CLIENT_KEY: 'SB-Mid-client-test', token: r.body.token, payment_redirect_url: r.body.redirect_url, catatan_order: 'cepat ya' });
    expect(r.body.orders.items).toHaveLength(1);
    // 240000 - 36000 + 18000 - 7000
    const o = await order(orderId);
    expect(o).toMatchObject({ total_price: 240_000, total_discount: 36_000, courier_price: 18_000, poin_used: 7_000, grand_totals: 215_000, reservation_status: 'RESERVED', cart_open: null });
    const snap = fake.snapRequests.at(-1);
    expect(snap.transaction_details).toEqual({ order_id: o.order_code, gross_amount: 215_000 });
    expect(snap.item_details.reduce((s: number, i: any) => s + i.price * i.quantity, 0)).toBe(215_000);
    expect(snap.item_details.every((i: any) => i.name.length <= 50 && Number.isInteger(i.price))).toBe(true);
    expect(snap.item_details.map((i: any) => i.id)).toEqual([`menu-${m.id}`, 'shipping', 'discount', 'points']);
    expect((await t.app.db.stock.findFirstOrThrow({ where: { brandstoreMenu: { idmenu: m.id } } })).quantitytotal).toBe(3);
    expect((await t.app.db.promotion.findUniqueOrThrow({ where: { id: p.id } })).quota_reserved).toBe(1);
    expect((await t.app.db.userPointBalance.findUniqueOrThrow({ where: { id_users: u.id } })).balance).toBe(0);

    // settlement: paid, quota used, points earned (10% of 215000), event emitted
    const w = await webhook(notification(o.order_code!, 215_000));
    expect(w.status).toBe(200);
    expect(w.body.result).toBe('paid');
    const paid = await order(orderId);
    expect(paid).toMatchObject({ status: 'PAID', is_paid: 1, pay_channel: 'bank_transfer', reservation_status: 'CONSUMED' });
    expect(paid.paid_date).not.toBeNull();
    expect(paidEvents).toContain(orderId);
    expect((await t.app.db.promotion.findUniqueOrThrow({ where: { id: p.id } }))).toMatchObject({ quota_reserved: 0, quota_used: 1 });
    const earn = await t.app.db.userPoint.findUniqueOrThrow({ where: { id_orders_earned: orderId } });
    expect(earn).toMatchObject({ add_point: 21_500, usecase: 'webhook-midtrans' });
    expect((await t.app.db.userPointBalance.findUniqueOrThrow({ where: { id_users: u.id } })).balance).toBe(21_500);

    // duplicate and late notifications change nothing
    expect((await webhook(notification(o.order_code!, 215_000))).body.result).toBe('duplicate');
    expect((await webhook(notification(o.order_code!, 215_000, 'expire'))).body.result).toBe('ignored_late');
    expect(await order(orderId)).toMatchObject({ status: 'PAID', is_paid: 1 });
    expect(await t.app.db.userPoint.count({ where: { id_orders_earned: orderId } })).toBe(1);

    // invoice
    const pdf = await invoice(u, orderId);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    const text = pdfText(pdf.body as Buffer);
    for (const s of ['Colederma Clinic', o.order_code!, 'Subtotal: IDR 240.000', 'Discount: IDR 36.000', 'Shipping: IDR 18.000', 'Points used: IDR 7.000', 'Total: IDR 215.000', 'PAID']) expect(text).toContain(s);
    expect((await t.http.get(`/orders/${orderId}/invoices`).set(t.auth(customer))).status).toBe(404);
  });

  it('re-prices a line whose price changed since it was added: the line, the totals and the Snap items agree', async () => {
    const { m } = await product({ harga: 100_000 });
    const { m: m2 } = await product({ harga: 30_000 });
    const u = await t.user(['CUSTOMER']);
    const orderId = await eCart(t, u, [{ id_menu: m.id, qty: 2 }, { id_menu: m2.id, qty: 1 }], 10_000);
    // the price rose after the product went into the cart (the courier quote is per weight, not price)
    await t.app.db.menu.update({ where: { id: m.id }, data: { harga: 125_000 } });
    const r = await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(u)).send({});
    expect(r.status).toBe(200);
    const lines = await t.app.db.orderItem.findMany({ where: { id_order: orderId }, orderBy: { id: 'asc' } });
    expect(lines.map((l) => [l.price, l.price_total])).toEqual([[125_000, 250_000], [30_000, 30_000]]);
    expect(await order(orderId)).toMatchObject({ status: 'CHECKOUT', total_price: 280_000, courier_price: 10_000, grand_totals: 290_000, reservation_status: 'RESERVED' });
    const snap = fake.snapRequests.at(-1);
    expect(snap.transaction_details.gross_amount).toBe(290_000);
    expect(snap.item_details.map((i: any) => [i.id, i.price, i.quantity])).toEqual([[`menu-${m.id}`, 125_000, 2], [`menu-${m2.id}`, 30_000, 1], ['shipping', 10_000, 1]]);
    const payment = await t.app.db.orderPayment.findFirstOrThrow({ where: { id_orders: orderId } });
    expect(payment).toMatchObject({ status: 'PENDING', gross_amount: 290_000, snap_token: r.body.token, redirect_url: r.body.redirect_url });
  });

  it('cuts long Snap item and customer names to 50 characters without splitting a character in two', async () => {
    // U+1F33F (🌿) is two UTF-16 units: at units 49–50 of a longer name, a cut at 49 kept half of it
    const name = `${'Serum '.repeat(8)}🌿 Daun Sirih`;
    const { m } = await product({ harga: 40_000, nama_menus: name });
    const u = await t.user(['CUSTOMER']);
    await t.app.db.user.update({ where: { id: u.id }, data: { users_fullname: `${'Nur '.repeat(12)}🌸 Aini` } });
    const orderId = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 5_000);
    expect((await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(u)).send({})).status).toBe(200);
    const snap = fake.snapRequests.at(-1);
    const names = [...snap.item_details.map((i: any) => i.name), snap.customer_details.first_name];
    for (const n of names) {
      expect(n.length).toBeLessThanOrEqual(50);
      expect(n.isWellFormed()).toBe(true);
    }
    expect(snap.item_details[0].name).toBe(`${'Serum '.repeat(8)}…`);
    expect(snap.customer_details.first_name).toBe(`${'Nur '.repeat(12)}…`);
  });

  it('refuses bad signatures (401) and a tampered amount (not paid), answers unknown orders 200', async () => {
    const orderId = await eCart(t, customer, [{ id_menu: (await product({ harga: 50_000 })).m.id, qty: 1 }], 10_000);
    await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({}).expect(200);
    const o = await order(orderId);
    const bad = notification(o.order_code!, 60_000);
    expect((await webhook({ ...bad, signature_key: sign(o.order_code!, '200', '60000.00', 'wrong-key') })).status).toBe(401);
    expect((await webhook({ ...bad, gross_amount: '1.00' })).status).toBe(401);
    expect((await webhook({ order_id: 'x' })).status).toBe(400);
    // correctly signed but the amount is not what we asked for
    const tampered = await webhook(notification(o.order_code!, 1_000));
    expect(tampered.body.result).toBe('amount_mismatch');
    expect((await order(orderId)).is_paid).toBe(0);
    expect((await webhook(notification('E-19990101-999', 1_000))).body.result).toBe('unknown_order');
    expect(await t.app.db.paymentNotification.count({ where: { order_id: o.order_code! } })).toBe(1);
    // money for none of our orders: staff find it in the audit log to refund it
    const alert = await t.app.db.log.findFirst({ where: { action: 'payment_alert', details: { path: ['midtrans_order_id'], equals: 'E-19990101-999' } } });
    expect(alert).toMatchObject({ resource: 'orders', resource_id: null, outcome: 'failure', details: expect.objectContaining({ result: 'unknown_order', gross_amount: '1000.00' }) });
  });

  it('a signed notification with added fields the database cannot store (nested deep, a NUL or lone surrogate deep inside) is a 400, not a 500', async () => {
    // the signature covers order_id, status_code and gross_amount only: the rest of the body, kept
    // as sent (raw), is anyone's who replays a notification
    const nested = (depth: number, leaf: string) => `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
    const extras = [nested(25, '"x\\u0000"'), nested(25, '"\\ud800"'), nested(25, '{"k\\u0000":1}'), nested(5000, '1'), `${'['.repeat(100_000)}${']'.repeat(100_000)}`];
    for (const [i, extra] of extras.entries()) {
      const signed = JSON.stringify(notification('E-19990101-998', 1_000, 'settlement', { transaction_id: `trx-deep-${i}` }));
      const res = await t.http.post('/payments/webhooks/midtrans').set('Content-Type', 'application/json').send(`${signed.slice(0, -1)},"extra":${extra}}`);
      expect(res.status, extra.slice(0, 30)).toBe(400);
      expect(res.body).toMatchObject({ status: 400, errors: [{ field: expect.stringMatching(/^body\.extra/) }] });
    }
    expect(await t.app.db.paymentNotification.count({ where: { order_id: 'E-19990101-998' } })).toBe(0);
    // as deep as a notification is (va_numbers[0].bank) it is stored as before
    const ok = await webhook(notification('E-19990101-998', 1_000, 'settlement', { va_numbers: [{ bank: 'bca', va_number: '123' }] }));
    expect(ok.body.result).toBe('unknown_order');
  });

  it('a card payment challenged by fraud detection waits for review; approved (capture again, fraud_status accept) it is paid', async () => {
    const orderId = await eCart(t, customer, [{ id_menu: (await product({ harga: 45_000 })).m.id, qty: 1 }], 5_000);
    await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({}).expect(200);
    const o = await order(orderId);
    const card = { payment_type: 'credit_card', transaction_id: `card-${o.order_code}` };
    const challenged = await webhook(notification(o.order_code!, 50_000, 'capture', { ...card, fraud_status: 'challenge' }));
    expect(challenged.body.result).toBe('noted');
    expect(await order(orderId)).toMatchObject({ status: 'CHECKOUT', is_paid: 0 });
    // staff approve it in the Midtrans dashboard: the same transaction, capture again, now accepted
    const approved = await webhook(notification(o.order_code!, 50_000, 'capture', { ...card, fraud_status: 'accept' }));
    expect(approved.body.result).toBe('paid');
    expect(await order(orderId)).toMatchObject({ status: 'PAID', is_paid: 1, pay_channel: 'credit_card' });
    // Midtrans repeating the approval is a duplicate; both notifications are kept
    expect((await webhook(notification(o.order_code!, 50_000, 'capture', { ...card, fraud_status: 'accept' }))).body.result).toBe('duplicate');
    const kept = await t.app.db.paymentNotification.findMany({ where: { order_id: o.order_code! }, orderBy: { id: 'asc' } });
    expect(kept.map((n) => [n.transaction_status, n.fraud_status, n.process_result])).toEqual([['capture', 'challenge', 'noted'], ['capture', 'accept', 'paid']]);
  });

  it('a paid order whose payment is refunded, charged back or voided in Midtrans is cancelled, everything it held given back', async () => {
    for (const status of ['refund', 'chargeback', 'cancel']) {
      const u = await t.user(['CUSTOMER']);
      await givePoints(t, u.id, 5_000);
      const { m, stock } = await product({ harga: 100_000 }, 3);
      const orderId = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 0);
      const p = await promotion(t, { type: 'NOMINAL', value: 10_000 });
      await t.http.put(`/orders/${orderId}/apply/promotions`).set(t.auth(u)).send({ display_codes: p.display_codes }).expect(200);
      await t.http.put(`/orders/${orderId}/apply/points`).set(t.auth(u)).send({ poin_used: 5_000 }).expect(200);
      await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(u)).send({}).expect(200);
      const o = await order(orderId);
      expect((await webhook(notification(o.order_code!, 85_000, 'settlement', { transaction_id: `t-${o.order_code}` }))).body.result).toBe('paid');
      expect((await t.app.db.userPointBalance.findUniqueOrThrow({ where: { id_users: u.id } })).balance).toBe(8_500);
      const r = await webhook(notification(o.order_code!, 85_000, status, { transaction_id: `t-${o.order_code}` }));
      expect(r.body.result).toBe('reversed');
      expect(await order(orderId)).toMatchObject({ status: 'CANCEL', reservation_status: 'RELEASED', cancel_pic: 'midtrans', cancel_reason: `payment ${status}`, refunded_amount: 85_000 });
      expect(await invoiceText(u, orderId)).toEqual(expect.stringContaining('Refunded: IDR 85.000'));
      expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(3);
      expect(await t.app.db.promotion.findUniqueOrThrow({ where: { id: p.id } })).toMatchObject({ quota_used: 0, quota_reserved: 0 });
      // the 5000 points it spent come back, the 8500 it earned go
      expect((await t.app.db.userPointBalance.findUniqueOrThrow({ where: { id_users: u.id } })).balance).toBe(5_000);
      expect((await t.app.db.orderPayment.findFirstOrThrow({ where: { id_orders: orderId } })).status).toBe('REFUNDED');
    }
  });

  // Out of order: the settlement's notification failed (Midtrans retries it later) and the refund
  // of that payment arrived first. It was `noted`, and the late settlement then paid the order for
  // money already given back.
  it('a refund arriving before the settlement it takes back leaves the order unpaid: cancelled, the late settlement paid_not_current', async () => {
    for (const status of ['refund', 'chargeback']) {
      const { stock, orderId, code, trx } = await checkedOut();
      expect((await webhook(notification(code, 35_000, status, { ...trx, refund_amount: '35000.00' }))).body.result).toBe('cancelled');
      expect(await order(orderId)).toMatchObject({ status: 'CANCEL', is_paid: 0, reservation_status: 'RELEASED', cancel_pic: 'midtrans', cancel_reason: `payment ${status}` });
      expect((await webhook(notification(code, 35_000, 'settlement', trx))).body.result).toBe('paid_not_current');
      expect(await order(orderId)).toMatchObject({ status: 'CANCEL', is_paid: 0, paid_date: null });
      expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(3);
      expect((await t.app.db.orderPayment.findFirstOrThrow({ where: { id_orders: orderId } })).status).toBe('REFUNDED');
    }
  });

  // Out of order too: only settled money is refunded in part, so a partial refund of the checkout's
  // attempt says it was paid; it was `noted` and the order expired, the customer's money kept.
  it('a partial refund arriving before the settlement pays the order and records what was taken back; the late settlement is already_paid', async () => {
    for (const status of ['partial_refund', 'partial_chargeback']) {
      const { u, stock, orderId, code, trx } = await checkedOut();
      expect((await webhook(notification(code, 35_000, status, { ...trx, refund_amount: '5000.00' }))).body.result).toBe('reversed_partial');
      expect(await order(orderId)).toMatchObject({ status: 'PAID', is_paid: 1, reservation_status: 'CONSUMED', refunded_amount: 5_000 });
      expect((await webhook(notification(code, 35_000, 'settlement', trx))).body.result).toBe('already_paid');
      expect(await order(orderId)).toMatchObject({ status: 'PAID', is_paid: 1, refunded_amount: 5_000 });
      // the customer is told once (the notification repeats; only a larger total is news)
      expect((await webhook(notification(code, 35_000, status, { ...trx, refund_amount: '5000.00' }))).body.result).toBe('duplicate');
      expect((await webhook(notification(code, 35_000, status, { ...trx, transaction_id: `${trx.transaction_id}-b`, refund_amount: '5000.00' }))).body.result).toBe('reversed_partial');
      const told = await t.app.db.notification.findMany({ where: { id_user_to: u.id, intentions: 'order_refunded', reference_id: orderId } });
      expect(told.map((n) => n.content)).toEqual([`Sebagian pembayaran pesanan ${code} telah dikembalikan: IDR 5.000.`]);
      // the customer's invoice says what was given back
      expect(await invoiceText(u, orderId)).toEqual(expect.stringContaining('Total: IDR 35.000'));
      expect(await invoiceText(u, orderId)).toEqual(expect.stringContaining('Refunded: IDR 5.000'));
      expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(2);
      expect((await t.app.db.orderPayment.findFirstOrThrow({ where: { id_orders: orderId } })).status).toBe('PAID');
    }
  });

  it('a refund of a second, superseded payment leaves the order paid; a refund after shipping or a partial one leaves the order for staff', async () => {
    const { m } = await product({ harga: 30_000 });
    const orderId = await eCart(t, customer, [{ id_menu: m.id, qty: 1 }], 5_000);
    await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({}).expect(200);
    const first = (await order(orderId)).order_code!;
    await t.http.put(`/orders/${orderId}/uncheckout`).set(t.auth(customer)).expect(200);
    await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({}).expect(200);
    expect((await webhook(notification(`${first}-2`, 35_000))).body.result).toBe('paid');
    // the customer also paid the first attempt's page; staff refund that one
    expect((await webhook(notification(first, 35_000))).body.result).toBe('paid_not_current');
    expect((await webhook(notification(first, 35_000, 'refund', { refund_amount: '35000.00' }))).body.result).toBe('noted');
    expect(await order(orderId)).toMatchObject({ status: 'PAID', is_paid: 1, refunded_amount: 0 });
    // a partial refund of the paying attempt: the amount recorded (for the reports), the order unchanged
    expect((await webhook(notification(`${first}-2`, 35_000, 'partial_refund', { refund_amount: '5000.00' }))).body.result).toBe('reversed_partial');
    expect(await order(orderId)).toMatchObject({ status: 'PAID', is_paid: 1, refunded_amount: 5_000 });
    // a partial chargeback that does not say how much: logged for staff, nothing recorded
    expect((await webhook(notification(`${first}-2`, 35_000, 'partial_chargeback'))).body.result).toBe('noted');
    expect(await order(orderId)).toMatchObject({ status: 'PAID', refunded_amount: 5_000 });
    // shipped, then refunded in full: cannot be cancelled any more, left for staff; all of it recorded
    await t.app.db.order.update({ where: { id: orderId }, data: { status: 'DELIVERED' } });
    expect((await webhook(notification(`${first}-2`, 35_000, 'refund', { refund_amount: '35000.00' }))).body.result).toBe('reversed_manual');
    expect(await order(orderId)).toMatchObject({ status: 'DELIVERED', is_paid: 1, refunded_amount: 35_000 });
    // a partial refund notification arriving after it (smaller total, a new key) takes nothing back
    expect((await webhook(notification(`${first}-2`, 35_000, 'partial_refund', { refund_amount: '4000.00' }))).body.result).toBe('noted');
    expect((await order(orderId)).refunded_amount).toBe(35_000);
    // what needs a person is in the audit log staff read (logs/*), not only in the server's log
    const alerts = await t.app.db.log.findMany({ where: { action: 'payment_alert', resource_id: String(orderId) }, orderBy: { seq: 'asc' } });
    expect(alerts.map((a) => [a.outcome, a.id_users, (a.details as { result: string }).result, (a.details as { midtrans_order_id: string }).midtrans_order_id])).toEqual([
      ['failure', null, 'paid_not_current', first],
      ['failure', null, 'noted', `${first}-2`],
      ['failure', null, 'reversed_manual', `${first}-2`],
    ]);
  });

  it('what Midtrans took back of a payment staff undo (unpaid) is no longer the order\'s: paid again, all of it is revenue', async () => {
    const { m } = await product({ harga: 30_000 });
    const orderId = await eCart(t, customer, [{ id_menu: m.id, qty: 1 }], 5_000);
    await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({}).expect(200);
    const code = (await order(orderId)).order_code!;
    expect((await webhook(notification(code, 35_000))).body.result).toBe('paid');
    const partial = notification(code, 35_000, 'partial_refund', { refund_amount: '10000.00', refunds: [{ refund_amount: '10000.00' }] });
    expect((await webhook(partial)).body.result).toBe('reversed_partial');
    expect((await webhook(partial)).body.result).toBe('duplicate');
    expect((await order(orderId)).refunded_amount).toBe(10_000);
    await t.http.put(`/orders/${orderId}/unpaid`).set(t.auth(admin)).send({}).expect(200);
    expect(await order(orderId)).toMatchObject({ status: 'CHECKOUT', is_paid: 0, refunded_amount: 0 });
    await t.http.put(`/orders/${orderId}/paid`).set(t.auth(admin)).send({ pay_channel: 'QRIS' }).expect(200);
    // the undone attempt's further refunds do not touch the order paid again
    const more = notification(code, 35_000, 'partial_refund', { refund_amount: '20000.00', refunds: [{ refund_amount: '10000.00' }, { refund_amount: '10000.00' }] });
    expect((await webhook(more)).body.result).toBe('noted');
    expect(await order(orderId)).toMatchObject({ status: 'PAID', is_paid: 1, refunded_amount: 0 });
  });

  it('expire/deny cancel an unpaid checkout and give everything back; out-of-order settlement after it does not revive it', async () => {
    const { m, stock } = await product({ harga: 40_000 }, 2);
    const orderId = await eCart(t, customer, [{ id_menu: m.id, qty: 2 }], 0);
    await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({}).expect(200);
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(0);
    const o = await order(orderId);
    expect((await webhook(notification(o.order_code!, 80_000, 'expire'))).body.result).toBe('cancelled');
    expect(await order(orderId)).toMatchObject({ status: 'CANCEL', is_canceled: 1, reservation_status: 'RELEASED' });
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(2);
    const late = await webhook(notification(o.order_code!, 80_000, 'settlement'));
    expect(late.body.result).toBe('paid_not_current');
    expect(await order(orderId)).toMatchObject({ status: 'CANCEL', is_paid: 0 });
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(2);
  });

  it('uncheckout releases reservations; the next checkout is a new Midtrans attempt and the old one is ignored', async () => {
    const { m, stock } = await product({ harga: 30_000 }, 3);
    const orderId = await eCart(t, customer, [{ id_menu: m.id, qty: 1 }], 5_000);
    await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({}).expect(200);
    const first = await order(orderId);
    expect((await t.http.put(`/orders/${orderId}/uncheckout`).set(t.auth(customer))).body).toEqual({ uncheckout: true });
    expect(await order(orderId)).toMatchObject({ status: 'SHOPPING CARTS', cart_open: 1, reservation_status: 'NONE', order_code: first.order_code });
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(3);
    expect((await t.http.put(`/orders/${orderId}/uncheckout`).set(t.auth(customer))).status).toBe(409);
    await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({}).expect(200);
    expect(fake.snapRequests.at(-1).transaction_details.order_id).toBe(`${first.order_code}-2`);
    // the first attempt's expiry arrives late: ignored
    expect((await webhook(notification(first.order_code!, 35_000, 'expire'))).body.result).toBe('ignored_late');
    expect((await webhook(notification(`${first.order_code}-2`, 35_000))).body.result).toBe('paid');
    expect(await order(orderId)).toMatchObject({ status: 'PAID', payment_attempts: 2 });
  });

  it('money settled for an order_id with no attempt here is logged as an error for staff to refund, and kept', async () => {
    // (a cart deleted after a checkout is kept, closed, with its attempts: tests/commerce/cart-delete.test.ts)
    const code = 'E-19990101-996';
    const errors = vi.spyOn(t.app.logger, 'error');
    const warnings = vi.spyOn(t.app.logger, 'warn');
    try {
      const paid = await webhook(notification(code, 35_000, 'settlement', { transaction_id: 'trx-gone-996' }));
      expect(paid.body.result).toBe('unknown_order');
      expect(errors).toHaveBeenCalledWith(expect.objectContaining({ order_id: code, gross_amount: '35000.00', transaction_id: 'trx-gone-996' }), expect.stringMatching(/refund/));
      // the expiry of an unknown order is no money: a warning, as before
      errors.mockClear();
      await webhook(notification('E-19990101-997', 1_000, 'expire'));
      expect(errors).not.toHaveBeenCalled();
      expect(warnings).toHaveBeenCalledWith(expect.objectContaining({ order_id: 'E-19990101-997' }), expect.any(String));
    } finally {
      errors.mockRestore();
      warnings.mockRestore();
    }
    expect(await t.app.db.paymentNotification.findFirst({ where: { order_id: code, transaction_status: 'settlement' } })).toMatchObject({
      id_orders: null, gross_amount: '35000.00', transaction_id: 'trx-gone-996', process_result: 'unknown_order',
    });
    // staff find it in the audit log too (the server's log is out of their reach); the expiry is no entry
    const entries = await t.app.db.log.findMany({ where: { action: 'payment_alert' } });
    expect(entries.map((l) => l.details)).toContainEqual(
      expect.objectContaining({ result: 'unknown_order', midtrans_order_id: code, gross_amount: '35000.00', transaction_status: 'settlement', transaction_id: 'trx-gone-996' }),
    );
    expect(entries.map((l) => (l.details as { midtrans_order_id: string }).midtrans_order_id)).not.toContain('E-19990101-997');
  });

  it("a notification whose processing fails is processed once when Midtrans sends it again: one alert for the money to refund", async () => {
    const code = 'E-19990101-995';
    const body = notification(code, 35_000, 'settlement', { transaction_id: 'trx-gone-995' });
    const alerts = async () => (await t.app.db.log.findMany({ where: { action: 'payment_alert' } })).filter((l) => (l.details as { midtrans_order_id: string }).midtrans_order_id === code).length;
    // marking it processed fails (a lost connection, a failover): the answer is a 500, which Midtrans retries
    await t.app.db.$executeRawUnsafe(`CREATE FUNCTION test_refuse_mark() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'connection lost'; END $$`);
    await t.app.db.$executeRawUnsafe(`CREATE TRIGGER test_refuse_mark BEFORE UPDATE ON payment_notifications FOR EACH ROW WHEN (NEW.order_id = '${code}') EXECUTE FUNCTION test_refuse_mark()`);
    try {
      expect((await webhook(body)).status).toBe(500);
    } finally {
      await t.app.db.$executeRawUnsafe(`DROP TRIGGER test_refuse_mark ON payment_notifications`);
      await t.app.db.$executeRawUnsafe(`DROP FUNCTION test_refuse_mark()`);
    }
    expect(await alerts()).toBe(0);
    expect((await webhook(body)).body.result).toBe('unknown_order');
    expect((await webhook(body)).body.result).toBe('duplicate');
    expect(await alerts()).toBe(1);
  });

  it('answers 503 and returns to the cart when Snap is down', async () => {
    const { m, stock } = await product({ harga: 30_000 }, 1);
    const orderId = await eCart(t, customer, [{ id_menu: m.id, qty: 1 }], 5_000);
    fake.setSnapDown(true);
    try {
      expect((await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({})).status).toBe(503);
    } finally {
      fake.setSnapDown(false);
    }
    expect(await order(orderId)).toMatchObject({ status: 'SHOPPING CARTS', cart_open: 1 });
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(1);
  });

  it('a customer without an email (registered by phone) can check out: Snap gets no empty email, which it refuses', async () => {
    const u = await t.user(['CUSTOMER'], { users_email: null });
    const orderId = await eCart(t, u, [{ id_menu: (await product({ harga: 25_000 })).m.id, qty: 1 }], 5_000);
    const r = await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(u)).send({});
    expect(r.status).toBe(200);
    const snap = fake.snapRequests.at(-1);
    expect(snap.transaction_details.order_id).toBe(r.body.orders.order_code);
    expect(snap.customer_details).not.toHaveProperty('email');
    expect(snap.customer_details.phone).toBe((await order(orderId)).notelp_pemesan);
  });

  it('refuses a checkout without courier or with an empty cart (422)', async () => {
    const patient = await patientOf(t, customer);
    const init = await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: patient.id, order_type: 'E' });
    expect((await t.http.put(`/orders/${init.body.orders.id}/checkout`).set(t.auth(customer)).send({})).status).toBe(422);
    await t.http.post('/orders/e_add_to_carts').set(t.auth(customer)).send({ id_order: init.body.orders.id, items: [{ id_menu: (await menu(t)).id, qty: 1 }] });
    const r = await t.http.put(`/orders/${init.body.orders.id}/checkout`).set(t.auth(customer)).send({});
    expect(r.status).toBe(422);
    expect(r.body.message).toMatch(/courier/);
  });
});

describe('expiry job', () => {
  it('asks the status API first: a lost settlement is applied, an expired one is cancelled', async () => {
    const a = await eCart(t, customer, [{ id_menu: (await product({ harga: 10_000 })).m.id, qty: 1 }], 1_000);
    const b = await eCart(t, customer, [{ id_menu: (await product({ harga: 20_000 })).m.id, qty: 1 }], 1_000);
    await t.http.put(`/orders/${a}/checkout`).set(t.auth(customer)).send({}).expect(200);
    await t.http.put(`/orders/${b}/checkout`).set(t.auth(customer)).send({}).expect(200);
    const [oa, ob] = [await order(a), await order(b)];
    await t.app.db.order.updateMany({ where: { id: { in: [a, b] } }, data: { expires_at: new Date(Date.now() - 1000) } });
    fake.statuses.set(oa.order_code!, { status_code: '200', transaction_status: 'settlement', gross_amount: '11000.00', payment_type: 'qris', transaction_id: 'lost-1', fraud_status: 'accept' });
    fake.statuses.set(ob.order_code!, { status_code: '407', transaction_status: 'expire', gross_amount: '21000.00' });
    await expireUnpaidCheckouts(t.app);
    expect(await order(a)).toMatchObject({ status: 'PAID', pay_channel: 'qris' });
    expect(await order(b)).toMatchObject({ status: 'CANCEL', cancel_reason: 'payment expired' });
  });
});

describe('an order paid at once by points', () => {
  it('leaves no pending Midtrans attempt: none is made, and once staff undo the payment the expiry job does not ask Midtrans about it', async () => {
    const u = await t.user(['CUSTOMER']);
    await givePoints(t, u.id, 200_000);
    const id = await eCart(t, u, [{ id_menu: (await product({ harga: 100_000 })).m.id, qty: 1 }], 20_000);
    await t.http.put(`/orders/${id}/apply/points`).set(t.auth(u)).send({ poin_used: 120_000 }).expect(200);
    const snaps = fake.snapRequests.length;
    const co = await t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({}).expect(200);
    expect(co.body).toMatchObject({ token: '', redirect_url: '' });
    expect(fake.snapRequests).toHaveLength(snaps);
    const paid = await order(id);
    expect(paid).toMatchObject({ status: 'PAID', pay_channel: 'points', grand_totals: 0, payment_attempts: 1 });
    expect(await t.app.db.orderPayment.findMany({ where: { id_orders: id } })).toEqual([]);

    // staff undo the payment and it stays unpaid past its window: cancelled, no transaction looked up
    await t.http.put(`/orders/${id}/unpaid`).set(t.auth(admin)).send({}).expect(200);
    await t.app.db.order.update({ where: { id }, data: { expires_at: new Date(Date.now() - 1000) } });
    await expireUnpaidCheckouts(t.app);
    expect(fake.statusRequests).not.toContain(paid.order_code);
    expect(await order(id)).toMatchObject({ status: 'CANCEL', cancel_reason: 'payment expired', reservation_status: 'RELEASED' });
  });
});

describe('expiry job with many orders still pending at Midtrans', () => {
  it('goes past the first hundred: a due order behind 100 pending ones is expired in the same run', async () => {
    const patient = await patientOf(t, customer);
    const past = new Date(Date.now() - 60_000);
    const ids: number[] = [];
    for (let i = 0; i < 101; i++) {
      const o = await t.app.db.order.create({
        data: { order_type: 'E', id_member: customer.id, id_patients: patient.id, status: 'CHECKOUT', cart_open: null, expires_at: past, grand_totals: 1_000 },
      });
      await t.app.db.orderPayment.create({ data: { id_orders: o.id, attempt: 1, midtrans_order_id: `MANY-${o.id}`, gross_amount: 1_000 } });
      fake.statuses.set(`MANY-${o.id}`, i < 100 ? { status_code: '201', transaction_status: 'pending', gross_amount: '1000.00' } : { status_code: '407', transaction_status: 'expire', gross_amount: '1000.00' });
      ids.push(o.id);
    }
    await expireUnpaidCheckouts(t.app);
    const last = await order(ids[100]!);
    expect(last).toMatchObject({ status: 'CANCEL', cancel_reason: 'payment expired' });
    expect(await t.app.db.order.count({ where: { id: { in: ids.slice(0, 100) }, status: 'CHECKOUT' } })).toBe(100);
  });
});

describe('concurrency', () => {
  it("parallel checkouts get consecutive, distinct codes from the day's counter (and a fourth digit after 999)", async () => {
    const { m } = await product({ harga: 10_000 }, 100);
    const buyers = await Promise.all(Array.from({ length: 8 }, () => t.user(['CUSTOMER'])));
    const carts = await Promise.all(buyers.map((b) => eCart(t, b, [{ id_menu: m.id, qty: 1 }], 1_000)));
    const before = await t.app.db.orderCodeCounter.findMany({ where: { order_type: 'E' } });
    const last = before.reduce((n, c) => Math.max(n, c.last_number), 0);
    const results = await Promise.all(carts.map((id, i) => t.http.put(`/orders/${id}/checkout`).set(t.auth(buyers[i]!)).send({})));
    expect(results.map((r) => r.status)).toEqual(carts.map(() => 200));
    const codes = results.map((r) => r.body.orders.order_code as string);
    const numbers = codes.map((c) => Number(c.split('-')[2])).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 8 }, (_, i) => last + 1 + i));
    // each order holds the code it was answered with, and Midtrans got the same one
    const rows = await t.app.db.order.findMany({ where: { id: { in: carts } }, select: { id: true, order_code: true, payments: { select: { midtrans_order_id: true } } } });
    for (const [i, id] of carts.entries()) {
      const row = rows.find((o) => o.id === id)!;
      expect(row.order_code).toBe(codes[i]);
      expect(row.payments.map((p) => p.midtrans_order_id)).toEqual([codes[i]]);
    }
    // past 999 a day the number grows a digit instead of wrapping
    await t.app.db.orderCodeCounter.updateMany({ where: { order_type: 'E' }, data: { last_number: 999 } });
    const u = await t.user(['CUSTOMER']);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 1_000);
    const r = await t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({});
    expect(r.body.orders.order_code).toMatch(/^E-\d{8}-1000$/);
  });

  it('parallel checkouts on the last unit of stock: exactly one wins', async () => {
    const { m, stock } = await product({ harga: 10_000 }, 1);
    const buyers = await Promise.all(Array.from({ length: 6 }, () => t.user(['CUSTOMER'])));
    const carts = await Promise.all(buyers.map((b) => eCart(t, b, [{ id_menu: m.id, qty: 1 }], 1_000)));
    const results = await Promise.all(carts.map((id, i) => t.http.put(`/orders/${id}/checkout`).set(t.auth(buyers[i]!)).send({})));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(5);
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(0);
    expect(await t.app.db.order.count({ where: { id: { in: carts }, status: 'CHECKOUT' } })).toBe(1);
  });

  it('parallel checkouts on the last promotion quota: exactly one wins', async () => {
    const p = await promotion(t, { quota: 1 });
    const buyers = await Promise.all(Array.from({ length: 6 }, () => t.user(['CUSTOMER'])));
    const { m } = await product({ harga: 100_000 });
    const ids: number[] = [];
    for (const b of buyers) ids.push(await eCart(t, b, [{ id_menu: m.id, qty: 1 }], 1_000));
    for (let i = 0; i < ids.length; i++) await t.http.put(`/orders/${ids[i]}/apply/promotions`).set(t.auth(buyers[i]!)).send({ display_codes: p.display_codes }).expect(200);
    const results = await Promise.all(ids.map((id, i) => t.http.put(`/orders/${id}/checkout`).set(t.auth(buyers[i]!)).send({})));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 422)).toHaveLength(5);
    expect(await t.app.db.promotion.findUniqueOrThrow({ where: { id: p.id } })).toMatchObject({ quota_reserved: 1, quota_used: 0 });
  });

  it('one customer, parallel checkouts with the same once-per-customer code: one wins', async () => {
    const u = await t.user(['CUSTOMER']);
    const p = await promotion(t, { quota: 10 });
    const { m } = await product({ harga: 100_000 });
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push(await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 1_000));
    for (const id of ids) await t.http.put(`/orders/${id}/apply/promotions`).set(t.auth(u)).send({ display_codes: p.display_codes }).expect(200);
    const results = await Promise.all(ids.map((id) => t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({})));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(await t.app.db.promotionUsage.count({ where: { id_promotions: p.id, status: 'RESERVED' } })).toBe(1);
  });

  it('a double-clicked checkout creates one Midtrans transaction', async () => {
    const u = await t.user(['CUSTOMER']);
    const id = await eCart(t, u, [{ id_menu: (await product({ harga: 10_000 })).m.id, qty: 1 }], 1_000);
    const before = fake.snapRequests.length;
    const rs = await Promise.all([1, 2, 3].map(() => t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({})));
    expect(rs.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect(fake.snapRequests.length).toBe(before + 1);
  });

  // PostgreSQL only: the second delivery waits for the order's lock (PGlite runs one statement at a time)
  it.skipIf(!process.env.TEST_DATABASE_URL)('a notification delivered twice at once is processed once: one alert for money paid to a superseded attempt', async () => {
    const { m } = await product({ harga: 30_000 }, 3);
    const orderId = await eCart(t, customer, [{ id_menu: m.id, qty: 1 }], 5_000);
    await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({}).expect(200);
    const code = (await order(orderId)).order_code!;
    await t.http.put(`/orders/${orderId}/uncheckout`).set(t.auth(customer)).expect(200);
    const body = notification(code, 35_000);
    // both deliveries are under way (stored or found unprocessed) before either has the order's lock
    let commit!: () => void;
    let holding!: () => void;
    const isHolding = new Promise<void>((r) => (holding = r));
    const holder = t.app.db.$transaction(
      async (tx) => {
        await tx.$queryRawUnsafe(`SELECT id FROM orders WHERE id = ${orderId} FOR UPDATE`);
        holding();
        await new Promise<void>((r) => (commit = r));
      },
      { timeout: 20_000 },
    );
    await isHolding;
    const deliveries = Promise.all([webhook(body), webhook(body)].map((r) => (async () => await r)()));
    await vi.waitFor(
      async () => {
        const [row] = await t.app.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        expect(row!.n).toBe(2);
      },
      { timeout: 5_000, interval: 50 },
    );
    commit();
    await holder;
    const results = (await deliveries).map((r) => r.body.result).sort();
    expect(results).toEqual(['duplicate', 'paid_not_current']);
    const alerts = (await t.app.db.log.findMany({ where: { action: 'payment_alert' } })).filter((l) => (l.details as { midtrans_order_id: string }).midtrans_order_id === code);
    expect(alerts).toHaveLength(1);
  });

  it("parallel '+' on one cart line counts every click", async () => {
    const u = await t.user(['CUSTOMER']);
    const { m } = await product({ harga: 10_000 });
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 0);
    await Promise.all(Array.from({ length: 5 }, () => t.http.post('/orders/e_add_to_carts').set(t.auth(u)).send({ id_order: id, items: [{ id_menu: m.id, qty: '+' }] }).expect(200)));
    expect((await t.app.db.orderItem.findFirstOrThrow({ where: { id_order: id } })).qty).toBe(6);
    expect((await order(id)).total_price).toBe(60_000);
  });

  it('parallel point spending never goes below zero', async () => {
    const u = await t.user(['CUSTOMER']);
    await givePoints(t, u.id, 10_000);
    const { m } = await product({ harga: 50_000 });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 1_000));
    for (const id of ids) await t.http.put(`/orders/${id}/apply/points`).set(t.auth(u)).send({ poin_used: 10_000 }).expect(200);
    const results = await Promise.all(ids.map((id) => t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({})));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 422)).toHaveLength(4);
    expect((await t.app.db.userPointBalance.findUniqueOrThrow({ where: { id_users: u.id } })).balance).toBe(0);
  });

  it('parallel duplicate settlement notifications credit points once', async () => {
    const u = await t.user(['CUSTOMER']);
    const id = await eCart(t, u, [{ id_menu: (await product({ harga: 100_000 })).m.id, qty: 1 }], 0);
    await t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({}).expect(200);
    const o = await order(id);
    const n = notification(o.order_code!, 100_000);
    const rs = await Promise.all([
      ...Array.from({ length: 4 }, () => webhook(n)),
      ...Array.from({ length: 4 }, (_, i) => webhook(notification(o.order_code!, 100_000, 'settlement', { transaction_id: `other-${i}`, signature_key: n.signature_key }))),
    ]);
    expect(rs.every((r) => r.status === 200)).toBe(true);
    expect(rs.filter((r) => r.body.result === 'paid')).toHaveLength(1);
    expect(await t.app.db.userPoint.count({ where: { id_orders_earned: id } })).toBe(1);
    expect((await t.app.db.userPointBalance.findUniqueOrThrow({ where: { id_users: u.id } })).balance).toBe(10_000);
  });

  it('parallel partial refund notifications of a shipped order, repeated and crossing, record the largest total once', async () => {
    const u = await t.user(['CUSTOMER']);
    const id = await eCart(t, u, [{ id_menu: (await product({ harga: 100_000 })).m.id, qty: 1 }], 0);
    await t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({}).expect(200);
    const code = (await order(id)).order_code!;
    expect((await webhook(notification(code, 100_000))).body.result).toBe('paid');
    await t.app.db.order.update({ where: { id }, data: { status: 'DELIVERED' } });
    const partial = (total: number) => notification(code, 100_000, 'partial_refund', { refund_amount: `${total}.00` });
    const rs = await Promise.all([...Array.from({ length: 4 }, () => webhook(partial(30_000))), ...Array.from({ length: 4 }, () => webhook(partial(10_000)))]);
    expect(rs.every((r) => r.status === 200)).toBe(true);
    expect(await order(id)).toMatchObject({ status: 'DELIVERED', is_paid: 1, refunded_amount: 30_000 });
    expect(await t.app.db.paymentNotification.count({ where: { order_id: code, transaction_status: 'partial_refund' } })).toBe(2);
  });
});

describe('consultation orders', () => {
  it('C checkout needs a doctor; paid through the webhook', async () => {
    const d = await doctor(t, 75_000);
    const patient = await patientOf(t, customer);
    const init = await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: patient.id, order_type: 'C' });
    const id = init.body.orders.id;
    expect((await t.http.put(`/orders/${id}/checkout`).set(t.auth(customer)).send({})).status).toBe(422);
    await t.http.post('/orders/c_add_to_carts').set(t.auth(customer)).send({ id_order: id, items: [{ id_doctors: d.id, qty: 1 }] }).expect(200);
    const r = await t.http.put(`/orders/${id}/checkout`).set(t.auth(customer)).send({});
    expect(r.status).toBe(200);
    expect(r.body.orders.order_code).toMatch(/^C-\d{8}-\d{3}$/);
    expect(fake.snapRequests.at(-1).item_details).toEqual([{ id: `consult-${d.id}`, price: 75_000, quantity: 1, name: expect.stringContaining('Online consultation') }]);
    expect((await webhook(notification(r.body.orders.order_code, 75_000))).body.result).toBe('paid');
  });

  it("a doctor without a custom_price of their own is charged at their service's price, not given away at 0", async () => {
    const service = await t.app.db.service.create({ data: { services_name: 'Konsultasi kulit', services_price: 90_000 } });
    const d = await doctor(t, 0);
    await t.app.db.doctor.update({ where: { id: d.id }, data: { id_services: service.id } });
    const patient = await patientOf(t, customer);
    const id = (await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: patient.id, order_type: 'C' })).body.orders.id;
    const add = await t.http.post('/orders/c_add_to_carts').set(t.auth(customer)).send({ id_order: id, items: [{ id_doctors: d.id, qty: 1 }] });
    expect(add.body.order_extras[0]).toMatchObject({ extra_prices: 90_000, orders: { total_price: 90_000 } });
    // the doctor's price changes while the line sits in the cart: checkout prices it again
    await t.app.db.service.update({ where: { id: service.id }, data: { services_price: 95_000 } });
    const r = await t.http.put(`/orders/${id}/checkout`).set(t.auth(customer)).send({});
    expect(r.status).toBe(200);
    expect(r.body.token).not.toBe('');
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'CHECKOUT', is_paid: 0, total_price: 95_000, grand_totals: 95_000 });
    expect(await t.app.db.thread.count({ where: { id_order: id } })).toBe(0);
    // a doctor's own price wins over the service's
    await t.app.db.doctor.update({ where: { id: d.id }, data: { custom_price: 120_000 } });
    const id2 = (await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: patient.id, order_type: 'C' })).body.orders.id;
    const add2 = await t.http.post('/orders/c_add_to_carts').set(t.auth(customer)).send({ id_order: id2, items: [{ id_doctors: d.id, qty: 1 }] });
    expect(add2.body.order_extras[0]).toMatchObject({ extra_prices: 120_000 });
  });

  it('a doctor with no price set (no custom_price, no service price) is refused at c_add_to_carts and at checkout; points making it free are a discount, paid at once', async () => {
    const u = await t.user(['CUSTOMER']);
    const patient = await patientOf(t, u);
    const id = (await t.http.post('/orders/init').set(t.auth(u)).send({ id_patients: patient.id, order_type: 'C' })).body.orders.id;
    const unpriced = await doctor(t, 0);
    const add = await t.http.post('/orders/c_add_to_carts').set(t.auth(u)).send({ id_order: id, items: [{ id_doctors: unpriced.id, qty: 1 }] });
    expect(add.status).toBe(422);
    expect(add.body.message).toMatch(/no consultation price/);
    expect(await t.app.db.orderExtra.count({ where: { id_orders: id } })).toBe(0);

    // priced when added, its price removed since: the checkout refuses, nothing is paid or opened
    const d = await doctor(t, 80_000);
    await t.http.post('/orders/c_add_to_carts').set(t.auth(u)).send({ id_order: id, items: [{ id_doctors: d.id, qty: 1 }] }).expect(200);
    await t.app.db.doctor.update({ where: { id: d.id }, data: { custom_price: 0 } });
    const refused = await t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({});
    expect(refused.status).toBe(422);
    expect(refused.body.message).toMatch(/no consultation price/);
    expect(await order(id)).toMatchObject({ status: 'SHOPPING CARTS', is_paid: 0 });
    expect(await t.app.db.thread.count({ where: { id_order: id } })).toBe(0);

    // priced again, the customer's points cover it: paid at once, the consultation opened
    await t.app.db.doctor.update({ where: { id: d.id }, data: { custom_price: 80_000 } });
    await givePoints(t, u.id, 80_000);
    await t.http.put(`/orders/${id}/apply/points`).set(t.auth(u)).send({ poin_used: 80_000 }).expect(200);
    const co = await t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({});
    expect(co.status).toBe(200);
    expect(co.body.token).toBe('');
    expect(await order(id)).toMatchObject({ status: 'PAID', pay_channel: 'points', total_price: 80_000, grand_totals: 0 });
    expect(await t.app.db.thread.count({ where: { id_order: id } })).toBe(1);
  });
});

describe('a promotion edited or deleted after a customer applied it', () => {
  it('the cart shows the discount the checkout charges; deleted, no discount and the checkout says why', async () => {
    const u = await t.user(['CUSTOMER']);
    const m = await menu(t, { harga: 100_000 });
    await stockOf(t, m.id, 5);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 20_000);
    const p = await promotion(t, { type: 'NOMINAL', value: 30_000 });
    await t.http.put(`/orders/${id}/apply/promotions`).set(t.auth(u)).send({ display_codes: p.display_codes }).expect(200);
    const shown = async () => (await t.http.get(`/orders/${id}`).set(t.auth(u))).body.orders;
    expect(await shown()).toMatchObject({ total_discount: 30_000, grand_totals: 90_000 });

    await t.http.put(`/promotions/${p.id}/update`).set(t.auth(admin)).send({ value: 10_000 }).expect(200);
    expect(await shown()).toMatchObject({ total_discount: 10_000, grand_totals: 110_000 });

    await t.http.delete(`/promotions/${p.id}/delete`).set(t.auth(admin)).expect(200);
    expect(await shown()).toMatchObject({ total_discount: 0, grand_totals: 120_000 });
    const checkout = await t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({});
    expect(checkout.status).toBe(422);
    // the code is gone, not used up or expired: the customer is told to take it off the cart
    expect(checkout.body.message).toBe(`The promotion code ${p.display_codes} is no longer offered; remove it from the cart`);
  });

  it('edited before checkout: the amount sent to Midtrans is the one the cart showed', async () => {
    const u = await t.user(['CUSTOMER']);
    const m = await menu(t, { harga: 100_000 });
    await stockOf(t, m.id, 5);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 20_000);
    const p = await promotion(t, { type: 'PERSEN', value: 50 });
    await t.http.put(`/orders/${id}/apply/promotions`).set(t.auth(u)).send({ display_codes: p.display_codes }).expect(200);
    await t.http.put(`/promotions/${p.id}/update`).set(t.auth(admin)).send({ value: 10 }).expect(200);
    const shown = (await t.http.get(`/orders/${id}`).set(t.auth(u))).body.orders;
    expect(shown).toMatchObject({ total_discount: 10_000, grand_totals: 110_000 });
    await t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({}).expect(200);
    expect(fake.snapRequests.at(-1).transaction_details.gross_amount).toBe(shown.grand_totals);
  });

  it('edited while the order was checked out: back in the cart (uncheckout, uncancel), it shows the discount the next checkout charges', async () => {
    const u = await t.user(['CUSTOMER']);
    const m = await menu(t, { harga: 100_000 });
    await stockOf(t, m.id, 5);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 20_000);
    const p = await promotion(t, { type: 'NOMINAL', value: 30_000 });
    await t.http.put(`/orders/${id}/apply/promotions`).set(t.auth(u)).send({ display_codes: p.display_codes }).expect(200);
    const shown = async () => (await t.http.get(`/orders/${id}`).set(t.auth(u))).body.orders;
    await t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({}).expect(200);
    await t.http.put(`/promotions/${p.id}/update`).set(t.auth(admin)).send({ value: 10_000 }).expect(200);
    await t.http.put(`/orders/${id}/uncheckout`).set(t.auth(u)).send({}).expect(200);
    expect(await shown()).toMatchObject({ status: 'SHOPPING CARTS', total_discount: 10_000, grand_totals: 110_000 });
    await t.http.put(`/orders/${id}/checkout`).set(t.auth(u)).send({}).expect(200);
    expect(fake.snapRequests.at(-1).transaction_details.gross_amount).toBe(110_000);

    // cancelled unpaid, the promotion deleted meanwhile, then restored as the cart: no discount shown
    await t.http.put(`/orders/${id}/cancel`).set(t.auth(admin)).send({}).expect(200);
    await t.http.delete(`/promotions/${p.id}/delete`).set(t.auth(admin)).expect(200);
    await t.http.put(`/orders/${id}/uncancel`).set(t.auth(admin)).send({}).expect(200);
    expect(await shown()).toMatchObject({ status: 'SHOPPING CARTS', total_discount: 0, grand_totals: 120_000 });
  });
});
