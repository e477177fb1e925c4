import type { AppContext } from '../app-context.js';
import { parseDateTime, parseTime } from '../lib/dates.js';
import { deliverySettings } from '../modules/shipping/shipping.service.js';

/** Demo catalogue: categories, products, two stores (Bandung, Jakarta) with stock (Bandung's is the warehouse of online orders), a promotion, pages. */

const CATEGORIES = [
  { menu_categories: 'Skincare', codes: 'SK', color: '#F4A7B9' },
  { menu_categories: 'Obat Jerawat', codes: 'OJ', color: '#E57373' },
  { menu_categories: 'Sunscreen', codes: 'SS', color: '#FFB74D' },
  { menu_categories: 'Vitamin Booster', codes: 'VB', color: '#000AAF' },
  { menu_categories: 'Obat Resep', codes: 'RX', color: '#4DB6AC' },
];

type Product = {
  nama_menus: string;
  brief: string;
  harga: number;
  cats: string[];
  is_resep_required?: number;
  is_featured?: number;
  harga_promosi?: number;
  dosis?: string;
  komposisi?: string;
  aturan_pakai: string;
  produsen: string;
  satuan: string;
  berat: number;
  nomor_registrasi: string;
};

const PRODUCTS: Product[] = [
  { nama_menus: 'Colederma Brightening Serum Niacinamide 10%', brief: 'Mencerahkan dan meratakan warna kulit', harga: 129000, harga_promosi: 99000, cats: ['Skincare'], is_featured: 1, komposisi: 'Niacinamide 10%, Zinc PCA 1%', aturan_pakai: 'Oleskan 2-3 tetes pagi dan malam', produsen: 'PT Colederma Klinik Indonesia', satuan: 'botol 20 ml', berat: 80, nomor_registrasi: 'NA18201200123' },
  { nama_menus: 'Colederma Acne Spot Gel', brief: 'Gel totol untuk jerawat meradang', harga: 65000, cats: ['Obat Jerawat', 'Skincare'], is_featured: 1, komposisi: 'Salicylic Acid 2%, Tea Tree Oil', aturan_pakai: 'Totolkan pada jerawat 2x sehari', produsen: 'PT Colederma Klinik Indonesia', satuan: 'tube 15 g', berat: 40, nomor_registrasi: 'NA18201200456' },
  { nama_menus: 'Sunscreen Gel SPF 50 PA++++', brief: 'Tabir surya ringan untuk kulit berminyak', harga: 89000, cats: ['Sunscreen', 'Skincare'], is_featured: 1, komposisi: 'Ethylhexyl Methoxycinnamate, Zinc Oxide', aturan_pakai: 'Gunakan 15 menit sebelum terpapar matahari, ulangi tiap 2-3 jam', produsen: 'PT Paragon Technology and Innovation', satuan: 'tube 50 ml', berat: 70, nomor_registrasi: 'NA18191201234' },
  { nama_menus: 'Moisturizer Ceramide Barrier Cream', brief: 'Pelembap untuk memperbaiki skin barrier', harga: 115000, cats: ['Skincare'], komposisi: 'Ceramide NP, Hyaluronic Acid, Panthenol', aturan_pakai: 'Oleskan merata pagi dan malam setelah serum', produsen: 'PT Colederma Klinik Indonesia', satuan: 'jar 30 g', berat: 90, nomor_registrasi: 'NA18201200789' },
  { nama_menus: 'Vitamin C 500 mg + Zinc', brief: 'Suplemen daya tahan tubuh dan kesehatan kulit', harga: 45000, cats: ['Vitamin Booster'], dosis: '500 mg', komposisi: 'Asam askorbat 500 mg, Zinc 10 mg', aturan_pakai: '1 tablet sehari sesudah makan', produsen: 'PT Kalbe Farma Tbk', satuan: 'strip 10 tablet', berat: 20, nomor_registrasi: 'SD181353211' },
  { nama_menus: 'Tretinoin Cream 0,05%', brief: 'Krim retinoid untuk jerawat dan penuaan kulit (dengan resep dokter)', harga: 85000, cats: ['Obat Resep', 'Obat Jerawat'], is_resep_required: 1, dosis: '0,05%', komposisi: 'Tretinoin 0,05%', aturan_pakai: 'Oleskan tipis malam hari sesuai petunjuk dokter', produsen: 'PT Galenium Pharmasia Laboratories', satuan: 'tube 15 g', berat: 35, nomor_registrasi: 'DKL1234567829A1' },
  { nama_menus: 'Doxycycline 100 mg', brief: 'Antibiotik untuk jerawat sedang-berat (dengan resep dokter)', harga: 38000, cats: ['Obat Resep'], is_resep_required: 1, dosis: '100 mg', komposisi: 'Doxycycline hyclate 100 mg', aturan_pakai: '1 kapsul sehari sesudah makan, sesuai resep', produsen: 'PT Dexa Medica', satuan: 'strip 10 kapsul', berat: 15, nomor_registrasi: 'GKL0205018101A1' },
];

const STORES = [
  { nama: 'Colederma Dago', alamat: 'Jl. Ir. H. Juanda No. 120, Coblong, Bandung', notelp: '0222500120', opentime: '09:00', closetime: '20:00', city: 'KOTA BANDUNG', lat: -6.8868, lng: 107.6133, groupname: 'CLD' },
  { nama: 'Colederma Kemang', alamat: 'Jl. Kemang Raya No. 8, Mampang Prapatan, Jakarta Selatan', notelp: '0217190008', opentime: '10:00', closetime: '21:00', city: 'KOTA JAKARTA SELATAN', lat: -6.2607, lng: 106.8137, groupname: 'CLD' },
];

const PAGES = [
  { type: 'about-us', contents: 'Colederma adalah klinik kecantikan dan kesehatan kulit di Bandung dan Jakarta, berdiri sejak 2018, dengan dokter spesialis kulit dan kelamin.' },
  { type: 'booking-info', contents: 'Booking konsultasi dapat dilakukan melalui aplikasi paling lambat H-1. Harap datang 15 menit sebelum jadwal.' },
  { type: 'terms', contents: 'Dengan menggunakan aplikasi Colederma Anda menyetujui syarat dan ketentuan layanan klinik dan toko online.' },
  { type: 'privacy', contents: 'Colederma menjaga kerahasiaan data pribadi dan rekam medis pasien sesuai UU Pelindungan Data Pribadi.' },
];

export async function seedCatalogue(app: AppContext) {
  const db = app.db;
  const catIds = new Map<string, number>();
  for (const c of CATEGORIES) {
    const found = await db.menuCategory.findFirst({ where: { menu_categories: c.menu_categories, deleted_at: null } });
    catIds.set(c.menu_categories, (found ?? (await db.menuCategory.create({ data: c }))).id);
  }

  const menuIds: number[] = [];
  const now = app.now();
  for (const { cats, harga_promosi, ...p } of PRODUCTS) {
    const found = await db.menu.findFirst({ where: { nama_menus: p.nama_menus, deleted_at: null } });
    const promo = harga_promosi
      ? { harga_promosi, mulai_harga_promosi: new Date(now.getTime() - 86400_000), selesai_harga_promosi: new Date(now.getTime() + 30 * 86400_000) }
      : {};
    const menu =
      found ??
      (await db.menu.create({
        data: {
          ...p,
          ...promo,
          id_menu_categories_1: catIds.get(cats[0]!) ?? null,
          id_menu_categories_2: cats[1] ? catIds.get(cats[1]) : null,
          id_menu_categories_3: cats[2] ? catIds.get(cats[2]) : null,
        },
      }));
    menuIds.push(menu.id);
  }

  const storeIds: number[] = [];
  let storesCreated = false;
  for (const s of STORES) {
    const found = await db.brandstore.findFirst({ where: { nama: s.nama, deleted_at: null } });
    const store = found ?? (await db.brandstore.create({ data: { ...s, opentime: parseTime(s.opentime), closetime: parseTime(s.closetime) } }));
    storesCreated ||= !found;
    storeIds.push(store.id);
  }

  for (const [si, idbrandstore] of storeIds.entries()) {
    for (const [mi, idmenu] of menuIds.entries()) {
      const exists = await db.brandstoreMenu.findUnique({ where: { idmenu_idbrandstore: { idmenu, idbrandstore } } });
      if (exists) continue;
      const quantitytotal = 10 + ((mi * 7 + si * 5) % 40);
      await db.$transaction(async (tx) => {
        const row = await tx.brandstoreMenu.create({ data: { idmenu, idbrandstore, nourut_menu: mi } });
        const stock = await tx.stock.create({ data: { idbrandstoremenus: row.id, quantitytotal } });
        await tx.stockMovement.create({ data: { idstock: stock.id, delta: quantitytotal, quantity_after: quantitytotal, reason: 'ADJUST', note: 'demo opening stock' } });
      });
    }
  }

  // the first store is the demo's warehouse: online orders take their stock from it. Named when the
  // demo stores are made, not on every start (SEED_DEMO_DATA=true): staff may have changed it since.
  if (storesCreated) {
    await deliverySettings(app);
    await db.deliverySetting.updateMany({ where: { scope: 'default', id_brandstore_gudang: null }, data: { id_brandstore_gudang: storeIds[0]! } });
  }

  await db.promotion.upsert({
    where: { display_codes_key: 'COLEDERMA10' },
    update: {},
    create: {
      type: 'PERSEN',
      value: 10,
      quota: 500,
      start_datetime: parseDateTime('01/11/2026 00:00')!,
      expired_datetime: parseDateTime('31/12/2027 23:59')!,
      display_codes: 'COLEDERMA10',
      display_codes_key: 'COLEDERMA10',
      title: 'Diskon 10% Member Baru',
      description: 'Potongan 10% untuk belanja pertama di aplikasi Colederma.',
    },
  });

  for (const page of PAGES) {
    const found = await db.staticContent.findFirst({ where: { type: page.type } });
    if (!found) await db.staticContent.create({ data: page });
  }
}
