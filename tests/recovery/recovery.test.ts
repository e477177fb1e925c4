import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestUser } from '../helpers/app.js';
import { mailText, startSlowSmtpServer, startSmtpServer, startWablasServer } from '../helpers/fake-servers.js';
import { deliverOutbox, enqueueMessage } from '../../src/modules/recovery/outbox.service.js';
import { hashSecret } from '../../src/modules/recovery/recovery.service.js';

let t: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let wablas: Awaited<ReturnType<typeof startWablasServer>>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  wablas = await startWablasServer();
  t = await createTestApp({
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    MAIL_FROM: 'Colederma <no-reply@colederma.test>',
    WABLAS_BASE_URL: wablas.url,
    WABLAS_TOKEN: 'wa-token',
    WABLAS_SECRET_KEY: 'wa-secret',
    RECOVERY_URL: 'https://app.colederma.test',
  });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
  await wablas.close();
});

const NEW_PASSWORD = 'dev54321**';
const linkIn = (text: string) => /https:\/\/app\.colederma\.test\/account\/recovery\?hash=([\w-]+)&(email|phone)=([^\s]+)/.exec(text);

async function lastMailHashFor(email: string) {
  await deliverOutbox(t.app);
  const mail = [...smtp.mails].reverse().find((m) => m.to.includes(email));
  expect(mail).toBeDefined();
  const m = linkIn(mailText(mail!.raw));
  expect(m).not.toBeNull();
  return m![1]!;
}

describe('recovery by e-mail', () => {
  let u: TestUser;
  let email: string;
  beforeAll(async () => {
    u = await t.user(['CUSTOMER']);
    email = `${u.username}@example.com`;
  });

  it('sends the documented link through SMTP and answers the same for unknown addresses', async () => {
    const res = await t.http.post(`/users/${email.toUpperCase()}/recovery/password/email`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ recovery_password_email: true, users_email: email });

    const unknown = await t.http.post('/users/nobody@example.com/recovery/password/email');
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ recovery_password_email: true, users_email: 'nobody@example.com' });
    expect(await t.app.db.messageOutbox.count({ where: { recipient: 'nobody@example.com' } })).toBe(0);
    // audited as a failed request (without the address), as a known one is audited as a request
    const probe = await t.app.db.log.findFirstOrThrow({ where: { action: 'recovery_requested' }, orderBy: { seq: 'desc' } });
    expect(probe).toMatchObject({ id_users: null, outcome: 'failure', details: { channel: 'email', reason: 'no account' } });
    expect(JSON.stringify(probe)).not.toContain('nobody@example.com');

    const hash = await lastMailHashFor(email);
    const mail = smtp.mails.find((m) => m.to.includes(email))!;
    expect(mail.from).toBe('no-reply@colederma.test');
    expect(mailText(mail.raw)).toContain(`&email=${encodeURIComponent(email)}`);
    // >= 128 bits of randomness, stored only as its sha256, expiring in 30 minutes
    expect(hash.length).toBeGreaterThanOrEqual(22);
    const reset = await t.app.db.passwordReset.findFirstOrThrow({ where: { id_users: u.id }, orderBy: { id: 'desc' } });
    expect(reset.token_hash).toBe(hashSecret(hash));
    expect(reset.token_hash).not.toContain(hash);
    const minutes = (reset.expires_at.getTime() - reset.created_at.getTime()) / 60_000;
    expect(minutes).toBeGreaterThan(29);
    expect(minutes).toBeLessThanOrEqual(30.1);
    // the outbox forgets the link once sent
    const row = await t.app.db.messageOutbox.findFirstOrThrow({ where: { id_users: u.id }, orderBy: { id: 'desc' } });
    expect(row).toMatchObject({ status: 'SENT', body: '', attempts: 1, channel: 'email' });
  });

  it('sets the new password once: unblocks the account, ends old sessions, refuses reuse', async () => {
    await t.http.post(`/users/${email}/recovery/password/email?variant=reset`).expect(200);
    const hash = await lastMailHashFor(email);
    await t.app.db.user.update({ where: { id: u.id }, data: { is_blocked: 1, num_of_login_attempts: 5 } });

    const mismatch = await t.http.post(`/users/${email}/forgot/${hash}/password/email`).send({ new_password: NEW_PASSWORD, confirm_new_password: 'other-pass1' });
    expect(mismatch.status).toBe(400);

    const ok = await t.http.post(`/users/${email}/forgot/${hash}/password/email`).send({ new_password: NEW_PASSWORD, confirm_new_password: NEW_PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ forgot_password_email: true, users_email: email });

    const db = await t.app.db.user.findUniqueOrThrow({ where: { id: u.id } });
    expect(db).toMatchObject({ is_blocked: 0, num_of_login_attempts: 0 });
    expect((await t.http.get('/users/data').set(t.auth(u))).status).toBe(401);
    expect((await t.http.post('/users/login').send({ username: u.username, password: TEST_PASSWORD })).status).toBe(401);
    expect((await t.http.post('/users/login').send({ username: u.username, password: NEW_PASSWORD })).status).toBe(200);

    const again = await t.http.post(`/users/${email}/forgot/${hash}/password/email`).send({ new_password: 'another-pass-9', confirm_new_password: 'another-pass-9' });
    expect(again.status).toBe(422);
  });

  it('voids the older link when a new one is sent, and refuses expired or wrong links', async () => {
    await t.http.post(`/users/${email}/recovery/password/email`).expect(200);
    const first = await lastMailHashFor(email);
    await t.http.post(`/users/${email}/recovery/password/email`).expect(200);
    const second = await lastMailHashFor(email);
    expect(second).not.toBe(first);
    const body = { new_password: 'brand-new-pass1', confirm_new_password: 'brand-new-pass1' };
    expect((await t.http.post(`/users/${email}/forgot/${first}/password/email`).send(body)).status).toBe(422);
    // a valid secret for someone else's address does not work either
    expect((await t.http.post(`/users/nobody@example.com/forgot/${second}/password/email`).send(body)).status).toBe(422);

    await t.app.db.passwordReset.updateMany({ where: { id_users: u.id, used_at: null, voided_at: null }, data: { expires_at: new Date(Date.now() - 1000) } });
    expect((await t.http.post(`/users/${email}/forgot/${second}/password/email`).send(body)).status).toBe(422);
  });

  it('lets exactly one of many concurrent uses of a link succeed', async () => {
    await t.http.post(`/users/${email}/recovery/password/email`).expect(200);
    const hash = await lastMailHashFor(email);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.http.post(`/users/${email}/forgot/${hash}/password/email`).send({ new_password: `parallel-pass-${i}`, confirm_new_password: `parallel-pass-${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 422)).toHaveLength(5);
  });

  it('validates the path and the body', async () => {
    expect((await t.http.post('/users/not-an-email/recovery/password/email')).status).toBe(400);
    expect((await t.http.post(`/users/${email}/forgot/short/password/email`).send({ new_password: NEW_PASSWORD, confirm_new_password: NEW_PASSWORD })).status).toBe(400);
    expect((await t.http.post(`/users/${email}/forgot/${'a'.repeat(24)}/password/email`).send({ new_password: 'x' })).status).toBe(400);
  });
});

describe('recovery by WhatsApp (Wablas)', () => {
  it('sends the link to the 62… number with the token.secret header and resets the password', async () => {
    const u = await t.user(['CUSTOMER'], { users_phone: '081200001121' });
    const res = await t.http.post('/users/6281200001121/recovery/password/wa');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ recovery_password_wa: true, users_phone: '6281200001121' });
    await deliverOutbox(t.app);
    const call = wablas.calls.at(-1)!;
    expect(call).toMatchObject({ authorization: 'wa-token.wa-secret', phone: '6281200001121' });
    expect(call.contentType).toContain('application/x-www-form-urlencoded');
    const m = linkIn(call.message!);
    expect(m?.[2]).toBe('phone');
    expect(m?.[3]).toBe('6281200001121');

    const ok = await t.http.post(`/users/6281200001121/forgot/${m![1]}/password/wa`).send({ new_password: NEW_PASSWORD, confirm_new_password: NEW_PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ forgot_password_wa: true, users_phone: '6281200001121' });
    expect((await t.http.post('/users/login').send({ username: u.username, password: NEW_PASSWORD })).status).toBe(200);
    // an e-mail secret channel mismatch: the WA secret does not work on the e-mail path
    expect((await t.http.post(`/users/${u.username}@example.com/forgot/${m![1]}/password/email`).send({ new_password: NEW_PASSWORD, confirm_new_password: NEW_PASSWORD })).status).toBe(422);
  });

  it('never fails the request when the gateway fails: the outbox retries, then gives up', async () => {
    const u = await t.user(['CUSTOMER'], { users_phone: '081299990000' });
    wablas.state.fail = true;
    try {
      const res = await t.http.post('/users/081299990000/recovery/password/wa');
      expect(res.status).toBe(200);
      await deliverOutbox(t.app);
      let row = await t.app.db.messageOutbox.findFirstOrThrow({ where: { id_users: u.id } });
      expect(row).toMatchObject({ status: 'PENDING', attempts: 1 });
      expect(row.last_error).toContain('device disconnected');
      expect(row.next_attempt_at.getTime()).toBeGreaterThan(Date.now());
      // not due yet: nothing is sent
      const before = wablas.calls.length;
      await deliverOutbox(t.app);
      expect(wablas.calls.length).toBe(before);
      for (let i = 0; i < row.max_attempts - 1; i++) {
        await t.app.db.messageOutbox.update({ where: { id: row.id }, data: { next_attempt_at: new Date(Date.now() - 1000) } });
        await deliverOutbox(t.app);
      }
      row = await t.app.db.messageOutbox.findUniqueOrThrow({ where: { id: row.id } });
      expect(row).toMatchObject({ status: 'FAILED', attempts: row.max_attempts, body: '' });
    } finally {
      wablas.state.fail = false;
    }
  });
});

describe('a changed e-mail or phone', () => {
  it('is told to the old address and number (masked new value), only when the change commits', async () => {
    const u = await t.user(['CUSTOMER'], { users_email: 'lama.kontak@example.com', users_phone: '081277770001', users_fullname: 'Rina Kontak' });
    await t.user(['CUSTOMER'], { users_email: 'dipakai@example.com' });
    const queued = () => t.app.db.messageOutbox.findMany({ where: { id_users: u.id, purpose: 'contact_changed' }, orderBy: { id: 'asc' } });

    // the same values again, a refused change (another account's address): nothing is told
    expect((await t.http.put(`/users/${u.id}/update`).set(t.auth(u)).send({ users_email: 'LAMA.kontak@example.com ', users_phone: '+6281277770001' })).status).toBe(200);
    const taken = await t.http.put(`/users/${u.id}/update`).set(t.auth(u)).send({ users_email: 'dipakai@example.com', users_fullname: 'X' });
    expect(taken.status).toBe(409);
    expect(await queued()).toEqual([]);

    const changed = await t.http.put(`/users/${u.id}/update`).set(t.auth(u)).send({ users_email: 'baru.kontak@example.com', users_phone: '081277779876' });
    expect(changed.status).toBe(200);
    expect((await queued()).map((m) => [m.channel, m.recipient])).toEqual([
      ['email', 'lama.kontak@example.com'],
      ['wa', '081277770001'],
    ]);
    await deliverOutbox(t.app);
    const mail = smtp.mails.find((m) => m.to.includes('lama.kontak@example.com'));
    expect(mail).toBeDefined();
    const text = mailText(mail!.raw);
    expect(text).toContain('Rina Kontak');
    expect(text).toContain('b***@example.com');
    expect(text).not.toContain('baru.kontak@example.com');
    expect(smtp.mails.some((m) => m.to.includes('baru.kontak@example.com'))).toBe(false);
    const wa = wablas.calls.find((c) => c.phone === '6281277770001');
    expect(wa?.message).toContain('***876');
    expect(wa?.message).not.toContain('081277779876');
    expect((await queued()).every((m) => m.status === 'SENT')).toBe(true);
  });
});

describe('a new password', () => {
  it('is told to the holder (e-mail, else WhatsApp), whether they changed it or staff set it; a refused change tells nothing', async () => {
    const admin = await t.user(['ADMIN']);
    const u = await t.user(['CUSTOMER'], { users_email: 'sandi.baru@example.com', users_phone: '081277770002', users_fullname: 'Tono Sandi' });
    const phoneOnly = await t.user(['CUSTOMER'], { users_phone: '081277770003', users_email: null });
    const notices = (id: number) => t.app.db.messageOutbox.findMany({ where: { id_users: id, purpose: 'password_changed' }, orderBy: { id: 'asc' } });

    const wrong = await t.http.post(`/users/${u.id}/update/password`).set(t.auth(u)).send({ prev_password: 'salah-salah', new_password: NEW_PASSWORD, new_password_confirm: NEW_PASSWORD });
    expect(wrong.status).toBe(422);
    expect(await notices(u.id)).toEqual([]);

    expect((await t.http.post(`/users/${u.id}/update/password`).set(t.auth(u)).send({ prev_password: TEST_PASSWORD, new_password: NEW_PASSWORD, new_password_confirm: NEW_PASSWORD })).status).toBe(200);
    expect((await t.http.post(`/users/${u.id}/update/password/admin`).set(t.auth(admin)).send({ new_password: 'klinik-123', new_password_confirm: 'klinik-123' })).status).toBe(200);
    expect((await t.http.post(`/users/${phoneOnly.id}/update/password/admin`).set(t.auth(admin)).send({ new_password: 'klinik-123', new_password_confirm: 'klinik-123' })).status).toBe(200);
    expect((await notices(u.id)).map((m) => [m.channel, m.recipient])).toEqual([
      ['email', 'sandi.baru@example.com'],
      ['email', 'sandi.baru@example.com'],
    ]);
    expect((await notices(phoneOnly.id)).map((m) => [m.channel, m.recipient])).toEqual([['wa', '081277770003']]);
    await deliverOutbox(t.app);
    const mails = smtp.mails.filter((m) => m.to.includes('sandi.baru@example.com')).map((m) => mailText(m.raw));
    expect(mails.some((m) => m.includes('Tono Sandi') && m.includes('diatur ulang oleh klinik'))).toBe(true);
    expect(mails.every((m) => !m.includes(NEW_PASSWORD) && !m.includes('klinik-123'))).toBe(true);
    expect(wablas.calls.find((c) => c.phone === '6281277770003')?.message).toContain('Kata sandi');
  });
});

describe('a mail server refusing the recipient', () => {
  it('for good (5xx): FAILED at once, the body forgotten; for now (4xx): retried', async () => {
    await enqueueMessage(t.app.db, { channel: 'email', recipient: 'nobody@example.com', subject: 'Reset', body: 'link-secret', purpose: 'recovery' });
    await enqueueMessage(t.app.db, { channel: 'email', recipient: 'busy@example.com', subject: 'Reset', body: 'link-secret', purpose: 'recovery' });
    await deliverOutbox(t.app);
    const gone = await t.app.db.messageOutbox.findFirstOrThrow({ where: { recipient: 'nobody@example.com' } });
    expect(gone).toMatchObject({ status: 'FAILED', attempts: 1, body: '' });
    expect(gone.last_error).toMatch(/550/);
    const later = await t.app.db.messageOutbox.findFirstOrThrow({ where: { recipient: 'busy@example.com' } });
    expect(later).toMatchObject({ status: 'PENDING', attempts: 1, body: 'link-secret' });
    expect(later.last_error).toMatch(/451/);
  });
});

describe('the outbox sends a message once, whatever the server’s pace', () => {
  const TIMEOUT = 300; // OUTBOX_TIMEOUT_MS: a claim lasts 3 × this
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  let slow: Awaited<ReturnType<typeof startSlowSmtpServer>>;
  let q: TestApp;
  beforeAll(async () => {
    slow = await startSlowSmtpServer(200); // each reply within the step timeouts, the whole mail ≈ 1.2 s
    q = await createTestApp({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(slow.port), MAIL_FROM: 'Colederma <no-reply@colederma.test>', WABLAS_BASE_URL: wablas.url, WABLAS_TOKEN: 'wa-token', OUTBOX_TIMEOUT_MS: String(TIMEOUT) });
  });
  afterAll(async () => {
    await q.close();
    await slow.close();
  });

  it('cuts a send off before its claim lapses, so another worker running meanwhile does not send it again', async () => {
    await enqueueMessage(q.app.db, { channel: 'email', recipient: 'patient@example.com', subject: 'Reset', body: 'link', purpose: 'password_recovery' });
    // process A; whether the server had the whole mail by the time it returned
    const first = deliverOutbox(q.app).then((r) => ({ ...r, mailed: slow.mails.length > 0 }));
    // Process B's tick, once A's claim would have lapsed, and once A is done: the cut-off ends A's
    // send at TIMEOUT, well within its claim, but on a loaded machine (CI) the write of A's outcome
    // that follows can itself come after 3 × TIMEOUT, and B would then rightly take the lapsed claim.
    // Without the cut-off A sends the whole mail (≈ 1.2 s): checked below.
    const [a] = await Promise.all([first, sleep(3 * TIMEOUT + 100)]);
    expect(await deliverOutbox(q.app)).toEqual({ sent: 0, failed: 0 });
    expect(a).toMatchObject({ sent: 0, failed: 1 });
    // ended before the whole mail could have gone (the server did not have it when A returned; no
    // bound on the time, which the load of the machine varies)
    expect(a.mailed).toBe(false);
    const row = await q.app.db.messageOutbox.findFirstOrThrow({ where: { recipient: 'patient@example.com' } });
    expect(row).toMatchObject({ status: 'PENDING', attempts: 1, locked_until: null, last_error: `sending email message ${row.id} did not finish within ${TIMEOUT} ms` });
    await sleep(2 * 200); // the server would have accepted the first attempt's mail by now: it never got it whole
    expect(slow.mails).toEqual([]);
  });

  it("a worker that lost its claim leaves the outcome of the worker that took the row", async () => {
    // the gateway keeps A's send in flight until the row has been taken over, then fails it; an app
    // without the short cut-off, so that A's failure is written only then
    const unhurried = await createTestApp({ WABLAS_BASE_URL: wablas.url, WABLAS_TOKEN: 'wa-token' });
    await enqueueMessage(unhurried.app.db, { channel: 'wa', recipient: '081200005555', body: 'link', purpose: 'password_recovery' });
    wablas.state.fail = true;
    const held = wablas.hold();
    try {
      const a = deliverOutbox(unhurried.app); // its send will fail
      await held.arrived; // A has claimed the row and is sending
      // meanwhile another worker took the row (A paused past its claim) and delivered it
      const row = await unhurried.app.db.messageOutbox.findFirstOrThrow({ where: { recipient: '081200005555' } });
      expect(row.status).toBe('SENDING');
      const sentAt = new Date();
      await unhurried.app.db.messageOutbox.update({ where: { id: row.id }, data: { status: 'SENT', body: '', sent_at: sentAt, attempts: 1, locked_until: null } });
      held.release();
      expect(await a).toEqual({ sent: 0, failed: 0 });
      // not put back to PENDING (it would be sent again)
      expect(await unhurried.app.db.messageOutbox.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'SENT', sent_at: sentAt, attempts: 1, last_error: '' });
    } finally {
      held.release();
      wablas.state.fail = false;
      await unhurried.close();
    }
  });
});

describe('a worker that stops while sending', () => {
  it('has used an attempt: a message whose outcome is never recorded is given up after max_attempts, not sent forever', async () => {
    await enqueueMessage(t.app.db, { channel: 'email', recipient: 'crash@example.com', subject: 'Reset', body: 'link', purpose: 'password_recovery' });
    const row = await t.app.db.messageOutbox.findFirstOrThrow({ where: { recipient: 'crash@example.com' } });
    // the worker dies after the send (here: its "sent" cannot be written), its claim lapses, and the next worker takes the row again
    await t.app.db.$executeRawUnsafe(`CREATE FUNCTION test_refuse_sent() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'worker gone'; END $$`);
    await t.app.db.$executeRawUnsafe(`CREATE TRIGGER test_refuse_sent BEFORE UPDATE ON message_outbox FOR EACH ROW WHEN (OLD.id = ${row.id} AND NEW.status = 'SENT') EXECUTE FUNCTION test_refuse_sent()`);
    const realNow = t.app.now;
    let clock = Date.now();
    t.app.now = () => new Date(clock);
    const sends = () => smtp.mails.filter((m) => m.to.includes('crash@example.com')).length;
    try {
      for (let run = 0; run < row.max_attempts + 3; run++) {
        await deliverOutbox(t.app).catch(() => undefined);
        clock += 3 * t.app.config.OUTBOX_TIMEOUT_MS + 1_000;
      }
    } finally {
      t.app.now = realNow;
      await t.app.db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_refuse_sent ON message_outbox`);
      await t.app.db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS test_refuse_sent()`);
    }
    expect(sends()).toBe(row.max_attempts);
    expect(await t.app.db.messageOutbox.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'FAILED', attempts: row.max_attempts, body: '' });
  });
});

describe('SMTP credentials never travel in clear', () => {
  it('with SMTP_USER set and no implicit TLS, a server that does not offer STARTTLS gets no AUTH: the send fails and is retried', async () => {
    // what a man in the middle stripping STARTTLS from the 587 greeting looks like to the client
    const plain = await startSmtpServer({ plaintextAuth: true });
    const q = await createTestApp({
      SMTP_HOST: '127.0.0.1', SMTP_PORT: String(plain.port), SMTP_SECURE: 'false', SMTP_USER: 'mailer@colederma.test', SMTP_PASSWORD: 'smtp-s3cret',
      MAIL_FROM: 'Colederma <no-reply@colederma.test>',
    });
    try {
      await enqueueMessage(q.app.db, { channel: 'email', recipient: 'clear@example.com', subject: 'Reset', body: 'https://app.colederma.test/account/recovery?hash=x', purpose: 'password_recovery' });
      expect(await deliverOutbox(q.app)).toEqual({ sent: 0, failed: 1 });
      expect(plain.logins).toEqual([]);
      expect(plain.mails).toEqual([]);
      const row = await q.app.db.messageOutbox.findFirstOrThrow({ where: { recipient: 'clear@example.com' } });
      expect(row).toMatchObject({ status: 'PENDING', attempts: 1 });
    } finally {
      await q.close();
      await plain.close();
    }
  });
});
