import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfText } from '../helpers/pdf-text.js';
import { fillCart, midtransNotifies, newCustomer, notificationsAbout, pointsOf, staffShip, staffSignsIn, staffStockTheShop, stockIn } from './shop.js';
import { startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

const invoiceText = async (bearer: string, orderId: number) => {
  const res = await w.t.http
    .get(`/orders/${orderId}/invoices`)
    .set('Authorization', `Bearer ${bearer}`)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(res.status).toBe(200);
  return pdfText(res.body as Buffer);
};

describe('journey: Midtrans gives a customer money back', () => {
  it('a refund before shipping cancels the order (stock, promotion quota and points follow); a part refund after shipping keeps it, and the reports and the invoice show what was given back', async () => {
    const admin = (await staffSignsIn(w)).bearer;
    const shop = await staffStockTheShop(w, admin);
    const c = await newCustomer(w, 'refund', 'refund-phone');
    const stats = async () => (await w.call('post', '/report/penjualan/stats', admin, {})).body as { total_sales: number; amount_sales: number };
    const quotaLeft = async () => (await w.call('get', `/promotions/${shop.promoId}`, admin)).body.promotions.quota_remaining as number;

    // two orders, paid: two units, then one with the promotion code and 5,000 of the points the first earned
    const b = await fillCart(w, c.bearer, c.patientId, shop.menuId, 2);
    const bCheckout = (await w.call('put', `/orders/${b.orderId}/checkout`, c.bearer, {})).body;
    expect((await midtransNotifies(w, bCheckout.token, 'settlement')).result).toBe('paid');
    const bTotal = 200_000 + b.shipping;
    const a = await fillCart(w, c.bearer, c.patientId, shop.menuId, 1);
    await w.call('put', `/orders/${a.orderId}/apply/promotions`, c.bearer, { display_codes: shop.code });
    await w.call('put', `/orders/${a.orderId}/apply/points`, c.bearer, { poin_used: 5_000 });
    const aCheckout = (await w.call('put', `/orders/${a.orderId}/checkout`, c.bearer, {})).body;
    expect((await midtransNotifies(w, aCheckout.token, 'settlement')).result).toBe('paid');
    const aTotal = 100_000 + a.shipping - 25_000 - 5_000;
    expect(await stockIn(w, admin, shop.storeId, shop.menuId)).toBe(7);
    expect(await quotaLeft()).toBe(99);
    expect((await pointsOf(w, c.bearer)).balance).toBe(Math.floor(bTotal / 10) - 5_000 + Math.floor(aTotal / 10));
    expect(await stats()).toMatchObject({ total_sales: 2, amount_sales: aTotal + bTotal });

    // the second is refunded in full before staff ship it: cancelled, its unit back in stock, the promotion's use and
    // the points it spent given back, the points it earned taken back
    expect((await midtransNotifies(w, aCheckout.token, 'refund', { refund_amount: `${aTotal}.00` })).result).toBe('reversed');
    expect((await w.call('get', `/orders/${a.orderId}`, c.bearer)).body.orders).toMatchObject({ status: 'CANCEL' });
    expect(await stockIn(w, admin, shop.storeId, shop.menuId)).toBe(8);
    const afterA = await pointsOf(w, c.bearer);
    expect(afterA.balance).toBe(Math.floor(bTotal / 10));
    expect(afterA.rows.map((r) => r.usecase)).toEqual(expect.arrayContaining(['order-use', 'order-release', 'order-reverse']));
    expect(await quotaLeft()).toBe(100);
    expect(await stats()).toMatchObject({ total_sales: 1, amount_sales: bTotal });
    expect((await notificationsAbout(w, c.bearer, a.orderId)).map((n) => n.intentions)).toContain('order_cancelled');
    expect(await invoiceText(c.bearer, a.orderId)).toMatch(/Refunded: IDR [\d.,]+/);
    // the same notification again changes nothing
    expect((await midtransNotifies(w, aCheckout.token, 'refund', { refund_amount: `${aTotal}.00` })).result).toBe('duplicate');
    expect(await stockIn(w, admin, shop.storeId, shop.menuId)).toBe(8);

    // the first ships; one tube arrived broken and Midtrans gives 30,000 back: the order stays as it is
    await staffShip(w, admin, bCheckout.orders.order_code, 'JNE0009990001');
    expect((await midtransNotifies(w, bCheckout.token, 'partial_refund', { refund_amount: '30000.00' })).result).toBe('reversed_partial');
    expect((await w.call('get', `/orders/${b.orderId}`, c.bearer)).body.orders).toMatchObject({ status: 'DELIVERED', is_paid: 1 });
    expect(await stockIn(w, admin, shop.storeId, shop.menuId)).toBe(8);
    expect(await stats()).toMatchObject({ total_sales: 1, amount_sales: bTotal - 30_000 });
    expect((await pointsOf(w, c.bearer)).balance).toBe(Math.floor(bTotal / 10));
    expect(await invoiceText(c.bearer, b.orderId)).toMatch(/Refunded: IDR 30[.,]000/);

    // then the rest: the order has shipped and cannot be cancelled, staff are left to handle it; it is no sale any more
    expect((await midtransNotifies(w, bCheckout.token, 'refund', { refund_amount: `${bTotal}.00` })).result).toBe('reversed_manual');
    expect((await w.call('get', `/orders/${b.orderId}`, c.bearer)).body.orders).toMatchObject({ status: 'DELIVERED' });
    expect(await stats()).toMatchObject({ total_sales: 0, amount_sales: 0 });
    // staff learn of it from the audit log
    const logs = (await w.call('post', '/logs/explore?page=1&length=10', admin, { resource: 'orders', resource_id: String(b.orderId) })).body.data as any[];
    expect(logs.find((l) => l.action === 'payment_alert')).toMatchObject({ outcome: 'failure', details: { result: 'reversed_manual', transaction_status: 'refund', gross_amount: bTotal } });
    const invoice = await invoiceText(c.bearer, b.orderId);
    expect(invoice).not.toMatch(/Refunded: IDR 30[.,]000\b/);
    expect(invoice).toMatch(/Refunded: IDR [\d.,]+/);
    // what the order earned stays with the customer (docs/compat.md leaves a shipped order's reversal to staff):
    // staff find the untouched credit in the ledger and delete it
    expect((await pointsOf(w, c.bearer)).balance).toBe(Math.floor(bTotal / 10));
    const credits = (await w.call('post', '/user_points/explore?page=1&length=10', admin, { id_users: c.id, id_orders: b.orderId })).body.data as { id: number; usecase: string }[];
    const credit = credits.find((r) => r.usecase === 'webhook-midtrans')!;
    await w.call('delete', `/user_points/${credit.id}/delete`, admin);
    expect((await pointsOf(w, c.bearer)).balance).toBe(0);
  });
});
