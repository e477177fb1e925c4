import axios from 'axios';
import type { Config } from '../config.js';

/** Indonesian numbers in the 62… form Wablas expects (0812… and +62812… are converted). */
export function toWablasPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  // 0812… and 620812… (a trunk 0 typed after the country code) are 62812…
  return digits.startsWith('0') ? `62${digits.slice(1)}` : digits.startsWith('620') ? `62${digits.slice(3)}` : digits;
}

/**
 * Sends one WhatsApp text through the account's Wablas host: `POST /api/send-message`,
 * form-encoded `phone` and `message`, header `Authorization: <token>.<secret key>`.
 * Wablas answers HTTP 200 with `status: false` on some failures: only `status: true` is success.
 * `signal` aborts the request (axios' timeout bounds idle time, not a slowly trickled answer).
 */
export async function sendWhatsApp(config: Config, phone: string, message: string, signal?: AbortSignal): Promise<void> {
  if (!config.WABLAS_BASE_URL || !config.WABLAS_TOKEN) throw new Error('Wablas is not configured (WABLAS_BASE_URL, WABLAS_TOKEN)');
  const auth = config.WABLAS_SECRET_KEY ? `${config.WABLAS_TOKEN}.${config.WABLAS_SECRET_KEY}` : config.WABLAS_TOKEN;
  const res = await axios.post(
    `${config.WABLAS_BASE_URL.replace(/\/+$/, '')}/api/send-message`,
    new URLSearchParams({ phone: toWablasPhone(phone), message }).toString(),
    {
      headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' },
      timeout: config.OUTBOX_TIMEOUT_MS,
      signal,
      validateStatus: () => true,
    },
  );
  if (res.status < 200 || res.status >= 300 || res.data?.status !== true) {
    const msg = typeof res.data?.message === 'string' ? res.data.message : '';
    throw new Error(`Wablas refused the message (HTTP ${res.status}${msg ? `: ${msg.slice(0, 200)}` : ''})`);
  }
}
