import type { AppContext } from '../../app-context.js';
import { clinicDay, formatDate, formatDateTime, formatTime } from '../../lib/dates.js';
import type { TableResult, tableWindow } from './table.js';

// The dashboard's "upcoming" tables: plain lists, one findMany with its relations + two counts.

type Row = any;
type Where = Record<string, unknown>;
interface Col {
  name: string;
  value: (r: Row, app: AppContext) => unknown;
  orderBy?: (dir: 'asc' | 'desc') => Record<string, unknown>;
}
interface UpcomingTable {
  model: (app: AppContext) => any;
  where: (app: AppContext) => Where;
  search: (v: string) => Where[];
  include?: Record<string, unknown>;
  defaultOrder: Record<string, unknown>[];
  columns: Col[];
}

const contains = (v: string) => ({ contains: v, mode: 'insensitive' });
const numeric = (v: string) => (/^\d{1,9}$/.test(v) ? [{ id: Number(v) }] : []);
const col = (name: string, value: (r: Row, app: AppContext) => unknown, sortable = true): Col => ({
  name,
  value,
  orderBy: sortable ? (d) => ({ [name]: d }) : undefined,
});
const plain = (name: string) => col(name, (r) => r[name]);
const stamp = (name: string) => col(name, (r) => formatDateTime(r[name]) ?? '');
const zeroIfNull = (name: string) => col(name, (r) => r[name] ?? 0);

export async function runUpcoming(app: AppContext, spec: UpcomingTable, t: ReturnType<typeof tableWindow>): Promise<TableResult> {
  const base = spec.where(app);
  const where = t.search ? { AND: [base, { OR: [...spec.search(t.search), ...numeric(t.search)] }] } : base;
  const orderBy = t.order.map((o) => spec.columns[o.column]?.orderBy?.(o.dir)).filter(Boolean) as Record<string, unknown>[];
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
    { patient: { nama_lengkap_pasien: contains(v) } },
    { user: { users_fullname: contains(v) } },
    { service: { services_name: contains(v) } },
    { doctor: { user: { users_fullname: contains(v) } } },
    { digisoft_invoice_numbers: contains(v) },
  ],
  include: { doctor: { include: { user: true } }, service: true, user: true, patient: true },
  defaultOrder: [{ tanggal: 'asc' }, { jam: 'asc' }, { id: 'asc' }],
  columns: [
    plain('id'),
    plain('id_doctors'),
    plain('id_services'),
    plain('id_doctor_schedules'),
    plain('id_users'),
    plain('id_patients'),
    plain('custom_price'),
    plain('hari'),
    col('jam', (r) => formatTime(r.jam)),
    col('tanggal', (r) => formatDate(r.tanggal)),
    plain('status'),
    col('users', (r) => r.user?.users_fullname, false),
    col('nama_lengkap_pasien', (r) => r.patient?.nama_lengkap_pasien, false),
    col('services_name', (r) => r.service?.services_name, false),
    col('doctors', (r) => r.doctor?.user?.users_fullname, false),
    plain('digisoft_invoice_numbers'),
    plain('reschedule_counts'),
    col('starts', (r) => formatTime(r.jam), false),
    col('ends', (r) => formatTime(r.jam_selesai), false),
    plain('cancel_reason'),
  ],
};

/** Paid e-commerce orders not yet delivered or cancelled: the fulfilment queue, oldest payment first. */
export const upcomingOrders: UpcomingTable = {
  model: (app) => app.db.order,
  where: () => ({ order_type: 'E', is_paid: 1, is_canceled: 0, status: { in: ['PAID', 'PREPARED', 'PROCESSING', 'PICKUP'] } }),
  search: (v) => [{ order_code: contains(v) }, { nama_pemesan: contains(v) }, { notelp_pemesan: contains(v) }, { email_pemesan: contains(v) }],
  defaultOrder: [{ paid_date: 'asc' }, { id: 'asc' }],
  columns: [
    plain('id'),
    plain('pic_admin'),
    zeroIfNull('id_admin'),
    plain('id_member'),
    zeroIfNull('id_promo_discount_applied'),
    plain('nama_pemesan'),
    plain('notelp_pemesan'),
    plain('email_pemesan'),
    plain('alamat_pemesan'),
    plain('alamat_kirim'),
    stamp('order_date'),
    plain('order_type'),
    col('order_code', (r) => r.order_code ?? ''),
    stamp('pickup_datetime'),
    plain('queue_number'),
    plain('catatan_order'),
    plain('total_price'),
    plain('total_discount'),
    plain('total_pajak'),
    plain('total_buffertime'),
    plain('status'),
    plain('is_paid'),
    plain('payment_redirect_url'),
    stamp('paid_date'),
    plain('pay_channel'),
    plain('is_prepared'),
    stamp('prepared_datetime'),
    plain('is_delivered'),
    stamp('delivered_datetime'),
    plain('nama_penerima'),
    plain('is_done'),
    stamp('done_datetime'),
    plain('is_canceled'),
    stamp('cancel_datetime'),
    plain('cancel_pic'),
    plain('ratings'),
    plain('rating_desc'),
    plain('cancel_reason'),
    plain('is_processing'),
    stamp('processing_datetime'),
    plain('is_courier'),
    stamp('courier_datetime'),
    plain('is_pickup'),
    plain('courier_price'),
    plain('poin_used'),
    plain('nomor_resi'),
  ],
};

/** Promotions running now or starting later, soonest first. */
export const upcomingPromotions: UpcomingTable = {
  model: (app) => app.db.promotion,
  where: (app) => ({ deleted_at: null, expired_datetime: { gt: app.now() } }),
  search: (v) => [{ title: contains(v) }, { display_codes: contains(v) }],
  defaultOrder: [{ start_datetime: 'asc' }, { id: 'asc' }],
  columns: [
    plain('id'),
    zeroIfNull('id_menu'),
    plain('type'),
    plain('value'),
    plain('quota'),
    stamp('start_datetime'),
    stamp('expired_datetime'),
    plain('display_codes'),
    plain('title'),
    plain('description'),
    col('img_promotions', (r, app) => app.storage.publicUrl('promotions', r.img_promotions)),
  ],
};

export const columnNames = (t: UpcomingTable) => t.columns.map((c) => c.name);
