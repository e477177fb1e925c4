// npx tsx bench/calls.ts: the Node CPU one call of a hot read costs, without HTTP, against the
// seeded bench database (run `npm run bench` or `npx tsx bench/seed-cli.ts` first).
//   BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/colederma_bench),
//   CALLS_ONLY=<text> to run only the calls whose name contains it.
// Each call runs 500 times to warm up, then 4,000 times, 8 at a time; the figure is the process's
// user + system CPU over those runs divided by their number. Without the HTTP server, the other
// process and autocannon on the same two cores, it separates differences of 0.05 ms that the
// whole bench cannot tell from the host's noise (docs/performance.md, round 6).
import { postgresClient, sqlRows } from '../src/db/client.js';
import { menuById, menuList, storeMenuList } from '../src/modules/catalogue/menus.service.js';
import { readOrderDetail } from '../src/modules/commerce/order-detail.js';
import { orderDetailInclude } from '../src/modules/commerce/orders.routes.js';
import { readThreadMessages } from '../src/modules/consultations/threads.service.js';
import { availability } from '../src/modules/clinic/booking.service.js';
import { ReadCache } from '../src/db/read-cache.js';
import type { AppContext } from '../src/app-context.js';
import type { AuthUser } from '../src/http/auth-user.js';

const url = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/colederma_bench';
const only = process.env.CALLS_ONLY;
const { prisma, close } = postgresClient(url, 10, 10_000);
// the configuration defaults availability reads (src/config.ts)
const config = { BOOKING_AVAILABILITY_DAYS: 15, BOOKING_MIN_NOTICE_MINUTES: 60, BOOKING_DEFAULT_SLOT_MINUTES: 30 };
// a read cache with no change feed keeps nothing: every call here is computed
const reads = new ReadCache({ ttlMs: 0, maxEntries: 0, now: () => Date.now() });
const app = { db: prisma, now: () => new Date(), config, reads } as unknown as AppContext;
const owner: AuthUser = { id: 1, username: 'owner', roles: ['OWNER', 'ADMIN'] };
const tableWhere = { status: { not: 'SHOPPING CARTS' } };

const calls: [string, () => Promise<unknown>][] = [
  ['thread_messages/explore (readThreadMessages)', () => readThreadMessages(app, owner, 1, {}, 0, 10)],
  ['menus/explore (menuList, 10 of all)', () => menuList(prisma, {}, { skip: 0, take: 10, count: true })],
  ['menus/:id (menuById)', () => menuById(prisma, 1)],
  ['brandstore_menus/search (storeMenuList)', () => storeMenuList(prisma, { idbrandstore: 2 }, false, { skip: 0, take: 10, count: false })],
  ['orders/:id (readOrderDetail)', () => readOrderDetail(prisma, owner, 1)],
  ['the same through Prisma (findFirst with relations)', () => prisma.order.findFirst({ where: { id: 1 }, include: orderDetailInclude })],
  ['doctor availability (availability, doctor 1, service 2)', () => availability(app, { app, user: owner }, 1, 2)],
  ['one Prisma findUnique by id', () => prisma.order.findUnique({ where: { id: 1 } })],
  // orders/table's page of rows: as it was (Prisma maps 47 fields a row), and as it is (tableRowsFrom)
  ['orders/table rows: Prisma findMany of 10 orders', () => prisma.order.findMany({ where: tableWhere, orderBy: [{ id: 'desc' }], take: 10 })],
  [
    'orders/table rows: ids through Prisma, rows through pg',
    () =>
      prisma.order
        .findMany({ where: tableWhere, orderBy: [{ id: 'desc' }], take: 10, select: { id: true } })
        .then((ids) => sqlRows(prisma, 'SELECT * FROM "orders" WHERE id = ANY($1::int[])', [ids.map((r) => r.id)], { prepared: true })),
  ],
];

/** `n` calls, `parallel` at a time (so the pool's connections are open and their statements prepared) */
async function run(fn: () => Promise<unknown>, n: number, parallel = 8) {
  let left = n;
  await Promise.all(Array.from({ length: parallel }, async () => { while (left-- > 0) await fn(); }));
}

async function measure(fn: () => Promise<unknown>, n = 4000) {
  await run(fn, 500);
  const before = process.cpuUsage();
  await run(fn, n);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / n;
}

try {
  for (const [name, fn] of calls) {
    if (only && !name.includes(only)) continue;
    console.log(`${name.padEnd(52)} ${(await measure(fn)).toFixed(3)} ms of Node CPU a call`);
  }
} finally {
  await close();
}
