import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { inspect } from './route-table.js';

/**
 * Fields a client must not set are ignored (or refused) on create and update. Each entry sends
 * such fields as a customer and reads the database afterwards; other modules append their own
 * (orders: totals/status/is_paid; points; prices).
 */
const PRIVILEGED = { roles: ['OWNER', 'ADMIN'], is_blocked: 1, is_email_confirmed: 1, is_phone_confirmed: 1, token_version: 99, num_of_login_attempts: 0, positions: 'Owner', id_departments: [1], password_hash: 'x', id: 1 };

let t: TestApp;
let customer: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  customer = await t.user(['CUSTOMER']);
});
afterAll(() => t.close());

describe('mass assignment', () => {
  it('registration ignores roles, flags, position and ids', async () => {
    const res = await t.http.post('/users/create').send({ ...PRIVILEGED, username: 'massreg', users_fullname: 'Mass', password: 'qwerty123', retype_password: 'qwerty123' });
    inspect(res, 'users/create');
    expect(res.status).toBe(200);
    const u = await t.app.db.user.findUniqueOrThrow({ where: { username: 'massreg' }, include: { roles: true, departments: true } });
    expect(u).toMatchObject({ is_blocked: 0, is_email_confirmed: 0, is_phone_confirmed: 0, token_version: 0, positions: '-' });
    expect(u.id).not.toBe(1);
    expect(u.roles.map((r) => r.role_codes)).toEqual(['CUSTOMER']);
    expect(u.departments).toEqual([]);
  });

  it('a customer updating their profile cannot set roles, flags or position', async () => {
    const before = await t.app.db.user.findUniqueOrThrow({ where: { id: customer.id } });
    const res = await t.http.put(`/users/${customer.id}/update`).set(t.auth(customer)).send({ ...PRIVILEGED, users_fullname: 'Renamed' });
    inspect(res, 'users/:id/update');
    expect(res.status).toBe(200);
    const after = await t.app.db.user.findUniqueOrThrow({ where: { id: customer.id }, include: { roles: true, departments: true } });
    expect(after.users_fullname).toBe('Renamed');
    expect(after).toMatchObject({ is_blocked: 0, is_email_confirmed: before.is_email_confirmed, token_version: before.token_version, positions: before.positions, password_hash: before.password_hash });
    expect(after.roles.map((r) => r.role_codes)).toEqual(['CUSTOMER']);
    expect(after.departments).toEqual([]);
  });

  it('a client event cannot claim another user, role or outcome', async () => {
    const res = await t.http.post('/logs/create').set(t.auth(customer)).send({ action: 'x', id_users: 1, role: 'OWNER', outcome: 'denied', hash: 'f'.repeat(64), seq: 1 });
    expect(res.status).toBe(200);
    expect(res.body.logs).toMatchObject({ id_users: customer.id, role: 'CUSTOMER', outcome: 'success' });
    expect(res.body.logs.hash).not.toBe('f'.repeat(64));
  });
});
