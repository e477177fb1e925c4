import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseJne, newCustomer, notificationsAbout, staffSignsIn } from './shop.js';
import { newPerson, register, startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

/** Staff hire a doctor: users/create with the DOCTOR role; the doctor signs in on a phone. */
async function doctorJoins(admin: string, prefix: string, device: string) {
  const login = newPerson(prefix);
  const user = await register(w, login, { roles: ['DOCTOR'], positions: 'Dokter' }, admin);
  await w.call('post', '/doctors/create', admin, { id_users: Number(user.id), custom_price: 100_000, doctor_description: 'Sp.KK', is_active: 1 });
  const me = await w.signIn(login.username, login.password);
  await w.call('post', '/users/register_device_token', me.bearer, { device_token: device, already_login: false });
  return { ...me, name: `Journey ${login.username}` };
}

/** The states of the customer's prescription requests, as their data export shows them (oldest first). */
const requestStates = async (bearer: string) =>
  ((await w.call('get', '/users/data/export', bearer)).body.export.tables.PrescriptionRequest as { id: number; status: string }[]).sort((a, b) => a.id - b.id).map((r) => r.status);

const intentions = async (bearer: string) =>
  ((await w.call('post', '/notifications/explore?page=1&length=50', bearer, {})).body.data as { intentions: string }[]).map((n) => n.intentions);

describe('journey: a prescription request', () => {
  it('a customer asks for a prescription-only product, a doctor takes the request and prescribes, the customer buys it, the thread is closed', async () => {
    const admin = (await staffSignsIn(w)).bearer;
    const drA = await doctorJoins(admin, 'dra', 'device-doctor-a');
    const drB = await doctorJoins(admin, 'drb', 'device-doctor-b');
    // staff put a prescription-only cream on sale in the warehouse
    const cream = (await w.call('post', '/menus/create', admin, { nama_menus: 'Hydroquinone 4% Cream', brief: 'Krim', harga: 90_000, pajak: 0, is_resep_required: 1, satuan: 'Tube', berat: '100' })).body.menus;
    const store = (await w.call('post', '/brandstore/create', admin, { nama: 'Colederma Gudang', alamat: 'Jl. Dago 1', notelp: '0221234567', opentime: '09:00', closetime: '20:00', city: 'Bandung', lat: 0, lng: 0, is_show: 1, groupname: 'CLD' })).body.brandstore;
    await w.call('post', '/brandstore_menus/create', admin, { idmenu: cream.id, idbrandstore: store.id, quantitytotal: 5 });
    await w.call('put', '/deliveries/settings/update', admin, { id_brandstore_gudang: store.id });

    // the customer cannot just buy it; they ask for a prescription, twice the same day
    const buyer = await newCustomer(w, 'resep', 'device-resep');
    const cart = (await w.call('post', '/orders/init', buyer.bearer, { id_patients: buyer.patientId, order_type: 'E' })).body.orders;
    await w.call('post', '/orders/e_add_to_carts', buyer.bearer, { id_order: cart.id, items: [{ id_menu: cream.id, qty: 1 }] }, 422);
    expect((await w.call('post', '/menus/prescriptions/requests', buyer.bearer, { id_menu: cream.id })).body).toEqual({ prescriptions_requests: true });
    expect((await w.call('post', '/menus/prescriptions/requests', buyer.bearer, { id_menu: cream.id })).body).toEqual({ prescriptions_requests: true });

    expect(await requestStates(buyer.bearer)).toEqual(['OPEN']);

    // one thread, its first message the request; every doctor and admin is told once
    const mine = (await w.call('post', '/threads/overview', buyer.bearer, {})).body;
    expect(mine.active.prescriptions).toHaveLength(1);
    const thread = mine.active.prescriptions[0];
    expect(thread).toMatchObject({ id_user_to: 0, doctors: null });
    for (const dr of [drA, drB]) expect((await intentions(dr.bearer)).filter((i) => i === 'prescription_requested')).toHaveLength(1);
    // staff read everyone's: one for each doctor, the admin and the owner
    expect((await intentions(admin)).filter((i) => i === 'prescription_requested')).toHaveLength(4);
    expect(await w.pushesTo('device-doctor-a')).toHaveLength(1);
    expect(JSON.stringify(w.fcm.sent.filter((m) => m.token === 'device-doctor-a'))).not.toContain('Hydroquinone');

    // both doctors see the untaken request; the first to answer takes it
    for (const dr of [drA, drB]) {
      const seen = (await w.call('post', '/threads/overview/doctors', dr.bearer, {})).body.active.prescriptions as { id: number }[];
      expect(seen.map((t) => t.id)).toEqual([thread.id]);
    }
    const first = (await w.call('post', '/thread_messages/explore?page=1&length=10', drA.bearer, { id_threads: thread.id })).body.data as { content: string }[];
    expect(first.map((m) => m.content)).toEqual(['Hallo, saya ingin memesan Hydroquinone 4% Cream.']);
    await w.call('post', '/thread_messages/text', drA.bearer, { id_threads: thread.id, content: 'Untuk flek di wajah? Pakai malam hari saja.' });
    expect((await w.call('post', '/threads/overview/doctors', drB.bearer, {})).body.active.prescriptions).toEqual([]);
    await w.call('post', '/thread_messages/text', drB.bearer, { id_threads: thread.id, content: 'Saya juga bisa bantu' }, 404);
    await w.call('post', '/thread_messages/text', buyer.bearer, { id_threads: thread.id, content: 'Iya dok, flek hitam' });
    const rx = (await w.call('post', '/thread_messages/prescriptions', drA.bearer, { id_threads: thread.id, id_menu: cream.id, qty: 1 })).body.thread_messages;
    expect(await intentions(buyer.bearer)).toEqual(expect.arrayContaining(['new_message', 'new_prescription']));
    expect(await requestStates(buyer.bearer)).toEqual(['PRESCRIBED']);
    const taken = (await w.call('get', `/threads/${thread.id}`, buyer.bearer)).body.threads;
    expect(taken).toMatchObject({ id_user_to: drA.id, user_to: { users_fullname: drA.name } });

    // the customer redeems the prescription into the cart (the thread has no patient: the cart is named) and buys it
    await w.call('post', '/menu_reedems/add_to_carts', buyer.bearer, { id_threads: thread.id, id_menu: cream.id }, 422);
    await w.call('post', '/menu_reedems/add_to_carts', buyer.bearer, { id_threads: thread.id, id_menu: cream.id, id_orders: cart.id });
    await w.call('put', `/orders/${cart.id}/update/address`, buyer.bearer, { lat_kirim: -6.89, lng_kirim: 107.61, kode_provinsi: 9, kode_kota: 23, kode_kecamatan: 330, alamat_kirim: 'Jl. Tubagus Ismail 5' });
    await chooseJne(w, buyer.bearer, cart.id);
    const bought = (await w.call('put', `/orders/${cart.id}/checkout`, buyer.bearer, {})).body;
    await w.midtransSettles(bought.token);
    expect((await w.call('get', `/orders/${cart.id}`, buyer.bearer)).body.orders.status).toBe('PAID');
    const msgs = (await w.call('post', '/thread_messages/explore?page=1&length=10', buyer.bearer, { id_threads: thread.id })).body.data as any[];
    expect(msgs.find((m) => m.id === rx.id)).toMatchObject({ is_redeemed: 1 });
    await w.call('post', '/menu_reedems/add_to_carts', buyer.bearer, { id_threads: thread.id, id_menu: cream.id }, 404);
    expect((await notificationsAbout(w, buyer.bearer, cart.id)).map((n) => n.intentions)).toContain('order_paid');

    // the doctor closes the thread: nobody writes in it any more, it moves to the archive on both sides
    await w.call('put', `/threads/${thread.id}/close`, buyer.bearer, {}, 403);
    await w.call('put', `/threads/${thread.id}/close`, drA.bearer, {});
    await w.call('post', '/thread_messages/text', buyer.bearer, { id_threads: thread.id, content: 'Terima kasih dok' }, 409);
    await w.call('post', '/thread_messages/prescriptions', drA.bearer, { id_threads: thread.id, id_menu: cream.id, qty: 1 }, 409);
    expect(await requestStates(buyer.bearer)).toEqual(['CLOSED']);
    expect((await w.call('post', '/threads/overview', buyer.bearer, {})).body.archive.prescriptions.map((t: { id: number }) => t.id)).toEqual([thread.id]);
    expect((await w.call('post', '/threads/overview/doctors', drA.bearer, {})).body.archive.prescriptions.map((t: { id: number }) => t.id)).toEqual([thread.id]);

    // another day the customer may ask again: a new request opens a new thread
    w.clockMovesOn(86_400_000);
    await w.call('post', '/menus/prescriptions/requests', buyer.bearer, { id_menu: cream.id });
    const again = (await w.call('post', '/threads/overview', buyer.bearer, {})).body;
    expect(again.active.prescriptions).toHaveLength(1);
    expect(again.active.prescriptions[0].id).not.toBe(thread.id);
    expect(await requestStates(buyer.bearer)).toEqual(['CLOSED', 'OPEN']);
  });
});
