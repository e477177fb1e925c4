import { z } from 'zod';
import { isStaff } from '../../http/auth-user.js';
import { conflict, forbidden, notFound, unprocessable } from '../../http/errors.js';
import { emptyFiltersAbsent, pageEnvelope, resourceRoutes, softDeleteLive, type Caller } from '../../http/resource.js';
import * as r from '../../http/response.js';
import { route, type RequestContext } from '../../http/route.js';
import * as s from '../../lib/schemas.js';
import { formatDateTime } from '../../lib/dates.js';
import { menuBaseJSON } from '../catalogue/serializers.js';
import { lockOrder } from '../commerce/reservations.js';
import { CART } from '../commerce/orders.service.js';
import { CONTENT_TYPES, messageDetailJSON, messageDetailSchema, messageInclude, messageJSON, messageSchema, threadInclude } from './serializers.js';
import { followRequest, loadThread, messageScope, openWhere, postMessage, readThreadMessages, type NewMessage } from './threads.service.js';

const FILE_AREA = 'thread_messages';
const PRESCRIPTION_VALID_DAYS = 30;
const detailInclude = { ...messageInclude, thread: { include: threadInclude } } as const;
/** every answer that sends or edits a message: the message with its thread */
const single = r.one('thread_messages', messageDetailSchema);

async function answer(ctx: RequestContext, id: number) {
  const m = await ctx.app.db.threadMessage.findUniqueOrThrow({ where: { id }, include: detailInclude });
  return { thread_messages: messageDetailJSON(ctx.app, m, ctx.user?.id) };
}

/** the message and its audit entry (a staff or doctor-only route's) commit together; its id */
function commitMessage(ctx: RequestContext, threadId: number, msg: NewMessage) {
  return ctx.app.db.$transaction(async (tx) => {
    const id = await postMessage(ctx.app, tx, ctx.user!, threadId, msg);
    await ctx.auditChange(tx, { thread_messages: { id } });
    return id;
  });
}

async function send(ctx: RequestContext, threadId: number, msg: NewMessage) {
  return answer(ctx, await commitMessage(ctx, threadId, msg));
}

/** image / attachments: the file is stored privately first and removed again if the message is refused */
function fileRoute(kind: 'image' | 'attachments') {
  return route({
    method: 'post',
    path: `/thread_messages/${kind}`,
    access: 'authenticated',
    tag: 'thread_messages',
    summary: `Send ${kind === 'image' ? 'an image' : 'an image or PDF'} (multipart field "${kind}"); served only through signed links`,
    upload: { field: kind, accept: kind === 'image' ? 'image' : 'image-or-pdf' },
    response: single,
    body: z.object({ id_threads: s.id, content_type: z.literal(kind).optional() }),
    handler: async (ctx) => {
      await loadThread(ctx.app.db, ctx.user, ctx.body.id_threads, messageScope(ctx.user)); // 404 before writing anything
      const file = ctx.file!;
      const name = await ctx.app.storage.save('private', FILE_AREA, file);
      const original = String((ctx.req.file as { originalname?: string } | undefined)?.originalname ?? '').replace(/[\\/\x00-\x1f]/g, '').slice(0, 200);
      let id: number;
      try {
        id = await commitMessage(ctx, ctx.body.id_threads, {
          content_type: kind,
          content: original || `${kind}.${file.ext}`,
          file: { file_name: name, file_mime: file.mime, file_size: file.size },
        });
      } catch (err) {
        await ctx.app.storage.remove('private', FILE_AREA, name);
        throw err;
      }
      // committed: the message holds the file now, whatever happens to the answer
      return answer(ctx, id);
    },
  });
}

const exploreBody = z.object({
  id_threads: s.id.optional(),
  id_user_from: s.id.optional(),
  id_user_to: s.optionalRef.optional(),
  content_type: z.enum(CONTENT_TYPES).optional(),
  is_admin: z.unknown().optional(),
});
type ExploreFilters = z.infer<typeof exploreBody>;
/** the filters of explore, search and table alike (compat.md: same filters and scope); id_user_to 0 = nobody */
const messageFilters = (f: ExploreFilters) => ({
  id_threads: f.id_threads,
  id_user_from: f.id_user_from,
  id_user_to: s.refFilter(f.id_user_to),
  content_type: f.content_type,
});
const messageWhere = (c: Caller, f: ExploreFilters) => ({
  deleted_at: null,
  thread: { deleted_at: null, ...(messageScope(c.user) ? { AND: [messageScope(c.user)!] } : {}) },
  ...messageFilters(f),
});

export const messageRoutes = [
  route({
    method: 'post',
    path: '/thread_messages/text',
    access: 'authenticated',
    tag: 'thread_messages',
    summary: 'Send a text message',
    body: z.object({ id_threads: s.id, content: s.requiredText(5000), content_type: z.literal('text').optional() }),
    response: single,
    handler: (ctx) => send(ctx, ctx.body.id_threads, { content_type: 'text', content: ctx.body.content }),
  }),
  fileRoute('image'),
  fileRoute('attachments'),
  route({
    method: 'post',
    path: '/thread_messages/prescriptions',
    access: ['DOCTOR'],
    tag: 'thread_messages',
    summary: `Prescribe a product (doctor only): snapshot, qty and valid_until (default ${PRESCRIPTION_VALID_DAYS} days)`,
    body: z.object({
      id_threads: s.id,
      id_menu: s.id,
      qty: s.number((n) => n.int().min(1).max(100)).default(1),
      valid_until: s.dateTime.optional(),
      content_type: z.literal('prescriptions').optional(),
    }),
    response: single,
    handler: async (ctx) => {
      const { app, body } = ctx;
      const now = app.now();
      const validUntil = body.valid_until ?? new Date(now.getTime() + PRESCRIPTION_VALID_DAYS * 86_400_000);
      if (validUntil <= now) throw unprocessable('valid_until must be in the future', [{ field: 'valid_until', message: 'in the past' }]);
      const menu = await app.db.menu.findFirst({
        where: { id: body.id_menu, deleted_at: null },
        include: { images: { orderBy: [{ is_primary: 'desc' }, { nomor_urut_tampil: 'asc' }, { id: 'asc' }], take: 1 } },
      });
      if (!menu) throw notFound(`menus ${body.id_menu} not found`);
      const snapshot = {
        ...menuBaseJSON(menu),
        images: app.storage.publicUrl('menus', menu.images[0]?.menu_image),
      };
      return send(ctx, body.id_threads, {
        content_type: 'prescriptions',
        content: menu.nama_menus,
        remark: String(body.qty),
        prescription: { id_menu: menu.id, menu_snapshot: snapshot, qty: body.qty, valid_until: validUntil },
      });
    },
  }),
  route({
    method: 'post',
    path: '/thread_messages/explore',
    access: 'authenticated',
    tag: 'thread_messages',
    summary: "Messages newest first; reading a thread marks the other side's messages read",
    query: s.paging.loose(),
    // a filter sent empty ("" or null) is no filter, as in search/table
    body: emptyFiltersAbsent(exploreBody).optional(),
    response: r.page(messageSchema),
    handler: async (ctx) => {
      const f = ctx.body ?? {};
      const c = { app: ctx.app, user: ctx.user };
      const { page, length } = ctx.query as { page: number; length: number };
      if (f.id_threads) {
        // one thread: access check, read receipts, count and page in one statement
        const filters = { ...f, id_user_to: s.refFilter(f.id_user_to) };
        const { total, rows } = await readThreadMessages(ctx.app, ctx.user!, f.id_threads, filters, (page - 1) * length, length);
        return pageEnvelope(page, length, total, rows.map((m) => messageJSON(ctx.app, m, ctx.user?.id)));
      }
      const where = messageWhere(c, f);
      const [total, rows] = await Promise.all([
        ctx.app.db.threadMessage.count({ where }),
        ctx.app.db.threadMessage.findMany({ where, include: messageInclude, orderBy: [{ created_at: 'desc' }, { id: 'desc' }], skip: (page - 1) * length, take: length }),
      ]);
      return pageEnvelope(page, length, total, rows.map((m) => messageJSON(ctx.app, m, ctx.user?.id)));
    },
  }),
  // search / table / get / delete from the shared machinery (explore is the one above)
  ...resourceRoutes({
    name: 'thread_messages',
    model: (db) => db.threadMessage,
    access: { read: 'authenticated', write: 'authenticated' },
    softDelete: true,
    scope: (c) => ({ thread: { deleted_at: null, ...(messageScope(c.user) ? { AND: [messageScope(c.user)!] } : {}) } }),
    filters: exploreBody,
    where: (f) => messageFilters(f),
    include: messageInclude,
    detailInclude,
    defaultOrder: [{ created_at: 'desc' }, { id: 'desc' }],
    searchFields: ['content'],
    toJSON: (m, c) => messageJSON(c.app, m, c.user?.id),
    toDetail: (m, c) => messageDetailJSON(c.app, m, c.user?.id),
    schema: messageSchema,
    detailSchema: messageDetailSchema,
    clinicalOwner: { thread: 'id_threads' },
    columns: [
      { name: 'id', value: (m) => m.id, orderBy: (d) => ({ id: d }) },
      { name: 'id_threads', value: (m) => m.id_threads, orderBy: (d) => ({ id_threads: d }) },
      { name: 'id_user_from', value: (m) => m.id_user_from, orderBy: (d) => ({ id_user_from: d }) },
      { name: 'id_user_to', value: (m) => m.id_user_to ?? 0, orderBy: (d) => ({ id_user_to: d }) },
      { name: 'content_type', value: (m) => m.content_type, orderBy: (d) => ({ content_type: d }) },
      { name: 'content', value: (m) => m.content, clinical: true },
      { name: 'is_read', value: (m) => m.is_read, orderBy: (d) => ({ is_read: d }) },
      { name: 'created', value: (m) => formatDateTime(m.created_at), orderBy: (d) => ({ created_at: d }) },
    ],
    create: false,
    update: false,
    delete: {
      // the author or an admin
      run: async (id, c, tx, existing) => {
        if (existing.id_user_from !== c.user!.id && !isStaff(c.user)) throw forbidden('Only the author or an admin can delete a message');
        // a closed or expired consultation is a record: its participants no longer change it (admins may)
        if (!isStaff(c.user) && !(await tx.thread.count({ where: { id: existing.id_threads, ...openWhere(c.app.now()) } }))) {
          throw conflict('The consultation is closed or its time window has ended');
        }
        // A prescription redeemed into an order that went past the cart is what that sale of a
        // prescription-only product rests on: it stays. In an open cart, deleting withdraws it (checkout
        // refuses the line). The order's row lock orders this against a checkout, which reads the
        // prescription's deleted_at under the same lock. The message's row lock first, so that its
        // redemption is read as committed: one made meanwhile is seen here, one made later waits for
        // this delete (it holds the message's row first) and then finds it deleted.
        await tx.$queryRaw`SELECT id FROM thread_messages WHERE id = ${id} FOR UPDATE`;
        const redeemed = await tx.menuReedem.findUnique({ where: { id_thread_messages: id }, select: { id_orders: true } });
        if (redeemed) {
          await lockOrder(tx, redeemed.id_orders);
          const order = await tx.order.findUnique({ where: { id: redeemed.id_orders }, select: { status: true } });
          if (order && order.status !== CART && order.status !== 'CANCEL') {
            throw conflict(`This prescription is in order ${redeemed.id_orders} (status ${order.status}) and cannot be deleted`);
          }
        }
        // only while live: a delete that committed while this one waited for the lock leaves a 404
        await softDeleteLive(tx.threadMessage, 'thread_messages', id, c.app.now());
        if (existing.content_type === 'prescriptions') await followRequest(tx, existing.id_threads);
      },
    },
  }).filter((r) => r.path !== '/thread_messages/explore'),
  route({
    method: ['put', 'post'],
    path: '/thread_messages/:id/update_text',
    access: 'authenticated',
    tag: 'thread_messages',
    summary: 'Edit your own text message',
    body: z.object({ content: s.requiredText(5000) }),
    response: single,
    handler: async (ctx) => {
      const { app, user, params } = ctx;
      const m = await app.db.threadMessage.findFirst({
        where: { id: params.id, deleted_at: null, thread: { deleted_at: null, ...(messageScope(user) ? { AND: [messageScope(user)!] } : {}) } },
      });
      if (!m) throw notFound(`thread_messages ${params.id} not found`);
      if (m.id_user_from !== user!.id) throw forbidden('Only the author can edit a message');
      if (m.content_type !== 'text') throw conflict('Only text messages can be edited');
      await app.db.$transaction(async (tx) => {
        // a closed or expired consultation is a record: no edits, as no new messages (the rule postMessage applies)
        const { count } = await tx.threadMessage.updateMany({
          where: { id: m.id, id_user_from: user!.id, content_type: 'text', deleted_at: null, thread: { is: openWhere(app.now()) } },
          data: { content: ctx.body.content, edited_at: app.now() },
        });
        if (!count) throw conflict('The consultation is closed or its time window has ended');
        await ctx.auditChange(tx);
      });
      return answer(ctx, m.id);
    },
  }),
];
