import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireUnpaidCheckouts } from '../../src/modules/commerce/payments.service.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { setCourier } from '../commerce/fixtures.js';
import { consultationFixture, createMenu, pay } from './fixtures.js';

// A redeemed prescription is released again when its redemption no longer backs a line that is
// for sale: the line was removed, or its order was cancelled unpaid (no Midtrans keys: the simulator).
let t: TestApp;
let f: Awaited<ReturnType<typeof consultationFixture>>;
let admin: TestUser;
let threadId: number;

beforeAll(async () => {
  t = await createTestApp();
  f = await consultationFixture(t);
  admin = await t.user(['ADMIN']);
  await pay(t, f.order.id);
  threadId = (await t.app.db.thread.findFirstOrThrow({ where: { id_order: f.order.id } })).id;
});
afterAll(() => t.close());

const prescribe = async (menuId: number, qty = 1) =>
  (await t.http.post('/thread_messages/prescriptions').set(t.auth(f.doctor)).send({ id_threads: threadId, content_type: 'prescriptions', id_menu: menuId, qty }).expect(200)).body.thread_messages.id as number;
const redeem = (menuId: number, messageId?: number) =>
  t.http.post('/menu_reedems/add_to_carts').set(t.auth(f.customer)).send({ id_threads: threadId, id_menu: menuId, ...(messageId ? { id_thread_messages: messageId } : {}) });
const openCart = () => t.app.db.order.findFirst({ where: { id_member: f.customer.id, id_patients: f.patient.id, order_type: 'E', cart_open: 1 }, include: { items: true } });
const isRedeemed = async (messageId: number) => (await t.http.get(`/thread_messages/${messageId}`).set(t.auth(f.customer)).expect(200)).body.thread_messages.is_redeemed;
const put = (path: string, u: TestUser, body: object = {}) => t.http.put(path).set(t.auth(u)).send(body);

/** The open cart checked out (courier and address set first); its Snap token. */
async function checkoutCart() {
  const cart = (await openCart())!;
  await setCourier(t, cart.id);
  const co = await put(`/orders/${cart.id}/checkout`, f.customer, { alamat_kirim: 'Jalan Dago 10, Bandung' });
  expect(co.status, co.text).toBe(200);
  return { id: cart.id, token: co.body.token as string };
}

describe('a prescription whose cart line was removed', () => {
  it('can be redeemed again, into the cart, at the prescribed qty', async () => {
    const product = await createMenu(t, { nama_menus: 'Hydroquinone 4%' });
    const rx = await prescribe(product.id, 2);
    await redeem(product.id, rx).expect(200);
    const line = (await openCart())!.items.find((i) => i.id_menu === product.id)!;
    expect(await isRedeemed(rx)).toBe(1);
    expect((await t.http.delete(`/order_items/${line.id}/delete`).set(t.auth(f.customer))).body).toEqual({ deleted: true });
    expect(await isRedeemed(rx)).toBe(0);
    // without naming it too: it is again the newest prescription not in a cart
    const again = await redeem(product.id);
    expect(again.status, again.text).toBe(200);
    const cart = (await openCart())!;
    expect(cart.items.find((i) => i.id_menu === product.id)).toMatchObject({ qty: 2 });
    expect(await t.app.db.menuReedem.findMany({ where: { id_thread_messages: rx } })).toMatchObject([{ id_orders: cart.id, id_order_items: cart.items.find((i) => i.id_menu === product.id)!.id }]);
    expect(await isRedeemed(rx)).toBe(1);
    // and it is exclusive again while the line is there
    expect((await redeem(product.id, rx)).status).toBe(409);
    await t.http.delete(`/orders/${cart.id}/delete`).set(t.auth(f.customer)).expect(200);
  });

  it('is redeemed by exactly one of concurrent requests', async () => {
    const product = await createMenu(t, { nama_menus: 'Clindamycin gel' });
    const rx = await prescribe(product.id, 3);
    await redeem(product.id, rx).expect(200);
    const line = (await openCart())!.items.find((i) => i.id_menu === product.id)!;
    await t.http.delete(`/order_items/${line.id}/delete`).set(t.auth(f.customer)).expect(200);
    const results = await Promise.all(Array.from({ length: 6 }, () => redeem(product.id, rx)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    const cart = (await openCart())!;
    expect(cart.items.filter((i) => i.id_menu === product.id)).toMatchObject([{ qty: 3 }]);
    expect(await t.app.db.menuReedem.count({ where: { id_thread_messages: rx } })).toBe(1);
    await t.http.delete(`/orders/${cart.id}/delete`).set(t.auth(f.customer)).expect(200);
  });
});

describe('a prescription whose checkout was cancelled unpaid', () => {
  it('can be redeemed again after the expiry job cancelled the checkout', async () => {
    const product = await createMenu(t, { nama_menus: 'Tretinoin 0.025%' });
    const rx = await prescribe(product.id);
    await redeem(product.id, rx).expect(200);
    const first = await checkoutCart();
    expect((await redeem(product.id, rx)).status).toBe(409); // awaiting payment: still its sale
    await t.app.db.order.update({ where: { id: first.id }, data: { expires_at: new Date(Date.now() - 1000) } });
    await expireUnpaidCheckouts(t.app);
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id: first.id } })).toMatchObject({ status: 'CANCEL', cancel_reason: 'payment expired' });
    expect(await isRedeemed(rx)).toBe(0);
    const again = await redeem(product.id, rx);
    expect(again.status, again.text).toBe(200);
    const cart = (await openCart())!;
    expect(cart.id).not.toBe(first.id);
    expect(cart.items).toMatchObject([{ id_menu: product.id, qty: 1 }]);
    await t.http.delete(`/orders/${cart.id}/delete`).set(t.auth(f.customer)).expect(200);
  });

  it('can be redeemed again after staff cancelled the unpaid checkout', async () => {
    const product = await createMenu(t, { nama_menus: 'Adapalene 0.1%' });
    const rx = await prescribe(product.id);
    await redeem(product.id, rx).expect(200);
    const first = await checkoutCart();
    await put(`/orders/${first.id}/cancel`, admin, { cancel_reason: 'customer asked' }).expect(200);
    expect((await redeem(product.id)).status).toBe(200);
    const cart = (await openCart())!;
    await t.http.delete(`/orders/${cart.id}/delete`).set(t.auth(f.customer)).expect(200);
  });
});

describe('a prescription in a paid order', () => {
  it('stays exclusive (409), also once the paid order is cancelled', async () => {
    const product = await createMenu(t, { nama_menus: 'Isotretinoin 10mg' });
    const rx = await prescribe(product.id);
    await redeem(product.id, rx).expect(200);
    const first = await checkoutCart();
    expect((await t.http.post(`/payments/simulator/${first.token}/pay`)).body).toMatchObject({ result: 'paid' });
    expect((await redeem(product.id, rx)).status).toBe(409);
    await put(`/orders/${first.id}/cancel`, admin, { cancel_reason: 'out of stock' }).expect(200);
    expect((await redeem(product.id, rx)).status).toBe(409);
    expect((await redeem(product.id)).status).toBe(404);
    expect(await isRedeemed(rx)).toBe(1);
  });
});

describe('a cancelled unpaid order restored (uncancel) after its prescription went into another cart', () => {
  it('is refused at checkout for that line (422): the prescription backs the other order', async () => {
    const product = await createMenu(t, { nama_menus: 'Metronidazole cream' });
    const rx = await prescribe(product.id, 2);
    await redeem(product.id, rx).expect(200);
    const first = await checkoutCart();
    await put(`/orders/${first.id}/cancel`, admin).expect(200);
    await redeem(product.id, rx).expect(200);
    const second = await checkoutCart();
    // the first order back as the cart (the second is checked out: no other cart is open)
    await put(`/orders/${first.id}/uncancel`, admin).expect(200);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id: first.id } })).status).toBe('SHOPPING CARTS');
    const refused = await put(`/orders/${first.id}/checkout`, f.customer, { alamat_kirim: 'Jalan Dago 10, Bandung' });
    expect(refused.status, refused.text).toBe(422);
    expect(refused.body.message).toMatch(/needs a prescription: 0 of the 2/);
    // the prescription is the second order's, which is still awaiting payment
    expect((await redeem(product.id, rx)).status).toBe(409);
    expect(await t.app.db.menuReedem.findUniqueOrThrow({ where: { id_thread_messages: rx } })).toMatchObject({ id_orders: second.id });
  });
});

// A cart checked out before is closed by its delete (kept as a cancelled order, for its payment
// attempts) instead of deleted: its prescriptions are released as a deleted cart's were.
describe('a prescription in a cart deleted after a checkout (kept, closed)', () => {
  it('can be redeemed again, into a new cart', async () => {
    // the cart the test before left open (its restored order) goes first
    const left = await openCart();
    if (left) await t.http.delete(`/orders/${left.id}/delete`).set(t.auth(f.customer)).expect(200);
    const product = await createMenu(t, { nama_menus: 'Azelaic acid 20%' });
    const rx = await prescribe(product.id);
    await redeem(product.id, rx).expect(200);
    const first = await checkoutCart();
    await put(`/orders/${first.id}/uncheckout`, f.customer).expect(200);
    await t.http.delete(`/orders/${first.id}/delete`).set(t.auth(f.customer)).expect(200);
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id: first.id } })).toMatchObject({ status: 'CANCEL', cart_open: null });
    expect(await isRedeemed(rx)).toBe(0);
    const again = await redeem(product.id, rx);
    expect(again.status, again.text).toBe(200);
    const cart = (await openCart())!;
    expect(cart.id).not.toBe(first.id);
    expect(cart.items).toMatchObject([{ id_menu: product.id, qty: 1 }]);
    expect(await t.app.db.menuReedem.findUniqueOrThrow({ where: { id_thread_messages: rx } })).toMatchObject({ id_orders: cart.id });
    await t.http.delete(`/orders/${cart.id}/delete`).set(t.auth(f.customer)).expect(200);
  });
});
