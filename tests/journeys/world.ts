import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'vitest';
import { deliverPendingPushes } from '../../src/modules/notifications/notifications.service.js';
import { startFakeFcm } from '../notifications/fake-fcm.js';
import { ensureOwner } from '../../src/modules/identity/users.service.js';
import { deliverOutbox } from '../../src/modules/recovery/outbox.service.js';
import { createTestApp } from '../helpers/app.js';
import { clinicDay, formatDate } from '../../src/lib/dates.js';
import { mailText, startSmtpServer } from '../helpers/fake-servers.js';
import { settlementNotification, startFakeMidtrans } from '../commerce/fake-midtrans.js';
import { startFakeRajaOngkir } from '../shipping/fake-rajaongkir.js';

/**
 * The world a journey runs in: the real app on its own database, the outside services it talks to
 * replaced by local fakes (Midtrans, RajaOngkir, SMTP), and the first owner created the way the
 * server creates it at start-up (OWNER_USERNAME / OWNER_PASSWORD). Everything else a journey does
 * goes through the public HTTP API, with only what earlier answers gave the client.
 */
export const MIDTRANS_KEY = 'SB-Mid-server-journey';
export const OWNER = { username: 'owner', password: 'owner-pass-123' };

/** `env`: settings of the app besides the world's own (e.g. the rate limits, off in tests) */
export async function startWorld(env: Record<string, string> = {}) {
  const midtrans = await startFakeMidtrans(MIDTRANS_KEY);
  const rajaongkir = await startFakeRajaOngkir('ro-key');
  const smtp = await startSmtpServer();
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  const clientEmail = 'push@colederma-journey.iam.gserviceaccount.com';
  const fcm = await startFakeFcm({ publicKey, clientEmail, projectId: 'colederma-journey' });
  const t = await createTestApp({
    FCM_PROJECT_ID: 'colederma-journey',
    FCM_CLIENT_EMAIL: clientEmail,
    FCM_PRIVATE_KEY: privateKey,
    FCM_TOKEN_URL: `${fcm.url}/token`,
    FCM_API_URL: fcm.url,
    OWNER_USERNAME: OWNER.username,
    OWNER_PASSWORD: OWNER.password,
    MIDTRANS_SERVER_KEY: MIDTRANS_KEY,
    MIDTRANS_CLIENT_KEY: 'SB-Mid-client-journey',
    MIDTRANS_SNAP_URL: `${midtrans.url}/snap/v1`,
    MIDTRANS_API_URL: midtrans.url,
    RAJAONGKIR_BASE_URL: rajaongkir.url,
    RAJAONGKIR_API_KEY: 'ro-key',
    SHIPPING_ORIGIN_CITY: '23',
    SHIPPING_ORIGIN_DISTRICT: '331',
    SHIPPING_COURIERS: 'jne,pos',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    MAIL_FROM: 'Colederma <no-reply@colederma.test>',
    RECOVERY_URL: 'https://app.colederma.test',
    POINTS_EARN_PERCENT: '10',
    ...env,
  });
  await ensureOwner(t.app); // what src/server.ts does at start-up
  // the app's clock: the real one, moved forward by what `clockMovesOn` added (it never goes back)
  let ahead = 0;
  t.app.now = () => new Date(Date.now() + ahead);

  /** One client call; `expectStatus` (default 200) is checked with the answer shown on failure. */
  async function call(method: 'get' | 'post' | 'put' | 'delete', path: string, bearer: string | null, body?: object, expectStatus = 200) {
    let req = t.http[method](path);
    if (bearer) req = req.set('Authorization', `Bearer ${bearer}`);
    const res = body === undefined ? await req : await req.send(body);
    expect({ path, status: res.status, body: res.status === expectStatus ? undefined : res.body }).toEqual({ path, status: expectStatus, body: undefined });
    return res;
  }

  async function signIn(username: string, password: string) {
    const res = await call('post', '/users/login', null, { act: 'login', username, password, app: 'mobile' });
    expect(res.body.login).toBe(true);
    return { id: res.body.id as number, bearer: res.body.bearer as string };
  }

  /** The newest e-mail the background sender delivered to `to`, as text (the outbox job runs first). */
  async function lastMailTo(to: string) {
    await deliverOutbox(t.app);
    const mail = [...smtp.mails].reverse().find((m) => m.to.includes(to));
    expect(mail, `a mail to ${to}`).toBeDefined();
    return mailText(mail!.raw);
  }

  /** The push job runs; the titles FCM was asked to show on `deviceToken` so far. */
  async function pushesTo(deviceToken: string) {
    await deliverPendingPushes(t.app);
    return fcm.sent.filter((m) => m.token === deviceToken).map((m) => m.title);
  }

  /** Midtrans, after the customer paid the Snap transaction behind `snapToken`, notifies the webhook. */
  async function midtransSettles(snapToken: string) {
    const snap = midtrans.snapRequests.find((r) => snapToken.endsWith(`-${r.transaction_details.order_id}`) && snapToken.startsWith('tok-'));
    expect(snap, 'the Snap transaction behind the token').toBeDefined();
    const { order_id, gross_amount } = snap.transaction_details;
    midtrans.statuses.set(order_id, { ...settlementNotification(MIDTRANS_KEY, order_id, gross_amount), status_message: 'Success' });
    const res = await t.http.post('/payments/webhooks/midtrans').send(settlementNotification(MIDTRANS_KEY, order_id, gross_amount));
    expect(res.status).toBe(200);
    return res.body;
  }

  return {
    t,
    /** Time passes for the app (the jobs, expiries, the days reports and points count): `ms` later from now on. */
    clockMovesOn(ms: number) {
      ahead += ms;
    },
    midtrans,
    rajaongkir,
    smtp,
    fcm,
    call,
    pushesTo,
    signIn,
    lastMailTo,
    midtransSettles,
    async close() {
      await t.close();
      await midtrans.close();
      await rajaongkir.close();
      await smtp.close();
      await fcm.close();
    },
  };
}

export type World = Awaited<ReturnType<typeof startWorld>>;

let counter = 0;
/** A new person's registration fields (unique each call). */
export function newPerson(prefix: string) {
  counter += 1;
  const tag = `${prefix}${counter}${Math.random().toString(36).slice(2, 6)}`;
  return {
    username: tag,
    users_fullname: `Journey ${tag}`,
    users_email: `${tag}@example.com`,
    users_phone: `0813${String(Date.now() % 1e6).padStart(6, '0')}${counter}`,
    password: `pw-${tag}-123`,
  };
}

/** users/create as the app's sign-up screen sends it (public), then sign-in. */
export async function register(w: World, person: ReturnType<typeof newPerson>, extra: Record<string, unknown> = {}, bearer: string | null = null) {
  const res = await w.call('post', '/users/create', bearer, { ...person, retype_password: person.password, ...extra });
  return res.body.users as { id: number | string; username: string };
}

/** The weekdays as the API names them, Sunday first (Date.getUTCDay's order). */
export const DAYS = ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'];
// the clinic day the file started on (a run may cross midnight in Asia/Jakarta)
const TODAY = clinicDay(new Date());

/** A clinic day `days` after the one the file started on: ISO, dd/mm/yyyy and its weekday's name. */
export function clinicDayAhead(days: number) {
  const d = new Date(TODAY.getTime() + days * 86_400_000);
  const iso = formatDate(d)!;
  return { iso, dmy: `${iso.slice(8)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`, hari: DAYS[d.getUTCDay()]! };
}

/** dd/mm/yyyy HH:mm in the clinic's zone (Asia/Jakarta, UTC+7), `days` from now */
export function clinicDateTime(days: number) {
  const d = new Date(Date.now() + days * 86_400_000 + 7 * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

/** Runs `steps` with the app's clock on `iso` at `hhmm` WIB, going on from there (the clock moving, outside the API). */
export async function onClinicDay<T>(w: World, iso: string, hhmm: string, steps: () => Promise<T>) {
  const real = w.t.app.now;
  const [h, m] = hhmm.split(':').map(Number);
  const at = new Date(`${iso}T00:00:00Z`).getTime() + ((h! - 7) * 60 + m!) * 60_000;
  const started = Date.now();
  w.t.app.now = () => new Date(at + (Date.now() - started));
  try {
    return await steps();
  } finally {
    w.t.app.now = real;
  }
}
