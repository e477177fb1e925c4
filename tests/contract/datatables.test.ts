import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';

// The DataTables server-side protocol as the admin dashboard uses it, across the shared table
// machinery (src/http/resource.ts) and the report tables (src/modules/reports/table.ts).

let t: TestApp;
let owner: TestUser;
let rina: TestUser;
let budi: TestUser;
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestApp();
  owner = await t.user(['OWNER']);
  rina = await t.user(['CUSTOMER'], { users_fullname: 'Rina Lestari' });
  budi = await t.user(['CUSTOMER'], { users_fullname: 'Budi Santoso' });
  const db = t.app.db;
  const serum = await db.menu.create({ data: { nama_menus: 'Acne Serum', harga: 50000 } });
  const toner = await db.menu.create({ data: { nama_menus: 'Glow Toner', harga: 10000 } });
  const doctorUser = await t.user(['DOCTOR'], { users_fullname: 'dr. Ayu' });
  const doctor = await db.doctor.create({ data: { id_users: doctorUser.id, custom_price: 300000 } });
  const patients = new Map<number, number>();
  for (const u of [rina, budi]) patients.set(u.id, (await db.patient.create({ data: { nama_lengkap_pasien: `Pasien ${u.id}`, id_users: u.id } })).id);
  let n = 0;
  const order = async (member: TestUser, o: Record<string, unknown> = {}) => {
    n += 1;
    return db.order.create({
      data: { order_type: 'E', order_code: `E-DT-${String(n).padStart(3, '0')}`, status: 'DONE', cart_open: null, id_member: member.id, id_patients: patients.get(member.id)!, nama_pemesan: `Pemesan ${n}`, ...o },
    });
  };
  const o1 = await order(rina);
  const o2 = await order(budi);
  const o3 = await order(rina, { order_type: 'C' });
  Object.assign(ids, { o1: o1.id, o2: o2.id, o3: o3.id });
  await db.orderItem.create({ data: { id_order: o1.id, id_menu: serum.id, qty: 1, price: 50000, price_total: 50000, catatan_menu: 'bungkus kado' } });
  await db.orderItem.create({ data: { id_order: o2.id, id_menu: toner.id, qty: 2, price: 10000, price_total: 20000 } });
  await db.orderExtra.create({ data: { id_orders: o3.id, id_doctors: doctor.id, extra_prices: 300000, extra_notes: 'jerawat di dahi' } });
  await db.rating.create({ data: { id_orders: o1.id, id_users: rina.id, ratings: 5, rating_desc: 'Sangat bagus' } });
  await db.rating.create({ data: { id_orders: o2.id, id_users: budi.id, ratings: 3, rating_desc: 'Lumayan' } });
  await db.userPoint.create({ data: { id_users: rina.id, id_orders: o1.id, add_point: 500, remaining_point: 500, usecase: 'order-earn' } });
  await db.userPoint.create({ data: { id_users: budi.id, add_point: 0, usecase: 'admin-adjust' } });
});
afterAll(() => t?.close());

const table = (path: string, body: Record<string, unknown> | string) =>
  typeof body === 'string' ? t.http.post(path).set(t.auth(owner)).type('form').send(body) : t.http.post(path).set(t.auth(owner)).send(body);

describe('global search', () => {
  it('narrows every table, also those whose cells come from relations; text that matches nothing finds nothing', async () => {
    // these four tables had no searchable fields: any text listed every row, recordsFiltered = recordsTotal
    const cases: [string, string, number][] = [
      ['/ratings/table', 'sangat', 1],
      ['/ratings/table', 'E-DT-002', 1],
      ['/ratings/table', 'budi sant', 1],
      ['/user_points/table', 'order-earn', 1],
      ['/user_points/table', 'rina', 1],
      ['/user_points/table', 'E-DT-001', 1],
      ['/order_items/table', 'kado', 1],
      ['/order_items/table', 'glow toner', 1],
      ['/order_extras/table', 'dahi', 1],
      ['/order_extras/table', 'dr. ayu', 1],
    ];
    for (const [path, value, hits] of cases) {
      const res = await table(path, `draw=2&start=0&length=10&search[value]=${encodeURIComponent(value)}&search[regex]=false`);
      expect(res.status, path).toBe(200);
      expect(res.body, `${path} ${value}`).toMatchObject({ draw: 2, recordsFiltered: hits });
      expect(res.body.data, `${path} ${value}`).toHaveLength(hits);
      const none = await table(path, { draw: 3, search: { value: 'zzz-nothing' } });
      expect(none.body, `${path} zzz`).toMatchObject({ draw: 3, recordsFiltered: 0, data: [] });
      expect(none.body.recordsTotal, path).toBeGreaterThan(0);
    }
  });
});

describe('order[i][column] is an index into the columns the client sent', () => {
  // DataTables numbers `order[i][column]` by its own `columns` list, whose `columns[i][data]`
  // names the cell of the row (the Table Specs index). A dashboard showing some of the 47 order
  // columns, in its own order, sorts by the column it clicked, not by the Table Specs column of
  // that position.
  const dashboardColumns = (cols: number[]) =>
    cols
      .map((c, i) => `columns[${i}][data]=${c}&columns[${i}][name]=&columns[${i}][searchable]=true&columns[${i}][orderable]=true&columns[${i}][search][value]=&columns[${i}][search][regex]=false`)
      .join('&');

  it('sorts a resource table by the column the client means (form-encoded and JSON)', async () => {
    // the dashboard shows order_code (12) and nama_pemesan (5), and sorts by its column 1: nama_pemesan
    const form = `draw=1&${dashboardColumns([12, 5])}&order[0][column]=1&order[0][dir]=desc&start=0&length=10&search[value]=&search[regex]=false`;
    const res = await table('/orders/table', form);
    expect(res.status).toBe(200);
    expect(res.body.data.map((r: unknown[]) => r[5])).toEqual(['Pemesan 3', 'Pemesan 2', 'Pemesan 1']);
    const json = await table('/orders/table', { draw: 1, columns: [{ data: 12 }, { data: 5 }], order: [{ column: 1, dir: 'asc' }] });
    expect(json.body.data.map((r: unknown[]) => r[5])).toEqual(['Pemesan 1', 'Pemesan 2', 'Pemesan 3']);
    // a column without a cell index (data: null, or a function) keeps its position as the index
    const rendered = await table('/orders/table', `draw=1&columns[0][data]=&columns[1][data]=function&order[0][column]=0&order[0][dir]=asc`);
    expect(rendered.status).toBe(200);
    expect(rendered.body.data.map((r: unknown[]) => r[0])).toEqual([ids.o1, ids.o2, ids.o3]);
  });

  it('does the same in the report tables', async () => {
    // ratings are not needed here: the upcoming ecommerce table lists nothing (DONE orders), the
    // overall report nothing (unpaid); the products report sorts its aggregated rows in memory
    const paid = { is_paid: 1, paid_date: new Date('2026-01-10T03:00:00Z') };
    await t.app.db.order.update({ where: { id: ids.o1 }, data: { ...paid, grand_totals: 1000 } });
    await t.app.db.order.update({ where: { id: ids.o2 }, data: { ...paid, grand_totals: 500 } });
    // the dashboard shows price_total (2) first and the name (0) second, and sorts by its column 0
    const res = await table('/report/penjualan/products', `draw=4&columns[0][data]=2&columns[1][data]=0&order[0][column]=0&order[0][dir]=asc`);
    expect(res.body).toMatchObject({ draw: 4, recordsTotal: 2 });
    expect(res.body.data.map((r: unknown[]) => r[0])).toEqual(['Glow Toner', 'Acne Serum']);
    const overall = await table('/report/penjualan/overall', { columns: [{ data: 8 }, { data: 3 }], order: [{ column: 0, dir: 'asc' }] });
    expect(overall.body.data.map((r: unknown[]) => r[3])).toEqual(['Pemesan 2', 'Pemesan 1']);
  });
});

describe('every column of a field sorts', () => {
  it('orders, ratings and user_points sort by any of their documented columns, ties by id', async () => {
    await t.app.db.order.update({ where: { id: ids.o1 }, data: { courier_price: 9000, nama_penerima: 'Zaenal' } });
    await t.app.db.order.update({ where: { id: ids.o2 }, data: { courier_price: 1000, nama_penerima: 'Agus' } });
    await t.app.db.order.update({ where: { id: ids.o3 }, data: { courier_price: 5000, nama_penerima: 'Made' } });
    // courier_price (43) and nama_penerima (29) were ignored: the table stayed in id order
    const byCourier = await table('/orders/table', { order: [{ column: 43, dir: 'asc' }] });
    expect(byCourier.body.data.map((r: unknown[]) => r[43])).toEqual([1000, 5000, 9000]);
    // the dashboard's full request: all 47 columns described (qs makes an object of more than 20)
    const full = Array.from({ length: 47 }, (_, i) => `columns[${i}][data]=${i}&columns[${i}][name]=&columns[${i}][searchable]=true&columns[${i}][orderable]=true&columns[${i}][search][value]=&columns[${i}][search][regex]=false`).join('&');
    const dashboard = await table('/orders/table', `draw=9&${full}&order[0][column]=43&order[0][dir]=desc&start=0&length=10&search[value]=&search[regex]=false`);
    expect(dashboard.body).toMatchObject({ draw: 9, recordsTotal: 3, recordsFiltered: 3 });
    expect(dashboard.body.data.map((r: unknown[]) => r[43])).toEqual([9000, 5000, 1000]);
    const byName = await table('/orders/table', 'order[0][column]=29&order[0][dir]=desc');
    expect(byName.body.data.map((r: unknown[]) => r[29])).toEqual(['Zaenal', 'Made', 'Agus']);
    // ties (is_done: all 0) keep the id order, page after page
    const pages = [];
    for (const start of [0, 1, 2]) pages.push(...(await table('/orders/table', { start, length: 1, order: [{ column: 30, dir: 'asc' }] })).body.data.map((r: unknown[]) => r[0]));
    expect(pages).toEqual([ids.o3, ids.o2, ids.o1]);

    const ratingsByCustomer = await table('/ratings/table', { order: [{ column: 6, dir: 'asc' }] });
    expect(ratingsByCustomer.body.data.map((r: unknown[]) => r[6])).toEqual(['Budi Santoso', 'Rina Lestari']);
    const ratingsByCode = await table('/ratings/table', { order: [{ column: 5, dir: 'desc' }] });
    expect(ratingsByCode.body.data.map((r: unknown[]) => r[5])).toEqual(['E-DT-002', 'E-DT-001']);
    const pointsByName = await table('/user_points/table', { order: [{ column: 13, dir: 'desc' }] });
    expect(pointsByName.body.data.map((r: unknown[]) => r[13])).toEqual(['Rina Lestari', 'Budi Santoso']);
    const pointsByCode = await table('/user_points/table', { order: [{ column: 9, dir: 'asc' }] });
    expect(pointsByCode.body.data.map((r: unknown[]) => r[9])).toEqual(['E-DT-001', '']);
  });
});

describe('length', () => {
  it('answers as many rows as asked (up to 1000), so the client pages without skipping; -1 is all (up to 1000)', async () => {
    await t.app.db.menuCategory.createMany({ data: Array.from({ length: 130 }, (_, i) => ({ menu_categories: `Kategori ${String(i).padStart(3, '0')}` })) });
    // a dashboard page of 120 got 100 rows, and the next page started at 120: rows 100..119 were never shown
    const first = await table('/menu_categories/table', 'draw=1&start=0&length=120&order[0][column]=0&order[0][dir]=asc');
    expect(first.body).toMatchObject({ draw: 1, recordsTotal: 130, recordsFiltered: 130 });
    expect(first.body.data).toHaveLength(120);
    const second = await table('/menu_categories/table', 'draw=2&start=120&length=120&order[0][column]=0&order[0][dir]=asc');
    const seen = [...first.body.data, ...second.body.data].map((r: unknown[]) => r[1]);
    expect(new Set(seen).size).toBe(130);
    expect((await table('/menu_categories/table', { length: -1 })).body.data).toHaveLength(130);
    expect((await table('/menu_categories/table', { length: 0 })).body.data).toEqual([]);
    expect((await table('/menu_categories/table', { length: 1001 })).status).toBe(400);
  });
});

describe('?format=csv', () => {
  it('gives the rows of the JSON table, all of them, under the documented header', async () => {
    await t.app.db.promotion.create({
      data: { title: 'Promo Akhir Tahun', type: 'PERSEN', value: 10, quota: 5, display_codes: 'AKHIR', start_datetime: new Date(Date.now() + 86_400_000), expired_datetime: new Date(Date.now() + 10 * 86_400_000) },
    });
    const paths = [
      '/report/penjualan/overall', '/report/penjualan/products', '/report/penjualan/online_consultations', '/report/offline/appoinment/performance',
      '/dashboard/upcoming/offline_appoinments', '/dashboard/upcoming/ecommerce', '/dashboard/upcoming/promotions',
    ];
    for (const path of paths) {
      const body = { draw: 1, start: 1, length: 1, order: [{ column: 0, dir: 'desc' }] };
      const json = await table(path, { ...body, start: 0, length: -1 });
      const csv = await t.http.post(`${path}?format=csv`).set(t.auth(owner)).send(body);
      expect(csv.status, path).toBe(200);
      const lines = csv.text.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
      const header = (await t.http.get('/openapi.json')).body.paths[path].post.summary as string;
      // the summary lists the columns as `i:name`
      const names = [...header.matchAll(/(\d+):(\w+)/g)].map((m) => m[2]);
      expect(lines[0], path).toBe(names.join(','));
      expect(lines.slice(1), path).toEqual(json.body.data.map((r: unknown[]) => r.map((c) => String(c)).join(',')));
    }
  });
});
