import type { Request, RequestHandler } from 'express';
import jwt from 'jsonwebtoken';
import type { AppContext } from '../app-context.js';
import { STAFF } from './auth-user.js';
import { jwtKey } from './authenticate.js';
import { HttpError } from './errors.js';

/**
 * A small fixed-window rate limiter kept in this process's memory (one instance per app).
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
  account?: (req: Request, match: RegExpExecArray) => string | undefined;
  /** requests the rule does not count */
  skip?: (app: AppContext, req: Request) => boolean;
}

/** Staff creating accounts from the dashboard are not "registrations" (signature and roles claim only). */
function signedByStaff(app: AppContext, req: Request): boolean {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!token) return false;
  try {
    const claims = jwt.verify(token, jwtKey(app.config.JWT_SECRET), { algorithms: ['HS256'] }) as { roles?: unknown };
    return Array.isArray(claims.roles) && claims.roles.some((r) => STAFF.includes(r));
  } catch {
    return false;
  }
}

const lower = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().toLowerCase().slice(0, 200) : undefined);
const digits = (v: string) => v.replace(/\D/g, '').replace(/^0/, '62');

export const RATE_RULES: RateRule[] = [
  {
    name: 'login',
    method: 'POST',
    path: /^\/users\/login\/?$/,
    perIp: (a) => a.config.RATE_LIMIT_LOGIN_PER_IP,
    perAccount: (a) => a.config.RATE_LIMIT_LOGIN_PER_ACCOUNT,
    account: (req) => lower(req.body?.username),
  },
  { name: 'register', method: 'POST', path: /^\/users\/create\/?$/, perIp: (a) => a.config.RATE_LIMIT_REGISTER_PER_IP, skip: signedByStaff },
  {
    name: 'recovery',
    method: 'POST',
    path: /^\/users\/([^/]+)\/(?:recovery|forgot\/[^/]+)\/password\/(email|wa)\/?$/,
    perIp: (a) => a.config.RATE_LIMIT_RECOVERY_PER_IP,
    perAccount: (a) => a.config.RATE_LIMIT_RECOVERY_PER_ACCOUNT,
    account: (_req, m) => {
      const id = decodeURIComponent(m[1]!);
      return m[2] === 'wa' ? digits(id) : id.toLowerCase();
    },
  },
];

interface Window {
  count: number;
  resetAt: number;
}

export class RateLimiter {
  private windows = new Map<string, Window>();
  private lastSweep = 0;
  constructor(private readonly now: () => number) {}

  /** Counts one hit; returns the seconds to wait when the key is over its limit. */
  hit(key: string, limit: number, windowMs: number): number | undefined {
    const now = this.now();
    this.sweep(now, windowMs);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) this.windows.set(key, (w = { count: 0, resetAt: now + windowMs }));
    w.count += 1;
    return w.count > limit ? Math.max(1, Math.ceil((w.resetAt - now) / 1000)) : undefined;
  }

  // Expired windows are dropped now and then, so memory stays bounded by the active keys.
  private sweep(now: number, windowMs: number) {
    if (now - this.lastSweep < Math.min(windowMs, 60_000)) return;
    this.lastSweep = now;
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
  }
}

/** Express middleware applying RATE_RULES; mount after the body parsers. */
export function rateLimit(app: AppContext, rules: RateRule[] = RATE_RULES): RequestHandler {
  const limiter = new RateLimiter(() => app.now().getTime());
  return (req, _res, next) => {
    if (!app.config.RATE_LIMIT_ENABLED) return next();
    const windowMs = app.config.RATE_LIMIT_WINDOW_SECONDS * 1000;
    for (const rule of rules) {
      if (req.method !== rule.method) continue;
      const m = rule.path.exec(req.path);
      if (!m || rule.skip?.(app, req)) continue;
      let wait = limiter.hit(`${rule.name}:ip:${req.ip}`, rule.perIp(app), windowMs);
      const account = rule.account?.(req, m);
      if (account && rule.perAccount) wait = Math.max(wait ?? 0, limiter.hit(`${rule.name}:acct:${account}`, rule.perAccount(app), windowMs) ?? 0) || undefined;
      if (wait) throw new HttpError(429, 'Too many requests: try again later', undefined, { 'Retry-After': String(wait) });
    }
    next();
  };
}
