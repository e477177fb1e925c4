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
