import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireUnpaidCheckouts } from '../../src/modules/commerce/payments.service.js';
import { expirePoints } from '../../src/modules/commerce/points.service.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { eCart, menu, stockOf } from './fixtures.js';

// The commerce jobs called directly, as the scheduler calls them (no Midtrans keys: the simulator).
let t: TestApp;
let customer: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  customer = await t.user(['CUSTOMER']);
});
afterAll(() => t.close());

/** Makes every update of one row of `table` fail, as a row the job cannot change would. */
async function refuseUpdatesOf(table: string, id: number) {
  await t.app.db.$executeRawUnsafe(`CREATE FUNCTION test_refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'row refused'; END $$`);
  await t.app.db.$executeRawUnsafe(`CREATE TRIGGER test_refuse_row BEFORE UPDATE ON ${table} FOR EACH ROW WHEN (OLD.id = ${id}) EXECUTE FUNCTION test_refuse_row()`);
}
async function acceptUpdatesOf(table: string) {
  await t.app.db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_refuse_row ON ${table}`);
  await t.app.db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS test_refuse_row()`);
}

async function dueCheckout() {
  const m = await menu(t, { harga: 10_000 });
  await stockOf(t, m.id, 5);
  const id = await eCart(t, customer, [{ id_menu: m.id, qty: 1 }], 1_000);
  await t.http.put(`/orders/${id}/checkout`).set(t.auth(customer)).send({}).expect(200);
  await t.app.db.order.update({ where: { id }, data: { expires_at: new Date(t.app.now().getTime() - 1_000) } });
  return id;
}

describe('one row that fails does not stop a job', () => {
  it('the checkouts after an order whose cancellation fails still expire, and it expires once it can', async () => {
    const stuck = await dueCheckout();
    const next = await dueCheckout();
    await refuseUpdatesOf('orders', stuck);
    try {
      expect(await expireUnpaidCheckouts(t.app)).toBe(1);
    } finally {
      await acceptUpdatesOf('orders');
    }
    const status = async (id: number) => (await t.app.db.order.findUniqueOrThrow({ where: { id } })).status;
    expect(await status(stuck)).toBe('CHECKOUT');
    expect(await status(next)).toBe('CANCEL');
    expect(await expireUnpaidCheckouts(t.app)).toBe(1);
    expect(await status(stuck)).toBe('CANCEL');
  });

  it('the points after a lot that cannot be expired still expire', async () => {
    const u = await t.user(['CUSTOMER']);
    const past = new Date('2020-01-01');
    const [stuck, next] = [
      await t.app.db.userPoint.create({ data: { id_users: u.id, add_point: 10, remaining_point: 10, usecase: 'admin-adjust', expired_date: past } }),
      await t.app.db.userPoint.create({ data: { id_users: u.id, add_point: 20, remaining_point: 20, usecase: 'admin-adjust', expired_date: past } }),
    ];
    await t.app.db.userPointBalance.create({ data: { id_users: u.id, balance: 30 } });
    await refuseUpdatesOf('user_points', stuck.id);
    try {
      await expirePoints(t.app);
    } finally {
      await acceptUpdatesOf('user_points');
    }
    const lot = (id: number) => t.app.db.userPoint.findUniqueOrThrow({ where: { id } });
    expect(await lot(stuck.id)).toMatchObject({ is_expired: 0, remaining_point: 10 });
    expect(await lot(next.id)).toMatchObject({ is_expired: 1, remaining_point: 0 });
    expect((await t.app.db.userPointBalance.findUniqueOrThrow({ where: { id_users: u.id } })).balance).toBe(10);
  });
});

describe('points expiry', () => {
  it('expires every due lot in one run, not only a first page of them', async () => {
    const u = await t.user(['CUSTOMER']);
    const n = 205;
    await t.app.db.userPoint.createMany({
      data: Array.from({ length: n }, () => ({ id_users: u.id, add_point: 1, remaining_point: 1, usecase: 'admin-adjust', expired_date: new Date('2020-01-01') })),
    });
    await t.app.db.userPointBalance.create({ data: { id_users: u.id, balance: n } });
    await expirePoints(t.app);
    expect(await t.app.db.userPoint.count({ where: { id_users: u.id, usecase: 'admin-adjust', is_expired: 0 } })).toBe(0);
    expect((await t.app.db.userPointBalance.findUniqueOrThrow({ where: { id_users: u.id } })).balance).toBe(0);
  });
});

describe('shutting down', () => {
  it('a run told to stop expires no further checkout or points; the next run does', async () => {
    const id = await dueCheckout();
    const u = await t.user(['CUSTOMER']);
    const lot = await t.app.db.userPoint.create({ data: { id_users: u.id, add_point: 5, remaining_point: 5, usecase: 'admin-adjust', expired_date: new Date('2020-01-01') } });
    await t.app.db.userPointBalance.create({ data: { id_users: u.id, balance: 5 } });
    const stopping = AbortSignal.abort();
    expect(await expireUnpaidCheckouts(t.app, stopping)).toBe(0);
    await expirePoints(t.app, stopping);
    expect((await t.app.db.order.findUniqueOrThrow({ where: { id } })).status).toBe('CHECKOUT');
    expect((await t.app.db.userPoint.findUniqueOrThrow({ where: { id: lot.id } })).is_expired).toBe(0);
    expect(await expireUnpaidCheckouts(t.app)).toBe(1);
    await expirePoints(t.app);
    expect((await t.app.db.userPoint.findUniqueOrThrow({ where: { id: lot.id } })).is_expired).toBe(1);
  });
});
