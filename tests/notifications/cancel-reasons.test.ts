import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startFakeMidtrans } from '../commerce/fake-midtrans.js';
import { eCart, menu } from '../commerce/fixtures.js';

// The reasons the system cancels an order with ("payment deny", "payment expire", …) reached the
// customer's Indonesian notice (and its push) as English words. The notice now names them in
// Indonesian; the order keeps the English code in cancel_reason (staff, reports, audit).

const SERVER_KEY = 'SB-Mid-server-test-key';
let t: TestApp;
let fake: Awaited<ReturnType<typeof startFakeMidtrans>>;
beforeAll(async () => {
  fake = await startFakeMidtrans(SERVER_KEY);
  t = await createTestApp({ MIDTRANS_SERVER_KEY: SERVER_KEY, MIDTRANS_CLIENT_KEY: 'SB-Mid-client-test', MIDTRANS_SNAP_URL: `${fake.url}/snap/v1`, MIDTRANS_API_URL: fake.url });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

function notification(orderId: string, gross: number, status: string) {
  const gross_amount = `${gross}.00`;
  return {
    transaction_time: '2026-11-25 10:00:00',
    transaction_status: status,
    transaction_id: `trx-${orderId}-${status}`,
    status_message: 'midtrans payment notification',
    status_code: '202',
    signature_key: createHash('sha512').update(orderId + '202' + gross_amount + SERVER_KEY).digest('hex'),
    payment_type: 'bank_transfer',
    order_id: orderId,
    gross_amount,
    fraud_status: 'accept',
  };
}

describe('the notice of an order Midtrans cancels', () => {
  it.each([
    ['deny', 'payment deny', 'pembayaran ditolak'],
    ['expire', 'payment expire', 'batas waktu pembayaran telah habis'],
    ['failure', 'payment failure', 'pembayaran gagal'],
    ['cancel', 'payment cancel', 'pembayaran dibatalkan'],
  ])('%s: names the reason in Indonesian; the order keeps its code', async (status, code, text) => {
    const u = await t.user(['CUSTOMER']);
    const m = await menu(t, { harga: 30_000 });
    const orderId = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 5_000);
    await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(u)).send({}).expect(200);
    const o = await t.app.db.order.findUniqueOrThrow({ where: { id: orderId } });
    const res = await t.http.post('/payments/webhooks/midtrans').send(notification(o.order_code!, 35_000, status));
    expect(res.body.result, res.text).toBe('cancelled');

    const order = (await t.http.get(`/orders/${orderId}`).set(t.auth(u))).body.orders;
    expect(order).toMatchObject({ status: 'CANCEL', cancel_reason: code });
    const notes = (await t.http.post('/notifications/explore?page=1&length=50').set(t.auth(u)).send({})).body.data as { intentions: string; content: string }[];
    const cancelled = notes.filter((n) => n.intentions === 'order_cancelled');
    expect(cancelled.map((n) => n.content)).toEqual([`Pesanan ${o.order_code} dibatalkan: ${text}`]);
  });
});
