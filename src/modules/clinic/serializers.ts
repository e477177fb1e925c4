import type { AppContext } from '../../app-context.js';
import { formatDate, formatTime } from '../../lib/dates.js';
import { userWithDepartmentJSON } from '../identity/serializers.js';

/** Rows come from Prisma with the includes declared next to each resource. */
type Row = any;

export const DAYS_ID = ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'] as const;
export const DAYS_EN = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
export type Hari = (typeof DAYS_ID)[number];

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

/** a service as nested in doctors and service images (the document's `services_category` = category name) */
export function serviceBriefJSON(s: Row) {
  return {
    id: s.id,
    id_service_categories: s.id_service_categories ?? 0,
    services_name: s.services_name,
    services_category: s.category?.service_categories ?? '',
    services_price: s.services_price,
    services_description: s.services_description,
    buffer_time: s.buffer_time,
    is_available: s.is_available,
  };
}

/** a service flattened with its category and primary image (lists and appointments) */
export function serviceListJSON(app: AppContext, s: Row) {
  const image = s.images?.[0]?.service_image ?? '';
  return {
    ...serviceBriefJSON(s),
    service_categories: s.category?.service_categories ?? '',
    codes: s.category?.codes ?? '',
    color: s.category?.color ?? '',
    images: image,
    img_path: app.storage.publicUrl('services', image),
  };
}

export function serviceDetailJSON(app: AppContext, s: Row) {
  const { service_categories: _name, codes: _c, color: _col, ...flat } = serviceListJSON(app, s);
  return {
    ...flat,
    service_categories: s.category ? categoryJSON(app, s.category) : {},
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
    services_name: d.service?.services_name ?? null,
    users_picture: d.user?.users_picture ?? '',
    users_picture_url: app.storage.publicUrl('users', d.user?.users_picture),
  };
}

export function doctorDetailJSON(app: AppContext, d: Row) {
  const { users_fullname: _n, services_name: _s, ...rest } = doctorBriefJSON(app, d);
  return {
    ...rest,
    users: userWithDepartmentJSON(app, d.user, d.user.departments?.[0]?.department),
    services: d.service ? serviceBriefJSON(d.service) : null,
  };
}

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

export function doctorServiceDetailJSON(app: AppContext, ds: Row) {
  return {
    id: ds.id,
    id_doctors: ds.id_doctors,
    id_services: ds.id_services,
    doctors: ds.doctor ? doctorBriefJSON(app, ds.doctor) : null,
    services: ds.service ? serviceBriefJSON(ds.service) : null,
    custom_price: ds.custom_price,
    doctor_buffer_time: ds.doctor_buffer_time,
    is_active: ds.is_active,
  };
}

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
    service_categories: ds.service?.category?.service_categories ?? null,
    doctors: ds.doctor?.user?.users_fullname ?? null,
  };
}

export function doctorScheduleDetailJSON(app: AppContext, ds: Row) {
  return {
    ...doctorScheduleListJSON(ds),
    doctors: doctorBriefJSON(app, ds.doctor),
    doctor_services: ds.doctorService ? doctorServiceListJSON({ ...ds.doctorService, doctor: ds.doctor, service: ds.service }) : null,
  };
}

export const holidayJSON = (h: Row) => ({ id: h.id, dates: formatDate(h.dates), descriptions: h.descriptions });

/** the patient fields the document nests in appointments (no picture: patient files are private) */
export function patientBriefJSON(p: Row) {
  if (!p) return null;
  const fields = [
    'nama_lengkap_pasien', 'tempat_lahir', 'alamat_domisili', 'nama_ibu_kandung', 'jenis_kelamin', 'nama_ayah',
    'no_identitas', 'jenis_identitas', 'catatan', 'nama_wali', 'hubungan_dengan_wali', 'alamat_wali', 'no_telp_wali',
    'alamat_identitas', 'golongan_darah', 'pekerjaan', 'perusahaan_tempat_bekerja', 'perusahaan_no_telp', 'no_telp_rumah',
    'no_handphone', 'provinsi', 'kota', 'kecamatan', 'kode_provinsi', 'kode_kota', 'kode_kecamatan', 'lat', 'lng',
  ];
  return {
    id: p.id,
    id_users: p.id_users ?? 0,
    ...Object.fromEntries(fields.map((f) => [f, p[f] ?? null])),
    tanggal_lahir: formatDate(p.tanggal_lahir),
  };
}

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

export function appointmentDetailJSON(app: AppContext, a: Row) {
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
    patients: patientBriefJSON(a.patient),
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
