import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/**
 * A local SMTP server (smtp-server) that keeps every message it accepts. Without TLS; with
 * `plaintextAuth` it offers AUTH on the clear connection (a server, or a man in the middle that
 * stripped STARTTLS, asking for the password in clear) and records every password it is given.
 */
export async function startSmtpServer(opts: { plaintextAuth?: boolean } = {}) {
  const mails: ReceivedMail[] = [];
  const logins: { username: string; password: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: opts.plaintextAuth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: opts.plaintextAuth ?? false,
    onAuth(auth, _session, callback) {
      logins.push({ username: auth.username ?? '', password: auth.password ?? '' });
      callback(null, { user: auth.username });
    },
    logger: false,
    // as a mail server answers: no such mailbox (550, permanent) and mailbox busy (451, temporary)
    onRcptTo(address, _session, callback) {
      const refusal = address.address.startsWith('nobody@') ? [550, 'No such user here'] : address.address.startsWith('busy@') ? [451, 'Mailbox busy, try later'] : undefined;
      if (!refusal) return callback();
      callback(Object.assign(new Error(refusal[1] as string), { responseCode: refusal[0] as number }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, logins, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * A slow but live SMTP server: every reply comes `delayMs` late (set it below the client's step
 * timeouts, so only a bound on the whole conversation cuts it off). Keeps each message it accepts.
 */
export async function startSlowSmtpServer(delayMs: number) {
  const mails: string[] = [];
  const server = net.createServer((sock) => {
    const reply = (line: string) => setTimeout(() => sock.writable && sock.write(`${line}\r\n`), delayMs);
    let buf = '';
    let inData = false;
    reply('220 slow.test ESMTP');
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      for (;;) {
        const end = buf.indexOf(inData ? '\r\n.\r\n' : '\r\n');
        if (end < 0) return;
        const line = buf.slice(0, end);
        buf = buf.slice(end + (inData ? 5 : 2));
        if (inData) {
          inData = false;
          mails.push(line);
          reply('250 queued');
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'DATA') inData = true;
        reply(cmd === 'DATA' ? '354 go ahead' : cmd === 'QUIT' ? '221 bye' : /^(EHLO|HELO|MAIL|RCPT|RSET|NOOP)$/.test(cmd) ? '250 ok' : '502 unknown');
      }
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export interface WablasCall {
  authorization: string | undefined;
  contentType: string | undefined;
  phone: string | null;
  message: string | null;
}

/** The whole request body as text (the fake servers read small bodies only). */
export const readBody = (req: http.IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => resolve(body));
  });

/**
 * A request a fake server keeps unanswered until the test says so: the server awaits `pass()`
 * (which tells `arrived`, then waits for `release()`); the test awaits `arrived`, acts, releases.
 */
export function requestHold() {
  let arrive!: () => void;
  let release!: () => void;
  const arrived = new Promise<void>((r) => (arrive = r));
  const released = new Promise<void>((r) => (release = r));
  return {
    arrived,
    release,
    pass: () => {
      arrive();
      return released;
    },
  };
}

/**
 * A local server speaking Wablas' `POST /api/send-message` (form-encoded; JSON `status`).
 * `state.fail` answers `status: false`; `state.delayMs` answers that much later; after `hold()`
 * the next request waits for `release()` before it is answered.
 */
export async function startWablasServer() {
  const calls: WablasCall[] = [];
  const state = { fail: false, delayMs: 0 };
  let held: ReturnType<typeof requestHold> | undefined;
  const hold = () => (held = requestHold());
  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
    const h = held;
    held = undefined;
    await h?.pass();
    res.setHeader('Content-Type', 'application/json');
    if (req.method !== 'POST' || req.url !== '/api/send-message') {
      res.statusCode = 404;
      return res.end(JSON.stringify({ status: false, message: 'not found' }));
    }
    const form = new URLSearchParams(body);
    calls.push({ authorization: req.headers.authorization, contentType: req.headers['content-type'], phone: form.get('phone'), message: form.get('message') });
    if (state.fail) return res.end(JSON.stringify({ status: false, message: 'device disconnected' }));
    res.end(JSON.stringify({ status: true, message: 'Message is pending and waiting to be processed', data: { device_id: 'X', quota: 100, messages: [{ id: 'abc', phone: form.get('phone'), status: 'pending' }] } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, calls, state, hold, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** The quoted-printable / soft-wrapped text of a raw e-mail, unwrapped. */
export function mailText(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}
