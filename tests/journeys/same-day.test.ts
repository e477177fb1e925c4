import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartWithAddress, chooseJne, newCustomer, snapOf, staffShip, staffSignsIn, staffStockTheShop } from './shop.js';
import { startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

// the warehouse in Dago, a customer about 2.6 km north of it, another in Cimahi (about 13 km west)
const WAREHOUSE = { lat: -6.8853, lng: 107.6135 };
const NEAR = { lat: -6.8618, lng: 107.6140 };
const FAR = { lat: -6.8722, lng: 107.4950 };

describe('journey: same-day delivery', () => {
  it('staff define the segments; a customer near the warehouse chooses same-day, a RajaOngkir courier, same-day again, and pays what the last choice costs', async () => {
    const admin = (await staffSignsIn(w)).bearer;
    const shop = await staffStockTheShop(w, admin, WAREHOUSE);

    // staff place the warehouse on the map and price the kilometres: 6,800 up to 5 km, 8,000 up to 10
    const settings = (await w.call('put', '/deliveries/settings/update', admin, { coordinate_gudang: WAREHOUSE })).body;
    expect(settings.coordinate_gudang).toMatchObject(WAREHOUSE);
    await w.call('post', '/deliveries/create', admin, { distance_fr: 0, distance_to: 5, segment: 'Range dari 0 s.d 5 KM', price_in_km: 6_800 });
    await w.call('post', '/deliveries/create', admin, { distance_fr: 5, distance_to: 10, segment: 'Range dari 5 s.d 10 KM', price_in_km: 8_000 });
    const segments = (await w.call('post', '/deliveries/search', admin, {})).body.deliveries as unknown[];
    expect(segments).toHaveLength(2);

    // a customer near the warehouse fills a cart and asks for same-day delivery
    const c = await newCustomer(w, 'sameday', 'sameday-phone');
    expect((await w.call('post', '/deliveries/search', c.bearer, {})).body.deliveries).toHaveLength(2);
    const orderId = await cartWithAddress(w, c.bearer, c.patientId, shop.menuId, 2, NEAR);
    const sameday = (await w.call('put', `/orders/${orderId}/process/sameday/courier`, c.bearer, { lat_kirim: NEAR.lat, lng_kirim: NEAR.lng, courier: 'sameday' })).body;
    expect(sameday).toMatchObject({ process_sameday_courier: true, distance_unit: 'km' });
    expect(sameday.distance).toBeGreaterThan(2);
    expect(sameday.distance).toBeLessThan(3);
    expect(sameday.costs).toBe(Math.ceil(sameday.distance) * 6_800);
    const order = async () => (await w.call('get', `/orders/${orderId}`, c.bearer)).body.orders;
    expect(await order()).toMatchObject({ courier: 'sameday', is_courier: 1, courier_price: sameday.costs, distance: sameday.distance, grand_totals: 200_000 + sameday.costs });

    // changes their mind for JNE: the totals follow
    const jne = await chooseJne(w, c.bearer, orderId);
    expect(await order()).toMatchObject({ courier: 'jne', courier_price: jne, grand_totals: 200_000 + jne });

    // and back to same-day
    const again = (await w.call('put', `/orders/${orderId}/process/sameday/courier`, c.bearer, { lat_kirim: NEAR.lat, lng_kirim: NEAR.lng, courier: 'sameday' })).body;
    expect(again.costs).toBe(sameday.costs);
    expect(await order()).toMatchObject({ courier: 'sameday', courier_price: sameday.costs, grand_totals: 200_000 + sameday.costs });

    // moves the pin to the house next door: the courier's price was for the old position, so it is cleared and must be chosen again
    const NEXT_DOOR = { lat: NEAR.lat - 0.0004, lng: NEAR.lng };
    await w.call('put', `/orders/${orderId}/update/address`, c.bearer, { lat_kirim: NEXT_DOOR.lat, lng_kirim: NEXT_DOOR.lng, kode_provinsi: 9, kode_kota: 23, kode_kecamatan: 330, alamat_kirim: 'Jl. Tubagus Ismail 7' });
    expect(await order()).toMatchObject({ is_courier: 0, courier_price: 0, grand_totals: 200_000 });
    await w.call('put', `/orders/${orderId}/checkout`, c.bearer, {}, 422);
    expect((await w.call('put', `/orders/${orderId}/process/sameday/courier`, c.bearer, { lat_kirim: NEXT_DOOR.lat, lng_kirim: NEXT_DOOR.lng, courier: 'sameday' })).body.costs).toBe(sameday.costs);

    // checks out: Midtrans is asked for the same-day total; pays; staff send it on its way
    const checkout = (await w.call('put', `/orders/${orderId}/checkout`, c.bearer, {})).body;
    expect(snapOf(w, checkout.token).gross).toBe(200_000 + sameday.costs);
    await w.midtransSettles(checkout.token);
    expect(await order()).toMatchObject({ status: 'PAID', courier: 'sameday', grand_totals: 200_000 + sameday.costs });
    await staffShip(w, admin, checkout.orders.order_code, 'GOSEND-0001');
    expect((await order()).status).toBe('DELIVERED');

    // a customer beyond the last segment is told same-day does not reach them, and the cart keeps no courier
    const far = await newCustomer(w, 'faraway', 'faraway-phone');
    const farCart = await cartWithAddress(w, far.bearer, far.patientId, shop.menuId, 1, FAR);
    await w.call('put', `/orders/${farCart}/process/sameday/courier`, far.bearer, { lat_kirim: FAR.lat, lng_kirim: FAR.lng, courier: 'sameday' }, 422);
    expect((await w.call('get', `/orders/${farCart}`, far.bearer)).body.orders).toMatchObject({ is_courier: 0, courier_price: 0, grand_totals: 100_000 });
    await w.call('put', `/orders/${farCart}/checkout`, far.bearer, {}, 422);
  });
});
