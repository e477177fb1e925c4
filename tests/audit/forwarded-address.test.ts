import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestUser } from '../helpers/app.js';

// Behind a proxy that is trusted whole (TRUST_PROXY=true, a documented setting) req.ip is the
// left-most X-Forwarded-For entry, whatever text the client put there. The audit log keeps 64
// characters of it: a longer one made the entry's insert fail, after the change had committed.
let t: TestApp;
let admin: TestUser;
let customer: TestUser;

beforeAll(async () => {
  t = await createTestApp({ TRUST_PROXY: 'true' });
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
});
afterAll(() => t.close());

const longAddress = `${'a'.repeat(70)}, 10.0.0.1`;

describe('an audit entry for a client-chosen forwarded address', () => {
  it('a staff change is answered and audited, not committed without its entry behind a 500', async () => {
    const res = await t.http
      .post('/departments/create')
      .set(t.auth(admin))
      .set('X-Forwarded-For', longAddress)
      .send({ department_name: 'Logistik', department_codes: 'LOG' });
    const made = await t.app.db.department.findMany({ where: { department_codes: 'LOG' } });
    const logs = await t.app.db.log.findMany({ where: { resource: 'departments', action: 'POST /departments/create' } });
    expect([res.status, made.length, logs.length]).toEqual([200, 1, 1]);
    expect(logs[0]!.ip).toBe('a'.repeat(64));
  });

  it('a sign-in still works and is audited', async () => {
    await t.http.post('/users/login').set('X-Forwarded-For', longAddress).send({ username: customer.username, password: TEST_PASSWORD }).expect(200);
    expect(await t.app.db.log.count({ where: { action: 'login', id_users: customer.id } })).toBe(1);
  });
});
