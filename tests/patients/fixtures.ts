import type { TestApp, TestUser } from '../helpers/app.js';

/** A doctor profile with one appointment for a patient (rows of the clinic domain, written directly). */
export async function appointmentWith(t: TestApp, doctorUser: TestUser, patientId: number, customerId: number) {
  const db = t.app.db;
  const service = await db.service.create({ data: { services_name: 'Konsultasi Kulit', buffer_time: 30 } });
  const doctor = await db.doctor.upsert({ where: { id_users: doctorUser.id }, create: { id_users: doctorUser.id }, update: {} });
  const ds = await db.doctorService.create({ data: { id_doctors: doctor.id, id_services: service.id, is_active: 1 } });
  const jam = new Date(Date.UTC(1970, 0, 1, 9, 0, 0));
  const jam_selesai = new Date(Date.UTC(1970, 0, 1, 9, 30, 0));
  const slot = await db.doctorSchedule.create({
    data: { id_doctors: doctor.id, id_doctor_services: ds.id, id_services: service.id, hari: 'Senin', jam, jam_selesai },
  });
  return db.userSchedule.create({
    data: {
      id_doctors: doctor.id,
      id_services: service.id,
      id_doctor_schedules: slot.id,
      id_users: customerId,
      id_patients: patientId,
      hari: 'Senin',
      tanggal: new Date(Date.UTC(2026, 11, 7)),
      jam,
      jam_selesai,
    },
  });
}

/** A consultation thread between a customer and a doctor about a patient. */
export const threadWith = (t: TestApp, doctorUser: TestUser, patientId: number, customerId: number) =>
  t.app.db.thread.create({ data: { id_user_from: customerId, id_user_to: doctorUser.id, id_patients: patientId } });

export const patientBody = (extra: Record<string, unknown> = {}) => ({
  patient_external_id: 'DIGISOFT_PATIENT-00934203',
  nama_lengkap_pasien: 'Andrianto',
  tempat_lahir: 'Jakarta',
  tanggal_lahir: '31/12/1992',
  alamat_domisili: 'Babakan Jeruk 2 Sarijadi Bandung.',
  nama_ibu_kandung: 'Linda',
  jenis_kelamin: 'L',
  nama_wali: 'Linda',
  hubungan_dengan_wali: 'Orangtua',
  alamat_wali: 'JL Pelajar Pejuang Baru No 34',
  no_telp_wali: '081300912993',
  golongan_darah: 'B+',
  no_identitas: '3671290261191001',
  jenis_identitas: 'KTP',
  alamat_identitas: 'Babakan Jeruk 2 Sarijadi Bandung.',
  nama_ayah: 'optional',
  catatan: 'opsional',
  pekerjaan: 'optional',
  perusahaan_tempat_bekerja: 'optional',
  perusahaan_no_telp: 'optional',
  no_telp_rumah: '0227000000',
  no_handphone: '081234567890',
  provinsi: 'JAWA BARAT',
  kota: 'CIMAHI',
  kecamatan: 'PADASUKA',
  kode_provinsi: '12',
  kode_kota: '312',
  kode_kecamatan: '00981',
  lat: 0.23878,
  lng: 7.87981,
  allergies: ['Kerang Seafood', 'Bonteng', 'Nangka'],
  ...extra,
});
