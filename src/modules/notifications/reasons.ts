/**
 * The reasons the system itself cancels with are stable English codes, stored as they are in the
 * order's or appointment's `cancel_reason` (shown to staff, read by the reports and the audit log).
 * A customer's or doctor's notification is Indonesian: it names them in Indonesian. A reason staff
 * typed (orders/:id/cancel, user_schedules/:id/cancel) is shown as typed.
 */
const REASON_TEXTS: Record<string, string> = {
  // commerce: payments.service (webhook and expiry job), orders.service (checkout)
  'payment expired': 'batas waktu pembayaran telah habis',
  'payment expire': 'batas waktu pembayaran telah habis',
  'payment cancel': 'pembayaran dibatalkan',
  'payment deny': 'pembayaran ditolak',
  'payment failure': 'pembayaran gagal',
  'payment refund': 'dana pembayaran telah dikembalikan',
  'payment chargeback': 'pembayaran ditarik kembali oleh bank (chargeback)',
  'payment could not be started': 'pembayaran tidak dapat dimulai',
  // clinic: cancelUpcoming (identity's users/:id/delete, patients/:id/delete)
  'account deleted': 'akun telah dihapus',
  'patient deleted': 'data pasien telah dihapus',
};

/** The reason as a notification shows it. */
export const reasonText = (reason: string) => REASON_TEXTS[reason] ?? reason;
