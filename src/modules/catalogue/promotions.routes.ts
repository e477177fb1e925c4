import { z } from 'zod';
import { replaceStoredFile } from '../../lib/replace-file.js';
import { isStaff, STAFF } from '../../http/auth-user.js';
import { badRequest, conflict, notFound } from '../../http/errors.js';
import { resourceRoutes, softDeleteLive } from '../../http/resource.js';
import { route, type RouteDef } from '../../http/route.js';
import { formatDateTime } from '../../lib/dates.js';
import * as s from '../../lib/schemas.js';
import * as shape from '../../http/response.js';
import { promotionJSON, promotionListJSON, promotionSchema, promotionTypes, staticContentJSON, staticContentSchema } from './serializers.js';
import { containsText } from '../../lib/text-search.js';
import { emit } from '../../lib/events.js';
import type { Tx } from '../../db/client.js';

// ---------------------------------------------------------------- promotions

/** Codes are unique case-insensitively: the key column holds the normalised form. */
const codeKey = (code: string) => code.trim().toUpperCase();

const promotionBody = z.object({
  type: z.preprocess((v) => (typeof v === 'string' ? v.trim().toUpperCase() : v), z.enum(promotionTypes)),
  value: s.moneyUpTo(1_000_000_000).refine((v) => v > 0, 'must be positive'),
  quota: s.count,
  start_datetime: s.dateTime,
  expired_datetime: s.dateTime,
  display_codes: z.string().trim().min(3).max(50).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only'),
  title: s.text(200).optional(),
  description: s.longText.optional(),
  id_menu: s.optionalRef.transform((v) => (v === 0 ? null : v)).optional(),
  max_uses_per_customer: s.number((n) => n.int().min(1).max(1000)).optional(),
});
type PromotionInput = Partial<z.infer<typeof promotionBody>>;

async function checkPromotion(tx: Tx, b: PromotionInput, existing?: Record<string, any>) {
  const v: Record<string, any> = { ...existing, ...b };
  if (v.type === 'PERSEN' && v.value > 100) throw badRequest('Invalid input', [{ field: 'value', message: 'a percentage is at most 100' }]);
  if (v.expired_datetime <= v.start_datetime) throw badRequest('Invalid input', [{ field: 'expired_datetime', message: 'must be after start_datetime' }]);
  // the product it already has is no change (the full update form sends it back), even if deleted since
  if (b.id_menu && b.id_menu !== existing?.id_menu) {
    const menu = await tx.menu.findFirst({ where: { id: b.id_menu, deleted_at: null }, select: { id: true } });
    if (!menu) throw badRequest('Invalid input', [{ field: 'id_menu', message: `unknown product ${b.id_menu}` }]);
  }
}

const promotionRoutes = resourceRoutes({
  name: 'promotions',
  model: (db) => db.promotion,
  access: { read: 'public', write: STAFF },
  softDelete: true,
  // Customers (and anonymous visitors) see running and upcoming promotions only, and not those of a
  // deleted product (its cart line cannot be checked out, so they can never be used); staff see all.
  scope: (c) => (isStaff(c.user) ? undefined : { expired_datetime: { gt: c.app.now() }, OR: [{ id_menu: null }, { menu: { deleted_at: null } }] }),
  filters: z.object({ display_codes: s.text(50).optional(), title: s.text(200).optional(), type: s.text(10).optional(), id_menu: s.optionalRef.optional() }),
  where: (f) => ({
    display_codes_key: f.display_codes ? codeKey(f.display_codes) : undefined,
    title: f.title ? containsText(f.title) : undefined,
    type: f.type ? f.type.toUpperCase() : undefined,
    id_menu: s.refFilter(f.id_menu),
  }),
  searchFields: ['display_codes', 'title', 'description'],
  defaultOrder: [{ start_datetime: 'desc' }, { id: 'desc' }],
  toJSON: (r, c) => promotionListJSON(c.app, r),
  toDetail: (r, c) => promotionJSON(c.app, r),
  schema: promotionSchema,
  columns: [
    { name: 'id', value: (r) => r.id, orderBy: (d) => ({ id: d }) },
    { name: 'id_menu', value: (r) => r.id_menu ?? 0, orderBy: (d) => ({ id_menu: d }) },
    { name: 'type', value: (r) => r.type, orderBy: (d) => ({ type: d }) },
    { name: 'value', value: (r) => r.value, orderBy: (d) => ({ value: d }) },
    { name: 'quota', value: (r) => r.quota, orderBy: (d) => ({ quota: d }) },
    { name: 'start_datetime', value: (r) => formatDateTime(r.start_datetime), orderBy: (d) => ({ start_datetime: d }) },
    { name: 'expired_datetime', value: (r) => formatDateTime(r.expired_datetime), orderBy: (d) => ({ expired_datetime: d }) },
    { name: 'display_codes', value: (r) => r.display_codes, orderBy: (d) => ({ display_codes: d }) },
    { name: 'title', value: (r) => r.title, orderBy: (d) => ({ title: d }) },
    { name: 'description', value: (r) => r.description },
    { name: 'img_promotions', value: (r, c) => c.app.storage.publicUrl('promotions', r.img_promotions) },
  ],
  create: {
    body: promotionBody,
    run: async (b, _c, tx) => {
      await checkPromotion(tx, b);
      return (await tx.promotion.create({ data: { ...b, display_codes_key: codeKey(b.display_codes) } })).id;
    },
  },
  update: {
    body: promotionBody.partial(),
    run: async (id, b, c, tx) => {
      await emit(c.app, 'promotion.changing', { promotionId: id }, tx);
      // Checked against the promotion as it is now, locked (after its carts: the order a checkout
      // locks them in): another edit committed meanwhile is not merged into an invalid whole (its
      // PERSEN with this edit's rupiah value, an end before its new start).
      await tx.$queryRaw`SELECT id FROM promotions WHERE id = ${id} FOR UPDATE`;
      await checkPromotion(tx, b, await tx.promotion.findUniqueOrThrow({ where: { id } }));
      if (b.quota !== undefined) {
        // Conditional on the live counters (checkouts may be reserving right now): the quota may
        // not drop below what is already reserved or used.
        const n = await tx.$executeRaw`UPDATE promotions SET quota = ${b.quota} WHERE id = ${id} AND quota_reserved + quota_used <= ${b.quota}`;
        if (n === 0) throw conflict('The quota cannot be lower than the uses already reserved or made');
      }
      const { quota: _q, ...rest } = b;
      await tx.promotion.update({ where: { id }, data: { ...rest, ...(b.display_codes ? { display_codes_key: codeKey(b.display_codes) } : {}) } });
      await emit(c.app, 'promotion.changed', { promotionId: id }, tx);
    },
  },
  delete: {
    // Soft delete; the code is freed (key NULL) so it can be used again. Orders keep the promotion.
    run: async (id, c, tx) => {
      await emit(c.app, 'promotion.changing', { promotionId: id }, tx);
      await softDeleteLive(tx.promotion, 'promotions', id, c.app.now(), { display_codes_key: null });
      await emit(c.app, 'promotion.changed', { promotionId: id }, tx);
    },
  },
});

const promotionUpload = route({
  method: 'post',
  path: '/promotions/:id/uploads',
  access: STAFF,
  tag: 'promotions',
  summary: 'Upload the banner of a promotion (multipart field "picture")',
  upload: { field: 'picture', accept: 'image' },
  response: shape.one('promotions', promotionSchema),
  handler: async ({ app, params, file, auditChange }) => {
    const missing = () => notFound(`promotions ${params.id} not found`);
    if (!(await app.db.promotion.findFirst({ where: { id: params.id, deleted_at: null }, select: { id: true } }))) throw missing();
    // the replaced picture is read under the row lock (see replaceStoredFile)
    const { result: row } = await replaceStoredFile(app, 'public', 'promotions', file!, async (tx, name) => {
      const [locked] = await tx.$queryRaw<{ img_promotions: string }[]>`SELECT img_promotions FROM promotions WHERE id = ${params.id} AND deleted_at IS NULL FOR UPDATE`;
      if (!locked) throw missing();
      const row = await tx.promotion.update({ where: { id: params.id }, data: { img_promotions: name } });
      await auditChange(tx);
      return { old: locked.img_promotions, result: row };
    });
    return { promotions: promotionJSON(app, row) };
  },
});

// ---------------------------------------------------------------- static_contents

const contentBody = z.object({ type: z.string().trim().toLowerCase().min(1).max(50).regex(/^[a-z0-9_-]+$/, 'like about-us'), contents: s.longText });

const staticRoutes = resourceRoutes({
  name: 'static_contents',
  model: (db) => db.staticContent,
  access: { read: 'public', write: STAFF },
  exploreMethods: ['post', 'get'],
  filters: z.object({ type: z.string().trim().toLowerCase().max(50).optional() }),
  where: (f) => ({ type: f.type || undefined }),
  searchFields: ['type', 'contents'],
  defaultOrder: [{ type: 'asc' }, { id: 'asc' }],
  toJSON: (r) => staticContentJSON(r),
  schema: staticContentSchema,
  columns: [
    { name: 'id', value: (r) => r.id, orderBy: (d) => ({ id: d }) },
    { name: 'type', value: (r) => r.type, orderBy: (d) => ({ type: d }) },
    { name: 'contents', value: (r) => r.contents },
  ],
  create: { body: contentBody, run: async (b, _c, tx) => (await tx.staticContent.create({ data: b })).id },
  update: { body: contentBody.partial(), run: async (id, b, _c, tx) => void (await tx.staticContent.update({ where: { id }, data: b })) },
});

export const promotionModuleRoutes: RouteDef[] = [...promotionRoutes, promotionUpload, ...staticRoutes];
