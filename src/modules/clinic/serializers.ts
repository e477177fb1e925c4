import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { isStaff, type AuthUser } from '../../http/auth-user.js';
import * as r from '../../http/response.js';
import { formatDate, formatTime } from '../../lib/dates.js';
import { PATIENT_CLINICAL_FIELDS } from '../patients/serializers.js';
import { publicAccountView, userWithDepartmentJSON, userWithDepartmentSchema } from '../identity/serializers.js';

/** Rows come from Prisma with the includes declared next to each resource. */
type Row = any;

export const DAYS_ID = ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'] as const;
export const DAYS_EN = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
export const STATUSES = ['BOOKING', 'RESCHEDULE', 'ARRIVED', 'DONE', 'CANCEL'] as const;

// response-schema building blocks of this module
const hariSchema = z.enum(DAYS_ID);
/** a TIME column as HH:mm:ss (the columns are NOT NULL) */
const time = r.str;
/** a DATE column as yyyy-mm-dd (NOT NULL) */
const day = r.str;

/** HH:mm of a TIME column */
export const hhmm = (d: Date | null | undefined) => (formatTime(d) ?? '').slice(0, 5);

// ---- includes shared by several resources (one query per list: relations are joined, never per row)
export const userInclude = { departments: { include: { department: true }, orderBy: { id: 'asc' as const }, take: 1 } };
export const doctorBriefInclude = { user: true, service: true };
export const serviceNestedInclude = {
  category: true,
  images: { orderBy: [{ is_primary: 'desc' as const }, { nomor_urut_tampil: 'asc' as const }, { id: 'asc' as const }], take: 1 },
};
export const doctorScheduleListInclude = {
  doctor: { include: { user: true } },
  doctorService: true,
  service: { include: { category: true } },
};

export function categoryJSON(app: AppContext, c: Row) {
  return {
    id: c.id,
    service_categories: c.service_categories,
    codes: c.codes,
    color: c.color,
    images: c.images,
    img_path: app.storage.publicUrl('service_categories', c.images),
  };
}
export const categorySchema = z.object({ id: r.int, service_categories: r.str, codes: r.str, color: r.str, images: r.str, img_path: r.str });

/**
 * A service's category as shown: none once the category is deleted (soft delete; the service keeps
 * its id_service_categories, as a product keeps the ids of its deleted categories).
 */
export const liveCategory = (s: Row) => (s?.category && !s.category.deleted_at ? s.category : null);
/** A doctor's main service as shown: none once the service is deleted (the doctor keeps its id_services). */
export const liveService = (d: Row) => (d?.service && !d.service.deleted_at ? d.service : null);

/** a service as nested in doctors and service images (the document's `services_category` = category name) */
export function serviceBriefJSON(s: Row) {
  return {
    id: s.id,
    id_service_categories: s.id_service_categories ?? 0,
    services_name: s.services_name,
    services_category: liveCategory(s)?.service_categories ?? '',
    services_price: s.services_price,
    services_description: s.services_description,
    buffer_time: s.buffer_time,
    is_available: s.is_available,
  };
}
export const serviceBriefSchema = z.object({
  id: r.int,
  id_service_categories: r.int,
  services_name: r.str,
  services_category: r.str,
  services_price: r.int,
  services_description: r.str,
  buffer_time: r.int,
  is_available: r.flag,
});

/** a service flattened with its category and primary image (lists and appointments) */
export function serviceListJSON(app: AppContext, s: Row) {
  const image = s.images?.[0]?.service_image ?? '';
  return {
    ...serviceBriefJSON(s),
    service_categories: liveCategory(s)?.service_categories ?? '',
    codes: liveCategory(s)?.codes ?? '',
    color: liveCategory(s)?.color ?? '',
    images: image,
    img_path: app.storage.publicUrl('services', image),
  };
}
export const serviceListSchema = serviceBriefSchema.extend({ service_categories: r.str, codes: r.str, color: r.str, images: r.str, img_path: r.str });

export function serviceDetailJSON(app: AppContext, s: Row) {
  const { service_categories: _name, codes: _c, color: _col, ...flat } = serviceListJSON(app, s);
  return {
    ...flat,
    service_categories: liveCategory(s) ? categoryJSON(app, s.category) : {},
    service_images: (s.images ?? []).map((i: Row) => serviceImageJSON(app, i)),
  };
}

export function serviceImageJSON(app: AppContext, i: Row) {
  return {
    id: i.id,
    id_services: i.id_services,
    service_image: i.service_image,
    is_primary: i.is_primary,
    nomor_urut_tampil: i.nomor_urut_tampil,
    img_path: app.storage.publicUrl('services', i.service_image),
  };
}
export const serviceImageSchema = z.object({ id: r.int, id_services: r.int, service_image: r.str, is_primary: r.flag, nomor_urut_tampil: r.int, img_path: r.str });
export const serviceDetailSchema = serviceListSchema.omit({ service_categories: true, codes: true, color: true }).extend({
  // the document's `{}` for a service without a category
  service_categories: z.union([categorySchema, z.object({})]),
  service_images: z.array(serviceImageSchema),
});

/** a doctor flattened with the user's name and picture (lists, and nested in other resources) */
export function doctorBriefJSON(app: AppContext, d: Row) {
  return {
    id: d.id,
    id_users: d.id_users,
    id_services: d.id_services ?? 0,
    custom_price: d.custom_price,
    doctor_description: d.doctor_description,
    availability_description: d.availability_description,
    short_description: d.short_description,
    is_active: d.is_active,
    users_fullname: d.user?.users_fullname ?? null,
    services_name: liveService(d)?.services_name ?? null,
    users_picture: d.user?.users_picture ?? '',
    users_picture_url: app.storage.publicUrl('users', d.user?.users_picture),
  };
}
export const doctorBriefSchema = z.object({
  id: r.int,
  id_users: r.int,
  id_services: r.int,
  custom_price: r.int,
  doctor_description: r.str,
  availability_description: r.str,
  short_description: r.str,
  is_active: r.flag,
  users_fullname: r.str,
  // the doctor's main service is optional
  services_name: r.str.nullable(),
  users_picture: r.str,
  users_picture_url: r.str,
});

/** `viewer`: who asks; anyone but staff and the doctor themselves gets the public view of the account. */
export function doctorDetailJSON(app: AppContext, d: Row, viewer: AuthUser | undefined) {
  const { users_fullname: _n, services_name: _s, ...rest } = doctorBriefJSON(app, d);
  const account = userWithDepartmentJSON(app, d.user, d.user.departments?.[0]?.department);
  return {
    ...rest,
    users: isStaff(viewer) || viewer?.id === d.id_users ? account : publicAccountView(account),
    services: liveService(d) ? serviceBriefJSON(d.service) : null,
  };
}
export const doctorDetailSchema = doctorBriefSchema.omit({ users_fullname: true, services_name: true }).extend({
  users: userWithDepartmentSchema,
  services: serviceBriefSchema.nullable(),
});

export function doctorServiceListJSON(ds: Row) {
  return {
    id: ds.id,
    id_doctors: ds.id_doctors,
    id_services: ds.id_services,
    doctors: ds.doctor?.user?.users_fullname ?? null,
    doctor_description: ds.doctor?.doctor_description ?? null,
    availability_description: ds.doctor?.availability_description ?? null,
    services_name: ds.service?.services_name ?? null,
    services_description: ds.service?.services_description ?? null,
    custom_price: ds.custom_price,
    doctor_buffer_time: ds.doctor_buffer_time,
    is_active: ds.is_active,
  };
}
export const doctorServiceListSchema = z.object({
  id: r.int,
  id_doctors: r.int,
  id_services: r.int,
  doctors: r.str,
  doctor_description: r.str,
  availability_description: r.str,
  services_name: r.str,
  services_description: r.str,
  custom_price: r.int,
  doctor_buffer_time: r.int,
  is_active: r.flag,
});

export function doctorServiceDetailJSON(app: AppContext, ds: Row) {
  return {
    id: ds.id,
    id_doctors: ds.id_doctors,
    id_services: ds.id_services,
    // both relations are required: always present
    doctors: doctorBriefJSON(app, ds.doctor),
    services: serviceBriefJSON(ds.service),
    custom_price: ds.custom_price,
    doctor_buffer_time: ds.doctor_buffer_time,
    is_active: ds.is_active,
  };
}
export const doctorServiceDetailSchema = doctorServiceListSchema
  .omit({ doctor_description: true, availability_description: true, services_name: true, services_description: true })
  .extend({ doctors: doctorBriefSchema, services: serviceBriefSchema });

export function scheduleListJSON(s: Row) {
  return {
    id: s.id,
    id_doctors: s.id_doctors,
    hari: s.hari,
    jam: formatTime(s.jam),
    jam_selesai: formatTime(s.jam_selesai),
    doctors: s.doctor?.user?.users_fullname ?? null,
  };
}
export const scheduleListSchema = z.object({ id: r.int, id_doctors: r.int, hari: hariSchema, jam: time, jam_selesai: time, doctors: r.str });

export function scheduleDetailJSON(app: AppContext, s: Row) {
  return {
    id: s.id,
    id_doctors: s.id_doctors,
    doctors: doctorBriefJSON(app, s.doctor),
    hari: s.hari,
    jam: formatTime(s.jam),
    jam_selesai: formatTime(s.jam_selesai),
  };
}
export const scheduleDetailSchema = scheduleListSchema.extend({ doctors: doctorBriefSchema });

/** a bookable slot, flat (lists, availability and nested in appointments) */
export function doctorScheduleListJSON(ds: Row) {
  return {
    id: ds.id,
    id_doctors: ds.id_doctors,
    id_doctor_services: ds.id_doctor_services,
    id_services: ds.id_services,
    custom_price: ds.custom_price,
    hari: ds.hari,
    jam: formatTime(ds.jam),
    jam_selesai: formatTime(ds.jam_selesai),
    is_active: ds.is_active,
    doctor_buffer_time: ds.doctorService?.doctor_buffer_time ?? 0,
    services_name: ds.service?.services_name ?? null,
    service_categories: liveCategory(ds.service)?.service_categories ?? null,
    doctors: ds.doctor?.user?.users_fullname ?? null,
  };
}
export const doctorScheduleListSchema = z.object({
  id: r.int,
  id_doctors: r.int,
  id_doctor_services: r.int,
  id_services: r.int,
  custom_price: r.int,
  hari: hariSchema,
  jam: time,
  jam_selesai: time,
  is_active: r.flag,
  doctor_buffer_time: r.int,
  services_name: r.str,
  // a service's category is optional
  service_categories: r.str.nullable(),
  doctors: r.str,
});

export function doctorScheduleDetailJSON(app: AppContext, ds: Row) {
  return {
    ...doctorScheduleListJSON(ds),
    doctors: doctorBriefJSON(app, ds.doctor),
    doctor_services: doctorServiceListJSON({ ...ds.doctorService, doctor: ds.doctor, service: ds.service }),
  };
}

export const doctorScheduleDetailSchema = doctorScheduleListSchema.extend({ doctors: doctorBriefSchema, doctor_services: doctorServiceListSchema });

export const holidayJSON = (h: Row) => ({ id: h.id, dates: formatDate(h.dates), descriptions: h.descriptions });
export const holidaySchema = z.object({ id: r.int, dates: day, descriptions: r.str });

/** the patient fields the document nests in appointments (no picture: patient files are private) */
const PATIENT_TEXT_FIELDS = [
  'tempat_lahir', 'alamat_domisili', 'nama_ibu_kandung', 'jenis_kelamin', 'nama_ayah',
  'no_identitas', 'jenis_identitas', 'catatan', 'nama_wali', 'hubungan_dengan_wali', 'alamat_wali', 'no_telp_wali',
  'alamat_identitas', 'golongan_darah', 'pekerjaan', 'perusahaan_tempat_bekerja', 'perusahaan_no_telp', 'no_telp_rumah',
  'no_handphone', 'provinsi', 'kota', 'kecamatan', 'kode_provinsi', 'kode_kota', 'kode_kecamatan',
] as const;

/**
 * Whether the caller may read the appointment's patient: the same rule as the patients module's
 * patientReadScope, decided from the loaded row (staff; the account managing the live patient; the
 * doctor of this live appointment, the patient live). A customer who holds the booking but does not
 * manage the patient (booked for them by staff, or the patient was unlinked since), or anyone but
 * staff once the patient is soft-deleted, gets the name only.
 */
function mayReadPatient(user: AuthUser | undefined, a: Row) {
  if (!user) return false;
  if (isStaff(user)) return true;
  if (!a.patient || a.patient.deleted_at) return false;
  if (a.patient.id_users != null && a.patient.id_users === user.id) return true;
  return user.roles.includes('DOCTOR') && !a.deleted_at && a.doctor?.id_users === user.id;
}

function patientBriefJSON(p: Row, readable: boolean) {
  return {
    id: p.id,
    id_users: p.id_users ?? 0,
    nama_lengkap_pasien: p.nama_lengkap_pasien,
    ...Object.fromEntries(PATIENT_TEXT_FIELDS.map((f) => [f, readable ? (p[f] ?? null) : null])),
    tanggal_lahir: readable ? formatDate(p.tanggal_lahir) : null,
    lat: readable ? p.lat : 0,
    lng: readable ? p.lng : 0,
  };
}
const patientBriefSchema = r.patientRef(
  z.object({
    id: r.int,
    id_users: r.int,
    nama_lengkap_pasien: r.str,
    ...Object.fromEntries(PATIENT_TEXT_FIELDS.map((f) => [f, PATIENT_CLINICAL_FIELDS.has(f) ? r.clinical(r.str.nullable()) : r.str.nullable()])),
    tanggal_lahir: r.when,
    lat: r.num,
    lng: r.num,
  }),
  'id',
);

/** `2023-09-25T13:00:00` (clinic wall-clock, as the document's calendar events) */
export const isoLocal = (tanggal: Date, jam: Date) => `${formatDate(tanggal)}T${formatTime(jam)}`;

export const appointmentListInclude = {
  user: true,
  patient: true,
  service: true,
  doctor: { include: { user: true } },
  doctorSchedule: { include: { doctorService: true } },
};
export const appointmentDetailInclude = {
  user: { include: userInclude },
  patient: true,
  service: { include: serviceNestedInclude },
  doctor: { include: doctorBriefInclude },
  doctorSchedule: { include: doctorScheduleListInclude },
};

export function appointmentListJSON(app: AppContext, a: Row) {
  return {
    id: a.id,
    id_doctors: a.id_doctors,
    id_services: a.id_services,
    id_doctor_schedules: a.id_doctor_schedules,
    id_users: a.id_users,
    id_patients: a.id_patients,
    custom_price: a.custom_price,
    hari: a.hari,
    jam: formatTime(a.jam),
    jam_selesai: formatTime(a.jam_selesai),
    tanggal: formatDate(a.tanggal),
    status: a.status,
    cancel_reason: a.cancel_reason,
    digisoft_invoice_numbers: a.digisoft_invoice_numbers,
    reschedule_counts: a.reschedule_counts,
    doctor_buffer_time: a.doctorSchedule?.doctorService?.doctor_buffer_time ?? 0,
    users: a.user?.users_fullname ?? null,
    users_picture_url: app.storage.publicUrl('users', a.user?.users_picture),
    nama_lengkap_pasien: a.patient?.nama_lengkap_pasien ?? null,
    services_name: a.service?.services_name ?? null,
    doctors: a.doctor?.user?.users_fullname ?? null,
    doctors_picture_url: app.storage.publicUrl('users', a.doctor?.user?.users_picture),
    starts: isoLocal(a.tanggal, a.jam),
    ends: isoLocal(a.tanggal, a.jam_selesai),
  };
}
const appointmentFields = {
  id: r.int,
  id_doctors: r.int,
  id_services: r.int,
  id_doctor_schedules: r.int,
  id_users: r.int,
  id_patients: r.int,
  custom_price: r.int,
  hari: hariSchema,
  jam: time,
  jam_selesai: time,
  tanggal: day,
  status: z.enum(STATUSES),
  cancel_reason: r.str,
  digisoft_invoice_numbers: r.str,
  reschedule_counts: r.int,
};
export const appointmentListSchema = z.object({
  ...appointmentFields,
  doctor_buffer_time: r.int,
  users: r.str,
  users_picture_url: r.str,
  nama_lengkap_pasien: r.str,
  services_name: r.str,
  doctors: r.str,
  doctors_picture_url: r.str,
  starts: r.str,
  ends: r.str,
});

/** `user`: the caller; the nested patient's details only when they may read that patient */
export function appointmentDetailJSON(app: AppContext, a: Row, user: AuthUser | undefined) {
  return {
    id: a.id,
    id_doctors: a.id_doctors,
    id_services: a.id_services,
    id_doctor_schedules: a.id_doctor_schedules,
    id_users: a.id_users,
    id_patients: a.id_patients,
    doctors: doctorBriefJSON(app, a.doctor),
    services: serviceListJSON(app, a.service),
    doctor_schedules: doctorScheduleListJSON(a.doctorSchedule),
    users: userWithDepartmentJSON(app, a.user, a.user.departments?.[0]?.department),
    patients: patientBriefJSON(a.patient, mayReadPatient(user, a)),
    custom_price: a.custom_price,
    hari: a.hari,
    jam: formatTime(a.jam),
    jam_selesai: formatTime(a.jam_selesai),
    tanggal: formatDate(a.tanggal),
    status: a.status,
    digisoft_invoice_numbers: a.digisoft_invoice_numbers,
    reschedule_counts: a.reschedule_counts,
    cancel_reason: a.cancel_reason,
  };
}
export const appointmentDetailSchema = z.object({
  ...appointmentFields,
  doctors: doctorBriefSchema,
  services: serviceListSchema,
  doctor_schedules: doctorScheduleListSchema,
  users: userWithDepartmentSchema,
  patients: patientBriefSchema,
});

/** a calendar event (timeline, users/data next_appointments); rows use appointmentListInclude */
export function appointmentEventJSON(app: AppContext, a: Row) {
  const start = isoLocal(a.tanggal, a.jam);
  const end = isoLocal(a.tanggal, a.jam_selesai);
  return {
    title: a.doctor?.user?.users_fullname ?? '',
    start,
    end,
    extendedProps: {
      id: a.id,
      start,
      end,
      client: a.user?.users_fullname ?? '',
      patients: a.patient?.nama_lengkap_pasien ?? '',
      reschedule_counts: a.reschedule_counts,
      status: a.status,
      custom_price: a.custom_price,
      digisoft_invoice_numbers: a.digisoft_invoice_numbers,
      users_picture_url: app.storage.publicUrl('users', a.user?.users_picture),
      doctors_picture_url: app.storage.publicUrl('users', a.doctor?.user?.users_picture),
    },
    description: a.service?.services_name ?? '',
  };
}
export const appointmentEventSchema = z.object({
  title: r.str,
  start: r.str,
  end: r.str,
  extendedProps: z.object({
    id: r.int,
    start: r.str,
    end: r.str,
    client: r.str,
    patients: r.str,
    reschedule_counts: r.int,
    status: z.enum(STATUSES),
    custom_price: r.int,
    digisoft_invoice_numbers: r.str,
    users_picture_url: r.str,
    doctors_picture_url: r.str,
  }),
  description: r.str,
});

/** user_schedules/check/doctor/availability: one entry per coming day with a free slot (booking.service availability) */
export const availabilitySchema = z.array(
  z.object({
    schedule: day,
    schedule_format: r.str,
    day_id: hariSchema,
    day_en: z.enum(DAYS_EN),
    doctors: z.array(doctorScheduleListSchema.extend({ jam_mulai: r.str, jam_selesai: r.str })),
    schedule_array: z.array(day),
  }),
);
