import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartWithAddress, fillCart, newCustomer, notificationsAbout, staffSignsIn, staffStockTheShop } from './shop.js';
import { newPerson, register, startWorld, type World, clinicDayAhead, DAYS } from './world.js';


let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

/** Staff open a service with a doctor who practises 09:00-12:00 every day; the doctor signs in on a phone. */
async function staffOpenTheClinic(admin: string) {
  const cat = (await w.call('post', '/service_categories/create', admin, { service_categories: 'Facial', codes: 'FC', color: '#ffffff' })).body.service_categories;
  const service = (await w.call('post', '/services/create', admin, { services_name: 'Facial Acne', services_price: '150000', buffer_time: '30', id_service_categories: cat.id })).body.services;
  const doctorPerson = newPerson('dr');
  const doctorUser = await register(w, doctorPerson, { roles: ['DOCTOR'], positions: 'Dokter' }, admin);
  const doctor = (await w.call('post', '/doctors/create', admin, { id_users: Number(doctorUser.id), id_services: service.id, custom_price: 200_000, doctor_description: 'Sp.KK', is_active: 1 })).body.doctors;
  await w.call('post', '/doctor_services/create', admin, { id_doctors: doctor.id, id_services: service.id, custom_price: 0, doctor_buffer_time: 0, is_active: 1 });
  for (const hari of DAYS) await w.call('post', '/schedules/create', admin, { id_doctors: doctor.id, hari, jam: '09:00', jam_selesai: '12:00' });
  await w.call('post', '/doctor_schedules/generate', admin, { id_doctors: doctor.id });
  const doctorLogin = await w.signIn(doctorPerson.username, doctorPerson.password);
  await w.call('post', '/users/register_device_token', doctorLogin.bearer, { device_token: 'doctor-phone', already_login: false });
  return { serviceId: service.id as number, doctorId: doctor.id as number, doctor: doctorLogin.bearer };
}

/** The start times the booking screen offers on a day. */
async function freeTimes(bearer: string, clinic: { doctorId: number; serviceId: number }, iso: string) {
  const days = (await w.call('post', '/user_schedules/check/doctor/availability', bearer, { id_doctors: clinic.doctorId, id_services: clinic.serviceId })).body as any[];
  return (days.find((d) => d.schedule === iso)?.doctors ?? []) as { id: number; jam_mulai: string }[];
}

describe('journey: a customer leaves the clinic', () => {
  it('exports their data, has the clinic delete the account: the coming visit is cancelled and the doctor told, the paid order stays with the clinic, and they may come back as new', async () => {
    const admin = (await staffSignsIn(w)).bearer;
    const shop = await staffStockTheShop(w, admin);
    const clinic = await staffOpenTheClinic(admin);
    const visit = clinicDayAhead(5);

    // a customer with a patient, a visit booked for 09:00 in five days, a paid order and an open cart
    const c = await newCustomer(w, 'leaver', 'leaver-phone');
    const slot = (await freeTimes(c.bearer, clinic, visit.iso)).find((s) => s.jam_mulai === '09:00')!;
    const booking = (await w.call('post', '/user_schedules/create', c.bearer, { id_doctor_schedules: slot.id, tanggal: visit.dmy, id_patients: c.patientId })).body.user_schedules;
    expect(booking.status).toBe('BOOKING');
    const paid = await fillCart(w, c.bearer, c.patientId, shop.menuId, 1);
    const checkout = (await w.call('put', `/orders/${paid.orderId}/checkout`, c.bearer, {})).body;
    await w.midtransSettles(checkout.token);
    const cartId = await cartWithAddress(w, c.bearer, c.patientId, shop.menuId, 2);
    const pushedBefore = (await w.pushesTo('leaver-phone')).length;
    expect(pushedBefore).toBeGreaterThan(0);

    // the customer downloads everything the clinic holds about them
    const exported = (await w.call('get', '/users/data/export', c.bearer)).body.export;
    expect(exported.users).toMatchObject({ id: c.id, username: c.person.username });
    expect(exported.patients.map((p: { id: number }) => p.id)).toEqual([c.patientId]);
    const tables = JSON.stringify(exported.tables);
    expect(tables).toContain(checkout.orders.order_code);
    expect(tables).toContain(`"id":${booking.id}`);

    // and asks the clinic to delete the account; they cannot do it themselves
    await w.call('delete', `/users/${c.id}/delete`, c.bearer, undefined, 403);
    expect((await w.call('delete', `/users/${c.id}/delete`, admin)).body).toEqual({ deleted: true });

    // their session is over, and they cannot sign in
    await w.call('get', '/users/data', c.bearer, undefined, 401);
    await w.call('post', '/users/login', null, { act: 'login', username: c.person.username, password: c.person.password, app: 'mobile' }, 401);

    // the coming visit is cancelled and its slot free again; the doctor is told, in the app and on the phone
    expect((await w.call('get', `/user_schedules/${booking.id}`, admin)).body.user_schedules).toMatchObject({ status: 'CANCEL', cancel_reason: 'account deleted' });
    expect((await freeTimes(clinic.doctor, clinic, visit.iso)).map((s) => s.jam_mulai)).toContain('09:00');
    expect((await notificationsAbout(w, clinic.doctor, booking.id)).map((n) => n.intentions)).toContain('appointment_cancelled');
    expect(await w.pushesTo('doctor-phone')).toContain((await notificationsAbout(w, clinic.doctor, booking.id)).find((n) => n.intentions === 'appointment_cancelled')!.title);
    // the customer's phone is no longer theirs: nothing more is pushed to it
    expect((await w.pushesTo('leaver-phone')).length).toBe(pushedBefore);

    // the paid order stays with the clinic: staff find it, under the name it was ordered in, and ship it
    const staffList = (await w.call('post', '/orders/explore?page=1&length=50', admin, { status_array: ['PAID'] })).body.data as { id: number; nama_pemesan: string }[];
    expect(staffList.find((o) => o.id === paid.orderId)).toMatchObject({ nama_pemesan: c.person.users_fullname });
    for (const step of ['prepared', 'processing', 'pickup']) await w.call('put', `/orders/${paid.orderId}/${step}`, admin, {});
    await w.call('put', `/orders/${paid.orderId}/process/noresi`, admin, { nomor_resi: 'JNE0007770001' });
    expect((await w.call('get', `/orders/${paid.orderId}`, admin)).body.orders.status).toBe('DELIVERED');
    // the open cart held nothing (stock is taken at checkout): one unit left for the paid order only
    const stock = (await w.call('post', '/brandstore_menus/search', admin, { idbrandstore: shop.storeId })).body.brandstoremenus;
    expect(stock.find((r: { idmenu: number }) => Number(r.idmenu) === shop.menuId)).toMatchObject({ stocks: 9 });
    // the open cart went with the account, as a cart's delete removes it (never checked out: deleted)
    await w.call('get', `/orders/${cartId}`, admin, undefined, 404);

    // the person comes back later with the same username, e-mail and phone: a new account, with nothing of the old one
    await register(w, c.person);
    const again = await w.signIn(c.person.username, c.person.password);
    expect(again.id).not.toBe(c.id);
    expect((await w.call('get', '/users/data', again.bearer)).body.users).toMatchObject({ total_point: 0, latest_orders: [], counts_carts: 0 });
    expect((await w.call('post', '/patients/search', again.bearer, {})).body.patients).toEqual([]);
    await w.call('get', `/orders/${paid.orderId}`, again.bearer, undefined, 404);

    // at the front desk staff find the patient of the old account by name and give it to the new one: the history goes on
    const found = (await w.call('post', '/patients/search', admin, { nama_lengkap_pasien: 'Pasien leaver' })).body.patients as { id: number }[];
    expect(found.map((p) => p.id)).toEqual([c.patientId]);
    expect((await w.call('put', '/users/patients/link', admin, { id_users: again.id, id_patients: c.patientId })).body).toEqual({ link: true });
    expect((await w.call('post', '/patients/search', again.bearer, {})).body.patients.map((p: { id: number }) => p.id)).toEqual([c.patientId]);
    // (the old account's appointments stay its own: a customer sees those booked in their name, docs/compat.md)
    const history = (await w.call('post', '/user_schedules/search', again.bearer, { id_patients: c.patientId })).body.user_schedules as { id: number }[];
    expect(history.map((a) => a.id)).not.toContain(booking.id);
  });
});
