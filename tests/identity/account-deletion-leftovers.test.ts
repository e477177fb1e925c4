import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverOutbox } from '../../src/modules/recovery/outbox.service.js';
import { createTestApp, PNG_1PX, type TestApp, type TestUser } from '../helpers/app.js';
import { whileHolding } from '../helpers/interleave.js';

// What of an account must not outlive its deletion (staff's users/:id/delete): its sessions, its
// devices and the pushes queued for them, its recovery links and the messages queued for it, its picture.
let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  await t.user(['OWNER']);
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());

describe('users/:id/delete leaves nothing that still reaches the person', () => {
  it('ends a token issued before the deletion at once, forgets the devices and stops their queued pushes', async () => {
    const u = await t.user(['CUSTOMER']);
    expect((await t.http.get('/users/data').set(t.auth(u))).status).toBe(200);
    expect((await t.http.post('/users/register_device_token').set(t.auth(u)).send({ device_token: 'device-of-the-leaving-one-123' })).status).toBe(200);
    const n = await t.app.db.notification.create({ data: { id_user_to: u.id, intentions: 'info', title: 't', content: 'c' } });
    await t.app.db.pushDelivery.create({ data: { id_notifications: n.id, id_users: u.id, device_token: 'device-of-the-leaving-one-123' } });

    expect((await t.http.delete(`/users/${u.id}/delete`).set(t.auth(admin))).status).toBe(200);
    expect((await t.http.get('/users/data').set(t.auth(u))).status).toBe(401);
    expect(await t.app.db.userDeviceToken.count({ where: { id_users: u.id } })).toBe(0);
    expect(await t.app.db.pushDelivery.findMany({ where: { id_users: u.id }, select: { status: true } })).toEqual([{ status: 'INVALID' }]);
  });

  // A recovery e-mail queued before the deletion (or a security notice) was still sent afterwards,
  // link and all, to the address the account no longer has.
  it('voids its recovery links and stops the messages still queued for it', async () => {
    const u = await t.user(['CUSTOMER']);
    const email = (await t.app.db.user.findUniqueOrThrow({ where: { id: u.id } })).users_email!;
    expect((await t.http.post(`/users/${email}/recovery/password/email`)).status).toBe(200);
    const queued = await t.app.db.messageOutbox.findFirstOrThrow({ where: { id_users: u.id } });
    expect(queued).toMatchObject({ status: 'PENDING', body: expect.stringContaining('hash=') });
    const secret = new URL(/https?:\/\/\S+/.exec(queued.body)![0]).searchParams.get('hash')!;
    // another person's queued message is not touched
    const other = await t.user(['CUSTOMER']);
    await t.app.db.messageOutbox.create({ data: { channel: 'email', recipient: 'other@example.com', body: 'for the other one', purpose: 'password_recovery', id_users: other.id } });

    expect((await t.http.delete(`/users/${u.id}/delete`).set(t.auth(admin))).status).toBe(200);
    expect(await t.app.db.passwordReset.count({ where: { id_users: u.id, voided_at: null, used_at: null } })).toBe(0);
    expect(await t.app.db.messageOutbox.findMany({ where: { id_users: u.id }, select: { status: true, body: true, last_error: true } })).toEqual([
      { status: 'FAILED', body: '', last_error: 'account deleted' },
    ]);
    expect(await t.app.db.messageOutbox.findFirstOrThrow({ where: { id_users: other.id } })).toMatchObject({ status: 'PENDING', body: 'for the other one' });
    // the worker sends nothing of it
    await deliverOutbox(t.app);
    expect(await t.app.db.messageOutbox.findFirstOrThrow({ where: { id: queued.id } })).toMatchObject({ status: 'FAILED', attempts: 0, sent_at: null });
    // and the link no longer sets a password
    const use = await t.http.post(`/users/${email}/forgot/${secret}/password/email`).send({ new_password: 'a-new-pass-123', confirm_new_password: 'a-new-pass-123' });
    expect(use.status).toBe(422);
  });

  it('removes its picture file', async () => {
    const u = await t.user(['CUSTOMER']);
    const up = await t.http.post('/users/picture/upload').set(t.auth(u)).attach('picture', PNG_1PX, 'a.png');
    expect(up.status).toBe(200);
    const file = path.join(t.app.config.UPLOAD_DIR, 'users', up.body.img);
    expect(existsSync(file)).toBe(true);
    expect((await t.http.delete(`/users/${u.id}/delete`).set(t.auth(admin))).status).toBe(200);
    expect(existsSync(file)).toBe(false);
    expect((await t.app.db.user.findUniqueOrThrow({ where: { id: u.id } })).users_picture).toBe('');
  });
});

// A recovery request finds the account, then writes its link and message in a transaction: an account
// deleted in between got a live link and a queued message after its deletion had voided and stopped
// the others. The race shows on PostgreSQL (TEST_DATABASE_URL); PGlite runs one statement at a time.
describe.runIf(process.env.TEST_DATABASE_URL)('a recovery request for an account deleted while it runs', () => {
  it('sends no link and queues no message', async () => {
    const u = await t.user(['CUSTOMER']);
    const email = (await t.app.db.user.findUniqueOrThrow({ where: { id: u.id } })).users_email!;
    const res = await whileHolding(
      t.app.db,
      // the request's own lock for this account, taken first in its transaction
      (tx) => tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`recovery:${u.id}`}))`,
      () => t.http.post(`/users/${email}/recovery/password/email`),
      // the deletion commits while the request waits (as deleteAccount leaves the row)
      (tx) => tx.user.update({ where: { id: u.id }, data: { deleted_at: new Date(), username: `#deleted-${u.id}`, users_email: null, users_phone: null } }),
    );
    expect(res.status).toBe(200);
    expect(await t.app.db.passwordReset.count({ where: { id_users: u.id } })).toBe(0);
    expect(await t.app.db.messageOutbox.count({ where: { id_users: u.id } })).toBe(0);
  });
});

// Staff's users/:id/update/password/admin found the account live, then set the password without
// looking again: an account deleted in between got a new password hash (200) after its deletion.
describe.runIf(process.env.TEST_DATABASE_URL)('staff setting the password of an account deleted while the request runs', () => {
  it('is 404 and writes nothing on the deleted row', async () => {
    const u = await t.user(['CUSTOMER']);
    const before = await t.app.db.user.findUniqueOrThrow({ where: { id: u.id } });
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.$queryRaw`SELECT id FROM users WHERE id = ${u.id} FOR UPDATE`,
      () => t.http.post(`/users/${u.id}/update/password/admin`).set(t.auth(admin)).send({ new_password: 'a-new-pass-123', new_password_confirm: 'a-new-pass-123' }),
      (tx) => tx.user.update({ where: { id: u.id }, data: { deleted_at: new Date(), username: `#deleted-${u.id}`, users_email: null, users_phone: null } }),
    );
    expect(res.status).toBe(404);
    const after = await t.app.db.user.findUniqueOrThrow({ where: { id: u.id } });
    expect(after).toMatchObject({ password_hash: before.password_hash, is_password_reset_required: 0 });
  });
});
