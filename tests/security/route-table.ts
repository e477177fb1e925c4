import { readFileSync } from 'node:fs';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { expect } from 'vitest';
import { allRoutes } from '../../src/modules/index.js';
import { methodsOf, type Method, type RouteDef } from '../../src/http/route.js';
import type { TestApp, TestUser } from '../helpers/app.js';

/** One (method, path) of the app's own route table. */
export interface Endpoint {
  method: Method;
  path: string;
  def: RouteDef;
}

export const endpoints = (): Endpoint[] => allRoutes().flatMap((def) => methodsOf(def).map((method) => ({ method, path: def.path, def })));
export const label = (e: { method: string; path: string }) => `${e.method.toUpperCase()} ${e.path}`;

/** The document's endpoint list (shared/spec/endpoints.tsv), paths with a leading slash. */
export function specEndpoints(): { methods: string[]; path: string }[] {
  const candidates = [path.resolve('../shared/spec/endpoints.tsv'), '/work/shared/spec/endpoints.tsv', path.resolve('shared/spec/endpoints.tsv')];
  const file = candidates.find((f) => {
    try {
      readFileSync(f);
      return true;
    } catch {
      return false;
    }
  });
  if (!file) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => {
      const [methods, p] = l.split('\t');
      return { methods: methods!.toLowerCase().split(','), path: `/${p!.trim()}` };
    });
}

/** A concrete path for a pattern: plausible values for each parameter. */
export function concrete(pattern: string, values: Record<string, string | number> = {}): string {
  return pattern.replace(/:(\w+)/g, (_m, name: string) => {
    if (name in values) return encodeURIComponent(String(values[name]));
    if (name === 'id' || name.startsWith('id_')) return '1';
    if (name === 'email') return 'someone%40example.com';
    if (name === 'phone') return '6281200000000';
    if (name === 'hash') return 'A'.repeat(24);
    return 'x';
  });
}

export const call = (t: TestApp, method: Method, url: string) => t.http[method](url);

/** Tokens that must never be accepted where authentication is required. */
export function badTokens(t: TestApp, u: TestUser): Record<string, string> {
  const secret = t.app.config.JWT_SECRET;
  const claims = { sub: String(u.id), tv: 0, roles: u.roles };
  const valid = jwt.sign(claims, secret, { algorithm: 'HS256', expiresIn: '1h' });
  const [h, , s] = valid.split('.');
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return {
    expired: jwt.sign({ ...claims, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }, secret, { algorithm: 'HS256' }),
    tampered: `${h}.${b64({ ...claims, roles: ['OWNER', 'ADMIN'], sub: '1', iat: Math.floor(Date.now() / 1000) })}.${s}`,
    'alg-none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, iat: Math.floor(Date.now() / 1000) })}.`,
    'wrong-key': jwt.sign(claims, 'another-secret-of-sufficient-length-000', { algorithm: 'HS256', expiresIn: '1h' }),
    'alg-hs512': jwt.sign(claims, secret, { algorithm: 'HS512', expiresIn: '1h' }),
    garbage: 'not.a.token',
  };
}

const SECRET_PATTERNS: [string, RegExp][] = [
  ['bcrypt hash', /\$2[aby]\$\d\d\$/],
  ['password_hash field', /"password_hash"\s*:/],
  ['reset_hash field', /"reset_hash"\s*:/],
  ['token_hash field', /"token_hash"\s*:/],
  ['otp field', /"otp"\s*:/],
  ['stack trace', /\n\s+at\s+\S+.*\(?\/.*:\d+:\d+\)?|node_modules\/|PrismaClient\w*Error/],
];

/** Every answer of the suite passes through here: no secrets, no stack traces, never a 500. */
export function inspect(res: { status: number; text?: string; body?: unknown }, where: string) {
  const text = res.text ?? JSON.stringify(res.body ?? '');
  expect(res.status, `${where} answered ${res.status}: ${text.slice(0, 300)}`).toBeLessThan(500);
  for (const [name, re] of SECRET_PATTERNS) expect(re.test(text), `${where}: response contains a ${name}: ${text.slice(0, 300)}`).toBe(false);
}

/** Keys of an object schema (through optional/refine/pipe wrappers), to aim fuzzed bodies at real fields. */
export function schemaKeys(schema: unknown): string[] {
  let s = schema as { shape?: Record<string, unknown>; def?: { innerType?: unknown; in?: unknown; schema?: unknown } } | undefined;
  for (let i = 0; i < 5 && s; i++) {
    if (s.shape && typeof s.shape === 'object') return Object.keys(s.shape);
    s = (s.def?.innerType ?? s.def?.in ?? s.def?.schema) as typeof s;
  }
  return [];
}
