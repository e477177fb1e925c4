import path from 'node:path';
import { z } from 'zod';

const DEV_JWT_SECRET = 'colederma-development-secret-change-me-please';
/** the admin dashboard's development servers: the CORS default outside production */
const DEV_CORS_ORIGINS = ['http://localhost:5173', 'http://localhost:3001'];

const bool = z
  .enum(['true', 'false', '1', '0', ''])
  .transform((v) => v === 'true' || v === '1');
const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/** Every environment variable the server reads; `.env.example` documents each one. */
const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().default('0.0.0.0'),
    // which peers' X-Forwarded-For names the client (rate limits per IP, the request log): Express's
    // 'trust proxy' setting: 'loopback' (a proxy on this machine), a hop count, addresses or subnets
    // (comma-separated), 'true' or 'false'. Behind a proxy on another host, name it, or every client
    // shares the proxy's address and its limits.
    TRUST_PROXY: z
      .string()
      .trim()
      .min(1)
      .default('loopback')
      .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v)),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    // links to uploads and the payment simulator's page; unset: this machine on PORT
    PUBLIC_BASE_URL: z.url().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: z.string().url().optional(),
    DATA_DIR: z.string().default('./data'),
    DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
    // off behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode before 1.21)
    DB_PREPARED_STATEMENTS: bool.default(true),
    // list and table counts of at least COUNT_CACHE_MIN_ROWS rows are reused for COUNT_CACHE_SECONDS
    // (0 = always count); smaller counts are always exact (src/db/count-cache.ts)
    COUNT_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
    COUNT_CACHE_MIN_ROWS: z.coerce.number().int().min(1).default(5000),
    // the product lists' and product page's answers are kept until a table they read changes, and
    // READ_CACHE_SECONDS at most (0 = off; src/db/read-cache.ts). It hears of changes through
    // LISTEN on DATABASE_URL: behind a pooler in transaction mode, which cannot keep a LISTEN, set 0
    READ_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
    SEED_DEMO_DATA: bool.optional(),
    UPLOAD_DIR: z.string().default('./uploads'),
    PRIVATE_UPLOAD_DIR: z.string().default('./data/private-uploads'),
    SIGNED_URL_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(600),
    UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(5 * 1024 * 1024),
    BODY_LIMIT: z.string().default('1mb'),
    CORS_ORIGINS: csv.default(DEV_CORS_ORIGINS),
    JWT_SECRET: z.string().min(16).default(DEV_JWT_SECRET),
    JWT_EXPIRES_IN: z.string().regex(/^\d+[smhd]?$/, 'use e.g. 3600, 30m, 12h or 7d').default('12h'),
    BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
    LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
    // on SIGTERM, how long new connections are still answered (/health already 503) before the
    // listener closes: a load balancer's health-check interval × its unhealthy threshold (0 = at once)
    SHUTDOWN_DRAIN_DELAY_MS: z.coerce.number().int().min(0).default(0),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
    // how long an idle keep-alive connection stays open: longer than the proxy's (src/http/server-options.ts)
    HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(65_000),
    OWNER_USERNAME: z.string().min(3).default('owner'),
    OWNER_PASSWORD: z.string().min(8).optional(),
    OWNER_EMAIL: z.email().default('owner@colederma.local'),
    OWNER_PHONE: z.string().default('080000000000'),
    OWNER_FULLNAME: z.string().default('Colederma Owner'),
    // Online consultations and push notifications (issue #6)
    CONSULTATION_WINDOW_MINUTES: z.coerce.number().int().min(1).max(60 * 24 * 60).default(24 * 60),
    FCM_PROJECT_ID: z.string().optional(),
    FCM_CLIENT_EMAIL: z.string().optional(),
    FCM_PRIVATE_KEY: z.string().optional(),
    FCM_TOKEN_URL: z.url().default('https://oauth2.googleapis.com/token'),
    FCM_API_URL: z.url().default('https://fcm.googleapis.com'),
    /** a whole push send (token and message) is cut off after this; a worker's claim lasts 3× */
    PUSH_TIMEOUT_MS: z.coerce.number().int().min(100).default(20_000),
    // shipping (RajaOngkir API V2 by Komerce; no key = built-in offline fallback table and flat rate)
    RAJAONGKIR_BASE_URL: z.url().default('https://rajaongkir.komerce.id/api/v1'),
    RAJAONGKIR_API_KEY: z.string().optional(),
    RAJAONGKIR_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(8000),
    RAJAONGKIR_LIST_CACHE_SECONDS: z.coerce.number().int().min(0).default(86_400),
    RAJAONGKIR_QUOTE_CACHE_SECONDS: z.coerce.number().int().min(0).default(300),
    COURIER_QUOTE_TTL_SECONDS: z.coerce.number().int().min(60).default(3600),
    SHIPPING_ORIGIN_CITY: z.coerce.number().int().min(0).default(153),
    SHIPPING_ORIGIN_DISTRICT: z.coerce.number().int().min(0).default(1376),
    SHIPPING_COURIERS: csv.default(['jne', 'tiki', 'jnt', 'pos', 'sicepat']),
    WAREHOUSE_LAT: z.coerce.number().min(-90).max(90).default(-6.1754),
    WAREHOUSE_LNG: z.coerce.number().min(-180).max(180).default(106.8272),
    WAREHOUSE_ADDRESS: z.string().default('JL Adiyaksa 122 Jakarta Pusat'),
    // Account recovery (issue 7): link base, SMTP, Wablas, outbox and rate limits.
    RECOVERY_URL: z.url().default('http://localhost:3001'),
    RESET_TOKEN_TTL_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
    SMTP_HOST: z.string().default(''),
    SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
    SMTP_SECURE: bool.default(false),
    SMTP_USER: z.string().default(''),
    SMTP_PASSWORD: z.string().default(''),
    MAIL_FROM: z.string().default('Colederma <no-reply@colederma.local>'),
    WABLAS_BASE_URL: z.string().default(''),
    WABLAS_TOKEN: z.string().default(''),
    WABLAS_SECRET_KEY: z.string().default(''),
    OUTBOX_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    RATE_LIMIT_ENABLED: bool.default(true),
    RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
    RATE_LIMIT_LOGIN_PER_IP: z.coerce.number().int().min(1).default(50),
    RATE_LIMIT_LOGIN_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
    RATE_LIMIT_REGISTER_PER_IP: z.coerce.number().int().min(1).default(20),
    RATE_LIMIT_RECOVERY_PER_IP: z.coerce.number().int().min(1).default(20),
    RATE_LIMIT_RECOVERY_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
    // clinic booking policy (src/modules/clinic/booking.service.ts)
    BOOKING_MIN_NOTICE_MINUTES: z.coerce.number().int().min(0).max(43_200).default(60),
    BOOKING_CHANGE_CUTOFF_MINUTES: z.coerce.number().int().min(0).max(43_200).default(1440),
    BOOKING_MAX_RESCHEDULES: z.coerce.number().int().min(0).max(100).default(3),
    BOOKING_AVAILABILITY_DAYS: z.coerce.number().int().min(1).max(90).default(15),
    BOOKING_DEFAULT_SLOT_MINUTES: z.coerce.number().int().min(5).max(480).default(30),
    // commerce (Midtrans Snap; without a server key the built-in payment simulator is used)
    MIDTRANS_SERVER_KEY: z.string().default(''),
    MIDTRANS_CLIENT_KEY: z.string().default(''),
    MIDTRANS_IS_PRODUCTION: bool.default(false),
    MIDTRANS_SNAP_URL: z.url().optional(),
    MIDTRANS_API_URL: z.url().optional(),
    MIDTRANS_SNAP_JS_URL: z.url().optional(),
    // a whole Snap or status call is cut off after this (the checkout answers 503, the expiry job retries later)
    MIDTRANS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
    PAYMENT_EXPIRY_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60),
    POINTS_EARN_PERCENT: z.coerce.number().min(0).max(100).default(1),
    POINTS_EXPIRY_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
    // appointment reminders go out the day before, from this hour on (Asia/Jakarta), not at midnight
    APPOINTMENT_REMINDER_HOUR: z.coerce.number().int().min(0).max(23).default(9),
    CLINIC_NAME: z.string().default('Colederma Clinic'),
    CLINIC_ADDRESS: z.string().default(''),
  })
  .superRefine((c, ctx) => {
    // everything under UPLOAD_DIR is served to anyone at /uploads: patients' and consultations'
    // files kept there would be public, signed links or not
    const inside = path.relative(path.resolve(c.UPLOAD_DIR), path.resolve(c.PRIVATE_UPLOAD_DIR));
    const outside = inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside);
    if (!outside) {
      ctx.addIssue({ code: 'custom', path: ['PRIVATE_UPLOAD_DIR'], message: 'must not be UPLOAD_DIR or inside it (UPLOAD_DIR is served publicly)' });
    }
    if (c.NODE_ENV === 'production') {
      // a placeholder (.env.example's, docker-compose.yml's) is as public as the development default
      if (c.JWT_SECRET === DEV_JWT_SECRET || /change-me/i.test(c.JWT_SECRET) || c.JWT_SECRET.length < 32) {
        ctx.addIssue({
          code: 'custom',
          path: ['JWT_SECRET'],
          message: 'must be set to a random secret of at least 32 characters in production',
        });
      }
      // the default origins are the dashboard's development servers on localhost
      if (c.CORS_ORIGINS.join(',') === DEV_CORS_ORIGINS.join(',')) {
        ctx.addIssue({ code: 'custom', path: ['CORS_ORIGINS'], message: "must name the admin dashboard's origin(s) in production (the default lists the development servers)" });
      }
      // Without Midtrans keys the payment simulator answers, and anyone could "pay" their own order.
      if (!c.MIDTRANS_SERVER_KEY || !c.MIDTRANS_CLIENT_KEY) {
        ctx.addIssue({
          code: 'custom',
          path: ['MIDTRANS_SERVER_KEY'],
          message: 'MIDTRANS_SERVER_KEY and MIDTRANS_CLIENT_KEY are required in production (the payment simulator is for development only)',
        });
      }
    }
  })
  .transform((c) => ({ ...c, PUBLIC_BASE_URL: c.PUBLIC_BASE_URL ?? `http://localhost:${c.PORT}` }));

export type Config = z.infer<typeof configSchema>;

/** Parses the environment; throws one readable line per problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  return result.data;
}

export class ConfigError extends Error {}
