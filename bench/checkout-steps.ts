// npx tsx bench/checkout-steps.ts: the CPU each call of the checkout path costs the API process and
// PostgreSQL, one call at a time by kind: every path's init, then every path's add to cart, and so
// on (8 customers at a time), so each kind's CPU is read off /proc on its own. On the seeded bench
// database (run `npm run bench` or `npx tsx bench/seed-cli.ts` first).
//   BENCH_DATABASE_URL, BENCH_SCALE (default 1), STEPS_PATHS (default 400 paths),
//   STEPS_CPU_PROFILE=<dir> (a V8 CPU profile of the API)
import { spawn } from 'node:child_process';
import { appEnv, benchToken } from './app-env.js';
import { checkoutCustomer } from './checkout.js';
import { measureCpu } from './cpu.js';
import { sizes } from './seed.js';

const url = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/colederma_bench';
const s = sizes(Number(process.env.BENCH_SCALE ?? 1));
const paths = Number(process.env.STEPS_PATHS ?? 400);
const PORT = 3902;
const base = `http://127.0.0.1:${PORT}`;

const server = spawn(process.execPath, [...(process.env.STEPS_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.STEPS_CPU_PROFILE}`] : []), '--import', 'tsx', 'src/server.ts'], {
  env: { ...process.env, ...appEnv(url, PORT) },
  stdio: ['ignore', 'ignore', 'inherit'],
});
try {
  while (!(await fetch(`${base}/health`).then((r) => r.ok, () => false))) await new Promise((r) => setTimeout(r, 250));
  async function call(method: string, path: string, body: unknown, tok: string) {
    const r = await fetch(base + path, { method, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tok}` }, body: JSON.stringify(body) });
    const json: any = await r.json();
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json).slice(0, 200)}`);
    return json;
  }
  // customers far from the ones `npm run bench` uses
  const who = Array.from({ length: paths }, (_, k) => {
    const c = checkoutCustomer(s, 5_000_000 + Date.now() % 100_000 + k);
    return { ...c, tok: benchToken(c.user, ['CUSTOMER']), id: 0, cost: 0, service: '' };
  });
  const steps: [string, (w: (typeof who)[number]) => Promise<unknown>][] = [
    ['orders/init', async (w) => { w.id = (await call('POST', '/orders/init', { id_users: w.user, id_patients: w.patient, order_type: 'E' }, w.tok)).orders.id; }],
    ['orders/e_add_to_carts', (w) => call('POST', '/orders/e_add_to_carts', { id_order: w.id, items: [{ id_menu: w.menu, qty: 1 }] }, w.tok)],
    ['orders/:id/update/address', (w) => call('PUT', `/orders/${w.id}/update/address`, { kode_provinsi: 6, kode_kota: 152, kode_kecamatan: 1374, alamat_kirim: 'Jl. Bench 1, Gambir' }, w.tok)],
    ['deliveries/calculate', async (w) => {
      const quote = await call('POST', '/deliveries/calculate', { id_order: w.id, courier: 'jne' }, w.tok);
      const reg = quote[0].costs.find((x: { service: string }) => x.service === 'REG') ?? quote[0].costs[0];
      w.cost = reg.cost[0].value;
      w.service = reg.service;
    }],
    ['orders/:id/process/courier', (w) => call('PUT', `/orders/${w.id}/process/courier`, { courier: 'jne', costs: w.cost, service: w.service }, w.tok)],
    ['orders/:id/checkout', (w) => call('PUT', `/orders/${w.id}/checkout`, {}, w.tok)],
  ];
  // warm up (JIT, prepared statements, Prisma's query plans): whole paths of other customers
  for (const w of who.slice(0, Number(process.env.STEPS_WARMUP ?? 50)).map((w, k) => ({ ...w, ...checkoutCustomer(s, 7_000_000 + Date.now() % 100_000 + k) }))) {
    w.tok = benchToken(w.user, ['CUSTOMER']);
    for (const [, step] of steps) await step(w);
  }
  let total = { node: 0, pg: 0 };
  for (const [name, step] of steps) {
    const r = await measureCpu(server.pid, async () => {
      let next = 0;
      await Promise.all(Array.from({ length: 8 }, async () => { while (next < who.length) await step(who[next++]!); }));
      return { requests: who.length };
    });
    const { server_ms, postgres_ms } = r.cpu_ms_per_request;
    total = { node: total.node + (server_ms ?? 0), pg: total.pg + (postgres_ms ?? 0) };
    console.log(`${name.padEnd(28)} Node ${server_ms?.toFixed(2)} ms  PostgreSQL ${postgres_ms?.toFixed(2)} ms a call`);
  }
  console.log(`${'whole path'.padEnd(28)} Node ${total.node.toFixed(2)} ms  PostgreSQL ${total.pg.toFixed(2)} ms`);
} finally {
  const exited = new Promise((r) => server.once('exit', r));
  server.kill();
  await exited;
}
