import axios from 'axios';
import jwt from 'jsonwebtoken';
import type { AppContext } from '../app-context.js';

/**
 * Firebase Cloud Messaging HTTP v1: a service-account JWT is exchanged for an OAuth2 access token
 * (cached until shortly before it expires), then `POST /v1/projects/{project}/messages:send`.
 * Base URLs come from config so tests point them at a local server speaking the same protocol.
 */
export type PushResult =
  | { ok: true; name: string }
  /**
   * `retryAfterMs`: the least wait FCM asks for (its Retry-After header; at least 1 min on a 429);
   * `permanent`: the request itself is refused (400 without a token error), sending it again fails again
   */
  | { ok: false; invalidToken: boolean; error: string; retryAfterMs?: number; permanent?: boolean };

/** FCM's `Retry-After`: delay-seconds or an HTTP date; undefined when absent or unreadable. */
function parseRetryAfter(value: unknown, nowMs: number): number | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
/** FCM error codes that mean the device token is dead and should be forgotten */
const INVALID_TOKEN_CODES = new Set(['UNREGISTERED', 'INVALID_ARGUMENT']);

export class FcmClient {
  private cached?: { token: string; expiresAt: number };
  /** one token request at a time: parallel sends share it */
  private pending?: Promise<string>;

  constructor(
    /** `tokenTimeoutMs` bounds the whole token request (shared by every send: it must always end) */
    private readonly opts: { projectId: string; clientEmail: string; privateKey: string; tokenUrl: string; apiUrl: string; tokenTimeoutMs: number },
    private readonly now: () => Date,
  ) {}

  private accessToken(): Promise<string> {
    const nowMs = this.now().getTime();
    if (this.cached && this.cached.expiresAt - 60_000 > nowMs) return Promise.resolve(this.cached.token);
    this.pending ??= this.fetchToken(nowMs).finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async fetchToken(nowMs: number): Promise<string> {
    const iat = Math.floor(nowMs / 1000);
    const assertion = jwt.sign({ iss: this.opts.clientEmail, scope: SCOPE, aud: this.opts.tokenUrl, iat, exp: iat + 3600 }, this.opts.privateKey, {
      algorithm: 'RS256',
    });
    const res = await axios.post(
      this.opts.tokenUrl,
      new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
      // axios' timeout bounds only idle time: a token answer trickled a byte at a time would never end,
      // and every later send would wait on it (one token request is shared) until a restart
      {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        timeout: this.opts.tokenTimeoutMs,
        signal: AbortSignal.timeout(this.opts.tokenTimeoutMs),
        validateStatus: () => true,
      },
    );
    if (res.status !== 200 || typeof res.data?.access_token !== 'string') {
      throw new Error(`FCM token endpoint answered ${res.status}`);
    }
    this.cached = { token: res.data.access_token, expiresAt: nowMs + Number(res.data.expires_in ?? 3600) * 1000 };
    return this.cached.token;
  }

  /**
   * Sends one message; never throws for an FCM error answer (the caller decides about retries).
   * `signal` aborts the request (axios' timeout bounds idle time, not a slowly trickled answer);
   * the shared token request is not aborted by one send's signal.
   */
  async send(deviceToken: string, message: { title: string; body: string; data?: Record<string, string> }, signal?: AbortSignal): Promise<PushResult> {
    let token: string;
    try {
      token = await this.accessToken();
    } catch (err) {
      return { ok: false, invalidToken: false, error: (err as Error).message };
    }
    const url = `${this.opts.apiUrl.replace(/\/$/, '')}/v1/projects/${encodeURIComponent(this.opts.projectId)}/messages:send`;
    try {
      const res = await axios.post(
        url,
        { message: { token: deviceToken, notification: { title: message.title, body: message.body }, data: message.data ?? {} } },
        { headers: { Authorization: `Bearer ${token}` }, timeout: 10_000, signal, validateStatus: () => true },
      );
      if (res.status === 200) return { ok: true, name: String(res.data?.name ?? '') };
      if (res.status === 401) this.cached = undefined; // token revoked or expired early: fetch a new one next time
      const err = res.data?.error ?? {};
      const fcmCode: string | undefined = (err.details ?? []).find((d: { errorCode?: string }) => d?.errorCode)?.errorCode;
      const code = fcmCode ?? err.status ?? String(res.status);
      // The token is dead only when FCM says so in its FcmError detail: a 400 INVALID_ARGUMENT with
      // only a google.rpc.BadRequest detail is about the message (too big, a bad field), not the device.
      const invalidToken = fcmCode !== undefined && INVALID_TOKEN_CODES.has(fcmCode);
      // FCM: honour Retry-After on 429 and 5xx; a 429 (quota) waits at least a minute
      const retryAfter = parseRetryAfter(res.headers?.['retry-after'], this.now().getTime());
      const retryAfterMs = res.status === 429 ? Math.max(60_000, retryAfter ?? 0) : retryAfter;
      return {
        ok: false,
        invalidToken,
        ...(res.status === 400 && !invalidToken ? { permanent: true } : {}),
        error: `${res.status} ${code} ${err.message ?? ''}`.trim(),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    } catch (err) {
      return { ok: false, invalidToken: false, error: (err as Error).message };
    }
  }
}

const clients = new WeakMap<AppContext, FcmClient | null>();

/** The app's FCM client, or undefined when FCM is not configured (notifications are stored only). */
export function fcmFor(app: AppContext): FcmClient | undefined {
  if (!clients.has(app)) {
    const c = app.config;
    clients.set(
      app,
      c.FCM_PROJECT_ID && c.FCM_CLIENT_EMAIL && c.FCM_PRIVATE_KEY
        ? new FcmClient(
            {
              projectId: c.FCM_PROJECT_ID,
              clientEmail: c.FCM_CLIENT_EMAIL,
              // keys pasted into .env usually carry literal "\n"
              privateKey: c.FCM_PRIVATE_KEY.replace(/\\n/g, '\n'),
              tokenUrl: c.FCM_TOKEN_URL,
              apiUrl: c.FCM_API_URL,
              tokenTimeoutMs: c.PUSH_TIMEOUT_MS,
            },
            () => app.now(),
          )
        : null,
    );
  }
  return clients.get(app) ?? undefined;
}
