import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendAppointmentReminders } from '../../src/modules/notifications/notifications.service.js';
import { cartWithAddress, chooseJne, fillCart, newCustomer, notificationsAbout, staffSignsIn, staffStockTheShop } from './shop.js';
import { newPerson, onClinicDay, register, startWorld, type World, clinicDayAhead, DAYS } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

describe('journey: a family account, and a patient handed to another account', () => {
  it("a mother manages herself, her son and her father (files, allergies, visits, a consultation, an order); her brother takes their father over: each account sees only what is theirs to see", async () => {
    const admin = (await staffSignsIn(w)).bearer;
    const shop = await staffStockTheShop(w, admin);
    // the clinic: a doctor practising 09:00-12:00 every day, who also consults online
    const cat = (await w.call('post', '/service_categories/create', admin, { service_categories: 'Facial', codes: 'FC', color: '#ffffff' })).body.service_categories;
    const service = (await w.call('post', '/services/create', admin, { services_name: 'Konsultasi Kulit', services_price: '150000', buffer_time: '30', id_service_categories: cat.id })).body.services;
    const drPerson = newPerson('drfam');
    const drUser = await register(w, drPerson, { roles: ['DOCTOR'], positions: 'Dokter' }, admin);
    const dr = (await w.call('post', '/doctors/create', admin, { id_users: Number(drUser.id), id_services: service.id, custom_price: 125_000, doctor_description: 'Sp.KK', is_active: 1 })).body.doctors;
    await w.call('post', '/doctor_services/create', admin, { id_doctors: dr.id, id_services: service.id, custom_price: 0, doctor_buffer_time: 0, is_active: 1 });
    for (const hari of DAYS) await w.call('post', '/schedules/create', admin, { id_doctors: dr.id, hari, jam: '09:00', jam_selesai: '12:00' });
    await w.call('post', '/doctor_schedules/generate', admin, { id_doctors: dr.id });
    const doctor = (await w.signIn(drPerson.username, drPerson.password)).bearer;
    const slotAt = async (bearer: string, iso: string, jam: string) => {
      const days = (await w.call('post', '/user_schedules/check/doctor/availability', bearer, { id_doctors: dr.id, id_services: service.id })).body as any[];
      return (days.find((d) => d.schedule === iso)?.doctors as { id: number; jam_mulai: string }[]).find((s) => s.jam_mulai === jam)!.id;
    };

    // Rina signs up with her own file, then adds her son and her father, each with their allergies
    const rina = await newCustomer(w, 'rina', 'rina-handphone');
    const son = (await w.call('post', '/patients/create', rina.bearer, { nama_lengkap_pasien: 'Adi Putra', jenis_kelamin: 'L', tanggal_lahir: '05/06/2014', allergies: ['Amoxicillin'] })).body.patients;
    const father = (await w.call('post', '/patients/create', rina.bearer, { nama_lengkap_pasien: 'Pak Harjo', jenis_kelamin: 'L', tanggal_lahir: '17/08/1950', allergies: ['Sulfa', 'Lateks'] })).body.patients;
    const mine = async (bearer: string) => ((await w.call('post', '/patients/search', bearer, {})).body.patients as { id: number }[]).map((p) => p.id).sort((a, b) => a - b);
    expect(await mine(rina.bearer)).toEqual([rina.patientId, son.id, father.id].sort((a, b) => a - b));
    const allergiesOf = async (bearer: string, id: number) => ((await w.call('get', `/patients/${id}`, bearer)).body.patients.allergies as { allergies: string }[]).map((a) => a.allergies).sort();
    expect(await allergiesOf(rina.bearer, son.id)).toEqual(['Amoxicillin']);
    expect(await allergiesOf(rina.bearer, father.id)).toEqual(['Lateks', 'Sulfa']);

    // the son's visit took place and the doctor wrote his record; the father has a visit in five days
    const sonDay = clinicDayAhead(2);
    const sonVisit = (await w.call('post', '/user_schedules/create', rina.bearer, { id_doctor_schedules: await slotAt(rina.bearer, sonDay.iso, '09:00'), tanggal: sonDay.dmy, id_patients: son.id })).body.user_schedules;
    const fatherDay = clinicDayAhead(5);
    const fatherVisit = (await w.call('post', '/user_schedules/create', rina.bearer, { id_doctor_schedules: await slotAt(rina.bearer, fatherDay.iso, '10:00'), tanggal: fatherDay.dmy, id_patients: father.id })).body.user_schedules;
    const sonRecord = await onClinicDay(w, sonDay.iso, '09:40', async () => {
      await w.call('put', `/user_schedules/${sonVisit.id}/arrived`, admin, {});
      await w.call('put', `/user_schedules/${sonVisit.id}/done`, admin, {});
      return (await w.call('post', '/patient_rekam_medis/create', doctor, { id_patients: son.id, tanggal_konsul: sonDay.dmy, keluhan: 'Gatal', diagnosa: 'Dermatitis atopik', catatan_kaki: 'Hindari sabun wangi' })).body.patient_rekam_medis;
    });
    // and an online consultation for the father, paid by Rina, in which the doctor reads his allergies; and an order for him
    const consult = (await w.call('post', '/orders/init', rina.bearer, { id_patients: father.id, order_type: 'C' })).body.orders;
    await w.call('post', '/orders/c_add_to_carts', rina.bearer, { id_order: consult.id, items: [{ id_doctors: dr.id, qty: 1 }] });
    await w.midtransSettles((await w.call('put', `/orders/${consult.id}/checkout`, rina.bearer, {})).body.token);
    const thread = ((await w.call('post', '/threads/search', rina.bearer, {})).body.threads as { id: number; id_order: number; id_patients: number }[]).find((th) => Number(th.id_order) === consult.id)!;
    expect(thread.id_patients).toBe(father.id);
    await w.call('post', '/thread_messages/text', rina.bearer, { id_threads: thread.id, content: 'Bapak saya gatal di punggung' });
    expect(await allergiesOf(doctor, father.id)).toEqual(['Lateks', 'Sulfa']);
    const order = await fillCart(w, rina.bearer, father.id, shop.menuId, 1);
    const bought = (await w.call('put', `/orders/${order.orderId}/checkout`, rina.bearer, {})).body;
    await w.midtransSettles(bought.token);
    // what Rina's account shows of the family: every visit, the consultation and the order
    expect((await w.call('get', `/patient_rekam_medis/${sonRecord.id}`, rina.bearer)).body.patient_rekam_medis).toMatchObject({ diagnosa: 'Dermatitis atopik' });
    const visits = async (bearer: string) => ((await w.call('post', '/user_schedules/search', bearer, {})).body.user_schedules as { id: number }[]).map((a) => a.id).sort((a, b) => a - b);
    expect(await visits(rina.bearer)).toEqual([sonVisit.id, fatherVisit.id].sort((a, b) => a - b));

    // she also starts another cart for him, left open
    const stale = await cartWithAddress(w, rina.bearer, father.id, shop.menuId, 2);
    await chooseJne(w, rina.bearer, stale);

    // Rina's brother Dedi takes their father over: staff move the father's file to Dedi's account
    const dedi = await newCustomer(w, 'dedi', 'dedi-handphone');
    const dediId = (await w.call('get', '/users/data', dedi.bearer)).body.users.id as number;
    await w.call('put', '/users/patients/link', admin, { id_users: dediId, id_patients: father.id });

    // Dedi now has the father's file with his allergies
    expect(await mine(dedi.bearer)).toEqual([dedi.patientId, father.id].sort((a, b) => a - b));
    expect(await allergiesOf(dedi.bearer, father.id)).toEqual(['Lateks', 'Sulfa']);
    // Rina keeps herself and her son; the father's file, his allergies and the consultation's messages are no longer hers
    expect(await mine(rina.bearer)).toEqual([rina.patientId, son.id].sort((a, b) => a - b));
    await w.call('get', `/patients/${father.id}`, rina.bearer, undefined, 404);
    await w.call('post', '/thread_messages/explore?page=1&length=10', rina.bearer, { id_threads: thread.id }, 404);
    expect((await w.call('get', `/patient_rekam_medis/${sonRecord.id}`, rina.bearer)).body.patient_rekam_medis).toMatchObject({ diagnosa: 'Dermatitis atopik' });
    // what she paid for stays hers: the consultation (listed, without the father) and the order
    const rinaThreads = (await w.call('post', '/threads/overview', rina.bearer, {})).body.active.online_consultations as { id: number; patients: unknown }[];
    expect(rinaThreads.find((th) => th.id === thread.id)).toMatchObject({ patients: null });
    expect((await w.call('get', `/orders/${order.orderId}`, rina.bearer)).body.orders.status).toBe('PAID');
    // Dedi does not get his sister's order, consultation or notifications
    await w.call('get', `/orders/${order.orderId}`, dedi.bearer, undefined, 404);
    await w.call('get', `/threads/${thread.id}`, dedi.bearer, undefined, 404);
    expect((await notificationsAbout(w, dedi.bearer, order.orderId)).filter((n) => n.reference_type === 'orders')).toEqual([]);
    // his data export holds the father's file; Rina's no longer does
    const dediExport = (await w.call('get', '/users/data/export', dedi.bearer)).body.export;
    expect(dediExport.patients.map((p: { id: number }) => p.id)).toContain(father.id);
    const rinaExport = (await w.call('get', '/users/data/export', rina.bearer)).body.export;
    expect(rinaExport.patients.map((p: { id: number }) => p.id)).not.toContain(father.id);

    // Rina's open cart for him can no longer be paid (she may still empty it); Dedi shops for his father himself
    expect((await w.call('put', `/orders/${stale}/checkout`, rina.bearer, {}, 422)).body.errors).toEqual([expect.objectContaining({ field: 'id_patients' })]);
    const dediCart = await fillCart(w, dedi.bearer, father.id, shop.menuId, 1);
    await w.midtransSettles((await w.call('put', `/orders/${dediCart.orderId}/checkout`, dedi.bearer, {})).body.token);
    expect((await w.call('get', `/orders/${dediCart.orderId}`, dedi.bearer)).body.orders).toMatchObject({ status: 'PAID', id_patients: father.id });
    await w.call('get', `/orders/${dediCart.orderId}`, rina.bearer, undefined, 404);

    // the father's coming visit goes with him: Dedi sees it, is reminded of it and may move it; Rina no longer
    expect(await visits(dedi.bearer)).toEqual([fatherVisit.id]);
    expect(await visits(rina.bearer)).toEqual([sonVisit.id]);
    await onClinicDay(w, clinicDayAhead(4).iso, '19:00', () => sendAppointmentReminders(w.t.app));
    // (notifications name their order or appointment by id: the appointment ones are those about visits)
    const aboutVisit = async (bearer: string) => (await notificationsAbout(w, bearer, fatherVisit.id)).map((n) => n.intentions).filter((i) => i.startsWith('appointment_'));
    // each was told of the handover (appointment_transferred); only Dedi is reminded
    expect(await aboutVisit(dedi.bearer)).toEqual(['appointment_reminder', 'appointment_transferred']);
    expect(await aboutVisit(rina.bearer)).toEqual(['appointment_transferred', 'appointment_booked']);
    await w.call('put', `/user_schedules/${fatherVisit.id}/reschedule`, rina.bearer, { id_doctor_schedules: await slotAt(rina.bearer, fatherDay.iso, '11:00'), tanggal: fatherDay.dmy }, 404);
    const moved = (await w.call('put', `/user_schedules/${fatherVisit.id}/reschedule`, dedi.bearer, { id_doctor_schedules: await slotAt(dedi.bearer, fatherDay.iso, '11:00'), tanggal: fatherDay.dmy })).body.user_schedules;
    expect(moved).toMatchObject({ status: 'RESCHEDULE', jam: '11:00:00' });
    // the son's past visit stays in Rina's name, as history
    expect((await w.call('get', `/user_schedules/${sonVisit.id}`, rina.bearer)).body.user_schedules).toMatchObject({ status: 'DONE' });
    // when Rina later has her account deleted, her father's visit, now Dedi's, is not cancelled with hers
    await w.call('delete', `/users/${rina.id}/delete`, admin);
    expect((await w.call('get', `/user_schedules/${fatherVisit.id}`, dedi.bearer)).body.user_schedules).toMatchObject({ status: 'RESCHEDULE', jam: '11:00:00' });
  });
});
