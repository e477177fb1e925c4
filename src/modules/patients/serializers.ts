import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import * as r from '../../http/response.js';
import { formatDate, formatDateTime } from '../../lib/dates.js';
import { isStaff, type AuthUser } from '../../http/auth-user.js';
import { publicAccountView, userWithDepartmentJSON, userWithDepartmentSchema } from '../identity/serializers.js';

type Row = any;

/** The patient's own fields, in the document's order (shared by every patient shape). */
export const PATIENT_FIELDS = [
  'nama_lengkap_pasien',
  'tempat_lahir',
  'tanggal_lahir',
  'alamat_domisili',
  'nama_ibu_kandung',
  'jenis_kelamin',
  'nama_ayah',
  'no_identitas',
  'jenis_identitas',
  'catatan',
  'nama_wali',
  'hubungan_dengan_wali',
  'alamat_wali',
  'no_telp_wali',
  'alamat_identitas',
  'golongan_darah',
  'pekerjaan',
  'perusahaan_tempat_bekerja',
  'perusahaan_no_telp',
  'no_telp_rumah',
  'no_handphone',
] as const;
export const ADDRESS_FIELDS = ['provinsi', 'kota', 'kecamatan', 'kode_provinsi', 'kode_kota', 'kode_kecamatan'] as const;

function ownFields(p: Row) {
  const out: Record<string, unknown> = {};
  for (const f of PATIENT_FIELDS) out[f] = f === 'tanggal_lahir' ? formatDate(p.tanggal_lahir) : p[f];
  return out;
}
function addressFields(p: Row) {
  const out: Record<string, unknown> = {};
  for (const f of ADDRESS_FIELDS) out[f] = p[f];
  return out;
}

export const allergyJSON = (a: Row) => ({
  id: a.id,
  created: formatDateTime(a.created_at),
  id_patients: a.id_patients,
  allergies: a.allergies,
  diagnosa: a.diagnosa,
  catatan_kaki: a.catatan_kaki,
});

/** The picture is health data: only a short-lived signed link, never a public one. */
const pictureUrl = (app: AppContext, p: Row) => app.storage.signedUrl('patients', p.patient_picture, app.now().getTime());

/** explore/search/users-data form: flat, with the allergies. */
export function patientListJSON(app: AppContext, p: Row) {
  return {
    id: p.id,
    id_users: p.id_users ?? 0,
    patient_external_id: p.patient_external_id,
    ...ownFields(p),
    ...addressFields(p),
    patient_picture: p.patient_picture,
    patient_picture_url: pictureUrl(app, p),
    allergies: (p.allergies ?? []).map(allergyJSON),
    lat: p.lat,
    lng: p.lng,
  };
}

/**
 * The account managing a patient as `viewer` may see it: whole to staff and to the account itself;
 * to anyone else who reads the patient (a doctor) the public view (publicAccountView). A doctor gets a
 * customer's contact data with the relation that justifies it (their thread's or appointment's
 * customer, nested there), not with the patient, which staff may have given to another account since.
 */
export function patientManagerJSON(app: AppContext, u: Row | null | undefined, viewer: AuthUser | undefined, related = false) {
  if (!u) return null;
  const json = userWithDepartmentJSON(app, u, u.departments?.[0]?.department);
  return related || isStaff(viewer) || viewer?.id === u.id ? json : publicAccountView(json);
}

/** create/get/update form: the managing user nested as `users` (null when unlinked). */
export function patientDetailJSON(app: AppContext, p: Row, viewer: AuthUser | undefined) {
  return {
    id: p.id,
    id_users: p.id_users ?? 0,
    patient_external_id: p.patient_external_id,
    users: patientManagerJSON(app, p.user, viewer),
    ...ownFields(p),
    ...addressFields(p),
    patient_picture: p.patient_picture,
    patient_picture_url: pictureUrl(app, p),
    allergies: (p.allergies ?? []).map(allergyJSON),
    lat: p.lat,
    lng: p.lng,
  };
}

/** the patient nested in allergy answers */
const allergyPatientJSON = (p: Row) => ({ id: p.id, id_users: p.id_users ?? 0, ...ownFields(p) });

/** patient_allergies get/create/update: the patient nested */
export const allergyDetailJSON = (a: Row) => ({
  id: a.id,
  patients: allergyPatientJSON(a.patient),
  allergies: a.allergies,
  diagnosa: a.diagnosa,
  catatan_kaki: a.catatan_kaki,
});

/** the patient nested in medical record answers (the document's short form) */
const recordPatientJSON = (p: Row) => ({
  id: p.id,
  id_users: p.id_users ?? 0,
  nama: p.nama_lengkap_pasien,
  tanggal_lahir: formatDate(p.tanggal_lahir),
  alamat: p.alamat_domisili,
  jenis_kelamin: p.jenis_kelamin,
  catatan: p.catatan,
});

const recordExtras = (r: Row) => ({
  verified_at: formatDateTime(r.verified_at),
  created_by_iduser: r.created_by_iduser ?? 0,
  id_rekam_medis_asal: r.id_rekam_medis_asal ?? 0,
  jenis_perubahan: r.jenis_perubahan ?? '',
  created: formatDateTime(r.created_at),
});

export const recordJSON = (r: Row) => ({
  id: r.id,
  id_patients: r.id_patients,
  tanggal_konsul: formatDate(r.tanggal_konsul),
  keluhan: r.keluhan,
  diagnosa: r.diagnosa,
  catatan_kaki: r.catatan_kaki,
  verified_iduser: r.verified_iduser ?? 0,
  is_verified: r.is_verified,
  ...recordExtras(r),
});

/** the document's "nobody verified yet": every field null but the picture link, a string as in its sample (and as threads' and notifications' blank users) */
const NULL_USER = (app: AppContext) => ({
  ...Object.fromEntries(Object.keys(userWithDepartmentSchema.shape).map((k) => [k, null])),
  users_picture_url: app.storage.publicUrl('users', ''),
});

export function recordDetailJSON(app: AppContext, r: Row, viewer: AuthUser | undefined) {
  const verifier = r.verifiedBy ? userWithDepartmentJSON(app, r.verifiedBy, r.verifiedBy.departments?.[0]?.department) : null;
  return {
    id: r.id,
    patients: recordPatientJSON(r.patient),
    tanggal_konsul: formatDate(r.tanggal_konsul),
    keluhan: r.keluhan,
    diagnosa: r.diagnosa,
    catatan_kaki: r.catatan_kaki,
    verified_iduser: r.verified_iduser ?? 0,
    // The document prints an object of nulls when nobody verified yet.
    // the verifier's contact data and account state: staff and the verifier only (doctors/:id's public view)
    verified_user: !verifier ? NULL_USER(app) : isStaff(viewer) || viewer?.id === verifier.id ? verifier : publicAccountView(verifier),
    is_verified: r.is_verified,
    ...recordExtras(r),
  };
}

// ---------------------------------------------------------------- response schemas
// Health data is marked `clinical`; every object carrying it names its patient (`patientRef`).

/** the patient's own fields that are health data */
export const PATIENT_CLINICAL_FIELDS: ReadonlySet<string> = new Set(['catatan', 'golongan_darah']);

const text = r.str.nullable();
/** the patient's own fields, typed (same list as PATIENT_FIELDS; those in PATIENT_CLINICAL_FIELDS marked clinical below) */
const patientFieldTypes: Record<(typeof PATIENT_FIELDS)[number], z.ZodType> = {
  nama_lengkap_pasien: r.str,
  tempat_lahir: text,
  tanggal_lahir: r.when,
  alamat_domisili: text,
  nama_ibu_kandung: text,
  jenis_kelamin: z.enum(['L', 'P']).nullable(),
  nama_ayah: text,
  no_identitas: text,
  jenis_identitas: text,
  catatan: text,
  nama_wali: text,
  hubungan_dengan_wali: text,
  alamat_wali: text,
  no_telp_wali: text,
  alamat_identitas: text,
  golongan_darah: text,
  pekerjaan: text,
  perusahaan_tempat_bekerja: text,
  perusahaan_no_telp: text,
  no_telp_rumah: text,
  no_handphone: text,
};
const patientField = (f: (typeof PATIENT_FIELDS)[number]) => (PATIENT_CLINICAL_FIELDS.has(f) ? r.clinical(patientFieldTypes[f]) : patientFieldTypes[f]);
const ownShape = Object.fromEntries(PATIENT_FIELDS.map((f) => [f, patientField(f)])) as typeof patientFieldTypes;
const addressShape = Object.fromEntries(ADDRESS_FIELDS.map((f) => [f, text])) as Record<(typeof ADDRESS_FIELDS)[number], typeof text>;

const allergyShape = {
  id: r.int,
  created: r.str,
  id_patients: r.int,
  allergies: r.clinical(r.str),
  diagnosa: r.clinical(r.str),
  catatan_kaki: r.clinical(r.str),
};
/** allergyJSON */
export const allergySchema = r.patientRef(z.object(allergyShape), 'id_patients');

const pictureShape = { patient_picture: text, patient_picture_url: r.str };
const coordinates = { lat: r.num, lng: r.num };

const patientIds = { id: r.int, id_users: r.int, patient_external_id: r.str };
/** the patient's own record, in the document's order (after the ids, and the account on details) */
const patientRecordShape = {
  ...ownShape,
  ...addressShape,
  ...pictureShape,
  allergies: r.clinical(z.array(allergySchema)),
  ...coordinates,
};

/** patientListJSON */
export const patientListSchema = r.patientRef(z.object({ ...patientIds, ...patientRecordShape }), 'id');

/** patientDetailJSON */
export const patientDetailSchema = r.patientRef(
  z.object({ ...patientIds, users: userWithDepartmentSchema.nullable(), ...patientRecordShape }),
  'id',
);

/** allergyPatientJSON */
const allergyPatientSchema = r.patientRef(z.object({ id: r.int, id_users: r.int, ...ownShape }), 'id');

/** the patient_allergies detail (get/create/update): the patient nested */
export const allergyDetailSchema = r.patientRef(
  z.object({ id: r.int, patients: allergyPatientSchema, allergies: allergyShape.allergies, diagnosa: allergyShape.diagnosa, catatan_kaki: allergyShape.catatan_kaki }),
  'patients.id',
);

/** recordPatientJSON */
const recordPatientSchema = r.patientRef(
  z.object({
    id: r.int,
    id_users: r.int,
    nama: r.str,
    tanggal_lahir: r.when,
    alamat: text,
    jenis_kelamin: patientFieldTypes.jenis_kelamin,
    catatan: patientField('catatan'),
  }),
  'id',
);

const recordClinical = { keluhan: r.clinical(r.str), diagnosa: r.clinical(r.str), catatan_kaki: r.clinical(r.str) };
const recordExtrasShape = {
  verified_at: r.when,
  created_by_iduser: r.int,
  id_rekam_medis_asal: r.int,
  jenis_perubahan: z.enum(['', 'KOREKSI', 'ADENDUM']),
  created: r.str,
};

/** recordJSON */
export const recordSchema = r.patientRef(
  z.object({
    id: r.int,
    id_patients: r.int,
    tanggal_konsul: r.str,
    ...recordClinical,
    verified_iduser: r.int,
    is_verified: r.flag,
    ...recordExtrasShape,
  }),
  'id_patients',
);

/** the document's "nobody verified yet": every field of a user, null */
const nullUserSchema = z.object({ ...Object.fromEntries(Object.keys(userWithDepartmentSchema.shape).map((k) => [k, z.null()])), users_picture_url: r.str });

/** recordDetailJSON */
export const recordDetailSchema = r.patientRef(
  z.object({
    id: r.int,
    patients: recordPatientSchema,
    tanggal_konsul: r.str,
    ...recordClinical,
    verified_iduser: r.int,
    verified_user: z.union([userWithDepartmentSchema, nullUserSchema]),
    is_verified: r.flag,
    ...recordExtrasShape,
  }),
  'patients.id',
);

// ---------------------------------------------------------------- the UU PDP export (users/data/export)
// The API's own shapes plus the row's stamps; allergies are listed apart (soft-deleted ones included).

const stamps = (row: Row) => ({ created: formatDateTime(row.created_at), deleted: formatDateTime(row.deleted_at) });

export function patientExportJSON(app: AppContext, p: Row) {
  const { allergies: _listedApart, ...patient } = patientListJSON(app, { ...p, allergies: [] });
  return { ...patient, ...stamps(p) };
}
export const allergyExportJSON = (a: Row) => ({ ...allergyJSON(a), deleted: formatDateTime(a.deleted_at) });
export const recordExportJSON = (rm: Row) => ({ ...recordJSON(rm), deleted: formatDateTime(rm.deleted_at) });

export const patientExportSchema = r.patientRef(patientListSchema.omit({ allergies: true }).extend({ created: r.str, deleted: r.when }), 'id');
export const allergyExportSchema = r.patientRef(allergySchema.extend({ deleted: r.when }), 'id_patients');
export const recordExportSchema = r.patientRef(recordSchema.extend({ deleted: r.when }), 'id_patients');
