import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireUnpaidCheckouts } from '../../src/modules/commerce/payments.service.js';
import { cartWithAddress, chooseJne, fillCart, newCustomer, staffShip, staffSignsIn, staffStockTheShop, stockIn } from './shop.js';
import { startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

describe('journey: staff move the shop to a second store while customers buy', () => {
  it('a new store, stock moved, the warehouse switched under carts and unpaid orders, a product deleted after it sold: each order takes and gives back stock where it took it, and orders, invoices and reports stay right', async () => {
    const admin = (await staffSignsIn(w)).bearer;
    const shop = await staffStockTheShop(w, admin, { stock: 10 });
    const storeRow = async (storeId: number) =>
      ((await w.call('post', '/brandstore_menus/search', admin, { idbrandstore: storeId })).body.brandstoremenus as { id: number; idmenu: number }[]).find((r) => Number(r.idmenu) === shop.menuId)!.id;
    const dagoRow = await storeRow(shop.storeId);
    const status = async (bearer: string, orderId: number) => (await w.call('get', `/orders/${orderId}`, bearer)).body.orders;

    // Ani checks out three tubes and is about to pay; Cici checks out one and will never pay; Budi has two in his cart
    const ani = await newCustomer(w, 'ani', 'ani-handphone');
    const aniOrder = await fillCart(w, ani.bearer, ani.patientId, shop.menuId, 3);
    const aniCheckout = (await w.call('put', `/orders/${aniOrder.orderId}/checkout`, ani.bearer, {})).body;
    const cici = await newCustomer(w, 'cici', 'cici-handphone');
    const ciciOrder = await fillCart(w, cici.bearer, cici.patientId, shop.menuId, 1);
    await w.call('put', `/orders/${ciciOrder.orderId}/checkout`, cici.bearer, {});
    const budi = await newCustomer(w, 'budi', 'budi-handphone');
    const budiCart = await cartWithAddress(w, budi.bearer, budi.patientId, shop.menuId, 2);
    expect(await stockIn(w, admin, shop.storeId, shop.menuId)).toBe(6);

    // staff open a second store, list the product there and move four tubes over; the second store becomes the warehouse
    const buahBatu = (await w.call('post', '/brandstore/create', admin, { nama: 'Colederma Buah Batu', alamat: 'Jl. Buah Batu 2', notelp: '0227654321', opentime: '09:00', closetime: '20:00', city: 'Bandung', lat: 0, lng: 0, is_show: 1, groupname: 'CLD' })).body.brandstore;
    const copy = (await w.call('post', `/brandstore_menus/${dagoRow}/duplicates`, admin, { idbrandstore: buahBatu.id })).body.menus;
    expect(await stockIn(w, admin, buahBatu.id, shop.menuId)).toBe(0);
    // more than Dago holds cannot leave it
    await w.call('put', `/brandstore_menus/${dagoRow}/stocks`, admin, { delta: -7, note: 'pindah ke Buah Batu' }, 409);
    await w.call('put', `/brandstore_menus/${dagoRow}/stocks`, admin, { delta: -4, note: 'pindah ke Buah Batu' });
    await w.call('put', `/brandstore_menus/${copy.id}/stocks`, admin, { delta: 4, note: 'dari Dago' });
    await w.call('put', '/deliveries/settings/update', admin, { id_brandstore_gudang: buahBatu.id });
    expect((await w.call('get', '/deliveries/settings', admin)).body).toMatchObject({ id_brandstore_gudang: buahBatu.id });
    expect([await stockIn(w, admin, shop.storeId, shop.menuId), await stockIn(w, admin, buahBatu.id, shop.menuId)]).toEqual([2, 4]);

    // the old warehouse cannot lose the product its orders took stock from; the new warehouse cannot be closed
    await w.call('delete', `/brandstore_menus/${dagoRow}/delete`, admin, undefined, 409);
    await w.call('delete', `/brandstore/${buahBatu.id}/delete`, admin, undefined, 409);

    // Ani pays: her three tubes were taken from Dago at checkout, nothing moves now
    await w.midtransSettles(aniCheckout.token);
    expect((await status(ani.bearer, aniOrder.orderId)).status).toBe('PAID');
    expect([await stockIn(w, admin, shop.storeId, shop.menuId), await stockIn(w, admin, buahBatu.id, shop.menuId)]).toEqual([2, 4]);
    await staffShip(w, admin, aniCheckout.orders.order_code, 'JNE-AN1');

    // Cici's payment window passes: her tube goes back to Dago, where it came from, not to the new warehouse
    w.clockMovesOn(61 * 60_000);
    expect(await expireUnpaidCheckouts(w.t.app)).toBe(1);
    expect((await status(cici.bearer, ciciOrder.orderId)).status).toBe('CANCEL');
    expect([await stockIn(w, admin, shop.storeId, shop.menuId), await stockIn(w, admin, buahBatu.id, shop.menuId)]).toEqual([3, 4]);

    // Budi's cart, filled before the switch, checks out from the new warehouse; going back to the cart and out again holds it once
    await chooseJne(w, budi.bearer, budiCart);
    await w.call('put', `/orders/${budiCart}/checkout`, budi.bearer, {});
    expect(await stockIn(w, admin, buahBatu.id, shop.menuId)).toBe(2);
    await w.call('put', `/orders/${budiCart}/uncheckout`, budi.bearer, {});
    expect(await stockIn(w, admin, buahBatu.id, shop.menuId)).toBe(4);
    const budiCheckout = (await w.call('put', `/orders/${budiCart}/checkout`, budi.bearer, {})).body;
    await w.midtransSettles(budiCheckout.token);
    expect([await stockIn(w, admin, shop.storeId, shop.menuId), await stockIn(w, admin, buahBatu.id, shop.menuId)]).toEqual([3, 2]);
    // a cart asking for more than the new warehouse holds is refused at checkout, though Dago still has three
    const dewi = await newCustomer(w, 'dewi', 'dewi-handphone');
    const dewiOrder = await fillCart(w, dewi.bearer, dewi.patientId, shop.menuId, 3);
    const short = (await w.call('put', `/orders/${dewiOrder.orderId}/checkout`, dewi.bearer, {}, 409)).body;
    expect(short.message).toContain('Sunscreen SPF 50');
    expect((await status(dewi.bearer, dewiOrder.orderId)).status).toBe('SHOPPING CARTS');

    // Dago closes (no longer the warehouse): its products leave the app; the orders it served still read in full
    await w.call('delete', `/brandstore/${shop.storeId}/delete`, admin);
    const stores = (await w.call('post', '/brandstore/search', ani.bearer, {})).body.brandstore as { id: number }[];
    expect(stores.map((s) => s.id)).toEqual([buahBatu.id]);
    const aniNow = await status(ani.bearer, aniOrder.orderId);
    expect(aniNow).toMatchObject({ status: 'DELIVERED', nomor_resi: 'JNE-AN1' });
    expect(aniNow.order_items.map((i: { id_menu: number; qty: number }) => [Number(i.id_menu), i.qty])).toEqual([[shop.menuId, 3]]);

    // the product is withdrawn after it sold: the paid orders keep it, the reports still count it
    await w.call('delete', `/menus/${shop.menuId}/delete`, admin);
    const budiNow = await status(budi.bearer, budiCart);
    expect(budiNow.order_items).toHaveLength(1);
    expect(budiNow.order_items[0]).toMatchObject({ id_menu: shop.menuId, qty: 2 });
    const invoice = await w.t.http.get(`/orders/${budiCart}/invoices`).set('Authorization', `Bearer ${budi.bearer}`);
    expect(invoice.status).toBe(200);
    const products = async () => (await w.call('post', '/report/penjualan/products', admin, { draw: 1, start: 0, length: 50 })).body.data as unknown[][];
    expect(await products()).toEqual([['Sunscreen SPF 50', 5, 500_000]]);
    // nobody buys it any more: Dewi's cart cannot check out
    await w.call('put', `/orders/${dewiOrder.orderId}/checkout`, dewi.bearer, {}, 422);

    // staff cancel Budi's paid order before it ships: the report drops his two tubes (the withdrawn product's stock is
    // no longer shown to anyone, so the two tubes going back to Buah Batu cannot be read through the API)
    await w.call('put', `/orders/${budiCart}/cancel`, admin, { cancel_reason: 'Stok rusak' });
    expect((await status(budi.bearer, budiCart)).status).toBe('CANCEL');
    expect(await products()).toEqual([['Sunscreen SPF 50', 3, 300_000]]);
    await w.call('get', `/brandstore_menus/${copy.id}`, admin, undefined, 404);
  });
});
