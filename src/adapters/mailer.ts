import nodemailer from 'nodemailer';
import type { Config } from '../config.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Sends one e-mail through the configured SMTP server (nodemailer). Throws when not accepted.
 * The timeouts bound each step; `signal` ends the whole conversation (the connection is closed).
 * With SMTP_USER set, the conversation is always encrypted (implicit TLS or a required STARTTLS).
 */
export async function sendMail(config: Config, mail: Mail, signal?: AbortSignal): Promise<void> {
  if (!config.SMTP_HOST) throw new Error('SMTP is not configured (SMTP_HOST)');
  const transport = nodemailer.createTransport({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    auth: config.SMTP_USER ? { user: config.SMTP_USER, pass: config.SMTP_PASSWORD } : undefined,
    // With credentials on a port without implicit TLS (587), STARTTLS is required: nodemailer would
    // otherwise go on in clear when the server does not offer it (or a man in the middle strips it
    // from the greeting) and send the SMTP password, and the recovery links, unencrypted.
    requireTLS: !config.SMTP_SECURE && !!config.SMTP_USER,
    connectionTimeout: config.OUTBOX_TIMEOUT_MS,
    greetingTimeout: config.OUTBOX_TIMEOUT_MS,
    socketTimeout: config.OUTBOX_TIMEOUT_MS,
  });
  try {
    await transport.sendMail({ from: config.MAIL_FROM, to: mail.to, subject: mail.subject, text: mail.text, signal });
  } finally {
    transport.close();
  }
}
