import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCustomer, staffSignsIn } from './shop.js';
import { newPerson, register, startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.close());

const WINDOW_MS = 24 * 60 * 60_000; // CONSULTATION_WINDOW_MINUTES' default

describe('journey: an online consultation runs out and is closed', () => {
  it('the window passes, nobody can write, staff complete the order, the customer rates it, both overviews archive the thread', async () => {
    const admin = (await staffSignsIn(w)).bearer;
    const login = newPerson('drkonsul');
    const account = await register(w, login, { roles: ['DOCTOR'], positions: 'Dokter' }, admin);
    const doctorRow = (await w.call('post', '/doctors/create', admin, { id_users: Number(account.id), custom_price: 125_000, doctor_description: 'Sp.KK', is_active: 1 })).body.doctors;
    const doctor = (await w.signIn(login.username, login.password)).bearer;
    const buyer = await newCustomer(w, 'konsul', 'device-konsul');

    // the customer orders and pays a consultation; the thread opens with a window that the order shows
    const order = (await w.call('post', '/orders/init', buyer.bearer, { id_patients: buyer.patientId, order_type: 'C' })).body.orders;
    await w.call('post', '/orders/c_add_to_carts', buyer.bearer, { id_order: order.id, items: [{ id_doctors: doctorRow.id, qty: 1 }] });
    const checkout = (await w.call('put', `/orders/${order.id}/checkout`, buyer.bearer, {})).body;
    await w.midtransSettles(checkout.token);
    const paid = (await w.call('get', `/orders/${order.id}`, buyer.bearer)).body.orders;
    expect(paid.status).toBe('PAID');
    expect(paid.consultation_closed).toBeTruthy();
    const thread = ((await w.call('post', '/threads/overview', buyer.bearer, {})).body.active.online_consultations as any[]).find((t) => Number(t.id_order) === order.id);
    expect(thread, 'the open consultation').toBeDefined();
    expect((await w.call('post', '/threads/overview/doctors', doctor, {})).body.active.online_consultations.map((t: { id: number }) => t.id)).toEqual([thread.id]);

    // they talk; the customer cannot rate a consultation still running
    const question = (await w.call('post', '/thread_messages/text', buyer.bearer, { id_threads: thread.id, content: 'Dok, kulit saya kering' })).body.thread_messages;
    await w.call('post', '/thread_messages/text', doctor, { id_threads: thread.id, content: 'Pakai pelembap dua kali sehari' });
    await w.call('post', '/ratings/create', buyer.bearer, { id_orders: order.id, ratings: 5, rating_desc: 'Cepat' }, 422);

    // the window passes: the thread is in the archive of both, and nobody can write, edit or prescribe in it
    w.clockMovesOn(WINDOW_MS + 60_000);
    const archived = (await w.call('post', '/threads/overview', buyer.bearer, {})).body;
    expect(archived.active.online_consultations).toEqual([]);
    expect(archived.archive.online_consultations.map((t: { id: number }) => t.id)).toEqual([thread.id]);
    const drView = (await w.call('post', '/threads/overview/doctors', doctor, {})).body;
    expect(drView.active.online_consultations).toEqual([]);
    expect(drView.archive.online_consultations.map((t: { id: number }) => t.id)).toEqual([thread.id]);
    await w.call('post', '/thread_messages/text', buyer.bearer, { id_threads: thread.id, content: 'Dok, masih ada?' }, 409);
    await w.call('post', '/thread_messages/text', doctor, { id_threads: thread.id, content: 'Satu lagi' }, 409);
    await w.call('put', `/thread_messages/${question.id}/update_text`, buyer.bearer, { content: 'Dok, kulit saya sangat kering' }, 409);
    // the record of the talk stays readable
    const talk = (await w.call('post', '/thread_messages/explore?page=1&length=10', buyer.bearer, { id_threads: thread.id })).body.data as { content: string }[];
    expect(talk.map((m) => m.content)).toEqual(['Pakai pelembap dua kali sehari', 'Dok, kulit saya kering']);

    // the doctor closes it for good; a second close is refused; the customer cannot reopen it
    await w.call('put', `/threads/${thread.id}/close`, doctor, {});
    await w.call('put', `/threads/${thread.id}/close`, doctor, {}, 409);
    await w.call('put', `/threads/${thread.id}/reopen`, buyer.bearer, {}, 403);
    expect((await w.call('get', `/threads/${thread.id}`, buyer.bearer)).body.threads).toMatchObject({ is_closed: 1 });

    // staff complete the consultation order; the customer rates it, once
    const waiting = (await w.call('post', '/orders/explore?page=1&length=50', admin, { status_array: ['PAID'], order_type: 'C' })).body.data as { id: number }[];
    expect(waiting.map((o) => o.id)).toContain(order.id);
    await w.call('put', `/orders/${order.id}/consignee`, admin, {});
    expect((await w.call('get', `/orders/${order.id}`, buyer.bearer)).body.orders.status).toBe('DONE');
    const rating = (await w.call('post', '/ratings/create', buyer.bearer, { id_orders: order.id, ratings: 5, rating_desc: 'Dokter ramah' })).body.ratings;
    expect(rating).toMatchObject({ ratings: 5 });
    await w.call('post', '/ratings/create', buyer.bearer, { id_orders: order.id, ratings: 1, rating_desc: 'lagi' }, 409);
    expect((await w.call('get', `/orders/${order.id}`, buyer.bearer)).body.orders).toMatchObject({ status: 'DONE', ratings: 5, rating_desc: 'Dokter ramah' });
    // the doctor's overview keeps it in the archive
    expect((await w.call('post', '/threads/overview/doctors', doctor, {})).body.archive.online_consultations.map((t: { id: number }) => t.id)).toEqual([thread.id]);
  });
});
