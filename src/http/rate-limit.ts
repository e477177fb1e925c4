import { isIPv6 } from 'node:net';
import type { Request, RequestHandler } from 'express';
import type { AppContext } from '../app-context.js';
import { isStaff } from './auth-user.js';
import { authenticate } from './authenticate.js';
import { HttpError } from './errors.js';
import { signInAccount } from '../modules/identity/users.service.js';
import { toWablasPhone } from '../adapters/wablas.js';

/**
 * Rate limits on abuse-prone endpoints, counted in the database (shared by all processes).
 * Rules name the endpoints (abuse-prone: login, registration, recovery) and the keys they
 * count by: the client's IP and, where the request names one, the account.
 */
export interface RateRule {
  name: string;
  method: string;
  path: RegExp;
  perIp: (app: AppContext) => number;
  perAccount?: (app: AppContext) => number;
  /** the account the request is about (username, e-mail, phone), if any */
  account?: (req: Request, match: RegExpExecArray, app: AppContext) => string | undefined | Promise<string | undefined>;
  /** requests the rule does not count */
  skip?: (app: AppContext, req: Request) => boolean | Promise<boolean>;
}

/**
 * Staff creating accounts from the dashboard are not "registrations": a token that is valid now
 * (signature, token version, not blocked or deleted) with a staff role now, as `authenticate`
 * reads it; a revoked or demoted staff member's old token counts like anyone's.
 */
async function signedByStaff(app: AppContext, req: Request): Promise<boolean> {
  try {
    return isStaff(await authenticate(app, req, false));
  } catch {
    return false;
  }
}

/**
 * The client as the per-IP limits count it. An IPv6 client is given a whole /64 (a home line, a
 * phone, a server) and may send from any address in it: counted by address, each new one was a
 * fresh limit. An IPv4 address written IPv4-mapped (::ffff:a.b.c.d) is that IPv4 address.
 */
export function clientNetwork(ip: string | undefined): string {
  if (!ip || !isIPv6(ip)) return ip ?? '';
  const address = ip.split('%')[0]!;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  // an embedded IPv4 tail (…:a.b.c.d) is two groups
  const groups = (part: string) => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const [head = '', tail] = address.split('::');
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${all.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

const lower = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().toLowerCase().slice(0, 200) : undefined);

const RATE_RULES: RateRule[] = [
  {
    name: 'login',
    method: 'POST',
    path: /^\/users\/login\/?$/i,
    perIp: (a) => a.config.RATE_LIMIT_LOGIN_PER_IP,
    perAccount: (a) => a.config.RATE_LIMIT_LOGIN_PER_ACCOUNT,
    // by the account the name signs in to (its id), so its username and its e-mail count against one
    // limit; a name no account has by itself (normalised), with the same limit and the same lookup,
    // so a 429 says no more about which names exist than a 401 does
    account: async (req, _m, app) => {
      const name = lower(req.body?.username);
      if (!name) return undefined;
      // no account has a NUL in its name (the body check refuses it after this count)
      if (name.includes('\0')) return `name:${name}`;
      const user = await app.db.user.findFirst({ where: signInAccount(name), select: { id: true } });
      return user ? `user:${user.id}` : `name:${name}`;
    },
  },
  { name: 'register', method: 'POST', path: /^\/users\/create\/?$/i, perIp: (a) => a.config.RATE_LIMIT_REGISTER_PER_IP, skip: signedByStaff },
  {
    name: 'recovery',
    method: 'POST',
    path: /^\/users\/([^/]+)\/(?:recovery|forgot\/[^/]+)\/password\/(email|wa)\/?$/i,
    perIp: (a) => a.config.RATE_LIMIT_RECOVERY_PER_IP,
    perAccount: (a) => a.config.RATE_LIMIT_RECOVERY_PER_ACCOUNT,
    account: (_req, m) => {
      // as the route reads it (trimmed), so spaces around an address do not make a new counter;
      // a malformed %-escape is the router's 400, counted per IP only
      let id: string;
      try {
        id = decodeURIComponent(m[1]!).trim();
      } catch {
        return undefined;
      }
      // a number in the one spelling recovery finds its account by (0812…, 62812…, +620812… alike)
      return m[2]!.toLowerCase() === 'wa' ? toWablasPhone(id) : id.toLowerCase();
    },
  },
];

/**
 * Fixed-window counters kept in the database (table rate_limit_buckets), so every server process
 * behind a load balancer counts against the same limits. One atomic upsert per hit: a window that
 * has run out starts again at 1, otherwise the count goes up by one.
 */
class RateLimiter {
  private lastSweep = 0;
  constructor(private readonly app: AppContext) {}

  /** Counts one hit; returns the seconds to wait when the key is over its limit. */
  async hit(rawKey: string, limit: number, windowMs: number): Promise<number | undefined> {
    // counted before the request is validated: a key comes from the client (a path's address, a
    // forwarded address), and a NUL or more than the column's 255 characters made the insert fail
    const key = rawKey.replaceAll('\0', '').slice(0, 255);
    const now = this.app.now();
    const resetAt = new Date(now.getTime() + windowMs);
    const [row] = await this.app.db.$queryRaw<{ count: number; reset_at: Date }[]>`
      INSERT INTO rate_limit_buckets (key, count, reset_at) VALUES (${key}, 1, ${resetAt})
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN rate_limit_buckets.reset_at <= ${now} THEN 1 ELSE rate_limit_buckets.count + 1 END,
        reset_at = CASE WHEN rate_limit_buckets.reset_at <= ${now} THEN ${resetAt} ELSE rate_limit_buckets.reset_at END
      RETURNING count, reset_at`;
    await this.sweep(now);
    if (!row || row.count <= limit) return undefined;
    return Math.max(1, Math.ceil((new Date(row.reset_at).getTime() - now.getTime()) / 1000));
  }

  // Expired windows are deleted about once a minute per process, so the table holds only active keys.
  private async sweep(now: Date) {
    if (now.getTime() - this.lastSweep < 60_000) return;
    this.lastSweep = now.getTime();
    await this.app.db.$executeRaw`DELETE FROM rate_limit_buckets WHERE reset_at <= ${now}`;
  }
}

/** Express middleware applying RATE_RULES; mount after the body parsers. */
export function rateLimit(app: AppContext, rules: RateRule[] = RATE_RULES): RequestHandler {
  const limiter = new RateLimiter(app);
  return async (req, _res, next) => {
    if (!app.config.RATE_LIMIT_ENABLED) return next();
    const windowMs = app.config.RATE_LIMIT_WINDOW_SECONDS * 1000;
    for (const rule of rules) {
      if (req.method !== rule.method) continue;
      const m = rule.path.exec(req.path);
      if (!m || (await rule.skip?.(app, req))) continue;
      let wait = await limiter.hit(`${rule.name}:ip:${clientNetwork(req.ip)}`, rule.perIp(app), windowMs);
      const account = await rule.account?.(req, m, app);
      if (account && rule.perAccount) wait = Math.max(wait ?? 0, (await limiter.hit(`${rule.name}:acct:${account}`, rule.perAccount(app), windowMs)) ?? 0) || undefined;
      if (wait) throw new HttpError(429, 'Too many requests: try again later', undefined, { 'Retry-After': String(wait) });
    }
    next();
  };
}
