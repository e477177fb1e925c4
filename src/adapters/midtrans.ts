import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
// midtrans-client ships no types
// @ts-expect-error untyped CommonJS module
import midtransClient from 'midtrans-client';
import type { AppContext } from '../app-context.js';
import { serviceUnavailable } from '../http/errors.js';

/**
 * Midtrans Snap (checkout) and the status API, behind one module. Base URLs come from config so
 * tests point them at a local fake server. Without MIDTRANS_SERVER_KEY the built-in payment
 * simulator stands in: a local redirect page that posts a correctly signed notification.
 */
export interface SnapItem {
  id: string;
  price: number;
  quantity: number;
  name: string;
}
export interface SnapRequest {
  orderId: string;
  grossAmount: number;
  items: SnapItem[];
  /** email/phone only when known: Snap refuses an empty email ("customer_details.email format is invalid") */
  customer: { first_name: string; email?: string; phone?: string };
  expiryMinutes: number;
}

export const SIMULATOR_PREFIX = '/payments/simulator';

export const isSimulator = (app: AppContext) => !app.config.MIDTRANS_SERVER_KEY;

/** The key notifications are signed with: Midtrans' server key, or the simulator's own. */
export function signingKey(app: AppContext) {
  return app.config.MIDTRANS_SERVER_KEY || createHash('sha256').update(`${app.config.JWT_SECRET}:payment-simulator`).digest('hex');
}

export function signature(orderId: string, statusCode: string, grossAmount: string, key: string) {
  return createHash('sha512').update(orderId + statusCode + grossAmount + key).digest('hex');
}

export function verifySignature(app: AppContext, body: { order_id: string; status_code: string; gross_amount: string; signature_key: string }) {
  const expected = Buffer.from(signature(body.order_id, body.status_code, body.gross_amount, signingKey(app)), 'hex');
  const given = Buffer.from(/^[0-9a-f]{128}$/i.test(body.signature_key) ? body.signature_key : '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const snapBase = (app: AppContext) =>
  app.config.MIDTRANS_SNAP_URL ?? (app.config.MIDTRANS_IS_PRODUCTION ? 'https://app.midtrans.com/snap/v1' : 'https://app.sandbox.midtrans.com/snap/v1');
const apiBase = (app: AppContext) =>
  app.config.MIDTRANS_API_URL ?? (app.config.MIDTRANS_IS_PRODUCTION ? 'https://api.midtrans.com' : 'https://api.sandbox.midtrans.com');
export const snapJsUrl = (app: AppContext) =>
  isSimulator(app)
    ? `${app.config.PUBLIC_BASE_URL}${SIMULATOR_PREFIX}/snap.js`
    : (app.config.MIDTRANS_SNAP_JS_URL ??
      (app.config.MIDTRANS_IS_PRODUCTION ? 'https://app.midtrans.com/snap/snap.js' : 'https://app.sandbox.midtrans.com/snap/snap.js'));
export const clientKey = (app: AppContext) => app.config.MIDTRANS_CLIENT_KEY || 'SIMULATOR';

function client(app: AppContext, Kind: any) {
  const c = new Kind({
    isProduction: app.config.MIDTRANS_IS_PRODUCTION,
    serverKey: app.config.MIDTRANS_SERVER_KEY,
    clientKey: app.config.MIDTRANS_CLIENT_KEY,
  });
  c.apiConfig.getSnapApiBaseUrl = () => snapBase(app);
  c.apiConfig.getCoreApiBaseUrl = () => apiBase(app);
  // midtrans-client's axios has no timeout: a Midtrans that never answers would hang the checkout
  // and the expiry job (which never overlaps itself) for good. One client per call, so the signal
  // bounds that call as a whole (axios' timeout alone bounds only idle time).
  const ms = app.config.MIDTRANS_TIMEOUT_MS;
  c.httpClient.http_client.defaults.timeout = ms;
  c.httpClient.http_client.defaults.signal = AbortSignal.timeout(ms);
  return c;
}

/** Creates a Snap transaction; returns its token and redirect URL. */
export async function createSnapTransaction(app: AppContext, req: SnapRequest): Promise<{ token: string; redirect_url: string }> {
  if (isSimulator(app)) {
    const token = randomUUID();
    return { token, redirect_url: `${app.config.PUBLIC_BASE_URL}${SIMULATOR_PREFIX}/${token}` };
  }
  try {
    const res = await client(app, midtransClient.Snap).createTransaction({
      transaction_details: { order_id: req.orderId, gross_amount: req.grossAmount },
      item_details: req.items,
      customer_details: req.customer,
      expiry: { unit: 'minutes', duration: req.expiryMinutes },
    });
    // a success code with something else than the payment page (a proxy's HTML, an empty body)
    // must not become the order's token: the customer would be sent to "undefined"
    if (typeof res?.token !== 'string' || !res.token || typeof res.redirect_url !== 'string' || !res.redirect_url) {
      throw new Error(`unreadable Snap answer: ${JSON.stringify(res)?.slice(0, 200)}`);
    }
    return { token: res.token, redirect_url: res.redirect_url };
  } catch (err) {
    logSnapFailure(app, err);
    throw serviceUnavailable('The payment service is not available, please try again');
  }
}

/**
 * Why Snap did not create the transaction, for the operators (the client gets the 503 of any
 * failure, without Snap's messages). 401 is this server's key (configuration, not an outage) and
 * 400 its request (Snap's validation, or an order_id Snap has seen): errors, with Snap's
 * error_messages, as no retry mends them until someone looks; anything else (5xx, timeout, an
 * unreadable answer) a warning, as before.
 */
function logSnapFailure(app: AppContext, err: unknown) {
  const e = err as { httpStatusCode?: unknown; ApiResponse?: { error_messages?: unknown; status_message?: unknown } } | undefined;
  const status = Number(e?.httpStatusCode);
  const messages = e?.ApiResponse?.error_messages ?? e?.ApiResponse?.status_message;
  if (status === 401) {
    app.logger.error(
      { status, messages },
      'midtrans snap refused the server key (401): check MIDTRANS_SERVER_KEY, and MIDTRANS_IS_PRODUCTION (a sandbox key on production or the reverse)',
    );
  } else if (status === 400) {
    app.logger.error({ status, messages }, 'midtrans snap refused the transaction request (400): see its messages');
  } else {
    app.logger.warn({ err: String(err) }, 'midtrans snap failed');
  }
}

/** Midtrans' status API (GET /v2/{order_id}/status): the transaction status, or undefined when unknown/unreachable. */
export async function getTransactionStatus(app: AppContext, midtransOrderId: string): Promise<Record<string, any> | undefined> {
  if (isSimulator(app)) return undefined;
  try {
    const res = await client(app, midtransClient.CoreApi).transaction.status(midtransOrderId);
    return res && typeof res === 'object' ? res : undefined;
  } catch (err: any) {
    // 404 = Midtrans never saw a payment for it (the customer never paid)
    if (err?.httpStatusCode === '404' || err?.httpStatusCode === 404 || err?.ApiResponse?.status_code === '404') return { transaction_status: 'not_found' };
    app.logger.warn({ err: String(err) }, 'midtrans status failed');
    return undefined;
  }
}
