import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { STAFF } from '../../http/auth-user.js';
import { conflict, notFound, unprocessable } from '../../http/errors.js';
import { resourceRoutes, softDeleteLive, type Column } from '../../http/resource.js';
import * as shape from '../../http/response.js';
import { route, type RequestContext, type RouteDef } from '../../http/route.js';
import { formatDate, formatTime } from '../../lib/dates.js';
import * as s from '../../lib/schemas.js';
import { openPaidConsultationsOf } from '../identity/users.service.js';
import { holdLiveDoctor } from '../identity/account-holds.js';
import { lockDoctor, MIDNIGHT, refuseIfBooked, refuseProfileBookedBy, slotEnd } from './booking.service.js';
import { dropSlotsOutsideHours, generateSlots, refreshSlotEnds } from './slots.service.js';
import { replaceStoredFile } from '../../lib/replace-file.js';
import {
  DAYS_ID,
  categoryJSON,
  categorySchema,
  doctorBriefInclude,
  doctorBriefJSON,
  doctorBriefSchema,
  doctorDetailJSON,
  doctorDetailSchema,
  doctorScheduleDetailJSON,
  doctorScheduleDetailSchema,
  doctorScheduleListInclude,
  doctorScheduleListJSON,
  doctorScheduleListSchema,
  doctorServiceDetailJSON,
  doctorServiceDetailSchema,
  doctorServiceListJSON,
  doctorServiceListSchema,
  holidayJSON,
  holidaySchema,
  hhmm,
  liveCategory,
  liveService,
  scheduleDetailJSON,
  scheduleDetailSchema,
  scheduleListJSON,
  scheduleListSchema,
  serviceBriefJSON,
  serviceBriefSchema,
  serviceDetailJSON,
  serviceDetailSchema,
  serviceImageJSON,
  serviceImageSchema,
  serviceListJSON,
  serviceListSchema,
  serviceNestedInclude,
  userInclude,
} from './serializers.js';
import { containsText } from '../../lib/text-search.js';
import type { Tx } from '../../db/client.js';

const access = { read: 'public', write: STAFF } as const;
export const hari = z.enum(DAYS_ID);
const col = (name: string, value: Column['value'], sortable: string | false = name): Column => ({
  name,
  value,
  orderBy: sortable ? (d) => ({ [sortable]: d }) : undefined,
});
const plain = (name: string, sortable: string | false = name) => col(name, (r) => r[name], sortable);
/** hari sorts by its place in the week (hari_no, Senin first), not as text */
const hariColumn = plain('hari', 'hari_no');

/** the fields of a create body as an update body: all optional and without defaults (absent = unchanged) */
function updateOf<T extends z.ZodRawShape>(obj: z.ZodObject<T>) {
  const shape = Object.fromEntries(
    Object.entries(obj.shape).map(([k, v]) => {
      const inner = (v as any).def?.type === 'default' ? (v as any).def.innerType : v;
      return [k, (inner as z.ZodType).optional()];
    }),
  );
  return z.object(shape) as unknown as z.ZodObject<{ [K in keyof T]: z.ZodOptional<T[K]> }>;
}

// ---------------------------------------------------------------- service_categories
const categoryBody = z.object({ service_categories: s.requiredText(200), codes: s.text(200).default(''), color: s.text(20).default('') });

const serviceCategories = resourceRoutes({
  name: 'service_categories',
  model: (db) => db.serviceCategory,
  access,
  softDelete: true,
  searchFields: ['service_categories', 'codes'],
  toJSON: (r, c) => categoryJSON(c.app, r),
  schema: categorySchema,
  columns: [plain('id'), plain('service_categories'), plain('codes'), plain('color'), plain('images')],
  create: { body: categoryBody, run: async (b, _c, tx) => (await tx.serviceCategory.create({ data: b })).id },
  update: { body: updateOf(categoryBody), run: async (id, b, _c, tx) => void (await tx.serviceCategory.update({ where: { id }, data: b })) },
});

const categoryUpload = route({
  method: 'post',
  path: '/service_categories/:id/uploads',
  access: STAFF,
  tag: 'service_categories',
  summary: "Upload a service category's picture (multipart field `picture`)",
  upload: { field: 'picture', accept: 'image' },
  response: shape.one('images', z.object({ id: shape.int, image_upload: z.literal(true), img_path: shape.str })),
  handler: async ({ app, params, file, auditChange }) => {
    const missing = () => notFound(`service_categories ${params.id} not found`);
    if (!(await app.db.serviceCategory.findFirst({ where: { id: params.id, deleted_at: null }, select: { id: true } }))) throw missing();
    // the replaced picture is read under the row lock (see replaceStoredFile)
    const { name } = await replaceStoredFile(app, 'public', 'service_categories', file!, async (tx, name) => {
      const [row] = await tx.$queryRaw<{ images: string }[]>`SELECT images FROM service_categories WHERE id = ${params.id} AND deleted_at IS NULL FOR UPDATE`;
      if (!row) throw missing();
      await tx.serviceCategory.update({ where: { id: params.id }, data: { images: name } });
      await auditChange(tx);
      return { old: row.images, result: undefined };
    });
    return { images: { id: params.id, image_upload: true, img_path: app.storage.publicUrl('service_categories', name) } };
  },
});

// ---------------------------------------------------------------- services
const serviceBody = z.object({
  services_name: s.requiredText(200),
  services_price: s.money.default(0),
  services_description: s.longText.default(''),
  buffer_time: s.number((n) => n.int().min(0).max(480)).default(0),
  is_available: s.flag.default(1),
  id_service_categories: s.optionalRef.default(0),
});

async function checkCategory(tx: any, id: number) {
  if (!id) return null;
  const cat = await tx.serviceCategory.findFirst({ where: { id, deleted_at: null }, select: { id: true } });
  if (!cat) throw unprocessable('Unknown service category', [{ field: 'id_service_categories', message: 'not found' }]);
  return id;
}

const services = resourceRoutes({
  name: 'services',
  model: (db) => db.service,
  access,
  softDelete: true,
  filters: z.object({ is_available: s.flag.optional(), id_service_categories: s.id.optional(), services_name: s.text(200).optional() }),
  where: (f) => ({
    is_available: f.is_available,
    id_service_categories: f.id_service_categories,
    ...(f.services_name ? { services_name: containsText(f.services_name) } : {}),
  }),
  include: serviceNestedInclude,
  detailInclude: { category: true, images: { orderBy: serviceNestedInclude.images.orderBy } },
  searchFields: ['services_name', 'category.service_categories'],
  toJSON: (r, c) => serviceListJSON(c.app, r),
  toDetail: (r, c) => serviceDetailJSON(c.app, r),
  schema: serviceListSchema,
  detailSchema: serviceDetailSchema,
  columns: [
    plain('id'),
    plain('services_name'),
    col('service_categories', (r) => liveCategory(r)?.service_categories ?? '', false),
    plain('services_price'),
    plain('services_description'),
    plain('buffer_time'),
    plain('is_available'),
    col('id_service_categories', (r) => r.id_service_categories ?? 0),
    col('codes', (r) => liveCategory(r)?.codes ?? '', false),
    col('color', (r) => liveCategory(r)?.color ?? '', false),
    col('images', (r, c) => c.app.storage.publicUrl('services', r.images?.[0]?.service_image), false),
  ],
  create: {
    body: serviceBody,
    run: async (b, _c, tx) => (await tx.service.create({ data: { ...b, id_service_categories: await checkCategory(tx, b.id_service_categories) } })).id,
  },
  update: {
    body: updateOf(serviceBody),
    run: async (id, b, c, tx, existing) => {
      const data = { ...b };
      // the category it already has is no change (the full edit form sends it back), even if deleted since
      if (b.id_service_categories !== undefined) {
        const same = b.id_service_categories === (existing.id_service_categories ?? 0);
        data.id_service_categories = same ? existing.id_service_categories : await checkCategory(tx, b.id_service_categories);
      }
      await tx.service.update({ where: { id }, data });
      if (b.buffer_time !== undefined && b.buffer_time !== existing.buffer_time) await refreshSlotEnds(c.app, tx, { id_services: id });
    },
  },
  delete: {
    // any doctor may offer the service: every doctor's booking lock (booking checks the service under it)
    run: async (id, c, tx) => {
      await refuseIfBooked(c.app, tx, null, { id_services: id }, 'This service');
      await softDeleteLive(tx.service, 'services', id, c.app.now());
    },
  },
});

// ---------------------------------------------------------------- service_images (multipart)
const imageFields = z.object({ id_services: s.id, is_primary: s.flag.default(0), nomor_urut_tampil: s.count.default(0) });
const imageUpdateFields = updateOf(imageFields);
const imageInclude = { service: { include: { category: true } } };
const imageDetail = (app: AppContext, i: any) => ({
  ...serviceImageJSON(app, i),
  services: serviceBriefJSON(i.service),
  image_upload: true as const,
});
const imageDetailSchema = serviceImageSchema.extend({ services: serviceBriefSchema, image_upload: z.literal(true) });
const imageAnswer = shape.one('service_images', imageDetailSchema);

/**
 * One primary picture per service: a new primary clears the other in the same transaction, under a
 * lock on the service row so two concurrent uploads cannot both stay primary.
 */
async function lockService(tx: Tx, id: number) {
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM services WHERE id = ${id} AND deleted_at IS NULL FOR UPDATE`;
  if (!rows.length) throw unprocessable('Unknown service', [{ field: 'id_services', message: 'not found' }]);
}

/**
 * create: the fields with their defaults; update: only the fields sent (absent = unchanged).
 * `auditChange`: the request's, run last in the transaction (a staff change's entry commits with it).
 */
async function saveImage(
  app: AppContext,
  id: number | undefined,
  body: z.infer<typeof imageUpdateFields>,
  file: { buffer: Buffer; ext: string } | undefined,
  auditChange: RequestContext['auditChange'],
) {
  const name = file ? await app.storage.save('public', 'services', file) : undefined;
  try {
    const { row, old } = await app.db.$transaction(async (tx) => {
      // read under the row lock: a concurrent change or delete of this picture waits, so the file
      // replaced here is the one the row holds (none is left unreferenced)
      const [existing] = id ? await tx.$queryRaw<{ id: number; id_services: number; service_image: string }[]>`SELECT id, id_services, service_image FROM service_images WHERE id = ${id} FOR UPDATE` : [];
      if (id && !existing) throw notFound(`service_images ${id} not found`);
      // a create's body always has id_services (imageFields)
      const id_services = body.id_services ?? existing!.id_services;
      await lockService(tx, id_services);
      const data = { ...body, ...(name ? { service_image: name } : {}) };
      const saved = existing
        ? await tx.serviceImage.update({ where: { id: existing.id }, data })
        : await tx.serviceImage.create({ data: { ...data, id_services, service_image: name! } });
      // also when a primary picture moves to another service without is_primary being sent
      if (saved.is_primary === 1) {
        await tx.serviceImage.updateMany({ where: { id_services, is_primary: 1, id: { not: saved.id } }, data: { is_primary: 0 } });
      }
      await auditChange(tx, { service_images: saved });
      return { row: await tx.serviceImage.findUniqueOrThrow({ where: { id: saved.id }, include: imageInclude }), old: existing?.service_image };
    });
    // the replaced file goes once the new one is committed
    if (name && old) await app.storage.remove('public', 'services', old);
    return { service_images: imageDetail(app, row) };
  } catch (err) {
    // a refused request keeps no uploaded file
    if (name) await app.storage.remove('public', 'services', name);
    throw err;
  }
}

const serviceImages = [
  route({
    method: 'post',
    path: '/service_images/create',
    access: STAFF,
    tag: 'service_images',
    summary: 'Add a picture to a service (multipart: id_services, picture, is_primary, nomor_urut_tampil)',
    upload: { field: 'picture', accept: 'image' },
    body: imageFields,
    response: imageAnswer,
    handler: ({ app, body, file, auditChange }) => saveImage(app, undefined, body, file, auditChange),
  }),
  route({
    method: ['put', 'post'],
    path: '/service_images/:id/update',
    access: STAFF,
    tag: 'service_images',
    summary: 'Replace a service picture or change its order/primary flag (multipart; picture optional)',
    upload: { field: 'picture', accept: 'image', required: false },
    body: imageUpdateFields,
    response: imageAnswer,
    handler: ({ app, params, body, file, auditChange }) => saveImage(app, params.id, body, file, auditChange),
  }),
  ...resourceRoutes({
    name: 'service_images',
    model: (db) => db.serviceImage,
    access,
    // a deleted service's pictures are gone with it (lists, by id, the table's total)
    scope: () => ({ service: { deleted_at: null } }),
    filters: z.object({ id_services: s.id.optional() }),
    where: (f) => ({ id_services: f.id_services }),
    include: imageInclude,
    defaultOrder: [{ id_services: 'asc' }, { is_primary: 'desc' }, { nomor_urut_tampil: 'asc' }, { id: 'asc' }],
    toJSON: (r, c) => serviceImageJSON(c.app, r),
    toDetail: (r, c) => {
      const { image_upload: _u, ...rest } = imageDetail(c.app, r);
      return rest;
    },
    schema: serviceImageSchema,
    detailSchema: imageDetailSchema.omit({ image_upload: true }),
    columns: [plain('id'), plain('id_services'), plain('service_image'), plain('is_primary'), plain('nomor_urut_tampil'), col('img_path', (r, c) => c.app.storage.publicUrl('services', r.service_image), false)],
    create: false,
    update: false,
    delete: {
      run: async (id, c, tx) => {
        // the file the row holds now, read under its lock (a concurrent replacement may have changed it)
        const [row] = await tx.$queryRaw<{ service_image: string }[]>`SELECT service_image FROM service_images WHERE id = ${id} FOR UPDATE`;
        if (!row) throw notFound(`service_images ${id} not found`);
        await tx.serviceImage.delete({ where: { id } });
        // the file goes once the delete has committed (a rolled-back delete keeps the picture it shows)
        return () => c.app.storage.remove('public', 'services', row.service_image);
      },
    },
  }),
];

// ---------------------------------------------------------------- doctors
const doctorBody = z.object({
  id_users: s.id,
  id_services: s.optionalRef.default(0),
  custom_price: s.money.default(0),
  doctor_description: s.longText.default(''),
  availability_description: s.text(300).default(''),
  short_description: s.text(500).default(''),
  is_active: s.flag.default(1),
});

async function checkService(tx: any, id: number) {
  if (!id) return null;
  const svc = await tx.service.findFirst({ where: { id, deleted_at: null }, select: { id: true } });
  if (!svc) throw unprocessable('Unknown service', [{ field: 'id_services', message: 'not found' }]);
  return id;
}

async function checkDoctorUser(tx: any, id: number) {
  // FOR SHARE: the account's deletion or the DOCTOR role's removal (identity's
  // assertNotActingDoctor, which locks the row) waits for this profile, or this waits for it
  if (!(await holdLiveDoctor(tx, id))) throw unprocessable('id_users must be an existing user with the DOCTOR role', [{ field: 'id_users', message: 'not a doctor' }]);
}

/**
 * One doctor profile per account (doctors.id_users is unique): giving a profile to an account that
 * has one, live or deleted, is a 409 that says so (the unique key's own 409 named no field). A deleted
 * one is restored by doctors/create, not replaced. Two profiles given to one account at the same
 * moment: the unique key refuses the second (409).
 */
async function refuseSecondProfile(tx: Tx, id_users: number) {
  const other = await tx.doctor.findUnique({ where: { id_users }, select: { id: true, deleted_at: true } });
  if (other) throw conflict(`User ${id_users} already has a doctor profile (doctors ${other.id}${other.deleted_at ? ', deleted: restore it with doctors/create' : ''})`);
}

/**
 * A doctor who still owes paid consultations stays (409): an open paid thread would be left without
 * its doctor, and a consultation checkout awaiting payment would, once paid, open a thread to a
 * deleted doctor. Under the doctor's row lock (refuseIfBooked took it): checkout and the payment's
 * thread opening hold the row FOR SHARE, so one at the same moment is either seen here or waits and
 * then finds the doctor deleted (checkout refuses it; a payment cannot have been waiting, since its
 * order was a checkout counted here).
 */
async function refuseIfConsulting(app: AppContext, tx: Tx, id: number) {
  const { id_users } = await tx.doctor.findUniqueOrThrow({ where: { id }, select: { id_users: true } });
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  const open = await tx.thread.count({ where: openPaidConsultationsOf(id_users, app.now()) });
  if (open) throw conflict(`This doctor has ${n(open, 'open paid consultation')}; close ${open === 1 ? 'it' : 'them'} or hand ${open === 1 ? 'it' : 'them'} to another doctor first`);
  const waiting = await tx.order.count({ where: { order_type: 'C', status: 'CHECKOUT', extras: { some: { id_doctors: id } } } });
  if (waiting) throw conflict(`This doctor has ${n(waiting, 'consultation checkout')} awaiting payment; cancel ${waiting === 1 ? 'it' : 'them'} first`);
}

const doctorDetailInclude = { user: { include: userInclude }, service: { include: { category: true } } };
const doctorRoutes = resourceRoutes({
  name: 'doctors',
  model: (db) => db.doctor,
  access,
  softDelete: true,
  filters: z.object({ id_users: s.id.optional(), id_services: s.id.optional(), is_active: s.flag.optional() }),
  // id_services: the doctors who offer the service, as their main service or through doctor_services
  // (the document's sample answers id_services 24 with a doctor whose own id_services is 0)
  where: (f) => ({
    id_users: f.id_users,
    is_active: f.is_active,
    ...(f.id_services ? { OR: [{ id_services: f.id_services }, { doctorServices: { some: { id_services: f.id_services } } }] } : {}),
  }),
  include: doctorBriefInclude,
  detailInclude: doctorDetailInclude,
  searchFields: ['user.users_fullname', 'doctor_description', 'short_description'],
  toJSON: (r, c) => doctorBriefJSON(c.app, r),
  toDetail: (r, c) => doctorDetailJSON(c.app, r, c.user),
  schema: doctorBriefSchema,
  detailSchema: doctorDetailSchema,
  columns: [
    plain('id'),
    plain('id_users'),
    col('id_services', (r) => r.id_services ?? 0),
    plain('custom_price'),
    plain('doctor_description'),
    plain('availability_description'),
    plain('is_active'),
    col('users_fullname', (r) => r.user?.users_fullname ?? '', false),
    col('services_name', (r) => liveService(r)?.services_name ?? '', false),
    plain('short_description'),
  ],
  create: {
    body: doctorBody,
    run: async (b, _c, tx) => {
      await checkDoctorUser(tx, b.id_users);
      const data = { ...b, id_services: await checkService(tx, b.id_services) };
      // id_users is unique: re-creating a deleted doctor's profile restores it; an active one is a 409
      const old = await tx.doctor.findUnique({ where: { id_users: b.id_users } });
      if (old?.deleted_at) return (await tx.doctor.update({ where: { id: old.id }, data: { ...data, deleted_at: null } })).id;
      return (await tx.doctor.create({ data })).id;
    },
  },
  update: {
    body: updateOf(doctorBody),
    run: async (id, b, c, tx, existing) => {
      if (b.id_users !== undefined && b.id_users !== existing.id_users) {
        await checkDoctorUser(tx, b.id_users);
        await refuseSecondProfile(tx, b.id_users);
        await refuseProfileBookedBy(c.app, tx, id, b.id_users);
      }
      const data = { ...b };
      // the service it already has is no change (the full edit form sends it back), even if deleted since
      if (b.id_services !== undefined) {
        const same = b.id_services === (existing.id_services ?? 0);
        data.id_services = same ? existing.id_services : await checkService(tx, b.id_services);
      }
      await tx.doctor.update({ where: { id }, data });
    },
  },
  delete: {
    run: async (id, c, tx) => {
      await refuseIfBooked(c.app, tx, id, { id_doctors: id }, 'This doctor');
      await refuseIfConsulting(c.app, tx, id);
      await softDeleteLive(tx.doctor, 'doctors', id, c.app.now());
    },
  },
});
// The document names the create/update envelope `stylists` (a leftover) but `doctors` everywhere else: both are sent.
const doctors = doctorRoutes.map((r) =>
  r.path === '/doctors/create' || r.path === '/doctors/:id/update'
    ? {
        ...r,
        response: z.object({ stylists: doctorDetailSchema, doctors: doctorDetailSchema }),
        handler: async (ctx: any) => {
          const out = (await r.handler(ctx)) as { doctors: unknown };
          return { stylists: out.doctors, ...out };
        },
      }
    : r,
);

// ---------------------------------------------------------------- doctor_services
const doctorServiceBody = z.object({
  id_doctors: s.id,
  id_services: s.id,
  custom_price: s.money.default(0),
  doctor_buffer_time: s.number((n) => n.int().min(0).max(480)).default(0),
  is_active: s.flag.default(0),
});
async function checkDoctor(tx: any, id: number) {
  const d = await tx.doctor.findFirst({ where: { id, deleted_at: null }, select: { id: true } });
  if (!d) throw unprocessable('Unknown doctor', [{ field: 'id_doctors', message: 'not found' }]);
}

const doctorServices = resourceRoutes({
  name: 'doctor_services',
  model: (db) => db.doctorService,
  access,
  // gone with a deleted doctor or service (lists, by id, the table's total)
  scope: () => ({ doctor: { deleted_at: null }, service: { deleted_at: null } }),
  filters: z.object({ id_doctors: s.id.optional(), id_services: s.id.optional(), is_active: s.flag.optional() }),
  where: (f) => ({ id_doctors: f.id_doctors, id_services: f.id_services, is_active: f.is_active }),
  include: { doctor: { include: { user: true } }, service: true },
  detailInclude: { doctor: { include: doctorBriefInclude }, service: { include: { category: true } } },
  searchFields: ['doctor.user.users_fullname', 'service.services_name'],
  toJSON: (r) => doctorServiceListJSON(r),
  toDetail: (r, c) => doctorServiceDetailJSON(c.app, r),
  schema: doctorServiceListSchema,
  detailSchema: doctorServiceDetailSchema,
  columns: [
    plain('id'),
    plain('id_doctors'),
    plain('id_services'),
    col('doctors', (r) => r.doctor?.user?.users_fullname ?? '', false),
    col('doctor_description', (r) => r.doctor?.doctor_description ?? '', false),
    col('availability_description', (r) => r.doctor?.availability_description ?? '', false),
    col('services_name', (r) => r.service?.services_name ?? '', false),
    col('services_description', (r) => r.service?.services_description ?? '', false),
    plain('custom_price'),
    plain('doctor_buffer_time'),
    plain('is_active'),
  ],
  create: {
    body: doctorServiceBody,
    run: async (b, _c, tx) => {
      await checkDoctor(tx, b.id_doctors);
      await checkService(tx, b.id_services);
      return (await tx.doctorService.create({ data: b })).id;
    },
  },
  update: {
    body: updateOf(doctorServiceBody.omit({ id_doctors: true, id_services: true })),
    run: async (id, b, c, tx, existing) => {
      await tx.doctorService.update({ where: { id }, data: b });
      if (b.doctor_buffer_time !== undefined && b.doctor_buffer_time !== existing.doctor_buffer_time) await refreshSlotEnds(c.app, tx, { id_doctor_services: id });
    },
  },
  delete: {
    // A link, not a record of its own (no deleted_at): deleted with its deleted slots. Refused while live
    // slots exist (422) instead of orphaning them, and while appointments reference its deleted slots
    // (409): it stays as their history, as those slots do.
    run: async (id, _c, tx) => {
      const live = await tx.doctorSchedule.count({ where: { id_doctor_services: id, deleted_at: null } });
      if (live) throw unprocessable('Delete the doctor schedules of this doctor service first (deactivated ones too)');
      const booked = await tx.userSchedule.count({ where: { doctorSchedule: { id_doctor_services: id } } });
      if (booked) throw conflict(`This doctor service is kept as the history of ${booked} appointment${booked === 1 ? '' : 's'} (its slots are deleted)`);
      await tx.doctorSchedule.deleteMany({ where: { id_doctor_services: id } });
      await tx.doctorService.delete({ where: { id } });
    },
  },
});

// ---------------------------------------------------------------- schedules (weekly practice hours)
const scheduleBody = z
  .object({ id_doctors: s.id, hari, jam: s.time, jam_selesai: s.time })
  .refine((b) => b.jam < b.jam_selesai, { path: ['jam_selesai'], message: 'must be after jam' });

/**
 * One weekday's practice hours of a doctor do not overlap (generate would cut overlapping slots out
 * of them); blocks that only touch (one ends when the next starts) are fine. Decided under the
 * doctor's row lock, the lock of a doctor's changes (lockDoctor), so two blocks sent at the same
 * moment are checked one after the other. Rows that already overlap are left as they are.
 */
async function refuseOverlappingHours(tx: any, block: { id_doctors: number; hari: string; jam: Date; jam_selesai: Date }, id?: number) {
  await lockDoctor(tx, block.id_doctors);
  await checkDoctor(tx, block.id_doctors);
  const other = await tx.schedule.findFirst({
    where: { id_doctors: block.id_doctors, hari: block.hari, jam: { lt: block.jam_selesai }, jam_selesai: { gt: block.jam }, ...(id ? { id: { not: id } } : {}) },
    orderBy: [{ jam: 'asc' }, { id: 'asc' }],
  });
  if (other) {
    throw conflict(`The doctor already has practice hours on ${other.hari} ${hhmm(other.jam)}–${hhmm(other.jam_selesai)} (schedules ${other.id}); a block may not overlap another`);
  }
}

const schedules = resourceRoutes({
  name: 'schedules',
  model: (db) => db.schedule,
  access,
  // gone with a deleted doctor (lists, by id, the table's total)
  scope: () => ({ doctor: { deleted_at: null } }),
  filters: z.object({ id_doctors: s.id.optional(), hari: hari.optional() }),
  where: (f) => ({ id_doctors: f.id_doctors, hari: f.hari }),
  include: { doctor: { include: { user: true } } },
  detailInclude: { doctor: { include: doctorBriefInclude } },
  defaultOrder: [{ id_doctors: 'asc' }, { hari_no: 'asc' }, { jam: 'asc' }],
  searchFields: ['doctor.user.users_fullname', 'hari'],
  toJSON: (r) => scheduleListJSON(r),
  toDetail: (r, c) => scheduleDetailJSON(c.app, r),
  schema: scheduleListSchema,
  detailSchema: scheduleDetailSchema,
  columns: [
    plain('id'),
    plain('id_doctors'),
    col('doctors', (r) => r.doctor?.user?.users_fullname ?? '', false),
    hariColumn,
    col('jam', (r) => formatTime(r.jam), 'jam'),
    col('jam_selesai', (r) => formatTime(r.jam_selesai), 'jam_selesai'),
  ],
  create: {
    body: scheduleBody,
    run: async (b, _c, tx) => {
      await refuseOverlappingHours(tx, b);
      return (await tx.schedule.create({ data: b })).id;
    },
  },
  update: {
    body: z.object({ id_doctors: s.id.optional(), hari: hari.optional(), jam: s.time.optional(), jam_selesai: s.time.optional() }),
    run: async (id, b, c, tx, existing) => {
      const jam = b.jam ?? existing.jam;
      const end = b.jam_selesai ?? existing.jam_selesai;
      if (jam >= end) throw unprocessable('jam_selesai must be after jam', [{ field: 'jam_selesai', message: 'must be after jam' }]);
      const kept = { id_doctors: b.id_doctors ?? existing.id_doctors, hari: b.hari ?? existing.hari, jam, jam_selesai: end };
      // hours taken away take their slots (the old doctor's lock first, then the new one's)
      await dropSlotsOutsideHours(c.app, tx, existing, kept);
      await refuseOverlappingHours(tx, kept, id);
      await tx.schedule.update({ where: { id }, data: b });
    },
  },
  delete: {
    run: async (id, c, tx, existing) => {
      await dropSlotsOutsideHours(c.app, tx, existing, null);
      await tx.schedule.delete({ where: { id } });
    },
  },
});

// ---------------------------------------------------------------- doctor_schedules (bookable weekly slots)
const slotBody = z.object({
  id_doctors: s.id.optional(),
  id_doctor_services: s.id,
  custom_price: s.money.default(0),
  hari,
  jam: s.time,
  is_active: s.flag.default(1),
});

async function slotData(app: AppContext, tx: any, b: { id_doctors?: number; id_doctor_services: number; jam: Date }) {
  // a live doctor's link to a live service (that of a deleted one is gone from every read, as doctor_services' scope says)
  const ds = await tx.doctorService.findFirst({ where: { id: b.id_doctor_services, doctor: { deleted_at: null }, service: { deleted_at: null } }, include: { service: true } });
  if (!ds) throw unprocessable('Unknown doctor service', [{ field: 'id_doctor_services', message: 'not found' }]);
  if (b.id_doctors && b.id_doctors !== ds.id_doctors) {
    throw unprocessable('The doctor service belongs to another doctor', [{ field: 'id_doctors', message: 'does not match id_doctor_services' }]);
  }
  const jam_selesai = slotEnd(app, b.jam, ds.service.buffer_time, ds.doctor_buffer_time);
  if (!jam_selesai) throw unprocessable(MIDNIGHT, [{ field: 'jam', message: MIDNIGHT }]);
  return { id_doctors: ds.id_doctors, id_services: ds.id_services, jam_selesai };
}

const slotFilters = z.object({
  id_doctors: s.id.optional(),
  id_doctor_services: s.id.optional(),
  id_services: s.id.optional(),
  is_active: s.flag.optional(),
  hari: hari.optional(),
});

const doctorSchedules = [
  route({
    method: 'post',
    path: '/doctor_schedules/generate',
    access: STAFF,
    tag: 'doctor_schedules',
    summary: "Build a doctor's bookable slots from their practice hours and each service's duration (no duplicates when run again)",
    body: z.object({ id_doctors: s.id }),
    response: z.object({
      data: z.array(
        z.object({ id: shape.int, id_doctors: shape.int, id_services: shape.int, id_doctor_services: shape.int, day: hari, open: shape.str, close: shape.str }),
      ),
      generate: z.literal(true),
    }),
    handler: async ({ app, body, auditChange }) => {
      const created = await generateSlots(app, body.id_doctors, auditChange);
      return {
        data: created.map((r) => ({ id: r.id, id_doctors: r.id_doctors, id_services: r.id_services, id_doctor_services: r.id_doctor_services, day: r.hari, open: hhmm(r.jam), close: hhmm(r.jam_selesai) })),
        generate: true,
      };
    },
  }),
  ...(['activate', 'unactivate'] as const).map((action) =>
    route({
      method: ['put', 'post'],
      path: `/doctor_schedules/:id/${action}`,
      access: STAFF,
      tag: 'doctor_schedules',
      summary: `${action === 'activate' ? 'Open' : 'Close'} a slot for booking (existing appointments stay)`,
      response: z.object({ [action]: z.literal(true) }),
      handler: async ({ app, params, auditChange }) => {
        await app.db.$transaction(async (tx) => {
          // within doctor_schedules' scope: a slot of a deleted doctor or service is gone (404), as from every read
          const where = { id: params.id, deleted_at: null, doctor: { deleted_at: null }, service: { deleted_at: null } };
          const { count } = await tx.doctorSchedule.updateMany({ where, data: { is_active: action === 'activate' ? 1 : 0 } });
          if (!count) throw notFound(`doctor_schedules ${params.id} not found`);
          await auditChange(tx);
        });
        return { [action]: true };
      },
    }),
  ),
  ...resourceRoutes({
    name: 'doctor_schedules',
    model: (db) => db.doctorSchedule,
    access,
    softDelete: true,
    filters: slotFilters,
    // the slots of a deleted doctor or service are not bookable: gone from every read (as doctor_services)
    scope: () => ({ doctor: { deleted_at: null }, service: { deleted_at: null } }),
    where: (f) => f,
    include: doctorScheduleListInclude,
    detailInclude: { ...doctorScheduleListInclude, doctor: { include: doctorBriefInclude } },
    defaultOrder: [{ id_doctors: 'asc' }, { hari_no: 'asc' }, { jam: 'asc' }, { id: 'asc' }],
    searchFields: ['doctor.user.users_fullname', 'service.services_name', 'hari'],
    toJSON: (r) => doctorScheduleListJSON(r),
    toDetail: (r, c) => doctorScheduleDetailJSON(c.app, r),
    schema: doctorScheduleListSchema,
    detailSchema: doctorScheduleDetailSchema,
    columns: [
      plain('id'),
      plain('id_doctors'),
      plain('id_doctor_services'),
      hariColumn,
      col('jam', (r) => formatTime(r.jam), 'jam'),
      col('services_name', (r) => r.service?.services_name ?? '', false),
      col('service_categories', (r) => liveCategory(r.service)?.service_categories ?? '', false),
      col('doctors', (r) => r.doctor?.user?.users_fullname ?? '', false),
    ],
    create: {
      body: slotBody,
      run: async (b, c, tx) => (await tx.doctorSchedule.create({ data: { ...b, ...(await slotData(c.app, tx, b)) } })).id,
    },
    update: {
      body: updateOf(slotBody),
      run: async (id, b, c, tx, existing) => {
        const merged = { id_doctors: b.id_doctors, id_doctor_services: b.id_doctor_services ?? existing.id_doctor_services, jam: b.jam ?? existing.jam };
        const data = { ...b, ...(await slotData(c.app, tx, merged)) };
        // bookings keep their time: a slot they hold does not move under them
        const moved = merged.jam.getTime() !== existing.jam.getTime() || (b.hari ?? existing.hari) !== existing.hari || merged.id_doctor_services !== existing.id_doctor_services;
        if (moved) {
          await refuseIfBooked(c.app, tx, existing.id_doctors, { id_doctor_schedules: id }, 'This slot');
        }
        await tx.doctorSchedule.update({ where: { id }, data });
      },
    },
    delete: {
      run: async (id, c, tx, existing) => {
        await refuseIfBooked(c.app, tx, existing.id_doctors, { id_doctor_schedules: id }, 'This slot');
        await softDeleteLive(tx.doctorSchedule, 'doctor_schedules', id, c.app.now());
      },
    },
  }),
];

// ---------------------------------------------------------------- holidays
const holidayBody = z.object({ dates: s.date, descriptions: s.text(500).default('') });
// holidays close the whole clinic: every doctor's lock is taken (refuseIfBooked with no doctor)
const refuseIfHolidayBooked = (app: AppContext, tx: any, dates: Date) => refuseIfBooked(app, tx, null, { tanggal: dates }, formatDate(dates)!);
const holidays = resourceRoutes({
  name: 'holidays',
  model: (db) => db.holiday,
  access,
  filters: z.object({ date_from: s.date.optional(), date_to: s.date.optional() }),
  where: (f) => (f.date_from || f.date_to ? { dates: { gte: f.date_from, lte: f.date_to } } : {}),
  defaultOrder: { dates: 'asc' },
  searchFields: ['descriptions'],
  toJSON: (r) => holidayJSON(r),
  schema: holidaySchema,
  columns: [plain('id'), col('dates', (r) => formatDate(r.dates), 'dates'), plain('descriptions')],
  create: {
    body: holidayBody,
    run: async (b, c, tx) => {
      await refuseIfHolidayBooked(c.app, tx, b.dates);
      return (await tx.holiday.create({ data: b })).id;
    },
  },
  update: {
    body: updateOf(holidayBody),
    methods: ['post', 'put'],
    run: async (id, b, c, tx, existing) => {
      if (b.dates && b.dates.getTime() !== existing.dates.getTime()) await refuseIfHolidayBooked(c.app, tx, b.dates);
      await tx.holiday.update({ where: { id }, data: b });
    },
  },
});

export const clinicCatalogRoutes: RouteDef[] = [
  ...serviceCategories,
  categoryUpload,
  ...services,
  ...serviceImages,
  ...doctors,
  ...doctorServices,
  ...schedules,
  ...doctorSchedules,
  ...holidays,
];
