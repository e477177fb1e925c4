// npm run bench: seed (once per scale) → start the API and the plain node:http + pg baseline as
// separate processes → measure every scenario whose route exists with autocannon → bench/results.json.
//   BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/colederma_bench)
//   BENCH_SCALE (default 1), BENCH_DURATION seconds per run (default 10), BENCH_CONNECTIONS (32),
//   BENCH_RESEED=1 to seed again, BENCH_ONLY=<text> to run only the scenarios whose name contains it,
//   BENCH_CPU_PROFILE=<dir> for a CPU profile of the API over the whole run, BENCH_ROUNDS=<n> to
//   run each scenario n times, app and baseline alternating, and keep the median (not the checkout).
// Besides requests/s and latency, each run reports the CPU time per request of the server process
// and of PostgreSQL (bench/cpu.ts): on a shared machine the first two move with the neighbours'
// load, the CPU a request costs much less.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import { appEnv, benchToken } from './app-env.js';
import { checkoutCustomer, CHECKOUT_ROUTES } from './checkout.js';
import { measureCpu } from './cpu.js';
import { scenarios, type Who } from './scenarios.js';
import { prepareDatabase, seed, sizes } from './seed.js';

const url = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/colederma_bench';
const scale = Number(process.env.BENCH_SCALE ?? 1);
const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const only = process.env.BENCH_ONLY;
const rounds = Math.max(1, Math.floor(Number(process.env.BENCH_ROUNDS ?? 1)) || 1);
const APP_PORT = 3900;
const BASE_PORT = 3901;
const s = sizes(scale);
const children: ChildProcess[] = [];

/** Starts a process and resolves once `ready` answers 200 (fails if the process exits first). */
function start(args: string[], env: Record<string, string>, ready: string) {
  // BENCH_CPU_PROFILE=<dir>: the API writes a V8 CPU profile there when it stops (open it in Chrome's DevTools)
  const profile = args[0] === 'src/server.ts' && process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return new Promise<ChildProcess>((resolve, reject) => {
    let done = false;
    child.on('exit', (code) => {
      if (!done) reject(new Error(`${args.join(' ')} exited with ${code}`));
    });
    const poll = async () => {
      const ok = await fetch(ready, { method: 'GET' }).then((r) => r.status < 500, () => false);
      if (ok) {
        done = true;
        resolve(child);
      } else setTimeout(poll, 250);
    };
    void poll();
  });
}

async function call(method: string, path: string, body: unknown, token?: string) {
  const res = await fetch(`http://127.0.0.1:${APP_PORT}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/**
 * Before each run: a pause, so the statements still running for the previous run's last requests
 * (orders/table and the stats report take seconds each) are not charged to the next run.
 */
const SETTLE_MS = 3000;

async function cannon(server: ChildProcess, target: string, method: string, body: unknown, token?: string, bodyAt?: (i: number) => unknown) {
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  let sent = 0;
  const r = await measureCpu(server.pid, async () => {
    const r = await autocannon({
      url: target,
      method: method as 'POST',
      connections,
      duration,
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
      ...(bodyAt ? { requests: [{ setupRequest: (req: any) => ({ ...req, body: JSON.stringify(bodyAt(sent++)) }) }] } : {}),
    });
    return { ...r, requests: r.requests.total };
  });
  return { rps: Math.round(r.requests / duration), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts, cpu_ms_per_request: r.cpu_ms_per_request };
}

type Stats = Awaited<ReturnType<typeof cannon>>;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
/** Of several runs, the one with the median requests/s (its latency and CPU figures with it). */
const medianRun = (runs: Stats[]) => runs.find((r) => r.rps === median(runs.map((x) => x.rps)))!;
const ms = (x: number | null) => (x === null ? '  n/a' : x.toFixed(2).padStart(5));
const fmt = (x: Stats) =>
  `${String(x.rps).padStart(6)} req/s  p50 ${String(x.p50).padStart(4)} ms  p99 ${String(x.p99).padStart(5)} ms` +
  `  CPU/request: server ${ms(x.cpu_ms_per_request.server_ms)} ms, postgres ${ms(x.cpu_ms_per_request.postgres_ms)} ms` +
  (x.non2xx || x.errors ? `  (non-2xx ${x.non2xx}, errors ${x.errors})` : '');

/** Whole checkout paths (init → add to cart → checkout), `connections` customers at a time. */
async function checkoutPaths(server: ChildProcess, run: (i: number) => Promise<void>) {
  return measureCpu(server.pid, () => runPaths(run));
}

async function runPaths(run: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  let firstError = '';
  const until = Date.now() + duration * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) {
        const i = next++;
        const t0 = performance.now();
        try {
          await run(i);
          latencies.push(performance.now() - t0);
        } catch (e) {
          failures += 1;
          firstError ||= String(e);
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const q = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0);
  return { rps: Math.round(latencies.length / duration), p50: q(0.5), p99: q(0.99), non2xx: failures, errors: 0, firstError, requests: latencies.length };
}

async function main() {
  console.log(`Colederma bench: scale ${scale} (${s.menus} products, ${s.users} users, ${s.orders} orders, ${s.orders * 3} items, ${s.appointments} appointments, ${s.messages} messages)`);
  console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (other work on this machine skews the figures)`);
  console.log(`database ${url.replace(/\/\/[^@]*@/, '//')}; ${connections} connections, ${duration} s per run; ${os.cpus().length} CPUs`);
  await prepareDatabase(url);
  const t0 = Date.now();
  const seeded = await seed(url, s, (m) => console.log(m));
  console.log(seeded ? `seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s` : 'data already seeded at this scale (BENCH_RESEED=1 to redo)');

  const env = { BENCH_DATABASE_URL: url, BENCH_SCALE: String(scale), DB_POOL_MAX: process.env.DB_POOL_MAX ?? '10' };
  const [appServer, baseServer] = await Promise.all([
    start(['src/server.ts'], { ...env, ...appEnv(url, APP_PORT) }, `http://127.0.0.1:${APP_PORT}/health`),
    start(['bench/baseline.ts', String(BASE_PORT)], env, `http://127.0.0.1:${BASE_PORT}/health`),
  ]);
  const routes = new Set(Object.keys((await call('GET', '/openapi.json', undefined)).json.paths ?? {}));
  const tokens: Record<Who, string | undefined> = { public: undefined, owner: benchToken(1, ['OWNER', 'ADMIN']), customer: benchToken(s.doctors + 2, ['CUSTOMER']) };

  const results: Record<string, unknown>[] = [];
  for (const [index, sc] of scenarios.entries()) {
    if (only && !sc.name.includes(only)) continue;
    if (!routes.has(sc.route)) {
      console.log(`- ${sc.name}: SKIPPED (route ${sc.route} is not in this build)`);
      results.push({ name: sc.name, skipped: `route ${sc.route} not present` });
      continue;
    }
    const body = sc.body(s);
    const probe = await call(sc.method, sc.path, body, tokens[sc.who]);
    if (probe.status >= 300) {
      console.log(`- ${sc.name}: FAILED the probe request: ${probe.status} ${JSON.stringify(probe.json).slice(0, 200)}`);
      results.push({ name: sc.name, failed: `${probe.status} ${JSON.stringify(probe.json).slice(0, 500)}` });
      continue;
    }
    // app and baseline alternate, so a slow spell of the host falls on both sides of a round
    const appRuns: Stats[] = [];
    const baseRuns: Stats[] = [];
    for (let round = 0; round < rounds; round++) {
      const bodyAt = sc.bodyAt && ((i: number) => sc.bodyAt!(s, i));
      appRuns.push(await cannon(appServer, `http://127.0.0.1:${APP_PORT}${sc.path}`, sc.method, body, tokens[sc.who], bodyAt));
      baseRuns.push(await cannon(baseServer, `http://127.0.0.1:${BASE_PORT}/${index}`, 'POST', body, undefined, bodyAt));
    }
    const app = medianRun(appRuns);
    const base = medianRun(baseRuns);
    const ratios = appRuns.map((a, round) => a.rps / Math.max(1, baseRuns[round]!.rps));
    const ratio = +median(ratios).toFixed(2);
    const spread = rounds > 1 ? ` (rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')})` : '';
    console.log(`- ${sc.name}\n    app      ${fmt(app)}\n    baseline ${fmt(base)}   app/baseline ${ratio.toFixed(2)}${spread}`);
    results.push({ name: sc.name, method: sc.method, path: sc.path, app, baseline: base, ratio, ...(rounds > 1 ? { rounds: ratios.map((r) => +r.toFixed(2)) } : {}) });
  }

  const missing = CHECKOUT_ROUTES.filter((r) => !routes.has(r));
  if (only && !'checkout path'.includes(only)) {
    // not asked for (BENCH_ONLY)
  } else if (missing.length) {
    console.log(`- checkout path: SKIPPED (routes ${missing.join(', ')} are not in this build)`);
    results.push({ name: 'checkout path', skipped: `routes ${missing.join(', ')} not present` });
  } else {
    const step = async (method: string, path: string, body: unknown, tok: string) => {
      const r = await call(method, path, body, tok);
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json).slice(0, 200)}`);
      return r.json;
    };
    const app = await checkoutPaths(appServer, async (i) => {
      const c = checkoutCustomer(s, i);
      const tok = benchToken(c.user, ['CUSTOMER']);
      const init = await step('POST', '/orders/init', { id_users: c.user, id_patients: c.patient, order_type: 'E' }, tok);
      const id = init.orders.id;
      await step('POST', '/orders/e_add_to_carts', { id_order: id, items: [{ id_menu: c.menu, qty: 1 }] }, tok);
      // an e-commerce checkout needs a delivery address and a courier priced from a stored quote
      // (RajaOngkir's offline fallback table: DKI Jakarta / Jakarta Pusat / Gambir)
      await step('PUT', `/orders/${id}/update/address`, { kode_provinsi: 6, kode_kota: 152, kode_kecamatan: 1374, alamat_kirim: 'Jl. Bench 1, Gambir' }, tok);
      const quote = await step('POST', '/deliveries/calculate', { id_order: id, courier: 'jne' }, tok);
      const reg = quote[0].costs.find((x: { service: string }) => x.service === 'REG') ?? quote[0].costs[0];
      await step('PUT', `/orders/${id}/process/courier`, { courier: 'jne', costs: reg.cost[0].value, service: reg.service }, tok);
      await step('PUT', `/orders/${id}/checkout`, {}, tok);
    });
    const base = await checkoutPaths(baseServer, async (i) => {
      const r = await fetch(`http://127.0.0.1:${BASE_PORT}/checkout`, { method: 'POST', body: JSON.stringify({ i: i + 1_000_000 }) });
      if (r.status !== 200) throw new Error(await r.text());
    });
    console.log(`- checkout path (paths/s)${app.firstError ? `  first failure: ${app.firstError}` : ''}\n    app      ${fmt(app)}\n    baseline ${fmt(base)}`);
    results.push({ name: 'checkout path', unit: 'whole paths (init, add to cart, address, courier quote, courier, checkout)', app, baseline: base, ratio: +(app.rps / Math.max(1, base.rps)).toFixed(2) });
  }

  const out = { measured_at: new Date().toISOString(), scale, sizes: s, connections, duration_s: duration, rounds, cpus: os.cpus().length, loadavg_at_end: os.loadavg().map((x) => +x.toFixed(2)), node: process.version, results };
  // a partial run (BENCH_ONLY) leaves the last whole run's figures in place
  const file = only ? './results-only.json' : './results.json';
  writeFileSync(new URL(file, import.meta.url), JSON.stringify(out, null, 2) + '\n');
  console.log(`written bench/${file.slice(2)}`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGTERM');
  });
