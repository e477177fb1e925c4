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
