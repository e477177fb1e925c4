import { z } from 'zod';
import { isStaff, STAFF } from '../../http/auth-user.js';
import { conflict, forbidden, HttpError, notFound, unprocessable } from '../../http/errors.js';
import { perRow, resourceRoutes, type Caller } from '../../http/resource.js';
import { route, type RouteDef } from '../../http/route.js';
import { id, number, text, wholeNumber } from '../../lib/schemas.js';
import { assertCartPatient, assertOneConsultation, loadCart } from './orders.service.js';
import { lockBalance } from './points.service.js';
import {
  accountInclude,
  extraDetailJSON,
  extraDetailSchema,
  extraJSON,
  extraSchema,
  itemDetailJSON,
  itemDetailSchema,
  itemJSON,
  itemListJSON,
  itemListSchema,
  pointDetailJSON,
  pointDetailSchema,
  pointJSON,
  pointSchema,
  ratingJSON,
  ratingSchema,
} from './serializers.js';
import { recomputeOrderTotals } from './totals.js';

// the tables' columns read each row's JSON, made once per row
const itemJSONRow = perRow(itemJSON);
const ratingJSONRow = perRow(ratingJSON);
const pointJSONRow = perRow(pointJSON);

const own = (c: Caller) => (isStaff(c.user) ? undefined : { order: { id_member: c.user?.id ?? -1 } });
const unavailable = (path: string, use: string): RouteDef =>
  route({
    method: 'post',
    path,
    access: 'authenticated',
    summary: `Not available: use ${use}`,
    // always answers 405: there is no success to describe
    response: z.never(),
    handler: () => {
      throw new HttpError(405, `Not available: use ${use}`);
    },
  });

const itemFilters = z.object({ id_order: id.optional(), id_menu: id.optional() });
const itemColumns = ['id', 'id_order', 'id_menu', 'qty', 'satuan', 'price', 'price_total', 'discount', 'pajak', 'buffer_time', 'order_datetime', 'catatan_menu', 'is_canceled', 'cancel_user_id'] as const;

/** Lines change only while their order is a cart, and only through these rules (server prices). */
/** ledger movements made by orders and the expiry job, which staff cannot delete */
const ORDER_AND_EXPIRY_MOVEMENTS = ['order-use', 'order-release', 'order-reverse', 'expire'];

export const orderItemRoutes: RouteDef[] = [
  unavailable('/order_items/create', 'orders/e_add_to_carts'),
  ...resourceRoutes({
    name: 'order_items',
    model: (db) => db.orderItem,
    access: { read: 'authenticated', write: 'authenticated' },
    scope: own,
    filters: itemFilters,
    where: (f: z.infer<typeof itemFilters>) => ({ ...(f.id_order ? { id_order: f.id_order } : {}), ...(f.id_menu ? { id_menu: f.id_menu } : {}) }),
    searchFields: ['menu.nama_menus', 'satuan', 'catatan_menu'],
    include: { menu: { include: { images: { orderBy: [{ is_primary: 'desc' }, { nomor_urut_tampil: 'asc' }, { id: 'asc' }], take: 1 } } } },
    detailInclude: { order: true, menu: true },
    toJSON: (r, c) => itemListJSON(c.app, r),
    toDetail: (r) => itemDetailJSON(r),
    schema: itemListSchema,
    detailSchema: itemDetailSchema,
    columns: itemColumns.map((name) => ({ name, value: (r: any) => (itemJSONRow(r) as any)[name], orderBy: (d: 'asc' | 'desc') => ({ [name]: d }) })),
    create: false,
    update: {
      body: z.object({ qty: number((n) => n.int().min(1).max(999)), catatan_menu: text(500).optional() }),
      run: async (itemId, body, c, tx, existing) => {
        const order = await loadCart(tx as any, c.user, existing.id_order);
        // the line as it is now that its cart is locked: e_add_to_carts may have re-priced or grown it
        // since `existing` was read (price_total must stay price × qty: checkout re-prices by price alone)
        const line = await tx.orderItem.findUniqueOrThrow({ where: { id: itemId } });
        // a prescription-only line holds what was prescribed (menu_reedems): it may shrink, never grow
        if (body.qty > line.qty) {
          // nor does any line of a cart whose patient its customer no longer manages (e_add_to_carts' rule)
          await assertCartPatient(tx as any, order);
          const menu = await tx.menu.findUnique({ where: { id: existing.id_menu }, select: { is_resep_required: true, deleted_at: true } });
          // nor a deleted product's line: no longer sold, it is not added to (e_add_to_carts' 404)
          if (!menu || menu.deleted_at) throw notFound(`menus ${existing.id_menu} not found`);
          if (menu.is_resep_required === 1) throw unprocessable('A prescribed product cannot be raised above the prescribed qty');
        }
        const price = line.price;
        await tx.orderItem.update({ where: { id: itemId }, data: { qty: body.qty, price_total: price * body.qty, ...(body.catatan_menu !== undefined ? { catatan_menu: body.catatan_menu } : {}) } });
        await recomputeOrderTotals(tx as any, existing.id_order);
      },
    },
    delete: {
      run: async (itemId, c, tx, existing) => {
        await loadCart(tx as any, c.user, existing.id_order);
        await tx.orderItem.delete({ where: { id: itemId } });
        await recomputeOrderTotals(tx as any, existing.id_order);
      },
    },
  }),
];

const extraFilters = z.object({ id_orders: id.optional(), id_doctors: id.optional() });
export const orderExtraRoutes: RouteDef[] = [
  unavailable('/order_extras/create', 'orders/c_add_to_carts'),
  ...resourceRoutes({
    name: 'order_extras',
    model: (db) => db.orderExtra,
    access: { read: 'authenticated', write: 'authenticated' },
    scope: own,
    filters: extraFilters,
    where: (f: z.infer<typeof extraFilters>) => ({ ...(f.id_orders ? { id_orders: f.id_orders } : {}), ...(f.id_doctors ? { id_doctors: f.id_doctors } : {}) }),
    searchFields: ['item', 'extra_notes', 'doctor.user.users_fullname'],
    include: { doctor: { include: { user: true, service: true } } },
    detailInclude: { order: true, doctor: { include: { user: true, service: true } } },
    toJSON: (r, c) => extraJSON(c.app, r),
    toDetail: (r, c) => extraDetailJSON(c.app, r),
    schema: extraSchema,
    detailSchema: extraDetailSchema,
    columns: ['id', 'id_orders', 'item', 'id_doctors', 'qty', 'extra_notes', 'extra_prices'].map((name) => ({
      name,
      value: (r: any) => (name === 'id_doctors' ? (r.id_doctors ?? 0) : r[name]),
      orderBy: (d: 'asc' | 'desc') => ({ [name]: d }),
    })),
    create: false,
    update: {
      body: z.object({ qty: number((n) => n.int().min(1).max(99)).optional(), extra_notes: text(500).optional() }),
      run: async (extraId, body, c, tx, existing) => {
        await loadCart(tx as any, c.user, existing.id_orders);
        await tx.orderExtra.update({ where: { id: extraId }, data: body });
        assertOneConsultation(await tx.orderExtra.findMany({ where: { id_orders: existing.id_orders }, select: { qty: true } }));
        await recomputeOrderTotals(tx as any, existing.id_orders);
      },
    },
    delete: {
      run: async (extraId, c, tx, existing) => {
        await loadCart(tx as any, c.user, existing.id_orders);
        await tx.orderExtra.delete({ where: { id: extraId } });
        await recomputeOrderTotals(tx as any, existing.id_orders);
      },
    },
  }),
];

const ratingFilters = z.object({ id_orders: id.optional(), id_users: id.optional(), ratings: wholeNumber(1, 5).optional() });
const ownRating = (c: Caller) => (isStaff(c.user) ? undefined : { id_users: c.user?.id ?? -1 });
/** what each ratings column sorts by: its field, or the order's and the customer's */
const ratingSort: Record<string, (d: 'asc' | 'desc') => Record<string, unknown>> = {
  ...Object.fromEntries(['id', 'id_orders', 'id_users', 'ratings', 'rating_desc'].map((f) => [f, (d: 'asc' | 'desc') => ({ [f]: d })])),
  order_code: (d) => ({ order: { order_code: d } }),
  users_fullname: (d) => ({ user: { users_fullname: d } }),
  created: (d) => ({ created_at: d }),
};
/** A customer rates their own completed (DONE) order once; the rating is copied onto the order. */
export const ratingRoutes: RouteDef[] = resourceRoutes({
  name: 'ratings',
  model: (db) => db.rating,
  access: { read: 'authenticated', write: 'authenticated', delete: STAFF },
  scope: ownRating,
  filters: ratingFilters,
  where: (f: z.infer<typeof ratingFilters>) => ({ ...(f.id_orders ? { id_orders: f.id_orders } : {}), ...(f.id_users ? { id_users: f.id_users } : {}), ...(f.ratings ? { ratings: f.ratings } : {}) }),
  searchFields: ['rating_desc', 'order.order_code', 'user.users_fullname'],
  include: { order: true, user: true },
  toJSON: (r) => ratingJSON(r),
  schema: ratingSchema,
  columns: ['id', 'id_orders', 'id_users', 'ratings', 'rating_desc', 'order_code', 'users_fullname', 'created'].map((name) => ({
    name,
    value: (r: any) => (ratingJSONRow(r) as any)[name],
    orderBy: (d: 'asc' | 'desc') => ratingSort[name]!(d),
  })),
  create: {
    access: 'authenticated',
    body: z.object({ id_orders: id, ratings: number((n) => n.int().min(1).max(5)), rating_desc: text(2000).default('') }),
    run: async (body, c, tx) => {
      const order = await tx.order.findFirst({ where: { id: body.id_orders, id_member: c.user!.id } });
      if (!order) throw notFound(`orders ${body.id_orders} not found`);
      if (order.status !== 'DONE') throw unprocessable('Only a completed order can be rated');
      const existing = await tx.rating.findUnique({ where: { id_orders: order.id } });
      if (existing) throw conflict('This order has already been rated');
      const r = await tx.rating.create({ data: { id_orders: order.id, id_users: c.user!.id, ratings: body.ratings, rating_desc: body.rating_desc } });
      await tx.order.update({ where: { id: order.id }, data: { ratings: body.ratings, rating_desc: body.rating_desc } });
      return r.id;
    },
  },
  update: {
    body: z.object({ ratings: number((n) => n.int().min(1).max(5)).optional(), rating_desc: text(2000).optional() }),
    run: async (ratingId, body, c, tx, existing) => {
      // the author's alone (compat: staff may delete a rating, not rewrite a customer's words or score)
      if (existing.id_users !== c.user!.id) throw forbidden('Only the author can change a rating');
      await tx.rating.update({ where: { id: ratingId }, data: body });
      await tx.order.update({ where: { id: existing.id_orders }, data: body });
    },
  },
  delete: {
    access: STAFF,
    run: async (ratingId, _c, tx, existing) => {
      await tx.rating.delete({ where: { id: ratingId } });
      await tx.order.update({ where: { id: existing.id_orders }, data: { ratings: null, rating_desc: null } });
    },
  },
});

const pointFilters = z.object({ id_users: id.optional(), id_orders: id.optional(), usecase: text(50).optional() });
const pointColumns = ['id', 'id_users', 'id_orders', 'add_point', 'use_point', 'usecase', 'is_used', 'is_expired', 'expired_date', 'order_code', 'order_type', 'order_date', 'username', 'users_fullname', 'created'];
const pointField = (f: string) => (d: 'asc' | 'desc') => ({ [f]: d });
/** what each user_points column sorts by: its field, or the order's and the user's */
const pointSort: Record<string, (d: 'asc' | 'desc') => Record<string, unknown>> = {
  ...Object.fromEntries(['id', 'id_users', 'id_orders', 'add_point', 'use_point', 'usecase', 'is_used', 'is_expired', 'expired_date'].map((f) => [f, pointField(f)])),
  created: pointField('created_at'),
  order_code: (d) => ({ order: { order_code: d } }),
  order_type: (d) => ({ order: { order_type: d } }),
  order_date: (d) => ({ order: { order_date: d } }),
  username: (d) => ({ user: { username: d } }),
  users_fullname: (d) => ({ user: { users_fullname: d } }),
};
/** The point ledger: staff see everyone's, a customer their own. Deleting a row corrects the balance. */
export const userPointRoutes: RouteDef[] = resourceRoutes({
  name: 'user_points',
  model: (db) => db.userPoint,
  access: { read: 'authenticated', write: STAFF },
  scope: (c) => (isStaff(c.user) ? undefined : { id_users: c.user?.id ?? -1 }),
  filters: pointFilters,
  where: (f: z.infer<typeof pointFilters>) => ({ ...(f.id_users ? { id_users: f.id_users } : {}), ...(f.id_orders ? { id_orders: f.id_orders } : {}), ...(f.usecase ? { usecase: f.usecase } : {}) }),
  searchFields: ['usecase', 'order.order_code', 'user.username', 'user.users_fullname'],
  include: { order: true, user: true },
  detailInclude: { order: true, user: { include: accountInclude } },
  toJSON: (r) => pointJSON(r),
  toDetail: (r, c) => pointDetailJSON(c.app, r),
  schema: pointSchema,
  detailSchema: pointDetailSchema,
  columns: pointColumns.map((name) => ({
    name,
    value: (r: any) => (pointJSONRow(r) as any)[name],
    orderBy: pointSort[name],
  })),
  create: false,
  update: false,
  delete: {
    access: STAFF,
    run: async (pointId, _c, tx, existing) => {
      // Only untouched credits or admin corrections may go. The movements of an order and of the
      // expiry job are history: deleting an `expire` row would bring back points no earn row holds
      // (they would never expire), an `order-reverse` row the points a cancelled order earned.
      const untouchedCredit = existing.add_point > 0 && existing.use_point === 0 && existing.remaining_point === existing.add_point && !existing.is_expired;
      const correction = existing.usecase === 'admin-adjust' && existing.add_point === 0;
      if (ORDER_AND_EXPIRY_MOVEMENTS.includes(existing.usecase) || !(untouchedCredit || correction)) {
        throw conflict('This point movement is part of an order, expired or already spent; it cannot be deleted');
      }
      // the balance first, as every movement of the customer's points (lockBalance); then
      // conditional on what was checked: the expiry job or a checkout may have taken from it meanwhile
      await lockBalance(tx, existing.id_users);
      const { count: deleted } = await tx.userPoint.deleteMany({ where: { id: pointId, remaining_point: existing.remaining_point, is_expired: existing.is_expired } });
      if (deleted === 0) throw conflict('This point movement changed meanwhile; try again');
      const delta = existing.add_point - existing.use_point;
      if (delta > 0) {
        const { count } = await tx.userPointBalance.updateMany({ where: { id_users: existing.id_users, balance: { gte: delta } }, data: { balance: { decrement: delta } } });
        if (count === 0) throw conflict('The points of this row are already spent');
      } else if (delta < 0) {
        await tx.userPointBalance.updateMany({ where: { id_users: existing.id_users }, data: { balance: { increment: -delta } } });
      }
    },
  },
});

