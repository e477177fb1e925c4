import { z } from 'zod';
import { Prisma, type PrismaClient } from '../../db/client.js';
import { badRequest } from '../../http/errors.js';
import * as shape from '../../http/response.js';
import { clinicDay, clinicDayStart, formatDate, formatDateTime } from '../../lib/dates.js';
import { date, idList } from '../../lib/schemas.js';
import { likePattern } from '../../lib/text-search.js';
import { pageRows, tableOf, type TableResult, type tableWindow } from './table.js';

// Report queries go straight to the tables in SQL (aggregates Prisma's groupBy cannot express).
// Revenue = paid orders only: is_paid = 1, not cancelled, not taken back in full by Midtrans, each
// net of what Midtrans took back (REVENUE); days and months are Asia/Jakarta days, turned into
// instant ranges on paid_date here so the (is_paid, paid_date) index serves them.

/** Dashboard forms send "" for an empty filter: treat it (and null) as absent. */
const opt = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' || v === null ? undefined : v), s.optional());

export const reportFilters = z.object({
  tgl_awal: opt(date),
  tgl_akhir: opt(date),
  order_type: opt(z.string().trim().toUpperCase().pipe(z.enum(['E', 'C']))),
  status: opt(z.string().trim().toUpperCase().max(20)),
  id_menus: opt(idList),
  id_doctors: opt(idList),
  id_services: opt(idList),
});
export type ReportFilters = z.infer<typeof reportFilters>;

export function parseReportFilters(raw: unknown): ReportFilters {
  const r = reportFilters.safeParse(raw && typeof raw === 'object' ? raw : {});
  if (!r.success) throw badRequest('Invalid filter', r.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })));
  const f = r.data;
  if (f.tgl_awal && f.tgl_akhir && f.tgl_awal > f.tgl_akhir) {
    throw badRequest('tgl_awal must not be after tgl_akhir', [{ field: 'tgl_akhir', message: 'before tgl_awal' }]);
  }
  return f;
}

const DAY_MS = 86_400_000;
const num = (v: unknown) => Number(v ?? 0);
const ids = (list: number[]) => Prisma.join(list);

/**
 * A date bound written into the statement as a literal, not a bind parameter. The server keeps
 * statements that recur prepared (src/db/client.ts), and after five runs PostgreSQL may keep one
 * generic plan for them, made without the dates: a report run for a month, then for a year, was
 * planned for an unknown range (products over a year: 680 ms through the app against 280 ms for
 * its own plan; docs/performance.md, round 17). The values are built here from Date objects
 * (ISO text), never from the request's text.
 */
const instant = (d: Date) => Prisma.raw(`'${d.toISOString()}'::timestamptz`);
const day = (d: Date) => Prisma.raw(`'${formatDate(d)}'::date`);

/** What an order (alias `o`) brought in: what the customer paid less what Midtrans gave back. */
const REVENUE = Prisma.raw('(o.grand_totals - o.refunded_amount)');

/**
 * The orders a sales report counts (alias `o`). One whose payment Midtrans took back in full (after
 * it shipped, so it could not be cancelled) is no sale any more; one taken back in part still is.
 */
function paidOrders(f: ReportFilters): Prisma.Sql {
  const parts = [
    Prisma.sql`o.is_paid = 1`, Prisma.sql`o.is_canceled = 0`, Prisma.sql`o.status <> 'CANCEL'`, Prisma.sql`o.paid_date IS NOT NULL`,
    Prisma.sql`(o.refunded_amount = 0 OR o.refunded_amount < o.grand_totals)`,
  ];
  if (f.tgl_awal) parts.push(Prisma.sql`o.paid_date >= ${instant(clinicDayStart(f.tgl_awal))}`);
  if (f.tgl_akhir) parts.push(Prisma.sql`o.paid_date < ${instant(clinicDayStart(new Date(f.tgl_akhir.getTime() + DAY_MS)))}`);
  if (f.order_type) parts.push(Prisma.sql`o.order_type = ${f.order_type}`);
  if (f.status) parts.push(Prisma.sql`o.status = ${f.status}`);
  // id_menus narrows the e-commerce orders (those selling one of the products), id_doctors the
  // consultation orders (with one of the doctors); each leaves the other kind alone. Written as
  // `o.id IN (subquery)`, not a correlated EXISTS: PostgreSQL runs the subquery once (the lines of
  // the products, or the doctors' consultations, by their indexes) and checks each order against
  // its hashed result, inside the index-only scan of orders_paid_report_idx (which holds `id`).
  // The EXISTS form was planned at a cost ~70 times higher, past jit_above_cost: a full-data
  // stats with id_menus spent 330 ms compiling before running 150 ms (docs/performance.md, round 17).
  if (f.id_menus?.length) {
    parts.push(Prisma.sql`(o.order_type <> 'E' OR o.id IN (SELECT i.id_order FROM order_items i WHERE i.is_canceled = 0 AND i.id_menu IN (${ids(f.id_menus)})))`);
  }
  if (f.id_doctors?.length) {
    parts.push(Prisma.sql`(o.order_type <> 'C' OR o.id IN (SELECT e.id_orders FROM order_extras e WHERE e.id_doctors IN (${ids(f.id_doctors)})))`);
  }
  return Prisma.join(parts, ' AND ');
}

/** report/penjualan/stats: counts and whole-rupiah sums (0 when nothing matches) */
export const statsSchema = z.object({
  total_sales: shape.int,
  total_online_consultation: shape.int,
  amount_sales: shape.int,
  amount_online_consultation: shape.int,
  amount_discount: shape.int,
  amount_total: shape.int,
  total_customer: shape.int,
});

export async function salesStats(db: PrismaClient, f: ReportFilters) {
  const [r] = await db.$queryRaw<Record<string, bigint | null>[]>`
    SELECT count(*) FILTER (WHERE o.order_type = 'E') AS total_sales,
           count(*) FILTER (WHERE o.order_type = 'C') AS total_online_consultation,
           sum(${REVENUE}) FILTER (WHERE o.order_type = 'E') AS amount_sales,
           sum(${REVENUE}) FILTER (WHERE o.order_type = 'C') AS amount_online_consultation,
           sum(o.total_discount) AS amount_discount,
           sum(${REVENUE}) AS amount_total,
           count(DISTINCT o.id_member) AS total_customer
    FROM orders o WHERE ${paidOrders(f)}`;
  return {
    total_sales: num(r?.total_sales),
    total_online_consultation: num(r?.total_online_consultation),
    amount_sales: num(r?.amount_sales),
    amount_online_consultation: num(r?.amount_online_consultation),
    amount_discount: num(r?.amount_discount),
    amount_total: num(r?.amount_total),
    total_customer: num(r?.total_customer),
  };
}

/** A report table's columns in the document's order, with what each cell holds. */
type Cells = Record<string, z.ZodType>;
const names = (cells: Cells) => Object.keys(cells);
const tableSchema = (cells: Cells) => tableOf(Object.values(cells));

const OVERALL_CELLS = {
  order_code: shape.str,
  order_date: shape.str,
  order_type: z.enum(['E', 'C']),
  nama_pemesan: shape.str,
  total_price: shape.int,
  total_discount: shape.int,
  courier_price: shape.int,
  poin_used: shape.int,
  grand_totals: shape.int,
  status: shape.str,
};
export const OVERALL_COLUMNS = names(OVERALL_CELLS);
export const overallSchema = tableSchema(OVERALL_CELLS);

/** overall's grand_totals is the order's revenue (net of refunds), and sorts by it */
const overallSortKey = (column: string) => (column === 'grand_totals' ? REVENUE : Prisma.raw(`o.${column}`));

/** report/penjualan/overall: one row per paid order, paged and sorted in SQL. */
export async function salesOverall(db: PrismaClient, f: ReportFilters, t: ReturnType<typeof tableWindow>): Promise<TableResult> {
  const where = paidOrders(f);
  const search = t.search
    ? Prisma.sql` AND (o.order_code ILIKE ${likePattern(t.search)} OR o.nama_pemesan ILIKE ${likePattern(t.search)})`
    : Prisma.empty;
  const orderBy = t.order
    .filter((o) => o.column < OVERALL_COLUMNS.length)
    .map((o) => Prisma.sql`${overallSortKey(OVERALL_COLUMNS[o.column]!)} ${Prisma.raw(o.dir === 'asc' ? 'ASC' : 'DESC')}`);
  orderBy.push(Prisma.raw('o.paid_date DESC'), Prisma.raw('o.id DESC'));
  const count = (extra: Prisma.Sql) => db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM orders o WHERE ${where}${extra}`;
  const [total, filtered, rows] = await Promise.all([
    count(Prisma.empty),
    t.search ? count(search) : null,
    db.$queryRaw<Record<string, any>[]>`
      SELECT o.order_code, o.order_date, o.order_type, o.nama_pemesan, o.total_price, o.total_discount,
             o.courier_price, o.poin_used, ${REVENUE} AS grand_totals, o.status
      FROM orders o WHERE ${where}${search}
      ORDER BY ${Prisma.join(orderBy)} LIMIT ${t.take} OFFSET ${t.start}`,
  ]);
  const recordsTotal = num(total[0]?.n);
  return {
    draw: t.draw,
    recordsTotal,
    recordsFiltered: filtered ? num(filtered[0]?.n) : recordsTotal,
    data: rows.map((r) => [
      r.order_code ?? '', formatDateTime(r.order_date), r.order_type, r.nama_pemesan, r.total_price, r.total_discount,
      r.courier_price, r.poin_used, r.grand_totals, r.status,
    ]),
  };
}

const PRODUCT_CELLS = { nama_menus: shape.str, qty: shape.int, price_total: shape.int };
export const PRODUCT_COLUMNS = names(PRODUCT_CELLS);
export const productsSchema = tableSchema(PRODUCT_CELLS);

/**
 * report/penjualan/products: units and line totals per product over the paid orders. Only e-commerce
 * orders have lines, and id_doctors narrows consultation orders only: it changes nothing here and is
 * left out of the statement (with it, the planner misjudged the rows and read every line for 370–430 ms).
 */
export async function salesProducts(db: PrismaClient, f: ReportFilters, t: ReturnType<typeof tableWindow>) {
  const menus = f.id_menus?.length ? Prisma.sql` AND i.id_menu IN (${ids(f.id_menus)})` : Prisma.empty;
  // summed per product first, the names joined to the sums (a few thousand rows), not to every line
  const rows = await db.$queryRaw<{ nama_menus: string; qty: bigint; price_total: bigint }[]>`
    SELECT m.nama_menus, s.qty, s.price_total
    FROM (SELECT i.id_menu, sum(i.qty) AS qty, sum(i.price_total) AS price_total
          FROM order_items i JOIN orders o ON o.id = i.id_order
          WHERE ${paidOrders({ ...f, id_doctors: undefined })} AND o.order_type = 'E' AND i.is_canceled = 0${menus}
          GROUP BY i.id_menu) s
      JOIN menus m ON m.id = s.id_menu
    ORDER BY s.qty DESC, s.id_menu`;
  return pageRows(rows.map((r) => [r.nama_menus, num(r.qty), num(r.price_total)]), t, [0], t.draw);
}

const CONSULTATION_CELLS = { doctors: shape.str, qty: shape.int, amount: shape.int };
export const CONSULTATION_COLUMNS = names(CONSULTATION_CELLS);
export const consultationsSchema = tableSchema(CONSULTATION_CELLS);

/** report/penjualan/online_consultations: consultations and their price per doctor (id_menus, which narrows e-commerce orders only, changes nothing here). */
export async function salesConsultations(db: PrismaClient, f: ReportFilters, t: ReturnType<typeof tableWindow>) {
  const doctors = f.id_doctors?.length ? Prisma.sql` AND e.id_doctors IN (${ids(f.id_doctors)})` : Prisma.empty;
  const rows = await db.$queryRaw<{ doctors: string; qty: bigint; amount: bigint }[]>`
    SELECT u.users_fullname AS doctors, sum(e.qty) AS qty, sum(e.qty::bigint * e.extra_prices) AS amount
    FROM order_extras e JOIN orders o ON o.id = e.id_orders
      JOIN doctors d ON d.id = e.id_doctors JOIN users u ON u.id = d.id_users
    WHERE ${paidOrders({ ...f, id_menus: undefined })} AND o.order_type = 'C'${doctors}
    GROUP BY e.id_doctors, u.users_fullname ORDER BY sum(e.qty) DESC, e.id_doctors`;
  return pageRows(rows.map((r) => [r.doctors, num(r.qty), num(r.amount)]), t, [0], t.draw);
}

/** Appointments that took place (the patient came): ARRIVED or DONE, not deleted. */
function servedAppointments(f: Pick<ReportFilters, 'tgl_awal' | 'tgl_akhir' | 'id_doctors' | 'id_services'>): Prisma.Sql {
  const parts = [Prisma.sql`us.deleted_at IS NULL`, Prisma.sql`us.status IN ('ARRIVED', 'DONE')`];
  if (f.tgl_awal) parts.push(Prisma.sql`us.tanggal >= ${day(f.tgl_awal)}`);
  if (f.tgl_akhir) parts.push(Prisma.sql`us.tanggal <= ${day(f.tgl_akhir)}`);
  if (f.id_doctors?.length) parts.push(Prisma.sql`us.id_doctors IN (${ids(f.id_doctors)})`);
  if (f.id_services?.length) parts.push(Prisma.sql`us.id_services IN (${ids(f.id_services)})`);
  return Prisma.join(parts, ' AND ');
}

/** durations: minutes of the served appointments; doctors_picture_url '' when there is no picture */
const PERFORMANCE_CELLS = { doctors: shape.str, services_name: shape.str, qty: shape.int, durations: shape.int, doctors_picture_url: shape.str };
export const PERFORMANCE_COLUMNS = names(PERFORMANCE_CELLS);
export const performanceSchema = tableSchema(PERFORMANCE_CELLS);

/** report/offline/appoinment/performance: served appointments and minutes per doctor and service. */
export async function appointmentPerformance(
  db: PrismaClient,
  f: ReportFilters,
  t: ReturnType<typeof tableWindow>,
  pictureUrl: (name: string) => string,
) {
  const rows = await db.$queryRaw<{ doctors: string; services_name: string; qty: bigint; durations: bigint; users_picture: string }[]>`
    SELECT u.users_fullname AS doctors, s.services_name, count(*) AS qty,
           sum(extract(epoch FROM (us.jam_selesai - us.jam)) / 60)::bigint AS durations, u.users_picture
    FROM user_schedules us JOIN doctors d ON d.id = us.id_doctors JOIN users u ON u.id = d.id_users
      JOIN services s ON s.id = us.id_services
    WHERE ${servedAppointments(f)}
    GROUP BY us.id_doctors, us.id_services, u.users_fullname, u.users_picture, s.services_name
    ORDER BY count(*) DESC, us.id_doctors, us.id_services`;
  return pageRows(
    rows.map((r) => [r.doctors, r.services_name, num(r.qty), num(r.durations), pictureUrl(r.users_picture)]),
    t,
    [0, 1],
    t.draw,
    [4], // doctors_picture_url
  );
}

// ---------------------------------------------------------------------------------------------
// Dashboard cards: year to date in Asia/Jakarta.

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;

/** The clinic's current year and month, and the instants that bound the year so far. */
function yearToDate(now: Date) {
  const today = clinicDay(now);
  const year = today.getUTCFullYear();
  const month = today.getUTCMonth() + 1;
  return { year, month, from: new Date(Date.UTC(year, 0, 1)), to: today };
}

/** Paid revenue and paid-order counts per Asia/Jakarta month of this year, every month so far. */
export async function monthlyTotals(db: PrismaClient, now: Date) {
  const ytd = yearToDate(now);
  const rows = await db.$queryRaw<{ months: number; amounts: bigint; counts: bigint }[]>`
    SELECT extract(month FROM (o.paid_date AT TIME ZONE 'Asia/Jakarta'))::int AS months,
           sum(${REVENUE}) AS amounts, count(*) AS counts
    FROM orders o WHERE ${paidOrders({ tgl_awal: ytd.from, tgl_akhir: ytd.to })}
    GROUP BY 1`;
  const byMonth = new Map(rows.map((r) => [Number(r.months), r]));
  return Array.from({ length: ytd.month }, (_, i) => {
    const r = byMonth.get(i + 1);
    return { months: i + 1, years: ytd.year, amounts: num(r?.amounts), counts: num(r?.counts), month_names: MONTH_NAMES[i]! };
  });
}

/** Best-selling products of the year so far (units sold in paid orders). */
export async function topProducts(db: PrismaClient, now: Date, limit: number) {
  const ytd = yearToDate(now);
  // the top `limit` chosen from the sums per product, the names joined to those only
  const rows = await db.$queryRaw<{ id_menu: number; nama_menus: string; counts: bigint }[]>`
    SELECT s.id_menu, m.nama_menus, s.counts
    FROM (SELECT i.id_menu, sum(i.qty) AS counts
          FROM order_items i JOIN orders o ON o.id = i.id_order
          WHERE ${paidOrders({ tgl_awal: ytd.from, tgl_akhir: ytd.to })} AND i.is_canceled = 0
          GROUP BY i.id_menu ORDER BY sum(i.qty) DESC, i.id_menu LIMIT ${limit}) s
      JOIN menus m ON m.id = s.id_menu
    ORDER BY s.counts DESC, s.id_menu`;
  // The document prints these counts as strings (and the services' counts as numbers).
  return rows.map((r) => ({ id_menu: r.id_menu, nama_menus: r.nama_menus, counts: String(r.counts) }));
}

/** Most performed services of the year so far (appointments that took place). */
export async function topServices(db: PrismaClient, now: Date, limit: number) {
  const ytd = yearToDate(now);
  const rows = await db.$queryRaw<{ id_services: number; services_name: string; counts: bigint }[]>`
    SELECT us.id_services, s.services_name, count(*) AS counts
    FROM user_schedules us JOIN services s ON s.id = us.id_services
    WHERE ${servedAppointments({ tgl_awal: ytd.from, tgl_akhir: ytd.to })}
    GROUP BY us.id_services, s.services_name ORDER BY count(*) DESC, us.id_services LIMIT ${limit}`;
  return rows.map((r) => ({ id_services: r.id_services, services_name: r.services_name, counts: num(r.counts) }));
}

const month = { months: shape.int.min(1).max(12), years: shape.int, month_names: z.enum(MONTH_NAMES) };
/** dashboard/total/pendapatan: the document prints the amounts as strings (whole rupiah) */
export const revenueSchema = z.object({ pendapatan: z.array(z.object({ ...month, amounts: shape.str.regex(/^\d+$/) })) });
export const invoiceSchema = z.object({ invoice: z.array(z.object({ ...month, counts: shape.int })) });
/** the document prints the products' counts as strings, the services' as numbers */
export const topProductsSchema = z.object({ items: z.array(z.object({ id_menu: shape.int, nama_menus: shape.str, counts: shape.str.regex(/^\d+$/) })) });
export const topServicesSchema = z.object({ items: z.array(z.object({ id_services: shape.int, services_name: shape.str, counts: shape.int })) });
