import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestUser } from '../helpers/app.js';
import { badTokens, call, concrete, endpoints, inspect, label } from './route-table.js';

let t: TestApp;
let customer: TestUser;
let owner: TestUser;
let doctor: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  owner = await t.user(['OWNER', 'ADMIN']);
  customer = await t.user(['CUSTOMER']);
  doctor = await t.user(['DOCTOR']);
});
afterAll(() => t.close());

const protectedEndpoints = endpoints().filter((e) => e.def.access !== 'public');
const staffOnly = (forRole: 'CUSTOMER' | 'DOCTOR') => endpoints().filter((e) => Array.isArray(e.def.access) && !e.def.access.includes(forRole));

describe('authentication on every protected endpoint', () => {
  it.each(protectedEndpoints.map((e) => [label(e), e] as const))('%s answers 401 without a token and with bad tokens', async (_l, e) => {
    const url = concrete(e.path);
    const none = await call(t, e.method, url).send({});
    inspect(none, `${label(e)} (no token)`);
    expect(none.status, `${label(e)} without a token`).toBe(401);
    for (const [kind, token] of Object.entries(badTokens(t, owner))) {
      const res = await call(t, e.method, url).set('Authorization', `Bearer ${token}`).send({});
      inspect(res, `${label(e)} (${kind})`);
      expect(res.status, `${label(e)} with a ${kind} token`).toBe(401);
    }
  });

  it('a password change or a block ends older tokens', async () => {
    const u = await t.user(['CUSTOMER']);
    await t.http.post(`/users/${u.id}/update/password`).set(t.auth(u)).send({ prev_password: TEST_PASSWORD, new_password: 'new-pass-123', new_password_confirm: 'new-pass-123' }).expect(200);
    expect((await t.http.get('/users/data').set(t.auth(u))).status).toBe(401);

    const v = await t.user(['CUSTOMER']);
    await t.app.db.user.update({ where: { id: v.id }, data: { is_blocked: 1 } });
    expect((await t.http.get('/users/data').set(t.auth(v))).status).toBe(401);
  });
});

describe('role matrix', () => {
  for (const role of ['CUSTOMER', 'DOCTOR'] as const) {
    const list = staffOnly(role);
    it.each(list.map((e) => [label(e), e] as const))(`%s answers 403 to a ${role}`, async (_l, e) => {
      const res = await call(t, e.method, concrete(e.path)).set(t.auth(role === 'CUSTOMER' ? customer : doctor)).send({});
      inspect(res, `${label(e)} as ${role}`);
      expect(res.status, `${label(e)} as ${role}`).toBe(403);
    });
  }
});
