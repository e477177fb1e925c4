import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/app.js';
import { givePoints, menu, patientOf } from './fixtures.js';

/**
 * Commerce answers against the document's samples (orders/init, orders/:id, checkout,
 * user_points/:id, orders/table, …).
 */
let t: TestApp;
let admin: TestUser;
let customer: TestUser;

const DEPARTMENT_KEYS = ['num_of_login_attempts', 'department_ids', 'department_name', 'department_descriptions', 'department_codes'];

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user(['ADMIN']);
  customer = await t.user(['CUSTOMER']);
  const dep = await t.app.db.department.create({ data: { department_name: 'Finance', department_descriptions: 'Finance Department', department_codes: 'FIN-DOC' } });
  await t.app.db.userDepartment.create({ data: { id_users: customer.id, id_departments: dep.id } });
});
afterAll(() => t.close());

describe('nested accounts in commerce answers carry the documented fields', () => {
  it('orders/init member, orders/:id users and member', async () => {
    const patient = await patientOf(t, customer);
    const init = await t.http.post('/orders/init').set(t.auth(customer)).send({ id_patients: patient.id, order_type: 'E' });
    expect(init.status).toBe(200);
    expect(Object.keys(init.body.orders.member)).toEqual(expect.arrayContaining(DEPARTMENT_KEYS));
    expect(init.body.orders.member).toMatchObject({ id: customer.id, num_of_login_attempts: 0, department_name: 'Finance', department_codes: 'FIN-DOC', department_descriptions: 'Finance Department' });

    const one = await t.http.get(`/orders/${init.body.orders.id}`).set(t.auth(admin));
    expect(one.status).toBe(200);
    for (const k of ['users', 'member']) {
      expect(one.body.orders[k]).toMatchObject({ id: customer.id, num_of_login_attempts: 0, department_ids: expect.any(String), department_name: 'Finance' });
    }
  });

  it('a member without a department: the keys are there, empty', async () => {
    const other = await t.user(['CUSTOMER']);
    const patient = await patientOf(t, other);
    const init = await t.http.post('/orders/init').set(t.auth(other)).send({ id_patients: patient.id, order_type: 'C' });
    expect(init.status).toBe(200);
    expect(init.body.orders.member).toMatchObject({ num_of_login_attempts: 0, department_ids: '', department_name: '', department_descriptions: '', department_codes: '' });
  });

  it('user_points/:id users', async () => {
    await givePoints(t, customer.id, 500);
    const row = await t.app.db.userPoint.findFirstOrThrow({ where: { id_users: customer.id } });
    const one = await t.http.get(`/user_points/${row.id}`).set(t.auth(customer));
    expect(one.status).toBe(200);
    expect(Object.keys(one.body.user_points.users)).toEqual(expect.arrayContaining(DEPARTMENT_KEYS));
    expect(one.body.user_points.users).toMatchObject({ id: customer.id, department_name: 'Finance', num_of_login_attempts: 0 });
  });
});

describe("orders/table's documented search params", () => {
  it('order_date, date_from and date_to narrow the table (they answered 400)', async () => {
    const buyer = await t.user(['CUSTOMER']);
    const patient = await patientOf(t, buyer);
    const a = await t.http.post('/orders/init').set(t.auth(buyer)).send({ id_patients: patient.id, order_type: 'E' });
    const b = await t.http.post('/orders/init').set(t.auth(buyer)).send({ id_patients: patient.id, order_type: 'C' });
    // 10:00 WIB on 10 and 20 November 2023
    await t.app.db.order.update({ where: { id: a.body.orders.id }, data: { order_date: new Date('2023-11-10T03:00:00Z') } });
    await t.app.db.order.update({ where: { id: b.body.orders.id }, data: { order_date: new Date('2023-11-20T03:00:00Z') } });
    const ids = (res: any) => res.body.data.map((row: unknown[]) => row[0]);

    const day = await t.http.post('/orders/table').set(t.auth(admin)).send({ draw: 1, id_users: buyer.id, order_date: '2023-11-10' });
    expect(day.status).toBe(200);
    expect(ids(day)).toEqual([a.body.orders.id]);

    const range = await t.http.post('/orders/table').set(t.auth(admin)).send({ draw: 2, id_users: buyer.id, date_from: '15/11/2023', date_to: '2023-11-30' });
    expect(range.status).toBe(200);
    expect(ids(range)).toEqual([b.body.orders.id]);

    // the same as a DataTables form post
    const form = await t.http
      .post('/orders/table')
      .set(t.auth(admin))
      .type('form')
      .send(`draw=3&id_users=${buyer.id}&date_from=01%2F11%2F2023&date_to=30%2F11%2F2023&order%5B0%5D%5Bcolumn%5D=0&order%5B0%5D%5Bdir%5D=asc`);
    expect(form.status).toBe(200);
    expect(ids(form)).toEqual([a.body.orders.id, b.body.orders.id]);
    expect(form.body.draw).toBe(3);

    expect((await t.http.post('/orders/table').set(t.auth(admin)).send({ date_from: 'yesterday' })).status).toBe(400);

    // all of them sent narrow together: order_date within date_from..date_to, not the range alone
    const both = await t.http.post('/orders/table').set(t.auth(admin)).send({ draw: 4, id_users: buyer.id, order_date: '10/11/2023', date_from: '01/11/2023', date_to: '30/11/2023' });
    expect(ids(both)).toEqual([a.body.orders.id]);
    const outside = await t.http.post('/orders/explore').set(t.auth(admin)).send({ id_users: buyer.id, order_date: '10/11/2023', date_from: '15/11/2023' });
    expect(outside.body.data).toEqual([]);
    const before = await t.http.post('/orders/explore').set(t.auth(admin)).send({ id_users: buyer.id, order_date: '20/11/2023', date_to: '15/11/2023' });
    expect(before.body.data).toEqual([]);
  });
});
