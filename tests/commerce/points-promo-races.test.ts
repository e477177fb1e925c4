import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { on } from '../../src/lib/events.js';
import { spendPoints } from '../../src/modules/commerce/points.service.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { someoneWaits, whileHolding } from '../helpers/interleave.js';
import { eCart, menu, promotion, stockOf } from './fixtures.js';

// Points and promotion codes changed by two requests at once. Each race is set up
// deterministically: one side is held in an open transaction until the other waits for a row
// lock (or 5 s). The races show on PostgreSQL (TEST_DATABASE_URL); PGlite runs one statement at a time.
let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  // the payment simulator (no Midtrans keys); paid orders earn 10%
  t = await createTestApp({ POINTS_EARN_PERCENT: '10' });
  admin = await t.user(['ADMIN']);
});
afterAll(() => t.close());

const put = (path: string, u: TestUser, body: object = {}) => t.http.put(path).set(t.auth(u)).send(body);
const balance = async (u: TestUser) => (await t.app.db.userPointBalance.findUnique({ where: { id_users: u.id } }))?.balance ?? 0;

/** A paid order of `u` (100,000, no shipping cost) that earned 10,000 points. */
async function paidOrder(u: TestUser) {
  const m = await menu(t, { harga: 100_000 });
  await stockOf(t, m.id, 5);
  const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 0);
  await put(`/orders/${id}/checkout`, u).expect(200);
  await put(`/orders/${id}/paid`, admin, { pay_channel: 'QRIS' }).expect(200);
  return id;
}

describe.runIf(process.env.TEST_DATABASE_URL)('a paid order cancelled while a checkout spends the points it earned', () => {
  it('takes back what is left of them, not nothing', async () => {
    const u = await t.user(['CUSTOMER']);
    const paid = await paidOrder(u);
    expect(await balance(u)).toBe(10_000);
    const cart = await eCart(t, u, [{ id_menu: (await menu(t, { harga: 50_000 })).id, qty: 1 }], 0);
    // what a checkout of the cart does with 3,000 applied points, held open while staff cancel the paid order
    const cancel = await whileHolding(t.app.db, 
      (tx) => spendPoints(t.app, tx, u.id, 3_000, 'order-use', cart),
      () => put(`/orders/${paid}/cancel`, admin, { cancel_reason: 'refunded' }).then((r) => r),
    );
    expect(cancel.status).toBe(200);
    // 3,000 of the earned 10,000 were spent: the other 7,000 go with the cancelled order
    expect(await t.app.db.userPoint.findUniqueOrThrow({ where: { id_orders_earned: paid } })).toMatchObject({ remaining_point: 0 });
    expect(await t.app.db.userPoint.findFirst({ where: { id_orders: paid, usecase: 'order-reverse' } })).toMatchObject({ use_point: 7_000 });
    expect(await balance(u)).toBe(0);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('two staff editing one promotion at once', () => {
  it('the later edit is checked against the promotion as the first left it: no percentage above 100', async () => {
    const p = await promotion(t, { type: 'NOMINAL', value: 25_000 });
    const res = await whileHolding(t.app.db, 
      (tx) => tx.promotion.update({ where: { id: p.id }, data: { type: 'PERSEN', value: 10 } }),
      () => put(`/promotions/${p.id}/update`, admin, { value: 30_000 }).then((r) => r),
    );
    expect(res.status).toBe(400);
    expect(await t.app.db.promotion.findUniqueOrThrow({ where: { id: p.id } })).toMatchObject({ type: 'PERSEN', value: 10 });
  });

  it('no end before the start', async () => {
    const p = await promotion(t, { start_datetime: new Date('2026-01-01T00:00:00+07:00'), expired_datetime: new Date('2099-01-01T00:00:00+07:00') });
    const res = await whileHolding(t.app.db, 
      (tx) => tx.promotion.update({ where: { id: p.id }, data: { start_datetime: new Date('2026-03-01T00:00:00+07:00') } }),
      () => put(`/promotions/${p.id}/update`, admin, { expired_datetime: '01/02/2026 00:00' }).then((r) => r),
    );
    expect(res.status).toBe(400);
    const row = await t.app.db.promotion.findUniqueOrThrow({ where: { id: p.id } });
    expect(row.expired_datetime > row.start_datetime).toBe(true);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('a code applied to a cart while staff edit its promotion', () => {
  it('the cart shows the discount its checkout will charge (the edited one)', async () => {
    const u = await t.user(['CUSTOMER']);
    const m = await menu(t, { harga: 100_000 });
    await stockOf(t, m.id, 5);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 20_000);
    const p = await promotion(t, { type: 'NOMINAL', value: 30_000 });
    // the edit held open after it has written the promotion and recomputed the carts that had applied it
    let release!: () => void;
    let edited!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const hasEdited = new Promise<void>((r) => (edited = r));
    on('promotion.changed', async (_app, { promotionId }) => {
      if (promotionId !== p.id) return;
      edited();
      await held;
    });
    const edit = put(`/promotions/${p.id}/update`, admin, { value: 10_000 }).then((r) => r);
    await hasEdited;
    const apply = put(`/orders/${id}/apply/promotions`, u, { display_codes: p.display_codes }).then((r) => r);
    // (the edit's transaction may not stay open for long: as soon as the apply is done or waits)
    await Promise.race([apply, someoneWaits(t.app.db)]);
    release();
    expect((await edit).status).toBe(200);
    expect((await apply).status).toBe(200);
    const shown = (await t.http.get(`/orders/${id}`).set(t.auth(u))).body.orders;
    expect(shown).toMatchObject({ total_discount: 10_000, grand_totals: 110_000 });
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('staff deleting a point credit while a checkout spends points', () => {
  it('waits for the balance before it touches the credit, as every points movement does (no deadlock)', async () => {
    const u = await t.user(['CUSTOMER']);
    await t.app.db.userPointBalance.create({ data: { id_users: u.id, balance: 5_000 } });
    const credit = await t.app.db.userPoint.create({ data: { id_users: u.id, add_point: 5_000, remaining_point: 5_000, usecase: 'admin-adjust' } });
    let creditFree: boolean | undefined;
    let del!: Promise<{ status: number }>;
    // a checkout holds the customer's balance (spendPoints locks it first) and then takes from the credit
    await t.app.db
      .$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT id FROM user_point_balances WHERE id_users = ${u.id} FOR UPDATE`;
          del = t.http.delete(`/user_points/${credit.id}/delete`).set(t.auth(admin)).then((r) => r);
          await someoneWaits(t.app.db);
          creditFree = await tx.$queryRaw`SELECT id FROM user_points WHERE id = ${credit.id} FOR UPDATE NOWAIT`.then(
            () => true,
            () => false,
          );
          if (!creditFree) throw new Error('the credit is locked by the delete: the checkout would deadlock here');
        },
        { timeout: 20_000 },
      )
      .catch(() => undefined);
    expect(creditFree).toBe(true);
    expect((await del).status).toBe(200);
    expect(await balance(u)).toBe(0);
  });
});

// docs/compat.md: "an order back in the cart (`uncheckout`, a failed payment start, `uncancel`) has
// its totals recomputed too ... a cart always shows what its checkout will charge for it". An edit
// recomputes the carts that had applied the code when it began: an order uncancelled meanwhile was
// not one of them, and read the promotion as it was before the edit.
describe.runIf(process.env.TEST_DATABASE_URL)('an order uncancelled while staff edit the promotion it applied', () => {
  it('the cart shows the discount its checkout will charge (the edited one)', async () => {
    const u = await t.user(['CUSTOMER']);
    const m = await menu(t, { harga: 100_000 });
    await stockOf(t, m.id, 5);
    const id = await eCart(t, u, [{ id_menu: m.id, qty: 1 }], 20_000);
    const p = await promotion(t, { type: 'NOMINAL', value: 10_000 });
    await put(`/orders/${id}/apply/promotions`, u, { display_codes: p.display_codes }).expect(200);
    await put(`/orders/${id}/checkout`, u).expect(200);
    await put(`/orders/${id}/cancel`, admin, { cancel_reason: 'customer asked' }).expect(200);
    // the edit, held open once it has written the promotion (no cart had applied it: the order was cancelled)
    const res = await whileHolding(
      t.app.db,
      (tx) => tx.promotion.update({ where: { id: p.id }, data: { value: 30_000 } }),
      () => put(`/orders/${id}/uncancel`, admin).then((r) => r),
    );
    expect(res.status).toBe(200);
    const shown = (await t.http.get(`/orders/${id}`).set(t.auth(u))).body.orders;
    expect(shown).toMatchObject({ status: 'SHOPPING CARTS', total_discount: 30_000, grand_totals: 90_000 });
    // and so the checkout charges it
    await put(`/orders/${id}/checkout`, u).expect(200);
    expect(await t.app.db.order.findUniqueOrThrow({ where: { id } })).toMatchObject({ total_discount: 30_000, grand_totals: 90_000 });
  });
});
