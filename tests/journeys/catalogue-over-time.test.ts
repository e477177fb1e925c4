import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_1PX } from '../helpers/app.js';
import { cartWithAddress, chooseJne, clinicDateTime, newCustomer, snapOf, staffSignsIn } from './shop.js';
import { startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
type Row = Record<string, any>;

describe('journey: the catalogue changes under the customers', () => {
  it('pictures, a promotion price window, a price change and a deletion of a product in carts, a deleted category and a hidden store', async () => {
    const admin = (await staffSignsIn(w)).bearer;
    // staff set up a category, a product in it with a promotion price from tomorrow for two days, and the warehouse store
    const category = (await w.call('post', '/menu_categories/create', admin, { menu_categories: 'Tabir Surya', codes: 'TS', color: '#FFAA00' })).body.menu_categories;
    const menu = (
      await w.call('post', '/menus/create', admin, {
        nama_menus: 'Sunblock Aqua',
        brief: 'Tabir surya ringan',
        harga: 100_000,
        pajak: 0,
        is_resep_required: 0,
        id_menu_categories_1: category.id,
        harga_promosi: 80_000,
        mulai_harga_promosi: clinicDateTime(1),
        selesai_harga_promosi: clinicDateTime(3),
        satuan: 'Tube',
        berat: '200',
      })
    ).body.menus;
    const other = (await w.call('post', '/menus/create', admin, { nama_menus: 'Toner Calm', brief: 'Toner', harga: 50_000, pajak: 0, is_resep_required: 0, id_menu_categories_1: category.id, satuan: 'Botol', berat: '200' })).body.menus;
    const store = (await w.call('post', '/brandstore/create', admin, { nama: 'Colederma Riau', alamat: 'Jl. Riau 2', notelp: '0227654321', opentime: '09:00', closetime: '21:00', city: 'Bandung', lat: -6.9, lng: 107.62, is_show: 1, groupname: 'CLD' })).body.brandstore;
    for (const m of [menu, other]) await w.call('post', '/brandstore_menus/create', admin, { idmenu: m.id, idbrandstore: store.id, quantitytotal: 20 });
    await w.call('put', '/deliveries/settings/update', admin, { id_brandstore_gudang: store.id });

    // pictures: three uploaded (the first becomes primary), the third made primary, the other two reordered, then the primary deleted
    const upload = async (order: number) =>
      (await w.t.http.post('/menu_images/create').set('Authorization', `Bearer ${admin}`).field('id_menus', String(menu.id)).field('nomor_urut_tampil', String(order)).attach('picture', PNG_1PX, 'p.png').expect(200)).body.menu_images;
    const [p1, p2, p3] = [await upload(0), await upload(1), await upload(2)];
    expect([p1.is_primary, p2.is_primary, p3.is_primary]).toEqual([1, 0, 0]);
    await w.t.http.put(`/menu_images/${p3.id}/update`).set('Authorization', `Bearer ${admin}`).field('is_primary', '1').expect(200);
    await w.t.http.put(`/menu_images/${p1.id}/update`).set('Authorization', `Bearer ${admin}`).field('nomor_urut_tampil', '5').expect(200);

    const c = await newCustomer(w, 'cat', 'phone-of-cat');
    const product = async (bearer: string) => (await w.call('get', `/menus/${menu.id}`, bearer)).body.menus as Row;
    const pictures = async (bearer: string) => ((await w.call('post', '/menu_images/search', bearer, { id_menus: menu.id })).body.menu_images as Row[]).map((p) => Number(p.id));
    expect((await product(c.bearer)).images).toBe(p3.img_path);
    expect(await pictures(c.bearer)).toEqual([p3.id, p2.id, p1.id]);
    await w.call('delete', `/menu_images/${p3.id}/delete`, admin);
    expect(await pictures(c.bearer)).toEqual([p2.id, p1.id]);
    expect((await product(c.bearer)).images).toBe(p2.img_path);

    // before the window: the list price; the customer puts one in a cart at that price
    expect(await product(c.bearer)).toMatchObject({ harga: 100_000, harga_aktif: 100_000, is_promo_aktif: 0 });
    const early = await cartWithAddress(w, c.bearer, c.patientId, menu.id, 1);
    const lineOf = async (bearer: string, orderId: number) => ((await w.call('get', `/orders/${orderId}`, bearer)).body.orders.order_items as Row[]).find((i) => Number(i.id_menu) === Number(menu.id))!;
    const storeRow = async (bearer: string, menuId = menu.id) =>
      ((await w.call('post', '/brandstore_menus/search', bearer, { idbrandstore: store.id })).body.brandstoremenus as Row[]).find((r) => Number(r.idmenu) === Number(menuId));
    expect((await lineOf(c.bearer, early)).price).toBe(100_000);
    const checkoutGross = async (bearer: string, orderId: number) => {
      const token = (await w.call('put', `/orders/${orderId}/checkout`, bearer, {})).body.token as string;
      return { token, gross: snapOf(w, token).gross };
    };

    // the next day the promotion runs: the product and its store row show the promotion price
    w.clockMovesOn(DAY + HOUR);
    expect(await product(c.bearer)).toMatchObject({ harga: 100_000, harga_aktif: 80_000, is_promo_aktif: 1, display_harga: 'IDR 80.000' });
    expect(await storeRow(c.bearer)).toMatchObject({ harga_promosi: 80_000, display_harga_promosi: 'IDR 80.000' });
    // the cart filled before shows today's price, which its checkout charges
    expect((await lineOf(c.bearer, early)).price).toBe(80_000);
    const earlyShipping = await chooseJne(w, c.bearer, early);
    const paid = await checkoutGross(c.bearer, early);
    expect(paid.gross).toBe(80_000 + earlyShipping);
    await w.midtransSettles(paid.token);
    expect((await lineOf(c.bearer, early)).price).toBe(80_000);

    // a second customer adds it during the promotion, and checks out only after it ended: charged the list price again
    const d = await newCustomer(w, 'catd', 'phone-of-catd');
    const during = await cartWithAddress(w, d.bearer, d.patientId, menu.id, 1);
    expect((await lineOf(d.bearer, during)).price).toBe(80_000);
    w.clockMovesOn(2 * DAY);
    expect(await product(d.bearer)).toMatchObject({ harga_aktif: 100_000, is_promo_aktif: 0 });
    expect(await storeRow(d.bearer)).toMatchObject({ harga_promosi: null, display_harga_promosi: 'IDR 0' });
    expect((await lineOf(d.bearer, during)).price).toBe(100_000);
    const duringShipping = await chooseJne(w, d.bearer, during);
    expect((await checkoutGross(d.bearer, during)).gross).toBe(100_000 + duringShipping);

    // staff raise the price while it sits in a third customer's cart: the checkout charges the new price
    const e = await newCustomer(w, 'cate', 'phone-of-cate');
    const before = await cartWithAddress(w, e.bearer, e.patientId, menu.id, 1);
    await w.call('put', `/menus/${menu.id}/update`, admin, { harga: 120_000 });
    expect(await product(e.bearer)).toMatchObject({ harga: 120_000, harga_aktif: 120_000 });
    expect((await lineOf(e.bearer, before)).price).toBe(120_000);
    const beforeShipping = await chooseJne(w, e.bearer, before);
    expect((await checkoutGross(e.bearer, before)).gross).toBe(120_000 + beforeShipping);

    // staff delete the product while it sits in a fourth customer's cart
    const f = await newCustomer(w, 'catf', 'phone-of-catf');
    const doomed = await cartWithAddress(w, f.bearer, f.patientId, menu.id, 1);
    await chooseJne(w, f.bearer, doomed);
    await w.call('delete', `/menus/${menu.id}/delete`, admin);
    // gone from the catalogue and the store; the cart still shows the line, its checkout is refused until it is removed
    await w.call('get', `/menus/${menu.id}`, f.bearer, undefined, 404);
    expect(((await w.call('post', '/menus/explore?page=1&length=50', f.bearer, {})).body.data as Row[]).map((m) => Number(m.id))).not.toContain(Number(menu.id));
    expect(await storeRow(f.bearer)).toBeUndefined();
    expect(await pictures(f.bearer)).toEqual([]);
    expect(await lineOf(f.bearer, doomed)).toMatchObject({ nama_menus: 'Sunblock Aqua', qty: 1 });
    const refused = await w.call('put', `/orders/${doomed}/checkout`, f.bearer, {}, 422);
    expect(refused.body.message).toContain('no longer sold');
    await w.call('post', '/orders/e_add_to_carts', f.bearer, { id_order: doomed, items: [{ id_menu: menu.id, qty: '+' }] }, 404);
    await w.call('post', '/orders/e_add_to_carts', f.bearer, { id_order: doomed, items: [{ id_menu: menu.id, qty: 0 }] });
    expect((await w.call('get', `/orders/${doomed}`, f.bearer)).body.orders.order_items).toEqual([]);
    // the first customer's order history still shows what was bought, at the price paid
    expect(await lineOf(c.bearer, early)).toMatchObject({ nama_menus: 'Sunblock Aqua', price: 80_000 });

    // staff delete the category the other product is in: the product stays on sale without it
    await w.call('delete', `/menu_categories/${category.id}/delete`, admin);
    expect((await w.call('get', `/menus/${other.id}`, c.bearer)).body.menus).toMatchObject({ id_menu_categories_1: Number(category.id) });
    await w.call('get', `/menu_categories/${category.id}`, c.bearer, undefined, 404);
    expect((await w.call('post', '/brandstore_menus/search', c.bearer, { kategori: 'Tabir Surya' })).body.brandstoremenus).toEqual([]);
    expect(await storeRow(c.bearer, other.id)).toMatchObject({ kategori: '' });
    const g = await newCustomer(w, 'catg', 'phone-of-catg');
    const toner = (await w.call('post', '/orders/init', g.bearer, { id_patients: g.patientId, order_type: 'E' })).body.orders.id as number;
    await w.call('post', '/orders/e_add_to_carts', g.bearer, { id_order: toner, items: [{ id_menu: other.id, qty: 1 }] });

    expect((await w.call('get', '/brandstore/city', c.bearer)).body).toContainEqual({ city: 'Bandung' });
    // staff hide the store: customers no longer find it nor its products; staff still do
    await w.call('put', `/brandstore/${store.id}/update`, admin, { is_show: 0 });
    const storeIds = async (bearer: string) => ((await w.call('post', '/brandstore/search', bearer, {})).body.brandstore as Row[]).map((s) => Number(s.id));
    expect(await storeIds(c.bearer)).not.toContain(Number(store.id));
    expect(await storeIds(admin)).toContain(Number(store.id));
    expect((await w.call('get', '/brandstore/city', c.bearer)).body).not.toContainEqual(expect.objectContaining({ city: 'Bandung' }));
    expect(await storeRow(c.bearer, other.id)).toBeUndefined();
    expect(await storeRow(admin, other.id)).toMatchObject({ stocks: 20 });
    await w.call('get', `/brandstore/${store.id}`, c.bearer, undefined, 404);
    // a cart filled before still checks out: the hidden store is still the warehouse online orders ship from
    await w.call('put', `/orders/${toner}/update/address`, g.bearer, { lat_kirim: -6.89, lng_kirim: 107.61, kode_provinsi: 9, kode_kota: 23, kode_kecamatan: 330, alamat_kirim: 'Jl. Sulanjana 3' });
    const tonerShipping = await chooseJne(w, g.bearer, toner);
    expect((await checkoutGross(g.bearer, toner)).gross).toBe(50_000 + tonerShipping);
    expect(await storeRow(admin, other.id)).toMatchObject({ stocks: 19 });
  });
});
