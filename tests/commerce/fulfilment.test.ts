import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resourceRoutes } from '../../src/http/resource.js';
import { on } from '../../src/lib/events.js';
import { expirePoints } from '../../src/modules/commerce/points.service.js';
import { ORDER_TABLE_COLUMNS } from '../../src/modules/commerce/orders.routes.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { pdfText } from '../helpers/pdf-text.js';
import { doctor, eCart, givePoints, menu, patientOf, promotion, stockOf } from './fixtures.js';

// no Midtrans keys: the built-in payment simulator
let t: TestApp;
let admin: TestUser;
let customer: TestUser;
let other: TestUser;
const events: string[] = [];

beforeAll(async () => {
  t = await createTestApp({ POINTS_EARN_PERCENT: '1', POINTS_EXPIRY_DAYS: '30' });
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  other = await t.user(['CUSTOMER']);
  on('order.status_changed', async (_a, p) => void events.push(`${p.orderId}:${p.status}`));
  on('order.shipped', async (_a, p) => void events.push(`${p.orderId}:shipped:${p.nomor_resi}`));
  on('order.cancelled', async (_a, p) => void events.push(`${p.orderId}:cancelled`));
});
afterAll(() => t.close());

const put = (path: string, u: TestUser, body: object = {}) => t.http.put(path).set(t.auth(u)).send(body);
const order = (id: number) => t.app.db.order.findUniqueOrThrow({ where: { id } });

async function paidOrder(u = customer, price = 100_000) {
  const m = await menu(t, { harga: price });
  await stockOf(t, m.id, 10);
  const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 10_000);
  const r = await put(`/orders/${id}/checkout`, u);
  expect(r.status).toBe(200);
  await put(`/orders/${id}/paid`, admin, { pic_admin: 'Danny', id_admin: admin.id, pay_channel: 'QRIS' }).expect(200);
  return id;
}

describe('payment simulator (no Midtrans keys)', () => {
  it('checkout returns a local page; paying there sends a signed notification that marks the order paid', async () => {
    const m = await menu(t, { harga: 50_000 });
    await stockOf(t, m.id, 10);
    const id = await eCart(t, customer, [{ id_menu: m.id, qty: 2 }], 10_000);
    const r = await put(`/orders/${id}/checkout`, customer);
    expect(r.body.redirect_url).toBe(`http://api.test/payments/simulator/${r.body.token}`);
    expect(r.body.orders.CLIENT_URL).toBe('http://api.test/payments/simulator/snap.js');
    const page = await t.http.get(`/payments/simulator/${r.body.token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('IDR 110000');
    // paid a minute later on the app's clock, at a whole second
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 60_000);
    const wib = new Date(at.getTime() + 7 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
    t.app.now = () => at;
    let pay;
    try {
      pay = await t.http.post(`/payments/simulator/${r.body.token}/pay`);
    } finally {
      t.app.now = () => new Date();
    }
    expect(pay.body).toMatchObject({ simulated: 'settlement', result: 'paid' });
    expect(await order(id)).toMatchObject({ status: 'PAID', is_paid: 1, pay_channel: 'simulator' });
    const notification = await t.app.db.paymentNotification.findFirstOrThrow({ where: { id_orders: id } });
    expect(notification.process_result).toBe('paid');
    // Midtrans writes transaction_time in Asia/Jakarta wall-clock time, and so does the simulator
    expect(notification.transaction_time).toBe(wib);
    expect((await t.http.post(`/payments/simulator/${r.body.token}/pay`)).body.result).toBe('duplicate');
    expect((await t.http.get('/payments/webhooks/clients')).body).toEqual({ snap_js: 'http://api.test/payments/simulator/snap.js', client_key: 'SIMULATOR' });
  });
});

describe('expiry without Midtrans', () => {
  it('cancels unpaid simulator checkouts past their time and gives the stock back', async () => {
    const m = await menu(t, { harga: 15_000 });
    const stock = await stockOf(t, m.id, 2);
    const id = await eCart(t, customer, [{ id_menu: m.id, qty: 2 }], 1_000);
    await put(`/orders/${id}/checkout`, customer).expect(200);
    const { expireUnpaidCheckouts } = await import('../../src/modules/commerce/payments.service.js');
    expect(await expireUnpaidCheckouts(t.app)).toBe(0); // not due yet
    await t.app.db.order.update({ where: { id }, data: { expires_at: new Date(Date.now() - 1000) } });
    expect(await expireUnpaidCheckouts(t.app)).toBe(1);
    expect(await order(id)).toMatchObject({ status: 'CANCEL', reservation_status: 'RELEASED' });
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(2);
    expect(await expireUnpaidCheckouts(t.app)).toBe(0);
  });
});

describe('state machine', () => {
  it('walks PAID → PREPARED → PROCESSING → PICKUP → DELIVERED (noresi) → DONE, stamping each step; undo steps work', async () => {
    const id = await paidOrder();
    expect(await order(id)).toMatchObject({ status: 'PAID', pay_channel: 'QRIS', pic_admin: 'Danny', id_admin: admin.id });
    expect((await put(`/orders/${id}/processing`, admin)).status).toBe(409);
    expect((await put(`/orders/${id}/prepared`, admin)).body).toEqual({ prepared: true });
    expect((await order(id)).prepared_datetime).not.toBeNull();
    expect((await put(`/orders/${id}/unprepare`, admin)).body).toEqual({ unprepare: true });
    expect(await order(id)).toMatchObject({ status: 'PAID', is_prepared: 0, prepared_datetime: null });
    await put(`/orders/${id}/prepared`, admin).expect(200);
    expect((await put(`/orders/${id}/processing`, admin)).body).toEqual({ processing: true });
    expect((await put(`/orders/${id}/unprocessing`, admin)).body).toEqual({ unprocessing: true });
    await put(`/orders/${id}/processing`, admin).expect(200);
    expect((await put(`/orders/${id}/consignee`, admin)).status).toBe(409);
    expect((await put(`/orders/${id}/pickup`, admin)).body).toEqual({ pickup: true });
    expect((await put(`/orders/${id}/unpickup`, admin)).body).toEqual({ unpickup: true });
    await put(`/orders/${id}/pickup`, admin).expect(200);
    expect((await put(`/orders/${id}/process/noresi`, admin, { nomor_resi: '000894328292333213' })).body).toEqual({ process_noresi: true });
    expect(await order(id)).toMatchObject({ status: 'DELIVERED', is_delivered: 1, nomor_resi: '000894328292333213' });
    expect((await put(`/orders/${id}/cancel`, admin)).status).toBe(409);
    expect((await put(`/orders/${id}/consignee`, admin)).body).toEqual({ consignee: true });
    const done = await order(id);
    expect(done).toMatchObject({ status: 'DONE', is_done: 1 });
    expect(done.done_datetime).not.toBeNull();
    expect(events).toEqual(expect.arrayContaining([`${id}:PREPARED`, `${id}:PROCESSING`, `${id}:PICKUP`, `${id}:shipped:000894328292333213`, `${id}:DONE`]));
    // customers cannot drive the state machine
    expect((await put(`/orders/${id}/prepared`, customer)).status).toBe(403);
    expect((await put(`/orders/${id}/paid`, customer, { pay_channel: 'QRIS' })).status).toBe(403);
  });

  it('refuses transitions the machine does not allow (409)', async () => {
    const m = await menu(t);
    const cart = await eCart(t, customer, [{ id_menu: m.id, qty: 1 }]);
    for (const a of ['prepared', 'processing', 'pickup', 'consignee', 'cancel', 'uncancel', 'unpaid']) expect((await put(`/orders/${cart}/${a}`, admin)).status).toBe(409);
    expect((await put(`/orders/${cart}/paid`, admin, { pay_channel: 'QRIS' })).status).toBe(409);
    expect((await put(`/orders/${cart}/process/noresi`, admin, { nomor_resi: '1' })).status).toBe(409);
    const paid = await paidOrder();
    expect((await put(`/orders/${paid}/paid`, admin, { pay_channel: 'QRIS' })).status).toBe(409);
    expect((await put(`/orders/${paid}/checkout`, customer)).status).toBe(409);
    expect((await put(`/orders/${paid}/uncheckout`, customer)).status).toBe(409);
    expect((await t.http.delete(`/orders/${paid}/delete`).set(t.auth(admin))).status).toBe(409);
    expect((await put(`/orders/${paid}/paid`, admin, {})).status).toBe(400);
  });

  it('unpaid puts a paid order back to CHECKOUT and takes back its earned points', async () => {
    const id = await paidOrder(customer, 200_000);
    const earned = await t.app.db.userPoint.findUniqueOrThrow({ where: { id_orders_earned: id } });
    expect(earned.add_point).toBe(2_100);
    expect((await put(`/orders/${id}/unpaid`, admin, { pic_admin: 'Danny' })).body).toEqual({ unpaid: true });
    expect(await order(id)).toMatchObject({ status: 'CHECKOUT', is_paid: 0, paid_date: null, reservation_status: 'RESERVED' });
    expect(await t.app.db.userPoint.count({ where: { id_orders_earned: id } })).toBe(0);
    // and it can be paid again (earning once)
    await put(`/orders/${id}/paid`, admin, { pay_channel: 'TRANSFER' }).expect(200);
    expect(await t.app.db.userPoint.count({ where: { id_orders_earned: id } })).toBe(1);
  });

  it('cancel gives back stock, promotion use and points; uncancel reopens an unpaid one as a cart', async () => {
    const u = await t.user(['CUSTOMER']);
    await givePoints(t, u.id, 5_000);
    const m = await menu(t, { harga: 60_000 });
    const stock = await stockOf(t, m.id, 4);
    const p = await promotion(t, { quota: 5 });
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 3 }], 10_000);
    await put(`/orders/${id}/apply/promotions`, u, { display_codes: p.display_codes }).expect(200);
    await put(`/orders/${id}/apply/points`, u, { poin_used: 5_000 }).expect(200);
    await put(`/orders/${id}/checkout`, u).expect(200);
    await put(`/orders/${id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
    expect((await t.app.db.promotion.findUniqueOrThrow({ where: { id: p.id } })).quota_used).toBe(1);
    expect((await put(`/orders/${id}/cancel`, admin, { pic_admin: 'Danny', id_admin: admin.id, cancel_reason: 'stok rusak' })).body).toEqual({ cancel: true });
    expect(await order(id)).toMatchObject({ status: 'CANCEL', is_canceled: 1, cancel_pic: 'Danny', cancel_reason: 'stok rusak', reservation_status: 'RELEASED' });
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(4);
    expect(await t.app.db.promotion.findUniqueOrThrow({ where: { id: p.id } })).toMatchObject({ quota_used: 0, quota_reserved: 0 });
    // the 5000 points come back, the earned ones are taken back
    expect((await t.app.db.userPointBalance.findUniqueOrThrow({ where: { id_users: u.id } })).balance).toBe(5_000);
    expect(events).toContain(`${id}:cancelled`);
    expect((await put(`/orders/${id}/cancel`, admin)).status).toBe(409);
    expect((await put(`/orders/${id}/uncancel`, admin)).status).toBe(409); // it was paid

    const id2 = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 10_000);
    await put(`/orders/${id2}/checkout`, u).expect(200);
    await put(`/orders/${id2}/cancel`, admin).expect(200);
    expect((await put(`/orders/${id2}/uncancel`, admin, { pic_admin: 'Danny' })).body).toEqual({ uncancel: true });
    expect(await order(id2)).toMatchObject({ status: 'SHOPPING CARTS', cart_open: 1, is_canceled: 0 });
  });
});

describe('orders lists', () => {
  it('explore/search/table with filters; customers see only their own', async () => {
    const mine = await paidOrder(other, 30_000);
    const ex = await t.http.post('/orders/explore?page=1&length=10').set(t.auth(other)).send({ status_array: ['PAID', 'CANCEL'] });
    expect(ex.status).toBe(200);
    expect(ex.body.data.every((o: any) => o.id_member === other.id)).toBe(true);
    expect(ex.body.data.map((o: any) => o.id)).toContain(mine);
    expect(ex.body.data.find((o: any) => o.id === mine).details[0]).toMatchObject({ id_order: mine, qty: 1, nama_menus: expect.any(String) });
    const all = await t.http.post('/orders/explore?page=1&length=100').set(t.auth(admin)).send({ id_users: other.id });
    expect(all.body.data.every((o: any) => o.id_member === other.id)).toBe(true);
    const code = (await order(mine)).order_code;
    const s = await t.http.post('/orders/search').set(t.auth(admin)).send({ order_code: code });
    expect(s.body.orders.map((o: any) => o.id)).toEqual([mine]);
    expect((await t.http.post('/orders/search').set(t.auth(customer)).send({ order_code: code })).body.orders).toEqual([]);
    const tb = await t.http.post('/orders/table').set(t.auth(admin)).send({ draw: 3, start: 0, length: 5, 'search[value]': code, 'order[0][column]': 0, 'order[0][dir]': 'desc' });
    expect(tb.body).toMatchObject({ draw: 3, recordsFiltered: 1 });
    expect(tb.body.data[0]).toHaveLength(47);
    expect(tb.body.data[0][0]).toBe(mine);
    expect(tb.body.data[0][12]).toBe(code);
    expect(tb.body.data[0][20]).toBe('PAID');
    // several rows: each row's columns are its own order's
    const several = await t.http.post('/orders/table').set(t.auth(admin)).send({ draw: 4, start: 0, length: 5, 'order[0][column]': 0, 'order[0][dir]': 'desc' });
    const ids: number[] = several.body.data.map((row: any[]) => row[0]);
    expect(ids.length).toBeGreaterThan(1);
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => b - a));
    // the explore answer reads its orders through Prisma; the table's rows are read in plain SQL
    const listed = (await t.http.post('/orders/explore?page=1&length=50').set(t.auth(admin)).send({})).body.data as any[];
    const byId = new Map(listed.map((o) => [o.id, o]));
    for (const row of several.body.data) {
      const o = await order(row[0]);
      expect([row[3], row[12], row[20], row[46]]).toEqual([o.id_member, o.order_code ?? null, o.status, o.grand_totals]);
      // every cell as the order's explore answer gives it, blank for none
      const detail = byId.get(row[0]);
      expect(detail).toBeDefined();
      expect(row).toEqual(ORDER_TABLE_COLUMNS.map((name) => detail[name] ?? (name === 'id_admin' ? 0 : '')));
    }
    // the page keeps the order asked for, not the ids' order
    const byTotal = await t.http.post('/orders/table').set(t.auth(admin)).send({ draw: 5, start: 0, length: 5, 'order[0][column]': 46, 'order[0][dir]': 'asc' });
    const totals: number[] = byTotal.body.data.map((row: any[]) => row[46]);
    expect(totals.length).toBeGreaterThan(1);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    // reading rows by id in plain SQL is refused, at start-up, to a table whose columns read relations
    const spec = { name: 'things', model: () => ({}), toJSON: (r: unknown) => r, schema: z.unknown(), access: { read: 'authenticated' as const, write: 'authenticated' as const }, columns: [], tableRowsFrom: 'things' };
    expect(() => resourceRoutes({ ...spec, include: { lines: true } })).toThrow('things: tableRowsFrom reads the row alone');
    expect(() => resourceRoutes({ ...spec, tableInclude: null })).not.toThrow();
    const byDate = await t.http.post('/orders/explore').set(t.auth(admin)).send({ date_from: '01/01/2020', date_to: '2020-01-02' });
    expect(byDate.body.totaldata).toBe(0);
    expect((await t.http.post('/orders/explore').set(t.auth(admin)).send({ date_from: 'yesterday' })).status).toBe(400);
  });
});

describe('ratings', () => {
  it('a customer rates their own DONE order once', async () => {
    const id = await paidOrder(customer, 20_000);
    expect((await t.http.post('/ratings/create').set(t.auth(customer)).send({ id_orders: id, ratings: 5 })).status).toBe(422);
    await t.app.db.order.update({ where: { id }, data: { status: 'DONE', is_done: 1 } });
    expect((await t.http.post('/ratings/create').set(t.auth(other)).send({ id_orders: id, ratings: 5 })).status).toBe(404);
    expect((await t.http.post('/ratings/create').set(t.auth(customer)).send({ id_orders: id, ratings: 6 })).status).toBe(400);
    const r = await t.http.post('/ratings/create').set(t.auth(customer)).send({ id_orders: id, ratings: 4, rating_desc: 'Bagus' });
    expect(r.status).toBe(200);
    expect(r.body.ratings).toMatchObject({ id_orders: id, ratings: 4, rating_desc: 'Bagus', id_users: customer.id });
    expect(await order(id)).toMatchObject({ ratings: 4, rating_desc: 'Bagus' });
    expect((await t.http.post('/ratings/create').set(t.auth(customer)).send({ id_orders: id, ratings: 3 })).status).toBe(409);
    const rid = r.body.ratings.id;
    expect((await t.http.put(`/ratings/${rid}/update`).set(t.auth(customer)).send({ ratings: 5 })).body.ratings.ratings).toBe(5);
    // the customer's words and score are theirs: staff may delete a rating, never rewrite it
    const rewrite = await t.http.put(`/ratings/${rid}/update`).set(t.auth(admin)).send({ ratings: 1, rating_desc: 'Buruk' });
    expect(rewrite.status).toBe(403);
    expect(await order(id)).toMatchObject({ ratings: 5, rating_desc: 'Bagus' });
    expect((await t.http.get(`/ratings/${rid}`).set(t.auth(other))).status).toBe(404);
    expect((await t.http.post('/ratings/explore').set(t.auth(admin)).send({ id_orders: id })).body.totaldata).toBe(1);
    expect((await t.http.post('/ratings/search').set(t.auth(customer)).send({})).body.ratings).toHaveLength(1);
    expect((await t.http.post('/ratings/table').set(t.auth(admin)).send({ id_orders: id })).body.data[0][3]).toBe(5);
    expect((await t.http.delete(`/ratings/${rid}/delete`).set(t.auth(customer))).status).toBe(403);
    expect((await t.http.delete(`/ratings/${rid}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
    expect((await order(id)).ratings).toBeNull();
  });
});

describe('user_points and users/data', () => {
  it('lists the ledger (own for customers), shows the balance, carts and latest orders in users/data, expires old points', async () => {
    const u = await t.user(['CUSTOMER']);
    const id = await paidOrder(u, 90_000);
    const ex = await t.http.post('/user_points/explore?page=1&length=10').set(t.auth(u)).send({});
    expect(ex.body.data).toEqual([expect.objectContaining({ id_users: u.id, id_orders: id, add_point: 1_000, usecase: 'webhook-midtrans', order_code: expect.stringMatching(/^E-/), username: u.username })]);
    expect((await t.http.post('/user_points/search').set(t.auth(customer)).send({ id_users: u.id })).body.user_points).toEqual([]);
    const pid = ex.body.data[0].id;
    const g = await t.http.get(`/user_points/${pid}`).set(t.auth(u));
    expect(g.body.user_points).toMatchObject({ id: pid, users: { id: u.id }, orders: { id }, add_point: 1_000 });
    expect((await t.http.get(`/user_points/${pid}`).set(t.auth(other))).status).toBe(404);
    expect((await t.http.post('/user_points/table').set(t.auth(admin)).send({ id_users: u.id })).body.data[0].slice(0, 6)).toEqual([pid, u.id, id, 1_000, 0, 'webhook-midtrans']);
    expect((await t.http.delete(`/user_points/${pid}/delete`).set(t.auth(u))).status).toBe(403);

    const cartId = await eCart(t, u, [{ id_menu: (await menu(t)).id, qty: 1 }]);
    const data = await t.http.get('/users/data').set(t.auth(u));
    expect(data.body.users).toMatchObject({ total_point: 1_000, counts_carts: 1 });
    expect(data.body.users.latest_orders.map((o: any) => o.id)).toEqual([id]);
    void cartId;

    // expiry: the unspent remainder of a passed expiry day goes
    await t.app.db.userPoint.update({ where: { id: pid }, data: { expired_date: new Date('2020-01-01') } });
    await expirePoints(t.app);
    expect((await t.app.db.userPointBalance.findUniqueOrThrow({ where: { id_users: u.id } })).balance).toBe(0);
    expect(await t.app.db.userPoint.findUniqueOrThrow({ where: { id: pid } })).toMatchObject({ is_expired: 1, remaining_point: 0 });
    expect((await t.http.delete(`/user_points/${pid}/delete`).set(t.auth(admin))).status).toBe(409);
  });
});

/** An earn row of `amount` points expiring on `expired_date`, the cached balance, a day of 2026. */
const lot = (u: TestUser, amount: number, expired_date: Date) =>
  t.app.db.userPoint.create({ data: { id_users: u.id, add_point: amount, remaining_point: amount, usecase: 'admin-adjust', expired_date } });
const balance = async (u: TestUser) => (await t.app.db.userPointBalance.findUnique({ where: { id_users: u.id } }))?.balance ?? 0;
const day = (offset: number) => new Date(Date.UTC(2026, 0, 1) + offset * 86_400_000);

describe('points given back (uncheckout, cancel)', () => {

  it('return to the earn rows they were taken from, with their own expiry days; those past theirs stay expired', async () => {
    const u = await t.user(['CUSTOMER']);
    t.app.now = () => new Date('2026-01-10T03:00:00Z');
    try {
      // 3,000 expiring on 20 January, 4,000 on 30 June; 5,000 spent takes 3,000 + 2,000
      const soon = await lot(u, 3_000, day(19));
      const later = await lot(u, 4_000, day(180));
      await t.app.db.userPointBalance.create({ data: { id_users: u.id, balance: 7_000 } });
      const m = await menu(t, { harga: 100_000 });
      await stockOf(t, m.id, 5);
      const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 10_000);
      await put(`/orders/${id}/apply/points`, u, { poin_used: 5_000 }).expect(200);
      await put(`/orders/${id}/checkout`, u).expect(200);
      expect(await balance(u)).toBe(2_000);
      expect((await t.app.db.userPoint.findUniqueOrThrow({ where: { id: soon.id } })).remaining_point).toBe(0);
      expect((await t.app.db.userPoint.findUniqueOrThrow({ where: { id: later.id } })).remaining_point).toBe(2_000);

      // uncheckout: back where they were, not a new row valid for POINTS_EXPIRY_DAYS
      await put(`/orders/${id}/uncheckout`, u).expect(200);
      expect(await balance(u)).toBe(7_000);
      expect((await t.app.db.userPoint.findUniqueOrThrow({ where: { id: soon.id } })).remaining_point).toBe(3_000);
      expect((await t.app.db.userPoint.findUniqueOrThrow({ where: { id: later.id } })).remaining_point).toBe(4_000);
      const release = await t.app.db.userPoint.findFirstOrThrow({ where: { id_orders: id, usecase: 'order-release' } });
      expect(release).toMatchObject({ add_point: 5_000, remaining_point: 0 });

      // spent again, and given back after the first row's day has passed: those 3,000 are gone
      await put(`/orders/${id}/checkout`, u).expect(200);
      expect(await balance(u)).toBe(2_000);
      t.app.now = () => new Date('2026-01-25T03:00:00Z');
      await put(`/orders/${id}/uncheckout`, u).expect(200);
      expect(await balance(u)).toBe(4_000);
      const moves = await t.app.db.userPoint.findMany({ where: { id_orders: id }, orderBy: { id: 'asc' }, select: { usecase: true, add_point: true, use_point: true } });
      expect(moves).toEqual([
        { usecase: 'order-use', add_point: 0, use_point: 5_000 },
        { usecase: 'order-release', add_point: 5_000, use_point: 0 },
        { usecase: 'order-use', add_point: 0, use_point: 5_000 },
        { usecase: 'order-release', add_point: 5_000, use_point: 0 },
        { usecase: 'expire', add_point: 0, use_point: 3_000 },
      ]);
      // the expiry job finds nothing more to take, and the ledger adds up to the balance
      await expirePoints(t.app);
      expect(await balance(u)).toBe(4_000);
      const sums = await t.app.db.userPoint.aggregate({ where: { id_users: u.id }, _sum: { add_point: true, use_point: true } });
      expect(sums._sum.add_point! - sums._sum.use_point!).toBe(4_000);
    } finally {
      t.app.now = () => new Date();
    }
  });
});

describe('points past their expiry day, before the hourly job expires them', () => {

  it('are neither shown nor spendable: the spending expires them first, and the ledger adds up', async () => {
    const u = await t.user(['CUSTOMER']);
    // 3,000 expiring on 20 January, 4,000 on 30 June; it is 25 January and the job has not run
    const gone = await lot(u, 3_000, day(19));
    const kept = await lot(u, 4_000, day(180));
    await t.app.db.userPointBalance.create({ data: { id_users: u.id, balance: 7_000 } });
    t.app.now = () => new Date('2026-01-25T03:00:00Z');
    try {
      expect((await t.http.get('/users/data').set(t.auth(u))).body.users.total_point).toBe(4_000);
      const m = await menu(t, { harga: 100_000 });
      await stockOf(t, m.id, 5);
      const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 10_000);
      const tooMany = await put(`/orders/${id}/apply/points`, u, { poin_used: 5_000 });
      expect(tooMany.status).toBe(422);
      expect(tooMany.body.message).toMatch(/Not enough points \(balance 4000\)/);
      await put(`/orders/${id}/apply/points`, u, { poin_used: 4_000 }).expect(200);
      await put(`/orders/${id}/checkout`, u).expect(200);

      // the 3,000 went out as an `expire` row, the 4,000 were spent from the lot still valid
      expect(await balance(u)).toBe(0);
      expect(await t.app.db.userPoint.findUniqueOrThrow({ where: { id: gone.id } })).toMatchObject({ is_expired: 1, remaining_point: 0 });
      expect((await t.app.db.userPoint.findUniqueOrThrow({ where: { id: kept.id } })).remaining_point).toBe(0);
      const expired = await t.app.db.userPoint.findMany({ where: { id_users: u.id, usecase: 'expire' }, select: { use_point: true } });
      expect(expired).toEqual([{ use_point: 3_000 }]);
      expect(await t.app.db.userPointConsumption.findMany({ where: { id_lot: gone.id } })).toEqual([]);
      // the job finds nothing left to expire; add minus use equals the balance
      await expirePoints(t.app);
      expect(await balance(u)).toBe(0);
      const sums = await t.app.db.userPoint.aggregate({ where: { id_users: u.id }, _sum: { add_point: true, use_point: true } });
      expect(sums._sum.add_point! - sums._sum.use_point!).toBe(0);
    } finally {
      t.app.now = () => new Date();
    }
  });

  it('a checkout whose points expired after they were applied is refused whole (422), nothing reserved', async () => {
    const u = await t.user(['CUSTOMER']);
    await lot(u, 3_000, day(19));
    await t.app.db.userPointBalance.create({ data: { id_users: u.id, balance: 3_000 } });
    const m = await menu(t, { harga: 100_000 });
    const stock = await stockOf(t, m.id, 5);
    t.app.now = () => new Date('2026-01-15T03:00:00Z');
    try {
      const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 10_000);
      await put(`/orders/${id}/apply/points`, u, { poin_used: 3_000 }).expect(200);
      t.app.now = () => new Date('2026-01-21T03:00:00Z');
      const r = await put(`/orders/${id}/checkout`, u);
      expect(r.status).toBe(422);
      expect(r.body.message).toMatch(/Not enough points/);
      // rolled back whole: still the cart, the stock untouched, the points as they were
      expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'SHOPPING CARTS', reservation_status: 'NONE' });
      expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(5);
      expect(await balance(u)).toBe(3_000);
      expect(await t.app.db.userPoint.count({ where: { id_users: u.id, usecase: 'expire' } })).toBe(0);
    } finally {
      t.app.now = () => new Date();
    }
  });
});

describe('ledger rows staff cannot delete', () => {

  it('an expire row or an order-reverse row is history (409), the balance stays', async () => {
    const u = await t.user(['CUSTOMER']);
    await givePoints(t, u.id, 1_000);
    await t.app.db.userPoint.updateMany({ where: { id_users: u.id }, data: { expired_date: new Date('2020-01-01') } });
    await expirePoints(t.app);
    const expired = await t.app.db.userPoint.findFirstOrThrow({ where: { id_users: u.id, usecase: 'expire' } });
    expect((await t.http.delete(`/user_points/${expired.id}/delete`).set(t.auth(admin))).status).toBe(409);
    expect(await balance(u)).toBe(0);

    const id = await paidOrder(u, 200_000);
    const earned = await balance(u);
    expect(earned).toBeGreaterThan(0);
    await put(`/orders/${id}/cancel`, admin).expect(200);
    expect(await balance(u)).toBe(0);
    const reverse = await t.app.db.userPoint.findFirstOrThrow({ where: { id_orders: id, usecase: 'order-reverse' } });
    expect((await t.http.delete(`/user_points/${reverse.id}/delete`).set(t.auth(admin))).status).toBe(409);
    expect(await balance(u)).toBe(0);
    expect(await t.app.db.userPoint.count({ where: { id: { in: [expired.id, reverse.id] } } })).toBe(2);

    // an untouched credit still goes, with its points
    await givePoints(t, u.id, 500);
    const credit = await t.app.db.userPoint.findFirstOrThrow({ where: { id_users: u.id, usecase: 'admin-adjust', remaining_point: 500 } });
    expect((await t.http.delete(`/user_points/${credit.id}/delete`).set(t.auth(admin))).status).toBe(200);
    expect(await balance(u)).toBe(0);
  });
});

describe('a consultation whose payment is undone or whose order is cancelled', () => {
  async function paidConsultation(u: TestUser) {
    const d = await doctor(t, 75_000);
    const patient = await patientOf(t, u);
    const init = await t.http.post('/orders/init').set(t.auth(u)).send({ id_patients: patient.id, order_type: 'C' });
    const id = init.body.orders.id as number;
    await t.http.post('/orders/c_add_to_carts').set(t.auth(u)).send({ id_order: id, items: [{ id_doctors: d.id, qty: 1 }] }).expect(200);
    await put(`/orders/${id}/checkout`, u).expect(200);
    await put(`/orders/${id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
    return { id, thread: await t.app.db.thread.findFirstOrThrow({ where: { id_order: id } }) };
  }
  const say = (u: TestUser, threadId: number) => t.http.post('/thread_messages/text').set(t.auth(u)).send({ id_threads: threadId, content: 'Halo dok' });

  it('closes its thread; paid again, the thread opens for a new window', async () => {
    const u = await t.user(['CUSTOMER']);
    const start = new Date();
    t.app.now = () => start;
    try {
      const { id, thread } = await paidConsultation(u);
      expect((await say(u, thread.id)).status).toBe(200);
      await put(`/orders/${id}/unpaid`, admin).expect(200);
      expect((await say(u, thread.id)).status).toBe(409);
      expect(await t.app.db.thread.findUniqueOrThrow({ where: { id: thread.id } })).toMatchObject({ is_closed: 1 });
      // paid again two days later: a new window from then
      t.app.now = () => new Date(start.getTime() + 2 * 86_400_000);
      await put(`/orders/${id}/paid`, admin, { pay_channel: 'TRANSFER' }).expect(200);
      const reopened = await t.app.db.thread.findUniqueOrThrow({ where: { id: thread.id } });
      expect(reopened.is_closed).toBe(0);
      expect(reopened.estimate_done_at!.getTime()).toBeGreaterThan(t.app.now().getTime());
      expect((await t.app.db.order.findUniqueOrThrow({ where: { id } })).consultation_closed).toEqual(reopened.estimate_done_at);
      expect((await say(u, thread.id)).status).toBe(200);
      expect(await t.app.db.thread.count({ where: { id_order: id } })).toBe(1);
    } finally {
      t.app.now = () => new Date();
    }
  });

  it('cancelled after payment, the thread takes no more messages', async () => {
    const u = await t.user(['CUSTOMER']);
    const { id, thread } = await paidConsultation(u);
    await put(`/orders/${id}/cancel`, admin, { cancel_reason: 'refund' }).expect(200);
    expect((await say(u, thread.id)).status).toBe(409);
  });
});

describe('process/noresi repeated with the same number', () => {
  it('tells the customer once; a corrected number is told again', async () => {
    const u = await t.user(['CUSTOMER']);
    const id = await paidOrder(u);
    for (const a of ['prepared', 'processing']) await put(`/orders/${id}/${a}`, admin).expect(200);
    const rs = await Promise.all([1, 2, 3].map(() => put(`/orders/${id}/process/noresi`, admin, { nomor_resi: 'JNE123' })));
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200]);
    const shipped = () => t.app.db.notification.count({ where: { id_user_to: u.id, intentions: 'order_shipped', reference_id: id } });
    expect(await shipped()).toBe(1);
    await put(`/orders/${id}/process/noresi`, admin, { nomor_resi: 'JNE124' }).expect(200);
    expect(await shipped()).toBe(2);
  });
});

describe('invoice', () => {
  it('is refused for carts', async () => {
    const id = await eCart(t, customer, [{ id_menu: (await menu(t)).id, qty: 1 }]);
    expect((await t.http.get(`/orders/${id}/invoices`).set(t.auth(customer))).status).toBe(422);
    void patientOf;
  });

  // The built-in Helvetica has Latin-1 glyphs only: other letters came out as wrong characters.
  it("shows names and products in any script: the customer's, the patient's and the product's", async () => {
    const u = await t.user(['CUSTOMER']);
    await t.app.db.user.update({ where: { id: u.id }, data: { users_fullname: 'Nguyễn Thị Ánh' } });
    const patient = await patientOf(t, u, { nama_lengkap_pasien: 'Łukasz Сергеевич' });
    const m = await menu(t, { harga: 50_000, nama_menus: 'Krim Ω‑Ceramide “Sensitif”' });
    await stockOf(t, m.id, 5);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 2 }], 10_000);
    await t.app.db.order.update({ where: { id }, data: { id_patients: patient.id } });
    expect((await put(`/orders/${id}/checkout`, u)).status).toBe(200);
    const pdf = await t.http.get(`/orders/${id}/invoices`).set(t.auth(u)).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(pdf.status).toBe(200);
    const o = await order(id);
    expect(o.nama_pemesan).toBe('Nguyễn Thị Ánh');
    const text = pdfText(pdf.body as Buffer);
    expect(text).toContain(`Customer: Nguyễn Thị Ánh (${o.notelp_pemesan})`);
    expect(text).toContain('Patient: Łukasz Сергеевич');
    expect(text).toContain('Krim Ω‑Ceramide “Sensitif”  2 x IDR 50.000 = IDR 100.000');
    expect(text).toContain('Total: IDR 110.000');
  });
});

// The patients module hides a soft-deleted patient; the customer's orders used to go on serving
// its health and identity data.
describe("an order's soft-deleted patient", () => {
  it('is shown by name only to the customer (staff still see it)', async () => {
    const id = await paidOrder();
    const pid = (await order(id)).id_patients!;
    await t.app.db.patient.update({ where: { id: pid }, data: { catatan: 'Riwayat eksim', golongan_darah: 'O', no_identitas: '3273000000000009' } });
    expect((await t.http.get(`/orders/${id}`).set(t.auth(customer))).body.orders.patients).toMatchObject({ catatan: 'Riwayat eksim' });
    expect((await t.http.delete(`/patients/${pid}/delete`).set(t.auth(customer))).status).toBe(200);
    const mine = await t.http.get(`/orders/${id}`).set(t.auth(customer));
    expect(mine.status).toBe(200);
    expect(mine.body.orders.patients).toMatchObject({ id: pid, catatan: null, golongan_darah: null, no_identitas: null, alamat_domisili: null, tanggal_lahir: null });
    expect(mine.body.orders.patients.nama_lengkap_pasien).toEqual(expect.any(String));
    const staff = await t.http.get(`/orders/${id}`).set(t.auth(admin));
    expect(staff.body.orders.patients).toMatchObject({ catatan: 'Riwayat eksim', golongan_darah: 'O' });
  });
});
