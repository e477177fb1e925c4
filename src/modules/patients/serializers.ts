import type { AppContext } from '../../app-context.js';
import { formatDate, formatDateTime } from '../../lib/dates.js';
import { userJSON, userWithDepartmentJSON } from '../identity/serializers.js';

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
export const pictureUrl = (app: AppContext, p: Row) => app.storage.signedUrl('patients', p.patient_picture, app.now().getTime());

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

/** create/get/update form: the managing user nested as `users` (null when unlinked). */
export function patientDetailJSON(app: AppContext, p: Row) {
  const u = p.user;
  return {
    id: p.id,
    id_users: p.id_users ?? 0,
    patient_external_id: p.patient_external_id,
    users: u ? userWithDepartmentJSON(app, u, u.departments?.[0]?.department) : null,
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
export const allergyPatientJSON = (p: Row) => ({ id: p.id, id_users: p.id_users ?? 0, ...ownFields(p) });

/** the patient nested in medical record answers (the document's short form) */
export const recordPatientJSON = (p: Row) => ({
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

const NULL_USER = (app: AppContext) =>
  Object.fromEntries(Object.keys(userJSON(app, { users_picture: '', users_birthday: null } as never)).map((k) => [k, null]));

export function recordDetailJSON(app: AppContext, r: Row) {
  return {
    id: r.id,
    patients: recordPatientJSON(r.patient),
    tanggal_konsul: formatDate(r.tanggal_konsul),
    keluhan: r.keluhan,
    diagnosa: r.diagnosa,
    catatan_kaki: r.catatan_kaki,
    verified_iduser: r.verified_iduser ?? 0,
    // The document prints an object of nulls when nobody verified yet.
    verified_user: r.verifiedBy ? userJSON(app, r.verifiedBy) : NULL_USER(app),
    is_verified: r.is_verified,
    ...recordExtras(r),
  };
}
