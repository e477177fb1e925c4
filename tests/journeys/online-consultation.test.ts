import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSignsIn } from './shop.js';
import { newPerson, register, startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

/** Staff create a doctor's account and profile, and a prescription-only cream. */
async function staffPrepare(admin: string) {
  const login = newPerson('drderm');
  const account = await register(w, login, { roles: ['DOCTOR'], positions: 'Dokter' }, admin);
  const doctor = (await w.call('post', '/doctors/create', admin, { id_users: Number(account.id), custom_price: 125_000, doctor_description: 'Sp.KK', is_active: 1 })).body.doctors;
  const cream = (await w.call('post', '/menus/create', admin, { nama_menus: 'Tretinoin 0.05% Cream', harga: 80_000, pajak: 0, is_resep_required: 1, satuan: 'Tube', berat: '100' })).body.menus;
  return { doctorId: doctor.id as number, doctorLogin: login, creamId: Number(cream.id) };
}

/** A new customer with a patient, signed in. */
async function newCustomer(name: string) {
  const person = newPerson(name);
  await register(w, person);
  const bearer = (await w.signIn(person.username, person.password)).bearer;
  const patient = (await w.call('post', '/patients/create', bearer, { nama_lengkap_pasien: `Pasien ${name}`, jenis_kelamin: 'L' })).body.patients;
  await w.call('post', '/patient_allergies/create', bearer, { id_patients: patient.id, allergies: 'Sulfa' });
  return { bearer, patientId: patient.id as number };
}

/** Address, RajaOngkir quote and the JNE REG courier for an e-commerce cart. */
async function shipCart(bearer: string, orderId: number) {
  await w.call('put', `/orders/${orderId}/update/address`, bearer, { kode_provinsi: 9, kode_kota: 23, kode_kecamatan: 331, alamat_kirim: 'Jl. Sukajadi 10' });
  const quotes = (await w.call('post', '/deliveries/calculate', bearer, { id_order: orderId, courier: 'jne' })).body;
  const reg = quotes[0].costs.find((c: { service: string }) => c.service === 'REG');
  await w.call('put', `/orders/${orderId}/process/courier`, bearer, { courier: 'jne', costs: reg.cost[0].value });
}

describe('journey: an online consultation with a prescription', () => {
  it('a customer pays a consultation, talks with the doctor, gets a prescription and buys it; without one nobody can', async () => {
    const admin = (await staffSignsIn(w)).bearer;
    const staff = await staffPrepare(admin);
    const buyer = await newCustomer('konsul');

    // orders a consultation with the doctor and pays it
    const order = (await w.call('post', '/orders/init', buyer.bearer, { id_patients: buyer.patientId, order_type: 'C' })).body.orders;
    await w.call('post', '/orders/c_add_to_carts', buyer.bearer, { id_order: order.id, items: [{ id_doctors: staff.doctorId, qty: 1 }] });
    const checkout = (await w.call('put', `/orders/${order.id}/checkout`, buyer.bearer, {})).body;
    expect(w.midtrans.snapRequests.at(-1).transaction_details.gross_amount).toBe(125_000);
    await w.midtransSettles(checkout.token);

    // the thread has opened for the customer and for the doctor
    const threads = (await w.call('post', '/threads/search', buyer.bearer, {})).body.threads as any[];
    const thread = threads.find((th) => Number(th.id_order) === order.id);
    expect(thread, 'the consultation thread').toBeDefined();
    const doctor = (await w.signIn(staff.doctorLogin.username, staff.doctorLogin.password)).bearer;
    const overview = (await w.call('post', '/threads/overview/doctors', doctor, {})).body;
    const active = overview.active.online_consultations as any[];
    expect(active.map((th) => th.id)).toEqual([thread.id]);
    expect(active[0]).toMatchObject({ id_patients: buyer.patientId, order_code: checkout.orders.order_code });
    const notified = async (bearer: string) =>
      ((await w.call('post', '/notifications/explore?page=1&length=50', bearer, {})).body.data as { intentions: string }[]).map((n) => n.intentions);
    expect(await notified(doctor)).toContain('consultation_opened');
    expect(await notified(buyer.bearer)).toEqual(expect.arrayContaining(['order_paid', 'consultation_opened']));
    // the doctor reads the patient's file (allergies) before prescribing
    const file = (await w.call('get', `/patients/${active[0].id_patients}`, doctor)).body.patients;
    expect(JSON.stringify(file)).toContain('Sulfa');

    // they talk; the doctor prescribes the cream
    await w.call('post', '/thread_messages/text', buyer.bearer, { id_threads: thread.id, content: 'Dok, jerawat saya meradang' });
    await w.call('post', '/thread_messages/text', doctor, { id_threads: thread.id, content: 'Saya resepkan krim malam' });
    await w.call('post', '/thread_messages/prescriptions', doctor, { id_threads: thread.id, content_type: 'prescriptions', id_menu: staff.creamId, qty: 1 });
    const messages = (await w.call('post', '/thread_messages/explore?page=1&length=10', buyer.bearer, { id_threads: thread.id })).body.data as any[];
    expect(messages).toHaveLength(3);

    // the customer puts the prescribed cream in a cart and checks it out
    await w.call('post', '/menu_reedems/add_to_carts', buyer.bearer, { id_threads: thread.id, id_menu: staff.creamId });
    const cart = (await w.call('post', '/orders/init', buyer.bearer, { id_patients: buyer.patientId, order_type: 'E' })).body.orders;
    expect(cart.order_items.map((i: { id_menu: number }) => i.id_menu)).toEqual([staff.creamId]);
    // one tube was prescribed: the cart cannot hold more, nor can the prescription be redeemed twice
    await w.call('post', '/orders/e_add_to_carts', buyer.bearer, { id_order: cart.id, items: [{ id_menu: staff.creamId, qty: 2 }] }, 422);
    await shipCart(buyer.bearer, cart.id);
    const bought = (await w.call('put', `/orders/${cart.id}/checkout`, buyer.bearer, {})).body;
    expect(bought.orders.status).toBe('CHECKOUT');
    expect(w.midtrans.snapRequests.at(-1).item_details.map((i: { name: string }) => i.name).join()).toContain('Tretinoin');
    await w.midtransSettles(bought.token);
    expect((await w.call('get', `/orders/${cart.id}`, buyer.bearer)).body.orders.status).toBe('PAID');
    await w.call('post', '/menu_reedems/add_to_carts', buyer.bearer, { id_threads: thread.id, id_menu: staff.creamId }, 404);

    // a customer without a prescription can neither add the cream nor check it out
    const other = await newCustomer('noresep');
    const otherCart = (await w.call('post', '/orders/init', other.bearer, { id_patients: other.patientId, order_type: 'E' })).body.orders;
    await w.call('post', '/orders/e_add_to_carts', other.bearer, { id_order: otherCart.id, items: [{ id_menu: staff.creamId, qty: 1 }] }, 422);
    await w.call('post', '/menu_reedems/add_to_carts', other.bearer, { id_threads: thread.id, id_menu: staff.creamId }, 404);
  });
});
