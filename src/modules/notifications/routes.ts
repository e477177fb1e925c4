import { z } from 'zod';
import { isStaff } from '../../http/auth-user.js';
import { notFound } from '../../http/errors.js';
import { resourceRoutes, type Caller } from '../../http/resource.js';
import * as r from '../../http/response.js';
import { route } from '../../http/route.js';
import * as s from '../../lib/schemas.js';
import { addUserSection, type UserSection } from '../identity/user-sections.js';
import { notificationDetailJSON, notificationDetailSchema, notificationJSON, notificationSchema, notificationUserInclude } from './serializers.js';
import './events.js';
import { equalsText } from '../../lib/text-search.js';

const filters = z.object({
  id_user_from: s.optionalRef.optional(),
  id_user_to: s.id.optional(),
  is_read: s.flag.optional(),
  priority: z.string().trim().max(20).optional(),
  intentions: z.string().trim().max(50).optional(),
});

// Everyone reads their own notifications; admins may read all.
const scope = (c: Caller) => (isStaff(c.user) ? undefined : { id_user_to: c.user?.id ?? -1 });

export const notificationRoutes = [
  ...resourceRoutes({
    name: 'notifications',
    model: (db) => db.notification,
    access: { read: 'authenticated', write: 'authenticated' },
    scope,
    filters,
    where: (f) => ({
      id_user_from: s.refFilter(f.id_user_from),
      id_user_to: f.id_user_to,
      is_read: f.is_read,
      priority: f.priority ? equalsText(f.priority) : undefined,
      intentions: f.intentions,
    }),
    defaultOrder: [{ created_at: 'desc' }, { id: 'desc' }],
    detailInclude: { userFrom: { include: notificationUserInclude }, userTo: { include: notificationUserInclude } },
    searchFields: ['title', 'content', 'intentions'],
    toJSON: (n) => notificationJSON(n),
    toDetail: (n, c) => notificationDetailJSON(c.app, n, c.user),
    schema: notificationSchema,
    detailSchema: notificationDetailSchema,
    columns: [
      { name: 'id', value: (n) => n.id, orderBy: (d) => ({ id: d }) },
      { name: 'intentions', value: (n) => n.intentions, orderBy: (d) => ({ intentions: d }) },
      { name: 'id_user_from', value: (n) => n.id_user_from ?? 0, orderBy: (d) => ({ id_user_from: d }) },
      { name: 'id_user_to', value: (n) => n.id_user_to, orderBy: (d) => ({ id_user_to: d }) },
      { name: 'title', value: (n) => n.title, orderBy: (d) => ({ title: d }) },
      { name: 'content', value: (n) => n.content },
      { name: 'priority', value: (n) => n.priority, orderBy: (d) => ({ priority: d }) },
      { name: 'labels', value: (n) => n.labels, orderBy: (d) => ({ labels: d }) },
      { name: 'is_read', value: (n) => n.is_read, orderBy: (d) => ({ is_read: d }) },
      { name: 'url', value: (n) => n.url },
      { name: 'remark', value: (n) => n.remark },
    ],
    create: false,
    update: false,
    delete: false,
  }),
  route({
    method: ['put', 'post'],
    path: '/notifications/:id/mark/as/read',
    access: 'authenticated',
    tag: 'notifications',
    summary: 'Mark one of your notifications read',
    response: z.object({ mark_as_read: z.literal(true) }),
    handler: ({ app, user, params, auditChange }) =>
      // in one transaction with a staff member's audit entry (auditChange; nothing for others)
      app.db.$transaction(async (tx) => {
        // Only the recipient marks a notification read (an admin reading someone else's does not).
        const { count } = await tx.notification.updateMany({
          where: { id: params.id, id_user_to: user!.id, is_read: 0 },
          data: { is_read: 1, read_at: app.now() },
        });
        if (!count && !(await tx.notification.count({ where: { id: params.id, id_user_to: user!.id } }))) throw notFound('notifications not found');
        await auditChange(tx);
        return { mark_as_read: true as const };
      }),
  }),
  route({
    method: ['put', 'post'],
    path: '/notifications/mark/all',
    access: 'authenticated',
    tag: 'notifications',
    summary: 'Mark all your notifications read (id_users, when sent, must be yourself)',
    body: z.object({ id_users: s.id.optional() }).optional(),
    response: z.object({ mark_all: z.literal(true) }),
    handler: async ({ app, user, body, auditChange }) => {
      if (body?.id_users && body.id_users !== user!.id) throw notFound('users not found');
      await app.db.$transaction(async (tx) => {
        await tx.notification.updateMany({ where: { id_user_to: user!.id, is_read: 0 }, data: { is_read: 1, read_at: app.now() } });
        await auditChange(tx);
      });
      return { mark_all: true };
    },
  }),
];

// users/data and users/:id (as the document shows both): { notifications: { notifications, unread, isread } }
// `schema` documents the keys it adds (a variable, so it also compiles where UserSection has no `schema` yet).
const notificationCountsSection = {
  in: ['data', 'detail'],
  schema: { notifications: z.object({ notifications: r.int, unread: r.int, isread: r.int }) },
  load: async (userId, c) => {
    const groups = await c.app.db.notification.groupBy({ by: ['is_read'], where: { id_user_to: userId }, _count: { _all: true } });
    const unread = groups.find((g) => g.is_read === 0)?._count._all ?? 0;
    const isread = groups.find((g) => g.is_read === 1)?._count._all ?? 0;
    return { notifications: { notifications: unread + isread, unread, isread } };
  },
} satisfies UserSection & { schema: z.ZodRawShape };
addUserSection(notificationCountsSection);
