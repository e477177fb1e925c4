import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PNG_1PX, type TestApp, type TestUser } from '../helpers/app.js';
import { breakAuditLog, entryOf, lastSeq, logsAfter, repairAuditLog, REFUSED } from '../helpers/audit-log.js';

// The generic audit entry of a staff change (register.ts auditAdminChange) commits with the change
// on the catalogue, clinic and account routes that store a picture or change a slot or a device:
// an entry that cannot be written undoes the change, and a picture stored for it is removed while
// the one it would have replaced stays, still referenced.

let t: TestApp;
let admin: TestUser;
let customer: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
});
afterAll(() => t.close());

afterEach(() => repairAuditLog(t));

/** every file under the public and private upload folders */
function uploadedFiles(): string[] {
  const list = (root: string) => {
    try {
      return readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(root, path.join(e.parentPath, e.name)));
    } catch {
      return [];
    }
  };
  return [...list(t.app.config.UPLOAD_DIR).map((f) => `public/${f}`), ...list(t.app.config.PRIVATE_UPLOAD_DIR).map((f) => `private/${f}`)].sort();
}

/** What these routes change (every row: the database is small), the audit log, and the upload folders. */
async function state() {
  const db = t.app.db;
  const byId = { orderBy: { id: 'asc' } } as const;
  return {
    menuCategories: await db.menuCategory.findMany(byId),
    serviceCategories: await db.serviceCategory.findMany(byId),
    promotions: await db.promotion.findMany(byId),
    pictures: await db.user.findMany({ ...byId, select: { id: true, users_picture: true } }),
    menuImages: await db.menuImage.findMany(byId),
    serviceImages: await db.serviceImage.findMany(byId),
    slots: await db.doctorSchedule.findMany(byId),
    devices: await db.userDeviceToken.findMany(byId),
    pushes: await db.pushDelivery.findMany(byId),
    logs: await db.log.count(),
    files: uploadedFiles(),
  };
}

const as = (u: TestUser, method: 'post' | 'put', url: string) => t.http[method](url).set(t.auth(u)).set('User-Agent', 'audit-test/1');
const upload = (u: TestUser, url: string, fields: Record<string, string | number> = {}, picture = true) => {
  let req = as(u, 'post', url);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, String(v));
  return picture ? req.attach('picture', PNG_1PX, 'p.png') : req;
};

let n = 0;
/** A menu category, service category, promotion, product and service, each with a picture already (a replacement keeps or removes it). */
async function catalogue() {
  n += 1;
  const A = t.auth(admin);
  const menuCategory = (await t.http.post('/menu_categories/create').set(A).send({ menu_categories: `Serum ${n}`, codes: `S${n}` }).expect(200)).body.menu_categories.id as number;
  const serviceCategory = (await t.http.post('/service_categories/create').set(A).send({ service_categories: `Facial ${n}`, codes: `F${n}` }).expect(200)).body.service_categories.id as number;
  const promotion = (
    await t.http
      .post('/promotions/create')
      .set(A)
      .send({ type: 'POTONGAN', value: 25000, quota: 10, start_datetime: '20/10/2025 00:00', expired_datetime: '20/12/2099 23:00', display_codes: `FILES${n}` })
      .expect(200)
  ).body.promotions.id as number;
  const menu = (await t.app.db.menu.create({ data: { nama_menus: `Toner ${n}`, harga: 1000 } })).id;
  const service = (await t.app.db.service.create({ data: { services_name: `Peeling ${n}` } })).id;
  for (const url of [`/menu_categories/${menuCategory}/uploads`, `/service_categories/${serviceCategory}/uploads`, `/promotions/${promotion}/uploads`]) await upload(admin, url).expect(200);
  await upload(admin, '/users/picture/upload', { id_users: customer.id }).expect(200);
  const menuImage = (await upload(admin, '/menu_images/create', { id_menus: menu }).expect(200)).body.menu_images.id as number;
  const serviceImage = (await upload(admin, '/service_images/create', { id_services: service }).expect(200)).body.service_images.id as number;
  return { menuCategory, serviceCategory, promotion, menu, service, menuImage, serviceImage };
}

/** A doctor with practice hours and one 30-minute service, and no slots yet. */
async function doctor() {
  const user = await t.user(['DOCTOR']);
  const service = await t.app.db.service.create({ data: { services_name: 'Konsultasi', buffer_time: 30 } });
  const doc = await t.app.db.doctor.create({ data: { id_users: user.id, id_services: service.id } });
  await t.app.db.doctorService.create({ data: { id_doctors: doc.id, id_services: service.id, is_active: 1 } });
  await t.app.db.schedule.create({ data: { id_doctors: doc.id, hari: 'Senin', jam: new Date('1970-01-01T09:00:00Z'), jam_selesai: new Date('1970-01-01T11:00:00Z') } });
  return doc.id;
}

type Fixture = Awaited<ReturnType<typeof catalogue>> & { doctor: number; slot: number; inactiveSlot: number; device: string };

/** one route (or code path) each, so that each is seen failing on its own */
const BROKEN: [string, (f: Fixture) => ReturnType<typeof as>][] = [
  ['menu_categories/:id/uploads', (f) => upload(admin, `/menu_categories/${f.menuCategory}/uploads`)],
  ['service_categories/:id/uploads', (f) => upload(admin, `/service_categories/${f.serviceCategory}/uploads`)],
  ['promotions/:id/uploads', (f) => upload(admin, `/promotions/${f.promotion}/uploads`)],
  ["users/picture/upload (a customer's picture)", () => upload(admin, '/users/picture/upload', { id_users: customer.id })],
  ['menu_images/create', (f) => upload(admin, '/menu_images/create', { id_menus: f.menu, is_primary: 1 })],
  ['menu_images/:id/update with a new picture', (f) => upload(admin, `/menu_images/${f.menuImage}/update`, { nomor_urut_tampil: 5 })],
  ['menu_images/:id/update without a picture', (f) => upload(admin, `/menu_images/${f.menuImage}/update`, { nomor_urut_tampil: 6 }, false)],
  ['service_images/create', (f) => upload(admin, '/service_images/create', { id_services: f.service, is_primary: 1 })],
  ['service_images/:id/update with a new picture', (f) => upload(admin, `/service_images/${f.serviceImage}/update`, { nomor_urut_tampil: 5 })],
  ['service_images/:id/update without a picture', (f) => upload(admin, `/service_images/${f.serviceImage}/update`, { nomor_urut_tampil: 6 }, false)],
  ['doctor_schedules/generate', (f) => as(admin, 'post', '/doctor_schedules/generate').send({ id_doctors: f.doctor })],
  ['doctor_schedules/:id/unactivate', (f) => as(admin, 'put', `/doctor_schedules/${f.slot}/unactivate`)],
  ['doctor_schedules/:id/activate', (f) => as(admin, 'post', `/doctor_schedules/${f.inactiveSlot}/activate`)],
  ["users/register_device_token (a customer's device, with a push pending)", (f) => as(admin, 'post', '/users/register_device_token').send({ device_token: f.device })],
];

describe('a staff change of these routes whose audit entry cannot be written', () => {
  let f: Fixture;
  beforeAll(async () => {
    const c = await catalogue();
    // slots to switch; `doctor` has none yet (generate would make them)
    const other = await doctor();
    await as(admin, 'post', '/doctor_schedules/generate').send({ id_doctors: other }).expect(200);
    const [slot, inactiveSlot] = await t.app.db.doctorSchedule.findMany({ where: { id_doctors: other }, orderBy: { id: 'asc' } });
    await t.app.db.doctorSchedule.update({ where: { id: inactiveSlot!.id }, data: { is_active: 0 } });
    const device = 'files-customer-device-0001';
    await as(customer, 'post', '/users/register_device_token').send({ device_token: device }).expect(200);
    const note = await t.app.db.notification.create({ data: { id_user_to: customer.id, title: 'Hai' } });
    await t.app.db.pushDelivery.create({ data: { id_notifications: note.id, id_users: customer.id, device_token: device } });
    f = { ...c, doctor: await doctor(), slot: slot!.id, inactiveSlot: inactiveSlot!.id, device };
  });

  // a picture route: the row still names the old file, which is still there, and no new file is left
  it.each(BROKEN)('%s: an error, and the database and the upload folders as they were', async (_, call) => {
    const before = await state();
    await breakAuditLog(t);
    const res = await call(f);
    expect([res.status, res.body]).toEqual([500, REFUSED]);
    expect(await state()).toEqual(before);
  });
});

describe("a customer's own change on these routes (not audited)", () => {
  it('is made as before with the audit log broken: their picture, their device', async () => {
    const old = (await t.app.db.user.findUniqueOrThrow({ where: { id: customer.id } })).users_picture;
    await breakAuditLog(t);
    const res = await upload(customer, '/users/picture/upload').expect(200);
    expect((await t.app.db.user.findUniqueOrThrow({ where: { id: customer.id } })).users_picture).toBe(res.body.img);
    expect(uploadedFiles()).toContain(`public/users/${res.body.img}`);
    if (old) expect(uploadedFiles()).not.toContain(`public/users/${old}`);
    await as(customer, 'put', '/users/register_device_token').send({ device_token: 'files-own-device-0001' }).expect(200);
    expect(await t.app.db.userDeviceToken.findUniqueOrThrow({ where: { device_token: 'files-own-device-0001' } })).toMatchObject({ id_users: customer.id });
  });
});

describe('a staff change of these routes', () => {
  it('has exactly one entry, as before: who, role, action, resource and id', async () => {
    const c = await catalogue();
    const id_doctors = await doctor();
    const from = await lastSeq(t);

    await upload(admin, `/menu_categories/${c.menuCategory}/uploads`).expect(200);
    await upload(admin, `/service_categories/${c.serviceCategory}/uploads`).expect(200);
    await upload(admin, `/promotions/${c.promotion}/uploads`).expect(200);
    await upload(admin, '/users/picture/upload', { id_users: customer.id }).expect(200);
    const menuImage = (await upload(admin, '/menu_images/create', { id_menus: c.menu }).expect(200)).body.menu_images.id;
    await upload(admin, `/menu_images/${menuImage}/update`, { is_primary: 1 }).expect(200);
    const serviceImage = (await upload(admin, '/service_images/create', { id_services: c.service }).expect(200)).body.service_images.id;
    await as(admin, 'put', `/service_images/${serviceImage}/update`).field('nomor_urut_tampil', '2').expect(200);
    expect((await as(admin, 'post', '/doctor_schedules/generate').send({ id_doctors }).expect(200)).body.data).toHaveLength(4);
    const slot = await t.app.db.doctorSchedule.findFirstOrThrow({ where: { id_doctors } });
    await as(admin, 'put', `/doctor_schedules/${slot.id}/unactivate`).expect(200);
    await as(admin, 'post', `/doctor_schedules/${slot.id}/activate`).expect(200);
    await as(admin, 'post', '/users/register_device_token').send({ device_token: 'files-staff-device-0001' }).expect(200);

    const entry = (action: string, resource: string, id: number | null) => entryOf(action, resource, id, admin);
    const rows = await logsAfter(t, from);
    expect(rows).toEqual(
      [
        entry('POST /menu_categories/:id/uploads', 'menu_categories', c.menuCategory),
        entry('POST /service_categories/:id/uploads', 'service_categories', c.serviceCategory),
        entry('POST /promotions/:id/uploads', 'promotions', c.promotion),
        entry('POST /users/picture/upload', 'users', null),
        entry('POST /menu_images/create', 'menu_images', menuImage),
        entry('POST /menu_images/:id/update', 'menu_images', menuImage),
        entry('POST /service_images/create', 'service_images', serviceImage),
        entry('PUT /service_images/:id/update', 'service_images', serviceImage),
        entry('POST /doctor_schedules/generate', 'doctor_schedules', null),
        entry('PUT /doctor_schedules/:id/unactivate', 'doctor_schedules', slot.id),
        entry('POST /doctor_schedules/:id/activate', 'doctor_schedules', slot.id),
        entry('POST /users/register_device_token', 'users', null),
      ].map((e) => expect.objectContaining(e)),
    );
  });
});
