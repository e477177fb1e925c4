import { menuBaseJSON } from '../../src/modules/catalogue/serializers.js';
import { clinicDay, formatDate } from '../../src/lib/dates.js';
import { DAYS_ID } from '../../src/modules/clinic/serializers.js';
import type { TestApp, TestUser } from '../helpers/app.js';

let seq = 0;

/**
 * A bookable slot (doctor profile, service, doctor service, weekly slot) on the weekday `daysAhead`
 * clinic days from today, far enough ahead for every customer rule (minimum notice, change cutoff).
 * Written directly with Prisma, as the clinic tests' fixtures do. Each call makes a new doctor, so
 * slots of different calls never overlap.
 */
export async function bookableSlot(t: TestApp, daysAhead = 7, opts: { price?: number; doctor?: TestUser } = {}) {
  const db = t.app.db;
  seq += 1;
  const doctorUser = opts.doctor ?? (await t.user(['DOCTOR']));
  const service = await db.service.create({ data: { services_name: `Layanan ${seq}`, services_price: opts.price ?? 150_000, buffer_time: 30 } });
  const doctor = await db.doctor.upsert({ where: { id_users: doctorUser.id }, create: { id_users: doctorUser.id, is_active: 1 }, update: {} });
  const ds = await db.doctorService.create({ data: { id_doctors: doctor.id, id_services: service.id, is_active: 1 } });
  const day = new Date(clinicDay(new Date()).getTime() + daysAhead * 86_400_000);
  const hari = DAYS_ID[day.getUTCDay()]!;
  const jam = new Date(Date.UTC(1970, 0, 1, 9 + (seq % 8), 0, 0));
  const jam_selesai = new Date(jam.getTime() + 30 * 60_000);
  const slot = await db.doctorSchedule.create({
    data: { id_doctors: doctor.id, id_doctor_services: ds.id, id_services: service.id, hari, jam, jam_selesai, is_active: 1 },
  });
  const iso = formatDate(day)!;
  return { doctorUser, doctor, service, slot, tanggal: iso, day, jam, jam_selesai, price: service.services_price };
}

/** An active (BOOKING) appointment written directly, as a successful booking stores it. */
export async function appointment(t: TestApp, s: Awaited<ReturnType<typeof bookableSlot>>, customerId: number, patientId: number, fields: Record<string, unknown> = {}) {
  return t.app.db.userSchedule.create({
    data: {
      id_doctors: s.doctor.id,
      id_services: s.service.id,
      id_doctor_schedules: s.slot.id,
      id_users: customerId,
      id_patients: patientId,
      custom_price: s.price,
      hari: s.slot.hari,
      tanggal: s.day,
      jam: s.jam,
      jam_selesai: s.jam_selesai,
      status: 'BOOKING',
      active_slot: 1,
      ...fields,
    },
  });
}

/** a prescription's stored product snapshot, as thread_messages/prescriptions writes it */
export const prescriptionSnapshot = (t: TestApp, menu: Parameters<typeof menuBaseJSON>[0]) => ({ ...menuBaseJSON(menu), images: t.app.storage.publicUrl('menus', undefined) });

export const createMenu = (t: TestApp, fields: Record<string, unknown> = {}) =>
  t.app.db.menu.create({ data: { nama_menus: 'Age Corrector Night Cream', harga: 160_972, is_resep_required: 1, satuan: 'Jar', berat: 30, ...fields } });
