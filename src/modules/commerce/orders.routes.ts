import { z } from 'zod';
import { STAFF } from '../../http/auth-user.js';
import { notFound, unprocessable } from '../../http/errors.js';
import { perRow, resourceRoutes, type Caller } from '../../http/resource.js';
import { route, type Method, type RouteDef } from '../../http/route.js';
import { clinicDayStart } from '../../lib/dates.js';
import { date, id, money, number, optionalRef, text } from '../../lib/schemas.js';
import * as r from '../../http/response.js';
import { clientKey, snapJsUrl } from '../../adapters/midtrans.js';
import type { AppContext } from '../../app-context.js';
import { sqlRows, type BeforeCommit, type Prisma, type Db } from '../../db/client.js';
import type { AuthUser } from '../../http/auth-user.js';
import {
  addConsultations,
  addProducts,
  applyPoints,
  applyPromotion,
  cancelByAdmin,
  CART,
  checkout,
  deleteCart,
  initCart,
  recordTrackingNumber,
  runStateAction,
  TRANSITIONS,
  uncancelByAdmin,
  uncheckout,
  unapplyPoints,
  unapplyPromotion,
  type StateAction,
} from './orders.service.js';
import { orderScope } from './order-access.js';
import { markPaidByAdmin, undoPayment } from './payments.service.js';
import {
  extraInCartJSON,
  extraInCartSchema,
  itemDetailJSON,
  itemDetailSchema,
  itemWithMenuSchema,
  orderDetailJSON,
  orderDetailSchema,
  orderJSON,
  orderListJSON,
  orderListSchema,
} from './serializers.js';
import { renderInvoice } from './invoice.js';
import { cartLinesSql, readOrderDetail } from './order-detail.js';
import { priceOpenCarts } from './prices.js';

const menuInclude = { include: { images: { orderBy: [{ is_primary: 'desc' }, { nomor_urut_tampil: 'asc' }, { id: 'asc' }], take: 1 } } } satisfies Prisma.MenuDefaultArgs;
const extraInclude = { include: { doctor: { include: { user: true, service: true } } }, orderBy: { id: 'asc' } } satisfies Prisma.Order$extrasArgs;
export const orderListInclude = { items: { include: { menu: menuInclude }, orderBy: { id: 'asc' } }, extras: extraInclude } satisfies Prisma.OrderInclude;
export const orderDetailInclude = { ...orderListInclude, member: true, patient: true, promotion: true } satisfies Prisma.OrderInclude;

/**
 * Lines in the customer's open carts (the app's badge): product lines and consultation lines, in
 * one plain statement (cartLinesSql), since every order answer carries it; orders/:id reads it with
 * the order (readOrderDetail).
 */
export async function countCarts(db: Db, userId: number) {
  const [row] = await sqlRows<{ n: number }>(db, `SELECT ${cartLinesSql('$1')} AS n`, [userId], { prepared: true });
  return row?.n ?? 0;
}

async function orderDetail(app: AppContext, user: AuthUser | undefined, orderId: number) {
  const o = await readOrderDetail(app.db, user, orderId);
  if (!o) throw notFound(`orders ${orderId} not found`);
  // an open cart as its checkout would charge it now
  await priceOpenCarts(app, app.db, [o]);
  return orderDetailJSON(app, o, o.cart_lines, user);
}

const orderAnswer = r.one('orders', orderDetailSchema);

const qty = z.union([z.literal('+'), z.literal('-'), z.literal('–'), number((n) => n.int().min(0).max(999))]).transform((v) => (v === '–' ? '-' : v) as '+' | '-' | number);
const params = z.object({ id });
const adminBody = z.object({ pic_admin: text(200).optional(), id_admin: optionalRef.optional(), cancel_reason: text(500).optional() });

const orderFilters = z.object({
  id_users: id.optional(),
  id_patients: id.optional(),
  order_type: z.enum(['E', 'C']).optional(),
  order_code: text(30).optional(),
  status: text(20).optional(),
  status_array: z.array(text(20)).max(20).optional(),
  order_date: date.optional(),
  date_from: date.optional(),
  date_to: date.optional(),
});
type OrderFilters = z.infer<typeof orderFilters>;

function orderWhere(f: OrderFilters) {
  const day = 24 * 3600_000;
  // Asia/Jakarta days; order_date and date_from..date_to together narrow to where both hold
  const starts = [f.order_date, f.date_from].flatMap((d) => (d ? [clinicDayStart(d).getTime()] : []));
  const ends = [f.order_date, f.date_to].flatMap((d) => (d ? [clinicDayStart(d).getTime() + day] : []));
  const range: Record<string, Date> = {};
  if (starts.length) range.gte = new Date(Math.max(...starts));
  if (ends.length) range.lt = new Date(Math.min(...ends));
  return {
    ...(f.id_users ? { id_member: f.id_users } : {}),
    ...(f.id_patients ? { id_patients: f.id_patients } : {}),
    ...(f.order_type ? { order_type: f.order_type } : {}),
    ...(f.order_code ? { order_code: f.order_code } : {}),
    ...(f.status ? { status: f.status } : f.status_array?.length ? { status: { in: f.status_array } } : {}),
    ...(Object.keys(range).length ? { order_date: range } : {}),
  };
}

// the table's 47 columns read each row's JSON, made once per row
const orderJSONRow = perRow(orderJSON);
export const ORDER_TABLE_COLUMNS = [
  'id', 'pic_admin', 'id_admin', 'id_member', 'id_promo_discount_applied', 'nama_pemesan', 'notelp_pemesan', 'email_pemesan', 'alamat_pemesan',
  'alamat_kirim', 'order_date', 'order_type', 'order_code', 'pickup_datetime', 'queue_number', 'catatan_order', 'total_price', 'total_discount',
  'total_pajak', 'total_buffertime', 'status', 'is_paid', 'payment_redirect_url', 'paid_date', 'pay_channel', 'is_prepared', 'prepared_datetime',
  'is_delivered', 'delivered_datetime', 'nama_penerima', 'is_done', 'done_datetime', 'is_canceled', 'cancel_datetime', 'cancel_pic', 'ratings',
  'rating_desc', 'cancel_reason', 'is_processing', 'processing_datetime', 'is_waiting_courier', 'waiting_courier_datetime', 'is_pickup',
  'courier_price', 'poin_used', 'nomor_resi', 'grand_totals',
] as const;

const orderResource = resourceRoutes({
  name: 'orders',
  model: (db) => db.order,
  access: { read: 'authenticated', write: 'authenticated' },
  scope: (c: Caller) => orderScope(c.user),
  filters: orderFilters,
  where: (f: OrderFilters) => orderWhere(f),
  include: orderListInclude,
  // the table's columns are the order's own fields: its lines are not read
  tableInclude: null,
  tableRowsFrom: 'orders',
  searchFields: ['order_code', 'nama_pemesan', 'notelp_pemesan', 'email_pemesan', 'nama_penerima'],
  // open carts as their checkout would charge them now (one batched read per answer)
  prepareRows: (rows, c) => priceOpenCarts(c.app, c.app.db, rows),
  toJSON: (row, c) => orderListJSON(c.app, row),
  schema: orderListSchema,
  columns: ORDER_TABLE_COLUMNS.map((name) => ({
    name,
    value: (r: any) => (orderJSONRow(r) as Record<string, unknown>)[name] ?? (name === 'id_admin' ? 0 : null),
    // every column is a field of the order of the same name, and sorts by it
    orderBy: (d: 'asc' | 'desc') => ({ [name]: d }),
  })),
  create: false,
  update: false,
  delete: { run: (_orderId, c, tx, existing) => deleteCart(c.app, tx, c.user, existing) },
}).filter((r) => !(r.method === 'get' && r.path === '/orders/:id'));

/**
 * A staff state-action route on one order: parse → the service → `{ "<key>": true }` (key: the path
 * with `_` for `/`). The service writes the action's audit entry last in its transaction (`beforeCommit`).
 */
function staffAction<B>(a: {
  path: string;
  summary: string;
  method?: Method | readonly Method[];
  body?: z.ZodType<B>;
  run: (app: AppContext, user: AuthUser, orderId: number, body: B, beforeCommit: BeforeCommit) => Promise<unknown>;
}): RouteDef {
  const key = a.path.replace('/', '_');
  return route({
    method: a.method ?? 'put',
    path: `/orders/:id/${a.path}`,
    access: STAFF,
    tag: 'orders',
    summary: a.summary,
    params,
    ...(a.body ? { body: a.body } : {}),
    response: r.done(key),
    handler: async (ctx) => {
      await a.run(ctx.app, ctx.user!, ctx.params.id, ctx.body, (tx) => ctx.auditChange(tx));
      return { [key]: true };
    },
  });
}

/** A staff route per fulfilment step of the state machine (orders.service TRANSITIONS). */
const transitionRoute = (t: StateAction) =>
  staffAction({ method: ['put', 'post'], path: t.action, summary: `${t.action}: ${t.from.join('/')} → ${t.to}`, run: (app, user, orderId, _body, beforeCommit) => runStateAction(app, user, orderId, t, {}, beforeCommit) });

export const orderRoutes: RouteDef[] = [
  route({
    method: 'post',
    path: '/orders/init',
    access: 'authenticated',
    tag: 'orders',
    summary: "Open (or return) the signed-in customer's cart for a patient and order type",
    body: z.object({ id_users: id.optional(), id_patients: id, order_type: z.enum(['E', 'C']) }),
    response: orderAnswer,
    handler: async (ctx) => {
      const orderId = await initCart(ctx.app, ctx.user!, ctx.body, (tx, id) => ctx.auditChange(tx, { orders: { id } }));
      return { orders: await orderDetail(ctx.app, ctx.user, orderId) };
    },
  }),
  route({
    method: 'post',
    path: '/orders/e_add_to_carts',
    access: 'authenticated',
    tag: 'orders',
    summary: 'Add/change/remove products in an e-commerce cart (qty: + - 1..999 0)',
    body: z.object({ id_order: id, items: z.array(z.object({ id_menu: id, qty, catatan_menu: text(500).optional() })).min(1).max(100) }),
    response: r.many('order_items', itemDetailSchema),
    handler: async (ctx) => {
      const { rows, targets, order } = await addProducts(ctx.app, ctx.user!, ctx.body.id_order, ctx.body.items, ctx.auditChange);
      // its other lines may have been added at an older price: the cart as its checkout charges it
      await priceOpenCarts(ctx.app, ctx.app.db, [order]);
      return { order_items: rows.map((i) => itemDetailJSON({ ...i, order, menu: targets.find((m) => m.id === i.id_menu) })) };
    },
  }),
  route({
    method: 'post',
    path: '/orders/c_add_to_carts',
    access: 'authenticated',
    tag: 'orders',
    summary: 'Add/change/remove a doctor consultation in a consultation cart',
    body: z.object({ id_order: id, items: z.array(z.object({ id_doctors: id, qty, extra_notes: text(500).optional() })).min(1).max(20) }),
    response: r.many('order_extras', extraInCartSchema),
    handler: async (ctx) => {
      const { rows, order } = await addConsultations(ctx.app, ctx.user!, ctx.body.id_order, ctx.body.items, ctx.auditChange);
      await priceOpenCarts(ctx.app, ctx.app.db, [order]);
      return { order_extras: rows.map((e) => extraInCartJSON(ctx.app, { ...e, order })) };
    },
  }),
  route({
    method: 'put',
    path: '/orders/:id/apply/points',
    access: 'authenticated',
    tag: 'orders',
    params,
    body: z.object({ poin_used: money }),
    response: z.object({ apply_points: z.literal(true), poin_used: r.int }),
    handler: async (ctx) => {
      const t = await applyPoints(ctx.app, ctx.user!, ctx.params.id, ctx.body.poin_used, ctx.auditChange);
      return { apply_points: true, poin_used: t.poin_used };
    },
  }),
  route({
    method: 'put',
    path: '/orders/:id/unapply/points',
    access: 'authenticated',
    tag: 'orders',
    params,
    response: z.object({ unapply_points: z.literal(true), poin_used: z.literal(0) }),
    handler: async (ctx) => {
      await unapplyPoints(ctx.app, ctx.user, ctx.params.id, ctx.auditChange);
      return { unapply_points: true, poin_used: 0 };
    },
  }),
  route({
    method: 'put',
    path: '/orders/:id/apply/promotions',
    access: 'authenticated',
    tag: 'orders',
    params,
    body: z.object({ display_codes: z.string().trim().min(1).max(50) }),
    response: z.object({ apply_promotions: z.literal(true), type: orderDetailSchema.shape.promo_discount_applied.unwrap().shape.type, value: r.int }),
    handler: async (ctx) => {
      const p = await applyPromotion(ctx.app, ctx.user!, ctx.params.id, ctx.body.display_codes, ctx.auditChange);
      return { apply_promotions: true, type: p.type, value: p.value };
    },
  }),
  route({
    method: 'put',
    path: '/orders/:id/unapply/promotions',
    access: 'authenticated',
    tag: 'orders',
    params,
    response: r.done('unapply_promotions'),
    handler: async (ctx) => {
      await unapplyPromotion(ctx.app, ctx.user, ctx.params.id, ctx.auditChange);
      return { unapply_promotions: true };
    },
  }),
  route({
    method: 'put',
    path: '/orders/:id/checkout',
    access: 'authenticated',
    tag: 'orders',
    summary: 'Checkout: reserve stock, promotion quota and points, create the Midtrans Snap transaction',
    params,
    body: z.object({ alamat_kirim: text(1000).optional(), nama_penerima: text(200).optional(), notelp_pemesan: text(30).optional(), catatan_order: text(2000).optional() }),
    response: z.object({
      token: r.str,
      redirect_url: r.str,
      // the document's checkout shape: the order detail with its lines as `items` and the Snap client settings
      orders: orderDetailSchema.omit({ order_items: true }).extend({ items: z.array(itemWithMenuSchema), CLIENT_KEY: r.str, CLIENT_URL: r.str }),
    }),
    handler: async (ctx) => {
      const snap = await checkout(ctx.app, ctx.user!, ctx.params.id, ctx.body, ctx.auditChange);
      const detail = await orderDetail(ctx.app, ctx.user, ctx.params.id);
      const { order_items, ...rest } = detail;
      return {
        token: snap.token,
        redirect_url: snap.redirect_url,
        orders: { ...rest, items: order_items, token: snap.token, payment_redirect_url: snap.redirect_url, CLIENT_KEY: clientKey(ctx.app), CLIENT_URL: snapJsUrl(ctx.app) },
      };
    },
  }),
  route({
    method: 'put',
    path: '/orders/:id/uncheckout',
    access: 'authenticated',
    tag: 'orders',
    params,
    response: r.done('uncheckout'),
    handler: async (ctx) => {
      await uncheckout(ctx.app, ctx.user!, ctx.params.id, ctx.auditChange);
      return { uncheckout: true };
    },
  }),
  staffAction({
    path: 'paid',
    summary: 'Manual payment by an admin: CHECKOUT → PAID',
    body: adminBody.extend({ pay_channel: z.string().trim().min(1).max(50) }),
    run: markPaidByAdmin,
  }),
  staffAction({ path: 'unpaid', summary: 'Undo a payment (admin): PAID → CHECKOUT, before fulfilment starts', body: adminBody, run: undoPayment }),
  ...TRANSITIONS.map(transitionRoute),
  staffAction({
    path: 'process/noresi',
    summary: 'Record the tracking number: PROCESSING/PICKUP → DELIVERED (shipped)',
    body: z.object({ nomor_resi: z.string().trim().min(1).max(100) }),
    run: recordTrackingNumber,
  }),
  staffAction({ path: 'cancel', summary: 'Cancel (CHECKOUT, PAID, PREPARED, PROCESSING → CANCEL); reservations are given back', body: adminBody, run: cancelByAdmin }),
  staffAction({ path: 'uncancel', summary: 'Undo the cancellation of an unpaid order: it becomes the cart again', body: adminBody, run: uncancelByAdmin }),
  ...orderResource,
  route({
    method: 'get',
    path: '/orders/:id',
    access: 'authenticated',
    tag: 'orders',
    params,
    response: orderAnswer,
    handler: async (ctx) => ({ orders: await orderDetail(ctx.app, ctx.user, ctx.params.id) }),
  }),
  route({
    method: 'get',
    path: '/orders/:id/invoices',
    access: 'authenticated',
    tag: 'orders',
    summary: 'Invoice (PDF)',
    params,
    produces: ['application/pdf'],
    handler: async (ctx) => {
      const o = await ctx.app.db.order.findFirst({ where: { id: ctx.params.id, ...orderScope(ctx.user) }, include: orderDetailInclude });
      if (!o) throw notFound(`orders ${ctx.params.id} not found`);
      if (o.status === CART) throw unprocessable('A shopping cart has no invoice yet; check out first');
      const pdf = await renderInvoice(ctx.app, o);
      ctx.res.setHeader('Content-Type', 'application/pdf');
      ctx.res.setHeader('Content-Disposition', `inline; filename="invoice-${o.order_code}.pdf"`);
      ctx.res.send(pdf);
      return undefined;
    },
  }),
];

