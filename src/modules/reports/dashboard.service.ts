import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import * as shape from '../../http/response.js';
import { clinicDay, formatDate, formatDateTime, formatTime } from '../../lib/dates.js';
import { DAYS_ID } from '../clinic/serializers.js';
import { tableOf, type TableResult, type tableWindow } from './table.js';
import { containsText } from '../../lib/text-search.js';

// The dashboard's "upcoming" tables: plain lists, one findMany with its relations + two counts.

type Row = any;
type Where = Record<string, unknown>;
interface Col {
  name: string;
  /** what the cell holds (a null value is sent as '') */
  cell: z.ZodType;
  value: (r: Row, app: AppContext) => unknown;
  /** a list when it sorts by several fields */
  orderBy?: (dir: 'asc' | 'desc') => Record<string, unknown> | Record<string, unknown>[];
}
interface UpcomingTable {
  model: (app: AppContext) => any;
  where: (app: AppContext) => Where;
  search: (v: string) => Where[];
  include?: Record<string, unknown>;
  defaultOrder: Record<string, unknown>[];
  columns: Col[];
}

const numeric = (v: string) => (/^\d{1,9}$/.test(v) ? [{ id: Number(v) }] : []);
/** `orderBy` builds the sort of the column from its direction; the default is the field of its name. */
const col = (name: string, cell: z.ZodType, value: (r: Row, app: AppContext) => unknown, orderBy: Col['orderBy'] = (d) => ({ [name]: d })): Col => ({
  name,
  cell,
  value,
  orderBy,
});
const plain = (name: string, cell: z.ZodType) => col(name, cell, (r) => r[name]);
const text = (name: string) => plain(name, shape.str);
const int = (name: string) => plain(name, shape.int);
const flag = (name: string) => plain(name, shape.flag);
/** a date-time column, '' when unset */
const stamp = (name: string) => col(name, shape.str, (r) => formatDateTime(r[name]) ?? '');
/** an optional reference, 0 when unset (the document's convention) */
const zeroIfNull = (name: string) => col(name, shape.int, (r) => r[name] ?? 0);

export async function runUpcoming(app: AppContext, spec: UpcomingTable, t: ReturnType<typeof tableWindow>): Promise<TableResult> {
  const base = spec.where(app);
  const where = t.search ? { AND: [base, { OR: [...spec.search(t.search), ...numeric(t.search)] }] } : base;
  const orderBy = t.order.flatMap((o) => spec.columns[o.column]?.orderBy?.(o.dir) ?? []);
  const m = spec.model(app);
  const [recordsTotal, recordsFiltered, rows] = await Promise.all([
    m.count({ where: base }),
    t.search ? m.count({ where }) : null,
    m.findMany({ where, include: spec.include, orderBy: [...orderBy, ...spec.defaultOrder], skip: t.start, take: t.take }),
  ]);
  return {
    draw: t.draw,
    recordsTotal,
    recordsFiltered: recordsFiltered ?? recordsTotal,
    data: rows.map((r: Row) => spec.columns.map((c) => c.value(r, app) ?? '')),
  };
}

/** Bookings still to come (today's included), soonest first. */
export const upcomingAppointments: UpcomingTable = {
  model: (app) => app.db.userSchedule,
  where: (app) => ({ deleted_at: null, status: { in: ['BOOKING', 'RESCHEDULE'] }, tanggal: { gte: clinicDay(app.now()) } }),
  search: (v) => [
    { patient: { nama_lengkap_pasien: containsText(v) } },
    { user: { users_fullname: containsText(v) } },
    { service: { services_name: containsText(v) } },
    { doctor: { user: { users_fullname: containsText(v) } } },
    { digisoft_invoice_numbers: containsText(v) },
  ],
  include: { doctor: { include: { user: true } }, service: true, user: true, patient: true },
  defaultOrder: [{ tanggal: 'asc' }, { jam: 'asc' }, { id: 'asc' }],
  columns: [
    int('id'),
    int('id_doctors'),
    int('id_services'),
    int('id_doctor_schedules'),
    int('id_users'),
    int('id_patients'),
    int('custom_price'),
    // by the week (hari_no, the date's weekday from Senin), then the date and time (the default order's id last)
    col('hari', z.enum(DAYS_ID), (r) => r.hari, (d) => [{ hari_no: d }, { tanggal: d }, { jam: d }]),
    col('jam', shape.str, (r) => formatTime(r.jam)),
    col('tanggal', shape.str, (r) => formatDate(r.tanggal)),
    plain('status', z.enum(['BOOKING', 'RESCHEDULE'])),
    // the names come from the booking's relations, and sort by them
    col('users', shape.str, (r) => r.user?.users_fullname, (d) => ({ user: { users_fullname: d } })),
    col('nama_lengkap_pasien', shape.str, (r) => r.patient?.nama_lengkap_pasien, (d) => ({ patient: { nama_lengkap_pasien: d } })),
    col('services_name', shape.str, (r) => r.service?.services_name, (d) => ({ service: { services_name: d } })),
    col('doctors', shape.str, (r) => r.doctor?.user?.users_fullname, (d) => ({ doctor: { user: { users_fullname: d } } })),
    text('digisoft_invoice_numbers'),
    int('reschedule_counts'),
    col('starts', shape.str, (r) => formatTime(r.jam), (d) => ({ jam: d })),
    col('ends', shape.str, (r) => formatTime(r.jam_selesai), (d) => ({ jam_selesai: d })),
    text('cancel_reason'),
  ],
};

/** Paid e-commerce orders not yet delivered or cancelled: the fulfilment queue, oldest payment first. */
export const upcomingOrders: UpcomingTable = {
  model: (app) => app.db.order,
  where: () => ({ order_type: 'E', is_paid: 1, is_canceled: 0, status: { in: ['PAID', 'PREPARED', 'PROCESSING', 'PICKUP'] } }),
  search: (v) => [{ order_code: containsText(v) }, { nama_pemesan: containsText(v) }, { notelp_pemesan: containsText(v) }, { email_pemesan: containsText(v) }],
  defaultOrder: [{ paid_date: 'asc' }, { id: 'asc' }],
  columns: [
    int('id'),
    text('pic_admin'),
    zeroIfNull('id_admin'),
    int('id_member'),
    zeroIfNull('id_promo_discount_applied'),
    text('nama_pemesan'),
    text('notelp_pemesan'),
    text('email_pemesan'),
    text('alamat_pemesan'),
    text('alamat_kirim'),
    stamp('order_date'),
    plain('order_type', z.literal('E')),
    col('order_code', shape.str, (r) => r.order_code ?? ''),
    stamp('pickup_datetime'),
    int('queue_number'),
    text('catatan_order'),
    int('total_price'),
    int('total_discount'),
    int('total_pajak'),
    int('total_buffertime'),
    plain('status', z.enum(['PAID', 'PREPARED', 'PROCESSING', 'PICKUP'])),
    flag('is_paid'),
    text('payment_redirect_url'),
    stamp('paid_date'),
    text('pay_channel'),
    flag('is_prepared'),
    stamp('prepared_datetime'),
    flag('is_delivered'),
    stamp('delivered_datetime'),
    text('nama_penerima'),
    flag('is_done'),
    stamp('done_datetime'),
    flag('is_canceled'),
    stamp('cancel_datetime'),
    text('cancel_pic'),
    plain('ratings', z.union([shape.int, z.literal('')])),
    text('rating_desc'),
    text('cancel_reason'),
    flag('is_processing'),
    stamp('processing_datetime'),
    flag('is_courier'),
    stamp('courier_datetime'),
    flag('is_pickup'),
    int('courier_price'),
    int('poin_used'),
    text('nomor_resi'),
  ],
};

/** Promotions running now or starting later, soonest first. */
export const upcomingPromotions: UpcomingTable = {
  model: (app) => app.db.promotion,
  where: (app) => ({ deleted_at: null, expired_datetime: { gt: app.now() } }),
  search: (v) => [{ title: containsText(v) }, { display_codes: containsText(v) }],
  defaultOrder: [{ start_datetime: 'asc' }, { id: 'asc' }],
  columns: [
    int('id'),
    zeroIfNull('id_menu'),
    plain('type', z.enum(['POTONGAN', 'NOMINAL', 'PERSEN'])),
    int('value'),
    int('quota'),
    stamp('start_datetime'),
    stamp('expired_datetime'),
    text('display_codes'),
    text('title'),
    text('description'),
    // the image URL (a random file name): computed, not sortable (no orderBy), as in the resource tables
    { name: 'img_promotions', cell: shape.str, value: (r, app) => app.storage.publicUrl('promotions', r.img_promotions) },
  ],
};

export const columnNames = (t: UpcomingTable) => t.columns.map((c) => c.name);
/** the DataTables answer of an upcoming table, cell by cell */
export const upcomingSchema = (t: UpcomingTable) => tableOf(t.columns.map((c) => c.cell));
