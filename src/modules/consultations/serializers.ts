import type { AppContext } from '../../app-context.js';
import { formatDateTime } from '../../lib/dates.js';
import { nestedUserJSON } from '../notifications/serializers.js';
import { patientListJSON } from '../patients/serializers.js';

type Row = any;

/** relations every thread answer needs (one query with the list) */
export const threadInclude = {
  userFrom: true,
  userTo: true,
  order: { select: { order_code: true, order_date: true } },
} as const;

/** overview: plus the patient with allergies and the doctor's profile */
export const threadOverviewInclude = {
  ...threadInclude,
  patient: { include: { user: true, allergies: { where: { deleted_at: null }, orderBy: { id: 'asc' } } } },
  userTo: { include: { doctor: { include: { service: { select: { services_name: true } } } } } },
} as const;

export const messageInclude = {
  userFrom: true,
  userTo: true,
  menuReedem: { select: { id: true } },
} as const;

const picture = (app: AppContext, u: Row | null) => app.storage.publicUrl('users', u?.users_picture ?? '');

function threadCommon(t: Row) {
  return {
    id: t.id,
    thread_type: t.thread_type,
    id_order: t.id_order ?? 0,
    order_date: formatDateTime(t.order?.order_date),
    order_code: t.order?.order_code ?? '',
    queue_number: t.queue_number,
    estimate_done_at: formatDateTime(t.estimate_done_at),
    last_update_at: formatDateTime(t.last_update_at),
    last_seen_at: formatDateTime(t.last_seen_at),
    is_closed: t.is_closed,
    closed_at: formatDateTime(t.closed_at),
  };
}

/** list form (explore/search/adminview/overview, nested in messages) */
export function threadJSON(app: AppContext, t: Row) {
  return {
    ...threadCommon(t),
    id_user_from: t.id_user_from,
    id_user_to: t.id_user_to ?? 0,
    id_patients: t.id_patients ?? 0,
    created: formatDateTime(t.created_at),
    modified: formatDateTime(t.updated_at),
    user_from: t.userFrom?.users_fullname ?? null,
    user_from_picture: t.userFrom?.users_picture ?? null,
    user_from_picture_url: picture(app, t.userFrom),
    user_to: t.userTo?.users_fullname ?? null,
    user_to_picture: t.userTo?.users_picture ?? null,
    user_to_picture_url: picture(app, t.userTo),
  };
}

/** threads/create, threads/:id, update: the two users nested */
export function threadDetailJSON(app: AppContext, t: Row) {
  return {
    ...threadCommon(t),
    id_user_from: t.id_user_from,
    id_user_to: t.id_user_to ?? 0,
    id_patients: t.id_patients ?? 0,
    created: formatDateTime(t.created_at),
    modified: formatDateTime(t.updated_at),
    user_from: nestedUserJSON(app, t.userFrom),
    user_to: nestedUserJSON(app, t.userTo),
  };
}

export function threadOverviewJSON(app: AppContext, t: Row) {
  const d = t.userTo?.doctor;
  return {
    ...threadJSON(app, t),
    patients: t.patient ? patientJSON(app, t.patient) : null,
    doctors: d
      ? {
          id: d.id,
          id_users: d.id_users,
          id_services: d.id_services ?? 0,
          custom_price: d.custom_price,
          doctor_description: d.doctor_description,
          availability_description: d.availability_description,
          is_active: d.is_active,
          short_description: d.short_description,
          users_fullname: t.userTo.users_fullname,
          services_name: d.service?.services_name ?? null,
          users_picture: t.userTo.users_picture,
          users_picture_url: picture(app, t.userTo),
        }
      : null,
  };
}

/** the consultation's patient as the patients module prints it, plus the nested user (document's overview) */
function patientJSON(app: AppContext, p: Row) {
  return { ...patientListJSON(app, p), users: p.user ? nestedUserJSON(app, p.user) : null };
}

/** `content` of a prescription: the product snapshot with the prescribed qty */
function messageContent(m: Row) {
  if (m.content_type === 'prescriptions') return { ...(m.menu_snapshot ?? {}), qty: m.qty };
  return m.content;
}

/** Files are private: a short-lived signed link, only in answers to participants and admins. */
const messageUrl = (app: AppContext, m: Row) =>
  m.file_name ? app.storage.signedUrl('thread_messages', m.file_name, app.now().getTime()) : '';

export function messageJSON(app: AppContext, m: Row, callerId: number | undefined) {
  return {
    id: m.id,
    intentions: m.intentions,
    id_threads: m.id_threads,
    id_user_from: m.id_user_from,
    id_user_to: m.id_user_to ?? 0,
    title: m.title,
    content: messageContent(m),
    content_type: m.content_type,
    priority: m.priority,
    labels: m.labels,
    is_read: m.is_read,
    read_at: formatDateTime(m.read_at),
    url: messageUrl(app, m),
    file_mime: m.file_mime ?? '',
    file_size: m.file_size ?? 0,
    remark: m.remark,
    created: formatDateTime(m.created_at),
    modified: formatDateTime(m.updated_at),
    edited_at: formatDateTime(m.edited_at),
    user_from: m.userFrom?.users_fullname ?? null,
    user_from_picture: m.userFrom?.users_picture ?? null,
    user_from_picture_url: picture(app, m.userFrom),
    user_to: m.userTo?.users_fullname ?? null,
    user_to_picture: m.userTo?.users_picture ?? null,
    user_to_picture_url: picture(app, m.userTo),
    bubble: m.id_user_from === callerId ? 'right' : 'left',
    qty: m.qty ?? 0,
    valid_until: formatDateTime(m.valid_until),
    is_redeemed: m.menuReedem ? 1 : 0,
  };
}

export function messageDetailJSON(app: AppContext, m: Row, callerId: number | undefined) {
  const { id, ...rest } = messageJSON(app, m, callerId);
  return { id, threads: threadJSON(app, m.thread), ...rest };
}
