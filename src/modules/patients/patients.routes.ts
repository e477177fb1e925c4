import { z } from 'zod';
import { isStaff, STAFF, type Role } from '../../http/auth-user.js';
import { badRequest, notFound, unprocessable } from '../../http/errors.js';
import { resourceRoutes, type Caller, type Column } from '../../http/resource.js';
import { route } from '../../http/route.js';
import * as s from '../../lib/schemas.js';
import { audit } from '../audit/audit.service.js';
import { cancelUpcoming, handUpcomingTo } from '../clinic/booking.service.js';
import { holdLiveUser } from '../identity/account-holds.js';
import { findPatient, lockPatient, patientReadScope } from './access.js';
import { auditReads } from './audit-reads.js';
import { ADDRESS_FIELDS, PATIENT_CLINICAL_FIELDS, PATIENT_FIELDS, patientDetailJSON, patientDetailSchema, patientListJSON, patientListSchema } from './serializers.js';
import * as out from '../../http/response.js';
import { formatDate, isAfterClinicToday } from '../../lib/dates.js';
import { containsText } from '../../lib/text-search.js';
import type { Tx } from '../../db/client.js';

/** Patients are changed by staff and by the customer who manages them; doctors only read. */
export const PATIENT_WRITERS: Role[] = [...STAFF, 'CUSTOMER'];

const opt = (max: number) => s.text(max).nullish();
/** an emptied optional field (`""`, blank or null: what a cleared form field sends) clears it, stored as `none` */
const clearable = <T extends z.ZodType>(schema: T, none: null | '') => z.preprocess((v) => (s.isEmpty(v) ? none : v), schema);
/** The document sends region codes as numbers or strings with leading zeros: kept as text. */
const regionCode = z.union([z.string().trim().max(20), z.number().int().min(0).max(1e12)]).transform(String).nullish();
const lat = s.number((n) => n.min(-90).max(90));
const lng = s.number((n) => n.min(-180).max(180));

const addressShape = {
  provinsi: opt(100),
  kota: opt(100),
  kecamatan: opt(100),
  kode_provinsi: regionCode,
  kode_kota: regionCode,
  kode_kecamatan: regionCode,
  lat: lat.optional(),
  lng: lng.optional(),
};

const patientShape = {
  id_users: s.optionalRef.optional(),
  // the column is never NULL: emptied is "" (the document's empty id)
  patient_external_id: clearable(s.text(100).optional(), ''),
  nama_lengkap_pasien: s.requiredText(200),
  tempat_lahir: opt(100),
  tanggal_lahir: clearable(s.date.nullish(), null),
  alamat_domisili: opt(2000),
  nama_ibu_kandung: opt(200),
  jenis_kelamin: clearable(z.enum(['L', 'P']).nullish(), null),
  nama_ayah: opt(200),
  no_identitas: opt(50),
  jenis_identitas: opt(20),
  catatan: opt(5000),
  nama_wali: opt(200),
  hubungan_dengan_wali: opt(100),
  alamat_wali: opt(2000),
  no_telp_wali: opt(30),
  alamat_identitas: opt(2000),
  golongan_darah: opt(5),
  pekerjaan: opt(100),
  perusahaan_tempat_bekerja: opt(200),
  perusahaan_no_telp: opt(30),
  no_telp_rumah: opt(30),
  no_handphone: opt(30),
  ...addressShape,
  allergies: z.array(s.requiredText(200)).max(50).optional(),
};
const createBody = z.object(patientShape);
const updateBody = z.object(patientShape).partial();
const addressBody = z
  .object(addressShape)
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'send at least one address field' });

const liveAllergies = { where: { deleted_at: null }, orderBy: { id: 'asc' } } as const;
const listInclude = { allergies: liveAllergies, user: true } as const;
const patientDetailInclude = {
  allergies: liveAllergies,
  user: { include: { departments: { orderBy: { id: 'asc' }, take: 1, include: { department: true } } } },
} as const;

/**
 * Fields only staff set: `patient_external_id` is the clinic system's patient number (staff find
 * patients by it); a customer's value is ignored, as their `id_users` is.
 */
const staffOnly = <T extends object>(c: Caller, fields: T): Partial<T> => (isStaff(c.user) ? fields : {});

/** The managing user a caller may set: staff choose (0 = none), a customer is always the manager. */
async function managerFor(c: Caller, tx: Tx, requested: number | undefined): Promise<number | null | undefined> {
  if (!isStaff(c.user)) return c.user!.id;
  if (requested === undefined) return undefined;
  if (requested === 0) return null;
  // held, as users/patients/link does: the account's deletion at the same moment (which cancels the
  // coming appointments of the patients it manages) comes first and is seen, or waits for this
  // change; a patient is never handed to a deleted account
  if (!(await holdLiveUser(tx, requested))) throw unprocessable(`User ${requested} does not exist`, [{ field: 'id_users', message: 'unknown user' }]);
  return requested;
}

/**
 * Replaces a patient's allergy list: keeps matching rows, hides the others, adds the new ones. A
 * read-then-write: the patient row is locked first, so concurrent replaces of one list run one after
 * the other, each seeing the list the previous one left (no duplicate rows). A name the list holds
 * twice (patient_allergies/create adds rows one by one) keeps its first row: each name ends once.
 */
async function replaceAllergies(tx: Tx, patientId: number, names: string[], now: Date) {
  await lockPatient(tx, patientId);
  const wanted = new Map(names.map((n) => [n.toLowerCase(), n]));
  const current = await tx.patientAllergy.findMany({ where: { id_patients: patientId, deleted_at: null }, select: { id: true, allergies: true }, orderBy: { id: 'asc' } });
  const kept = new Set<string>();
  const gone: number[] = [];
  for (const a of current) {
    const name = a.allergies.toLowerCase();
    if (wanted.has(name) && !kept.has(name)) kept.add(name);
    else gone.push(a.id);
  }
  for (const name of kept) wanted.delete(name);
  if (gone.length) await tx.patientAllergy.updateMany({ where: { id: { in: gone } }, data: { deleted_at: now } });
  if (wanted.size) await tx.patientAllergy.createMany({ data: [...wanted.values()].map((allergies) => ({ id_patients: patientId, allergies })) });
}

const dedupe = (names: string[]) => [...new Map(names.map((n) => [n.toLowerCase(), n])).values()];

const columnNames = ['id', 'id_users', ...PATIENT_FIELDS, 'patient_picture', ...ADDRESS_FIELDS, 'lat', 'lng', 'patient_external_id'] as const;
const columns: Column[] = [
  ...columnNames.map(
    (name): Column => ({
      name,
      value: (r) => (name === 'tanggal_lahir' ? formatDate(r.tanggal_lahir) : r[name]),
      orderBy: (d) => ({ [name]: d }),
      clinical: PATIENT_CLINICAL_FIELDS.has(name),
    }),
  ),
  { name: 'users_fullname', value: (r) => r.user?.users_fullname ?? '', orderBy: (d) => ({ user: { users_fullname: d } }) },
  { name: 'username', value: (r) => r.user?.username ?? '', orderBy: (d) => ({ user: { username: d } }) },
];

/**
 * a customer may only change the patients they manage (whatever else they may read): decided on the
 * patient under its row lock (findPatient), not on the row read before the transaction waited
 */
const assertWritable = (c: Caller, tx: Tx, id: number) => findPatient(tx, c.user, id, 'write');

/** A birth date after the clinic's today (Asia/Jakarta) is a typing error: 400, as a malformed date. */
function refuseFutureBirth(c: Caller, tanggal_lahir: Date | null | undefined) {
  if (tanggal_lahir && isAfterClinicToday(tanggal_lahir, c.app.now())) {
    throw badRequest('Invalid input', [{ field: 'tanggal_lahir', message: 'must not be after today (Asia/Jakarta)' }]);
  }
}

const resource = resourceRoutes({
  name: 'patients',
  model: (db) => db.patient,
  access: { read: 'authenticated', write: PATIENT_WRITERS },
  softDelete: true,
  clinicalOwner: { patient: 'id' },
  scope: (c) => patientReadScope(c.user),
  filters: z.object({ id_users: s.id.optional(), keyword: s.text(100).optional() }),
  where: (f) => ({
    id_users: f.id_users,
    ...(f.keyword
      ? {
          OR: (['nama_lengkap_pasien', 'no_identitas', 'no_handphone'] as const).map((k) => ({ [k]: containsText(f.keyword) })),
        }
      : {}),
  }),
  searchFields: ['nama_lengkap_pasien', 'no_identitas', 'no_handphone', 'patient_external_id'],
  include: listInclude,
  detailInclude: patientDetailInclude,
  toJSON: (r, c) => patientListJSON(c.app, r),
  toDetail: (r, c) => patientDetailJSON(c.app, r, c.user),
  schema: patientListSchema,
  detailSchema: patientDetailSchema,
  columns,
  create: {
    body: createBody,
    run: async (b, c, tx) => {
      refuseFutureBirth(c, b.tanggal_lahir);
      const { allergies = [], id_users, patient_external_id, ...fields } = b;
      const manager = await managerFor(c, tx, id_users);
      const p = await tx.patient.create({
        data: { ...fields, ...staffOnly(c, { patient_external_id }), id_users: manager ?? null, allergies: { create: dedupe(allergies).map((a) => ({ allergies: a })) } },
      });
      await audit(c.app, { user: c.user, action: 'create', resource: 'patients', resourceId: p.id, patientId: p.id, req: c.req }, tx);
      return p.id;
    },
  },
  update: {
    body: updateBody,
    run: async (id, b, c, tx) => {
      await assertWritable(c, tx, id);
      refuseFutureBirth(c, b.tanggal_lahir);
      const { allergies, id_users, patient_external_id, ...fields } = b;
      const manager = await managerFor(c, tx, id_users);
      await tx.patient.update({ where: { id }, data: { ...fields, ...staffOnly(c, { patient_external_id }), ...(isStaff(c.user) && manager !== undefined ? { id_users: manager } : {}) } });
      // staff giving the patient to another account: its coming appointments go with it, as with users/patients/link
      if (isStaff(c.user) && manager) await handUpcomingTo(c.app, tx, id, manager);
      if (allergies) await replaceAllergies(tx, id, dedupe(allergies), c.app.now());
      await audit(c.app, { user: c.user, action: 'update', resource: 'patients', resourceId: id, patientId: id, req: c.req, details: { fields: Object.keys(b) } }, tx);
    },
  },
  delete: {
    run: async (id, c, tx) => {
      await assertWritable(c, tx, id);
      // Never a hard delete: the patient's records are kept (25 years).
      await tx.patient.update({ where: { id }, data: { deleted_at: c.app.now() } });
      // Its coming appointments go with it (a customer's within the cancel cutoff refuse the delete).
      // The patient's row, locked above, keeps a booking for it meanwhile out (book() locks it too).
      await cancelUpcoming(c.app, tx, c, { id_patients: id }, 'patient deleted');
      await audit(c.app, { user: c.user, action: 'delete', resource: 'patients', resourceId: id, patientId: id, req: c.req }, tx);
    },
  },
});

export const patientRoutes = [
  ...auditReads(resource, 'patients', (r) => (Array.isArray(r) ? { id: r[0] as number, patientId: r[0] as number } : { id: r.id, patientId: r.id })),

  route({
    method: ['put', 'post'],
    path: '/patients/:id/update/address',
    access: PATIENT_WRITERS,
    tag: 'patients',
    summary: "Partial update of a patient's address and coordinates (only the fields sent)",
    body: addressBody,
    response: out.one('patients', patientDetailSchema),
    handler: async ({ app, user, req, params, body }) => {
      const row = await app.db.$transaction(async (tx) => {
        await findPatient(tx, user, params.id, 'write');
        await tx.patient.update({ where: { id: params.id }, data: body });
        await audit(app, { user, action: 'update', resource: 'patients', resourceId: params.id, patientId: params.id, req, details: { fields: Object.keys(body) } }, tx);
        return tx.patient.findUniqueOrThrow({ where: { id: params.id }, include: patientDetailInclude });
      });
      return { patients: patientDetailJSON(app, row, user) };
    },
  }),

  route({
    method: 'post',
    path: '/patients/picture/upload',
    access: PATIENT_WRITERS,
    tag: 'patients',
    summary: "Upload a patient's picture (multipart: id_patients, picture); private, served by signed links only",
    upload: { field: 'picture', accept: 'image' },
    body: z.object({ id_patients: s.id }),
    response: z.object({ image_upload: z.literal(true), img: out.str, img_path: out.str, patient_picture_url: out.str }),
    handler: async ({ app, user, req, body, file }) => {
      await findPatient(app.db, user, body.id_patients, 'write');
      const name = await app.storage.save('private', 'patients', file!);
      let old: string | null = null;
      try {
        await app.db.$transaction(async (tx) => {
          const p = await findPatient(tx, user, body.id_patients, 'write');
          // the picture being replaced, read under the row lock: a concurrent upload of the same
          // patient waits, then replaces (and removes) this one's file rather than orphaning it
          old = (await lockPatient(tx, p.id))?.patient_picture ?? null;
          await tx.patient.update({ where: { id: p.id }, data: { patient_picture: name } });
          await audit(app, { user, action: 'upload_picture', resource: 'patients', resourceId: p.id, patientId: p.id, req }, tx);
        });
      } catch (err) {
        await app.storage.remove('private', 'patients', name);
        throw err;
      }
      // after the commit: a rolled-back upload never removes the picture still in use
      if (old) await app.storage.remove('private', 'patients', old);
      const url = app.storage.signedUrl('patients', name, app.now().getTime());
      return { image_upload: true, img: name, img_path: url, patient_picture_url: url };
    },
  }),

  route({
    method: ['put', 'post'],
    path: '/users/patients/link',
    access: STAFF,
    tag: 'users',
    summary: 'Make a user the manager of a patient',
    body: z.object({ id_users: s.id, id_patients: s.id }),
    response: z.object({ link: z.literal(true) }),
    handler: async ({ app, user, req, body }) => {
      await app.db.$transaction(async (tx) => {
        // the account held FOR SHARE: its deletion at the same moment (which cancels the coming
        // appointments of the patients it manages) comes first, then this finds it gone, or waits
        if (!(await holdLiveUser(tx, body.id_users))) throw notFound(`User ${body.id_users} not found`);
        const n = await tx.patient.updateMany({ where: { id: body.id_patients, deleted_at: null }, data: { id_users: body.id_users } });
        if (!n.count) throw notFound(`Patient ${body.id_patients} not found`);
        // its coming appointments go with it, into the new manager's name (the patient's row is locked by the update)
        await handUpcomingTo(app, tx, body.id_patients, body.id_users);
        await audit(app, { user, action: 'link', resource: 'patients', resourceId: body.id_patients, patientId: body.id_patients, req, details: { id_users: body.id_users } }, tx);
      });
      return { link: true };
    },
  }),

  route({
    method: ['put', 'post'],
    path: '/users/patients/unlink',
    access: STAFF,
    tag: 'users',
    summary: 'Detach a patient from its managing user',
    body: z.object({ id_patients: s.id }),
    response: z.object({ unlink: z.literal(true) }),
    handler: async ({ app, user, req, body }) => {
      await app.db.$transaction(async (tx) => {
        // the row locked as it is read: a delete (or a move) at the same moment comes first, then this
        // finds the patient gone (a deleted patient keeps its manager, whose data export still holds it), or waits
        const [p] = await tx.$queryRaw<{ id_users: number | null }[]>`SELECT id_users FROM patients WHERE id = ${body.id_patients} AND deleted_at IS NULL FOR UPDATE`;
        if (!p) throw notFound(`Patient ${body.id_patients} not found`);
        await tx.patient.update({ where: { id: body.id_patients }, data: { id_users: null } });
        await audit(app, { user, action: 'unlink', resource: 'patients', resourceId: body.id_patients, patientId: body.id_patients, req, details: { previous_id_users: p.id_users } }, tx);
      });
      return { unlink: true };
    },
  }),
];

