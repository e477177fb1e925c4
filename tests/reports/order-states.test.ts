import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';

// Order states and shapes the main fixture (reports.test.ts) does not have, each figure by hand.
// "Now" is 2026-03-15 10:00 WIB.

let t: TestApp;
let owner: TestUser;
const ids: Record<string, number> = {};
const wib = (s: string) => new Date(`${s}+07:00`);

beforeAll(async () => {
  t = await createTestApp();
  t.app.now = () => wib('2026-03-15T10:00:00');
  owner = await t.user(['OWNER']);
  const c = await t.user(['CUSTOMER']);
  const db = t.app.db;
  const patient = await db.patient.create({ data: { nama_lengkap_pasien: 'Sari', id_users: c.id } });
  const serum = await db.menu.create({ data: { nama_menus: 'Serum', harga: 50000 } });
  const toner = await db.menu.create({ data: { nama_menus: 'Toner', harga: 10000 } });
  Object.assign(ids, { serum: serum.id, toner: toner.id });
  let n = 0;
  const order = async (o: Record<string, unknown>, items: [number, number, number, number?][]) => {
    n += 1;
    return (
      await db.order.create({
        data: {
          order_type: 'E', order_code: `E-ST-${n}`, status: 'PAID', cart_open: null, id_member: c.id, id_patients: patient.id,
          nama_pemesan: `Pemesan ${n}`, is_paid: 1, order_date: wib('2026-01-20T08:30:00'), ...o,
          items: { create: items.map(([id_menu, qty, price, is_canceled = 0]) => ({ id_menu, qty, price, price_total: qty * price, is_canceled, nama_menus: 'Serum (old name)' })) },
        },
      })
    ).id;
  };
  // 1: the last millisecond of January (WIB), with a promotion, points and a courier:
  //    100000 − 10000 + 15000 − 5000 = 100000
  await order(
    { paid_date: wib('2026-01-31T23:59:59.999'), total_price: 100000, total_discount: 10000, courier_price: 15000, poin_used: 5000, grand_totals: 100000 },
    [[serum.id, 2, 50000]],
  );
  // 2: the first instant of February (WIB); its toner line was cancelled (not in the totals)
  await order({ paid_date: wib('2026-02-01T00:00:00.000'), total_price: 50000, grand_totals: 50000 }, [[serum.id, 1, 50000], [toner.id, 3, 10000, 1]]);
  // 3: two years ago
  await order({ status: 'DONE', paid_date: wib('2024-06-01T12:00:00'), total_price: 10000, grand_totals: 10000 }, [[toner.id, 1, 10000]]);
  // 4: paid on 2 February, then `unpaid` by staff: a checkout again, never revenue
  await order({ status: 'CHECKOUT', is_paid: 0, paid_date: null, total_price: 50000, grand_totals: 50000 }, [[serum.id, 1, 50000]]);
  // the serum is renamed, then deleted, after it was sold
  await db.menu.update({ where: { id: serum.id }, data: { nama_menus: 'Serum Glow', deleted_at: wib('2026-03-01T00:00:00') } });
});
afterAll(() => t.close());

const post = (path: string, body: unknown = {}) => t.http.post(path).set(t.auth(owner)).send(body as object);

describe('order states in the reports', () => {
  it('cuts months at midnight WIB to the millisecond, in stats and dashboards alike', async () => {
    expect((await post('/report/penjualan/stats', { tgl_awal: '01/01/2026', tgl_akhir: '31/01/2026' })).body).toEqual({
      total_sales: 1, total_online_consultation: 0, amount_sales: 100000, amount_online_consultation: 0, amount_discount: 10000, amount_total: 100000, total_customer: 1,
    });
    expect((await post('/report/penjualan/stats', { tgl_awal: '01/02/2026', tgl_akhir: '28/02/2026' })).body).toMatchObject({ total_sales: 1, amount_total: 50000 });
    expect((await post('/dashboard/total/pendapatan')).body.pendapatan.map((m: { amounts: string }) => m.amounts)).toEqual(['100000', '50000', '0']);
    expect((await post('/dashboard/total/invoice')).body.invoice.map((m: { counts: number }) => m.counts)).toEqual([1, 1, 0]);
  });

  it('spans several years, and leaves out payments undone and cancelled lines', async () => {
    expect((await post('/report/penjualan/stats', { tgl_awal: '01/01/2000', tgl_akhir: '31/12/2099' })).body).toMatchObject({ total_sales: 3, amount_sales: 160000, amount_discount: 10000 });
    // the toner of order 2 was cancelled: only order 3 sold it
    expect((await post('/report/penjualan/stats', { id_menus: ids.toner })).body).toMatchObject({ total_sales: 1, amount_total: 10000 });
    expect((await post('/report/penjualan/products')).body.data).toEqual([['Serum Glow', 3, 150000], ['Toner', 1, 10000]]);
    expect((await post('/dashboard/total/products')).body.items).toEqual([{ id_menu: ids.serum, nama_menus: 'Serum Glow', counts: '3' }]);
  });

  it('prints the same cells in JSON and CSV', async () => {
    const body = { tgl_akhir: '31/01/2026' };
    const json = await post('/report/penjualan/overall', body);
    expect(json.body.data).toEqual([
      ['E-ST-1', '2026-01-20 08:30:00', 'E', 'Pemesan 1', 100000, 10000, 15000, 5000, 100000, 'PAID'],
      ['E-ST-3', '2026-01-20 08:30:00', 'E', 'Pemesan 3', 10000, 0, 0, 0, 10000, 'DONE'],
    ]);
    const csv = await t.http.post('/report/penjualan/overall?format=csv').set(t.auth(owner)).send(body);
    const lines = csv.text.replace(/^\uFEFF/, '').split('\r\n').slice(1, -1);
    expect(lines).toEqual(json.body.data.map((r: unknown[]) => r.join(',')));
  });
});
