import { z } from 'zod';
import { STAFF } from '../../http/auth-user.js';
import { forbidden } from '../../http/errors.js';
import { resourceRoutes } from '../../http/resource.js';
import * as out from '../../http/response.js';
import { route } from '../../http/route.js';
import { clinicDayStart, formatDateTime } from '../../lib/dates.js';
import * as s from '../../lib/schemas.js';
import type { Prisma } from '../../db/client.js';
import { audit } from './audit.service.js';

type LogRow = Prisma.LogGetPayload<object>;

export const logJSON = (r: LogRow) => ({
  id: r.id,
  seq: r.seq,
  id_users: r.id_users,
  role: r.role,
  action: r.action,
  resource: r.resource,
  resource_id: r.resource_id,
  id_patients: r.id_patients,
  outcome: r.outcome,
  ip: r.ip,
  user_agent: r.user_agent,
  details: r.details ?? null,
  created_at: formatDateTime(r.created_at),
  prev_hash: r.prev_hash,
  hash: r.hash,
});

/** logJSON */
export const logSchema = z.object({
  id: out.int,
  seq: out.int,
  id_users: out.int.nullable(),
  role: out.str.nullable(),
  action: out.str,
  resource: out.str,
  resource_id: out.str.nullable(),
  id_patients: out.int.nullable(),
  outcome: z.enum(['success', 'failure', 'denied']),
  ip: out.str.nullable(),
  user_agent: out.str.nullable(),
  // free-form by design: each action records its own details (a reason, the changed fields, a client event's keys)
  details: z.json(),
  created_at: out.str,
  prev_hash: out.str,
  hash: out.str,
});

/** the append-only log answers no success to a change: these routes always refuse (403) */
const neverAnswers = z.never();

const filters = z.object({
  id_users: s.id.optional(),
  role: z.string().max(20).optional(),
  action: z.string().max(50).optional(),
  resource: z.string().max(50).optional(),
  resource_id: z.coerce.string().max(50).optional(),
  id_patients: s.id.optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  start_date: s.date.optional(),
  end_date: s.date.optional(),
});

/** A client-side event the app reports for the signed-in user (kept as `client_event`). */
const clientEvent = z.object({
  action: s.requiredText(50),
  resource: s.text(50).optional(),
  resource_id: z.coerce.string().max(50).optional(),
  details: z
    .record(z.string().max(50), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
    .refine((d) => Object.keys(d).length <= 20, 'at most 20 keys')
    .optional(),
});

const DAY = 86_400_000;

export const logRoutes = [
  ...resourceRoutes({
    name: 'logs',
    model: (db) => db.log,
    access: { read: STAFF, write: STAFF },
    filters,
    where: (f) => ({
      id_users: f.id_users,
      role: f.role,
      action: f.action,
      resource: f.resource,
      resource_id: f.resource_id,
      id_patients: f.id_patients,
      outcome: f.outcome,
      // Asia/Jakarta days (as created_at is shown), both inclusive
      created_at:
        f.start_date || f.end_date
          ? { gte: f.start_date ? clinicDayStart(f.start_date) : undefined, lt: f.end_date ? clinicDayStart(new Date(f.end_date.getTime() + DAY)) : undefined }
          : undefined,
    }),
    searchFields: ['action', 'resource', 'resource_id', 'role', 'ip'],
    defaultOrder: { seq: 'desc' },
    toJSON: logJSON,
    schema: logSchema,
    columns: [
      { name: 'id', value: (r) => r.id, orderBy: (d) => ({ id: d }) },
      { name: 'created_at', value: (r) => formatDateTime(r.created_at), orderBy: (d) => ({ created_at: d }) },
      { name: 'id_users', value: (r) => r.id_users, orderBy: (d) => ({ id_users: d }) },
      { name: 'role', value: (r) => r.role, orderBy: (d) => ({ role: d }) },
      { name: 'action', value: (r) => r.action, orderBy: (d) => ({ action: d }) },
      { name: 'resource', value: (r) => r.resource, orderBy: (d) => ({ resource: d }) },
      { name: 'resource_id', value: (r) => r.resource_id, orderBy: (d) => ({ resource_id: d }) },
      { name: 'id_patients', value: (r) => r.id_patients, orderBy: (d) => ({ id_patients: d }) },
      { name: 'outcome', value: (r) => r.outcome, orderBy: (d) => ({ outcome: d }) },
      { name: 'ip', value: (r) => r.ip, orderBy: (d) => ({ ip: d }) },
    ],
    create: false,
    update: false,
    delete: false,
  }),
  route({
    method: 'post',
    path: '/logs/create',
    access: 'authenticated',
    tag: 'logs',
    summary: 'Record a client-side event for the signed-in user',
    body: clientEvent,
    response: out.one('logs', logSchema),
    handler: async ({ app, user, body, req }) => {
      const row = await audit(app, {
        user,
        action: 'client_event',
        resource: body.resource || 'client',
        resourceId: body.resource_id ?? null,
        details: { ...(body.details ?? {}), event: body.action },
        req,
      });
      return { logs: logJSON(row) };
    },
  }),
  // The audit log is append-only: nobody edits or deletes it through the API.
  route({
    method: ['put', 'post'],
    path: '/logs/:id/update',
    access: STAFF,
    tag: 'logs',
    summary: 'Not allowed: audit logs are append-only (403 for everyone)',
    response: neverAnswers,
    handler: () => {
      throw forbidden('Audit logs cannot be changed');
    },
  }),
  route({
    method: 'delete',
    path: '/logs/:id/delete',
    access: STAFF,
    tag: 'logs',
    summary: 'Not allowed: audit logs are append-only (403 for everyone)',
    response: neverAnswers,
    handler: () => {
      throw forbidden('Audit logs cannot be deleted');
    },
  }),
];
