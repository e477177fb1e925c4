import { z } from 'zod';
import { wholeNumber } from '../../lib/schemas.js';
import { STAFF } from '../../http/auth-user.js';
import { route, type RequestContext, type RouteDef } from '../../http/route.js';
import {
  columnNames,
  runUpcoming,
  upcomingSchema,
  upcomingAppointments,
  upcomingOrders,
  upcomingPromotions,
} from './dashboard.service.js';
import {
  appointmentPerformance,
  CONSULTATION_COLUMNS,
  consultationsSchema,
  invoiceSchema,
  monthlyTotals,
  OVERALL_COLUMNS,
  overallSchema,
  parseReportFilters,
  PERFORMANCE_COLUMNS,
  performanceSchema,
  PRODUCT_COLUMNS,
  productsSchema,
  reportFilters,
  revenueSchema,
  salesConsultations,
  salesOverall,
  salesProducts,
  salesStats,
  statsSchema,
  topProducts,
  topProductsSchema,
  topServices,
  topServicesSchema,
  type ReportFilters,
} from './reports.service.js';
import { formatQuery, sendTable, tableWindow, type TableResult } from './table.js';

// Reports and dashboard cards: OWNER/ADMIN only. Tables follow the DataTables protocol and also
// answer `?format=csv` (every filtered row, the documented columns as the header).

const tableBody = z.record(z.string(), z.unknown()).optional();
const cardBody = z.object({ limit: wholeNumber(1, 50).default(10) }).loose().optional();

type Runner = (ctx: RequestContext, f: ReportFilters, t: ReturnType<typeof tableWindow>) => Promise<TableResult>;

/** JSON: the DataTables envelope (`response`); ?format=csv: a CSV file (`produces`). */
function reportTable(path: string, header: readonly string[], response: z.ZodType, summary: string, run: Runner): RouteDef {
  return route({
    method: 'post',
    path,
    access: STAFF,
    tag: 'reports',
    summary: `${summary}. DataTables columns: ${header.map((c, i) => `${i}:${c}`).join(', ')}; ?format=csv exports`,
    query: formatQuery,
    body: tableBody,
    response,
    produces: ['text/csv'],
    handler: async (ctx) => {
      const raw = (ctx.body ?? {}) as Record<string, unknown>;
      const csv = ctx.query.format === 'csv';
      const result = await run(ctx, parseReportFilters(raw), tableWindow(raw, csv));
      return sendTable(ctx.res, ctx.query.format, path.split('/').filter(Boolean).join('_'), header, result);
    },
  });
}

function upcomingTable(path: string, spec: Parameters<typeof runUpcoming>[1], summary: string): RouteDef {
  const header = columnNames(spec);
  return reportTable(path, header, upcomingSchema(spec), summary, (ctx, _f, t) => runUpcoming(ctx.app, spec, t));
}

export const reportRoutes: RouteDef[] = [
  route({
    method: 'post',
    path: '/report/penjualan/stats',
    access: STAFF,
    tag: 'reports',
    summary: 'Sales totals of paid orders (tgl_awal..tgl_akhir by Asia/Jakarta payment day)',
    response: statsSchema,
    body: reportFilters.loose().optional(),
    handler: async (ctx) => salesStats(ctx.app.db, parseReportFilters(ctx.req.body)),
  }),
  reportTable('/report/penjualan/overall', OVERALL_COLUMNS, overallSchema, 'Paid orders', (ctx, f, t) => salesOverall(ctx.app.db, f, t)),
  reportTable('/report/penjualan/products', PRODUCT_COLUMNS, productsSchema, 'Units and line totals per product', (ctx, f, t) => salesProducts(ctx.app.db, f, t)),
  reportTable('/report/penjualan/online_consultations', CONSULTATION_COLUMNS, consultationsSchema, 'Online consultations per doctor', (ctx, f, t) =>
    salesConsultations(ctx.app.db, f, t),
  ),
  reportTable('/report/offline/appoinment/performance', PERFORMANCE_COLUMNS, performanceSchema, 'Served appointments per doctor and service', (ctx, f, t) =>
    appointmentPerformance(ctx.app.db, f, t, (name) => ctx.app.storage.publicUrl('users', name)),
  ),

  route({
    method: 'post',
    path: '/dashboard/total/pendapatan',
    access: STAFF,
    tag: 'dashboard',
    summary: 'Paid revenue per Asia/Jakarta month, year to date',
    response: revenueSchema,
    handler: async (ctx) => ({
      // The document prints the amounts as strings.
      pendapatan: (await monthlyTotals(ctx.app.db, ctx.app.now())).map(({ counts: _c, amounts, ...m }) => ({
        months: m.months,
        years: m.years,
        amounts: String(amounts),
        month_names: m.month_names,
      })),
    }),
  }),
  route({
    method: 'post',
    path: '/dashboard/total/invoice',
    access: STAFF,
    tag: 'dashboard',
    summary: 'Paid orders per Asia/Jakarta month, year to date',
    response: invoiceSchema,
    handler: async (ctx) => ({
      invoice: (await monthlyTotals(ctx.app.db, ctx.app.now())).map((m) => ({
        months: m.months,
        years: m.years,
        counts: m.counts,
        month_names: m.month_names,
      })),
    }),
  }),
  route({
    method: 'post',
    path: '/dashboard/total/products',
    access: STAFF,
    tag: 'dashboard',
    summary: 'Best-selling products (units in paid orders), year to date',
    response: topProductsSchema,
    body: cardBody,
    handler: async (ctx) => ({ items: await topProducts(ctx.app.db, ctx.app.now(), ctx.body?.limit ?? 10) }),
  }),
  route({
    method: 'post',
    path: '/dashboard/total/services',
    access: STAFF,
    tag: 'dashboard',
    summary: 'Most performed services (arrived/done appointments), year to date',
    response: topServicesSchema,
    body: cardBody,
    handler: async (ctx) => ({ items: await topServices(ctx.app.db, ctx.app.now(), ctx.body?.limit ?? 10) }),
  }),
  upcomingTable('/dashboard/upcoming/offline_appoinments', upcomingAppointments, 'Bookings from today on'),
  upcomingTable('/dashboard/upcoming/ecommerce', upcomingOrders, 'Paid e-commerce orders awaiting fulfilment'),
  upcomingTable('/dashboard/upcoming/promotions', upcomingPromotions, 'Promotions running or starting later'),
];
