import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { call, inspect } from './route-table.js';
import { OWNED } from './ownership.js';

let t: TestApp;
let a: TestUser;
let b: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  a = await t.user(['CUSTOMER']);
  b = await t.user(['CUSTOMER']);
});
afterAll(() => t.close());

describe('ownership: customer B never reaches customer A’s rows', () => {
  it.each(OWNED.map((r) => [r.resource, r] as const))('%s', async (_name, r) => {
    const { id, marker } = await r.create(t, a);
    const before = await r.snapshot(t, id);
    for (const at of r.attempts(id, a, b)) {
      const where = `${at.method.toUpperCase()} ${at.path} as B`;
      const res = await call(t, at.method, at.path).set(t.auth(b)).send(at.body ?? {});
      inspect(res, where);
      if (at.expect === 'denied') expect([403, 404], `${where}: ${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
      else expect(res.status, where).toBe(200);
      expect(res.text.includes(marker), `${where} leaks A's data`).toBe(false);
    }
    expect(await r.snapshot(t, id)).toEqual(before);
  });

  it('B cannot create rows on A’s behalf through id_users in a body', async () => {
    const res = await t.http.post('/logs/create').set(t.auth(b)).send({ action: 'spoof', id_users: a.id, role: 'OWNER' });
    expect(res.status).toBe(200);
    expect(res.body.logs).toMatchObject({ id_users: b.id, role: 'CUSTOMER' });
  });
});
