import type { AppContext } from '../../app-context.js';
import type { AuthUser } from '../../http/auth-user.js';
import { isStaff } from '../../http/auth-user.js';
import { badRequest, conflict, notFound, unprocessable } from '../../http/errors.js';
import { sqlRows, type BeforeCommit, type Tx, type Db } from '../../db/client.js';
import { recomputeOrderTotals } from '../commerce/totals.js';
import { loadOwnOrder } from '../commerce/order-access.js';
import type { ServiceCost } from '../../adapters/rajaongkir.js';

const CART_STATUS = 'SHOPPING CARTS';
export const SAMEDAY = 'sameday';

/** The single deliveries/settings row, created from the configuration the first time it is needed. */
export async function deliverySettings(app: AppContext, db: Db = app.db) {
  const found = await db.deliverySetting.findUnique({ where: { scope: 'default' } });
  if (found) return found;
  const c = app.config;
  // ON CONFLICT DO NOTHING: another request may create it at the same moment (unique scope), and a
  // failed insert would abort the transaction `db` may be (process/sameday/courier's)
  await db.deliverySetting.createMany({
    data: {
      scope: 'default',
      kode_kota_asal: c.SHIPPING_ORIGIN_CITY,
      kode_kecamatan_asal: c.SHIPPING_ORIGIN_DISTRICT,
      lat_gudang: c.WAREHOUSE_LAT,
      lng_gudang: c.WAREHOUSE_LNG,
      alamat_gudang: c.WAREHOUSE_ADDRESS,
      kode_kurir: c.SHIPPING_COURIERS,
    },
    skipDuplicates: true,
  });
  return db.deliverySetting.findUniqueOrThrow({ where: { scope: 'default' } });
}

export interface SettingsChange {
  id_brandstore_gudang?: number | null;
  kode_kota_asal?: number;
  kode_kecamatan_asal?: number;
  coordinate_gudang?: { lat: number; lng: number };
  alamat_gudang?: string;
  kode_kurir?: string[];
}

/**
 * deliveries/settings/update (staff): the warehouse e-commerce orders take their stock from
 * (`id_brandstore_gudang`; null: stock is not tracked for orders), its origin, position and address,
 * and the courier codes offered. The configuration only gives the first values; without this no
 * store could ever be named the warehouse, and online sales never took stock. The store is held
 * FOR KEY SHARE, which brandstore's delete (FOR UPDATE) waits for, so a store deleted at the same
 * moment is either seen gone here (422) or refuses its delete as the warehouse (409).
 */
export async function updateDeliverySettings(app: AppContext, change: SettingsChange, beforeCommit?: BeforeCommit) {
  return app.db.$transaction(async (tx) => {
    await deliverySettings(app, tx);
    if (change.id_brandstore_gudang != null) {
      const [store] = await sqlRows<{ id: number }>(tx, 'SELECT id FROM brandstore WHERE id = $1 AND deleted_at IS NULL FOR KEY SHARE', [change.id_brandstore_gudang]);
      if (!store) {
        throw unprocessable(`brandstore ${change.id_brandstore_gudang} not found`, [{ field: 'id_brandstore_gudang', message: 'not an existing store' }]);
      }
    }
    const { coordinate_gudang, kode_kurir, ...rest } = change;
    const row = await tx.deliverySetting.update({
      where: { scope: 'default' },
      data: {
        ...rest,
        ...(coordinate_gudang ? { lat_gudang: coordinate_gudang.lat, lng_gudang: coordinate_gudang.lng } : {}),
        ...(kode_kurir ? { kode_kurir: [...new Set(kode_kurir.map((k) => k.toLowerCase()))] } : {}),
      },
    });
    await beforeCommit?.(tx);
    return row;
  });
}

/** `jne` or `jne:tiki`, each one of the configured courier codes (any case: SHIPPING_COURIERS is stored as written). */
function checkCouriers(courier: string, allowed: string[]): string {
  const codes = courier.toLowerCase().split(':').filter(Boolean);
  const offered = allowed.map((c) => c.toLowerCase());
  const unknown = codes.filter((c) => !offered.includes(c));
  if (codes.length === 0 || unknown.length) {
    throw badRequest('Invalid courier', [{ field: 'courier', message: `use one of ${allowed.join(', ')} (several joined by ":")` }]);
  }
  return [...new Set(codes)].join(':');
}

/** An order the caller may see: the customer's own (orders.id_member) or any for staff; else 404. */
async function visibleOrder(db: Db, user: AuthUser | undefined, id: number) {
  const order = await db.order.findFirst({ where: { id, ...(isStaff(user) ? {} : { id_member: user!.id }) } });
  if (!order) throw notFound(`Order ${id} not found`);
  return order;
}

/**
 * Locks the order row (so a concurrent checkout or address change waits) and checks that the caller
 * may change its shipping: visible to them, an e-commerce order, still a cart.
 */
async function lockCartForShipping(tx: Tx, user: AuthUser | undefined, id: number) {
  const order = await loadOwnOrder(tx, user, id);
  if (order.status !== CART_STATUS) throw conflict(`Order ${id} is ${order.status}: shipping can only change while it is a cart`);
  if (order.order_type !== 'E') throw unprocessable('Only e-commerce (E) orders are shipped');
  return order;
}

const emptyCart = () => unprocessable('The cart is empty: add items before asking for courier costs');

/** Cart weight in grams from its live items (qty × menus.berat); at least 1 g, RajaOngkir refuses 0. */
export async function cartWeight(db: Db, orderId: number) {
  const items = await db.orderItem.findMany({ where: { id_order: orderId, is_canceled: 0 }, select: { qty: true, menu: { select: { berat: true } } } });
  if (items.length === 0) throw emptyCart();
  return weightOf(items);
}

/** The largest weight a quote can carry: courier_quotes.weight is a 32-bit column (grams). */
const MAX_WEIGHT_GRAMS = 2_147_483_647;

/**
 * The weight of live (not cancelled) cart lines in grams, at least 1. A cart beyond MAX_WEIGHT_GRAMS
 * (1,000 kg × 999 on three lines is accepted by the cart) cannot be quoted or stored: 422 here, before
 * RajaOngkir is asked.
 */
export function weightOf(items: { qty: number; menu: { berat: number } }[]) {
  const grams = items.reduce((sum, i) => sum + i.qty * i.menu.berat, 0);
  if (grams > MAX_WEIGHT_GRAMS) throw unprocessable(`The cart weighs ${grams} g: more than ${MAX_WEIGHT_GRAMS} g cannot be shipped`);
  return Math.max(1, grams);
}

/** Great-circle distance in km (haversine, mean Earth radius 6371 km). */
function haversineKm(lat1: number, lng1: number, lat2: number, lng2: number) {
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
async function sameDayQuote(db: Db, app: AppContext, lat: number, lng: number) {
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

/** Sets (or clears) the order's courier in the locked transaction, with the totals its price changes, in one update. */
async function setCourier(tx: Tx, orderId: number, data: Partial<typeof noCourier> & Record<string, unknown>) {
  await recomputeOrderTotals(tx, orderId, data);
}

const clearedCourier = () => ({ ...noCourier });

type Cart = Awaited<ReturnType<typeof lockCartForShipping>>;


/**
 * One transaction on a cart whose shipping the caller may change, locked first (see
 * lockCartForShipping); `beforeCommit` last in it, so that what it writes commits with the change.
 */
function onShippingCart<T>(app: AppContext, user: AuthUser | undefined, orderId: number, run: (tx: Tx, order: Cart) => Promise<T>, beforeCommit?: BeforeCommit) {
  return app.db.$transaction(async (tx) => {
    const result = await run(tx, await lockCartForShipping(tx, user, orderId));
    await beforeCommit?.(tx);
    return result;
  });
}

/** `text` cut to `max` UTF-16 units for its column, never between the two halves of a character (PostgreSQL refuses half of one). */
const cut = (text: string, max: number) => text.slice(0, /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max);

/**
 * deliveries/calculate: RajaOngkir's costs to an E order's district for its cart weight; every quote
 * (cost > 0) is stored for process/courier, and expired ones of the order are dropped.
 */
export async function quoteForOrder(
  app: AppContext,
  user: AuthUser | undefined,
  input: { id_order: number; courier: string; city_id_destination?: string },
  beforeCommit?: BeforeCommit,
): Promise<ServiceCost[]> {
  const settings = await deliverySettings(app);
  const courier = checkCouriers(input.courier, settings.kode_kurir);
  const order = await visibleOrder(app.db, user, input.id_order);
  // the document weighs the shopping cart's items: a placed order's quotes could never be taken
  if (order.status !== CART_STATUS) throw conflict(`Order ${order.id} is ${order.status}: shipping can only change while it is a cart`);
  if (order.order_type !== 'E') throw unprocessable('Only e-commerce (E) orders are shipped');
  // V2 prices district to district: the order's district is the destination; the document's
  // city_id_destination is used only while the order has no address yet
  const destination = order.kode_kecamatan || input.city_id_destination;
  if (!destination) throw unprocessable('The order has no delivery district: call orders/:id/update/address first');
  const weight = await cartWeight(app.db, order.id);
  const origin = String(settings.kode_kecamatan_asal);
  const services = await app.rajaongkir.cost({ origin, destination, weight, courier });
  const now = app.now();
  const expires_at = new Date(now.getTime() + app.config.COURIER_QUOTE_TTL_SECONDS * 1000);
  const quotes = services
    .filter((q) => q.cost > 0)
    .map((q) => ({ courier: q.code, service: cut(q.service, 50), description: cut(q.description, 200), cost: q.cost, etd: cut(q.etd, 50) }));
  // One statement, so all or nothing: the new quotes in; out go the order's quotes they renew (same
  // service, weight and route: identical calls do not pile up rows, and an older price of the
  // service is no longer taken) and its expired ones. The quote the order's chosen courier was taken
  // from (for the cart's current weight) stays unless a fresh one of the same cost takes its place:
  // checkout still accepts that courier (assertCourierStillValid ignores expiry). Its transaction is
  // for beforeCommit (a staff call's audit entry), after RajaOngkir has answered. The order row is
  // locked first, as every shipping change of the cart does: two calls of one order at the same moment
  // store their quotes one after the other, and the second's statement (a snapshot of its own) sees
  // and replaces the first's, so they never leave two quotes of one service for one weight and route.
  // Under the lock the order is still a cart, or a checkout came between (409, nothing stored).
  await app.db.$transaction(async (tx) => {
    const [locked] = await sqlRows<{ status: string }>(tx, `SELECT status FROM orders WHERE id = $1 FOR UPDATE`, [order.id]);
    if (!locked) throw notFound(`Order ${order.id} not found`);
    if (locked.status !== CART_STATUS) throw conflict(`Order ${order.id} is ${locked.status}: shipping can only change while it is a cart`);
    await sqlRows(
      tx,
      `WITH fresh AS (SELECT * FROM jsonb_to_recordset($7::jsonb) AS q(courier text, service text, description text, cost int, etd text)),
       dropped AS (
         DELETE FROM courier_quotes c WHERE c.id_orders = $1
         AND (c.expires_at < $2::timestamptz
              OR (c.weight = $3 AND c.origin = $4 AND c.destination = $5
                  AND EXISTS (SELECT 1 FROM fresh f WHERE f.courier = c.courier AND f.service = c.service)))
         AND NOT (
           EXISTS (SELECT 1 FROM orders o WHERE o.id = c.id_orders AND o.courier = c.courier AND o.courier_service = c.service
                   AND o.courier_price = c.cost AND o.kode_kecamatan = c.destination AND c.weight = $3)
           AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.courier = c.courier AND f.service = c.service AND f.cost = c.cost
                           AND c.origin = $4 AND c.destination = $5)))
       INSERT INTO courier_quotes (id_orders, courier, service, description, cost, etd, weight, origin, destination, expires_at)
       SELECT $1, q.courier, q.service, q.description, q.cost, q.etd, $3, $4, $5, $6::timestamptz FROM fresh q`,
      [order.id, now.toISOString(), weight, origin, destination, expires_at.toISOString(), JSON.stringify(quotes)],
    );
    await beforeCommit?.(tx);
  });
  return services;
}

/**
 * Hourly (commerce's hourly job): deletes the courier quotes no one can take any more, those of the
 * orders never quoted again (quoteForOrder drops an order's expired quotes only when it quotes it
 * again). A quote goes when it has expired and is not the one the order's chosen courier was taken
 * from: checkout accepts that one whatever its age (assertCourierStillValid), so it stays as long as
 * the order has that courier. Batches of `batch` rows, each its own statement, in id order.
 * The order rows are share-locked and locked ones skipped: an order whose courier is being chosen
 * (its row is locked FOR UPDATE) keeps its quotes until the next run, and a choice committed meanwhile
 * is seen when the row is locked, so the quote just chosen is never taken away.
 */
export async function purgeExpiredQuotes(app: AppContext, batch = 1000): Promise<number> {
  const now = app.now();
  let purged = 0;
  let afterId = 0;
  for (;;) {
    const gone = await sqlRows<{ id: number }>(
      app.db,
      `DELETE FROM courier_quotes WHERE id IN (
         SELECT c.id FROM courier_quotes c JOIN orders o ON o.id = c.id_orders
         WHERE c.id > $1 AND c.expires_at < $2::timestamptz
           AND NOT (o.courier = c.courier AND o.courier_service = c.service AND o.courier_price = c.cost AND o.kode_kecamatan = c.destination)
         ORDER BY c.id LIMIT $3
         FOR KEY SHARE OF o SKIP LOCKED)
       RETURNING id`,
      [afterId, now.toISOString(), batch],
    );
    purged += gone.length;
    if (gone.length < batch) return purged;
    afterId = Math.max(...gone.map((q) => q.id));
  }
}

/** deliveries/calculate/byweight: costs between two districts (origin: the warehouse's by default). */
export async function quoteByWeight(app: AppContext, input: { city_id_origin?: string; city_id_destination: string; weight: number; courier: string }): Promise<ServiceCost[]> {
  const settings = await deliverySettings(app);
  const courier = checkCouriers(input.courier, settings.kode_kurir);
  const origin = input.city_id_origin ?? String(settings.kode_kecamatan_asal);
  return app.rajaongkir.cost({ origin, destination: input.city_id_destination, weight: input.weight, courier });
}

/** orders/:id/update/address: a changed district or position clears the chosen courier. */
export function updateAddress(
  app: AppContext,
  user: AuthUser | undefined,
  orderId: number,
  input: { lat_kirim?: number; lng_kirim?: number; kode_provinsi: string; kode_kota: string; kode_kecamatan: string; alamat_kirim: string; nama_penerima?: string },
  beforeCommit?: BeforeCommit,
) {
  return onShippingCart(app, user, orderId, async (tx, order) => {
    const lat_kirim = input.lat_kirim ?? order.lat_kirim;
    const lng_kirim = input.lng_kirim ?? order.lng_kirim;
    // a quote or same-day price was for the old destination
    const moved = input.kode_kecamatan !== order.kode_kecamatan || lat_kirim !== order.lat_kirim || lng_kirim !== order.lng_kirim;
    const address = { ...input, lat_kirim, lng_kirim };
    if (moved && order.courier) await setCourier(tx, order.id, { ...address, ...clearedCourier() });
    // the totals do not depend on the address, only on the courier's price
    else await tx.order.update({ where: { id: order.id }, data: address });
  }, beforeCommit);
}

/** orders/:id/process/courier: the cost must equal a current quote from deliveries/calculate for this cart and address. */
export function chooseCourier(app: AppContext, user: AuthUser | undefined, orderId: number, input: { courier: string; costs: number; service?: string }, beforeCommit?: BeforeCommit) {
  return onShippingCart(app, user, orderId, async (tx, order) => {
    if (!order.kode_kecamatan) throw unprocessable('The order has no delivery district: call orders/:id/update/address first');
    const settings = await deliverySettings(app, tx);
    const weight = await cartWeight(tx, order.id);
    // the service as the customer typed it (`reg` for RajaOngkir's `REG`): compared here whatever its
    // case and spaces, among the few current quotes of this courier and cost; the quote's spelling is stored
    const service = input.service?.trim().toLowerCase();
    const quotes = await tx.courierQuote.findMany({
      where: {
        id_orders: order.id,
        courier: input.courier.toLowerCase(),
        cost: input.costs,
        weight,
        origin: String(settings.kode_kecamatan_asal),
        destination: order.kode_kecamatan,
        expires_at: { gt: app.now() },
      },
      orderBy: [{ created_at: 'desc' }, { id: 'desc' }],
    });
    const quote = service ? quotes.find((q) => q.service.trim().toLowerCase() === service) : quotes[0];
    if (!quote) {
      throw unprocessable('costs does not match a current quote for this cart and address: call deliveries/calculate first', [
        { field: 'costs', message: 'no matching quote' },
      ]);
    }
    await setCourier(tx, order.id, {
      courier: quote.courier,
      courier_service: quote.service,
      courier_price: quote.cost,
      is_courier: 1,
      courier_datetime: app.now(),
      distance: 0,
    });
    return { costs: quote.cost };
  }, beforeCommit);
}

/** orders/:id/process/sameday/courier: same-day delivery to lat_kirim/lng_kirim, priced by distance (sameDayQuote). */
export function chooseSameDay(app: AppContext, user: AuthUser | undefined, orderId: number, input: { lat_kirim: number; lng_kirim: number }, beforeCommit?: BeforeCommit) {
  return onShippingCart(app, user, orderId, async (tx, order) => {
    // nothing to deliver: as process/courier, no delivery price on an empty cart
    if ((await tx.orderItem.count({ where: { id_order: order.id, is_canceled: 0 } })) === 0) throw emptyCart();
    const q = await sameDayQuote(tx, app, input.lat_kirim, input.lng_kirim);
    await setCourier(tx, order.id, {
      lat_kirim: input.lat_kirim,
      lng_kirim: input.lng_kirim,
      courier: SAMEDAY,
      courier_service: 'SAMEDAY',
      courier_price: q.costs,
      is_courier: 1,
      courier_datetime: app.now(),
      distance: q.distance,
      distance_unit: q.distance_unit,
    });
    return q;
  }, beforeCommit);
}

/** orders/:id/unprocess/courier */
export const removeCourier = (app: AppContext, user: AuthUser | undefined, orderId: number, beforeCommit?: BeforeCommit) =>
  onShippingCart(app, user, orderId, (tx, order) => setCourier(tx, order.id, clearedCourier()), beforeCommit);

export type Segment = { distance_fr: number; distance_to: number; segment?: string; price_in_km: number };

/** Same-day distance segments [distance_fr, distance_to) km may not overlap. */
async function assertNoOverlap(tx: Tx, fr: number, to: number, exceptId?: number) {
  // segment writes are serialised so two concurrent writes cannot both pass the overlap check
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('deliveries.segments'))`;
  const clash = await tx.delivery.findFirst({
    where: { distance_fr: { lt: to }, distance_to: { gt: fr }, ...(exceptId ? { id: { not: exceptId } } : {}) },
  });
  if (clash) throw conflict(`The range overlaps segment ${clash.id} (${clash.distance_fr}–${clash.distance_to} km)`);
}

export async function createSegment(tx: Tx, b: Segment) {
  await assertNoOverlap(tx, b.distance_fr, b.distance_to);
  return (await tx.delivery.create({ data: { ...b, segment: b.segment ?? '' } })).id;
}

export async function updateSegment(tx: Tx, id: number, b: Segment) {
  await assertNoOverlap(tx, b.distance_fr, b.distance_to, id);
  await tx.delivery.update({ where: { id }, data: { ...b, segment: b.segment ?? '' } });
}

/**
 * For checkout (commerce): the E order's chosen courier still fits the cart — same-day was priced for
 * the stored position (update/address clears it when that moves); a RajaOngkir courier needs a quote
 * of this order for the current weight, destination and the same cost (expiry does not matter here:
 * the price was valid when chosen). Throws 422 otherwise.
 */
export async function assertCourierStillValid(
  tx: Db,
  order: { id: number; courier: string; courier_service: string; courier_price: number; kode_kecamatan: string },
  /** the cart's weight when the caller has its lines already (weightOf), else read here */
  knownWeight?: number,
) {
  if (!order.courier) throw unprocessable('Choose a courier first (orders/:id/process/courier or process/sameday/courier)');
  if (order.courier === SAMEDAY) return;
  const weight = knownWeight ?? (await cartWeight(tx, order.id));
  const quote = await tx.courierQuote.findFirst({
    where: { id_orders: order.id, courier: order.courier, service: order.courier_service, cost: order.courier_price, weight, destination: order.kode_kecamatan },
    select: { id: true },
  });
  if (!quote) throw unprocessable('The cart or address changed since the courier was chosen: ask deliveries/calculate and choose the courier again');
}
