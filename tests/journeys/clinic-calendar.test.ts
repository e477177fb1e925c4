import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCustomer, notificationsAbout, staffSignsIn } from './shop.js';
import { newPerson, register, startWorld, type World, clinicDayAhead, DAYS } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

/** Staff hire a doctor for the service, practising `from`-`to` every day, slots generated; the doctor signs in on a phone. */
async function doctorJoins(admin: string, serviceId: number, prefix: string, from: string, to: string) {
  const person = newPerson(prefix);
  const user = await register(w, person, { roles: ['DOCTOR'], positions: 'Dokter' }, admin);
  const doctor = (await w.call('post', '/doctors/create', admin, { id_users: Number(user.id), id_services: serviceId, custom_price: 200_000, doctor_description: 'Sp.KK', is_active: 1 })).body.doctors;
  await w.call('post', '/doctor_services/create', admin, { id_doctors: doctor.id, id_services: serviceId, custom_price: 0, doctor_buffer_time: 0, is_active: 1 });
  for (const hari of DAYS) await w.call('post', '/schedules/create', admin, { id_doctors: doctor.id, hari, jam: from, jam_selesai: to });
  await w.call('post', '/doctor_schedules/generate', admin, { id_doctors: doctor.id });
  const login = await w.signIn(person.username, person.password);
  await w.call('post', '/users/register_device_token', login.bearer, { device_token: `${prefix}-doctor-phone`, already_login: false });
  return { doctorId: doctor.id as number, userId: Number(user.id), bearer: login.bearer, name: person.users_fullname };
}

describe('journey: the clinic changes its calendar under booked appointments', () => {
  it('a holiday, practice hours removed and shortened, a slot closed and a doctor leaving (visits and a paid consultation handed over): the patients are moved or cancelled and told, and nobody books the removed times', async () => {
    const admin = (await staffSignsIn(w)).bearer;
    const cat = (await w.call('post', '/service_categories/create', admin, { service_categories: 'Facial', codes: 'FC', color: '#ffffff' })).body.service_categories;
    const service = (await w.call('post', '/services/create', admin, { services_name: 'Facial Acne', services_price: '150000', buffer_time: '30', id_service_categories: cat.id })).body.services;
    const drA = await doctorJoins(admin, service.id, 'dra', '09:00', '12:00');
    const drB = await doctorJoins(admin, service.id, 'drb', '13:00', '15:00');
    /** The start times the booking screen offers on a day for a doctor (none when the day is not listed). */
    const freeTimes = async (bearer: string, doctorId: number, iso: string) => {
      const days = (await w.call('post', '/user_schedules/check/doctor/availability', bearer, { id_doctors: doctorId, id_services: service.id })).body as any[];
      return (days.find((d) => d.schedule === iso)?.doctors ?? []) as { id: number; jam_mulai: string }[];
    };
    const slotAt = async (bearer: string, doctorId: number, iso: string, jam: string) => {
      const slot = (await freeTimes(bearer, doctorId, iso)).find((s) => s.jam_mulai === jam);
      expect(slot, `${jam} on ${iso} offered`).toBeDefined();
      return slot!.id;
    };
    const appointment = async (bearer: string, id: number) => (await w.call('get', `/user_schedules/${id}`, bearer)).body.user_schedules;

    const holiday = clinicDayAhead(6);
    const moved = clinicDayAhead(8);
    const rina = await newCustomer(w, 'rina', 'rina-phone');
    const budi = await newCustomer(w, 'budi', 'budi-phone');

    // Rina and Budi book doctor A on the same day, 09:00 and 10:00
    const rinaVisit = (await w.call('post', '/user_schedules/create', rina.bearer, { id_doctor_schedules: await slotAt(rina.bearer, drA.doctorId, holiday.iso, '09:00'), tanggal: holiday.dmy, id_patients: rina.patientId })).body.user_schedules;
    const budiVisit = (await w.call('post', '/user_schedules/create', budi.bearer, { id_doctor_schedules: await slotAt(budi.bearer, drA.doctorId, holiday.iso, '10:00'), tanggal: holiday.dmy, id_patients: budi.patientId })).body.user_schedules;
    expect([rinaVisit.status, budiVisit.status]).toEqual(['BOOKING', 'BOOKING']);

    // the owner declares that day a holiday: refused while the two visits stand, and nothing changed for them
    const refused = (await w.call('post', '/holidays/create', admin, { dates: holiday.dmy, descriptions: 'Cuti bersama' }, 409)).body;
    expect(refused.message).toContain('2 active bookings');
    expect((await appointment(rina.bearer, rinaVisit.id)).status).toBe('BOOKING');
    expect((await w.call('post', '/holidays/search', null, {})).body.holidays).toEqual([]);

    // the front desk moves Budi two days later and cancels Rina's visit (she asked not to be moved), then declares the holiday
    const budiSlot = await slotAt(admin, drA.doctorId, moved.iso, '09:00');
    const budiMoved = (await w.call('put', `/user_schedules/${budiVisit.id}/reschedule`, admin, { id_doctor_schedules: budiSlot, tanggal: moved.dmy })).body.user_schedules;
    expect(budiMoved).toMatchObject({ status: 'RESCHEDULE', tanggal: moved.iso, jam: '09:00:00', reschedule_counts: 1 });
    await w.call('put', `/user_schedules/${rinaVisit.id}/cancel`, admin, { cancel_reason: 'Klinik libur cuti bersama' });
    await w.call('post', '/holidays/create', admin, { dates: holiday.dmy, descriptions: 'Cuti bersama' });

    // what the patients see and were told
    expect(await appointment(rina.bearer, rinaVisit.id)).toMatchObject({ status: 'CANCEL', cancel_reason: 'Klinik libur cuti bersama' });
    const rinaNotes = await notificationsAbout(w, rina.bearer, rinaVisit.id);
    expect(rinaNotes.map((n) => n.intentions).sort()).toEqual(['appointment_booked', 'appointment_cancelled']);
    expect(rinaNotes.find((n) => n.intentions === 'appointment_cancelled')!.content).toContain('Klinik libur cuti bersama');
    expect((await notificationsAbout(w, budi.bearer, budiVisit.id)).map((n) => n.intentions).sort()).toEqual(['appointment_booked', 'appointment_rescheduled']);
    expect(await w.pushesTo('rina-phone')).toContain('Janji temu dibatalkan');
    expect(await w.pushesTo('budi-phone')).toContain('Janji temu dijadwalkan ulang');
    // the doctor was told of both
    expect((await notificationsAbout(w, drA.bearer, rinaVisit.id)).map((n) => n.intentions)).toContain('appointment_cancelled');
    expect((await notificationsAbout(w, drA.bearer, budiVisit.id)).map((n) => n.intentions)).toContain('appointment_rescheduled');
    // Rina's home screen no longer shows a coming visit; Budi's shows the new date
    expect((await w.call('get', '/users/data', rina.bearer)).body.users.next_appointments).toEqual([]);
    expect(JSON.stringify((await w.call('get', '/users/data', budi.bearer)).body.users.next_appointments)).toContain(moved.iso);

    // nobody books the holiday: not offered for either doctor, refused for the customer and the front desk alike
    expect(await freeTimes(rina.bearer, drA.doctorId, holiday.iso)).toEqual([]);
    expect(await freeTimes(rina.bearer, drB.doctorId, holiday.iso)).toEqual([]);
    const closed = (await w.call('post', '/user_schedules/create', rina.bearer, { id_doctor_schedules: rinaVisit.id_doctor_schedules, tanggal: holiday.dmy, id_patients: rina.patientId }, 422)).body;
    expect(closed.message).toContain('closed');
    await w.call('post', '/user_schedules/create', admin, { id_doctor_schedules: rinaVisit.id_doctor_schedules, tanggal: holiday.dmy, id_patients: rina.patientId }, 422);
    await w.call('put', `/user_schedules/${budiVisit.id}/reschedule`, budi.bearer, { id_doctor_schedules: rinaVisit.id_doctor_schedules, tanggal: holiday.dmy }, 422);

    // doctor A stops practising on one weekday and shortens another: the removed hours are no longer offered nor bookable
    const hoursOn = async (iso: string) => {
      const hari = DAYS[new Date(`${iso}T00:00:00Z`).getUTCDay()]!;
      return (await w.call('post', '/schedules/search', admin, { id_doctors: drA.doctorId, hari })).body.schedules[0].id as number;
    };
    const dropped = clinicDayAhead(9);
    const shortened = clinicDayAhead(10);
    const droppedSlot = await slotAt(admin, drA.doctorId, dropped.iso, '11:00');
    await w.call('delete', `/schedules/${await hoursOn(dropped.iso)}/delete`, admin);
    await w.call('put', `/schedules/${await hoursOn(shortened.iso)}/update`, admin, { jam_selesai: '10:30' });
    expect(await freeTimes(rina.bearer, drA.doctorId, dropped.iso)).toEqual([]);
    expect((await freeTimes(rina.bearer, drA.doctorId, shortened.iso)).map((s) => s.jam_mulai)).toEqual(['09:00', '09:30', '10:00']);
    expect([404, 422]).toContain((await w.t.http.post('/user_schedules/create').set('Authorization', `Bearer ${rina.bearer}`).send({ id_doctor_schedules: droppedSlot, tanggal: dropped.dmy, id_patients: rina.patientId })).status);
    // hours with a booked visit on them stay until the visit is moved: Budi's weekday cannot be dropped
    const kept = (await w.call('delete', `/schedules/${await hoursOn(moved.iso)}/delete`, admin, undefined, 409)).body;
    expect(kept.message).toContain('1 active booking');
    expect((await appointment(budi.bearer, budiVisit.id)).status).toBe('RESCHEDULE');

    // the front desk closes Budi's 09:00 slot: his visit stays as it is, nobody else gets that time
    await w.call('put', `/doctor_schedules/${budiSlot}/unactivate`, admin, {});
    expect(await appointment(budi.bearer, budiVisit.id)).toMatchObject({ status: 'RESCHEDULE', jam: '09:00:00', tanggal: moved.iso });
    const nextWeek = clinicDayAhead(15);
    expect((await freeTimes(rina.bearer, drA.doctorId, nextWeek.iso)).map((s) => s.jam_mulai)).not.toContain('09:00');
    await w.call('post', '/user_schedules/create', rina.bearer, { id_doctor_schedules: budiSlot, tanggal: nextWeek.dmy, id_patients: rina.patientId }, 422);

    // doctor A leaves: the profile and the account stay while Budi's visit lies ahead
    expect((await w.call('delete', `/doctors/${drA.doctorId}/delete`, admin, undefined, 409)).body.message).toContain('1 active booking');
    await w.call('delete', `/users/${drA.userId}/delete`, admin, undefined, 409);
    // Budi is moved to doctor B the same day; both doctors and Budi are told
    const bSlot = await slotAt(admin, drB.doctorId, moved.iso, '13:00');
    const toB = (await w.call('put', `/user_schedules/${budiVisit.id}/reschedule`, admin, { id_doctor_schedules: bSlot, tanggal: moved.dmy })).body.user_schedules;
    expect(toB).toMatchObject({ status: 'RESCHEDULE', id_doctors: drB.doctorId, jam: '13:00:00', reschedule_counts: 2 });
    expect((await notificationsAbout(w, budi.bearer, budiVisit.id)).filter((n) => n.intentions === 'appointment_rescheduled')).toHaveLength(2);
    expect((await notificationsAbout(w, drA.bearer, budiVisit.id)).filter((n) => n.intentions === 'appointment_rescheduled')).toHaveLength(2);
    expect((await notificationsAbout(w, drB.bearer, budiVisit.id)).map((n) => n.intentions)).toEqual(['appointment_rescheduled']);
    // A still owes Rina a paid online consultation: the profile stays until staff hand it to doctor B
    const consult = (await w.call('post', '/orders/init', rina.bearer, { id_patients: rina.patientId, order_type: 'C' })).body.orders;
    await w.call('post', '/orders/c_add_to_carts', rina.bearer, { id_order: consult.id, items: [{ id_doctors: drA.doctorId, qty: 1 }] });
    await w.midtransSettles((await w.call('put', `/orders/${consult.id}/checkout`, rina.bearer, {})).body.token);
    const thread = ((await w.call('post', '/threads/search', rina.bearer, {})).body.threads as { id: number; id_order: number }[]).find((th) => Number(th.id_order) === consult.id)!;
    await w.call('post', '/thread_messages/text', rina.bearer, { id_threads: thread.id, content: 'Dok, kulit saya kemerahan' });
    expect((await w.call('delete', `/doctors/${drA.doctorId}/delete`, admin, undefined, 409)).body.message).toContain('1 open paid consultation');
    await w.call('put', `/threads/${thread.id}/update`, admin, { id_user_to: drB.userId });
    // B is told a consultation waits for them and reads Rina's question; Rina is told who answers now; A is out of it
    const handed = (await notificationsAbout(w, drB.bearer, thread.id)).filter((n) => n.intentions === 'consultation_opened');
    expect(handed).toHaveLength(1);
    expect(await w.pushesTo('drb-doctor-phone')).toContain('Konsultasi online dialihkan');
    expect(((await notificationsAbout(w, rina.bearer, thread.id)).find((n) => n.title === 'Konsultasi online dialihkan'))!.content).toContain(drB.name);
    const asked = (await w.call('post', '/thread_messages/explore?page=1&length=10', drB.bearer, { id_threads: thread.id })).body.data as { content: string }[];
    expect(asked.map((m) => m.content)).toEqual(['Dok, kulit saya kemerahan']);
    await w.call('post', '/thread_messages/text', drA.bearer, { id_threads: thread.id, content: 'Saya masih di sini' }, 404);
    await w.call('post', '/thread_messages/text', drB.bearer, { id_threads: thread.id, content: 'Saya lanjutkan, Bu' });
    // now A's profile and account go; A is no longer listed or bookable, B sees Budi's visit
    await w.call('delete', `/doctors/${drA.doctorId}/delete`, admin);
    await w.call('delete', `/users/${drA.userId}/delete`, admin);
    const listed = (await w.call('post', '/doctors/search', budi.bearer, {})).body.doctors as { id: number }[];
    expect(listed.map((d) => d.id)).toEqual([drB.doctorId]);
    expect([404, 422]).toContain((await w.t.http.post('/user_schedules/create').set('Authorization', `Bearer ${rina.bearer}`).send({ id_doctor_schedules: rinaVisit.id_doctor_schedules, tanggal: nextWeek.dmy, id_patients: rina.patientId })).status);
    const withB = (await w.call('post', '/user_schedules/search', drB.bearer, { status_array: ['BOOKING', 'RESCHEDULE'] })).body.user_schedules as { id: number }[];
    expect(withB.map((a) => a.id)).toEqual([budiVisit.id]);
    // Budi's and Rina's appointments still read with the doctor they had (history), Rina's cancelled one included
    expect((await appointment(budi.bearer, budiVisit.id)).id_doctors).toBe(drB.doctorId);
    const history = await appointment(rina.bearer, rinaVisit.id);
    expect(history).toMatchObject({ status: 'CANCEL', doctors: { id: drA.doctorId, users_fullname: drA.name }, doctor_schedules: { id: rinaVisit.id_doctor_schedules, jam: '09:00:00' } });

    // the holiday is lifted: the day is offered again (by doctor B; A is gone)
    const h = (await w.call('post', '/holidays/search', admin, {})).body.holidays[0];
    await w.call('delete', `/holidays/${h.id}/delete`, admin);
    expect((await freeTimes(rina.bearer, drB.doctorId, holiday.iso)).map((s) => s.jam_mulai)).toEqual(['13:00', '13:30', '14:00', '14:30']);
  });
});
