// How the bench tools start the API and sign its tokens (npm run bench, bench/checkout-steps.ts).
import jwt from 'jsonwebtoken';

const JWT_SECRET = 'bench-secret-0123456789-0123456789-abcdef';

/** The API's environment for a bench run on the database `url`, listening on `port`. */
export function appEnv(url: string, port: number): Record<string, string> {
  return {
    DATABASE_URL: url,
    PORT: String(port),
    HOST: '127.0.0.1',
    // development: production now requires Midtrans keys, and the checkout path is measured
    // against the built-in payment simulator (no network here); nothing else depends on it
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    SEED_DEMO_DATA: 'false',
    // the login limiter (50 per IP per window) would answer 429 to a load test from one address
    RATE_LIMIT_ENABLED: 'false',
    JWT_SECRET,
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    DB_POOL_MAX: process.env.DB_POOL_MAX ?? '10',
  };
}

/** A token signed like the app signs them (seeded users have token_version 0). */
export const benchToken = (id: number, roles: string[]) => jwt.sign({ sub: String(id), tv: 0, roles }, JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
