import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';

// A doctor's practice hours (schedules) on one weekday may not overlap: doctor_schedules/generate
// would cut overlapping slots out of them. Touching blocks (one ends when the next starts) are fine.
let t: TestApp;
let admin: TestUser;
let doctorId: number;
let otherDoctorId: number;

const time = (hhmm: string) => new Date(`1970-01-01T${hhmm}:00Z`);
const create = (body: Record<string, unknown>) => t.http.post('/schedules/create').set(t.auth(admin)).send(body);
const update = (id: number, body: Record<string, unknown>) => t.http.put(`/schedules/${id}/update`).set(t.auth(admin)).send(body);

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  doctorId = (await t.app.db.doctor.create({ data: { id_users: (await t.user(['DOCTOR'])).id, is_active: 1 } })).id;
  otherDoctorId = (await t.app.db.doctor.create({ data: { id_users: (await t.user(['DOCTOR'])).id, is_active: 1 } })).id;
});
afterAll(() => t.close());

describe('schedules refuse overlapping practice hours', () => {
  let morning: number;
  let afternoon: number;
  it('refuses a block overlapping another of the doctor on that weekday, naming its times', async () => {
    const first = await create({ id_doctors: doctorId, hari: 'Senin', jam: '09:00', jam_selesai: '12:00' });
    expect(first.status).toBe(200);
    morning = first.body.schedules.id;
    for (const [jam, jam_selesai] of [['11:00', '13:00'], ['08:00', '09:30'], ['09:00', '12:00'], ['10:00', '11:00'], ['08:00', '13:00']]) {
      const res = await create({ id_doctors: doctorId, hari: 'Senin', jam, jam_selesai });
      expect(res.status, `${jam}-${jam_selesai}`).toBe(409);
      expect(res.body.message).toContain('09:00–12:00');
    }
    // touching, another weekday, another doctor: no overlap
    const touching = await create({ id_doctors: doctorId, hari: 'Senin', jam: '12:00', jam_selesai: '15:00' });
    expect(touching.status).toBe(200);
    afternoon = touching.body.schedules.id;
    expect((await create({ id_doctors: doctorId, hari: 'Selasa', jam: '10:00', jam_selesai: '11:00' })).status).toBe(200);
    expect((await create({ id_doctors: otherDoctorId, hari: 'Senin', jam: '10:00', jam_selesai: '11:00' })).status).toBe(200);
    expect(await t.app.db.schedule.count({ where: { id_doctors: doctorId, hari: 'Senin' } })).toBe(2);
  });

  it('refuses an update that makes a block overlap another, not the block itself', async () => {
    const into = await update(afternoon, { jam: '11:30' });
    expect(into.status).toBe(409);
    expect(into.body.message).toContain('09:00–12:00');
    // moving another doctor's or weekday's block onto these hours is refused the same way
    const other = await create({ id_doctors: otherDoctorId, hari: 'Rabu', jam: '09:00', jam_selesai: '10:00' });
    expect((await update(other.body.schedules.id, { id_doctors: doctorId, hari: 'Senin' })).status).toBe(409);
    // a block changing its own times is compared with the others only
    expect((await update(morning, { jam: '08:00', jam_selesai: '12:00' })).status).toBe(200);
    expect((await update(afternoon, { hari: 'Selasa', jam: '11:00', jam_selesai: '12:00' })).status).toBe(200);
    const row = await t.app.db.schedule.findUnique({ where: { id: afternoon } });
    expect(row).toMatchObject({ hari: 'Selasa', jam: time('11:00') });
  });

  it('leaves existing overlapping rows alone', async () => {
    const a = await t.app.db.schedule.create({ data: { id_doctors: otherDoctorId, hari: 'Kamis', jam: time('09:00'), jam_selesai: time('12:00') } });
    await t.app.db.schedule.create({ data: { id_doctors: otherDoctorId, hari: 'Kamis', jam: time('10:00'), jam_selesai: time('11:00') } });
    expect((await t.http.get(`/schedules/${a.id}`)).status).toBe(200);
    expect((await t.http.post('/schedules/explore?page=1&length=10').send({ id_doctors: otherDoctorId, hari: 'Kamis' })).body.data).toHaveLength(2);
  });

  it('lets one of two overlapping blocks sent at the same moment in', async () => {
    for (let i = 0; i < 8; i++) {
      const hari = ['Sabtu', 'Minggu'][i % 2]!;
      const jam = `${String(8 + i).padStart(2, '0')}:00`;
      const res = await Promise.all([
        create({ id_doctors: doctorId, hari, jam, jam_selesai: `${String(9 + i).padStart(2, '0')}:00` }),
        create({ id_doctors: doctorId, hari, jam: `${String(8 + i).padStart(2, '0')}:30`, jam_selesai: `${String(9 + i).padStart(2, '0')}:30` }),
      ]);
      expect(res.map((r) => r.status).sort()).toEqual([200, 409]);
    }
  });
});
