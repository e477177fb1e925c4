import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PNG_1PX, type TestApp, type TestUser } from '../helpers/app.js';

let t: TestApp;
let admin: TestUser;
let customer: TestUser;
let doctorUser: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  doctorUser = await t.user(['DOCTOR'], { users_fullname: 'dr. Andini' });
});
afterAll(() => t.close());

describe('service_categories and services', () => {
  let cat: number;
  let svc: number;
  it('creates, uploads a picture, lists and updates a category', async () => {
    const res = await t.http.post('/service_categories/create').set(t.auth(admin)).send({ service_categories: 'Obat Alergi', codes: 'OA01', color: '#002121' });
    expect(res.status).toBe(200);
    expect(res.body.service_categories).toMatchObject({ service_categories: 'Obat Alergi', codes: 'OA01', color: '#002121', images: '' });
    cat = res.body.service_categories.id;
    const up = await t.http.post(`/service_categories/${cat}/uploads`).set(t.auth(admin)).attach('picture', PNG_1PX, 'x.png');
    expect(up.status).toBe(200);
    expect(up.body.images).toMatchObject({ id: cat, image_upload: true, img_path: expect.stringMatching(/^http:\/\/api\.test\/uploads\/service_categories\/\w+\.png$/) });
    const bad = await t.http.post(`/service_categories/${cat}/uploads`).set(t.auth(admin)).attach('picture', Buffer.from('not an image'), 'x.png');
    expect(bad.status).toBe(415);
    const list = await t.http.post('/service_categories/explore?page=1&length=10').send({});
    expect(list.body).toMatchObject({ page: 1, totaldata: 1, data: [{ id: cat, img_path: up.body.images.img_path }] });
    const upd = await t.http.put(`/service_categories/${cat}/update`).set(t.auth(admin)).send({ color: '#000000' });
    expect(upd.body.service_categories).toMatchObject({ service_categories: 'Obat Alergi', codes: 'OA01', color: '#000000' });
  });

  it('creates services with string numbers, filters them and refuses bad input', async () => {
    const res = await t.http.post('/services/create').set(t.auth(admin)).send({
      services_name: 'Cek kolestrol', services_price: '100000', services_description: 'Cek', buffer_time: '30', is_available: 1, id_service_categories: String(cat),
    });
    expect(res.status).toBe(200);
    expect(res.body.services).toMatchObject({ services_name: 'Cek kolestrol', services_price: 100000, buffer_time: 30, is_available: 1, service_categories: { id: cat } });
    svc = res.body.services.id;
    await t.http.post('/services/create').set(t.auth(admin)).send({ services_name: 'Hidden', is_available: 0 });
    const search = await t.http.post('/services/search').send({ is_available: 1 });
    expect(search.body.services.map((s: any) => s.services_name)).toEqual(['Cek kolestrol']);
    expect(search.body.services[0]).toMatchObject({ services_category: 'Obat Alergi', service_categories: 'Obat Alergi', codes: 'OA01', id_service_categories: cat });
    const table = await t.http.post('/services/table').send({ draw: 1, start: 0, length: 10, search: { value: 'kolest' } });
    expect(table.body).toMatchObject({ draw: 1, recordsTotal: 2, recordsFiltered: 1 });
    // a filter narrows the table as a search does; with neither, the filtered count is the total
    const byFilter = await t.http.post('/services/table').send({ draw: 2, start: 0, length: 10, is_available: 0 });
    expect(byFilter.body).toMatchObject({ draw: 2, recordsTotal: 2, recordsFiltered: 1 });
    expect(byFilter.body.data.map((row: unknown[]) => row[1])).toEqual(['Hidden']);
    const all = await t.http.post('/services/table').send({ draw: 3, start: 0, length: 1 });
    expect(all.body).toMatchObject({ draw: 3, recordsTotal: 2, recordsFiltered: 2 });
    expect(all.body.data).toHaveLength(1);
    expect(table.body.data[0].slice(0, 3)).toEqual([svc, 'Cek kolestrol', 'Obat Alergi']);
    const bad = await t.http.post('/services/create').set(t.auth(admin)).send({ services_name: '', services_price: 1.5, id_service_categories: 99999 });
    expect(bad.status).toBe(400);
    const unknownCat = await t.http.post('/services/create').set(t.auth(admin)).send({ services_name: 'X', id_service_categories: 99999 });
    expect(unknownCat.status).toBe(422);
    expect((await t.http.post('/services/create').set(t.auth(customer)).send({ services_name: 'X' })).status).toBe(403);
    expect((await t.http.post('/services/create').send({ services_name: 'X' })).status).toBe(401);
  });

  it('stores service images with one primary picture', async () => {
    const a = await t.http.post('/service_images/create').set(t.auth(admin)).field('id_services', String(svc)).field('is_primary', '1').attach('picture', PNG_1PX, 'a.png');
    expect(a.status).toBe(200);
    expect(a.body.service_images).toMatchObject({ id_services: svc, is_primary: 1, image_upload: true, services: { id: svc, services_name: 'Cek kolestrol' } });
    const b = await t.http.post('/service_images/create').set(t.auth(admin)).field('id_services', String(svc)).field('is_primary', '1').attach('picture', PNG_1PX, 'b.png');
    expect(b.status).toBe(200);
    const rows = await t.app.db.serviceImage.findMany({ where: { id_services: svc }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.is_primary)).toEqual([0, 1]);
    const list = await t.http.post('/service_images/search').send({ id_services: svc });
    expect(list.body.service_images[0]).toMatchObject({ id: b.body.service_images.id, img_path: expect.stringContaining('/uploads/services/') });
    const got = await t.http.get(`/services/${svc}`);
    expect(got.body.services.img_path).toBe(b.body.service_images.img_path);
    expect((await t.http.delete(`/service_images/${a.body.service_images.id}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
    expect((await t.http.get(`/service_images/${a.body.service_images.id}`)).status).toBe(404);
  });

  it('updates a service picture by the fields sent only (absent ones keep their value)', async () => {
    const a = await t.http.post('/service_images/create').set(t.auth(admin))
      .field('id_services', String(svc)).field('is_primary', '1').field('nomor_urut_tampil', '3').attach('picture', PNG_1PX, 'a.png');
    const id = a.body.service_images.id;
    const pic = await t.http.put(`/service_images/${id}/update`).set(t.auth(admin)).field('id_services', String(svc)).attach('picture', PNG_1PX, 'b.png');
    expect(pic.status).toBe(200);
    expect(pic.body.service_images).toMatchObject({ id, id_services: svc, is_primary: 1, nomor_urut_tampil: 3 });
    const order = await t.http.post(`/service_images/${id}/update`).set(t.auth(admin)).field('nomor_urut_tampil', '5');
    expect(order.body.service_images).toMatchObject({ id, id_services: svc, is_primary: 1, nomor_urut_tampil: 5, service_image: pic.body.service_images.service_image });
    expect(await t.app.db.serviceImage.findUniqueOrThrow({ where: { id } })).toMatchObject({ id_services: svc, is_primary: 1, nomor_urut_tampil: 5 });
    // a primary picture moved to another service (is_primary not sent) stays its only primary one
    const other = (await t.http.post('/services/create').set(t.auth(admin)).send({ services_name: 'Facial' })).body.services.id;
    const b = await t.http.post('/service_images/create').set(t.auth(admin)).field('id_services', String(other)).field('is_primary', '1').attach('picture', PNG_1PX, 'c.png');
    const moved = await t.http.put(`/service_images/${id}/update`).set(t.auth(admin)).field('id_services', String(other));
    expect(moved.body.service_images).toMatchObject({ id_services: other, is_primary: 1, nomor_urut_tampil: 5 });
    const rows = await t.app.db.serviceImage.findMany({ where: { id_services: other }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.id, r.is_primary])).toEqual([[id, 1], [b.body.service_images.id, 0]]);
  });

  it('keeps no uploaded file when a picture change is refused, and removes the replaced file after the change', async () => {
    const files = () => new Set(readdirSync(path.join(t.app.config.UPLOAD_DIR, 'services')));
    const a = await t.http.post('/service_images/create').set(t.auth(admin)).field('id_services', String(svc)).attach('picture', PNG_1PX, 'a.png');
    const id = a.body.service_images.id;
    const before = files();
    const missing = await t.http.put('/service_images/999999/update').set(t.auth(admin)).field('id_services', String(svc)).attach('picture', PNG_1PX, 'c.png');
    expect({ status: missing.status, files: files() }).toEqual({ status: 404, files: before });
    const unknown = await t.http.put(`/service_images/${id}/update`).set(t.auth(admin)).field('id_services', '999999').attach('picture', PNG_1PX, 'c.png');
    expect({ status: unknown.status, files: files() }).toEqual({ status: 422, files: before });
    const created = await t.http.post('/service_images/create').set(t.auth(admin)).field('id_services', '999999').attach('picture', PNG_1PX, 'c.png');
    expect({ status: created.status, files: files() }).toEqual({ status: 422, files: before });
    expect(await t.app.db.serviceImage.findUniqueOrThrow({ where: { id } })).toMatchObject({ id_services: svc, service_image: a.body.service_images.service_image });

    const replaced = await t.http.put(`/service_images/${id}/update`).set(t.auth(admin)).field('id_services', String(svc)).attach('picture', PNG_1PX, 'd.png');
    expect(replaced.status).toBe(200);
    const now = replaced.body.service_images.service_image;
    expect(files()).toEqual(new Set([...before].filter((f) => f !== a.body.service_images.service_image).concat(now)));
  });
});

describe('doctors, doctor_services, schedules, holidays', () => {
  let doctorId: number;
  it('creates a doctor profile only for a DOCTOR user, answers under doctors and stylists, restores after delete', async () => {
    const notDoctor = await t.http.post('/doctors/create').set(t.auth(admin)).send({ id_users: customer.id });
    expect(notDoctor.status).toBe(422);
    const res = await t.http.post('/doctors/create').set(t.auth(admin)).send({ id_users: doctorUser.id, custom_price: 300000, doctor_description: 'Sp.KK', availability_description: 'senin', short_description: 'pendek', is_active: 1 });
    expect(res.status).toBe(200);
    expect(res.body.stylists).toEqual(res.body.doctors);
    expect(res.body.doctors).toMatchObject({ id_users: doctorUser.id, id_services: 0, custom_price: 300000, services: null, users: { id: doctorUser.id, users_fullname: 'dr. Andini' } });
    expect(JSON.stringify(res.body)).not.toMatch(/password_hash|\$2b\$/);
    doctorId = res.body.doctors.id;
    expect((await t.http.post('/doctors/create').set(t.auth(admin)).send({ id_users: doctorUser.id })).status).toBe(409);
    const list = await t.http.post('/doctors/search').send({ id_users: doctorUser.id });
    expect(list.body.doctors).toEqual([expect.objectContaining({ id: doctorId, users_fullname: 'dr. Andini', services_name: null })]);
    expect((await t.http.delete(`/doctors/${doctorId}/delete`).set(t.auth(admin))).body).toEqual({ deleted: true });
    expect((await t.http.get(`/doctors/${doctorId}`)).status).toBe(404);
    const again = await t.http.post('/doctors/create').set(t.auth(admin)).send({ id_users: doctorUser.id, custom_price: 100 });
    expect(again.body.doctors).toMatchObject({ id: doctorId, custom_price: 100 });
    const upd = await t.http.put(`/doctors/${doctorId}/update`).set(t.auth(admin)).send({ custom_price: 125000 });
    expect(upd.body).toMatchObject({ doctors: { custom_price: 125000 }, stylists: { custom_price: 125000 } });
  });

  it("shows the public a doctor's profile without the account's contact data and security state", async () => {
    await t.app.db.user.update({ where: { id: doctorUser.id }, data: { users_phone: '081299990000', num_of_login_attempts: 3 } });
    const pub = (await t.http.get(`/doctors/${doctorId}`)).body.doctors.users;
    expect(pub).toMatchObject({ id: doctorUser.id, users_fullname: 'dr. Andini', users_email: '', users_phone: '', num_of_login_attempts: 0, is_blocked: 0 });
    const asCustomer = (await t.http.get(`/doctors/${doctorId}`).set(t.auth(customer))).body.doctors.users;
    expect(asCustomer.users_phone).toBe('');
    for (const viewer of [admin, doctorUser]) {
      const full = (await t.http.get(`/doctors/${doctorId}`).set(t.auth(viewer))).body.doctors.users;
      expect(full).toMatchObject({ users_phone: '081299990000', num_of_login_attempts: 3 });
      expect(full.users_email).toContain('@');
    }
  });

  it('links services once per doctor and validates practice hours', async () => {
    const svc = await t.app.db.service.create({ data: { services_name: 'Facial', buffer_time: 45 } });
    const ds = await t.http.post('/doctor_services/create').set(t.auth(admin)).send({ id_doctors: doctorId, id_services: svc.id, custom_price: 300000, doctor_buffer_time: 15 });
    expect(ds.status).toBe(200);
    expect(ds.body.doctor_services).toMatchObject({ custom_price: 300000, doctor_buffer_time: 15, is_active: 0, doctors: { id: doctorId }, services: { id: svc.id } });
    expect((await t.http.post('/doctor_services/create').set(t.auth(admin)).send({ id_doctors: doctorId, id_services: svc.id })).status).toBe(409);
    // the doctors' id_services filter finds the doctors offering the service, through doctor_services
    // too (this doctor's own id_services is 0, as in the document's sample)
    const offering = await t.http.post('/doctors/search').send({ id_services: svc.id });
    expect(offering.body.doctors).toEqual([expect.objectContaining({ id: doctorId, id_services: 0 })]);
    const explored = await t.http.post('/doctors/explore?page=1&length=10').send({ id_services: svc.id, id_users: doctorUser.id });
    expect(explored.body).toMatchObject({ totaldata: 1, data: [expect.objectContaining({ id: doctorId })] });
    const other = await t.app.db.service.create({ data: { services_name: 'Peeling', buffer_time: 30 } });
    expect((await t.http.post('/doctors/table').send({ id_services: other.id })).body).toMatchObject({ recordsFiltered: 0, data: [] });
    const explore = await t.http.post('/doctor_services/explore?page=1&length=10').send({ id_doctors: doctorId });
    expect(explore.body.data[0]).toMatchObject({ doctors: 'dr. Andini', services_name: 'Facial', doctor_buffer_time: 15 });

    const bad = await t.http.post('/schedules/create').set(t.auth(admin)).send({ id_doctors: doctorId, hari: 'Monday', jam: '10:00', jam_selesai: '09:00' });
    expect(bad.status).toBe(400);
    const sch = await t.http.post('/schedules/create').set(t.auth(admin)).send({ id_doctors: doctorId, hari: 'Senin', jam: '08:00', jam_selesai: '10:00' });
    expect(sch.body.schedules).toMatchObject({ hari: 'Senin', jam: '08:00:00', jam_selesai: '10:00:00', doctors: { id: doctorId } });
    const gen = await t.http.post('/doctor_schedules/generate').set(t.auth(admin)).send({ id_doctors: doctorId });
    // 60-minute slots (45 + 15) in 08:00-10:00
    expect(gen.body.data.map((d: any) => [d.day, d.open])).toEqual([['Senin', '08:00'], ['Senin', '09:00']]);
    const slot = await t.http.post('/doctor_schedules/create').set(t.auth(admin)).send({ id_doctors: doctorId, id_doctor_services: ds.body.doctor_services.id, hari: 'Selasa', jam: '17:00' });
    expect(slot.body.doctor_schedules).toMatchObject({ hari: 'Selasa', jam: '17:00:00', jam_selesai: '18:00:00', doctors: { id: doctorId }, doctor_services: { id: ds.body.doctor_services.id } });
    const dup = await t.http.post('/doctor_schedules/create').set(t.auth(admin)).send({ id_doctor_services: ds.body.doctor_services.id, hari: 'Selasa', jam: '17:00' });
    expect(dup.status).toBe(409);
    const table = await t.http.post('/doctor_schedules/table').send({ draw: 1, id_doctors: doctorId, order: [{ column: 4, dir: 'desc' }] });
    expect(table.body.data.map((r: any[]) => r[4])).toEqual(['17:00:00', '09:00:00', '08:00:00']);
  });

  it('keeps holidays unique by date and lists them in order', async () => {
    const a = await t.http.post('/holidays/create').set(t.auth(admin)).send({ dates: '16/06/2030', descriptions: 'Idul Adha' });
    expect(a.body.holidays).toEqual({ id: expect.any(Number), dates: '2030-06-16', descriptions: 'Idul Adha' });
    expect((await t.http.post('/holidays/create').set(t.auth(admin)).send({ dates: '2030-06-16' })).status).toBe(409);
    expect((await t.http.post('/holidays/create').set(t.auth(admin)).send({ dates: '31/02/2030' })).status).toBe(400);
    const upd = await t.http.post(`/holidays/${a.body.holidays.id}/update`).set(t.auth(admin)).send({ dates: '17/06/2030' });
    expect(upd.body.holidays.dates).toBe('2030-06-17');
    const list = await t.http.post('/holidays/search').send({});
    expect(list.body.holidays).toHaveLength(1);
    const table = await t.http.post('/holidays/table').send({ draw: 2 });
    expect(table.body.data).toEqual([[a.body.holidays.id, '2030-06-17', 'Idul Adha']]);
  });
});

describe('documented answers', () => {
  it('answers every read and write route of the clinic catalogue in its documented shape', async () => {
    const A = t.auth(admin);
    const doctor = await t.app.db.doctor.findFirstOrThrow({ where: { id_users: doctorUser.id } });
    const ds = await t.app.db.doctorService.findFirstOrThrow({ where: { id_doctors: doctor.id } });
    const sch = await t.app.db.schedule.findFirstOrThrow({ where: { id_doctors: doctor.id } });
    const slot = await t.app.db.doctorSchedule.findFirstOrThrow({ where: { id_doctors: doctor.id } });
    const cat = await t.app.db.serviceCategory.findFirstOrThrow();
    const bare = await t.app.db.service.create({ data: { services_name: 'Tanpa kategori' } });
    const img = await t.http.post('/service_images/create').set(A).field('id_services', String(bare.id)).attach('picture', PNG_1PX, 'c.png');
    expect(img.status).toBe(200);
    const hol = await t.http.post('/holidays/create').set(A).send({ dates: '01/01/2031', descriptions: 'Tahun Baru' });
    const calls: [string, string, object?][] = [
      ['get', `/service_categories/${cat.id}`],
      ['post', '/service_categories/search', {}],
      ['post', '/service_categories/table', { draw: 1 }],
      ['get', `/services/${bare.id}`],
      ['post', '/services/explore?page=1&length=5', {}],
      ['get', `/service_images/${img.body.service_images.id}`],
      ['post', '/service_images/explore?page=1&length=5', {}],
      ['post', '/service_images/table', { draw: 1 }],
      ['get', `/doctors/${doctor.id}`],
      ['put', `/doctors/${doctor.id}/update`, { id_services: bare.id }],
      ['post', '/doctors/explore?page=1&length=5', {}],
      ['post', '/doctors/table', { draw: 1 }],
      ['get', `/doctor_services/${ds.id}`],
      ['put', `/doctor_services/${ds.id}/update`, { is_active: 1 }],
      ['post', '/doctor_services/search', {}],
      ['post', '/doctor_services/table', { draw: 1 }],
      ['get', `/schedules/${sch.id}`],
      ['put', `/schedules/${sch.id}/update`, { jam_selesai: '11:00' }],
      ['post', '/schedules/explore?page=1&length=5', {}],
      ['post', '/schedules/search', {}],
      ['post', '/schedules/table', { draw: 1 }],
      ['get', `/doctor_schedules/${slot.id}`],
      ['put', `/doctor_schedules/${slot.id}/update`, { custom_price: 250000 }],
      ['put', `/doctor_schedules/${slot.id}/unactivate`],
      ['put', `/doctor_schedules/${slot.id}/activate`],
      ['post', '/doctor_schedules/explore?page=1&length=5', {}],
      ['post', '/doctor_schedules/search', {}],
      ['get', `/holidays/${hol.body.holidays.id}`],
      ['post', '/holidays/explore?page=1&length=5', {}],
      ['delete', `/holidays/${hol.body.holidays.id}/delete`],
      ['post', '/user_schedules/check/doctor/availability', { id_doctors: doctor.id }],
    ];
    for (const [method, path, body] of calls) {
      const res = await (t.http as any)[method](path).set(A).send(body);
      expect([path, res.status, res.body?.message]).toEqual([path, 200, undefined]);
    }
    const svc = await t.http.get(`/services/${bare.id}`);
    expect(svc.body.services).toMatchObject({ service_categories: {}, service_images: [{ id_services: bare.id }] });
    const upd = await t.http.put(`/service_images/${img.body.service_images.id}/update`).set(A).field('id_services', String(bare.id)).field('is_primary', '1');
    expect(upd.body.service_images).toMatchObject({ is_primary: 1, image_upload: true, services: { id: bare.id } });
    const doc = await t.http.get(`/doctors/${doctor.id}`);
    expect(doc.body.doctors.services).toMatchObject({ id: bare.id, services_category: '' });
  });
});

describe('robustness', () => {
  it('never answers 500 to junk input on any clinic route', async () => {
    const { clinicRoutes } = await import('../../src/modules/clinic/routes.js');
    const junk = [
      { id_doctors: 'abc', tanggal: [], hari: 5, jam: '99:99', dates: 'x', id_doctor_schedules: -1, order: 'x', search: 5, start: 'z', status_array: 'BOOKING' },
      { draw: 1, start: 0, length: 10, order: [{ column: 17, dir: 'asc' }, { column: 99, dir: 'desc' }], search: { value: "'; drop table x" } },
      { id_doctors: 2_147_483_647, id_services: 2_147_483_647, id_doctor_schedules: 2_147_483_647, tanggal: '01/01/2099', id_patients: 2_147_483_647, date_from: '01/01/2020', date_to: '01/01/2021' },
    ];
    const failures: string[] = [];
    for (const r of clinicRoutes) {
      const methods = Array.isArray(r.method) ? r.method : [r.method];
      for (const [i, body] of junk.entries()) {
        const path = r.path.replace(/:id\b/g, i === 2 ? '2147483647' : '1');
        const res = await (t.http as any)[methods[0]](path).set(t.auth(admin)).send(body);
        if (res.status >= 500) failures.push(`${methods[0]} ${path} ${JSON.stringify(body)} → ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('slots end by midnight', () => {
  /** a new doctor with a 60-minute service: [doctor id, doctor service id] */
  async function doctorWithHourService() {
    const A = t.auth(admin);
    const u = await t.user(['DOCTOR']);
    const svc = (await t.http.post('/services/create').set(A).send({ services_name: 'Art Peel', services_price: 300000, buffer_time: 60 })).body.services.id;
    const doc = (await t.http.post('/doctors/create').set(A).send({ id_users: u.id, is_active: 1 })).body.doctors.id;
    const ds = (await t.http.post('/doctor_services/create').set(A).send({ id_doctors: doc, id_services: svc })).body.doctor_services.id;
    return [doc, ds] as const;
  }

  it('refuses to create or move a slot that would not end by midnight (422), instead of shortening it', async () => {
    const A = t.auth(admin);
    const [doc, ds] = await doctorWithHourService();
    const late = await t.http.post('/doctor_schedules/create').set(A).send({ id_doctor_services: ds, hari: 'Senin', jam: '23:30' });
    expect([late.status, late.body.message]).toEqual([422, 'a slot must end by midnight']);
    expect(late.body.errors).toEqual([{ field: 'jam', message: 'a slot must end by midnight' }]);
    expect(await t.app.db.doctorSchedule.count({ where: { id_doctors: doc } })).toBe(0);
    const ok = await t.http.post('/doctor_schedules/create').set(A).send({ id_doctor_services: ds, hari: 'Senin', jam: '22:59' });
    expect(ok.status).toBe(200);
    expect(ok.body.doctor_schedules).toMatchObject({ jam: '22:59:00', jam_selesai: '23:59:00' });
    const moved = await t.http.put(`/doctor_schedules/${ok.body.doctor_schedules.id}/update`).set(A).send({ jam: '23:00' });
    expect([moved.status, moved.body.message]).toEqual([422, 'a slot must end by midnight']);
    const row = await t.app.db.doctorSchedule.findUniqueOrThrow({ where: { id: ok.body.doctor_schedules.id } });
    expect(row.jam.toISOString()).toBe('1970-01-01T22:59:00.000Z');

    // a slot stored shortened before this rule (23:30-23:59 for 60 minutes) is neither listed nor booked
    const svc = await t.app.db.doctorService.findUniqueOrThrow({ where: { id: ds } });
    const legacy = await t.app.db.doctorSchedule.create({
      data: { id_doctors: doc, id_doctor_services: ds, id_services: svc.id_services, hari: 'Selasa', jam: new Date('1970-01-01T23:30:00Z'), jam_selesai: new Date('1970-01-01T23:59:00Z') },
    });
    const days = (await t.http.post('/user_schedules/check/doctor/availability').send({ id_doctors: doc })).body as any[];
    expect(days.flatMap((d) => d.doctors.map((s: any) => s.id))).not.toContain(legacy.id);
    const monday = days.find((d) => d.day_id === 'Senin')!.schedule as string; // the Selasa after it:
    const next = new Date(new Date(`${monday}T00:00:00Z`).getTime() + 86_400_000).toISOString().slice(0, 10);
    const pat = await t.app.db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Pasien' } });
    const res = await t.http.post('/user_schedules/create').set(A).send({ id_doctor_schedules: legacy.id, tanggal: next, id_patients: pat.id });
    expect([res.status, res.body.message]).toEqual([422, 'a slot must end by midnight']);
  });

  it("store the new end of their slots when the service's or the doctor's minutes change, as availability and booking count them", async () => {
    const A = t.auth(admin);
    const [doc, ds] = await doctorWithHourService();
    const svc = (await t.app.db.doctorService.findUniqueOrThrow({ where: { id: ds } })).id_services;
    const create = (hari: string, jam: string) => t.http.post('/doctor_schedules/create').set(A).send({ id_doctor_services: ds, hari, jam });
    const [nine, late] = [(await create('Rabu', '09:00')).body.doctor_schedules.id, (await create('Rabu', '22:30')).body.doctor_schedules.id];
    const ends = async () =>
      ((await t.http.post('/doctor_schedules/search').send({ id_doctors: doc })).body.doctor_schedules as any[]).map((s) => [s.jam, s.jam_selesai]);
    expect(await ends()).toEqual([['09:00:00', '10:00:00'], ['22:30:00', '23:30:00']]);

    expect((await t.http.put(`/doctor_services/${ds}/update`).set(A).send({ doctor_buffer_time: 15 })).status).toBe(200);
    expect(await ends()).toEqual([['09:00:00', '10:15:00'], ['22:30:00', '23:45:00']]);
    expect((await t.http.get(`/doctor_schedules/${nine}`)).body.doctor_schedules).toMatchObject({ jam_selesai: '10:15:00', doctor_buffer_time: 15 });
    const free = ((await t.http.post('/user_schedules/check/doctor/availability').send({ id_doctors: doc })).body as any[]).find((d) => d.day_id === 'Rabu')!;
    expect(free.doctors.find((s: any) => s.id === nine)).toMatchObject({ jam_mulai: '09:00', jam_selesai: '10:15' });

    // 90 + 15 minutes: the 22:30 slot no longer ends by midnight and keeps its stored end (neither listed nor booked)
    expect((await t.http.put(`/services/${svc}/update`).set(A).send({ buffer_time: 90 })).status).toBe(200);
    expect(await ends()).toEqual([['09:00:00', '10:45:00'], ['22:30:00', '23:45:00']]);
    const row = await t.app.db.doctorSchedule.findUniqueOrThrow({ where: { id: late } });
    expect(row.jam_selesai.toISOString()).toBe('1970-01-01T23:45:00.000Z');
  });

  it("leave a deleted service's slots out of the lists, as a deleted doctor's (they cannot be booked)", async () => {
    const A = t.auth(admin);
    const [doc, ds] = await doctorWithHourService();
    const svc = (await t.app.db.doctorService.findUniqueOrThrow({ where: { id: ds } })).id_services;
    const slot = (await t.http.post('/doctor_schedules/create').set(A).send({ id_doctor_services: ds, hari: 'Kamis', jam: '09:00' })).body.doctor_schedules.id;
    const listed = async () => {
      const search = (await t.http.post('/doctor_schedules/search').send({ id_doctors: doc })).body.doctor_schedules.map((s: any) => s.id);
      const explore = (await t.http.post('/doctor_schedules/explore?page=1&length=10').send({ id_doctors: doc })).body;
      const table = (await t.http.post('/doctor_schedules/table').send({ draw: 1, id_doctors: doc })).body;
      return { search, explore: [explore.totaldata, explore.data.map((s: any) => s.id)], table: [table.recordsFiltered, table.data.map((r: any) => r[0])] };
    };
    expect(await listed()).toEqual({ search: [slot], explore: [1, [slot]], table: [1, [slot]] });
    expect((await t.http.delete(`/services/${svc}/delete`).set(A)).status).toBe(200);
    expect(await listed()).toEqual({ search: [], explore: [0, []], table: [0, []] });
  });
});

describe('doctor_services delete', () => {
  it('deletes a doctor service whose slots are all deleted; refuses while live slots exist (422) or appointments keep it as history (409)', async () => {
    const A = t.auth(admin);
    const u = await t.user(['DOCTOR']);
    const svc = (await t.http.post('/services/create').set(A).send({ services_name: 'Facial', services_price: 100000, buffer_time: 30 })).body.services.id;
    const svc2 = (await t.http.post('/services/create').set(A).send({ services_name: 'Peeling', services_price: 100000, buffer_time: 30 })).body.services.id;
    const doc = (await t.http.post('/doctors/create').set(A).send({ id_users: u.id, is_active: 1 })).body.doctors.id;
    const ds = (await t.http.post('/doctor_services/create').set(A).send({ id_doctors: doc, id_services: svc })).body.doctor_services.id;
    const slot = (await t.http.post('/doctor_schedules/create').set(A).send({ id_doctor_services: ds, hari: 'Senin', jam: '09:00' })).body.doctor_schedules.id;
    const live = await t.http.delete(`/doctor_services/${ds}/delete`).set(A);
    expect([live.status, live.body.message]).toEqual([422, 'Delete the doctor schedules of this doctor service first (deactivated ones too)']);
    // deactivating the slot is not enough: it is still live (the answer used to say it was)
    expect((await t.http.put(`/doctor_schedules/${slot}/unactivate`).set(A)).status).toBe(200);
    expect((await t.http.delete(`/doctor_services/${ds}/delete`).set(A)).status).toBe(422);
    expect((await t.http.delete(`/doctor_schedules/${slot}/delete`).set(A)).status).toBe(200);
    const res = await t.http.delete(`/doctor_services/${ds}/delete`).set(A);
    expect([res.status, res.body]).toEqual([200, { deleted: true }]);
    expect(await t.app.db.doctorService.count({ where: { id: ds } })).toBe(0);
    expect(await t.app.db.doctorSchedule.count({ where: { id: slot } })).toBe(0);
    // the service can be linked again
    expect((await t.http.post('/doctor_services/create').set(A).send({ id_doctors: doc, id_services: svc })).status).toBe(200);

    // a deleted slot that an appointment references keeps its doctor service
    const ds2 = (await t.http.post('/doctor_services/create').set(A).send({ id_doctors: doc, id_services: svc2 })).body.doctor_services.id;
    const slot2 = (await t.http.post('/doctor_schedules/create').set(A).send({ id_doctor_services: ds2, hari: 'Senin', jam: '10:00' })).body.doctor_schedules.id;
    const pat = await t.app.db.patient.create({ data: { id_users: customer.id, nama_lengkap_pasien: 'Pasien' } });
    await t.app.db.userSchedule.create({
      data: { id_doctors: doc, id_services: svc2, id_doctor_schedules: slot2, id_users: customer.id, id_patients: pat.id, hari: 'Senin', tanggal: new Date('2026-01-05T00:00:00Z'), jam: new Date('1970-01-01T10:00:00Z'), jam_selesai: new Date('1970-01-01T10:30:00Z'), status: 'DONE', active_slot: 1 },
    });
    expect((await t.http.delete(`/doctor_schedules/${slot2}/delete`).set(A)).status).toBe(200);
    const kept = await t.http.delete(`/doctor_services/${ds2}/delete`).set(A);
    expect([kept.status, kept.body.message]).toEqual([409, 'This doctor service is kept as the history of 1 appointment (its slots are deleted)']);
    expect(await t.app.db.doctorService.count({ where: { id: ds2 } })).toBe(1);
    expect(await t.app.db.doctorSchedule.count({ where: { id: slot2 } })).toBe(1);
  });
});

describe('doctors/:id/update giving the profile to another account (id_users)', () => {
  it('refuses an account that is not a live doctor (422) or that already has a doctor profile, live or deleted (409), and changes nothing', async () => {
    const A = t.auth(admin);
    const [a, b, c, gone] = [await t.user(['DOCTOR']), await t.user(['DOCTOR']), await t.user(['DOCTOR']), await t.user(['DOCTOR'])];
    const mine = (await t.http.post('/doctors/create').set(A).send({ id_users: a.id }).expect(200)).body.doctors.id;
    const live = (await t.http.post('/doctors/create').set(A).send({ id_users: b.id }).expect(200)).body.doctors.id;
    const deleted = (await t.http.post('/doctors/create').set(A).send({ id_users: c.id }).expect(200)).body.doctors.id;
    await t.http.delete(`/doctors/${deleted}/delete`).set(A).expect(200);
    await t.app.db.user.update({ where: { id: gone.id }, data: { deleted_at: new Date() } });
    for (const id_users of [customer.id, gone.id, 999_999]) {
      const res = await t.http.put(`/doctors/${mine}/update`).set(A).send({ id_users });
      expect([res.status, res.body.errors]).toEqual([422, [{ field: 'id_users', message: 'not a doctor' }]]);
    }
    for (const [id_users, message] of [
      [b.id, `User ${b.id} already has a doctor profile (doctors ${live})`],
      [c.id, `User ${c.id} already has a doctor profile (doctors ${deleted}, deleted: restore it with doctors/create)`],
    ] as const) {
      const res = await t.http.put(`/doctors/${mine}/update`).set(A).send({ id_users });
      expect([res.status, res.body.message]).toEqual([409, message]);
    }
    expect((await t.app.db.doctor.findUniqueOrThrow({ where: { id: mine } })).id_users).toBe(a.id);
    // sending its own account back is no change; a live doctor without a profile takes it
    await t.http.put(`/doctors/${mine}/update`).set(A).send({ id_users: a.id, custom_price: 1000 }).expect(200);
    const d = await t.user(['DOCTOR']);
    expect((await t.http.put(`/doctors/${mine}/update`).set(A).send({ id_users: d.id }).expect(200)).body.doctors.id_users).toBe(d.id);
  });
});
