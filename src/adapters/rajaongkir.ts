import axios, { type AxiosInstance } from 'axios';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Config } from '../config.js';
import { HttpError, notFound, unprocessable } from '../http/errors.js';

/**
 * RajaOngkir API V2 (Komerce): `GET destination/province`, `GET destination/city/{province_id}`,
 * `GET destination/district/{city_id}`, `POST calculate/district/domestic-cost` (form-encoded), header
 * `key`, answers wrapped in `{meta: {message, code, status}, data}`. Answers are mapped to the shapes
 * of the old API that the document (and the mobile app) uses.
 *
 * Without RAJAONGKIR_API_KEY the adapter answers from a small built-in OFFLINE FALLBACK table with a
 * flat-rate quote, so the embedded demo works without internet.
 */

export interface Province {
  province_id: string;
  province: string;
}
export interface City {
  city_id: string;
  province_id: string;
  province: string;
  type: string;
  city_name: string;
  postal_code: string;
}
export interface District {
  subdistrict_id: string;
  province_id: string;
  province: string;
  city_id: string;
  city: string;
  type: string;
  subdistrict_name: string;
}
/** one courier service as V2 returns it (flat) */
export interface ServiceCost {
  code: string;
  name: string;
  service: string;
  description: string;
  cost: number;
  etd: string;
}
/** the document's (old API) cost shape */
export interface CourierCosts {
  code: string;
  name: string;
  costs: { service: string; description: string; cost: { value: number; etd: string; note: string }[] }[];
}

export interface CostRequest {
  origin: string;
  destination: string;
  /** grams */
  weight: number;
  /** one code or several joined by ':' (V2 accepts e.g. "jne:tiki") */
  courier: string;
}

interface V2Envelope {
  meta?: { message?: string; code?: number; status?: string };
  data?: unknown;
}

// What each V2 endpoint must answer as `data`. An answer that does not fit is unreadable (503): a
// null row or a missing name would break the mapping (500), and a cost that is not a whole rupiah
// amount of the 32-bit columns would be quoted as `null` or fail to be stored.
// Text a quote stores: no NUL, no UTF-16 surrogate without its pair (PostgreSQL refuses both).
const v2Text = z.string().regex(/^(?:[^\u0000\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/, 'text PostgreSQL cannot store');
const v2Id = z.union([z.number().int().nonnegative(), z.string().trim().min(1)]);
const v2Region = z.object({ id: v2Id, name: z.string() });
const V2 = {
  provinces: z.array(v2Region),
  cities: z.array(v2Region.extend({ zip_code: z.union([z.string(), z.number()]).nullish() })),
  districts: z.array(v2Region),
  costs: z.array(
    z.object({
      name: z.string(),
      // stored as courier_quotes.courier, VARCHAR(30)
      code: v2Text.min(1).max(30),
      service: v2Text,
      description: v2Text.nullish(),
      // V2 sends a number; a numeric string is read as one (as before)
      cost: z
        .union([z.number(), z.string().regex(/^\s*\d+(\.\d+)?\s*$/).transform(Number)])
        .transform(Math.round)
        .pipe(z.number().int().min(0).max(2_147_483_647)),
      etd: v2Text.nullish(),
    }),
  ),
};

/** bound on cached lists and quotes (quotes are keyed by origin, destination, weight and courier) */
const MAX_CACHE_ENTRIES = 5000;

const unavailable = (message: string, retryAfter?: string) =>
  new HttpError(503, message, undefined, retryAfter ? { 'Retry-After': retryAfter } : undefined);

/** Groups V2's flat service list into the document's `[{code, name, costs: [...]}]`. */
export function toDocumentCosts(services: ServiceCost[]): CourierCosts[] {
  const byCode = new Map<string, CourierCosts>();
  for (const s of services) {
    let c = byCode.get(s.code);
    if (!c) byCode.set(s.code, (c = { code: s.code, name: s.name, costs: [] }));
    c.costs.push({ service: s.service, description: s.description, cost: [{ value: s.cost, etd: s.etd, note: '' }] });
  }
  return [...byCode.values()];
}

const cityType = (name: string) => (/^kota\b/i.test(name) ? 'Kota' : /^(kabupaten|kab\.)/i.test(name) ? 'Kabupaten' : '');

export class RajaOngkir {
  private readonly http?: AxiosInstance;
  private readonly cache = new Map<string, { expires: number; value: Promise<unknown> }>();
  /** city id → its province and name, learned from city lists (V2 districts do not say) */
  private readonly cityIndex = new Map<string, { province_id: string; province: string; city_name: string; type: string }>();

  constructor(
    private readonly config: Pick<
      Config,
      'RAJAONGKIR_BASE_URL' | 'RAJAONGKIR_API_KEY' | 'RAJAONGKIR_TIMEOUT_MS' | 'RAJAONGKIR_LIST_CACHE_SECONDS' | 'RAJAONGKIR_QUOTE_CACHE_SECONDS'
    >,
    private readonly logger?: Logger,
  ) {
    if (config.RAJAONGKIR_API_KEY) {
      this.http = axios.create({
        baseURL: config.RAJAONGKIR_BASE_URL.replace(/\/+$/, ''),
        timeout: config.RAJAONGKIR_TIMEOUT_MS,
        headers: { key: config.RAJAONGKIR_API_KEY, Accept: 'application/json' },
        validateStatus: () => true,
        // never follow the service elsewhere with our key
        maxRedirects: 0,
      });
    }
  }

  /** true when answers come from the built-in offline table */
  get offline() {
    return !this.http;
  }

  async provinces(): Promise<Province[]> {
    if (!this.http) return OFFLINE.provinces.map((p) => ({ province_id: String(p.id), province: p.name }));
    const rows = await this.cached('province', this.config.RAJAONGKIR_LIST_CACHE_SECONDS, () => this.get('/destination/province', V2.provinces, 'province list'));
    return rows.map((p) => ({ province_id: String(p.id), province: p.name }));
  }

  async cities(provinceId: string): Promise<City[]> {
    const province = (await this.provinces()).find((p) => p.province_id === provinceId);
    if (!province) throw notFound(`Province ${provinceId} not found`);
    const rows = this.http
      ? await this.cached(`city:${provinceId}`, this.config.RAJAONGKIR_LIST_CACHE_SECONDS, () =>
          this.get(`/destination/city/${encodeURIComponent(provinceId)}`, V2.cities, 'city list'),
        )
      : OFFLINE.cities.filter((c) => String(c.province_id) === provinceId);
    return rows.map((c) => {
      const city: City = {
        city_id: String(c.id),
        province_id: province.province_id,
        province: province.province,
        type: cityType(c.name),
        city_name: c.name,
        postal_code: String(c.zip_code ?? ''),
      };
      this.cityIndex.set(city.city_id, { province_id: city.province_id, province: city.province, city_name: city.city_name, type: city.type });
      return city;
    });
  }

  async districts(cityId: string): Promise<District[]> {
    const rows = this.http
      ? await this.cached(`district:${cityId}`, this.config.RAJAONGKIR_LIST_CACHE_SECONDS, () =>
          this.get(`/destination/district/${encodeURIComponent(cityId)}`, V2.districts, 'district list'),
        )
      : OFFLINE.districts.filter((d) => String(d.city_id) === cityId);
    if (!this.http && rows.length === 0) throw notFound(`City ${cityId} not found`);
    if (!this.http && !this.cityIndex.has(cityId)) {
      const c = OFFLINE.cities.find((x) => String(x.id) === cityId)!;
      await this.cities(String(c.province_id));
    }
    const city = this.cityIndex.get(cityId);
    return rows.map((d) => ({
      subdistrict_id: String(d.id),
      province_id: city?.province_id ?? '',
      province: city?.province ?? '',
      city_id: cityId,
      city: city?.city_name ?? '',
      type: city?.type ?? '',
      subdistrict_name: d.name,
    }));
  }

  /** Courier costs, district to district, as V2's flat list of services. */
  async cost(req: CostRequest): Promise<ServiceCost[]> {
    if (!this.http) return offlineQuote(req);
    const key = `cost:${req.origin}:${req.destination}:${req.weight}:${req.courier}`;
    const rows = await this.cached(key, this.config.RAJAONGKIR_QUOTE_CACHE_SECONDS, () =>
      this.post(
        '/calculate/district/domestic-cost',
        new URLSearchParams({ origin: req.origin, destination: req.destination, weight: String(req.weight), courier: req.courier, price: 'lowest' }),
        V2.costs,
        'courier cost',
      ),
    );
    return rows.map((r) => ({
      code: r.code.toLowerCase(),
      name: r.name,
      service: r.service,
      description: r.description ?? '',
      cost: r.cost,
      etd: r.etd ?? '',
    }));
  }

  private cached<T>(key: string, seconds: number, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && hit.expires > Date.now()) return hit.value as Promise<T>;
    if (this.cache.size >= MAX_CACHE_ENTRIES) this.prune();
    const value = load();
    // concurrent callers share one upstream request; failures are not cached
    this.cache.set(key, { expires: Date.now() + seconds * 1000, value });
    value.catch(() => this.cache.get(key)?.value === value && this.cache.delete(key));
    return value;
  }

  /** Drops expired entries; if every entry is live, the oldest half (Map keeps insertion order). */
  private prune() {
    const now = Date.now();
    for (const [k, v] of this.cache) if (v.expires <= now) this.cache.delete(k);
    if (this.cache.size < MAX_CACHE_ENTRIES) return;
    let drop = Math.floor(this.cache.size / 2);
    for (const k of this.cache.keys()) {
      if (drop-- <= 0) break;
      this.cache.delete(k);
    }
  }

  // axios' timeout bounds only idle time: an answer trickled a byte at a time would never end, and
  // every later caller of a cached list would wait on it. The signal bounds each call as a whole.
  private get<S extends z.ZodType>(path: string, schema: S, what: string) {
    return this.call(() => this.http!.get(path, { signal: AbortSignal.timeout(this.config.RAJAONGKIR_TIMEOUT_MS) }), schema, what);
  }

  private post<S extends z.ZodType>(path: string, form: URLSearchParams, schema: S, what: string) {
    return this.call(
      () =>
        this.http!.post(path, form.toString(), {
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          signal: AbortSignal.timeout(this.config.RAJAONGKIR_TIMEOUT_MS),
        }),
      schema,
      what,
    );
  }

  /** One upstream call whose `data` must fit `schema`; every failure becomes a clear 4xx/503 (never a 500). */
  private async call<S extends z.ZodType>(
    send: () => Promise<{ status: number; data: unknown; headers: Record<string, unknown> }>,
    schema: S,
    what: string,
  ): Promise<z.output<S>> {
    let res;
    try {
      res = await send();
    } catch (err) {
      this.logger?.warn({ err: (err as Error).message }, `RajaOngkir ${what}: unreachable`);
      throw unavailable('The shipping rate service (RajaOngkir) is unreachable, please try again later');
    }
    const body = (typeof res.data === 'object' && res.data ? res.data : {}) as V2Envelope;
    const message = typeof body.meta?.message === 'string' ? body.meta.message : '';
    // V2 may answer HTTP 200 with its error in the envelope: then meta.code is the answer's status
    // (an error's data, even an empty list, is not an answer; a list would be cached for a day)
    // (a code that is not a number is no code: Number(null) and Number('') would read as 0)
    const code: unknown = body.meta?.code;
    const metaCode = typeof code === 'number' || (typeof code === 'string' && /^\d+$/.test(code)) ? Number(code) : NaN;
    const status = res.status >= 200 && res.status < 300 && Number.isInteger(metaCode) && (metaCode < 200 || metaCode >= 300) ? metaCode : res.status;
    if (status === 429) {
      this.logger?.warn(`RajaOngkir ${what}: rate limited`);
      const retry = res.headers['retry-after'];
      throw unavailable('The shipping rate service (RajaOngkir) is busy, please try again shortly', typeof retry === 'string' ? retry : '60');
    }
    if (status === 404) throw notFound(`RajaOngkir: ${message || 'data not found'}`);
    if (status === 400 || status === 422) throw unprocessable(`RajaOngkir refused the request: ${message || status}`);
    if (status < 200 || status >= 300 || !Array.isArray(body.data)) {
      // 401/403 (our key), 5xx, or an answer we cannot read: the service is unusable for now
      this.logger?.error({ status, message }, `RajaOngkir ${what}: failed`);
      throw unavailable('The shipping rate service (RajaOngkir) is unavailable, please try again later');
    }
    const data = schema.safeParse(body.data);
    if (!data.success) {
      this.logger?.error({ issues: data.error.issues.slice(0, 5) }, `RajaOngkir ${what}: unreadable answer`);
      throw unavailable('The shipping rate service (RajaOngkir) is unavailable, please try again later');
    }
    return data.data;
  }
}

// ---------------------------------------------------------------------------------------------
// OFFLINE FALLBACK (no RAJAONGKIR_API_KEY): a few regions and a flat rate per started kilogram.
// Not real tariffs: for the embedded demo only.
// ---------------------------------------------------------------------------------------------

const OFFLINE = {
  provinces: [
    { id: 1, name: 'BALI' },
    { id: 6, name: 'DKI JAKARTA' },
    { id: 9, name: 'JAWA BARAT' },
  ],
  cities: [
    { id: 114, province_id: 1, name: 'KOTA DENPASAR', zip_code: '80227' },
    { id: 152, province_id: 6, name: 'KOTA JAKARTA PUSAT', zip_code: '10540' },
    { id: 153, province_id: 6, name: 'KOTA JAKARTA SELATAN', zip_code: '12230' },
    { id: 23, province_id: 9, name: 'KOTA BANDUNG', zip_code: '40111' },
  ],
  districts: [
    { id: 1573, city_id: 114, name: 'DENPASAR BARAT' },
    { id: 1374, city_id: 152, name: 'GAMBIR' },
    { id: 1375, city_id: 152, name: 'MENTENG' },
    { id: 1376, city_id: 153, name: 'KEBAYORAN BARU' },
    { id: 1377, city_id: 153, name: 'CILANDAK' },
    { id: 330, city_id: 23, name: 'COBLONG' },
    { id: 331, city_id: 23, name: 'SUKAJADI' },
  ],
};

const OFFLINE_COURIER_NAMES: Record<string, string> = {
  jne: 'Jalur Nugraha Ekakurir (JNE)',
  tiki: 'Citra Van Titipan Kilat (TIKI)',
  jnt: 'J&T Express',
  pos: 'POS Indonesia (POS)',
  sicepat: 'SiCepat Express',
};

/** Flat rate: REG 10,000 and EXPRESS 20,000 rupiah per started kilogram (minimum 1 kg). */
function offlineQuote(req: CostRequest): ServiceCost[] {
  const kg = Math.max(1, Math.ceil(req.weight / 1000));
  return req.courier.split(':').flatMap((code) => [
    { code, name: OFFLINE_COURIER_NAMES[code] ?? code.toUpperCase(), service: 'REG', description: 'Offline flat rate (regular)', cost: 10_000 * kg, etd: '2-3' },
    { code, name: OFFLINE_COURIER_NAMES[code] ?? code.toUpperCase(), service: 'EXPRESS', description: 'Offline flat rate (express)', cost: 20_000 * kg, etd: '1' },
  ]);
}
