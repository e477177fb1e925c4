/** The document's shapes for deliveries (same-day segments), deliveries/settings and the RajaOngkir lookups. */
import { z } from 'zod';
import * as r from '../../http/response.js';

export const deliveryJSON = (d: { id: number; distance_fr: number; distance_to: number; segment: string; price_in_km: number }) => ({
  id: d.id,
  distance_fr: d.distance_fr,
  distance_to: d.distance_to,
  segment: d.segment,
  price_in_km: d.price_in_km,
});

export const deliverySchema = z.object({ id: r.int, distance_fr: r.num, distance_to: r.num, segment: r.str, price_in_km: r.int });

export const settingsJSON = (s: {
  kode_kota_asal: number;
  kode_kecamatan_asal: number;
  lat_gudang: number;
  lng_gudang: number;
  alamat_gudang: string;
  kode_kurir: string[];
  id_brandstore_gudang: number | null;
}) => ({
  kode_kota_asal: s.kode_kota_asal,
  // not in the document: RajaOngkir V2 prices from a district, so the origin district is shown too
  kode_kecamatan_asal: s.kode_kecamatan_asal,
  coordinate_gudang: { lat: s.lat_gudang, lng: s.lng_gudang },
  alamat_gudang: s.alamat_gudang,
  kode_kurir: s.kode_kurir,
  // not in the document: the store whose stock e-commerce orders take (null: stock not tracked for orders)
  id_brandstore_gudang: s.id_brandstore_gudang,
});

export const settingsSchema = z.object({
  kode_kota_asal: r.int,
  kode_kecamatan_asal: r.int,
  coordinate_gudang: z.object({ lat: r.num, lng: r.num }),
  alamat_gudang: r.str,
  kode_kurir: z.array(r.str),
  id_brandstore_gudang: r.int.nullable(),
});

// RajaOngkir lookups, as the adapter answers them (src/adapters/rajaongkir.ts: Province, City,
// District, CourierCosts); ids are strings as in the document
export const provinceSchema = z.object({ province_id: r.str, province: r.str });
export const citySchema = z.object({ city_id: r.str, province_id: r.str, province: r.str, type: r.str, city_name: r.str, postal_code: r.str });
export const districtSchema = z.object({
  subdistrict_id: r.str,
  province_id: r.str,
  province: r.str,
  city_id: r.str,
  city: r.str,
  type: r.str,
  subdistrict_name: r.str,
});
export const courierCostsSchema = z.object({
  code: r.str,
  name: r.str,
  costs: z.array(z.object({ service: r.str, description: r.str, cost: z.array(z.object({ value: r.int, etd: r.str, note: r.str })) })),
});
