import { sqlRows } from '../../db/client.js';
import type { AuthUser } from '../../http/auth-user.js';
import { primaryImageSql } from '../catalogue/menus.service.js';
import { orderScopeSql } from './order-access.js';

/**
 * Lines in a customer's open carts (the app's badge, `counts_carts`): product lines and
 * consultation lines. An SQL expression of the customer's id (`member`: a parameter or a column).
 */
export const cartLinesSql = (member: string) =>
  `((SELECT count(*) FROM order_items ci JOIN orders co ON co.id = ci.id_order WHERE co.id_member = ${member} AND co.cart_open = 1)
    + (SELECT count(*) FROM order_extras ce JOIN orders co ON co.id = ce.id_orders WHERE co.id_member = ${member} AND co.cart_open = 1))::int`;

/**
 * orders/:id (and the answers of orders/init and checkout) read in one plain statement: the order
 * with its member (and the member's first department, as nestedUserInclude loads it), patient, promotion, lines (each with its product and primary picture) and
 * consultation lines (each with its doctor, the doctor's name and service), in the shape
 * orderDetailJSON reads, which is what `findFirst({ include: orderDetailInclude })` returns. That
 * Prisma read cost ≈0.8 ms of Node CPU a call (bench/calls.ts); this statement a fraction.
 * The order's own columns come as pg types; the relations come as JSON, with the dates the
 * serializers read turned back into Dates (a `date` as JSON is `yyyy-mm-dd`, read as UTC midnight,
 * as Prisma reads it). Also `cart_lines`, the member's lines in open carts (cartLinesSql), which
 * every order answer carries. Who may read it: orderScope's rule (orderScopeSql).
 * null when there is no such order for the caller.
 */
export async function readOrderDetail(db: object, user: AuthUser | undefined, orderId: number) {
  const scope = orderScopeSql(user, 'o.id_member', 2);
  const [row] = await sqlRows<Record<string, any>>(
    db,
    `SELECT o.*,
       (SELECT json_build_object('id', u.id, 'username', u.username, 'users_fullname', u.users_fullname, 'users_email', u.users_email,
          'users_phone', u.users_phone, 'users_address', u.users_address, 'users_birthday', u.users_birthday, 'users_picture', u.users_picture,
          'users_status', u.users_status, 'is_blocked', u.is_blocked, 'is_email_confirmed', u.is_email_confirmed,
          'is_phone_confirmed', u.is_phone_confirmed, 'is_password_reset_required', u.is_password_reset_required, 'positions', u.positions,
          'num_of_login_attempts', u.num_of_login_attempts,
          'departments', (SELECT coalesce(json_agg(json_build_object('department', json_build_object('id', dp.id, 'department_name', dp.department_name,
                'department_descriptions', dp.department_descriptions, 'department_codes', dp.department_codes))), '[]')
             FROM (SELECT ud.id_departments FROM user_departments ud WHERE ud.id_users = u.id ORDER BY ud.id LIMIT 1) fd
             JOIN departments dp ON dp.id = fd.id_departments))
        FROM users u WHERE u.id = o.id_member)::text AS member_json,
       (SELECT to_json(p) FROM patients p WHERE p.id = o.id_patients)::text AS patient_json,
       (SELECT to_json(pr) FROM promotions pr WHERE pr.id = o.id_promo_discount_applied)::text AS promotion_json,
       (SELECT coalesce(json_agg(jsonb_build_object('menu', CASE WHEN m.id IS NULL THEN NULL ELSE
             jsonb_build_object('nama_menus', m.nama_menus, 'is_resep_required', m.is_resep_required, 'brief', m.brief, 'dosis', m.dosis,
               'komposisi', m.komposisi, 'aturan_pakai', m.aturan_pakai, 'nomor_registrasi', m.nomor_registrasi, 'produsen', m.produsen,
               'berat', m.berat, 'images', CASE WHEN pi.menu_image IS NULL THEN '[]'::jsonb
                 ELSE jsonb_build_array(jsonb_build_object('menu_image', pi.menu_image)) END) END)
             || to_jsonb(i) ORDER BY i.id), '[]')
        FROM order_items i LEFT JOIN menus m ON m.id = i.id_menu
        LEFT JOIN LATERAL (SELECT ${primaryImageSql('m.id')} AS menu_image) pi ON true
        WHERE i.id_order = o.id)::text AS items_json,
       (SELECT coalesce(json_agg(jsonb_build_object('doctor', CASE WHEN d.id IS NULL THEN NULL ELSE to_jsonb(d) || jsonb_build_object(
               'user', CASE WHEN du.id IS NULL THEN NULL ELSE jsonb_build_object('users_fullname', du.users_fullname, 'users_picture', du.users_picture) END,
               'service', CASE WHEN s.id IS NULL THEN NULL ELSE jsonb_build_object('services_name', s.services_name) END) END)
             || to_jsonb(e) ORDER BY e.id), '[]')
        FROM order_extras e LEFT JOIN doctors d ON d.id = e.id_doctors LEFT JOIN users du ON du.id = d.id_users
        LEFT JOIN services s ON s.id = d.id_services WHERE e.id_orders = o.id)::text AS extras_json,
       ${cartLinesSql('o.id_member')} AS cart_lines
     FROM orders o WHERE o.id = $1${scope.sql}`,
    [orderId, ...scope.values],
    { prepared: true },
  );
  if (!row) return null;
  const { member_json, patient_json, promotion_json, items_json, extras_json } = row;
  const member = JSON.parse(member_json);
  member.users_birthday = day(member.users_birthday);
  const patient = patient_json == null ? null : JSON.parse(patient_json);
  if (patient) patient.tanggal_lahir = day(patient.tanggal_lahir);
  const items = JSON.parse(items_json);
  for (const item of items) item.order_datetime = new Date(item.order_datetime);
  row.member = member;
  row.patient = patient;
  row.promotion = promotion_json == null ? null : JSON.parse(promotion_json);
  row.items = items;
  row.extras = JSON.parse(extras_json);
  return row;
}

const day = (v: string | null) => (v == null ? null : new Date(`${v}T00:00:00Z`));
