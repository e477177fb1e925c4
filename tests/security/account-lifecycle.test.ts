import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { createConsultationOrder } from '../consultations/fixtures.js';
import { appointmentWith } from '../patients/fixtures.js';
import { clinicDay, formatDate } from '../../src/lib/dates.js';
import { dayName } from '../../src/modules/clinic/booking.service.js';

// Registration races and spellings, role assignments reaching an owner's account, and what stays of
// a deleted account.

let t: TestApp;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  owner = await t.user(['OWNER', 'ADMIN']);
});
afterAll(() => t.close());

const registration = (name: string, extra: Record<string, unknown> = {}) => ({
  username: name,
  users_fullname: 'Sinta Dewi',
  users_email: `${name}@gmail.com`,
  password: 'qwerty123',
  retype_password: 'qwerty123',
  ...extra,
});

describe('registration', () => {
  it('two registrations at once with one e-mail (any case), username or phone (any spelling): one account, the other 409', async () => {
    const pairs = [
      [registration('race_a1', { users_email: 'race@gmail.com' }), registration('race_a2', { users_email: 'RACE@Gmail.com' })],
      [registration('Race_B'), registration('race_b', { users_email: 'race-b2@gmail.com' })],
      [registration('race_c1', { users_phone: '081377770001' }), registration('race_c2', { users_phone: '+6281377770001' })],
    ];
    for (const pair of pairs) {
      const answers = await Promise.all(pair.map((body) => t.http.post('/users/create').send(body)));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      expect(answers.find((a) => a.status === 409)!.body).toMatchObject({ status: 409, message: expect.stringMatching(/Duplicate/) });
    }
    expect(await t.app.db.user.count({ where: { users_email: 'race@gmail.com' } })).toBe(1);
    expect(await t.app.db.user.count({ where: { username: 'race_b' } })).toBe(1);
    expect(await t.app.db.user.count({ where: { users_phone: '081377770001' } })).toBe(1);
  });

  it('an e-mail with spaces around is the same e-mail, as sign-in reads it: stored trimmed, a duplicate is 409', async () => {
    const res = await t.http.post('/users/create').send(registration('spaced', { users_email: '  Spaced.Out@Gmail.com ' }));
    expect(res.status).toBe(200);
    expect(res.body.users.users_email).toBe('spaced.out@gmail.com');
    const dup = await t.http.post('/users/create').send(registration('spaced2', { users_email: 'spaced.out@gmail.com ' }));
    expect(dup.status).toBe(409);
    const self = await t.user(['CUSTOMER']);
    const update = await t.http.put(`/users/${self.id}/update`).set(t.auth(self)).send({ users_email: ' New.Mail@Gmail.com' });
    expect(update.status).toBe(200);
    expect(update.body.users.users_email).toBe('new.mail@gmail.com');
  });
});

describe("an owner's roles", () => {
  it('are given, changed and taken by owners only: roles/* answer 403 to an admin as users/:id/update does', async () => {
    const admin = await t.user(['ADMIN']);
    const owner2 = await t.user(['OWNER', 'ADMIN']);
    const customer = await t.user(['CUSTOMER']);
    const ownersAdminRole = await t.app.db.userRole.findFirstOrThrow({ where: { id_users: owner2.id, role_codes: 'ADMIN' } });
    const customerRole = await t.app.db.userRole.findFirstOrThrow({ where: { id_users: customer.id } });
    const attempts = [
      t.http.post('/roles/create').set(t.auth(admin)).send({ iduser: owner2.id, rolecodes: 'DOCTOR' }),
      t.http.put(`/roles/${ownersAdminRole.id}/update`).set(t.auth(admin)).send({ iduser: owner2.id, rolecodes: 'CUSTOMER' }),
      t.http.put(`/roles/${ownersAdminRole.id}/update`).set(t.auth(admin)).send({ iduser: customer.id, rolecodes: 'ADMIN' }),
      // a customer's row moved onto the owner changes the owner's account too
      t.http.put(`/roles/${customerRole.id}/update`).set(t.auth(admin)).send({ iduser: owner2.id, rolecodes: 'CUSTOMER' }),
      t.http.delete(`/roles/${ownersAdminRole.id}/delete`).set(t.auth(admin)),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/Only an owner/);
    }
    const roles = await t.app.db.userRole.findMany({ where: { id_users: { in: [owner2.id, customer.id] } }, orderBy: { id: 'asc' } });
    expect(roles.map((r) => [r.id_users, r.role_codes])).toEqual([
      [owner2.id, 'OWNER'],
      [owner2.id, 'ADMIN'],
      [customer.id, 'CUSTOMER'],
    ]);
    // the owner's session is untouched
    expect((await t.http.get('/users/data').set(t.auth(owner2))).status).toBe(200);
    // an owner may; an admin still manages other accounts' roles
    expect((await t.http.post('/roles/create').set(t.auth(owner)).send({ iduser: owner2.id, rolecodes: 'DOCTOR' })).status).toBe(200);
    expect((await t.http.put(`/roles/${customerRole.id}/update`).set(t.auth(admin)).send({ iduser: customer.id, rolecodes: 'DOCTOR' })).status).toBe(200);
  });

  it('the last owner cannot demote themself through users/:id/update either (409)', async () => {
    const t2 = await createTestApp();
    try {
      const only = await t2.user(['OWNER', 'ADMIN']);
      const res = await t2.http.put(`/users/${only.id}/update`).set(t2.auth(only)).send({ roles: ['ADMIN'] });
      expect(res.status).toBe(409);
      expect(await t2.app.db.userRole.count({ where: { id_users: only.id, role_codes: 'OWNER' } })).toBe(1);
    } finally {
      await t2.close();
    }
  });
});

describe('a deleted account', () => {
  it("frees its username, e-mail and phone, blanks its contact data, ends its sessions and pushes; its orders, appointments and patients still render", async () => {
    const admin = await t.user(['ADMIN']);
    const doctor = await t.user(['DOCTOR']);
    const res = await t.http.post('/users/create').send(
      registration('leaving', { users_email: 'leaving@gmail.com', users_phone: '081366660001', users_address: 'Jl. Dago 1, Bandung', users_birthday: '01/02/1990' }),
    );
    expect(res.status).toBe(200);
    const id: number = res.body.users.id;
    const login = await t.http.post('/users/login').send({ username: 'leaving', password: 'qwerty123' });
    const session = { Authorization: `Bearer ${login.body.bearer}` };
    await t.http.post('/users/register_device_token').set(session).send({ device_token: 'leaving-phone-token-01' }).expect(200);
    const db = t.app.db;
    const note = await db.notification.create({ data: { id_user_to: id, title: 'Pesanan dikirim', intentions: 'test' } });
    await db.pushDelivery.create({ data: { id_notifications: note.id, id_users: id, device_token: 'leaving-phone-token-01' } });
    const patient = await db.patient.create({ data: { id_users: id, nama_lengkap_pasien: 'Anak Leaving' } });
    const appointment = await appointmentWith(t, doctor, patient.id, id);
    const order = await createConsultationOrder(t, { id } as TestUser, patient.id, appointment.id_doctors);

    expect((await t.http.delete(`/users/${id}/delete`).set(t.auth(admin))).status).toBe(200);

    expect((await t.http.get('/users/data').set(session)).status).toBe(401);
    const row = await db.user.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ users_fullname: 'Sinta Dewi', users_email: null, users_phone: null, users_address: '', users_birthday: null });
    expect(row.username).not.toBe('leaving');
    expect(row.deleted_at).not.toBeNull();
    expect(await db.userDeviceToken.count({ where: { id_users: id } })).toBe(0);
    expect((await db.pushDelivery.findFirstOrThrow({ where: { id_users: id } })).status).toBe('INVALID');

    // the person may come back, with the same name, address and number (any spelling)
    const again = await t.http.post('/users/create').send(registration('Leaving', { users_email: 'Leaving@gmail.com', users_phone: '+6281366660001' }));
    expect(again.status).toBe(200);
    expect(again.body.users.id).not.toBe(id);
    const relogin = await t.http.post('/users/login').send({ username: 'leaving@gmail.com', password: 'qwerty123' });
    expect(relogin.body.id).toBe(again.body.users.id);

    // the deleted account's history still renders for staff
    for (const path of [`/orders/${order.id}`, `/patients/${patient.id}`, `/user_schedules/${appointment.id}`]) {
      const r = await t.http.get(path).set(t.auth(admin));
      expect(r.status, path).toBe(200);
    }
  });
});

describe("a deleted account's department memberships", () => {
  it('go with it: the department lists only live members (as users/explore does) and can be deleted once its last live member is', async () => {
    const admin = await t.user(['ADMIN']);
    const dept = await t.http.post('/departments/create').set(t.auth(admin)).send({ department_name: 'Front desk', department_codes: 'FD-LEAVE' }).expect(200);
    const departmentId: number = dept.body.departments.id;
    const made = await t.http
      .post('/users/create')
      .set(t.auth(admin))
      .send(registration('desk_leaving', { roles: ['ADMIN'], id_departments: [departmentId] }))
      .expect(200);
    await t.http.delete(`/users/${made.body.users.id}/delete`).set(t.auth(admin)).expect(200);

    const members = await t.http.post('/user_departments/explore').set(t.auth(admin)).send({ id_departments: departmentId }).expect(200);
    const users = await t.http.post('/users/explore').set(t.auth(admin)).send({ id_departments: departmentId }).expect(200);
    expect([members.body.totaldata, users.body.totaldata]).toEqual([0, 0]);
    // "a department that still has members cannot be deleted": a deleted account is no member
    expect((await t.http.delete(`/departments/${departmentId}/delete`).set(t.auth(admin))).status).toBe(200);
  });

  it('the migration takes the accounts deleted before out of their departments, and no live member', async () => {
    const dept = await t.app.db.department.create({ data: { department_name: 'Old desk', department_codes: 'FD-OLD' } });
    const gone = await t.user(['ADMIN'], { deleted_at: new Date() });
    const live = await t.user(['ADMIN']);
    await t.app.db.userDepartment.createMany({ data: [gone, live].map((u) => ({ id_users: u.id, id_departments: dept.id })) });
    const sql = readFileSync('prisma/migrations/20261207060000_deleted_accounts_leave_departments/migration.sql', 'utf8');
    await t.app.db.$executeRawUnsafe(sql);
    expect((await t.app.db.userDepartment.findMany({ where: { id_departments: dept.id } })).map((m) => m.id_users)).toEqual([live.id]);
  });
});

describe("a deleted account's bookings", () => {
  /** the clinic date `days` from today (UTC midnight) and as dd/mm/yyyy */
  const ahead = (days: number) => new Date(clinicDay(new Date()).getTime() + days * 86_400_000);
  const dmy = (d: Date) => formatDate(d)!.split('-').reverse().join('/');

  it('its upcoming bookings, and those of the patients it manages, are cancelled ("account deleted") and their slots freed; the doctor is told, the deleted account not; past ones stay', async () => {
    const admin = await t.user(['ADMIN']);
    const doctorUser = await t.user(['DOCTOR']);
    const leaving = await t.user(['CUSTOMER']);
    const friend = await t.user(['CUSTOMER']);
    const db = t.app.db;
    const service = await db.service.create({ data: { services_name: 'Facial', buffer_time: 30 } });
    const doctor = await db.doctor.create({ data: { id_users: doctorUser.id, is_active: 1 } });
    const ds = await db.doctorService.create({ data: { id_doctors: doctor.id, id_services: service.id, is_active: 1 } });
    const day = ahead(3);
    const slot = async (h: number) =>
      (
        await db.doctorSchedule.create({
          data: { id_doctors: doctor.id, id_doctor_services: ds.id, id_services: service.id, hari: dayName(day), jam: new Date(Date.UTC(1970, 0, 1, h)), jam_selesai: new Date(Date.UTC(1970, 0, 1, h, 30)) },
        })
      ).id;
    const [nine, ten, eleven] = [await slot(9), await slot(10), await slot(11)];
    const own = await db.patient.create({ data: { id_users: leaving.id, nama_lengkap_pasien: 'Anak Leaving' } });
    const friends = await db.patient.create({ data: { id_users: friend.id, nama_lengkap_pasien: 'Teman' } });
    const book = (u: TestUser, id_doctor_schedules: number, id_patients: number, extra: Record<string, unknown> = {}) =>
      t.http.post('/user_schedules/create').set(t.auth(u)).send({ id_doctor_schedules, tanggal: dmy(day), id_patients, ...extra });
    // booked by the account; booked by staff for its patient in another account's name; someone else's
    const byIt = (await book(leaving, nine, own.id).expect(200)).body.user_schedules.id;
    const forIts = (await book(admin, ten, own.id, { id_users: friend.id }).expect(200)).body.user_schedules.id;
    const unrelated = (await book(friend, eleven, friends.id).expect(200)).body.user_schedules.id;
    // a booking of the account whose time has passed (never marked): history, left as it is
    const past = await db.userSchedule.create({
      data: { id_doctors: doctor.id, id_services: service.id, id_doctor_schedules: nine, id_users: leaving.id, id_patients: own.id, hari: dayName(ahead(-7)), tanggal: ahead(-7), jam: new Date(Date.UTC(1970, 0, 1, 9)), jam_selesai: new Date(Date.UTC(1970, 0, 1, 9, 30)) },
    });

    expect((await t.http.delete(`/users/${leaving.id}/delete`).set(t.auth(admin))).status).toBe(200);

    const rows = await db.userSchedule.findMany({ where: { id: { in: [byIt, forIts, unrelated, past.id] } }, orderBy: { id: 'asc' } });
    const state = (id: number) => rows.find((r) => r.id === id)!;
    for (const id of [byIt, forIts]) {
      expect(state(id)).toMatchObject({ status: 'CANCEL', active_slot: null, cancel_reason: 'account deleted', deleted_at: null });
      expect(state(id).cancel_datetime).not.toBeNull();
    }
    expect(state(unrelated)).toMatchObject({ status: 'BOOKING', active_slot: 1, cancel_reason: '' });
    expect(state(past.id)).toMatchObject({ status: 'BOOKING', active_slot: 1, cancel_reason: '', cancel_datetime: null });

    // told as a staff cancel tells: the doctor, and the account the booking is in the name of, unless it is the deleted one
    const cancelled = await db.notification.findMany({ where: { intentions: 'appointment_cancelled', reference_id: { in: [byIt, forIts] } }, orderBy: { id: 'asc' } });
    expect(cancelled.map((n) => [n.reference_id, n.id_user_to]).sort()).toEqual(
      [[byIt, doctorUser.id], [forIts, doctorUser.id], [forIts, friend.id]].sort(),
    );
    // the slots are free again
    const other = await t.user(['CUSTOMER']);
    const otherPatient = await db.patient.create({ data: { id_users: other.id, nama_lengkap_pasien: 'Lain' } });
    expect((await book(other, nine, otherPatient.id)).status).toBe(200);
    const upcoming = await t.http.post('/dashboard/upcoming/offline_appoinments').set(t.auth(admin)).send({ length: 100 });
    expect(upcoming.status).toBe(200);
    const listed = upcoming.body.data.map((r: unknown[]) => r[0]);
    expect(listed).toContain(unrelated);
    expect(listed).not.toContain(byIt);
    expect(listed).not.toContain(forIts);
  });
});
