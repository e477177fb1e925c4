import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startSmtpServer } from '../helpers/fake-servers.js';
import { twiceWhileHolding } from '../helpers/interleave.js';

// "A new request voids older ones" (docs/compat.md) when two requests come at once (a double tap):
// made deterministic by holding the audit log's chain lock, which each request takes last in its
// transaction, until both wait. PostgreSQL only (TEST_DATABASE_URL): PGlite runs one statement at a time.
let t: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await createTestApp({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), MAIL_FROM: 'Colederma <no-reply@colederma.test>', RECOVERY_URL: 'https://app.colederma.test' });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

/** the audit log's chain lock (audit.service.ts CHAIN_LOCK): every audited transaction takes it */
const CHAIN_LOCK = 727_001;

describe.runIf(process.env.TEST_DATABASE_URL)('users/:email/recovery/password/email sent twice at once', () => {
  it('leaves one usable link, the newest: the other request’s is void', async () => {
    const u = await t.user(['CUSTOMER']);
    const email = (await t.app.db.user.findUniqueOrThrow({ where: { id: u.id } })).users_email!;
    const answers = await twiceWhileHolding(
      t.app.db,
      (tx) => tx.$executeRaw`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`,
      () => t.http.post(`/users/${encodeURIComponent(email)}/recovery/password/email`),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const links = await t.app.db.passwordReset.findMany({ where: { id_users: u.id }, orderBy: { id: 'asc' } });
    expect(links).toHaveLength(2);
    expect(links.filter((l) => l.voided_at === null).map((l) => l.id)).toEqual([Math.max(...links.map((l) => l.id))]);
  });
});
