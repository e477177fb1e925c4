import { z } from 'zod';
import { STAFF } from '../../http/auth-user.js';
import { resourceRoutes } from '../../http/resource.js';
import { route, type RouteDef } from '../../http/route.js';
import * as s from '../../lib/schemas.js';
import { toDocumentCosts } from '../../adapters/rajaongkir.js';
import * as r from '../../http/response.js';
import { citySchema, courierCostsSchema, deliveryJSON, deliverySchema, districtSchema, provinceSchema, settingsJSON, settingsSchema } from './serializers.js';
import {
  SAMEDAY,
  chooseCourier,
  chooseSameDay,
  createSegment,
  deliverySettings,
  quoteByWeight,
  quoteForOrder,
  removeCourier,
  updateAddress,
  updateSegment,
  updateDeliverySettings,
} from './shipping.service.js';
import { containsText } from '../../lib/text-search.js';

const tag = 'deliveries';
/** a RajaOngkir region id; the document sends numbers, patients keep text (with leading zeros) */
const regionId = z.coerce.string().trim().regex(/^\d{1,20}$/, 'expected a numeric region id');
const courierCode = z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9_]+(:[A-Za-z0-9_]+)*$/, 'e.g. "jne" or "jne:tiki"');
const lat = s.number((n) => n.min(-90).max(90));
const lng = s.number((n) => n.min(-180).max(180));

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
    method: ['put', 'post'],
    path: '/deliveries/settings/update',
    access: STAFF,
    tag,
    summary: 'Not in the document: set the warehouse store e-commerce orders take stock from, its origin, position, address and the courier codes',
    body: z
      .object({
        id_brandstore_gudang: z.preprocess((v) => (s.isEmpty(v) || v === 0 || v === '0' ? null : v), s.id.nullable()),
        kode_kota_asal: s.id,
        kode_kecamatan_asal: s.id,
        coordinate_gudang: z.object({ lat, lng }),
        alamat_gudang: s.requiredText(255),
        kode_kurir: z.array(z.string().trim().regex(/^[A-Za-z0-9_]{1,20}$/, 'a courier code such as "jne"')).min(1).max(20),
      })
      .partial(),
    response: settingsSchema,
    handler: async ({ app, body, auditChange }) => settingsJSON(await updateDeliverySettings(app, body, auditChange)),
  }),
  route({
    method: 'post',
    path: '/deliveries/calculate',
    access: 'authenticated',
    tag,
    summary: "Courier costs to an order's address for its cart weight; every quote is stored for process/courier",
    body: z.object({ id_order: s.id, courier: courierCode, city_id_destination: regionId.optional() }),
    response: z.array(courierCostsSchema),
    handler: async ({ app, user, body, auditChange }) => toDocumentCosts(await quoteForOrder(app, user, body, auditChange)),
  }),
  route({
    method: 'post',
    path: '/deliveries/calculate/byweight',
    access: 'authenticated',
    readOnly: true, // a price asked of RajaOngkir: nothing is stored
    tag,
    summary: 'Courier costs for a weight between two RajaOngkir districts (not tied to an order)',
    body: z.object({
      city_id_origin: regionId.optional(),
      city_id_destination: regionId,
      weight: s.number((n) => n.int().min(1).max(500_000)),
      courier: courierCode,
    }),
    response: z.array(courierCostsSchema),
    handler: async ({ app, body }) => toDocumentCosts(await quoteByWeight(app, body)),
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
    handler: async ({ app, user, params, body, auditChange }) => {
      await updateAddress(app, user, params.id, body, auditChange);
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
    handler: async ({ app, user, params, body, auditChange }) => ({ process_courier: true, ...(await chooseCourier(app, user, params.id, body, auditChange)) }),
  }),
  route({
    method: 'put',
    path: '/orders/:id/process/sameday/courier',
    access: 'authenticated',
    tag: 'orders',
    summary: 'Choose same-day delivery to lat_kirim/lng_kirim, priced by distance from the warehouse',
    body: z.object({ lat_kirim: lat, lng_kirim: lng, courier: z.literal(SAMEDAY).optional() }),
    response: z.object({ process_sameday_courier: z.literal(true), distance: r.num, distance_unit: z.literal('km'), costs: r.int }),
    handler: async ({ app, user, params, body, auditChange }) => ({ process_sameday_courier: true, ...(await chooseSameDay(app, user, params.id, body, auditChange)) }),
  }),
  route({
    method: 'put',
    path: '/orders/:id/unprocess/courier',
    access: 'authenticated',
    tag: 'orders',
    summary: "Remove the cart's chosen courier",
    response: z.object({ unprocess_courier: z.literal(true) }),
    handler: async ({ app, user, params, auditChange }) => {
      await removeCourier(app, user, params.id, auditChange);
      return { unprocess_courier: true };
    },
  }),
];

/** Same-day distance segments [distance_fr, distance_to) km; they may not overlap. */
const segmentBody = z
  .object({
    distance_fr: s.number((n) => n.min(0).max(10_000)),
    distance_to: s.number((n) => n.min(0).max(10_000)),
    segment: s.text(200).optional(),
    price_in_km: s.money,
  })
  .refine((b) => b.distance_to > b.distance_fr, { path: ['distance_to'], message: 'must be greater than distance_fr' });

const segmentRoutes = resourceRoutes({
  name: 'deliveries',
  model: (db) => db.delivery,
  access: { read: 'authenticated', write: STAFF },
  filters: z.object({ segment: s.text(200).optional(), distance: s.number((n) => n.min(0)).optional() }),
  where: (f) => ({
    segment: f.segment ? containsText(f.segment) : undefined,
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
    run: (b, _c, tx) => createSegment(tx, b),
  },
  update: {
    body: segmentBody,
    run: (id, b, _c, tx) => updateSegment(tx, id, b),
  },
});

// the fixed paths (settings, provinces, calculate) come before the resource's /deliveries/:id
export const shippingRoutes: RouteDef[] = [...regionRoutes, ...orderShippingRoutes, ...segmentRoutes];
