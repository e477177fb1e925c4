import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PNG_1PX, type TestApp, type TestUser } from '../helpers/app.js';

let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());

/** a category with a service in it, a doctor offering the service and a bookable slot */
async function serviceInCategory(name: string) {
  const A = t.auth(admin);
  const cat = (await t.http.post('/service_categories/create').set(A).send({ service_categories: name, codes: `${name}-C`, color: '#123456' })).body.service_categories.id;
  const svc = (await t.http.post('/services/create').set(A).send({ services_name: `${name} service`, services_price: 100000, buffer_time: 30, id_service_categories: cat })).body.services.id;
  const u = await t.user(['DOCTOR']);
  const doc = (await t.http.post('/doctors/create').set(A).send({ id_users: u.id, custom_price: 100000, is_active: 1, id_services: svc })).body.doctors.id;
  const ds = (await t.http.post('/doctor_services/create').set(A).send({ id_doctors: doc, id_services: svc })).body.doctor_services.id;
  for (const hari of ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu']) {
    expect((await t.http.post('/doctor_schedules/create').set(A).send({ id_doctor_services: ds, hari, jam: '20:00' })).status).toBe(200);
  }
  return { cat, svc, doc };
}

describe('a deleted service category', () => {
  it('is absent from the services, pictures, slots and availability that still point at it', async () => {
    const A = t.auth(admin);
    const { cat, svc, doc } = await serviceInCategory('Laser');
    const img = (await t.http.post('/service_images/create').set(A).field('id_services', String(svc)).field('is_primary', '1').attach('picture', PNG_1PX, 'a.png')).body.service_images.id;
    const shown = async () => {
      const search = (await t.http.post('/services/search').send({})).body.services.find((s: any) => s.id === svc);
      const detail = (await t.http.get(`/services/${svc}`)).body.services;
      const table = (await t.http.post('/services/table').send({ draw: 1, length: 100 })).body.data.find((r: any[]) => r[0] === svc);
      const image = (await t.http.get(`/service_images/${img}`)).body.service_images.services;
      const slot = (await t.http.post('/doctor_schedules/search').send({ id_doctors: doc })).body.doctor_schedules[0];
      const slotTable = (await t.http.post('/doctor_schedules/table').send({ draw: 1, id_doctors: doc })).body.data[0];
      const days = (await t.http.post('/user_schedules/check/doctor/availability').send({ id_doctors: doc })).body as any[];
      return {
        search: [search.service_categories, search.services_category, search.codes, search.color],
        detail: detail.service_categories,
        table: [table[2], table[8], table[9]],
        image: image.services_category,
        slot: [slot.service_categories, slotTable[6]],
        availability: days[0].doctors[0].service_categories,
      };
    };
    const before = await shown();
    expect(before).toMatchObject({
      search: ['Laser', 'Laser', 'Laser-C', '#123456'],
      detail: { id: cat, service_categories: 'Laser' },
      table: ['Laser', 'Laser-C', '#123456'],
      image: 'Laser',
      slot: ['Laser', 'Laser'],
      availability: 'Laser',
    });

    expect((await t.http.delete(`/service_categories/${cat}/delete`).set(A)).body).toEqual({ deleted: true });
    expect((await t.http.get(`/service_categories/${cat}`)).status).toBe(404);
    // shown as a service without a category (the id stays, as a product keeps its deleted categories' ids)
    expect(await shown()).toEqual({
      search: ['', '', '', ''],
      detail: {},
      table: ['', '', ''],
      image: '',
      slot: [null, ''],
      availability: null,
    });
    expect((await t.http.get(`/services/${svc}`)).body.services.id_service_categories).toBe(cat);
  });
});

describe('an update re-sending a deleted reference it already has', () => {
  it('keeps a service editable after its category, and a doctor after its service, was deleted; a deleted one is still not newly chosen', async () => {
    const A = t.auth(admin);
    const { cat, svc, doc } = await serviceInCategory('Peel');
    const otherCat = (await t.http.post('/service_categories/create').set(A).send({ service_categories: 'Gone' })).body.service_categories.id;
    expect((await t.http.delete(`/service_categories/${cat}/delete`).set(A)).status).toBe(200);
    expect((await t.http.delete(`/service_categories/${otherCat}/delete`).set(A)).status).toBe(200);
    // the full edit form sends every field back, the stored category included
    const edit = await t.http.put(`/services/${svc}/update`).set(A).send({ services_name: 'Peel renamed', services_price: 120000, id_service_categories: cat });
    expect(edit.status).toBe(200);
    expect(edit.body.services).toMatchObject({ services_name: 'Peel renamed', services_price: 120000, id_service_categories: cat });
    const chosen = await t.http.put(`/services/${svc}/update`).set(A).send({ id_service_categories: otherCat });
    expect(chosen.status).toBe(422);
    expect((await t.http.post('/services/create').set(A).send({ services_name: 'New', id_service_categories: cat })).status).toBe(422);

    // a doctor whose main service was deleted (no upcoming bookings rely on it)
    const gone = (await t.http.post('/services/create').set(A).send({ services_name: 'Old service' })).body.services.id;
    expect((await t.http.put(`/doctors/${doc}/update`).set(A).send({ id_services: gone })).status).toBe(200);
    expect((await t.http.delete(`/services/${gone}/delete`).set(A)).status).toBe(200);
    const docEdit = await t.http.put(`/doctors/${doc}/update`).set(A).send({ id_services: gone, custom_price: 150000, short_description: 'baru' });
    expect(docEdit.status).toBe(200);
    expect(docEdit.body.doctors).toMatchObject({ id_services: gone, custom_price: 150000, short_description: 'baru' });
    expect((await t.http.put(`/doctors/${doc}/update`).set(A).send({ id_services: svc })).status).toBe(200);
    expect((await t.http.put(`/doctors/${doc}/update`).set(A).send({ id_services: gone })).status).toBe(422);
  });
});

describe('the practice hours, slots, doctor services and pictures of a deleted doctor or service', () => {
  it('are gone from every read, as the doctor or service is: by id and in the tables\' totals too', async () => {
    const A = t.auth(admin);
    const { svc, doc } = await serviceInCategory('Derma');
    const hours = (await t.http.post('/schedules/create').set(A).send({ id_doctors: doc, hari: 'Senin', jam: '08:00', jam_selesai: '10:00' })).body.schedules.id;
    const slot = (await t.http.post('/doctor_schedules/search').send({ id_doctors: doc })).body.doctor_schedules[0].id;
    const link = (await t.http.post('/doctor_services/search').send({ id_doctors: doc })).body.doctor_services[0].id;
    const img = (await t.http.post('/service_images/create').set(A).field('id_services', String(svc)).attach('picture', PNG_1PX, 'a.png')).body.service_images.id;
    const reads = async () => ({
      byId: await Promise.all([`/schedules/${hours}`, `/doctor_schedules/${slot}`, `/doctor_services/${link}`, `/service_images/${img}`].map(async (p) => (await t.http.get(p)).status)),
      // a table's unfiltered total counts the rows it can list (DataTables: "filtered from N total")
      totals: await Promise.all(['schedules', 'doctor_schedules', 'doctor_services', 'service_images'].map(async (name) => {
        const b = (await t.http.post(`/${name}/table`).send({ draw: 1 })).body;
        return b.recordsTotal - b.recordsFiltered;
      })),
    });
    expect(await reads()).toEqual({ byId: [200, 200, 200, 200], totals: [0, 0, 0, 0] });
    // the doctor's bookable slots first (none is booked), then the doctor and the service
    expect((await t.http.delete(`/doctors/${doc}/delete`).set(A)).status).toBe(200);
    expect((await t.http.delete(`/services/${svc}/delete`).set(A)).status).toBe(200);
    expect((await t.http.get(`/doctors/${doc}`)).status).toBe(404);
    expect((await t.http.get(`/services/${svc}`)).status).toBe(404);
    expect(await reads()).toEqual({ byId: [404, 404, 404, 404], totals: [0, 0, 0, 0] });
  });
});

describe('a slot of a deleted service', () => {
  it('is not created (422, as for a deleted doctor): its doctor service is gone from every read, and the slot could never be listed or booked', async () => {
    const A = t.auth(admin);
    const { svc, doc } = await serviceInCategory('Peel');
    const link = (await t.http.post('/doctor_services/search').send({ id_doctors: doc })).body.doctor_services[0].id;
    const before = await t.app.db.doctorSchedule.count({ where: { id_doctor_services: link } });
    // its bookable slots first (none is booked), then the service; the doctor stays
    expect((await t.http.delete(`/services/${svc}/delete`).set(A)).status).toBe(200);
    const res = await t.http.post('/doctor_schedules/create').set(A).send({ id_doctor_services: link, hari: 'Senin', jam: '08:00' });
    expect([res.status, res.body.errors]).toEqual([422, [{ field: 'id_doctor_services', message: 'not found' }]]);
    expect(await t.app.db.doctorSchedule.count({ where: { id_doctor_services: link } })).toBe(before);
  });

  it('is neither opened nor closed for booking (404, as every other read and change of it)', async () => {
    const A = t.auth(admin);
    const { svc, doc } = await serviceInCategory('Laser');
    const slot = (await t.http.post('/doctor_schedules/search').send({ id_doctors: doc })).body.doctor_schedules[0].id;
    expect((await t.http.put(`/doctor_schedules/${slot}/unactivate`).set(A)).status).toBe(200);
    expect((await t.http.put(`/doctor_schedules/${slot}/activate`).set(A)).status).toBe(200);
    expect((await t.http.delete(`/services/${svc}/delete`).set(A)).status).toBe(200);
    const [off, on] = [await t.http.put(`/doctor_schedules/${slot}/unactivate`).set(A), await t.http.post(`/doctor_schedules/${slot}/activate`).set(A)];
    expect([off.status, on.status]).toEqual([404, 404]);
    expect((await t.http.get(`/doctor_schedules/${slot}`)).status).toBe(404);
  });
});

describe("a doctor's deleted main service", () => {
  it('is shown as none on the doctor (lists, table, profile), as services/:id is 404; the id stays', async () => {
    const A = t.auth(admin);
    const { doc } = await serviceInCategory('Botox');
    const main = (await t.http.post('/services/create').set(A).send({ services_name: 'Main service' })).body.services.id;
    expect((await t.http.put(`/doctors/${doc}/update`).set(A).send({ id_services: main })).status).toBe(200);
    const shown = async () => {
      const listed = (await t.http.post('/doctors/search').send({})).body.doctors.find((d: any) => d.id === doc);
      const row = (await t.http.post('/doctors/table').send({ draw: 1, length: 100 })).body.data.find((r: any[]) => r[0] === doc);
      const profile = (await t.http.get(`/doctors/${doc}`)).body.doctors;
      return { id: profile.id_services, listed: listed.services_name, table: row[8], profile: profile.services?.services_name ?? null };
    };
    expect(await shown()).toEqual({ id: main, listed: 'Main service', table: 'Main service', profile: 'Main service' });
    expect((await t.http.delete(`/services/${main}/delete`).set(A)).status).toBe(200);
    expect(await shown()).toEqual({ id: main, listed: null, table: '', profile: null });
  });
});
