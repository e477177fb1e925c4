import { on } from '../../lib/events.js';
import { addJob } from '../../jobs.js';
import { formatDate, formatTime } from '../../lib/dates.js';
import { deliverPendingPushes, notify, sendAppointmentReminders } from './notifications.service.js';
import { readsMessages } from '../consultations/threads.service.js';
import { formatRupiah } from '../catalogue/pricing.js';
import { reasonText } from './reasons.js';

/**
 * Domain events → stored notifications (and queued pushes). Each handler runs inside the emitting
 * transaction and makes a fixed number of queries.
 */

on('order.paid', async (app, { orderId }, tx) => {
  const o = await tx.order.findUnique({ where: { id: orderId }, select: { id_member: true, order_code: true, order_type: true } });
  if (!o) return;
  await notify(app, tx, [
    {
      id_user_to: o.id_member,
      intentions: 'order_paid',
      title: 'Pembayaran diterima',
      content: `Pembayaran pesanan ${o.order_code ?? ''} telah kami terima.`,
      labels: 'Success',
      reference_type: 'orders',
      reference_id: orderId,
    },
  ]);
});

// Money Midtrans gave back of a paid order that stays as it is (a partial refund, or all of it once the
// order had shipped and can no longer be cancelled: staff settle it): the customer is told how much so far.
on('order.refunded', async (app, { orderId, refunded }, tx) => {
  const o = await tx.order.findUnique({ where: { id: orderId }, select: { id_member: true, order_code: true, grand_totals: true } });
  if (!o) return;
  const all = refunded >= o.grand_totals;
  await notify(app, tx, [
    {
      id_user_to: o.id_member,
      intentions: 'order_refunded',
      title: 'Dana dikembalikan',
      content: all
        ? `Pembayaran pesanan ${o.order_code ?? ''} telah dikembalikan seluruhnya: ${formatRupiah(refunded)}.`
        : `Sebagian pembayaran pesanan ${o.order_code ?? ''} telah dikembalikan: ${formatRupiah(refunded)}.`,
      labels: 'Info',
      reference_type: 'orders',
      reference_id: orderId,
    },
  ]);
});

// The customer is told; for a paid consultation (C) also the doctor who holds its thread now (an
// admin may have handed it to another), by the order code only: the reason is the customer's.
// An order never paid opened no consultation (its doctor was told nothing of it).
on('order.cancelled', async (app, { orderId, reason }, tx) => {
  const o = await tx.order.findUnique({
    where: { id: orderId },
    select: {
      id_member: true,
      order_code: true,
      order_type: true,
      is_paid: true,
      threads: { where: { thread_type: 'online_consultations', deleted_at: null }, select: { id: true, id_user_to: true, userTo: { select: { deleted_at: true } } } },
    },
  });
  if (!o) return;
  const thread = o.order_type === 'C' && o.is_paid === 1 ? o.threads[0] : undefined;
  const doctor = thread?.id_user_to && thread.id_user_to !== o.id_member && !thread.userTo?.deleted_at ? thread.id_user_to : null;
  await notify(app, tx, [
    {
      id_user_to: o.id_member,
      intentions: 'order_cancelled',
      title: 'Pesanan dibatalkan',
      content: `Pesanan ${o.order_code ?? ''} dibatalkan${reason ? `: ${reasonText(reason)}` : '.'}`,
      labels: 'Warning',
      reference_type: 'orders',
      reference_id: orderId,
    },
    ...(thread && doctor
      ? [
          {
            id_user_to: doctor,
            intentions: 'consultation_cancelled',
            title: 'Konsultasi dibatalkan',
            content: `Konsultasi dari pesanan ${o.order_code ?? ''} dibatalkan.`,
            labels: 'Warning',
            reference_type: 'threads',
            reference_id: thread.id,
          },
        ]
      : []),
  ]);
});

on('order.shipped', async (app, { orderId, nomor_resi }, tx) => {
  const o = await tx.order.findUnique({ where: { id: orderId }, select: { id_member: true, order_code: true, courier: true } });
  if (!o) return;
  await notify(app, tx, [
    {
      id_user_to: o.id_member,
      intentions: 'order_shipped',
      title: 'Pesanan dikirim',
      content: `Pesanan ${o.order_code ?? ''} telah dikirim${o.courier ? ` dengan ${o.courier.toUpperCase()}` : ''}. Nomor resi: ${nomor_resi}`,
      labels: 'Info',
      remark: nomor_resi,
      reference_type: 'orders',
      reference_id: orderId,
    },
  ]);
});

const appointmentTexts = {
  'appointment.booked': ['appointment_booked', 'Janji temu dibuat', 'dijadwalkan'],
  'appointment.rescheduled': ['appointment_rescheduled', 'Janji temu dijadwalkan ulang', 'dijadwalkan ulang ke'],
  'appointment.cancelled': ['appointment_cancelled', 'Janji temu dibatalkan', 'dibatalkan:'],
} as const;
for (const event of Object.keys(appointmentTexts) as (keyof typeof appointmentTexts)[]) {
  on(event, async (app, payload, tx) => {
    const { appointmentId } = payload;
    const a = await tx.userSchedule.findUnique({
      where: { id: appointmentId },
      select: { id_users: true, id_doctors: true, tanggal: true, jam: true, cancel_reason: true, user: { select: { deleted_at: true } }, doctor: { select: { id_users: true, user: { select: { users_fullname: true } } } }, patient: { select: { nama_lengkap_pasien: true } } },
    });
    if (!a) return;
    // moved to another doctor: the doctor who loses it is told as well (read from the payload, the
    // appointment already names the new one)
    const previousDoctorId = 'previousDoctorId' in payload ? payload.previousDoctorId : a.id_doctors;
    const previous = previousDoctorId !== a.id_doctors ? await tx.doctor.findUnique({ where: { id: previousDoctorId }, select: { id_users: true } }) : null;
    const [intentions, title, verb] = appointmentTexts[event];
    // a cancellation names its reason, as an order's does
    const reason = event === 'appointment.cancelled' && a.cancel_reason ? ` (${reasonText(a.cancel_reason)})` : '';
    const when = `${formatDate(a.tanggal)} ${formatTime(a.jam)?.slice(0, 5)}${reason}`;
    const base = { intentions, title, labels: event === 'appointment.cancelled' ? 'Warning' : 'Info', reference_type: 'user_schedules', reference_id: appointmentId };
    await notify(app, tx, [
      // a deleted account is told nothing (its bookings are cancelled as it is deleted)
      ...(a.user.deleted_at ? [] : [{ ...base, id_user_to: a.id_users, content: `Janji temu ${a.patient.nama_lengkap_pasien} dengan ${a.doctor.user.users_fullname} ${verb} ${when}.` }]),
      ...(a.doctor.id_users !== a.id_users
        ? [{ ...base, id_user_to: a.doctor.id_users, content: `Janji temu pasien ${a.patient.nama_lengkap_pasien} ${verb} ${when}.` }]
        : []),
      ...(previous && previous.id_users !== a.id_users
        ? [{ ...base, id_user_to: previous.id_users, content: `Janji temu pasien ${a.patient.nama_lengkap_pasien} dipindahkan ke ${a.doctor.user.users_fullname} ${when}.` }]
        : []),
    ]);
  });
}

// Coming appointments staff moved with their patient into another account (users/patients/link, staff's
// patients/:id/update): the new manager is told of each (now theirs to keep, move or cancel), and the
// account each was in the name of that it left them (it no longer sees them; which account has the
// patient now is not said). A deleted account is told nothing; the doctor, whose visit is unchanged, neither.
on('appointment.handed_over', async (app, { moved }, tx) => {
  const rows = await tx.userSchedule.findMany({
    where: { id: { in: moved.map((m) => m.appointmentId) } },
    select: { id: true, id_users: true, tanggal: true, jam: true, doctor: { select: { user: { select: { users_fullname: true } } } }, patient: { select: { nama_lengkap_pasien: true } } },
    orderBy: { id: 'asc' },
  });
  const live = new Set(
    (await tx.user.findMany({ where: { id: { in: [...rows.map((a) => a.id_users), ...moved.map((m) => m.previousUserId)] }, deleted_at: null }, select: { id: true } })).map((u) => u.id),
  );
  await notify(
    app,
    tx,
    rows.flatMap((a) => {
      const visit = `Janji temu ${a.patient.nama_lengkap_pasien} dengan ${a.doctor.user.users_fullname} ${formatDate(a.tanggal)} ${formatTime(a.jam)?.slice(0, 5)}`;
      const base = { intentions: 'appointment_transferred', title: 'Janji temu dialihkan', labels: 'Info', reference_type: 'user_schedules', reference_id: a.id };
      const previous = moved.find((m) => m.appointmentId === a.id)!.previousUserId;
      return [
        ...(live.has(a.id_users) ? [{ ...base, id_user_to: a.id_users, content: `${visit} kini tercatat di akun Anda.` }] : []),
        ...(live.has(previous) && previous !== a.id_users ? [{ ...base, id_user_to: previous, content: `${visit} dipindahkan ke akun lain yang kini mengelola pasien.` }] : []),
      ];
    }),
  );
});

on('medical_record.verified', async (app, { recordId, patientId }, tx) => {
  const p = await tx.patient.findUnique({ where: { id: patientId }, select: { id_users: true, nama_lengkap_pasien: true } });
  if (!p?.id_users) return;
  await notify(app, tx, [
    {
      id_user_to: p.id_users,
      intentions: 'medical_record_verified',
      title: 'Rekam medis diverifikasi',
      content: `Rekam medis ${p.nama_lengkap_pasien} telah diverifikasi.`,
      labels: 'Success',
      reference_type: 'patient_rekam_medis',
      reference_id: recordId,
    },
  ]);
});

// A customer asks for a prescription-only product: every active doctor and admin is told.
on('prescription.requested', async (app, { requestId, userId, menuId }, tx) => {
  // one after another: a transaction is one connection, which runs one statement at a time
  // (pg deprecates queueing a second one behind it; pg 9 refuses it)
  const menu = await tx.menu.findUnique({ where: { id: menuId }, select: { nama_menus: true } });
  const requester = await tx.user.findUnique({ where: { id: userId }, select: { users_fullname: true } });
  const staff = await tx.user.findMany({
    where: { deleted_at: null, is_blocked: 0, roles: { some: { role_codes: { in: ['DOCTOR', 'ADMIN', 'OWNER'] } } } },
    select: { id: true },
  });
  await notify(
    app,
    tx,
    staff.map((u) => ({
      id_user_to: u.id,
      id_user_from: userId,
      intentions: 'prescription_requested',
      title: 'Permintaan resep',
      content: `${requester?.users_fullname ?? 'Pelanggan'} meminta resep untuk ${menu?.nama_menus ?? 'produk'}.`,
      priority: 'Normal',
      reference_type: 'prescription_requests',
      reference_id: requestId,
    })),
  );
});

// New message or prescription in a thread: the other participant is told, while they may read the
// thread's messages (a customer whose patient staff moved to another account, or a doctor who lost
// the DOCTOR role, would be told of a message they cannot open; nobody else takes their place).
on('thread.message', async (app, { threadId, messageId, authorId, kind }, tx) => {
  const t = await tx.thread.findUnique({
    where: { id: threadId },
    select: { id_user_from: true, id_user_to: true, userFrom: { select: { users_fullname: true } }, userTo: { select: { users_fullname: true } } },
  });
  if (!t) return;
  const to = authorId === t.id_user_from ? t.id_user_to : t.id_user_from;
  if (!to || !(await readsMessages(tx, to, threadId))) return;
  // the author by name: the customer, the thread's doctor, or an admin writing in it (not the doctor's name then)
  const author =
    authorId === t.id_user_from
      ? t.userFrom.users_fullname
      : authorId === t.id_user_to
        ? (t.userTo?.users_fullname ?? 'Dokter')
        : ((await tx.user.findUnique({ where: { id: authorId }, select: { users_fullname: true } }))?.users_fullname ?? 'Klinik');
  const prescription = kind === 'prescriptions';
  await notify(app, tx, [
    {
      id_user_to: to,
      id_user_from: authorId,
      intentions: prescription ? 'new_prescription' : 'new_message',
      title: prescription ? 'Resep baru' : 'Pesan baru',
      content: prescription ? `${author} mengirimkan resep untuk Anda.` : `${author} mengirim pesan baru.`,
      priority: prescription ? 'Normal' : 'Low',
      reference_type: 'threads',
      reference_id: threadId,
      remark: String(messageId),
    },
  ]);
});

addJob({ name: 'push-deliveries', everyMs: 5_000, run: async (app) => void (await deliverPendingPushes(app)) });
addJob({ name: 'appointment-reminders', everyMs: 15 * 60_000, run: async (app) => void (await sendAppointmentReminders(app)) });
