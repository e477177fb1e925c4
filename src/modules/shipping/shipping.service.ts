import type { AppContext } from '../../app-context.js';
import type { AuthUser } from '../../http/auth-user.js';
import { isStaff } from '../../http/auth-user.js';
import { badRequest, conflict, notFound, unprocessable } from '../../http/errors.js';
import { recomputeOrderTotals } from '../commerce/totals.js';

type Db = AppContext['db'];
type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export const CART_STATUS = 'SHOPPING CARTS';
export const SAMEDAY = 'sameday';

/** The single deliveries/settings row, created from the configuration the first time it is needed. */
export async function deliverySettings(app: AppContext, db: Db | Tx = app.db) {
  const found = await db.deliverySetting.findUnique({ where: { scope: 'default' } });
  if (found) return found;
  const c = app.config;
  try {
    return await db.deliverySetting.create({
      data: {
        scope: 'default',
        kode_kota_asal: c.SHIPPING_ORIGIN_CITY,
        kode_kecamatan_asal: c.SHIPPING_ORIGIN_DISTRICT,
        lat_gudang: c.WAREHOUSE_LAT,
        lng_gudang: c.WAREHOUSE_LNG,
        alamat_gudang: c.WAREHOUSE_ADDRESS,
        kode_kurir: c.SHIPPING_COURIERS,
      },
    });
  } catch (err) {
    // another request created it at the same moment (unique scope)
    if ((err as { code?: string }).code === 'P2002') return db.deliverySetting.findUniqueOrThrow({ where: { scope: 'default' } });
    throw err;
  }
}

/** `jne` or `jne:tiki`, each one of the configured courier codes. */
export function checkCouriers(courier: string, allowed: string[]): string {
  const codes = courier.toLowerCase().split(':').filter(Boolean);
  const unknown = codes.filter((c) => !allowed.includes(c));
  if (codes.length === 0 || unknown.length) {
    throw badRequest('Invalid courier', [{ field: 'courier', message: `use one of ${allowed.join(', ')} (several joined by ":")` }]);
  }
  return [...new Set(codes)].join(':');
}

/** An order the caller may see: the customer's own (orders.id_member) or any for staff; else 404. */
export async function visibleOrder(db: Db | Tx, user: AuthUser | undefined, id: number) {
  const order = await db.order.findFirst({ where: { id, ...(isStaff(user) ? {} : { id_member: user!.id }) } });
  if (!order) throw notFound(`Order ${id} not found`);
  return order;
}

/**
 * Locks the order row (so a concurrent checkout or address change waits) and checks that the caller
 * may change its shipping: visible to them, an e-commerce order, still a cart.
 */
export async function lockCartForShipping(tx: Tx, user: AuthUser | undefined, id: number) {
  await tx.$queryRaw`SELECT id FROM orders WHERE id = ${id} FOR UPDATE`;
  const order = await visibleOrder(tx, user, id);
  if (order.status !== CART_STATUS) throw conflict(`Order ${id} is ${order.status}: shipping can only change while it is a cart`);
  if (order.order_type !== 'E') throw unprocessable('Only e-commerce (E) orders are shipped');
  return order;
}

/** Cart weight in grams from its live items (qty × menus.berat); at least 1 g, RajaOngkir refuses 0. */
export async function cartWeight(db: Db | Tx, orderId: number) {
  const items = await db.orderItem.findMany({ where: { id_order: orderId, is_canceled: 0 }, select: { qty: true, menu: { select: { berat: true } } } });
  if (items.length === 0) throw unprocessable('The cart is empty: add items before asking for courier costs');
  return Math.max(1, items.reduce((sum, i) => sum + i.qty * i.menu.berat, 0));
}

/** Great-circle distance in km (haversine, mean Earth radius 6371 km). */
export function haversineKm(lat1: number, lng1: number, lat2: number, lng2: number) {
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(lat2 - lat1);
  const dLng = rad(lng2 - lng1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * Same-day price: distance d rounded to 0.1 km; the segment with distance_fr <= d < distance_to;
 * cost = ceil(d) (whole kilometres started, at least 1) × that segment's price_in_km.
 */
export async function sameDayQuote(db: Db | Tx, app: AppContext, lat: number, lng: number) {
  const s = await deliverySettings(app, db);
  if (s.lat_gudang === 0 && s.lng_gudang === 0) throw unprocessable('Same-day delivery is not configured (warehouse coordinates missing)');
  const distance = Math.round(haversineKm(s.lat_gudang, s.lng_gudang, lat, lng) * 10) / 10;
  const segment = await db.delivery.findFirst({
    where: { distance_fr: { lte: distance }, distance_to: { gt: distance } },
    orderBy: { distance_fr: 'desc' },
  });
  if (!segment) throw unprocessable(`Same-day delivery does not reach ${distance} km from the warehouse`);
  const km = Math.max(1, Math.ceil(distance));
  return { distance, distance_unit: 'km' as const, costs: km * segment.price_in_km };
}

const noCourier = { courier: '', courier_service: '', courier_price: 0, is_courier: 0, courier_datetime: null as Date | null, distance: 0 };

/** Sets (or clears) the order's courier in the locked transaction, then recomputes its totals. */
export async function setCourier(tx: Tx, orderId: number, data: Partial<typeof noCourier> & Record<string, unknown>) {
  await tx.order.update({ where: { id: orderId }, data });
  await recomputeOrderTotals(tx, orderId);
}

export const clearedCourier = () => ({ ...noCourier });

/**
 * For checkout (commerce): the E order's chosen courier still fits the cart — same-day was priced for
 * the stored position (update/address clears it when that moves); a RajaOngkir courier needs a quote
 * of this order for the current weight, destination and the same cost (expiry does not matter here:
 * the price was valid when chosen). Throws 422 otherwise.
 */
export async function assertCourierStillValid(tx: Db | Tx, order: { id: number; courier: string; courier_service: string; courier_price: number; kode_kecamatan: string }) {
  if (!order.courier) throw unprocessable('Choose a courier first (orders/:id/process/courier or process/sameday/courier)');
  if (order.courier === SAMEDAY) return;
  const weight = await cartWeight(tx, order.id);
  const quote = await tx.courierQuote.findFirst({
    where: { id_orders: order.id, courier: order.courier, service: order.courier_service, cost: order.courier_price, weight, destination: order.kode_kecamatan },
    select: { id: true },
  });
  if (!quote) throw unprocessable('The cart or address changed since the courier was chosen: ask deliveries/calculate and choose the courier again');
}
