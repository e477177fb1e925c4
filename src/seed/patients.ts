import type { AppContext } from '../app-context.js';
import { parseDate } from '../lib/dates.js';

/** Demo patients of the demo customers (src/seed/identity.ts), each with allergies and one record. */
const DEMO_PATIENTS = [
  {
    username: 'budi',
    nama_lengkap_pasien: 'Budi Hartono',
    tanggal_lahir: '12/04/1988',
    jenis_kelamin: 'L',
    no_identitas: '3273011204880001',
    jenis_identitas: 'KTP',
    no_handphone: '081300000001',
    golongan_darah: 'O',
    alamat_domisili: 'Jl. Dago No. 12, Bandung',
    allergies: ['Kerang', 'Penisilin'],
    record: { tanggal_konsul: '03/11/2026', keluhan: 'Jerawat meradang di pipi', diagnosa: 'Acne vulgaris sedang', catatan_kaki: 'Kontrol 4 minggu' },
  },
  {
    username: 'dewi',
    nama_lengkap_pasien: 'Dewi Lestari',
    tanggal_lahir: '30/08/1993',
    jenis_kelamin: 'P',
    no_identitas: '3273013008930002',
    jenis_identitas: 'KTP',
    no_handphone: '081300000002',
    golongan_darah: 'A',
    alamat_domisili: 'Jl. Riau No. 7, Bandung',
    allergies: ['Nikel'],
    record: { tanggal_konsul: '10/11/2026', keluhan: 'Bercak gatal di tangan', diagnosa: 'Dermatitis kontak alergi', catatan_kaki: 'Hindari perhiasan logam' },
  },
];

export async function seedPatients(app: AppContext) {
  for (const { username, allergies, record, tanggal_lahir, ...p } of DEMO_PATIENTS) {
    const user = await app.db.user.findUnique({ where: { username }, select: { id: true } });
    if (!user) continue;
    const exists = await app.db.patient.findFirst({ where: { id_users: user.id, nama_lengkap_pasien: p.nama_lengkap_pasien } });
    if (exists) continue;
    await app.db.patient.create({
      data: {
        ...p,
        id_users: user.id,
        tanggal_lahir: parseDate(tanggal_lahir)!,
        provinsi: 'JAWA BARAT',
        kota: 'BANDUNG',
        allergies: { create: allergies.map((a) => ({ allergies: a })) },
        rekamMedis: { create: [{ ...record, tanggal_konsul: parseDate(record.tanggal_konsul)! }] },
      },
    });
  }
}
