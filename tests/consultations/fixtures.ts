import { emit } from '../../src/lib/events.js';
import type { TestApp, TestUser } from '../helpers/app.js';

/** A paid-ready consultation: customer + patient, doctor user + profile, a C order with the doctor as extra. */
export async function consultationFixture(t: TestApp) {
  const customer = await t.user(['CUSTOMER']);
  const doctor = await t.user(['DOCTOR']);
  const db = t.app.db;
  const doctorRow = await db.doctor.create({ data: { id_users: doctor.id, custom_price: 125000, short_description: 'Spesialis kulit' } });
  const patient = await db.patient.create({
    data: { id_users: customer.id, nama_lengkap_pasien: 'Pasien Satu', allergies: { create: [{ allergies: 'debu' }] } },
  });
  const order = await createConsultationOrder(t, customer, patient.id, doctorRow.id);
  return { customer, doctor, doctorRow, patient, order };
}

export async function createConsultationOrder(t: TestApp, customer: TestUser, patientId: number, doctorId: number) {
  return t.app.db.order.create({
    data: {
      order_type: 'C',
      order_code: `C-TEST-${Math.random().toString(36).slice(2, 10)}`,
      status: 'PAID',
      cart_open: null,
      id_member: customer.id,
      id_patients: patientId,
      is_paid: 1,
      extras: { create: [{ id_doctors: doctorId, extra_prices: 125000 }] },
    },
  });
}

/** what the commerce module does inside its payment transaction */
export const pay = (t: TestApp, orderId: number) => t.app.db.$transaction((tx) => emit(t.app, 'order.paid', { orderId }, tx));

export async function createMenu(t: TestApp, fields: Record<string, unknown> = {}) {
  return t.app.db.menu.create({ data: { nama_menus: 'Age Corrector Night Cream', harga: 160972, is_resep_required: 1, satuan: 'Jar', berat: 30, ...fields } });
}

export const PDF_BYTES = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
