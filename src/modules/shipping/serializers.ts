/** The document's shapes for deliveries (same-day segments) and deliveries/settings. */

export const deliveryJSON = (d: { id: number; distance_fr: number; distance_to: number; segment: string; price_in_km: number }) => ({
  id: d.id,
  distance_fr: d.distance_fr,
  distance_to: d.distance_to,
  segment: d.segment,
  price_in_km: d.price_in_km,
});

export const settingsJSON = (s: {
  kode_kota_asal: number;
  kode_kecamatan_asal: number;
  lat_gudang: number;
  lng_gudang: number;
  alamat_gudang: string;
  kode_kurir: string[];
}) => ({
  kode_kota_asal: s.kode_kota_asal,
  // not in the document: RajaOngkir V2 prices from a district, so the origin district is shown too
  kode_kecamatan_asal: s.kode_kecamatan_asal,
  coordinate_gudang: { lat: s.lat_gudang, lng: s.lng_gudang },
  alamat_gudang: s.alamat_gudang,
  kode_kurir: s.kode_kurir,
});
