import type { AppContext } from '../app-context.js';
import { parseDate, parseTime } from '../lib/dates.js';
import { generateSlots } from '../modules/clinic/slots.service.js';

/** Demo clinic: categories, services, the demo doctors' profiles, practice hours, slots and a holiday. */
const CATEGORIES = [
  { service_categories: 'Basic Treatments', codes: 'BT', color: '#944747' },
  { service_categories: 'Laser', codes: 'LS', color: '#3b4607' },
];
const SERVICES = [
  { services_name: 'Facial', category: 'Basic Treatments', services_price: 250000, buffer_time: 45, services_description: 'Facial wajah dasar' },
  { services_name: 'Art Peel', category: 'Basic Treatments', services_price: 350000, buffer_time: 60, services_description: 'Chemical peeling' },
  { services_name: 'Konsultasi Dokter', category: 'Basic Treatments', services_price: 150000, buffer_time: 30, services_description: 'Konsultasi kulit dan kelamin' },
  { services_name: 'Laser Rejuvenation', category: 'Laser', services_price: 900000, buffer_time: 60, services_description: 'Laser peremajaan kulit' },
];
const DOCTORS = [
  {
    username: 'dr.andini',
    main: 'Konsultasi Dokter',
    custom_price: 150000,
    doctor_description: '<p>Spesialis Kulit dan Kelamin</p>',
    short_description: 'Dokter kulit berpengalaman lebih dari 8 tahun.',
    services: ['Konsultasi Dokter', 'Facial', 'Art Peel'],
    hours: [['Senin', '09:00', '12:00'], ['Rabu', '09:00', '12:00'], ['Jumat', '13:00', '17:00']],
  },
  {
    username: 'dr.bima',
    main: 'Laser Rejuvenation',
    custom_price: 200000,
    doctor_description: '<p>Spesialis Dermatologi dan Venereologi</p>',
    short_description: 'Ahli laser dan estetika.',
    services: ['Konsultasi Dokter', 'Laser Rejuvenation'],
    hours: [['Selasa', '10:00', '14:00'], ['Kamis', '10:00', '14:00'], ['Sabtu', '09:00', '12:00']],
  },
] as const;

export async function seedClinic(app: AppContext) {
  const db = app.db;
  const categoryIds = new Map<string, number>();
  for (const c of CATEGORIES) {
    const found = await db.serviceCategory.findFirst({ where: { service_categories: c.service_categories, deleted_at: null } });
    categoryIds.set(c.service_categories, (found ?? (await db.serviceCategory.create({ data: c }))).id);
  }
  const serviceIds = new Map<string, number>();
  for (const { category, ...s } of SERVICES) {
    const found = await db.service.findFirst({ where: { services_name: s.services_name, deleted_at: null } });
    serviceIds.set(s.services_name, (found ?? (await db.service.create({ data: { ...s, id_service_categories: categoryIds.get(category)! } }))).id);
  }
  for (const d of DOCTORS) {
    const user = await db.user.findUnique({ where: { username: d.username } });
    if (!user) continue;
    const doctor = await db.doctor.upsert({
      where: { id_users: user.id },
      update: {},
      create: {
        id_users: user.id,
        id_services: serviceIds.get(d.main)!,
        custom_price: d.custom_price,
        doctor_description: d.doctor_description,
        short_description: d.short_description,
        availability_description: d.hours.map((h) => h[0]).join(', '),
      },
    });
    for (const name of d.services) {
      const id_services = serviceIds.get(name)!;
      await db.doctorService.upsert({
        where: { id_doctors_id_services: { id_doctors: doctor.id, id_services } },
        update: {},
        create: { id_doctors: doctor.id, id_services, is_active: 1 },
      });
    }
    for (const [hari, jam, selesai] of d.hours) {
      const exists = await db.schedule.findFirst({ where: { id_doctors: doctor.id, hari, jam: parseTime(jam)! } });
      if (!exists) await db.schedule.create({ data: { id_doctors: doctor.id, hari, jam: parseTime(jam)!, jam_selesai: parseTime(selesai)! } });
    }
    await generateSlots(app, doctor.id);
  }
  const dates = parseDate('25/12/2026')!;
  await db.holiday.upsert({ where: { dates }, update: {}, create: { dates, descriptions: 'Hari Raya Natal' } });
}
