import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';

// A known set of orders and appointments, written straight into the tables (the commerce and clinic
// modules are built elsewhere); every figure below is computed by hand from this fixture.
// "Now" is pinned to 2026-03-15 10:00 WIB (UTC+7).

let t: TestApp;
let owner: TestUser;
let admin: TestUser;
let customer: TestUser;
let doctorUser: TestUser;
const ids: Record<string, number> = {};

/** A WIB wall-clock instant. */
const wib = (s: string) => new Date(`${s}+07:00`);
const day = (s: string) => new Date(`${s}T00:00:00Z`);
const tod = (s: string) => new Date(`1970-01-01T${s}:00Z`);

beforeAll(async () => {
  t = await createTestApp();
  t.app.now = () => wib('2026-03-15T10:00:00');
  owner = await t.user(['OWNER']);
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  doctorUser = await t.user(['DOCTOR']);
  const db = t.app.db;
  const [c1, c2, c3] = [customer, await t.user(['CUSTOMER']), await t.user(['CUSTOMER'])];
  const d1u = await db.user.update({ where: { id: doctorUser.id }, data: { users_fullname: 'dr. Ayu', users_picture: 'ayu.png' } });
  const d2u = await t.user(['DOCTOR'], { users_fullname: 'dr. Budi' });
  const s1 = await db.service.create({ data: { services_name: 'Art Peel', buffer_time: 60 } });
  const s2 = await db.service.create({ data: { services_name: 'Facial', buffer_time: 45 } });
  const d1 = await db.doctor.create({ data: { id_users: d1u.id, custom_price: 300000, id_services: s1.id } });
  const d2 = await db.doctor.create({ data: { id_users: d2u.id, custom_price: 250000, id_services: s2.id } });
  Object.assign(ids, { d1: d1.id, d2: d2.id, s1: s1.id, s2: s2.id });
  const patient = await db.patient.create({ data: { nama_lengkap_pasien: 'Sari Dewi', id_users: c1.id } });
  const a = await db.menu.create({ data: { nama_menus: 'Acne Serum', harga: 50000 } });
  const b = await db.menu.create({ data: { nama_menus: 'Toner "Glow", 30ml', harga: 10000 } });
  Object.assign(ids, { a: a.id, b: b.id });

  let n = 0;
  const order = async (o: Record<string, any>, items: [number, number, number][] = [], extras: [number, number][] = []) => {
    n += 1;
    const row = await db.order.create({
      data: {
        order_type: 'E',
        order_code: `E-TEST-${String(n).padStart(3, '0')}`,
        status: 'PAID',
        cart_open: null,
        id_member: c1.id,
        id_patients: patient.id,
        nama_pemesan: `Pemesan ${n}`,
        ...o,
        items: { create: items.map(([id_menu, qty, price]) => ({ id_menu, qty, price, price_total: qty * price })) },
        extras: { create: extras.map(([id_doctors, extra_prices]) => ({ id_doctors, extra_prices })) },
      },
    });
    return row.id;
  };
  // 1: the last minute of January (WIB) — January revenue.
  ids.o1 = await order(
    { status: 'DONE', is_paid: 1, paid_date: wib('2026-01-31T23:59:00'), total_price: 110000, total_discount: 10000, grand_totals: 100000, order_date: wib('2026-01-30T09:00:00') },
    [[a.id, 2, 50000], [b.id, 1, 10000]],
  );
  // 2: the first instant of February (WIB) — February revenue, still waiting for fulfilment.
  ids.o2 = await order(
    { id_member: c2.id, is_paid: 1, paid_date: wib('2026-02-01T00:00:00'), total_price: 50000, courier_price: 15000, poin_used: 5000, grand_totals: 60000, order_date: wib('2026-01-31T22:00:00') },
    [[a.id, 1, 50000]],
  );
  // 3: online consultation with dr. Ayu.
  ids.o3 = await order(
    { order_type: 'C', order_code: 'C-TEST-003', status: 'DONE', is_paid: 1, paid_date: wib('2026-02-10T12:00:00'), total_price: 300000, grand_totals: 300000 },
    [],
    [[d1.id, 300000]],
  );
  // 4: unpaid checkout — never revenue.
  await order({ status: 'CHECKOUT', paid_date: null, total_price: 250000, grand_totals: 250000 }, [[a.id, 5, 50000]]);
  // 5: paid, then cancelled — never revenue.
  await order(
    { status: 'CANCEL', is_paid: 1, is_canceled: 1, paid_date: wib('2026-02-03T08:00:00'), total_price: 50000, grand_totals: 50000 },
    [[a.id, 1, 50000]],
  );
  // 6: consultation with dr. Budi at midnight of 1 March (WIB), with a discount.
  ids.o6 = await order(
    { order_type: 'C', order_code: 'C-TEST-006', id_member: c3.id, is_paid: 1, paid_date: wib('2026-03-01T00:00:00'), total_price: 250000, total_discount: 10000, grand_totals: 240000 },
    [],
    [[d2.id, 250000]],
  );
  // 7: the last minute of 2025 (WIB) — last year.
  ids.o7 = await order(
    { id_member: c3.id, status: 'DONE', is_paid: 1, paid_date: wib('2025-12-31T23:59:00'), total_price: 70000, grand_totals: 70000 },
    [[b.id, 7, 10000]],
  );
  // 8: an open cart.
  await order({ status: 'SHOPPING CARTS', cart_open: 1, order_code: null, id_member: c2.id }, [[b.id, 1, 10000]]);

  // Appointments.
  const ds1 = await db.doctorService.create({ data: { id_doctors: d1.id, id_services: s1.id } });
  const ds2 = await db.doctorService.create({ data: { id_doctors: d2.id, id_services: s2.id } });
  const slot = async (ds: typeof ds1, hari: string, jam: string, end: string) =>
    db.doctorSchedule.create({ data: { id_doctors: ds.id_doctors, id_doctor_services: ds.id, id_services: ds.id_services, hari, jam: tod(jam), jam_selesai: tod(end) } });
  const k1 = await slot(ds1, 'Selasa', '10:00', '11:00');
  const k2 = await slot(ds2, 'Minggu', '09:00', '09:45');
  const booking = async (k: typeof k1, tanggal: string, jam: string, end: string, status: string, extra: Record<string, unknown> = {}) =>
    (
      await db.userSchedule.create({
        data: {
          id_doctors: k.id_doctors, id_services: k.id_services, id_doctor_schedules: k.id, id_users: c1.id, id_patients: patient.id,
          hari: k.hari, tanggal: day(tanggal), jam: tod(jam), jam_selesai: tod(end), status,
          active_slot: status === 'CANCEL' ? null : 1, custom_price: 150000, ...extra,
        },
      })
    ).id;
  await booking(k1, '2026-02-10', '10:00', '11:00', 'DONE');
  await booking(k1, '2026-02-11', '10:00', '10:30', 'ARRIVED');
  await booking(k1, '2026-02-12', '10:00', '11:00', 'CANCEL');
  await booking(k2, '2026-03-01', '09:00', '09:45', 'DONE');
  ids.u20 = await booking(k1, '2026-03-20', '10:00', '11:00', 'BOOKING');
  ids.u15 = await booking(k2, '2026-03-15', '09:00', '09:45', 'RESCHEDULE', { reschedule_counts: 1 });
  await booking(k2, '2026-03-14', '09:00', '09:45', 'BOOKING'); // yesterday, never came

  // Promotions: one over, one running, one later.
  const promo = (title: string, start: string, end: string) =>
    db.promotion.create({
      data: { title, type: 'PERSEN', value: 10, quota: 5, display_codes: title.toUpperCase(), start_datetime: wib(start), expired_datetime: wib(end), img_promotions: `${title}.png` },
    });
  await promo('old', '2026-01-01T00:00:00', '2026-02-01T00:00:00');
  ids.p2 = (await promo('later', '2026-04-01T00:00:00', '2026-04-30T00:00:00')).id;
  ids.p1 = (await promo('now', '2026-03-01T00:00:00', '2026-03-31T23:59:00')).id;
});
afterAll(() => t.close());

const post = (path: string, body: unknown = {}, who: TestUser = owner) => t.http.post(path).set(t.auth(who)).send(body as object);

describe('access', () => {
  const paths = [
    '/report/penjualan/stats', '/report/penjualan/overall', '/report/penjualan/products', '/report/penjualan/online_consultations',
    '/report/offline/appoinment/performance', '/dashboard/total/pendapatan', '/dashboard/total/invoice', '/dashboard/total/products',
    '/dashboard/total/services', '/dashboard/upcoming/offline_appoinments', '/dashboard/upcoming/ecommerce', '/dashboard/upcoming/promotions',
  ];
  it('is for OWNER and ADMIN only', async () => {
    for (const p of paths) {
      expect((await t.http.post(p).send({})).status, p).toBe(401);
      expect((await post(p, {}, customer)).status, p).toBe(403);
      expect((await post(p, {}, doctorUser)).status, p).toBe(403);
      expect((await post(p, {}, admin)).status, p).toBe(200);
    }
  });
});

describe('report/penjualan/stats', () => {
  it('counts paid, not cancelled orders only', async () => {
    const res = await post('/report/penjualan/stats');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      total_sales: 3, // orders 1, 2, 7
      total_online_consultation: 2, // 3, 6
      amount_sales: 230000,
      amount_online_consultation: 540000,
      amount_discount: 20000,
      amount_total: 770000,
      total_customer: 3,
    });
  });

  it('cuts days at midnight Asia/Jakarta', async () => {
    const jan = await post('/report/penjualan/stats', { tgl_awal: '01/01/2026', tgl_akhir: '31/01/2026' });
    expect(jan.body).toMatchObject({ total_sales: 1, amount_sales: 100000, amount_total: 100000, total_customer: 1 });
    const feb = await post('/report/penjualan/stats', { tgl_awal: '2026-02-01', tgl_akhir: '2026-02-28' });
    expect(feb.body).toEqual({
      total_sales: 1, total_online_consultation: 1, amount_sales: 60000, amount_online_consultation: 300000,
      amount_discount: 0, amount_total: 360000, total_customer: 2,
    });
    const mar1 = await post('/report/penjualan/stats', { tgl_awal: '01/03/2026', tgl_akhir: '01/03/2026' });
    expect(mar1.body).toMatchObject({ total_online_consultation: 1, amount_total: 240000 });
    const lastYear = await post('/report/penjualan/stats', { tgl_akhir: '31/12/2025' });
    expect(lastYear.body).toMatchObject({ total_sales: 1, amount_total: 70000 });
  });

  it('filters by order type, status, products and doctors', async () => {
    expect((await post('/report/penjualan/stats', { order_type: 'C' })).body).toMatchObject({ total_sales: 0, total_online_consultation: 2, amount_total: 540000 });
    expect((await post('/report/penjualan/stats', { status: 'done' })).body).toMatchObject({ total_sales: 2, total_online_consultation: 1, amount_total: 470000 });
    // id_menus narrows the e-commerce orders (1 and 7 sell the toner), consultations stay.
    expect((await post('/report/penjualan/stats', { id_menus: [ids.b] })).body).toMatchObject({ total_sales: 2, amount_sales: 170000, total_online_consultation: 2 });
    expect((await post('/report/penjualan/stats', { id_doctors: ids.d1, order_type: 'C' })).body).toMatchObject({ total_online_consultation: 1, amount_online_consultation: 300000, amount_total: 300000 });
  });

  it('refuses bad filters with 400, and "" means no filter', async () => {
    for (const body of [{ tgl_awal: '31/02/2026' }, { tgl_awal: '10/02/2026', tgl_akhir: '01/02/2026' }, { order_type: 'X' }, { id_menus: ['abc'] }]) {
      const res = await post('/report/penjualan/stats', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.status).toBe(400);
    }
    expect((await post('/report/penjualan/stats', { tgl_awal: '', order_type: '', id_menus: '' })).body.amount_total).toBe(770000);
  });
});

describe('report/penjualan/overall', () => {
  it('lists the paid orders with the documented columns', async () => {
    const res = await post('/report/penjualan/overall', { draw: 3, start: 0, length: 10 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ draw: 3, recordsTotal: 5, recordsFiltered: 5 });
    // newest payment first
    expect(res.body.data.map((r: unknown[]) => r[0])).toEqual(['C-TEST-006', 'C-TEST-003', 'E-TEST-002', 'E-TEST-001', 'E-TEST-007']);
    expect(res.body.data[2]).toEqual(['E-TEST-002', '2026-01-31 22:00:00', 'E', 'Pemesan 2', 50000, 0, 15000, 5000, 60000, 'PAID']);
  });

  it('searches, sorts by a column and pages', async () => {
    const s = await post('/report/penjualan/overall', { draw: 1, 'search[value]': 'c-test', 'order[0][column]': 8, 'order[0][dir]': 'asc' });
    expect(s.body).toMatchObject({ recordsTotal: 5, recordsFiltered: 2 });
    expect(s.body.data.map((r: unknown[]) => r[8])).toEqual([240000, 300000]);
    const page = await post('/report/penjualan/overall', { start: 1, length: 2, order: [{ column: 8, dir: 'desc' }] });
    expect(page.body.data.map((r: unknown[]) => r[8])).toEqual([240000, 100000]);
    const feb = await post('/report/penjualan/overall', { tgl_awal: '01/02/2026', tgl_akhir: '28/02/2026', order_type: 'E' });
    expect(feb.body.data.map((r: unknown[]) => r[0])).toEqual(['E-TEST-002']);
    // LIKE wildcards in the search are literal
    expect((await post('/report/penjualan/overall', { search: { value: '%' } })).body.recordsFiltered).toBe(0);
  });

  it('exports CSV with the documented header and every filtered row', async () => {
    const res = await t.http.post('/report/penjualan/overall?format=csv').set(t.auth(owner)).send({ length: 1, order_type: 'C' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="report_penjualan_overall.csv"/);
    // a UTF-8 byte order mark first, for Excel
    expect(res.text).toBe(
      '\uFEFForder_code,order_date,order_type,nama_pemesan,total_price,total_discount,courier_price,poin_used,grand_totals,status\r\n' +
        `C-TEST-006,${rowDate(6)},C,Pemesan 6,250000,10000,0,0,240000,PAID\r\n` +
        `C-TEST-003,${rowDate(3)},C,Pemesan 3,300000,0,0,0,300000,DONE\r\n`,
    );
  });
});

let orderDates: Record<number, string> = {};
function rowDate(n: number) {
  return orderDates[n]!;
}
beforeAll(async () => {
  // orders 3 and 6 take the default order_date (creation): read it back to compare the CSV.
  const res = await post('/report/penjualan/overall', { order_type: 'C' });
  orderDates = { 6: res.body.data[0][1], 3: res.body.data[1][1] };
});

describe('bad table input', () => {
  it('answers 400, never 500, and treats search text as data', async () => {
    expect((await post('/report/penjualan/overall', { length: 5000 })).status).toBe(400);
    expect((await post('/report/penjualan/overall', { 'order[0][dir]': 'sideways', 'order[0][column]': 1 })).status).toBe(400);
    expect((await post('/report/penjualan/products', { tgl_akhir: 'kemarin' })).status).toBe(400);
    expect((await t.http.post('/report/penjualan/products?format=xml').set(t.auth(owner)).send({})).status).toBe(400);
    expect((await post('/dashboard/upcoming/ecommerce', { start: -1 })).status).toBe(400);
    const injection = await post('/report/penjualan/overall', { search: { value: "x' OR 1=1 --" } });
    expect(injection.status).toBe(200);
    expect(injection.body).toMatchObject({ recordsTotal: 5, recordsFiltered: 0, data: [] });
    // an unknown column index is ignored; length -1 means "all" (capped)
    const all = await post('/report/penjualan/overall', { length: -1, order: [{ column: 99, dir: 'asc' }] });
    expect(all.body.data).toHaveLength(5);
  });
});

describe('flat DataTables order keys', () => {
  it('a huge order index is just an index (no sparse array as long as it)', async () => {
    // `order[i][column]` sent as flat JSON keys: i was used as an array index, so one key with
    // i = 4294967294 made a loop of 4 billion steps on the event loop (any public */table too);
    // the old code ran past the test timeout here
    const res = await post('/report/penjualan/overall', { 'order[4294967294][column]': 8, 'order[4294967294][dir]': 'asc' });
    expect(res.status).toBe(200);
    expect(res.body.data.map((r: unknown[]) => r[8])).toEqual([60000, 70000, 100000, 240000, 300000]);
    // the keys keep their index order: order[2] sorts before order[10]
    const two = await post('/report/penjualan/overall', { 'order[10][column]': 0, 'order[10][dir]': 'asc', 'order[2][column]': 2, 'order[2][dir]': 'desc' });
    expect(two.body.data.map((r: unknown[]) => r[0])).toEqual(['E-TEST-001', 'E-TEST-002', 'E-TEST-007', 'C-TEST-003', 'C-TEST-006']);
    expect((await t.http.post('/menus/table').send({ 'order[4294967294][column]': 0 })).status).toBe(200);
  });
});

describe('report/penjualan/products and online_consultations', () => {
  it('sums units and line totals per product, CSV quoted', async () => {
    const res = await post('/report/penjualan/products', { draw: 1 });
    expect(res.body).toEqual({ draw: 1, recordsTotal: 2, recordsFiltered: 2, data: [['Toner "Glow", 30ml', 8, 80000], ['Acne Serum', 3, 150000]] });
    const ytd = await post('/report/penjualan/products', { tgl_awal: '01/01/2026', 'order[0][column]': 2, 'order[0][dir]': 'desc' });
    expect(ytd.body.data).toEqual([['Acne Serum', 3, 150000], ['Toner "Glow", 30ml', 1, 10000]]);
    const one = await post('/report/penjualan/products', { id_menus: [ids.a], search: { value: 'acne' } });
    expect(one.body).toMatchObject({ recordsTotal: 1, recordsFiltered: 1, data: [['Acne Serum', 3, 150000]] });
    const csv = await t.http.post('/report/penjualan/products?format=csv').set(t.auth(admin)).send({});
    expect(csv.text).toBe('\uFEFFnama_menus,qty,price_total\r\n"Toner ""Glow"", 30ml",8,80000\r\nAcne Serum,3,150000\r\n');
  });

  it('counts consultations and their price per doctor', async () => {
    const res = await post('/report/penjualan/online_consultations', { 'order[0][column]': 0, 'order[0][dir]': 'asc' });
    expect(res.body).toMatchObject({ recordsTotal: 2, data: [['dr. Ayu', 1, 300000], ['dr. Budi', 1, 250000]] });
    const feb = await post('/report/penjualan/online_consultations', { tgl_awal: '01/02/2026', tgl_akhir: '28/02/2026' });
    expect(feb.body.data).toEqual([['dr. Ayu', 1, 300000]]);
    const d2 = await post('/report/penjualan/online_consultations', { id_doctors: [ids.d2] });
    expect(d2.body.data).toEqual([['dr. Budi', 1, 250000]]);
    const csv = await t.http.post('/report/penjualan/online_consultations?format=csv').set(t.auth(owner)).send({ id_doctors: [ids.d1] });
    expect(csv.text).toBe('\uFEFFdoctors,qty,amount\r\ndr. Ayu,1,300000\r\n');
  });
});

describe('report/offline/appoinment/performance', () => {
  it('counts served appointments and minutes per doctor and service', async () => {
    const res = await post('/report/offline/appoinment/performance', {});
    expect(res.body).toMatchObject({ recordsTotal: 2, recordsFiltered: 2 });
    expect(res.body.data).toEqual([
      ['dr. Ayu', 'Art Peel', 2, 90, 'http://api.test/uploads/users/ayu.png'],
      ['dr. Budi', 'Facial', 1, 45, ''],
    ]);
    const range = await post('/report/offline/appoinment/performance', { tgl_awal: '11/02/2026', tgl_akhir: '28/02/2026' });
    expect(range.body.data).toEqual([['dr. Ayu', 'Art Peel', 1, 30, 'http://api.test/uploads/users/ayu.png']]);
    const svc = await post('/report/offline/appoinment/performance', { id_services: [ids.s2], id_doctors: [ids.d2] });
    expect(svc.body.data).toEqual([['dr. Budi', 'Facial', 1, 45, '']]);
    const csv = await t.http.post('/report/offline/appoinment/performance?format=csv').set(t.auth(owner)).send({ search: { value: 'budi' } });
    expect(csv.text).toBe('\uFEFFdoctors,services_name,qty,durations,doctors_picture_url\r\ndr. Budi,Facial,1,45,\r\n');
  });

  it('ignores an order on the picture URL (computed, not sortable), as the resource tables do', async () => {
    // ayu.png vs "": sorted by the URL, dr. Budi would come first either way round
    for (const dir of ['asc', 'desc']) {
      const res = await post('/report/offline/appoinment/performance', { order: [{ column: 4, dir }] });
      expect(res.body.data.map((r: unknown[]) => r[0]), dir).toEqual(['dr. Ayu', 'dr. Budi']);
    }
    // a sortable column after it still sorts
    const byQty = await post('/report/offline/appoinment/performance', { order: [{ column: 4, dir: 'desc' }, { column: 2, dir: 'asc' }] });
    expect(byQty.body.data.map((r: unknown[]) => r[0])).toEqual(['dr. Budi', 'dr. Ayu']);
  });
});

describe('dashboard totals (year to date, Asia/Jakarta months)', () => {
  it('pendapatan and invoice per month, every month so far', async () => {
    const p = await post('/dashboard/total/pendapatan');
    expect(p.body).toEqual({
      pendapatan: [
        { months: 1, years: 2026, amounts: '100000', month_names: 'January' },
        { months: 2, years: 2026, amounts: '360000', month_names: 'February' },
        { months: 3, years: 2026, amounts: '240000', month_names: 'March' },
      ],
    });
    const i = await post('/dashboard/total/invoice');
    expect(i.body).toEqual({
      invoice: [
        { months: 1, years: 2026, counts: 1, month_names: 'January' },
        { months: 2, years: 2026, counts: 2, month_names: 'February' },
        { months: 3, years: 2026, counts: 1, month_names: 'March' },
      ],
    });
  });

  it('months without sales are 0, and the year follows Asia/Jakarta', async () => {
    const pinned = t.app.now;
    try {
      t.app.now = () => wib('2026-05-02T08:00:00');
      const p = await post('/dashboard/total/pendapatan');
      expect(p.body.pendapatan.map((m: { amounts: string }) => m.amounts)).toEqual(['100000', '360000', '240000', '0', '0']);
      expect(p.body.pendapatan[4]).toEqual({ months: 5, years: 2026, amounts: '0', month_names: 'May' });
      // 31 Dec 2025 23:30 UTC is already 1 Jan 2026 06:30 WIB: the year so far is 1 January 2026
      // (order 7, paid 31 Dec 2025 23:59 WIB, belongs to last year; order 1 is later in January).
      t.app.now = () => new Date('2025-12-31T23:30:00Z');
      const i = await post('/dashboard/total/invoice');
      expect(i.body.invoice).toEqual([{ months: 1, years: 2026, counts: 0, month_names: 'January' }]);
    } finally {
      t.app.now = pinned;
    }
  });

  it('top products and services', async () => {
    expect((await post('/dashboard/total/products')).body).toEqual({
      items: [
        { id_menu: ids.a, nama_menus: 'Acne Serum', counts: '3' },
        { id_menu: ids.b, nama_menus: 'Toner "Glow", 30ml', counts: '1' },
      ],
    });
    expect((await post('/dashboard/total/products', { limit: 1 })).body.items).toHaveLength(1);
    expect((await post('/dashboard/total/products', { limit: 0 })).status).toBe(400);
    expect((await post('/dashboard/total/services')).body).toEqual({
      items: [
        { id_services: ids.s1, services_name: 'Art Peel', counts: 2 },
        { id_services: ids.s2, services_name: 'Facial', counts: 1 },
      ],
    });
  });
});

describe('dashboard upcoming tables', () => {
  it('offline appointments from today on, soonest first', async () => {
    const res = await post('/dashboard/upcoming/offline_appoinments', { draw: 2 });
    expect(res.body).toMatchObject({ draw: 2, recordsTotal: 2, recordsFiltered: 2 });
    expect(res.body.data.map((r: unknown[]) => r[0])).toEqual([ids.u15, ids.u20]);
    const row = res.body.data[0];
    expect(row).toHaveLength(20);
    expect(row.slice(6)).toEqual([150000, 'Minggu', '09:00:00', '2026-03-15', 'RESCHEDULE', `Test ${customer.username}`, 'Sari Dewi', 'Facial', 'dr. Budi', '', 1, '09:00:00', '09:45:00', '']);
    const s = await post('/dashboard/upcoming/offline_appoinments', { search: { value: 'ayu' } });
    expect(s.body).toMatchObject({ recordsTotal: 2, recordsFiltered: 1 });
    // LIKE wildcards in the search are literal (the patient is "Sari Dewi")
    expect((await post('/dashboard/upcoming/offline_appoinments', { search: { value: 'Sari_Dewi' } })).body).toMatchObject({ recordsTotal: 2, recordsFiltered: 0 });
    expect((await post('/dashboard/upcoming/offline_appoinments', { search: { value: 'ri De' } })).body).toMatchObject({ recordsFiltered: 2 });
    const csv = await t.http.post('/dashboard/upcoming/offline_appoinments?format=csv').set(t.auth(owner)).send({});
    expect(csv.text.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe(
      'id,id_doctors,id_services,id_doctor_schedules,id_users,id_patients,custom_price,hari,jam,tanggal,status,users,nama_lengkap_pasien,services_name,doctors,digisoft_invoice_numbers,reschedule_counts,starts,ends,cancel_reason',
    );
  });

  it('e-commerce orders waiting for fulfilment', async () => {
    const res = await post('/dashboard/upcoming/ecommerce', {});
    expect(res.body).toMatchObject({ recordsTotal: 1, recordsFiltered: 1 });
    const row = res.body.data[0];
    expect(row).toHaveLength(46);
    expect(row[0]).toBe(ids.o2);
    expect(row[12]).toBe('E-TEST-002');
    expect(row[23]).toBe('2026-02-01 00:00:00');
    expect(row[43]).toBe(15000);
    expect(row[44]).toBe(5000);
  });

  it('promotions running or starting later', async () => {
    const res = await post('/dashboard/upcoming/promotions', {});
    expect(res.body.data.map((r: unknown[]) => r[0])).toEqual([ids.p1, ids.p2]);
    expect(res.body.data[0]).toEqual([ids.p1, 0, 'PERSEN', 10, 5, '2026-03-01 00:00:00', '2026-03-31 23:59:00', 'NOW', 'now', '', 'http://api.test/uploads/promotions/now.png']);
  });

  it('promotions ignore an order on the image URL (computed, not sortable)', async () => {
    // later.png < now.png: sorted by the file name, the later promotion would come first
    for (const dir of ['asc', 'desc']) {
      const res = await post('/dashboard/upcoming/promotions', { order: [{ column: 10, dir }] });
      expect(res.body.data.map((r: unknown[]) => r[0]), dir).toEqual([ids.p1, ids.p2]);
    }
  });
});
