import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';

// Money Midtrans takes back from orders that can no longer be cancelled (shipped, done) is not
// revenue: the reports count these orders net of it, and leave out one refunded in full.
// Orders are written straight into the tables, each paid by a Midtrans attempt; the refunds arrive
// as signed notifications through the webhook. "Now" is 2026-03-15 10:00 WIB.

const SERVER_KEY = 'SB-Mid-server-refund-test';
let t: TestApp;
let owner: TestUser;
const ids: Record<string, number> = {};
const wib = (s: string) => new Date(`${s}+07:00`);

beforeAll(async () => {
  t = await createTestApp({ MIDTRANS_SERVER_KEY: SERVER_KEY, MIDTRANS_CLIENT_KEY: 'SB-Mid-client-refund-test' });
  t.app.now = () => wib('2026-03-15T10:00:00');
  owner = await t.user(['OWNER']);
  const c = await t.user(['CUSTOMER']);
  const db = t.app.db;
  const patient = await db.patient.create({ data: { nama_lengkap_pasien: 'Sari', id_users: c.id } });
  const serum = await db.menu.create({ data: { nama_menus: 'Serum', harga: 50000 } });
  const paid = async (code: string, o: Record<string, unknown>) =>
    (
      await db.order.create({
        data: {
          order_type: 'E', order_code: code, status: 'DELIVERED', cart_open: null, id_member: c.id, id_patients: patient.id,
          nama_pemesan: `Pemesan ${code}`, is_paid: 1, reservation_status: 'CONSUMED', payment_attempts: 1, order_date: wib('2026-01-02T08:00:00'), ...o,
          items: { create: [{ id_menu: serum.id, qty: 1, price: 50000, price_total: 50000 }] },
          payments: { create: [{ attempt: 1, midtrans_order_id: code, gross_amount: Number(o.grand_totals), status: 'PAID', transaction_id: `trx-${code}` }] },
        },
      })
    ).id;
  // shipped in January, refunded in full below
  ids.full = await paid('E-RF-1', { paid_date: wib('2026-01-10T09:00:00'), total_price: 50000, courier_price: 50000, grand_totals: 100000 });
  // January, never refunded
  ids.kept = await paid('E-RF-2', { status: 'DONE', paid_date: wib('2026-01-12T09:00:00'), total_price: 50000, total_discount: 10000, grand_totals: 40000 });
  // done in February, refunded in part below
  ids.part = await paid('E-RF-3', { status: 'DONE', paid_date: wib('2026-02-05T09:00:00'), total_price: 50000, courier_price: 10000, grand_totals: 60000 });
});
afterAll(() => t.close());

const post = (path: string, body: unknown = {}) => t.http.post(path).set(t.auth(owner)).send(body as object);
const sign = (orderId: string, code: string, gross: string) => createHash('sha512').update(orderId + code + gross + SERVER_KEY).digest('hex');
/** A Midtrans notification of a refund or chargeback of the whole attempt `E-RF-n` (its transaction trx-E-RF-n). */
function reversal(orderId: string, gross: number, status: string, extra: Record<string, unknown> = {}) {
  const gross_amount = `${gross}.00`;
  return {
    transaction_time: '2026-01-10 09:00:00', transaction_status: status, transaction_id: `trx-${orderId}`,
    status_message: 'midtrans payment notification', status_code: '200', signature_key: sign(orderId, '200', gross_amount),
    payment_type: 'credit_card', order_id: orderId, gross_amount, fraud_status: 'accept', currency: 'IDR', ...extra,
  };
}
const webhook = async (body: unknown) => {
  const r = await t.http.post('/payments/webhooks/midtrans').send(body as object);
  expect(r.status).toBe(200);
  return r.body.result as string;
};
const stats = async (body: unknown = {}) => (await post('/report/penjualan/stats', body)).body;
const overall = async (body: unknown = {}) => (await post('/report/penjualan/overall', body)).body;
/** order_code and grand_totals of each row */
const rows = async (body: unknown = {}) => (await overall(body)).data.map((r: unknown[]) => [r[0], r[8]]);
const pendapatan = async () => (await post('/dashboard/total/pendapatan')).body.pendapatan.map((m: { amounts: string }) => m.amounts);
const invoice = async () => (await post('/dashboard/total/invoice')).body.invoice.map((m: { counts: number }) => m.counts);

describe('money Midtrans takes back from a shipped or done order', () => {
  it('before any refund, all three orders are revenue', async () => {
    expect(await stats()).toEqual({
      total_sales: 3, total_online_consultation: 0, amount_sales: 200000, amount_online_consultation: 0, amount_discount: 10000, amount_total: 200000, total_customer: 1,
    });
    expect(await pendapatan()).toEqual(['140000', '60000', '0']);
    expect(await invoice()).toEqual([2, 1, 0]);
  });

  it('a full refund takes the order out of revenue, counts and lists; the same notification twice changes nothing more', async () => {
    const refund = reversal('E-RF-1', 100000, 'refund', { refund_amount: '100000.00', refund_chargeback_id: 1, refund_key: 'rk-1' });
    expect(await webhook(refund)).toBe('reversed_manual');
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id: ids.full } })).toMatchObject({ status: 'DELIVERED', is_paid: 1 });
    for (let i = 0; i < 2; i += 1) {
      expect(await stats()).toEqual({
        total_sales: 2, total_online_consultation: 0, amount_sales: 100000, amount_online_consultation: 0, amount_discount: 10000, amount_total: 100000, total_customer: 1,
      });
      expect(await stats({ tgl_awal: '01/01/2026', tgl_akhir: '31/01/2026' })).toMatchObject({ total_sales: 1, amount_sales: 40000, amount_total: 40000 });
      expect(await rows()).toEqual([['E-RF-3', 60000], ['E-RF-2', 40000]]);
      expect((await overall()).recordsTotal).toBe(2);
      expect(await pendapatan()).toEqual(['40000', '60000', '0']);
      expect(await invoice()).toEqual([1, 1, 0]);
      if (i === 0) expect(await webhook(refund)).toBe('duplicate');
    }
  });

  it('a partial refund subtracts exactly its amount; repeated (also bank-confirmed) once; a second one its own amount', async () => {
    const refundA = { refund_chargeback_id: 1, refund_amount: '15000.00', refund_key: 'rk-a', refund_method: 'online' };
    const first = reversal('E-RF-3', 60000, 'partial_refund', { refund_amount: '15000.00', refund_chargeback_id: 1, refunds: [refundA] });
    expect(await webhook(first)).toBe('reversed_partial');
    const after15 = async () => {
      expect(await stats()).toEqual({
        total_sales: 2, total_online_consultation: 0, amount_sales: 85000, amount_online_consultation: 0, amount_discount: 10000, amount_total: 85000, total_customer: 1,
      });
      expect(await rows()).toEqual([['E-RF-3', 45000], ['E-RF-2', 40000]]);
      expect(await pendapatan()).toEqual(['40000', '45000', '0']);
      // still a sale: the customer kept most of what they bought
      expect(await invoice()).toEqual([1, 1, 0]);
    };
    await after15();
    expect(await webhook(first)).toBe('duplicate');
    const confirmed = { ...first, refunds: [{ ...refundA, bank_confirmed_at: '2026-02-06 10:00:00' }] };
    expect(await webhook(confirmed)).toBe('duplicate');
    await after15();

    // Midtrans reports the total taken back so far: 15000 + 10000
    const second = reversal('E-RF-3', 60000, 'partial_refund', {
      refund_amount: '25000.00', refund_chargeback_id: 2,
      refunds: [{ refund_chargeback_id: 1, refund_amount: '15000.00' }, { refund_chargeback_id: 2, refund_amount: '10000.00' }],
    });
    expect(await webhook(second)).toBe('reversed_partial');
    expect(await webhook(second)).toBe('duplicate');
    expect(await stats()).toMatchObject({ total_sales: 2, amount_sales: 75000, amount_total: 75000 });
    // sorted by what the order brought in
    expect(await rows({ order: [{ column: 8, dir: 'asc' }] })).toEqual([['E-RF-3', 35000], ['E-RF-2', 40000]]);
    expect(await pendapatan()).toEqual(['40000', '35000', '0']);
    expect(await stats({ tgl_awal: '01/02/2026', tgl_akhir: '28/02/2026' })).toMatchObject({ total_sales: 1, amount_sales: 35000 });
  });
});
