import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { STAFF, type AuthUser, type Role } from '../../http/auth-user.js';
import { badRequest } from '../../http/errors.js';
import { resourceRoutes } from '../../http/resource.js';
import * as shape from '../../http/response.js';
import { route, type RouteDef } from '../../http/route.js';
import { formatDate, formatTime } from '../../lib/dates.js';
import * as s from '../../lib/schemas.js';
import * as booking from './booking.service.js';
import { hari } from './catalog.routes.js';
import {
  STATUSES,
  appointmentDetailInclude,
  appointmentDetailJSON,
  appointmentDetailSchema,
  appointmentEventJSON,
  appointmentEventSchema,
  appointmentListInclude,
  appointmentListJSON,
  appointmentListSchema,
  availabilitySchema,
  isoLocal,
} from './serializers.js';
const CLINICIANS: Role[] = [...STAFF, 'DOCTOR'];

/** The slot part of create / reschedule / update (id_doctors, id_services, hari, jam must match the slot when sent). */
const slotFields = {
  id_doctor_schedules: s.id,
  tanggal: s.date,
  id_doctors: s.id.optional(),
  id_services: s.id.optional(),
  hari: hari.optional(),
  jam: s.time.optional(),
  // the price is the server's (slot, doctor service or service price); a client value is ignored
  custom_price: z.unknown().optional(),
};
const createBody = z.object({ ...slotFields, id_patients: s.id, id_users: s.id.optional() });
const moveBody = z.object(slotFields);

const filters = z.object({
  id_doctors: s.id.optional(),
  id_services: s.id.optional(),
  id_doctor_schedules: s.id.optional(),
  id_users: s.id.optional(),
  id_patients: s.id.optional(),
  status: z.enum(STATUSES).optional(),
  status_array: z.array(z.enum(STATUSES)).max(5).optional(),
  date_from: s.date.optional(),
  date_to: s.date.optional(),
});

const resource = resourceRoutes({
  name: 'user_schedules',
  model: (db) => db.userSchedule,
  access: { read: 'authenticated', write: STAFF },
  softDelete: true,
  scope: (c) => booking.appointmentScope(c),
  filters,
  where: (f) => ({
    id_doctors: f.id_doctors,
    id_services: f.id_services,
    id_doctor_schedules: f.id_doctor_schedules,
    id_users: f.id_users,
    id_patients: f.id_patients,
    // `status` wins over `status_array` when both are sent
    status: f.status ?? (f.status_array ? { in: f.status_array } : undefined),
    ...(f.date_from || f.date_to ? { tanggal: { gte: f.date_from, lte: f.date_to } } : {}),
  }),
  include: appointmentListInclude,
  detailInclude: appointmentDetailInclude,
  defaultOrder: [{ tanggal: 'desc' }, { jam: 'desc' }, { id: 'desc' }],
  searchFields: ['patient.nama_lengkap_pasien', 'user.users_fullname', 'doctor.user.users_fullname', 'service.services_name', 'status'],
  toJSON: (r, c) => appointmentListJSON(c.app, r),
  toDetail: (r, c) => appointmentDetailJSON(c.app, r, c.user),
  schema: appointmentListSchema,
  detailSchema: appointmentDetailSchema,
  columns: [
    { name: 'id', value: (r) => r.id, orderBy: (d) => ({ id: d }) },
    { name: 'id_doctors', value: (r) => r.id_doctors, orderBy: (d) => ({ id_doctors: d }) },
    { name: 'id_services', value: (r) => r.id_services, orderBy: (d) => ({ id_services: d }) },
    { name: 'id_doctor_schedules', value: (r) => r.id_doctor_schedules, orderBy: (d) => ({ id_doctor_schedules: d }) },
    { name: 'id_users', value: (r) => r.id_users, orderBy: (d) => ({ id_users: d }) },
    { name: 'id_patients', value: (r) => r.id_patients, orderBy: (d) => ({ id_patients: d }) },
    { name: 'custom_price', value: (r) => r.custom_price, orderBy: (d) => ({ custom_price: d }) },
    // hari sorts by the week (hari_no, the date's weekday from Senin), then by the date and time
    { name: 'hari', value: (r) => r.hari, orderBy: (d) => [{ hari_no: d }, { tanggal: d }, { jam: d }] },
    { name: 'jam', value: (r) => formatTime(r.jam), orderBy: (d) => ({ jam: d }) },
    { name: 'tanggal', value: (r) => formatDate(r.tanggal), orderBy: (d) => ({ tanggal: d }) },
    { name: 'status', value: (r) => r.status, orderBy: (d) => ({ status: d }) },
    { name: 'users', value: (r) => r.user?.users_fullname },
    { name: 'nama_lengkap_pasien', value: (r) => r.patient?.nama_lengkap_pasien },
    { name: 'services_name', value: (r) => r.service?.services_name },
    { name: 'doctors', value: (r) => r.doctor?.user?.users_fullname },
    { name: 'digisoft_invoice_numbers', value: (r) => r.digisoft_invoice_numbers },
    { name: 'reschedule_counts', value: (r) => r.reschedule_counts, orderBy: (d) => ({ reschedule_counts: d }) },
    // the start is the day and the time of day
    { name: 'starts', value: (r) => isoLocal(r.tanggal, r.jam), orderBy: (d) => [{ tanggal: d }, { jam: d }] },
    { name: 'ends', value: (r) => isoLocal(r.tanggal, r.jam_selesai) },
    { name: 'cancel_reason', value: (r) => r.cancel_reason },
  ],
  create: false,
  update: false,
  delete: false,
});

const detail = async (app: AppContext, user: AuthUser | undefined, id: number) => {
  const row = await app.db.userSchedule.findFirstOrThrow({ where: { id }, include: appointmentDetailInclude });
  return { user_schedules: appointmentDetailJSON(app, row, user) };
};
const detailResponse = shape.one('user_schedules', appointmentDetailSchema);

const routes: RouteDef[] = [
  route({
    method: 'post',
    path: '/user_schedules/create',
    access: 'authenticated',
    tag: 'user_schedules',
    summary: 'Book a slot on a date for a patient (customers: their own patients; staff: anyone)',
    body: createBody,
    response: detailResponse,
    handler: async ({ app, user, body, auditChange }) => {
      const c = { app, user };
      // the entry names the new appointment, as a create's answer does
      return detail(app, user, await booking.book(app, c, body, (tx, id) => auditChange(tx, { user_schedules: { id } })));
    },
  }),
  ...(['reschedule', 'update'] as const).map((name) =>
    route({
      method: ['put', 'post'],
      path: `/user_schedules/:id/${name}`,
      access: 'authenticated',
      tag: 'user_schedules',
      summary: 'Move an appointment to another free slot/date (status RESCHEDULE, reschedule_counts + 1)',
      // a doctor moves it as a clinician (no change cutoff; their patients' bookings): audited as staff are
      auditedRoles: ['DOCTOR'],
      body: moveBody,
      response: detailResponse,
      handler: async ({ app, user, params, body, auditChange }) => {
        const c = { app, user };
        await booking.reschedule(app, c, params.id, body, auditChange);
        return detail(app, user, params.id);
      },
    }),
  ),
  route({
    method: ['put', 'post'],
    path: '/user_schedules/:id/cancel',
    access: 'authenticated',
    tag: 'user_schedules',
    summary: 'Cancel an appointment (frees its slot)',
    auditedRoles: ['DOCTOR'],
    body: z.object({ cancel_reason: s.text(500).default('') }),
    response: shape.done('cancel'),
    handler: async ({ app, user, params, body, auditChange }) => {
      await booking.cancel(app, { app, user }, params.id, body.cancel_reason, auditChange);
      return { cancel: true };
    },
  }),
  route({
    method: ['put', 'post'],
    path: '/user_schedules/:id/arrived',
    access: CLINICIANS,
    tag: 'user_schedules',
    summary: "The patient has arrived (BOOKING/RESCHEDULE → ARRIVED), from the appointment's day on (Asia/Jakarta)",
    response: shape.done('arrived'),
    handler: async ({ app, user, params, auditChange }) => {
      await booking.arrived(app, { app, user }, params.id, auditChange);
      return { arrived: true };
    },
  }),
  route({
    method: ['put', 'post'],
    path: '/user_schedules/:id/done',
    access: CLINICIANS,
    tag: 'user_schedules',
    summary: 'The appointment is done (ARRIVED → DONE) with the Digisoft invoice number',
    body: z.object({ digisoft_invoice_numbers: s.text(100).default('') }),
    response: shape.done('done'),
    handler: async ({ app, user, params, body, auditChange }) => {
      await booking.done(app, { app, user }, params.id, body.digisoft_invoice_numbers, auditChange);
      return { done: true };
    },
  }),
  route({
    method: 'delete',
    path: '/user_schedules/:id/delete',
    access: STAFF,
    tag: 'user_schedules',
    summary: 'Delete (hide) an appointment; frees its slot',
    response: shape.deleted,
    handler: async ({ app, user, params, auditChange }) => {
      await booking.remove(app, { app, user }, params.id, auditChange);
      return { deleted: true };
    },
  }),
  route({
    method: 'post',
    path: '/user_schedules/check/doctor/availability',
    access: 'public',
    readOnly: true,
    tag: 'user_schedules',
    summary: "The coming days with a doctor's free slots (holidays, past and taken times excluded)",
    body: z.object({ id_doctors: s.id, id_services: s.id.optional() }),
    response: availabilitySchema,
    handler: ({ app, user, body }) => booking.availability(app, { app, user }, body.id_doctors, body.id_services),
  }),
  route({
    method: 'post',
    path: '/user_schedules/timeline',
    access: 'authenticated',
    readOnly: true,
    tag: 'user_schedules',
    summary: 'Calendar events between two dates (cancelled appointments left out unless asked for)',
    body: z.object({ date_from: z.string().max(30), date_to: z.string().max(30), id_doctors: s.id.optional(), status_array: z.array(z.enum(STATUSES)).max(5).optional() }),
    response: z.object({ date_from: shape.str, date_to: shape.str, events: z.array(appointmentEventSchema) }),
    handler: async ({ app, user, body }) => {
      const from = s.date.safeParse(body.date_from);
      const to = s.date.safeParse(body.date_to);
      if (!from.success || !to.success) throw badRequest('Invalid input', [{ field: from.success ? 'date_to' : 'date_from', message: 'expected a date as dd/mm/yyyy or yyyy-mm-dd' }]);
      if (to.data < from.data) throw badRequest('Invalid input', [{ field: 'date_to', message: 'must not be before date_from' }]);
      if (to.data.getTime() - from.data.getTime() > 400 * 86_400_000) throw badRequest('Invalid input', [{ field: 'date_to', message: 'at most 400 days' }]);
      const rows = await app.db.userSchedule.findMany({
        where: {
          AND: [
            { deleted_at: null, tanggal: { gte: from.data, lte: to.data }, id_doctors: body.id_doctors, status: { in: body.status_array ?? [...booking.ACTIVE_STATUSES] } },
            booking.appointmentScope({ app, user }) ?? {},
          ],
        },
        include: appointmentListInclude,
        orderBy: [{ tanggal: 'asc' }, { jam: 'asc' }, { id: 'asc' }],
        take: 5000,
      });
      return { date_from: body.date_from, date_to: body.date_to, events: rows.map((r) => appointmentEventJSON(app, r)) };
    },
  }),
  ...resource,
];

export const appointmentRoutes = routes;
