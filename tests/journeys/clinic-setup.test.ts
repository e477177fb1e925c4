import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_1PX } from '../helpers/app.js';
import { newPerson, OWNER, register, startWorld, type World, clinicDateTime } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

/** The dashboard's picture upload (multipart `picture` plus the form's fields). */
async function upload(bearer: string, path: string, fields: Record<string, string | number> = {}) {
  let req = w.t.http.post(path).set('Authorization', `Bearer ${bearer}`);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, String(v));
  const res = await req.attach('picture', PNG_1PX, 'picture.png');
  expect({ path, status: res.status, body: res.status === 200 ? undefined : res.body }).toEqual({ path, status: 200, body: undefined });
  return res.body;
}

/** The app shows a picture by its URL: the server answers it as an image. */
async function showsPicture(url: string) {
  expect(url, 'a picture URL').toMatch(/^https?:\/\//);
  const res = await w.t.http.get(new URL(url).pathname);
  expect({ url, status: res.status, type: res.headers['content-type'] }).toEqual({ url, status: 200, type: 'image/png' });
}

const DAYS = ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'];

describe('journey: the owner sets up the clinic from an empty system', () => {
  it('departments, staff, catalogue with pictures, stores and the warehouse, services, a doctor with hours, pages and a promotion; the app shows exactly that', async () => {
    const owner = (await w.signIn(OWNER.username, OWNER.password)).bearer;

    // departments and the staff accounts in them
    const medis = (await w.call('post', '/departments/create', owner, { department_name: 'Medis', department_descriptions: 'Dokter dan perawat', department_codes: 'MED' })).body.departments;
    const fo = (await w.call('post', '/departments/create', owner, { department_name: 'Front Office', department_descriptions: 'Resepsionis', department_codes: 'FO' })).body.departments;
    const adminPerson = newPerson('admin');
    const adminUser = await register(w, adminPerson, { roles: ['ADMIN'], positions: 'Admin', id_departments: [Number(fo.id)] }, owner);
    const drPerson = { ...newPerson('dr'), users_fullname: 'dr. Laras Sp.KK' };
    const drUser = await register(w, drPerson, { roles: ['DOCTOR'], positions: 'Dokter', id_departments: [Number(medis.id)] }, owner);
    const seenAdmin = (await w.call('get', `/users/${adminUser.id}`, owner)).body.users;
    expect(seenAdmin.roles.map((r: { role_codes: string }) => r.role_codes)).toEqual(['ADMIN']);
    expect(seenAdmin.departments.map((d: { id_departments: number | string }) => Number(d.id_departments))).toEqual([Number(fo.id)]);
    const medics = (await w.call('post', '/users/search', owner, { id_departments: Number(medis.id) })).body.users as { id: number | string }[];
    expect(medics.map((u) => Number(u.id))).toEqual([Number(drUser.id)]);
    const admin = (await w.signIn(adminPerson.username, adminPerson.password)).bearer;

    // the catalogue: a category with its picture, two products, the first with a picture
    const serum = (await w.call('post', '/menu_categories/create', admin, { menu_categories: 'Serum', codes: 'SR', color: '#AA0000' })).body.menu_categories;
    const catPicture = (await upload(admin, `/menu_categories/${serum.id}/uploads`)).images;
    const vitc = (
      await w.call('post', '/menus/create', admin, { nama_menus: 'Serum Vitamin C', brief: 'Mencerahkan', harga: 150_000, pajak: 0, is_resep_required: 0, is_featured: 1, id_menu_categories_1: serum.id, satuan: 'Botol', berat: '150' })
    ).body.menus;
    const acne = (await w.call('post', '/menus/create', admin, { nama_menus: 'Krim Tretinoin', brief: 'Untuk jerawat', harga: 90_000, pajak: 0, is_resep_required: 1, satuan: 'Tube', berat: 50 })).body.menus;
    const vitcPicture = (await upload(admin, '/menu_images/create', { id_menus: vitc.id })).menu_images;

    // two stores: the clinic shown in the app, and the warehouse online orders ship from (not shown)
    const dago = (await w.call('post', '/brandstore/create', admin, { nama: 'Colederma Dago', alamat: 'Jl. Dago 10', notelp: '0221234567', opentime: '09:00', closetime: '20:00', city: 'Bandung', lat: -6.88, lng: 107.61, is_show: 1, groupname: 'CLD' })).body.brandstore;
    const gudang = (await w.call('post', '/brandstore/create', admin, { nama: 'Gudang Colederma', alamat: 'Jl. Industri 3', notelp: '0227654321', opentime: '08:00', closetime: '17:00', city: 'Cimahi', lat: -6.87, lng: 107.54, is_show: 0, groupname: 'CLD' })).body.brandstore;
    await w.call('post', '/brandstore_menus/create', admin, { idmenu: vitc.id, idbrandstore: dago.id, quantitytotal: 12 });
    await w.call('post', '/brandstore_menus/create', admin, { idmenu: acne.id, idbrandstore: dago.id, quantitytotal: 4 });
    await w.call('post', '/brandstore_menus/create', admin, { idmenu: vitc.id, idbrandstore: gudang.id, quantitytotal: 100 });
    await w.call('put', '/deliveries/settings/update', admin, { id_brandstore_gudang: Number(gudang.id) });

    // services: a category with its picture, one service with a picture
    const facialCat = (await w.call('post', '/service_categories/create', admin, { service_categories: 'Facial', codes: 'FC', color: '#00AA00' })).body.service_categories;
    await upload(admin, `/service_categories/${facialCat.id}/uploads`);
    const peeling = (
      await w.call('post', '/services/create', admin, { services_name: 'Chemical Peeling', services_price: '250000', services_description: 'Peeling wajah', buffer_time: '60', is_available: 1, id_service_categories: String(facialCat.id) })
    ).body.services;
    const peelingPicture = (await upload(admin, '/service_images/create', { id_services: peeling.id })).service_images;

    // the doctor: profile, the service, Monday and Thursday mornings, slots generated
    const doctor = (await w.call('post', '/doctors/create', admin, { id_users: Number(drUser.id), id_services: peeling.id, custom_price: 300_000, doctor_description: 'Spesialis kulit', short_description: 'Sp.KK', is_active: 1 })).body.doctors;
    await w.call('post', '/doctor_services/create', admin, { id_doctors: doctor.id, id_services: peeling.id, custom_price: 0, doctor_buffer_time: 0, is_active: 1 });
    const drPicture = await upload(owner, '/users/picture/upload', { id_users: Number(drUser.id) });
    for (const hari of ['Senin', 'Kamis']) await w.call('post', '/schedules/create', admin, { id_doctors: doctor.id, hari, jam: '09:00', jam_selesai: '11:00' });
    expect((await w.call('post', '/doctor_schedules/generate', admin, { id_doctors: doctor.id })).body.data.length).toBe(2 * 2);

    // pages and a promotion with its banner
    await w.call('post', '/static_contents/create', owner, { type: 'about-us', contents: 'Colederma, klinik kulit sejak 2018.' });
    await w.call('post', '/static_contents/create', owner, { type: 'terms', contents: 'Syarat dan ketentuan.' });
    const promo = (
      await w.call('post', '/promotions/create', admin, { type: 'PERSEN', value: 10, quota: 50, start_datetime: clinicDateTime(-1), expired_datetime: clinicDateTime(14), display_codes: 'BUKA10', title: 'Grand opening' })
    ).body.promotions;
    await upload(admin, `/promotions/${promo.id}/uploads`);

    // ----- what a new customer's app shows -----
    const person = newPerson('first');
    await register(w, person);
    const customer = (await w.signIn(person.username, person.password)).bearer;

    // the catalogue: both products, the featured one with its picture and category
    const catalogue = (await w.call('post', '/menus/explore?page=1&length=10', customer, {})).body;
    expect(catalogue.totaldata).toBe(2);
    const shown = Object.fromEntries(catalogue.data.map((m: { nama_menus: string }) => [m.nama_menus, m]));
    expect(shown['Serum Vitamin C']).toMatchObject({ id: vitc.id, harga: 150_000, is_featured: 1, id_menu_categories_1: serum.id, is_resep_required: 0 });
    expect(shown['Krim Tretinoin']).toMatchObject({ id: acne.id, is_resep_required: 1 });
    expect(shown['Serum Vitamin C'].images).toBe(vitcPicture.img_path);
    await showsPicture(shown['Serum Vitamin C'].images);
    const featured = (await w.call('post', '/menus/search', customer, { is_featured: 1 })).body.menus as { id: number }[];
    expect(featured.map((m) => m.id)).toEqual([vitc.id]);
    const inCategory = (await w.call('post', '/menus/search', customer, { id_menu_categories: [serum.id] })).body.menus as { id: number }[];
    expect(inCategory.map((m) => m.id)).toEqual([vitc.id]);
    const categories = (await w.call('post', '/menu_categories/search', customer, {})).body.menu_categories as { id: number; image_path: string }[];
    expect(categories.map((c) => c.id)).toEqual([serum.id]);
    expect(categories[0]!.image_path).toBe(catPicture.img_path);
    await showsPicture(categories[0]!.image_path);

    // the stores: only the clinic, with its products and stock; the warehouse stays hidden
    const stores = (await w.call('post', '/brandstore/search', customer, {})).body.brandstore as { id: string | number; nama: string }[];
    expect(stores.map((s) => s.nama)).toEqual(['Colederma Dago']);
    expect((await w.call('get', '/brandstore/city', customer)).body).toEqual([{ city: 'Bandung' }]);
    const near = (await w.call('post', '/brandstore/search', customer, { latlng: { lat: -6.89, lng: 107.61 } })).body.brandstore;
    expect(near[0]).toMatchObject({ nama: 'Colederma Dago', opentime: '09:00:00', closetime: '20:00:00' });
    expect(near[0].meter_in_distance).toBeGreaterThan(0);
    const dagoStock = (await w.call('post', '/brandstore_menus/search', customer, { idbrandstore: dago.id })).body.brandstoremenus as { idmenu: number; stocks: number }[];
    expect(dagoStock.map((r) => [Number(r.idmenu), r.stocks]).sort()).toEqual([[Number(acne.id), 4], [Number(vitc.id), 12]].sort());
    await w.call('post', '/brandstore_menus/search', customer, { idbrandstore: gudang.id }).then((r) => expect(r.body.brandstoremenus).toEqual([]));

    // services with their category and picture; the doctor with the service
    const services = (await w.call('post', '/services/search', customer, {})).body.services as any[];
    expect(services.map((s) => s.id)).toEqual([peeling.id]);
    expect(services[0]).toMatchObject({ services_name: 'Chemical Peeling', services_price: 250_000, buffer_time: 60, is_available: 1 });
    const serviceCats = (await w.call('post', '/service_categories/search', customer, {})).body.service_categories as { id: number; img_path: string }[];
    expect(serviceCats.map((c) => c.id)).toEqual([facialCat.id]);
    await showsPicture(serviceCats[0]!.img_path);
    const servicePictures = (await w.call('post', '/service_images/search', customer, { id_services: peeling.id })).body.service_images as { img_path: string }[];
    expect(servicePictures.map((p) => p.img_path)).toEqual([peelingPicture.img_path]);
    await showsPicture(servicePictures[0]!.img_path);
    const doctors = (await w.call('post', '/doctors/search', customer, { id_services: peeling.id })).body.doctors as any[];
    expect(doctors.map((d) => d.id)).toEqual([doctor.id]);
    expect(doctors[0]).toMatchObject({ users_fullname: 'dr. Laras Sp.KK', short_description: 'Sp.KK', is_active: 1, users_picture_url: drPicture.img_path });
    await showsPicture(doctors[0].users_picture_url);

    // the booking screen offers Mondays and Thursdays only, 09:00-11:00 in 60-minute slots
    const days = (await w.call('post', '/user_schedules/check/doctor/availability', customer, { id_doctors: doctor.id, id_services: peeling.id })).body as any[];
    expect(days.length).toBeGreaterThan(0);
    expect(new Set(days.map((d) => d.day_id))).toEqual(new Set(['Senin', 'Kamis']));
    for (const d of days) {
      expect(DAYS[new Date(`${d.schedule}T00:00:00Z`).getUTCDay()]).toBe(d.day_id);
      expect(d.doctors.map((s: { jam_mulai: string; jam_selesai: string }) => `${s.jam_mulai}-${s.jam_selesai}`)).toEqual(['09:00-10:00', '10:00-11:00']);
      expect(d.doctors[0]).toMatchObject({ services_name: 'Chemical Peeling', service_categories: 'Facial', doctors: 'dr. Laras Sp.KK' });
    }

    // the pages
    const about = (await w.call('post', '/static_contents/search', customer, { type: 'about-us' })).body.static_contents as { contents: string }[];
    expect(about.map((p) => p.contents)).toEqual(['Colederma, klinik kulit sejak 2018.']);

    // the promotion: listed with its banner, and its code works on a cart
    const promos = (await w.call('post', '/promotions/search', customer, {})).body.promotions as { id: number; img_promotions: string }[];
    expect(promos.map((p) => p.id)).toEqual([promo.id]);
    await showsPicture(promos[0]!.img_promotions);
    const patient = (await w.call('post', '/patients/create', customer, { nama_lengkap_pasien: 'Pelanggan Pertama', jenis_kelamin: 'P' })).body.patients;
    const cart = (await w.call('post', '/orders/init', customer, { id_patients: patient.id, order_type: 'E' })).body.orders;
    await w.call('post', '/orders/e_add_to_carts', customer, { id_order: cart.id, items: [{ id_menu: vitc.id, qty: 2 }] });
    expect((await w.call('put', `/orders/${cart.id}/apply/promotions`, customer, { display_codes: 'buka10' })).body).toEqual({ apply_promotions: true, type: 'PERSEN', value: 10 });
    expect((await w.call('get', `/orders/${cart.id}`, customer)).body.orders).toMatchObject({ total_price: 300_000, total_discount: 30_000 });

    // the first online order ships from the hidden warehouse: its stock goes down, the clinic's does not
    await w.call('put', `/orders/${cart.id}/update/address`, customer, { lat_kirim: -6.89, lng_kirim: 107.61, kode_provinsi: 9, kode_kota: 23, kode_kecamatan: 330, alamat_kirim: 'Jl. Tubagus Ismail 5' });
    const quotes = (await w.call('post', '/deliveries/calculate', customer, { id_order: cart.id, courier: 'jne' })).body;
    const reg = quotes[0].costs.find((c: { service: string }) => c.service === 'REG');
    await w.call('put', `/orders/${cart.id}/process/courier`, customer, { courier: 'jne', costs: String(reg.cost[0].value) });
    const checkout = (await w.call('put', `/orders/${cart.id}/checkout`, customer, {})).body;
    await w.midtransSettles(checkout.token);
    const stockIn = async (storeId: number | string) =>
      Object.fromEntries(((await w.call('post', '/brandstore_menus/search', admin, { idbrandstore: storeId })).body.brandstoremenus as { idmenu: number; stocks: number }[]).map((r) => [Number(r.idmenu), r.stocks]));
    expect(await stockIn(gudang.id)).toEqual({ [Number(vitc.id)]: 98 });
    expect(await stockIn(dago.id)).toEqual({ [Number(vitc.id)]: 12, [Number(acne.id)]: 4 });
  });
});
