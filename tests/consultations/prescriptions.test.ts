import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { consultationFixture, createMenu, pay } from './fixtures.js';

let t: TestApp;
let f: Awaited<ReturnType<typeof consultationFixture>>;
let stranger: TestUser;
let threadId: number;
let menuId: number;

beforeAll(async () => {
  t = await createTestApp();
  f = await consultationFixture(t);
  stranger = await t.user(['CUSTOMER']);
  await pay(t, f.order.id);
  threadId = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: f.order.id } })).id;
  const now = Date.now();
  // a running promotion: the cart gets the promotion price
  menuId = (await createMenu(t, { harga_promosi: 150000, mulai_harga_promosi: new Date(now - 86_400_000), selesai_harga_promosi: new Date(now + 86_400_000) })).id;
});
afterAll(() => t.close());

const prescribe = (body: Record<string, unknown>, who: TestUser = f.doctor) =>
  t.http.post('/thread_messages/prescriptions').set(t.auth(who)).send({ id_threads: threadId, content_type: 'prescriptions', ...body });
const redeem = (body: Record<string, unknown>, who: TestUser = f.customer) => t.http.post('/menu_reedems/add_to_carts').set(t.auth(who)).send({ id_threads: threadId, ...body });

describe('thread_messages/prescriptions', () => {
  it('is for doctors only, and only the thread’s doctor', async () => {
    expect((await prescribe({ id_menu: menuId, qty: 2 }, f.customer)).status).toBe(403);
    const other = await t.user(['DOCTOR']);
    expect((await prescribe({ id_menu: menuId, qty: 2 }, other)).status).toBe(404);
    expect((await prescribe({ id_menu: 999999, qty: 2 })).status).toBe(404);
    expect((await prescribe({ id_menu: menuId, qty: 0 })).status).toBe(400);
  });

  it('carries the product snapshot, qty and valid_until; the customer is notified', async () => {
    const res = await prescribe({ id_menu: menuId, qty: 2 });
    expect(res.status).toBe(200);
    const m = res.body.thread_messages;
    expect(m).toMatchObject({ content_type: 'prescriptions', qty: 2, priority: 'standard', is_redeemed: 0 });
    expect(m.content).toMatchObject({ id: menuId, nama_menus: 'Age Corrector Night Cream', harga: 160972, is_resep_required: 1, satuan: 'Jar', berat: 30, qty: 2 });
    expect(m.valid_until).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    // a later price change does not rewrite the prescription
    await t.app.db.menu.update({ where: { id: menuId }, data: { nama_menus: 'Renamed' } });
    const ex = await t.http.post('/thread_messages/explore').set(t.auth(f.customer)).send({ id_threads: threadId });
    expect(ex.body.data[0].content.nama_menus).toBe('Age Corrector Night Cream');
    expect(ex.body.data[0].bubble).toBe('left');
    expect(await t.app.db.notification.count({ where: { intentions: 'new_prescription', id_user_to: f.customer.id } })).toBe(1);
  });
});

describe('menu_reedems/add_to_carts', () => {
  it('puts the prescribed qty into a new open E cart at the current price, once', async () => {
    expect((await redeem({ id_menu: menuId }, stranger)).status).toBe(404);
    expect((await redeem({ id_menu: menuId }, f.doctor)).status).toBe(403);
    const res = await redeem({ id_menu: menuId });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ add_to_carts: true });
    const cart = await t.app.db.order.findFirstOrThrow({ where: { id_member: f.customer.id, order_type: 'E', cart_open: 1 }, include: { items: true } });
    expect(cart.id_patients).toBe(f.patient.id);
    expect(cart.items).toHaveLength(1);
    expect(cart.items[0]).toMatchObject({ id_menu: menuId, qty: 2, price: 150000, price_total: 300000 });
    expect(cart.total_price).toBe(300000);
    expect(cart.grand_totals).toBe(300000);
    const again = await redeem({ id_menu: menuId });
    expect(again.status).toBe(404); // no unredeemed prescription left for this product
    const msg = await t.app.db.threadMessage.findFirstOrThrow({ where: { id_threads: threadId, content_type: 'prescriptions' } });
    expect((await redeem({ id_menu: menuId, id_thread_messages: msg.id })).status).toBe(409);
    const ex = await t.http.get(`/thread_messages/${msg.id}`).set(t.auth(f.customer));
    expect(ex.body.thread_messages.is_redeemed).toBe(1);
  });

  it('redeems a prescription at most once under concurrency, adding to the same cart line', async () => {
    const res = await prescribe({ id_menu: menuId, qty: 3 });
    const id = res.body.thread_messages.id;
    const results = await Promise.all(Array.from({ length: 6 }, () => redeem({ id_menu: menuId, id_thread_messages: id })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expect(r.status).toBe(409);
    expect(await t.app.db.menuReedem.count({ where: { id_thread_messages: id } })).toBe(1);
    const carts = await t.app.db.order.findMany({ where: { id_member: f.customer.id, order_type: 'E', cart_open: 1 }, include: { items: true } });
    expect(carts).toHaveLength(1);
    expect(carts[0]!.items[0]).toMatchObject({ qty: 5, price_total: 750000 });
    expect(carts[0]!.total_price).toBe(750000);
  });

  it('refuses an expired prescription (422)', async () => {
    const res = await prescribe({ id_menu: menuId, qty: 1 });
    const id = res.body.thread_messages.id;
    await t.app.db.threadMessage.update({ where: { id }, data: { valid_until: new Date(Date.now() - 1000) } });
    expect((await redeem({ id_menu: menuId, id_thread_messages: id })).status).toBe(422);
    expect((await prescribe({ id_menu: menuId, valid_until: '01/01/2020 10:00' })).status).toBe(422);
  });

  it('uses the given open cart only when it is the caller’s', async () => {
    // each test its own qty: the same prescription again within a minute is a double tap (409)
    const res = await prescribe({ id_menu: menuId, qty: 4 });
    const id = res.body.thread_messages.id;
    const othersCart = await t.app.db.order.create({ data: { order_type: 'E', id_member: stranger.id, id_patients: f.patient.id } });
    expect((await redeem({ id_menu: menuId, id_thread_messages: id, id_orders: othersCart.id })).status).toBe(404);
    const mine = await t.app.db.order.findFirstOrThrow({ where: { id_member: f.customer.id, order_type: 'E', cart_open: 1 } });
    expect((await redeem({ id_menu: menuId, id_thread_messages: id, id_orders: mine.id })).status).toBe(200);
  });

  it("refuses (422) the open cart of another of the customer's patients: the prescription is the thread patient's", async () => {
    const res = await prescribe({ id_menu: menuId, qty: 6 });
    const id = res.body.thread_messages.id;
    const sibling = await t.app.db.patient.create({ data: { id_users: f.customer.id, nama_lengkap_pasien: 'Adik' } });
    const siblingCart = await t.app.db.order.create({ data: { order_type: 'E', id_member: f.customer.id, id_patients: sibling.id } });
    const r = await redeem({ id_menu: menuId, id_thread_messages: id, id_orders: siblingCart.id });
    expect(r.status, r.text).toBe(422);
    expect(await t.app.db.orderItem.count({ where: { id_order: siblingCart.id } })).toBe(0);
    expect(await t.app.db.menuReedem.count({ where: { id_thread_messages: id } })).toBe(0);
  });
});

describe('a prescription for a patient the customer deleted', () => {
  it('is not redeemed (404): no cart is opened for a deleted patient, as orders/init opens none', async () => {
    const g = await consultationFixture(t);
    await pay(t, g.order.id);
    const id_threads = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: g.order.id } })).id;
    await t.http.post('/thread_messages/prescriptions').set(t.auth(g.doctor)).send({ id_threads, id_menu: menuId, qty: 1 }).expect(200);
    await t.http.delete(`/patients/${g.patient.id}/delete`).set(t.auth(g.customer)).expect(200);
    const res = await t.http.post('/menu_reedems/add_to_carts').set(t.auth(g.customer)).send({ id_threads, id_menu: menuId });
    expect(res.status).toBe(404);
    expect(await t.app.db.order.count({ where: { id_patients: g.patient.id, order_type: 'E' } })).toBe(0);
    expect(await t.app.db.menuReedem.count({ where: { id_threads } })).toBe(0);
  });
});

describe('prescription requests open a thread any doctor can take', () => {
  it('the first doctor to answer takes it; others then lose sight of it', async () => {
    const { emit } = await import('../../src/lib/events.js');
    const req = await t.app.db.prescriptionRequest.create({ data: { id_users: stranger.id, id_menu: menuId, request_date: new Date('2026-11-25') } });
    await t.app.db.$transaction((x) => emit(t.app, 'prescription.requested', { requestId: req.id, userId: stranger.id, menuId }, x));
    const linked = await t.app.db.prescriptionRequest.findUniqueOrThrow({ where: { id: req.id } });
    expect(linked.id_threads).not.toBeNull();
    const id = linked.id_threads!;
    const d2 = await t.user(['DOCTOR']);
    for (const d of [f.doctor, d2]) {
      const ov = await t.http.post('/threads/overview/doctors').set(t.auth(d)).send({});
      expect(ov.body.active.prescriptions.map((x: { id: number }) => x.id)).toContain(id);
    }
    const own = await t.http.post('/thread_messages/explore').set(t.auth(stranger)).send({ id_threads: id });
    expect(own.body.data[0]).toMatchObject({ remark: 'auto-messages', bubble: 'right', content_type: 'text' });
    // two doctors answer at once: exactly one takes the thread
    const [a, b] = await Promise.all([
      t.http.post('/thread_messages/text').set(t.auth(f.doctor)).send({ id_threads: id, content: 'Saya bantu' }),
      t.http.post('/thread_messages/text').set(t.auth(d2)).send({ id_threads: id, content: 'Saya bantu juga' }),
    ]);
    // the loser gets 409 (lost the race inside the update) or 404 (the thread was already taken)
    expect([a.status, b.status].filter((x) => x === 200)).toHaveLength(1);
    expect([404, 409]).toContain(a.status === 200 ? b.status : a.status);
    const taker = a.status === 200 ? f.doctor : d2;
    const loser = a.status === 200 ? d2 : f.doctor;
    expect((await t.app.db.thread.findUniqueOrThrow({ where: { id } })).id_user_to).toBe(taker.id);
    expect((await t.http.get(`/threads/${id}`).set(t.auth(loser))).status).toBe(404);
    // the taker can prescribe; the customer is told
    expect((await t.http.post('/thread_messages/prescriptions').set(t.auth(taker)).send({ id_threads: id, id_menu: menuId, qty: 1 })).status).toBe(200);
    expect(await t.app.db.notification.count({ where: { id_user_to: stranger.id, intentions: 'new_prescription' } })).toBe(1);
    // no patient on the thread and no cart: the customer must name their open cart
    expect((await t.http.post('/menu_reedems/add_to_carts').set(t.auth(stranger)).send({ id_threads: id, id_menu: menuId })).status).toBe(422);
  });
});

describe('a doctor on the customer side of a thread', () => {
  it('cannot prescribe there, nor redeem a prescription the customer side wrote', async () => {
    const selfDoc = await t.user(['CUSTOMER', 'DOCTOR']);
    expect((await t.http.post('/menus/prescriptions/requests').set(t.auth(selfDoc)).send({ id_menu: menuId })).status).toBe(200);
    const thread = await t.app.db.thread.findFirstOrThrow({ where: { id_user_from: selfDoc.id, thread_type: 'prescriptions' } });
    const res = await t.http.post('/thread_messages/prescriptions').set(t.auth(selfDoc)).send({ id_threads: thread.id, id_menu: menuId, qty: 5 });
    expect(res.status).toBe(404);
    expect(await t.app.db.threadMessage.count({ where: { id_threads: thread.id, content_type: 'prescriptions' } })).toBe(0);
    // the thread is still untaken: another doctor can take it by prescribing
    expect((await t.app.db.thread.findUniqueOrThrow({ where: { id: thread.id } })).id_user_to).toBeNull();
    // a prescription the customer side wrote (stored before this rule) is not redeemable
    const real = await t.app.db.threadMessage.findFirstOrThrow({ where: { id_threads: threadId, content_type: 'prescriptions' } });
    const own = await t.app.db.threadMessage.create({
      data: {
        id_threads: thread.id, id_user_from: selfDoc.id, content_type: 'prescriptions', content: real.content, remark: '5',
        id_menu: menuId, menu_snapshot: real.menu_snapshot!, qty: 5, valid_until: new Date(Date.now() + 86_400_000),
      },
    });
    const family = await t.app.db.patient.create({ data: { id_users: selfDoc.id, nama_lengkap_pasien: 'Diri Sendiri' } });
    const cart = await t.app.db.order.create({ data: { order_type: 'E', id_member: selfDoc.id, id_patients: family.id } });
    const redeemOwn = await t.http.post('/menu_reedems/add_to_carts').set(t.auth(selfDoc)).send({ id_threads: thread.id, id_menu: menuId, id_thread_messages: own.id, id_orders: cart.id });
    expect(redeemOwn.status).toBe(404);
    expect(await t.app.db.menuReedem.count({ where: { id_thread_messages: own.id } })).toBe(0);
    expect(await t.app.db.orderItem.count({ where: { id_order: cart.id } })).toBe(0);
  });
});

describe('untaken prescription threads', () => {
  it('are visible to doctors but only admins may close them', async () => {
    const { emit } = await import('../../src/lib/events.js');
    const req = await t.app.db.prescriptionRequest.create({ data: { id_users: stranger.id, id_menu: menuId, request_date: new Date('2026-11-26') } });
    await t.app.db.$transaction((x) => emit(t.app, 'prescription.requested', { requestId: req.id, userId: stranger.id, menuId }, x));
    const id = (await t.app.db.prescriptionRequest.findUniqueOrThrow({ where: { id: req.id } })).id_threads!;
    const seen = await t.http.get(`/threads/${id}`).set(t.auth(f.doctor));
    expect(seen.status).toBe(200);
    // not yet their customer: the name, not the contact data
    expect(seen.body.threads.user_from).toMatchObject({ id: stranger.id, users_fullname: `Test ${stranger.username}`, users_email: '', users_phone: '', users_address: '', users_birthday: null });
    expect((await t.http.put(`/threads/${id}/close`).set(t.auth(f.doctor))).status).toBe(403);
    expect((await t.http.put(`/threads/${id}/update`).set(t.auth(f.doctor)).send({ is_closed: 1 })).status).toBe(403);
    const admin = await t.user(['ADMIN']);
    expect((await t.http.put(`/threads/${id}/close`).set(t.auth(admin))).status).toBe(200);
  });

  it('about a patient stay hidden from doctors until an admin assigns one (the patient’s data is in them)', async () => {
    const admin = await t.user(['ADMIN']);
    const created = await t.http.post('/threads/create').set(t.auth(admin)).send({ thread_type: 'prescriptions', id_user_from: f.customer.id, id_patients: f.patient.id });
    expect(created.status).toBe(200);
    const id = created.body.threads.id;
    expect((await t.http.post('/thread_messages/text').set(t.auth(f.customer)).send({ id_threads: id, content: 'Kulit saya gatal' })).status).toBe(200);
    const other = await t.user(['DOCTOR']);
    expect((await t.http.get(`/threads/${id}`).set(t.auth(other))).status).toBe(404);
    expect((await t.http.post('/thread_messages/explore').set(t.auth(other)).send({ id_threads: id })).status).toBe(404);
    const all = await t.http.post('/thread_messages/explore').set(t.auth(other)).send({});
    expect(all.body.data.map((m: { id_threads: number }) => m.id_threads)).not.toContain(id);
    const ov = await t.http.post('/threads/overview/doctors').set(t.auth(other)).send({});
    expect(ov.body.active.prescriptions.map((x: { id: number }) => x.id)).not.toContain(id);
    expect((await t.http.post('/thread_messages/text').set(t.auth(other)).send({ id_threads: id, content: 'Saya bantu' })).status).toBe(404);
    // assigned: that doctor sees it, with the patient
    expect((await t.http.put(`/threads/${id}/update`).set(t.auth(admin)).send({ id_user_to: other.id })).status).toBe(200);
    const mine = await t.http.post('/thread_messages/explore').set(t.auth(other)).send({ id_threads: id });
    expect(mine.body.data[0]).toMatchObject({ content: 'Kulit saya gatal', id_patients: f.patient.id });
  });
});

describe('deleting a prescription', () => {
  it('is refused (409) once the order it was redeemed into is checked out or paid: the sale rests on it; in an open cart it is withdrawn', async () => {
    const product = await createMenu(t, { nama_menus: 'Tretinoin 0.05%' });
    const a = (await prescribe({ id_menu: product.id, qty: 1 })).body.thread_messages.id as number;
    await redeem({ id_menu: product.id, id_thread_messages: a }).expect(200);
    const cart = await t.app.db.menuReedem.findUniqueOrThrow({ where: { id_thread_messages: a }, select: { id_orders: true } });
    // the cart is checked out (what checkout writes for its state), then paid
    for (const status of ['CHECKOUT', 'PAID']) {
      await t.app.db.order.update({ where: { id: cart.id_orders }, data: { status, cart_open: null, is_paid: status === 'PAID' ? 1 : 0 } });
      expect((await t.http.delete(`/thread_messages/${a}/delete`).set(t.auth(f.doctor))).status).toBe(409);
      expect((await t.http.delete(`/thread_messages/${a}/delete`).set(t.auth(await t.user(['ADMIN'])))).status).toBe(409);
      expect((await t.app.db.threadMessage.findUniqueOrThrow({ where: { id: a } })).deleted_at).toBeNull();
    }
    // one redeemed into a cart still open: the doctor may withdraw it (checkout then refuses the line)
    const b = (await prescribe({ id_menu: product.id, qty: 2 })).body.thread_messages.id as number;
    await redeem({ id_menu: product.id, id_thread_messages: b }).expect(200);
    expect((await t.http.delete(`/thread_messages/${b}/delete`).set(t.auth(f.doctor))).body).toEqual({ deleted: true });
  });
});

describe('the same prescription written again within a minute (a double tap, a retry whose answer was lost)', () => {
  it('is refused (409) naming the first; another qty, or the same once the first is deleted, is written', async () => {
    const menu = await createMenu(t, { nama_menus: 'Krim Dua Kali' });
    const told = () => t.app.db.notification.count({ where: { intentions: 'new_prescription', id_user_to: f.customer.id } });
    const toldBefore = await told();
    const first = await prescribe({ id_menu: menu.id, qty: 1 });
    expect(first.status).toBe(200);
    const again = await prescribe({ id_menu: menu.id, qty: 1 });
    expect(again.status).toBe(409);
    expect(again.body.message).toContain(`thread_messages ${first.body.thread_messages.id}`);
    const count = () => t.app.db.threadMessage.count({ where: { id_threads: threadId, id_menu: menu.id, deleted_at: null } });
    expect(await count()).toBe(1);
    // the customer was told of one prescription
    expect(await told()).toBe(toldBefore + 1);
    expect((await prescribe({ id_menu: menu.id, qty: 2 })).status).toBe(200);
    expect((await t.http.delete(`/thread_messages/${first.body.thread_messages.id}/delete`).set(t.auth(f.doctor))).status).toBe(200);
    expect((await prescribe({ id_menu: menu.id, qty: 1 })).status).toBe(200);
    expect(await count()).toBe(2);
  });
});
