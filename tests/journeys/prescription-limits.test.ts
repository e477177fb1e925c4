import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireUnpaidCheckouts } from '../../src/modules/commerce/payments.service.js';
import { chooseJne, midtransNotifies, newCustomer, staffSignsIn, staffStockTheShop, stockIn } from './shop.js';
import { clinicDateTime, newPerson, register, startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

const address = { lat_kirim: -6.89, lng_kirim: 107.61, kode_provinsi: 9, kode_kota: 23, kode_kecamatan: 330, alamat_kirim: 'Jl. Tubagus Ismail 5' };

describe('journey: a prescription-only cream, bought as far as the prescription goes', () => {
  it('no prescription, no cream; a prescription of two buys two, once, whatever the carts, the lapsed checkouts, the closed consultation or the refund; then it expires', async () => {
    const admin = (await staffSignsIn(w)).bearer;
    const shop = await staffStockTheShop(w, admin, { stock: 10 });
    const cream = (await w.call('post', '/menus/create', admin, { nama_menus: 'Tretinoin 0.05% Cream', brief: 'Krim', harga: 80_000, pajak: 0, is_resep_required: 1, satuan: 'Tube', berat: '100' })).body.menus;
    const creamId = Number(cream.id);
    await w.call('post', '/brandstore_menus/create', admin, { idmenu: creamId, idbrandstore: shop.storeId, quantitytotal: 10 });
    const drPerson = newPerson('drresep');
    const drUser = await register(w, drPerson, { roles: ['DOCTOR'], positions: 'Dokter' }, admin);
    const drProfile = (await w.call('post', '/doctors/create', admin, { id_users: Number(drUser.id), custom_price: 125_000, doctor_description: 'Sp.KK', is_active: 1 })).body.doctors;
    const doctor = (await w.signIn(drPerson.username, drPerson.password)).bearer;

    // Sari manages herself and her daughter; without a prescription neither cart takes the cream
    const sari = await newCustomer(w, 'sari', 'sari-handphone');
    const daughter = (await w.call('post', '/patients/create', sari.bearer, { nama_lengkap_pasien: 'Putri Sari', jenis_kelamin: 'P', tanggal_lahir: '01/02/2012' })).body.patients;
    const cart = (await w.call('post', '/orders/init', sari.bearer, { id_patients: sari.patientId, order_type: 'E' })).body.orders;
    await w.call('post', '/orders/e_add_to_carts', sari.bearer, { id_order: cart.id, items: [{ id_menu: creamId, qty: 1 }] }, 422);

    // she pays a consultation for herself; the doctor prescribes two tubes
    const consult = (await w.call('post', '/orders/init', sari.bearer, { id_patients: sari.patientId, order_type: 'C' })).body.orders;
    await w.call('post', '/orders/c_add_to_carts', sari.bearer, { id_order: consult.id, items: [{ id_doctors: drProfile.id, qty: 1 }] });
    await w.midtransSettles((await w.call('put', `/orders/${consult.id}/checkout`, sari.bearer, {})).body.token);
    const thread = ((await w.call('post', '/threads/search', sari.bearer, {})).body.threads as { id: number; id_order: number }[]).find((th) => Number(th.id_order) === consult.id)!;
    const rx = (await w.call('post', '/thread_messages/prescriptions', doctor, { id_threads: thread.id, content_type: 'prescriptions', id_menu: creamId, qty: 2 })).body.thread_messages;
    const rxState = async (bearer: string) =>
      ((await w.call('post', '/thread_messages/explore?page=1&length=20', bearer, { id_threads: thread.id })).body.data as { id: number; is_redeemed: number }[]).find((m) => m.id === rx.id)!.is_redeemed;
    expect(await rxState(doctor)).toBe(0);

    // the prescription goes into her own cart at two tubes; not into her daughter's cart, not a third tube, not twice
    await w.call('post', '/menu_reedems/add_to_carts', sari.bearer, { id_threads: thread.id, id_menu: creamId });
    const lines = async (orderId: number) => ((await w.call('get', `/orders/${orderId}`, sari.bearer)).body.orders.order_items as { id_menu: number; qty: number }[]).map((i) => [Number(i.id_menu), i.qty]);
    expect(await lines(cart.id)).toEqual([[creamId, 2]]);
    expect(await rxState(sari.bearer)).toBe(1);
    await w.call('post', '/orders/e_add_to_carts', sari.bearer, { id_order: cart.id, items: [{ id_menu: creamId, qty: 3 }] }, 422);
    await w.call('post', '/menu_reedems/add_to_carts', sari.bearer, { id_threads: thread.id, id_menu: creamId }, 404);
    await w.call('post', '/menu_reedems/add_to_carts', sari.bearer, { id_threads: thread.id, id_menu: creamId, id_thread_messages: rx.id }, 409);
    const daughterCart = (await w.call('post', '/orders/init', sari.bearer, { id_patients: daughter.id, order_type: 'E' })).body.orders;
    await w.call('post', '/orders/e_add_to_carts', sari.bearer, { id_order: daughterCart.id, items: [{ id_menu: creamId, qty: 1 }] }, 422);

    // she checks out and lets the payment lapse: the tubes go back on the shelf and the prescription is hers again
    await w.call('put', `/orders/${cart.id}/update/address`, sari.bearer, address);
    await chooseJne(w, sari.bearer, cart.id);
    await w.call('put', `/orders/${cart.id}/checkout`, sari.bearer, {});
    expect(await stockIn(w, admin, shop.storeId, creamId)).toBe(8);
    await w.call('post', '/menu_reedems/add_to_carts', sari.bearer, { id_threads: thread.id, id_menu: creamId, id_thread_messages: rx.id }, 409);
    w.clockMovesOn(61 * 60_000);
    expect(await expireUnpaidCheckouts(w.t.app)).toBe(1);
    expect(await stockIn(w, admin, shop.storeId, creamId)).toBe(10);
    expect(await rxState(sari.bearer)).toBe(0);
    // free again, it still goes only into the cart of the patient it was written for
    await w.call('post', '/menu_reedems/add_to_carts', sari.bearer, { id_threads: thread.id, id_menu: creamId, id_orders: daughterCart.id }, 422);

    // meanwhile the consultation's window closed: the thread takes no messages, the prescription stays valid until its day
    w.clockMovesOn(24 * 3_600_000);
    await w.call('post', '/thread_messages/text', sari.bearer, { id_threads: thread.id, content: 'Dok, boleh tambah satu?' }, 409);
    await w.call('post', '/thread_messages/prescriptions', doctor, { id_threads: thread.id, content_type: 'prescriptions', id_menu: creamId, qty: 5 }, 409);
    const second = (await w.call('post', '/orders/init', sari.bearer, { id_patients: sari.patientId, order_type: 'E' })).body.orders;
    await w.call('post', '/menu_reedems/add_to_carts', sari.bearer, { id_threads: thread.id, id_menu: creamId, id_orders: second.id });
    expect(await lines(second.id)).toEqual([[creamId, 2]]);
    await w.call('put', `/orders/${second.id}/update/address`, sari.bearer, address);
    await chooseJne(w, sari.bearer, second.id);
    const paid = (await w.call('put', `/orders/${second.id}/checkout`, sari.bearer, {})).body;
    await w.midtransSettles(paid.token);
    expect((await w.call('get', `/orders/${second.id}`, sari.bearer)).body.orders.status).toBe('PAID');
    expect(await stockIn(w, admin, shop.storeId, creamId)).toBe(8);

    // the lapsed order brought back to the cart by staff cannot sell the same prescription a second time
    await w.call('put', `/orders/${cart.id}/uncancel`, admin, {});
    expect(await lines(cart.id)).toEqual([[creamId, 2]]);
    const again = (await w.call('put', `/orders/${cart.id}/checkout`, sari.bearer, {}, 422)).body;
    expect(again.message).toContain('Tretinoin');
    await w.call('post', '/menu_reedems/add_to_carts', sari.bearer, { id_threads: thread.id, id_menu: creamId }, 404);

    // the paid order is refunded before it ships: the order is cancelled, the tubes are back, and the prescription stays used
    expect((await midtransNotifies(w, paid.token, 'refund')).status).toBeDefined();
    expect((await w.call('get', `/orders/${second.id}`, sari.bearer)).body.orders.status).toBe('CANCEL');
    expect(await stockIn(w, admin, shop.storeId, creamId)).toBe(10);
    expect(await rxState(doctor)).toBe(1);
    await w.call('post', '/menu_reedems/add_to_carts', sari.bearer, { id_threads: thread.id, id_menu: creamId }, 404);

    // staff see one paid-and-refunded order of the cream and the lapsed one; the doctor sees the prescription as used
    const orders = (await w.call('post', '/orders/explore?page=1&length=50', admin, { order_type: 'E' })).body.data as { id: number; status: string }[];
    expect(orders.filter((o) => o.id === cart.id || o.id === second.id).map((o) => [o.id, o.status]).sort()).toEqual(
      [
        [cart.id, 'SHOPPING CARTS'],
        [second.id, 'CANCEL'],
      ].sort(),
    );

    // she asks again; a doctor prescribes one tube valid for two days; once they pass it cannot be bought
    await w.call('post', '/menus/prescriptions/requests', sari.bearer, { id_menu: creamId });
    const request = (await w.call('post', '/threads/overview', sari.bearer, {})).body.active.prescriptions[0];
    const brief = (await w.call('post', '/thread_messages/prescriptions', doctor, { id_threads: request.id, id_menu: creamId, qty: 1, valid_until: clinicDateTime(3) })).body.thread_messages;
    w.clockMovesOn(3 * 86_400_000);
    const expired = (await w.call('post', '/menu_reedems/add_to_carts', sari.bearer, { id_threads: request.id, id_menu: creamId, id_thread_messages: brief.id, id_orders: cart.id }, 422)).body;
    expect(expired.message).toContain('expired');
    expect(await lines(cart.id)).toEqual([[creamId, 2]]);
  });
});
