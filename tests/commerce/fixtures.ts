import type { TestApp, TestUser } from '../helpers/app.js';

/** Catalogue/clinic rows the commerce tests need, written straight to the database. */
export async function patientOf(t: TestApp, u: TestUser, fields: Record<string, unknown> = {}) {
  return t.app.db.patient.create({
    data: { id_users: u.id, nama_lengkap_pasien: `Patient of ${u.username}`, alamat_domisili: 'Jalan Buahbatu 1, Bandung', kode_kota: '23', kode_kecamatan: '349', ...fields },
  });
}

export async function menu(t: TestApp, fields: Record<string, unknown> = {}) {
  return t.app.db.menu.create({ data: { nama_menus: `Cream ${Math.random().toString(36).slice(2, 7)}`, harga: 100_000, satuan: 'Jar', berat: 200, ...fields } });
}

export async function doctor(t: TestApp, customPrice = 150_000) {
  const u = await t.user(['DOCTOR']);
  return t.app.db.doctor.create({ data: { id_users: u.id, custom_price: customPrice, is_active: 1 } });
}

/** A warehouse store with `qty` units of the product, registered as the e-commerce stock source. */
export async function stockOf(t: TestApp, menuId: number, qty: number) {
  let settings = await t.app.db.deliverySetting.findUnique({ where: { scope: 'default' } });
  if (!settings?.id_brandstore_gudang) {
    const store = await t.app.db.brandstore.create({ data: { nama: 'Gudang' } });
    settings = await t.app.db.deliverySetting.upsert({
      where: { scope: 'default' },
      create: { scope: 'default', kode_kurir: ['jne'], id_brandstore_gudang: store.id },
      update: { id_brandstore_gudang: store.id },
    });
  }
  const bm = await t.app.db.brandstoreMenu.create({ data: { idmenu: menuId, idbrandstore: settings.id_brandstore_gudang! } });
  return t.app.db.stock.create({ data: { idbrandstoremenus: bm.id, quantitytotal: qty } });
}

export async function promotion(t: TestApp, fields: Record<string, unknown> = {}) {
  const code = `PROMO${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
  return t.app.db.promotion.create({
    data: {
      type: 'NOMINAL',
      value: 25_000,
      quota: 10,
      start_datetime: new Date(Date.now() - 86_400_000),
      expired_datetime: new Date(Date.now() + 86_400_000),
      display_codes: code,
      display_codes_key: code,
      ...fields,
    },
  });
}

export async function givePoints(t: TestApp, userId: number, amount: number) {
  await t.app.db.userPoint.create({ data: { id_users: userId, add_point: amount, remaining_point: amount, usecase: 'admin-adjust', expired_date: new Date(Date.now() + 30 * 86_400_000) } });
  await t.app.db.userPointBalance.upsert({ where: { id_users: userId }, create: { id_users: userId, balance: amount }, update: { balance: { increment: amount } } });
}

/**
 * What deliveries/calculate + process/courier leave behind (the shipping module's tests cover those
 * endpoints against a fake RajaOngkir): a stored quote for the cart's weight and district, and the
 * chosen courier with its price.
 */
export async function setCourier(t: TestApp, orderId: number, price = 20_000) {
  const { recomputeOrderTotals } = await import('../../src/modules/commerce/totals.js');
  const { cartWeight } = await import('../../src/modules/shipping/shipping.service.js');
  await t.app.db.$transaction(async (tx) => {
    const o = await tx.order.findUniqueOrThrow({ where: { id: orderId } });
    const weight = await cartWeight(tx, orderId);
    await tx.courierQuote.create({
      data: { id_orders: orderId, courier: 'jne', service: 'REG', cost: price, weight, origin: '1376', destination: o.kode_kecamatan, expires_at: new Date(Date.now() + 3600_000) },
    });
    await tx.order.update({ where: { id: orderId }, data: { courier: 'jne', courier_service: 'REG', courier_price: price, is_courier: 1, courier_datetime: new Date() } });
    await recomputeOrderTotals(tx, orderId);
  });
}

/** An E cart of `customer` with the products (qty each), courier set. */
export async function eCart(t: TestApp, customer: TestUser, lines: { id_menu: number; qty: number }[], courier = 20_000) {
  const patient = await patientOf(t, customer);
  const init = await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: patient.id, order_type: 'E' });
  if (init.status !== 200) throw new Error(JSON.stringify(init.body));
  const orderId = init.body.orders.id as number;
  const add = await t.http.post('/orders/e_add_to_carts').set(t.auth(customer)).send({ id_order: orderId, items: lines });
  if (add.status !== 200) throw new Error(JSON.stringify(add.body));
  await setCourier(t, orderId, courier);
  return orderId;
}
