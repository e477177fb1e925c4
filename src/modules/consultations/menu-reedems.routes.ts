import { z } from 'zod';
import { conflict, notFound, unprocessable } from '../../http/errors.js';
import { route } from '../../http/route.js';
import * as s from '../../lib/schemas.js';
import { effectivePrice } from '../catalogue/pricing.js';
import { recomputeOrderTotals } from '../commerce/totals.js';
import { holdUnpaidOrders, lockOrder } from '../commerce/reservations.js';
import { assertCartPatient, CART, MAX_LINE_QTY, newCartFields } from '../commerce/orders.service.js';
import { holdPatient } from '../patients/access.js';
import { holdLiveUser } from '../identity/account-holds.js';
import type { Prisma } from '../../db/client.js';
import { liveRedemption } from './redemptions.js';

/**
 * A prescription goes into the customer's open E cart: the only way a prescription-only product
 * enters a cart. One menu_reedems row per message (unique): a prescription backs one line at a time.
 * Redeemed again only once that line is no longer for sale (liveRedemption: removed from the cart, or
 * its order cancelled unpaid), decided under the message's row lock, so concurrent redemptions give one.
 * Only while valid: not expired, and the consultation it was written in still standing as a sale
 * (standsAsSale: paid, not cancelled, not taken back in full; checkout re-checks its lines the same
 * way). Threads without an order (prescription requests) are not concerned.
 */
export const menuReedemRoutes = [
  route({
    method: 'post',
    path: '/menu_reedems/add_to_carts',
    access: ['CUSTOMER'],
    tag: 'menu_reedems',
    summary: 'Put a prescribed product into your cart at the prescribed qty (once per prescription, while valid and its consultation paid; again once its line was removed or its order cancelled unpaid)',
    body: z.object({
      id_threads: s.id,
      id_menu: s.id,
      /** optional: which prescription message; default the newest one for the product not in a cart or order */
      id_thread_messages: s.id.optional(),
      /** optional: the open cart to use (must be yours) */
      id_orders: s.optionalRef.optional(),
    }),
    response: z.object({ add_to_carts: z.literal(true) }),
    handler: async ({ app, user, body, auditChange }) => {
      const me = user!.id;
      const now = app.now();
      await app.db.$transaction(async (tx) => {
        const thread = await tx.thread.findFirst({ where: { id: body.id_threads, id_user_from: me, deleted_at: null } });
        if (!thread) throw notFound(`threads ${body.id_threads} not found`);
        // The consultation's order (a thread of a paid consultation) held first, as its payment holds
        // it before the patient's row: its cancellation, refund or undone payment at the same moment
        // is seen below, or waits for this redemption.
        const undone = (await holdUnpaidOrders(tx, [thread.id_order])).size > 0;
        // The prescription is the thread patient's: it goes into a cart for that patient only while the
        // caller manages the live patient, as orders/init opens carts. Decided with the patient's row
        // held: staff moving it to another account (users/patients/link, unlink) or its deletion
        // either commits first and is seen here, or waits for this cart. Held, not locked FOR UPDATE:
        // a checkout of the cart meanwhile re-checks the order's foreign key to the patient while
        // this request waits for the cart's lock (a deadlock with FOR UPDATE).
        if (thread.id_patients) {
          await holdPatient(tx, thread.id_patients);
          if (!(await tx.patient.count({ where: { id: thread.id_patients, id_users: me, deleted_at: null } }))) {
            throw notFound(`patients ${thread.id_patients} not found: the consultation's patient is no longer one you manage`);
          }
        }
        const prescription = {
          id_threads: thread.id,
          id_menu: body.id_menu,
          content_type: 'prescriptions',
          // written by the doctor side, never by the customer themselves (postMessage refuses
          // that now; older rows may exist). Not "the current id_user_to": an admin may have
          // reassigned the thread, and the former doctor's prescriptions stay valid.
          id_user_from: { not: thread.id_user_from },
          deleted_at: null,
        } satisfies Prisma.ThreadMessageWhereInput;
        const found = await tx.threadMessage.findFirst({
          where: { ...prescription, id: body.id_thread_messages, ...(body.id_thread_messages ? {} : { NOT: { menuReedem: { is: liveRedemption } } }) },
          select: { id: true },
          orderBy: [{ created_at: 'desc' }, { id: 'desc' }],
        });
        if (!found) throw notFound('No prescription for this product in this thread');
        // The message's row held, as the foreign key check of a new redemption holds it: a delete of
        // the prescription either committed first (404 below) or waits for this redemption and then
        // sees it. Held, not locked: an edit of the message (read receipts) need not wait.
        await tx.$queryRaw`SELECT id FROM thread_messages WHERE id = ${found.id} FOR KEY SHARE`;
        const msg = await tx.threadMessage.findFirst({ where: { ...prescription, id: found.id }, include: { menu: true } });
        if (!msg || !msg.menu || msg.menu.deleted_at) throw notFound('No prescription for this product in this thread');
        // Redemptions of one prescription, one after the other: the first by the unique
        // id_thread_messages (a second insert waits for it, then fails → 409), a redemption again by
        // its row lock, after which its state is read as the one before committed it.
        const [previous] = await tx.$queryRaw<{ id: number; id_orders: number; id_order_items: number | null }[]>`
          SELECT id, id_orders, id_order_items FROM menu_reedems WHERE id_thread_messages = ${msg.id} FOR UPDATE`;
        if (previous?.id_order_items) {
          // its line is still there: the order's row lock, so that its state (cancelled unpaid, or
          // restored by uncancel, checked out, paid) is decided against those, which hold it too
          await lockOrder(tx, previous.id_orders);
          if (await tx.menuReedem.count({ where: { id: previous.id, ...liveRedemption } })) throw conflict('This prescription is already in a cart');
        }
        if (!msg.valid_until || msg.valid_until <= now) throw unprocessable('This prescription has expired');
        if (undone) throw unprocessable('This prescription’s consultation was cancelled or is no longer paid: it cannot be redeemed');
        const qty = msg.qty ?? 1;

        let cart;
        if (body.id_orders) {
          cart = await tx.order.findFirst({ where: { id: body.id_orders, id_member: me, order_type: 'E', cart_open: 1 } });
          if (!cart) throw notFound(`orders ${body.id_orders} not found or not an open cart`);
          // the prescription is the thread patient's: it goes into that patient's order only
          if (thread.id_patients && cart.id_patients !== thread.id_patients) {
            throw unprocessable("The cart is another patient's: a prescription goes into the cart of the consultation's patient", [{ field: 'id_orders', message: "not the thread patient's cart" }]);
          }
        } else {
          if (!thread.id_patients) throw unprocessable('The consultation has no patient: pass id_orders (your open cart)');
          const key = { id_member: me, id_patients: thread.id_patients, order_type: 'E', cart_open: 1 };
          cart = await tx.order.findFirst({ where: key });
          if (!cart) {
            // held until the cart commits, as orders/init holds it: the account's deletion (which
            // removes its open carts) comes first and is seen here, or waits and removes this cart too
            if (!(await holdLiveUser(tx, me))) throw notFound(`users ${me} not found`);
            // a new cart holds the orderer and the patient's address, as orders/init opens it
            const member = await tx.user.findUniqueOrThrow({ where: { id: me } });
            const patient = await tx.patient.findUniqueOrThrow({ where: { id: thread.id_patients } });
            // the open-cart key (id_member, id_patients, order_type, cart_open): ON CONFLICT DO NOTHING, then read it
            await tx.order.createMany({ data: [{ ...key, ...newCartFields(member, patient), order_date: now }], skipDuplicates: true });
            cart = await tx.order.findFirstOrThrow({ where: key });
          }
        }
        // The cart's row lock, then its state again: a checkout that committed meanwhile has fixed
        // the amount Midtrans was asked for and reserved stock for the lines it saw.
        await lockOrder(tx, cart.id);
        if (!(await tx.order.count({ where: { id: cart.id, status: CART, cart_open: 1 } }))) throw conflict(`orders ${cart.id} is no longer an open cart (it is being checked out)`);
        // a cart sent by id_orders (a thread without a patient) may be of a patient staff moved away since
        await assertCartPatient(tx, cart);

        // every qty is 1..999 (e_add_to_carts, order_items/:id/update): a line of the same product
        // grows by the prescribed qty only within that (the cart is locked: it is as read here)
        const line = await tx.orderItem.findUnique({ where: { id_order_id_menu: { id_order: cart.id, id_menu: msg.menu.id } }, select: { qty: true } });
        if (line && line.qty + qty > MAX_LINE_QTY) {
          throw unprocessable(`The cart already holds ${line.qty} of ${msg.menu.nama_menus}: with the prescribed ${qty} the line would pass ${MAX_LINE_QTY}; lower it first`, [
            { field: 'id_menu', message: `a cart line holds at most ${MAX_LINE_QTY}` },
          ]);
        }
        const price = effectivePrice(msg.menu, now);
        const item = await tx.orderItem.upsert({
          where: { id_order_id_menu: { id_order: cart.id, id_menu: msg.menu.id } },
          create: {
            id_order: cart.id,
            id_menu: msg.menu.id,
            qty,
            price,
            price_total: price * qty,
            satuan: msg.menu.satuan,
            nama_menus: msg.menu.nama_menus,
            order_datetime: now,
          },
          update: { qty: { increment: qty }, price, price_total: { increment: price * qty } },
        });
        // keep the line consistent with the current price (a previous redemption may be older)
        if (item.price_total !== item.price * item.qty) await tx.orderItem.update({ where: { id: item.id }, data: { price_total: item.price * item.qty } });
        // a released redemption (see liveRedemption) is moved to this line: the order it left no
        // longer has the prescription, so its checkout refuses that line if it is ever restored
        const redemption = { id_threads: thread.id, id_menu: msg.menu.id, id_orders: cart.id, id_order_items: item.id, id_users: me, qty };
        if (previous) await tx.menuReedem.update({ where: { id: previous.id }, data: redemption });
        else await tx.menuReedem.create({ data: { id_thread_messages: msg.id, ...redemption } });
        // the one place order totals are computed (commerce): promotion, courier and points included
        await recomputeOrderTotals(tx, cart.id);
        // the route's generic audit entry (a role-restricted route: every call), with the change
        await auditChange(tx);
      });
      return { add_to_carts: true };
    },
  }),
];
