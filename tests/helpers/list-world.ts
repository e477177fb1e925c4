import { expect } from 'vitest';
import { seed, sizes, type BenchSizes } from '../../bench/seed.js';
import type { Role } from '../../src/http/auth-user.js';
import { signToken } from '../../src/http/authenticate.js';
import { audit } from '../../src/modules/audit/audit.service.js';
import { seedDemoData } from '../../src/seed/index.js';
import { endpoints } from '../security/route-table.js';
import type { TestApp } from './app.js';

// Every list route of the app and a world of rows to list, shared by the tests that ask all of
// them (tests/db/list-statements.test.ts, tests/db/paging-stability.test.ts).

export type Caller = 'staff' | 'customer' | 'doctor';
export type Shape = 'explore' | 'search' | 'table' | 'grouped' | 'timeline' | 'items';

export interface Case {
  method: 'get' | 'post';
  path: string;
  shape: Shape;
  callers: Caller[];
  body?: Record<string, unknown>;
}

/** Rows of an answer, by its shape. */
export function rowsOf(shape: Shape, body: any): any[] {
  if (shape === 'explore' || shape === 'table') return body.data;
  if (shape === 'grouped') return [...body.active.prescriptions, ...body.active.online_consultations, ...body.archive.prescriptions, ...body.archive.online_consultations];
  if (shape === 'timeline') return body.events;
  if (shape === 'items') return body.items;
  const lists = Object.values(body).filter(Array.isArray);
  expect(lists).toHaveLength(1);
  return lists[0] as any[];
}

// ------------------------------------------------------------------------------------- the cases

export const WIDE = { tgl_awal: '01/01/2020', tgl_akhir: '31/12/2030' };
// UTC days are fine here: the window is 400 days wide, a few hours either way change nothing
const isoDay = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
/** the timeline's longest window (400 days) around today */
export const TIMELINE = { date_from: isoDay(-200), date_to: isoDay(199) };

/** Lists a customer or a doctor sees rows of (besides staff); every other list is asked by staff. */
export const SCOPED: Record<string, Caller[]> = {
  patients: ['customer', 'doctor'],
  patient_allergies: ['customer', 'doctor'],
  patient_rekam_medis: ['customer', 'doctor'],
  user_schedules: ['customer', 'doctor'],
  threads: ['customer', 'doctor'],
  thread_messages: ['customer', 'doctor'],
  notifications: ['customer', 'doctor'],
  orders: ['customer'],
  order_items: ['customer'],
  order_extras: ['customer'],
  ratings: ['customer'],
  user_points: ['customer'],
  deliveries: ['customer'],
};

/** What the coverage check counts as a list route. */
export const LIST_ROUTE = /\/(explore|search|table|adminview|overview|overview\/doctors|timeline|city|provinces|cities|districts|export)$|^\/(report|dashboard)\//;

/** explore/search/table of every resource, from the app's route table. */
export function resourceCases(): Case[] {
  return endpoints()
    .filter((e) => /\/(explore|search|table)$/.test(e.path) && !e.path.startsWith('/report/'))
    .map((e) => {
      const resource = e.path.split('/')[1]!;
      return {
        method: e.method as 'get' | 'post',
        path: e.path,
        shape: e.path.split('/').pop() as Shape,
        callers: ['staff' as Caller, ...(SCOPED[resource] ?? [])],
      };
    });
}

export const otherCases: Case[] = [
  { method: 'post', path: '/threads/adminview', shape: 'grouped', callers: ['staff'] },
  { method: 'post', path: '/threads/overview', shape: 'grouped', callers: ['customer', 'doctor'] },
  { method: 'post', path: '/threads/overview/doctors', shape: 'grouped', callers: ['doctor'] },
  { method: 'post', path: '/user_schedules/timeline', shape: 'timeline', callers: ['staff', 'customer', 'doctor'], body: TIMELINE },
  { method: 'post', path: '/report/penjualan/overall', shape: 'table', callers: ['staff'], body: WIDE },
  { method: 'post', path: '/report/penjualan/products', shape: 'table', callers: ['staff'], body: WIDE },
  { method: 'post', path: '/report/penjualan/online_consultations', shape: 'table', callers: ['staff'], body: WIDE },
  { method: 'post', path: '/report/offline/appoinment/performance', shape: 'table', callers: ['staff'], body: WIDE },
  { method: 'post', path: '/dashboard/upcoming/offline_appoinments', shape: 'table', callers: ['staff'] },
  { method: 'post', path: '/dashboard/upcoming/ecommerce', shape: 'table', callers: ['staff'] },
  { method: 'post', path: '/dashboard/upcoming/promotions', shape: 'table', callers: ['staff'] },
  { method: 'post', path: '/dashboard/total/products', shape: 'items', callers: ['staff'] },
  { method: 'post', path: '/dashboard/total/services', shape: 'items', callers: ['staff'] },
];

export const listCases = (): Case[] => [...resourceCases(), ...otherCases];

// -------------------------------------------------------------------------------------- the data

/**
 * The world: the bench's seed at a tiny scale (orders with items, threads with messages,
 * appointments, patients) plus the demo data and a few rows of the tables neither fills.
 * Users 1 (owner, admin), 2–4 doctors, 5–12 customers; `counts` changes the seed's numbers of
 * orders, appointments, threads and messages. Answers the callers' tokens.
 */
export async function fillListWorld(t: TestApp, counts: Partial<BenchSizes> = {}): Promise<Record<Caller, string>> {
  // by default ~40 orders, ~8 threads and ~40 appointments each customer
  const s = { ...sizes(0.001), users: 12, doctors: 3, customers: 8, menus: 30, stores: 4, services: 6, orders: 300, appointments: 300, threads: 60, messages: 600, ...counts };
  await seed(t.databaseUrl!, s, () => undefined);
  await seedDemoData(t.app);
  const sql = (text: string) => t.app.db.$executeRawUnsafe(text);
  const customer = 5;
  const doctor = 2;
  // served appointments for the reports and the year's top services (the bench books this week
  // and later): a third of them served today, the clinic's day (no slot held, as a cancelled one)
  await sql(`UPDATE user_schedules SET tanggal = (now() AT TIME ZONE 'Asia/Jakarta')::date, status = 'DONE', active_slot = NULL WHERE id % 3 = 0`);
  // the customer's own patients, the doctor's patients (their consultations'), with allergies and records
  await sql(`INSERT INTO patients (id_users, nama_lengkap_pasien, no_handphone, no_identitas, updated_at)
             SELECT ${customer}, 'Pasien ' || g, '0812000000' || g, '3273000000' || lpad(g::text, 6, '0'), now() FROM generate_series(1, 6) g`);
  // the customer's orders, consultations and appointments spread over those patients (the bench gives each customer one)
  for (const table of ['orders', 'user_schedules']) {
    const owner = table === 'orders' ? 'id_member' : 'id_users';
    await sql(`UPDATE ${table} x SET id_patients = p.id
               FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM ${table} WHERE ${owner} = ${customer}) r,
                    (SELECT id, row_number() OVER (ORDER BY id) AS n, count(*) OVER () AS total FROM patients WHERE id_users = ${customer}) p
               WHERE x.id = r.id AND p.n = (r.n - 1) % p.total + 1`);
  }
  await sql(`UPDATE threads t SET id_patients = o.id_patients FROM orders o WHERE o.id = t.id_order AND o.id_member = ${customer}`);
  await sql(`INSERT INTO patient_allergies (id_patients, allergies, diagnosa, updated_at) SELECT p.id, 'Alergi ' || p.id, 'Gatal', now() FROM patients p, generate_series(1, 2)`);
  await sql(`INSERT INTO patient_rekam_medis (id_patients, tanggal_konsul, keluhan, diagnosa, created_by_iduser, updated_at)
             SELECT p.id, current_date - k, 'Jerawat', 'Acne vulgaris', ${doctor}, now() FROM patients p, generate_series(1, 2) k`);
  await sql(`INSERT INTO notifications (id_user_from, id_user_to, intentions, title, content, updated_at)
             SELECT 1, u, 'info', 'Pesan ' || g, 'Isi ' || g, now() FROM generate_series(1, 8) g, unnest(ARRAY[${customer}, ${doctor}, 1]) u`);
  await sql(`INSERT INTO user_points (id_users, id_orders, add_point, remaining_point, usecase, expired_date, updated_at)
             SELECT o.id_member, o.id, 1000, 1000, 'EARN', current_date + 365, now() FROM orders o WHERE o.id_member = ${customer} AND o.is_paid = 1 LIMIT 8`);
  await sql(`INSERT INTO ratings (id_orders, id_users, ratings, rating_desc, updated_at)
             SELECT o.id, o.id_member, 5, 'Bagus', now() FROM orders o WHERE o.status = 'DONE' ORDER BY o.id LIMIT 30`);
  await sql(`INSERT INTO menu_images (id_menus, menu_image, nomor_urut_tampil, updated_at) SELECT m.id, 'm' || m.id || '.png', 1, now() FROM menus m LIMIT 10`);
  await sql(`INSERT INTO service_images (id_services, service_image, nomor_urut_tampil, updated_at) SELECT v.id, 's' || v.id || '.png', 1, now() FROM services v LIMIT 10`);
  await sql(`INSERT INTO promotions (id_menu, type, value, quota, start_datetime, expired_datetime, display_codes, display_codes_key, title, updated_at)
             SELECT g, 'PERCENT', 10, 100, now() - interval '1 day', now() + interval '30 days', 'PROMO' || g, 'PROMO' || g, 'Promo ' || g, now() FROM generate_series(1, 6) g`);
  await sql(`INSERT INTO holidays (dates, descriptions, updated_at) SELECT current_date + 100 + g, 'Libur ' || g, now() FROM generate_series(1, 6) g ON CONFLICT DO NOTHING`);
  await sql(`INSERT INTO departments (department_name, department_codes, updated_at) SELECT 'Bagian ' || g, 'DEP' || g, now() FROM generate_series(1, 6) g`);
  await sql(`INSERT INTO user_departments (id_users, id_departments) SELECT u, d.id FROM departments d, generate_series(1, 4) u ON CONFLICT DO NOTHING`);
  await sql(`INSERT INTO deliveries (distance_fr, distance_to, segment, price_in_km, updated_at) SELECT 10 * g, 10 * g + 10, 'Zona ' || g, 2000 + g, now() FROM generate_series(3, 8) g`);
  await sql(`INSERT INTO service_categories (service_categories, codes, updated_at) SELECT 'Layanan ' || g, 'L' || g, now() FROM generate_series(1, 6) g`);
  await sql(`INSERT INTO static_contents (type, contents, updated_at) SELECT 'info' || g, 'Isi ' || g, now() FROM generate_series(1, 4) g`);
  for (let i = 0; i < 8; i++) await audit(t.app, { user: { id: 1, roles: ['OWNER'] }, action: 'client_event', resource: 'client', details: { i } });
  const token = async (id: number) => {
    const u = await t.app.db.user.findUniqueOrThrow({ where: { id }, include: { roles: true } });
    return signToken(t.app, { id, token_version: u.token_version, roles: u.roles.map((r) => r.role_codes as Role) });
  };
  return { staff: await token(1), customer: await token(customer), doctor: await token(doctor) };
}
