import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinicDateTime, fillCart, newCustomer, snapOf, staffSignsIn, staffStockTheShop } from './shop.js';
import { startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

describe('journey: a promotion code with a quota of two, over time', () => {
  it('two customers take it, a third is refused until one cancels; an edit reaches the carts that applied it; after it expires nobody can use it', async () => {
    const admin = (await staffSignsIn(w)).bearer;
    const shop = await staffStockTheShop(w, admin, { stock: 50 });
    // staff publish a code: two uses in all, one per customer, running for two days
    const promo = (
      await w.call('post', '/promotions/create', admin, { type: 'POTONGAN', value: 20_000, quota: 2, start_datetime: clinicDateTime(-1), expired_datetime: clinicDateTime(2), display_codes: 'DUAORANG', title: 'Dua orang', max_uses_per_customer: 1 })
    ).body.promotions;
    expect(promo).toMatchObject({ quota_remaining: 2, max_uses_per_customer: 1 });
    const quotaLeft = async () => (await w.call('get', `/promotions/${promo.id}`, admin)).body.promotions.quota_remaining as number;
    const cartOf = async (bearer: string, id: number) => (await w.call('get', `/orders/${id}`, bearer)).body.orders;

    const [a, b, c, d] = [await newCustomer(w, 'pa', 'phone-of-pa'), await newCustomer(w, 'pb', 'phone-of-pb'), await newCustomer(w, 'pc', 'phone-of-pc'), await newCustomer(w, 'pd', 'phone-of-pd')];

    // A applies it and checks out: the first use is reserved
    const aCart = await fillCart(w, a.bearer, a.patientId, shop.menuId, 1);
    expect((await w.call('put', `/orders/${aCart.orderId}/apply/promotions`, a.bearer, { display_codes: 'duaorang' })).body).toMatchObject({ apply_promotions: true, value: 20_000 });
    const aCheckout = (await w.call('put', `/orders/${aCart.orderId}/checkout`, a.bearer, {})).body;
    expect(snapOf(w, aCheckout.token).gross).toBe(100_000 + aCart.shipping - 20_000);
    expect(await quotaLeft()).toBe(1);

    // B applies it; while it sits in B's cart staff raise the discount: B's cart follows at once
    const bCart = await fillCart(w, b.bearer, b.patientId, shop.menuId, 1);
    await w.call('put', `/orders/${bCart.orderId}/apply/promotions`, b.bearer, { display_codes: 'DUAORANG' });
    expect(Number((await cartOf(b.bearer, bCart.orderId)).total_discount)).toBe(20_000);
    await w.call('put', `/promotions/${promo.id}/update`, admin, { value: 30_000 });
    const bNow = await cartOf(b.bearer, bCart.orderId);
    expect(Number(bNow.total_discount)).toBe(30_000);
    expect(Number(bNow.grand_totals)).toBe(100_000 + bCart.shipping - 30_000);
    const bCheckout = (await w.call('put', `/orders/${bCart.orderId}/checkout`, b.bearer, {})).body;
    expect(snapOf(w, bCheckout.token).gross).toBe(100_000 + bCart.shipping - 30_000);
    expect(await quotaLeft()).toBe(0);
    // A's order, already checked out, stays as it was charged
    expect(Number((await cartOf(a.bearer, aCart.orderId)).total_discount)).toBe(20_000);

    // C is third: refused
    const cCart = await fillCart(w, c.bearer, c.patientId, shop.menuId, 1);
    await w.call('put', `/orders/${cCart.orderId}/apply/promotions`, c.bearer, { display_codes: 'DUAORANG' }, 422);

    // A's unpaid order is cancelled by staff: its use comes back
    await w.call('put', `/orders/${aCart.orderId}/cancel`, admin, { cancel_reason: 'customer changed their mind' });
    expect(await quotaLeft()).toBe(1);

    // B, who already has one, may not take the freed use (one per customer)
    const bAgain = await fillCart(w, b.bearer, b.patientId, shop.menuId, 1).catch(() => null);
    expect(bAgain, 'B opens a second cart for the same patient while the first is checked out').not.toBeNull();
    await w.call('put', `/orders/${bAgain!.orderId}/apply/promotions`, b.bearer, { display_codes: 'DUAORANG' }, 422);

    // C can now use it
    await w.call('put', `/orders/${cCart.orderId}/apply/promotions`, c.bearer, { display_codes: 'DUAORANG' });
    const cCheckout = (await w.call('put', `/orders/${cCart.orderId}/checkout`, c.bearer, {})).body;
    expect(snapOf(w, cCheckout.token).gross).toBe(100_000 + cCart.shipping - 30_000);
    expect(await quotaLeft()).toBe(0);

    // staff add uses; D applies it, then the code expires before D checks out
    await w.call('put', `/promotions/${promo.id}/update`, admin, { quota: 5 });
    // A, whose use was given back, may use it again
    const aAgain = await fillCart(w, a.bearer, a.patientId, shop.menuId, 1);
    await w.call('put', `/orders/${aAgain.orderId}/apply/promotions`, a.bearer, { display_codes: 'DUAORANG' });
    // a customer with two patients applies it to both carts: one checkout takes the customer's one use, the other is refused
    const h = await newCustomer(w, 'ph', 'phone-of-ph');
    const sibling = (await w.call('post', '/patients/create', h.bearer, { nama_lengkap_pasien: 'Adik ph', jenis_kelamin: 'L', tanggal_lahir: '01/02/2005', alamat_domisili: 'Bandung' })).body.patients;
    const h1 = await fillCart(w, h.bearer, h.patientId, shop.menuId, 1);
    const h2 = await fillCart(w, h.bearer, sibling.id, shop.menuId, 1);
    await w.call('put', `/orders/${h1.orderId}/apply/promotions`, h.bearer, { display_codes: 'DUAORANG' });
    await w.call('put', `/orders/${h2.orderId}/apply/promotions`, h.bearer, { display_codes: 'DUAORANG' });
    await w.call('put', `/orders/${h1.orderId}/checkout`, h.bearer, {});
    await w.call('put', `/orders/${h2.orderId}/checkout`, h.bearer, {}, 422);
    const dCart = await fillCart(w, d.bearer, d.patientId, shop.menuId, 1);
    await w.call('put', `/orders/${dCart.orderId}/apply/promotions`, d.bearer, { display_codes: 'DUAORANG' });
    w.clockMovesOn(3 * 86_400_000);
    await w.call('put', `/orders/${dCart.orderId}/checkout`, d.bearer, {}, 422);
    await w.call('put', `/orders/${dCart.orderId}/unapply/promotions`, d.bearer, {});
    await w.call('put', `/orders/${dCart.orderId}/apply/promotions`, d.bearer, { display_codes: 'DUAORANG' }, 422);
    // customers no longer see it; D checks out without it
    const seen = (await w.call('post', '/promotions/search', d.bearer, {})).body.promotions as { id: number }[];
    expect(seen.map((p) => Number(p.id))).not.toContain(Number(promo.id));
    const dCheckout = (await w.call('put', `/orders/${dCart.orderId}/checkout`, d.bearer, {})).body;
    expect(snapOf(w, dCheckout.token).gross).toBe(100_000 + dCart.shipping);
  });
});
