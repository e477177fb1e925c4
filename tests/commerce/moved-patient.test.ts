import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clinicDay } from '../../src/lib/dates.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { whileHolding } from '../helpers/interleave.js';
import { startFakeMidtrans } from './fake-midtrans.js';
import { doctor, eCart, givePoints, menu, patientOf, promotion, setCourier, stockOf } from './fixtures.js';

// A cart opened for a patient that staff then moved to another account (users/patients/link,
// unlink) or that was deleted: the cart is its customer's for that patient, so it no longer grows,
// takes a discount or is checked out (422 on id_patients), whoever acts on it; it can still be
// emptied or deleted. A checkout made before the move is still paid (the money was taken).
const SERVER_KEY = 'SB-Mid-server-moved-key';
let t: TestApp;
let fake: Awaited<ReturnType<typeof startFakeMidtrans>>;
let admin: TestUser;
let after: TestUser;

beforeAll(async () => {
  fake = await startFakeMidtrans(SERVER_KEY);
  t = await createTestApp({ MIDTRANS_SERVER_KEY: SERVER_KEY, MIDTRANS_CLIENT_KEY: 'SB-Mid-client-test', MIDTRANS_SNAP_URL: `${fake.url}/snap/v1`, MIDTRANS_API_URL: fake.url });
  admin = await t.user(['ADMIN']);
  after = await t.user(['CUSTOMER']);
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

const notYourPatient = [{ field: 'id_patients', message: "not the customer's patient" }];
const link = (id_patients: number, id_users = after.id) => t.http.put('/users/patients/link').set(t.auth(admin)).send({ id_users, id_patients }).expect(200);
const order = (id: number) => t.app.db.order.findUniqueOrThrow({ where: { id } });

/** A customer with an E cart (one product line with warehouse stock, courier chosen) ready to check out. */
async function readyCart(qty = 1) {
  const customer = await t.user(['CUSTOMER']);
  const m = await menu(t, { harga: 100_000 });
  const stock = await stockOf(t, m.id, 10);
  const orderId = await eCart(t, customer, [{ id_menu: m.id, qty }]);
  const { id_patients } = await order(orderId);
  return { customer, m, stock, orderId, id_patients };
}

/** A customer's consultation (C) cart with a doctor in it. */
async function consultationCart() {
  const customer = await t.user(['CUSTOMER']);
  const patient = await patientOf(t, customer);
  const d = await doctor(t, 125_000);
  const init = await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: patient.id, order_type: 'C' }).expect(200);
  const orderId = init.body.orders.id as number;
  await t.http.post('/orders/c_add_to_carts').set(t.auth(customer)).send({ id_order: orderId, items: [{ id_doctors: d.id, qty: 1 }] }).expect(200);
  return { customer, d, orderId, id_patients: patient.id };
}

const sign = (orderId: string, code: string, gross: string) => createHash('sha512').update(orderId + code + gross + SERVER_KEY).digest('hex');
/** Midtrans' settlement of the order's current attempt. */
async function settle(orderId: number) {
  const o = await order(orderId);
  const attempt = await t.app.db.orderPayment.findFirstOrThrow({ where: { id_orders: orderId, attempt: o.payment_attempts } });
  const gross_amount = `${o.grand_totals}.00`;
  return t.http.post('/payments/webhooks/midtrans').send({
    transaction_time: '2026-11-25 10:00:00',
    transaction_status: 'settlement',
    transaction_id: `trx-${attempt.midtrans_order_id}`,
    status_code: '200',
    signature_key: sign(attempt.midtrans_order_id, '200', gross_amount),
    payment_type: 'bank_transfer',
    order_id: attempt.midtrans_order_id,
    gross_amount,
    fraud_status: 'accept',
  });
}

describe('a cart whose patient staff moved to another account', () => {
  it("refuses lines that would grow it, points, a promotion and checkout (422 on id_patients); nothing changes", async () => {
    const { customer, m, stock, orderId, id_patients } = await readyCart(2);
    await givePoints(t, customer.id, 5_000);
    const promo = await promotion(t);
    await link(id_patients);
    const before = await order(orderId);
    const snaps = fake.snapRequests.length;
    const other = await menu(t);
    const item = await t.app.db.orderItem.findFirstOrThrow({ where: { id_order: orderId } });
    const refused = [
      await t.http.post('/orders/e_add_to_carts').set(t.auth(customer)).send({ id_order: orderId, items: [{ id_menu: other.id, qty: 1 }] }),
      await t.http.post('/orders/e_add_to_carts').set(t.auth(customer)).send({ id_order: orderId, items: [{ id_menu: m.id, qty: '+' }] }),
      await t.http.put(`/order_items/${item.id}/update`).set(t.auth(customer)).send({ qty: 3 }),
      await t.http.put(`/orders/${orderId}/apply/points`).set(t.auth(customer)).send({ poin_used: 5_000 }),
      await t.http.put(`/orders/${orderId}/apply/promotions`).set(t.auth(customer)).send({ display_codes: promo.display_codes }),
      await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({}),
    ];
    for (const res of refused) {
      expect(res.status).toBe(422);
      expect(res.body.message).toContain('no longer one its customer manages');
      expect(res.body.errors).toEqual(notYourPatient);
    }
    expect(await order(orderId)).toMatchObject({ status: 'SHOPPING CARTS', poin_used: 0, id_promo_discount_applied: null, total_price: before.total_price, payment_attempts: 0 });
    expect(await t.app.db.orderItem.findMany({ where: { id_order: orderId }, select: { id_menu: true, qty: true } })).toEqual([{ id_menu: m.id, qty: 2 }]);
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(10);
    expect(fake.snapRequests.length).toBe(snaps);
  });

  it('can still be emptied and deleted by its customer', async () => {
    const { customer, m, orderId, id_patients } = await readyCart(2);
    await link(id_patients);
    await t.http.post('/orders/e_add_to_carts').set(t.auth(customer)).send({ id_order: orderId, items: [{ id_menu: m.id, qty: '-' }] }).expect(200);
    const item = await t.app.db.orderItem.findFirstOrThrow({ where: { id_order: orderId } });
    expect(item.qty).toBe(1);
    await t.http.post('/orders/e_add_to_carts').set(t.auth(customer)).send({ id_order: orderId, items: [{ id_menu: m.id, qty: 0 }] }).expect(200);
    expect(await t.app.db.orderItem.count({ where: { id_order: orderId } })).toBe(0);
    await t.http.delete(`/orders/${orderId}/delete`).set(t.auth(customer)).expect(200);
    expect(await t.app.db.order.count({ where: { id: orderId } })).toBe(0);
  });

  it('refuses staff too: the cart is its customer’s for its patient; linked back, it checks out again', async () => {
    const { customer, orderId, id_patients } = await readyCart();
    await link(id_patients);
    const res = await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(admin)).send({});
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual(notYourPatient);
    expect((await order(orderId)).status).toBe('SHOPPING CARTS');
    await link(id_patients, customer.id);
    expect((await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(admin)).send({})).status).toBe(200);
  });

  it('unlinked or deleted: checkout refused the same way', async () => {
    const unlinked = await readyCart();
    await t.http.put('/users/patients/unlink').set(t.auth(admin)).send({ id_patients: unlinked.id_patients }).expect(200);
    const deleted = await readyCart();
    await t.http.delete(`/patients/${deleted.id_patients}/delete`).set(t.auth(deleted.customer)).expect(200);
    for (const c of [unlinked, deleted]) {
      const res = await t.http.put(`/orders/${c.orderId}/checkout`).set(t.auth(c.customer)).send({});
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual(notYourPatient);
      expect((await order(c.orderId)).status).toBe('SHOPPING CARTS');
    }
  });

  it('consultation cart: c_add_to_carts and checkout refused (its paid thread would show the new manager’s patient)', async () => {
    const { customer, d, orderId, id_patients } = await consultationCart();
    await link(id_patients);
    const add = await t.http.post('/orders/c_add_to_carts').set(t.auth(customer)).send({ id_order: orderId, items: [{ id_doctors: d.id, qty: 0 }, { id_doctors: (await doctor(t)).id, qty: 1 }] });
    expect(add.status).toBe(422);
    expect(add.body.errors).toEqual(notYourPatient);
    expect(await t.app.db.orderExtra.findMany({ where: { id_orders: orderId }, select: { id_doctors: true } })).toEqual([{ id_doctors: d.id }]);
    const res = await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({});
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual(notYourPatient);
    expect(await t.app.db.thread.count({ where: { id_order: orderId } })).toBe(0);
  });

  it('menu_reedems/add_to_carts into it (a thread without a patient, the cart by id_orders): 422, the prescription not used', async () => {
    const { customer, orderId, id_patients } = await readyCart();
    const d = await doctor(t);
    const rx = await menu(t, { is_resep_required: 1 });
    const thread = await t.app.db.thread.create({ data: { id_user_from: customer.id, id_user_to: d.id_users, thread_type: 'online_consultations' } });
    await t.app.db.threadMessage.create({
      data: { id_threads: thread.id, id_user_from: d.id_users, id_user_to: customer.id, content_type: 'prescriptions', content: rx.nama_menus, id_menu: rx.id, qty: 1, valid_until: new Date(Date.now() + 86_400_000) },
    });
    await link(id_patients);
    const res = await t.http.post('/menu_reedems/add_to_carts').set(t.auth(customer)).send({ id_threads: thread.id, id_menu: rx.id, id_orders: orderId });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual(notYourPatient);
    expect(await t.app.db.menuReedem.count({ where: { id_threads: thread.id } })).toBe(0);
    expect(await t.app.db.orderItem.count({ where: { id_order: orderId, id_menu: rx.id } })).toBe(0);
  });
});

describe('a checkout whose patient staff moved before it was paid', () => {
  it('consultation: the payment is accepted; its thread opens for the buyer without the patient', async () => {
    const { customer, d, orderId, id_patients } = await consultationCart();
    await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({}).expect(200);
    await link(id_patients);
    const res = await settle(orderId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', result: 'paid' });
    expect(await order(orderId)).toMatchObject({ status: 'PAID', is_paid: 1 });
    expect(await t.app.db.thread.findFirstOrThrow({ where: { id_order: orderId } })).toMatchObject({ id_user_from: customer.id, id_user_to: d.id_users, id_patients: null });
    expect((await t.http.get(`/patients/${id_patients}`).set(t.auth(customer))).status).toBe(404);
  });

  it('e-commerce: the payment is accepted; the order keeps the delivery it was checked out with', async () => {
    const { customer, orderId, id_patients } = await readyCart();
    await t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({}).expect(200);
    const checkedOut = await order(orderId);
    await link(id_patients);
    expect((await settle(orderId)).body).toMatchObject({ status: 'ok', result: 'paid' });
    expect(await order(orderId)).toMatchObject({ status: 'PAID', alamat_kirim: checkedOut.alamat_kirim, nama_penerima: checkedOut.nama_penerima });
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('a cart action while staff move its patient to another account', () => {
  /** Moves the patient to `after` in a transaction held open until the request waits for the patient's row. */
  const whileMoving = <T>(patientId: number, request: () => Promise<T>) =>
    whileHolding(t.app.db, (tx) => tx.patient.updateMany({ where: { id: patientId }, data: { id_users: after.id } }), request);

  it('checkout waits for the move and is refused: nothing reserved, no payment started', async () => {
    const { customer, stock, orderId, id_patients } = await readyCart();
    const snaps = fake.snapRequests.length;
    const res = await whileMoving(id_patients, () => t.http.put(`/orders/${orderId}/checkout`).set(t.auth(customer)).send({}).then((r) => r));
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual(notYourPatient);
    expect(await order(orderId)).toMatchObject({ status: 'SHOPPING CARTS', payment_attempts: 0, reservation_status: 'NONE' });
    expect((await t.app.db.stock.findUniqueOrThrow({ where: { id: stock.id } })).quantitytotal).toBe(10);
    expect(fake.snapRequests.length).toBe(snaps);
  });

  it('e_add_to_carts waits for the move and is refused: no line added', async () => {
    const { customer, orderId, id_patients } = await readyCart();
    const other = await menu(t);
    const res = await whileMoving(id_patients, () => t.http.post('/orders/e_add_to_carts').set(t.auth(customer)).send({ id_order: orderId, items: [{ id_menu: other.id, qty: 1 }] }).then((r) => r));
    expect(res.status).toBe(422);
    expect(await t.app.db.orderItem.count({ where: { id_order: orderId, id_menu: other.id } })).toBe(0);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('two checkouts of one patient at the same moment', () => {
  /** how many statements of this database wait for a lock */
  const waiting = async () =>
    (await t.app.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`))[0]!.n;

  it('a consultation paid with points and a product checkout with points both go through (no deadlock on the patient)', async () => {
    // Both hold the patient (FOR SHARE, the carts' rule) and take the customer's point balance; the
    // consultation, paid at once, then opens its thread, deciding on the patient again. Were that a
    // lock FOR UPDATE, it would wait for the product checkout's share, which waits for the balance.
    const customer = await t.user(['CUSTOMER']);
    const patient = await patientOf(t, customer);
    await givePoints(t, customer.id, 200_000);
    const d = await doctor(t, 125_000);
    const cInit = await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: patient.id, order_type: 'C' }).expect(200);
    const cId = cInit.body.orders.id as number;
    await t.http.post('/orders/c_add_to_carts').set(t.auth(customer)).send({ id_order: cId, items: [{ id_doctors: d.id, qty: 1 }] }).expect(200);
    await t.http.put(`/orders/${cId}/apply/points`).set(t.auth(customer)).send({ poin_used: (await order(cId)).grand_totals }).expect(200);
    expect((await order(cId)).grand_totals).toBe(0);
    const m = await menu(t, { harga: 100_000 });
    await stockOf(t, m.id, 10);
    const eInit = await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: patient.id, order_type: 'E' }).expect(200);
    const eId = eInit.body.orders.id as number;
    await t.http.post('/orders/e_add_to_carts').set(t.auth(customer)).send({ id_order: eId, items: [{ id_menu: m.id, qty: 1 }] }).expect(200);
    await setCourier(t, eId);
    await t.http.put(`/orders/${eId}/apply/points`).set(t.auth(customer)).send({ poin_used: 10_000 }).expect(200);

    // The interleaving, held in place by the day's consultation code counter: the consultation's
    // checkout holds the patient and the balance and waits for the counter; the product checkout
    // then holds the patient and waits for the balance; the counter is let go.
    const day = clinicDay(t.app.now()).toISOString().slice(0, 10);
    let release!: () => void;
    let holding!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const isHolding = new Promise<void>((r) => (holding = r));
    const holder = t.app.db.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe(
          `INSERT INTO order_code_counters (order_type, tanggal, last_number, updated_at) VALUES ('C', $1::date, 0, now())
           ON CONFLICT (order_type, tanggal) DO UPDATE SET updated_at = now()`,
          day,
        );
        holding();
        await released;
      },
      { timeout: 20_000 },
    );
    await isHolding;
    const consultation = t.http.put(`/orders/${cId}/checkout`).set(t.auth(customer)).send({}).then((r) => r);
    await vi.waitFor(async () => expect(await waiting()).toBe(1), { timeout: 5_000, interval: 50 });
    const products = t.http.put(`/orders/${eId}/checkout`).set(t.auth(customer)).send({}).then((r) => r);
    await vi.waitFor(async () => expect(await waiting()).toBe(2), { timeout: 5_000, interval: 50 });
    release();
    await holder;
    const [c, e] = await Promise.all([consultation, products]);
    expect([c.status, e.status]).toEqual([200, 200]);
    expect(await order(cId)).toMatchObject({ status: 'PAID', is_paid: 1 });
    expect((await order(eId)).status).toBe('CHECKOUT');
    expect(await t.app.db.thread.findFirstOrThrow({ where: { id_order: cId } })).toMatchObject({ id_patients: patient.id });
  });
});
