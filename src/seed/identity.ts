import type { AppContext } from '../app-context.js';
import { hashPassword } from '../modules/identity/users.service.js';

/** Password of every demo account (README): demo data only, never in production. */
const DEMO_PASSWORD = 'colederma123';

const DEMO_USERS = [
  { username: 'admin', users_fullname: 'Siti Rahmawati', users_email: 'admin@colederma.local', users_phone: '081200000001', positions: 'Admin Klinik', roles: ['ADMIN'] },
  { username: 'dr.andini', users_fullname: 'dr. Andini Pratiwi, Sp.KK', users_email: 'andini@colederma.local', users_phone: '081200000002', positions: 'Dokter', roles: ['DOCTOR'] },
  { username: 'dr.bima', users_fullname: 'dr. Bima Santoso, Sp.DV', users_email: 'bima@colederma.local', users_phone: '081200000003', positions: 'Dokter', roles: ['DOCTOR'] },
  { username: 'budi', users_fullname: 'Budi Hartono', users_email: 'budi@example.com', users_phone: '081300000001', positions: '-', roles: ['CUSTOMER'] },
  { username: 'dewi', users_fullname: 'Dewi Lestari', users_email: 'dewi@example.com', users_phone: '081300000002', positions: '-', roles: ['CUSTOMER'] },
] as const;

const DEPARTMENTS = [
  { department_codes: 'MED', department_name: 'Medis', department_descriptions: 'Dokter dan perawat klinik' },
  { department_codes: 'OPS', department_name: 'Operasional', department_descriptions: 'Admin, kasir dan gudang' },
  { department_codes: 'FIN', department_name: 'Keuangan', department_descriptions: 'Keuangan dan laporan' },
];

export async function seedIdentity(app: AppContext) {
  for (const d of DEPARTMENTS) {
    await app.db.department.upsert({ where: { department_codes: d.department_codes }, create: d, update: {} });
  }
  const hash = await hashPassword(app, DEMO_PASSWORD);
  for (const u of DEMO_USERS) {
    const exists = await app.db.user.findUnique({ where: { username: u.username } });
    if (exists) continue;
    const dept = u.roles[0] === 'DOCTOR' ? 'MED' : u.roles[0] === 'ADMIN' ? 'OPS' : undefined;
    const department = dept ? await app.db.department.findUnique({ where: { department_codes: dept } }) : null;
    await app.db.user.create({
      data: {
        username: u.username,
        users_fullname: u.users_fullname,
        users_email: u.users_email,
        users_phone: u.users_phone,
        users_address: 'Bandung, Jawa Barat',
        positions: u.positions,
        password_hash: hash,
        roles: { create: u.roles.map((role_codes) => ({ role_codes })) },
        departments: department ? { create: [{ id_departments: department.id, descriptions: 'Demo' }] } : undefined,
      },
    });
  }
}
