import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { whileHolding } from '../helpers/interleave.js';

// users/register_device_token racing what ends the account's sessions (a new password, a recovery,
// a block, a deletion: each holds the user's row, bumps token_version or marks it, and makes the
// devices forget the account in the same transaction). The device must not be given to a session
// that has just ended: a taken-over account's recovery would leave the taker's phone getting the
// owner's notifications. The race shows on PostgreSQL (TEST_DATABASE_URL).
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type Tx = Parameters<Parameters<TestApp['app']['db']['$transaction']>[0]>[0];
/** `change` made to the account in a transaction that holds its row while the registration is sent */
async function registerWhile(change: (tx: Tx, userId: number) => Promise<unknown>, device: string) {
  const u = await t.user(['CUSTOMER']);
  const res = await whileHolding(
    t.app.db,
    (tx) => tx.$queryRaw`SELECT id FROM users WHERE id = ${u.id} FOR UPDATE`,
    () => t.http.post('/users/register_device_token').set(t.auth(u)).send({ device_token: device }),
    async (tx) => {
      await change(tx, u.id);
      await tx.userDeviceToken.deleteMany({ where: { id_users: u.id } }); // forgetDevices
    },
  );
  return { res, token: await t.app.db.userDeviceToken.findUnique({ where: { device_token: device } }) };
}

describe.runIf(process.env.TEST_DATABASE_URL)('registering a device as the account’s sessions end', () => {
  it('a new password (token_version bumped): 401, the device is not the account’s', async () => {
    const { res, token } = await registerWhile((tx, id) => tx.user.update({ where: { id }, data: { token_version: { increment: 1 } } }), 'device-race-password-01');
    expect(res.status).toBe(401);
    expect(token).toBeNull();
  });

  it('a block: 401, no device kept', async () => {
    const { res, token } = await registerWhile((tx, id) => tx.user.update({ where: { id }, data: { is_blocked: 1 } }), 'device-race-block-0001');
    expect(res.status).toBe(401);
    expect(token).toBeNull();
  });

  it('a deletion: 401, no device kept', async () => {
    const { res, token } = await registerWhile((tx, id) => tx.user.update({ where: { id }, data: { deleted_at: new Date() } }), 'device-race-delete-001');
    expect(res.status).toBe(401);
    expect(token).toBeNull();
  });
});

describe('registering a device with a valid session', () => {
  it('still works, and moves the device to the caller', async () => {
    const a = await t.user(['CUSTOMER']);
    const b = await t.user(['CUSTOMER']);
    expect((await t.http.post('/users/register_device_token').set(t.auth(a)).send({ device_token: 'device-valid-000001' })).status).toBe(200);
    expect((await t.http.put('/users/register_device_token').set(t.auth(b)).send({ device_token: 'device-valid-000001' })).status).toBe(200);
    expect((await t.app.db.userDeviceToken.findUniqueOrThrow({ where: { device_token: 'device-valid-000001' } })).id_users).toBe(b.id);
  });
});
