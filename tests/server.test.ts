import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'colederma-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<number>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /"port":(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${err}${out}`)));
  });
  listening.catch(() => undefined); // a test that expects an exit does not wait for listening
  /** resolves once the standard output contains `text` */
  const printed = (text: string) =>
    new Promise<void>((resolve) => {
      const check = () => out.includes(text) && (child.stdout.off('data', check), resolve());
      child.stdout.on('data', check);
      check();
    });
  return { child, listening, exited, printed, output: () => out, errors: () => err };
}

describe('server entry', () => {
  it('refuses to start on bad configuration with one clear line', async () => {
    const s = startServer({ PORT: 'not-a-port', DATA_DIR: path.join(dir, 'bad') });
    expect(await s.exited).toBe(1);
    expect(s.errors().trim()).toMatch(/^Invalid configuration: PORT: /);
    expect(s.errors().trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('starts on the embedded database with demo data, serves, and shuts down gracefully on SIGTERM', async () => {
    const s = startServer({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: path.join(dir, 'data'), UPLOAD_DIR: path.join(dir, 'uploads'), OWNER_PASSWORD: 'owner-password-1', SHUTDOWN_DRAIN_DELAY_MS: '300' });
    const port = await s.listening;
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await health.json()).toEqual({ status: 'ok', database: 'ok' });
    const login = await fetch(`http://127.0.0.1:${port}/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'colederma123' }),
    });
    expect((await login.json()).login).toBe(true);
    const owner = await fetch(`http://127.0.0.1:${port}/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'owner', password: 'owner-password-1' }),
    });
    expect((await owner.json()).roles).toContain('OWNER');
    s.child.kill('SIGTERM');
    await s.printed('"msg":"shutting down');
    // a second signal (here during the drain delay, or after it) starts no second shutdown
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    const messages = s.output().split('\n').filter(Boolean).map((l) => JSON.parse(l).msg as string);
    expect(messages.filter((m) => m.startsWith('shutting down'))).toHaveLength(1);
    expect(s.output()).toContain('"drainDelayMs":300');
    // the listener closes after the delay, then the rest stops
    const at = (msg: string) => messages.findIndex((m) => m.startsWith(msg));
    expect(at('shutting down')).toBeGreaterThan(0);
    expect(at('no new connections')).toBeGreaterThan(at('shutting down'));
    expect(at('stopped')).toBeGreaterThan(at('no new connections'));
  }, 120_000);

  it('loads the demo data on a later start when the first one stopped before it was in', async () => {
    const env = { PORT: '0', HOST: '127.0.0.1', DATA_DIR: path.join(dir, 'interrupted'), UPLOAD_DIR: path.join(dir, 'uploads'), OWNER_PASSWORD: 'owner-password-1' };
    const signIn = async (port: number) =>
      (
        await fetch(`http://127.0.0.1:${port}/users/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'budi', password: 'colederma123' }),
        })
      ).status;
    // the first start leaves its database folder and the owner, but no demo data (as when stopped early)
    const first = startServer({ ...env, SEED_DEMO_DATA: 'false' });
    expect(await signIn(await first.listening)).toBe(401);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const second = startServer(env);
    expect(await signIn(await second.listening)).toBe(200);
    expect(second.output()).toContain('Demo data loaded');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    // once accounts exist, a start loads nothing again
    const third = startServer(env);
    await third.listening;
    expect(third.output()).not.toContain('Demo data loaded');
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  }, 180_000);
});
