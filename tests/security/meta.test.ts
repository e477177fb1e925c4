import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../src/http/auth-user.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { endpoints, label, specEndpoints } from './route-table.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('route table (meta)', () => {
  it('every route declares a valid access rule (deny by default)', () => {
    const bad = endpoints().filter(({ def }) => {
      const a = def.access as unknown;
      if (a === 'public' || a === 'authenticated') return false;
      return !Array.isArray(a) || a.length === 0 || a.some((r) => !(ROLES as readonly string[]).includes(r));
    });
    expect(bad.map(label)).toEqual([]);
  });

  it('every route documents its answer: a JSON response schema, or the other content it produces', () => {
    const undocumented = endpoints().filter(({ def }) => !def.response && !def.produces?.length);
    expect(undocumented.map(label)).toEqual([]);
  });

  it('no (method, path) is registered twice', () => {
    const seen = new Map<string, number>();
    for (const e of endpoints()) seen.set(label(e), (seen.get(label(e)) ?? 0) + 1);
    expect([...seen].filter(([, n]) => n > 1).map(([k]) => k)).toEqual([]);
  });

  it('openapi.json lists exactly the registered endpoints, both ways', async () => {
    const res = await t.http.get('/openapi.json');
    expect(res.status).toBe(200);
    const documented = new Set<string>();
    for (const [p, ops] of Object.entries(res.body.paths as Record<string, Record<string, unknown>>)) {
      for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`);
    }
    const registered = new Set(endpoints().map(label));
    expect([...registered].filter((e) => !documented.has(e))).toEqual([]);
    expect([...documented].filter((e) => !registered.has(e))).toEqual([]);
  });

  it('every documented endpoint that is implemented answers on the documented method', () => {
    const spec = specEndpoints();
    expect(spec.length).toBeGreaterThan(300);
    const norm = (p: string) => p.replace(/:\w+/g, ':');
    const byPath = new Map<string, Set<string>>();
    for (const e of endpoints()) (byPath.get(norm(e.path)) ?? byPath.set(norm(e.path), new Set()).get(norm(e.path))!).add(e.method);
    const wrong = spec.filter((s) => byPath.has(norm(s.path)) && !s.methods.some((m) => byPath.get(norm(s.path))!.has(m)));
    expect(wrong.map((s) => `${s.methods.join(',')} ${s.path}`)).toEqual([]);
  });
});
