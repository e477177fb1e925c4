import { z } from 'zod';
import { STAFF } from '../../http/auth-user.js';
import { conflict, unprocessable } from '../../http/errors.js';
import { resourceRoutes } from '../../http/resource.js';
import { route, type RouteDef } from '../../http/route.js';
import * as s from '../../lib/schemas.js';
import { toDocumentCosts } from '../../adapters/rajaongkir.js';
import * as r from '../../http/response.js';
import { citySchema, courierCostsSchema, deliveryJSON, deliverySchema, districtSchema, provinceSchema, settingsJSON, settingsSchema } from './serializers.js';
import {
  SAMEDAY,
  cartWeight,
  checkCouriers,
  clearedCourier,
  deliverySettings,
  lockCartForShipping,
  sameDayQuote,
  setCourier,
  visibleOrder,
} from './shipping.service.js';

const tag = 'deliveries';
/** a RajaOngkir region id; the document sends numbers, patients keep text (with leading zeros) */
const regionId = z.coerce.string().trim().regex(/^\d{1,20}$/, 'expected a numeric region id');
const courierCode = z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9_]+(:[A-Za-z0-9_]+)*$/, 'e.g. "jne" or "jne:tiki"');
const lat = z.coerce.number().min(-90).max(90);
const lng = z.coerce.number().min(-180).max(180);

const regionRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: '/deliveries/provinces',
    access: 'authenticated',
    tag,
    summary: 'Provinces (RajaOngkir), cached for a day',
    response: z.array(provinceSchema),
    handler: ({ app }) => app.rajaongkir.provinces(),
  }),
  route({
    method: 'get',
    path: '/deliveries/:id/cities',
    access: 'authenticated',
    tag,
    summary: 'Cities of a RajaOngkir province, cached for a day',
    response: z.array(citySchema),
    handler: ({ app, params }) => app.rajaongkir.cities(String(params.id)),
  }),
  route({
    method: 'get',
    path: '/deliveries/:id/districts',
    access: 'authenticated',
    tag,
    summary: 'Districts (kecamatan) of a RajaOngkir city, cached for a day',
    response: z.array(districtSchema),
    handler: ({ app, params }) => app.rajaongkir.districts(String(params.id)),
  }),
  route({
    method: 'get',
    path: '/deliveries/settings',
    access: 'authenticated',
    tag,
    summary: 'Warehouse origin, coordinates, address and the courier codes offered',
    response: settingsSchema,
    handler: async ({ app }) => settingsJSON(await deliverySettings(app)),
  }),
  route({
    method: 'post',
    path: '/deliveries/calculate',
    access: 'authenticated',
    tag,
    summary: "Courier costs to an order's address for its cart weight; every quote is stored for process/courier",
    body: z.object({ id_order: s.id, courier: courierCode, city_id_destination: regionId.optional() }),
    response: z.array(courierCostsSchema),
    handler: async ({ app, user, body }) => {
      const settings = await deliverySettings(app);
      const courier = checkCouriers(body.courier, settings.kode_kurir);
      const order = await visibleOrder(app.db, user, body.id_order);
      if (order.order_type !== 'E') throw unprocessable('Only e-commerce (E) orders are shipped');
      // V2 prices district to district: the order's district is the destination; the document's
      // city_id_destination is used only while the order has no address yet
      const destination = order.kode_kecamatan || body.city_id_destination;
      if (!destination) throw unprocessable('The order has no delivery district: call orders/:id/update/address first');
      const weight = await cartWeight(app.db, order.id);
      const origin = String(settings.kode_kecamatan_asal);
      const services = await app.rajaongkir.cost({ origin, destination, weight, courier });
      const now = app.now();
      const expires_at = new Date(now.getTime() + app.config.COURIER_QUOTE_TTL_SECONDS * 1000);
      await app.db.$transaction([
        app.db.courierQuote.deleteMany({ where: { id_orders: order.id, expires_at: { lt: now } } }),
        app.db.courierQuote.createMany({
          data: services
            .filter((q) => q.cost > 0)
            .map((q) => ({
              id_orders: order.id,
              courier: q.code,
              service: q.service.slice(0, 50),
              description: q.description.slice(0, 200),
              cost: q.cost,
              etd: q.etd.slice(0, 50),
              weight,
              origin,
              destination,
              expires_at,
            })),
        }),
      ]);
      return toDocumentCosts(services);
    },
  }),
  route({
    method: 'post',
    path: '/deliveries/calculate/byweight',
    access: 'authenticated',
    tag,
    summary: 'Courier costs for a weight between two RajaOngkir districts (not tied to an order)',
    body: z.object({
      city_id_origin: regionId.optional(),
      city_id_destination: regionId,
      weight: z.coerce.number().int().min(1).max(500_000),
      courier: courierCode,
    }),
    response: z.array(courierCostsSchema),
    handler: async ({ app, body }) => {
      const settings = await deliverySettings(app);
      const courier = checkCouriers(body.courier, settings.kode_kurir);
      const origin = body.city_id_origin ?? String(settings.kode_kecamatan_asal);
      return toDocumentCosts(await app.rajaongkir.cost({ origin, destination: body.city_id_destination, weight: body.weight, courier }));
    },
  }),
];

const orderShippingRoutes: RouteDef[] = [
  route({
    method: 'put',
    path: '/orders/:id/update/address',
    access: 'authenticated',
    tag: 'orders',
    summary: "Set a cart's delivery address (a changed district or position clears the chosen courier)",
    body: z.object({
      lat_kirim: lat.optional(),
      lng_kirim: lng.optional(),
      kode_provinsi: regionId,
      kode_kota: regionId,
      kode_kecamatan: regionId,
      alamat_kirim: s.requiredText(2000),
      nama_penerima: s.text(200).optional(),
    }),
    response: z.object({ update_address: z.literal(true) }),
    handler: async ({ app, user, params, body }) => {
      await app.db.$transaction(async (tx) => {
        const order = await lockCartForShipping(tx, user, params.id);
        const lat_kirim = body.lat_kirim ?? order.lat_kirim;
        const lng_kirim = body.lng_kirim ?? order.lng_kirim;
        // a quote or same-day price was for the old destination
        const moved = body.kode_kecamatan !== order.kode_kecamatan || lat_kirim !== order.lat_kirim || lng_kirim !== order.lng_kirim;
        await setCourier(tx, order.id, {
          ...body,
          lat_kirim,
          lng_kirim,
          ...(moved && order.courier ? clearedCourier() : {}),
        });
      });
      return { update_address: true };
    },
  }),
  route({
    method: 'put',
    path: '/orders/:id/process/courier',
    access: 'authenticated',
    tag: 'orders',
    summary: 'Choose a courier: the cost must equal a current quote from deliveries/calculate for this cart and address',
    body: z.object({ courier: courierCode, costs: s.money, service: z.string().trim().max(50).optional() }),
    response: z.object({ process_courier: z.literal(true), costs: r.int }),
    handler: async ({ app, user, params, body }) => {
      return app.db.$transaction(async (tx) => {
        const order = await lockCartForShipping(tx, user, params.id);
        if (!order.kode_kecamatan) throw unprocessable('The order has no delivery district: call orders/:id/update/address first');
        const settings = await deliverySettings(app, tx);
        const weight = await cartWeight(tx, order.id);
        const quote = await tx.courierQuote.findFirst({
          where: {
            id_orders: order.id,
            courier: body.courier.toLowerCase(),
            cost: body.costs,
            service: body.service || undefined,
            weight,
            origin: String(settings.kode_kecamatan_asal),
            destination: order.kode_kecamatan,
            expires_at: { gt: app.now() },
          },
          orderBy: { created_at: 'desc' },
        });
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
        return { process_courier: true, costs: quote.cost };
      });
    },
  }),
  route({
    method: 'put',
    path: '/orders/:id/process/sameday/courier',
    access: 'authenticated',
    tag: 'orders',
    summary: 'Choose same-day delivery to lat_kirim/lng_kirim, priced by distance from the warehouse',
    body: z.object({ lat_kirim: lat, lng_kirim: lng, courier: z.literal(SAMEDAY).optional() }),
    response: z.object({ process_sameday_courier: z.literal(true), distance: r.num, distance_unit: z.literal('km'), costs: r.int }),
    handler: async ({ app, user, params, body }) => {
      return app.db.$transaction(async (tx) => {
        const order = await lockCartForShipping(tx, user, params.id);
        const q = await sameDayQuote(tx, app, body.lat_kirim, body.lng_kirim);
        await setCourier(tx, order.id, {
          lat_kirim: body.lat_kirim,
          lng_kirim: body.lng_kirim,
          courier: SAMEDAY,
          courier_service: 'SAMEDAY',
          courier_price: q.costs,
          is_courier: 1,
          courier_datetime: app.now(),
          distance: q.distance,
          distance_unit: q.distance_unit,
        });
        return { process_sameday_courier: true, ...q };
      });
    },
  }),
  route({
    method: 'put',
    path: '/orders/:id/unprocess/courier',
    access: 'authenticated',
    tag: 'orders',
    summary: "Remove the cart's chosen courier",
    response: z.object({ unprocess_courier: z.literal(true) }),
    handler: async ({ app, user, params }) => {
      await app.db.$transaction(async (tx) => {
        const order = await lockCartForShipping(tx, user, params.id);
        await setCourier(tx, order.id, clearedCourier());
      });
      return { unprocess_courier: true };
    },
  }),
];

/** Same-day distance segments [distance_fr, distance_to) km; they may not overlap. */
const segmentBody = z
  .object({
    distance_fr: z.coerce.number().min(0).max(10_000),
    distance_to: z.coerce.number().min(0).max(10_000),
    segment: s.text(200).optional(),
    price_in_km: s.money,
  })
  .refine((b) => b.distance_to > b.distance_fr, { path: ['distance_to'], message: 'must be greater than distance_fr' });

type Tx = Parameters<Parameters<import('../../app-context.js').AppContext['db']['$transaction']>[0]>[0];

async function assertNoOverlap(tx: Tx, fr: number, to: number, exceptId?: number) {
  // segment writes are serialised so two concurrent writes cannot both pass the overlap check
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('deliveries.segments'))`;
  const clash = await tx.delivery.findFirst({
    where: { distance_fr: { lt: to }, distance_to: { gt: fr }, ...(exceptId ? { id: { not: exceptId } } : {}) },
  });
  if (clash) throw conflict(`The range overlaps segment ${clash.id} (${clash.distance_fr}–${clash.distance_to} km)`);
}

const segmentRoutes = resourceRoutes({
  name: 'deliveries',
  model: (db) => db.delivery,
  access: { read: 'authenticated', write: STAFF },
  filters: z.object({ segment: s.text(200).optional(), distance: z.coerce.number().min(0).optional() }),
  where: (f) => ({
    segment: f.segment ? { contains: f.segment, mode: 'insensitive' } : undefined,
    ...(f.distance !== undefined ? { distance_fr: { lte: f.distance }, distance_to: { gt: f.distance } } : {}),
  }),
  searchFields: ['segment'],
  defaultOrder: { distance_fr: 'asc' },
  toJSON: deliveryJSON,
  schema: deliverySchema,
  columns: [
    { name: 'id', value: (d) => d.id, orderBy: (d) => ({ id: d }) },
    { name: 'distance_fr', value: (d) => d.distance_fr, orderBy: (d) => ({ distance_fr: d }) },
    { name: 'distance_to', value: (d) => d.distance_to, orderBy: (d) => ({ distance_to: d }) },
    { name: 'segment', value: (d) => d.segment, orderBy: (d) => ({ segment: d }) },
    { name: 'price_in_km', value: (d) => d.price_in_km, orderBy: (d) => ({ price_in_km: d }) },
  ],
  create: {
    body: segmentBody,
    run: async (b, _c, tx) => {
      await assertNoOverlap(tx, b.distance_fr, b.distance_to);
      return (await tx.delivery.create({ data: { ...b, segment: b.segment ?? '' } })).id;
    },
  },
  update: {
    body: segmentBody,
    methods: ['put', 'post'],
    run: async (id, b, _c, tx) => {
      await assertNoOverlap(tx, b.distance_fr, b.distance_to, id);
      await tx.delivery.update({ where: { id }, data: { ...b, segment: b.segment ?? '' } });
    },
  },
});

// the fixed paths (settings, provinces, calculate) come before the resource's /deliveries/:id
export const shippingRoutes: RouteDef[] = [...regionRoutes, ...orderShippingRoutes, ...segmentRoutes];
