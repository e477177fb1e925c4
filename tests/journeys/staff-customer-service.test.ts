import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPerson, OWNER, register, startWorld, type World, clinicDateTime } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

/** A customer signs up on the app, signs in on a phone and adds a patient. */
async function customerWithPatient(prefix: string, patientName: string) {
  const person = newPerson(prefix);
  const user = await register(w, person);
  const me = await w.signIn(person.username, person.password);
  await w.call('post', '/users/register_device_token', me.bearer, { device_token: `phone-${person.username}`, already_login: false });
  const patient = (await w.call('post', '/patients/create', me.bearer, { nama_lengkap_pasien: patientName, jenis_kelamin: 'P' })).body.patients;
  return { person, id: Number(user.id), bearer: me.bearer, patientId: patient.id as number, device: `phone-${person.username}` };
}

/** A checked-out cart (unpaid): `qty` units shipped by JNE, with the code and points applied when given. */
async function checkedOut(customer: string, patientId: number, menuId: number, qty: number, code?: string, points = 0) {
  const cart = (await w.call('post', '/orders/init', customer, { id_patients: patientId, order_type: 'E' })).body.orders;
  await w.call('post', '/orders/e_add_to_carts', customer, { id_order: cart.id, items: [{ id_menu: menuId, qty }] });
  await w.call('put', `/orders/${cart.id}/update/address`, customer, { lat_kirim: -6.89, lng_kirim: 107.61, kode_provinsi: 9, kode_kota: 23, kode_kecamatan: 330, alamat_kirim: 'Jl. Tubagus Ismail 5' });
  const quotes = (await w.call('post', '/deliveries/calculate', customer, { id_order: cart.id, courier: 'jne' })).body;
  const reg = quotes[0].costs.find((c: { service: string }) => c.service === 'REG');
  await w.call('put', `/orders/${cart.id}/process/courier`, customer, { courier: 'jne', costs: String(reg.cost[0].value) });
  if (code) await w.call('put', `/orders/${cart.id}/apply/promotions`, customer, { display_codes: code });
  if (points) await w.call('put', `/orders/${cart.id}/apply/points`, customer, { poin_used: points });
  const checkout = (await w.call('put', `/orders/${cart.id}/checkout`, customer, {})).body;
  return { orderId: cart.id as number, code: checkout.orders.order_code as string, token: checkout.token as string, grand: w.midtrans.snapRequests.at(-1).transaction_details.gross_amount as number };
}

/** The DataTables request the dashboard's tables send, searching `q` in every column. */
const table = (q: string, extra: Record<string, unknown> = {}) => ({ draw: 1, start: 0, length: 25, 'search[value]': q, 'order[0][column]': 0, 'order[0][dir]': 'desc', ...extra });

describe('journey: staff customer service in the admin dashboard', () => {
  it('staff find customers and orders, take a payment by hand, cancel an order with a reason, unblock and reset accounts, move a patient, and read it all back in the audit log', async () => {
    // the owner creates a customer-service admin, who signs in to the dashboard
    const owner = await w.signIn(OWNER.username, OWNER.password);
    const csPerson = newPerson('cs');
    await register(w, csPerson, { roles: ['ADMIN'], positions: 'Customer Service' }, owner.bearer);
    const cs = await w.signIn(csPerson.username, csPerson.password);
    const admin = cs.bearer;

    // the shop: one product, 10 in the warehouse store, a code with a quota of 5
    const menu = (await w.call('post', '/menus/create', admin, { nama_menus: 'Serum Niacinamide', brief: 'Serum', harga: 120_000, pajak: 0, is_resep_required: 0, satuan: 'Botol', berat: '200' })).body.menus;
    const store = (await w.call('post', '/brandstore/create', admin, { nama: 'Colederma Gudang', alamat: 'Jl. Gudang 2', notelp: '0221111111', opentime: '08:00', closetime: '17:00', city: 'Bandung', lat: 0, lng: 0, is_show: 1, groupname: 'CLD' })).body.brandstore;
    await w.call('post', '/brandstore_menus/create', admin, { idmenu: menu.id, idbrandstore: store.id, quantitytotal: 10 });
    await w.call('put', '/deliveries/settings/update', admin, { id_brandstore_gudang: store.id });
    const promo = (
      await w.call('post', '/promotions/create', admin, { type: 'POTONGAN', value: 20_000, quota: 5, start_datetime: clinicDateTime(-1), expired_datetime: clinicDateTime(30), display_codes: 'CS20', title: 'CS', max_uses_per_customer: 3 })
    ).body.promotions;
    const stockOf = async () =>
      ((await w.call('post', '/brandstore_menus/search', admin, { idbrandstore: store.id })).body.brandstoremenus as { idmenu: number; stocks: number }[]).find((r) => Number(r.idmenu) === Number(menu.id))!.stocks;
    const quotaLeft = async () => (await w.call('get', `/promotions/${promo.id}`, admin)).body.promotions.quota_remaining as number;

    // Sari checks out two serums with the code but pays at the counter by QRIS
    const sari = await customerWithPatient('sari', 'Sari Pelanggan');
    const first = await checkedOut(sari.bearer, sari.patientId, Number(menu.id), 2, 'CS20');
    expect(await stockOf()).toBe(8);
    expect(await quotaLeft()).toBe(4);

    // staff find her by name in the users table and her order by its code in the orders table
    const users = (await w.call('post', '/users/table', admin, table(sari.person.users_fullname))).body;
    expect(users.recordsFiltered).toBe(1);
    expect(users.data[0][0]).toBe(sari.id);
    const orders = (await w.call('post', '/orders/table', admin, table(first.code))).body;
    expect(orders.data.map((r: unknown[]) => r[0])).toEqual([first.orderId]);
    const byPhone = (await w.call('post', '/orders/table', admin, table(sari.person.users_phone))).body;
    expect(byPhone.data.map((r: unknown[]) => r[0])).toEqual([first.orderId]);
    // and her orders by filter in the list
    const hers = (await w.call('post', '/orders/explore?page=1&length=10', admin, { id_users: sari.id, status_array: ['CHECKOUT'] })).body.data as { id: number }[];
    expect(hers.map((o) => o.id)).toEqual([first.orderId]);
    const detail = (await w.call('get', `/orders/${first.orderId}`, admin)).body.orders;
    expect(detail).toMatchObject({ status: 'CHECKOUT', is_paid: 0, order_code: first.code, grand_totals: first.grand });
    expect(detail.order_items.map((i: { id_menu: number; qty: number }) => [Number(i.id_menu), i.qty])).toEqual([[Number(menu.id), 2]]);

    // the payment taken by hand
    await w.call('put', `/orders/${first.orderId}/paid`, admin, { pay_channel: 'QRIS' });
    const paid = (await w.call('get', `/orders/${first.orderId}`, sari.bearer)).body.orders;
    expect(paid).toMatchObject({ status: 'PAID', is_paid: 1, pay_channel: 'QRIS' });
    const earned = Math.floor((first.grand * 10) / 100);
    expect((await w.call('get', '/users/data', sari.bearer)).body.users.total_point).toBe(earned);
    expect(await quotaLeft()).toBe(4);
    // Sari had also paid on the Snap page before reaching the counter: the money arrives for an order already paid
    expect((await w.midtransSettles(first.token)).result).toBe('paid_not_current');
    // the owner's dashboard shows it in the log as a payment to refund, naming the order and the Midtrans transaction
    const alerts = (await w.call('post', '/logs/search', owner.bearer, { action: 'payment_alert' })).body.logs as { resource: string; resource_id: string; outcome: string; details: Record<string, unknown> }[];
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ resource: 'orders', resource_id: String(first.orderId), outcome: 'failure' });
    expect(alerts[0]!.details).toMatchObject({ result: 'paid_not_current', order_code: first.code, gross_amount: first.grand });
    expect(String(alerts[0]!.details.transaction_id)).not.toBe('');
    const told = (await w.call('post', '/notifications/explore?page=1&length=50', sari.bearer, {})).body.data as { intentions: string; reference_id: number | string }[];
    expect(told.filter((n) => Number(n.reference_id) === first.orderId).map((n) => n.intentions)).toEqual(['order_paid']);

    // a second order spends 5,000 of the points with the code, then Sari calls to cancel it
    const second = await checkedOut(sari.bearer, sari.patientId, Number(menu.id), 3, 'CS20', 5_000);
    expect(await stockOf()).toBe(5);
    expect(await quotaLeft()).toBe(3);
    expect((await w.call('get', '/users/data', sari.bearer)).body.users.total_point).toBe(earned - 5_000);
    expect((await w.call('put', `/orders/${second.orderId}/cancel`, admin, { cancel_reason: 'Pelanggan berubah pikiran' })).body).toEqual({ cancel: true });
    const cancelled = (await w.call('get', `/orders/${second.orderId}`, sari.bearer)).body.orders;
    expect(cancelled).toMatchObject({ status: 'CANCEL', is_canceled: 1, cancel_reason: 'Pelanggan berubah pikiran', cancel_pic: csPerson.username });
    // the stock, the promotion's quota and the points are given back
    expect(await stockOf()).toBe(5 + 3);
    expect(await quotaLeft()).toBe(4);
    expect((await w.call('get', '/users/data', sari.bearer)).body.users.total_point).toBe(earned);
    // and she is told, with the reason, on her phone too
    const notes = (await w.call('post', '/notifications/explore?page=1&length=50', sari.bearer, {})).body.data as { intentions: string; reference_id: number | string; content: string; title: string }[];
    const aboutSecond = notes.filter((n) => Number(n.reference_id) === second.orderId);
    expect(aboutSecond.map((n) => n.intentions)).toEqual(['order_cancelled']);
    expect(aboutSecond[0]!.content).toContain('Pelanggan berubah pikiran');
    expect(await w.pushesTo(sari.device)).toContain(aboutSecond[0]!.title);

    // a week later Sari returns the first parcel unopened: staff cancel the paid order too (the money is refunded in Midtrans' dashboard)
    await w.call('put', `/orders/${first.orderId}/cancel`, admin, { cancel_reason: 'Retur, belum dibuka' });
    expect(await stockOf()).toBe(10);
    expect(await quotaLeft()).toBe(5);
    expect((await w.call('get', '/users/data', sari.bearer)).body.users.total_point).toBe(0);
    await w.call('put', `/orders/${first.orderId}/uncancel`, admin, {}, 409);

    // Budi locks himself out; staff find blocked accounts and lift the block
    const budi = await customerWithPatient('budi', 'Budi Pelanggan');
    for (let i = 0; i < w.t.app.config.LOGIN_MAX_ATTEMPTS; i++) await w.call('post', '/users/login', null, { act: 'login', username: budi.person.username, password: 'salah-terus', app: 'mobile' }, 401);
    expect((await w.t.http.post('/users/login').send({ act: 'login', username: budi.person.username, password: budi.person.password, app: 'mobile' })).status).not.toBe(200);
    const blocked = (await w.call('post', '/users/table', admin, table(budi.person.username, { is_blocked: 1 }))).body.data as unknown[][];
    expect(blocked.map((r) => r[0])).toEqual([budi.id]);
    expect((await w.call('post', `/users/${blocked[0]![0]}/unblock`, admin)).body).toEqual({ unblock: true });
    expect((await w.call('post', '/users/table', admin, table(budi.person.username, { is_blocked: 1 }))).body.recordsFiltered).toBe(0);
    const budiAgain = await w.signIn(budi.person.username, budi.person.password);

    // Budi forgot nothing, but his mother's phone is lost: staff set a new password for her account
    const ibu = await customerWithPatient('ibu', 'Ibu Budi');
    const found = (await w.call('post', '/users/table', admin, table(ibu.person.users_email))).body.data as unknown[][];
    expect(found.map((r) => r[0])).toEqual([ibu.id]);
    expect((await w.call('post', `/users/${found[0]![0]}/update/password/admin`, admin, { new_password: 'ibu-baru-2026', new_password_confirm: 'ibu-baru-2026' })).body).toEqual({ update_password_admin: true });
    await w.call('get', '/users/data', ibu.bearer, undefined, 401);
    await w.call('post', '/users/login', null, { act: 'login', username: ibu.person.username, password: ibu.person.password, app: 'mobile' }, 401);
    const ibuNew = await w.signIn(ibu.person.username, 'ibu-baru-2026');

    // the mother's patient is handed to Budi, who will manage it; then given back to nobody
    await w.call('put', '/users/patients/link', admin, { id_users: budi.id, id_patients: ibu.patientId });
    const budiPatients = (await w.call('post', '/patients/search', budiAgain.bearer, {})).body.patients as { id: number }[];
    expect(budiPatients.map((p) => p.id).sort()).toEqual([budi.patientId, ibu.patientId].sort());
    await w.call('get', `/patients/${ibu.patientId}`, ibuNew.bearer, undefined, 404);
    await w.call('put', '/users/patients/unlink', admin, { id_patients: ibu.patientId });
    expect(((await w.call('post', '/patients/search', budiAgain.bearer, {})).body.patients as { id: number }[]).map((p) => p.id)).toEqual([budi.patientId]);
    expect((await w.call('get', `/patients/${ibu.patientId}`, admin)).body.patients.id_users).toBe(0);

    // Budi phones to book a visit for his mother: staff find her file, book the first free slot, later cancel it
    const cat = (await w.call('post', '/service_categories/create', admin, { service_categories: 'Konsultasi', codes: 'KS', color: '#123456' })).body.service_categories;
    const service = (await w.call('post', '/services/create', admin, { services_name: 'Konsultasi Kulit', services_price: '150000', buffer_time: '30', id_service_categories: cat.id })).body.services;
    const drPerson = { ...newPerson('dr'), users_fullname: 'dr. Rani' };
    const drUser = await register(w, drPerson, { roles: ['DOCTOR'], positions: 'Dokter' }, admin);
    const doctor = (await w.call('post', '/doctors/create', admin, { id_users: Number(drUser.id), id_services: service.id, custom_price: 150_000, doctor_description: 'Sp.KK', is_active: 1 })).body.doctors;
    await w.call('post', '/doctor_services/create', admin, { id_doctors: doctor.id, id_services: service.id, custom_price: 0, doctor_buffer_time: 0, is_active: 1 });
    for (const hari of ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu']) await w.call('post', '/schedules/create', admin, { id_doctors: doctor.id, hari, jam: '10:00', jam_selesai: '11:00' });
    await w.call('post', '/doctor_schedules/generate', admin, { id_doctors: doctor.id });
    await w.call('put', '/users/patients/link', admin, { id_users: budi.id, id_patients: ibu.patientId });
    const files = (await w.call('post', '/patients/table', admin, table('Ibu Budi'))).body.data as unknown[][];
    expect(files.map((r) => [r[0], r[1]])).toEqual([[ibu.patientId, budi.id]]);
    const free = (await w.call('post', '/user_schedules/check/doctor/availability', admin, { id_doctors: doctor.id, id_services: service.id })).body as any[];
    const day = free.find((d) => d.schedule > free[0].schedule) ?? free[0];
    const slot = day.doctors[0];
    const booking = (await w.call('post', '/user_schedules/create', admin, { id_doctor_schedules: slot.id, tanggal: day.schedule_format, id_patients: files[0]![0] })).body.user_schedules;
    expect(booking).toMatchObject({ status: 'BOOKING' });
    const inBudisApp = (await w.call('post', '/user_schedules/search', budiAgain.bearer, {})).body.user_schedules as { id: number }[];
    expect(inBudisApp.map((a) => a.id)).toEqual([booking.id]);
    await w.call('put', `/user_schedules/${booking.id}/cancel`, admin, { cancel_reason: 'Dokter berhalangan' });
    expect((await w.call('get', `/user_schedules/${booking.id}`, budiAgain.bearer)).body.user_schedules).toMatchObject({ status: 'CANCEL', cancel_reason: 'Dokter berhalangan' });
    const budiNotes = (await w.call('post', '/notifications/explore?page=1&length=50', budiAgain.bearer, {})).body.data as { intentions: string; reference_id: number | string; content: string }[];
    const aboutBooking = budiNotes.filter((n) => Number(n.reference_id) === booking.id);
    expect(aboutBooking.map((n) => n.intentions).sort()).toEqual(['appointment_booked', 'appointment_cancelled']);
    expect(aboutBooking.find((n) => n.intentions === 'appointment_cancelled')!.content).toContain('Dokter berhalangan');
    await w.call('put', '/users/patients/unlink', admin, { id_patients: ibu.patientId });

    // the owner reads what the customer-service admin did in the audit log
    const log = (await w.call('post', '/logs/explore?page=1&length=100', owner.bearer, { id_users: cs.id })).body.data as { action: string; resource: string; resource_id: number | string | null; outcome: string }[];
    const did = log.map((e) => `${e.action} ${e.resource} ${e.resource_id ?? ''}`);
    expect(did).toEqual(
      expect.arrayContaining([
        `PUT /orders/:id/paid orders ${first.orderId}`,
        `PUT /orders/:id/cancel orders ${second.orderId}`,
        `POST /users/:id/unblock users ${budi.id}`,
        `POST /users/:id/update/password/admin users ${ibu.id}`,
        `link patients ${ibu.patientId}`,
        `unlink patients ${ibu.patientId}`,
      ]),
    );
    // the story of Sari's first order in the log: her checkout, the payment taken, the cancel
    const story = (await w.call('post', '/logs/search', owner.bearer, { resource: 'orders', resource_id: first.orderId })).body.logs as { action: string; id_users: number }[];
    expect(story.map((e) => [e.action, e.id_users])).toEqual(
      expect.arrayContaining([
        ['PUT /orders/:id/paid', cs.id],
        ['PUT /orders/:id/cancel', cs.id],
      ]),
    );
    // the customers' own actions are not the admin's
    const byAction = (await w.call('post', '/logs/explore?page=1&length=100', owner.bearer, { action: 'PUT /orders/:id/cancel' })).body.data as { id_users: number }[];
    expect(byAction.map((e) => e.id_users)).toEqual([cs.id, cs.id]);
  });
});
