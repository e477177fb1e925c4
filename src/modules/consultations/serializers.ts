import { z } from 'zod';
import * as r from '../../http/response.js';
import type { AppContext } from '../../app-context.js';
import { formatDateTime } from '../../lib/dates.js';
import { isLive, redemptionState } from './redemptions.js';
import { doctorBriefJSON, doctorBriefSchema } from '../clinic/serializers.js';
import { menuBaseSchema } from '../catalogue/serializers.js';
import { nestedUserFor, nestedUserInclude, nestedUserSchema } from '../notifications/serializers.js';
import { isDoctor, type AuthUser } from '../../http/auth-user.js';
import { ADDRESS_FIELDS, allergySchema, PATIENT_CLINICAL_FIELDS, PATIENT_FIELDS, patientListJSON, patientManagerJSON } from '../patients/serializers.js';

type Row = any;

/** relations every thread answer needs (one query with the list) */
export const threadInclude = {
  userFrom: true,
  userTo: true,
  order: { select: { order_code: true, order_date: true } },
} as const;

/** threads/create, threads/:id, update: the two accounts nested whole (nestedUserJSON) */
export const threadDetailInclude = {
  ...threadInclude,
  userFrom: { include: nestedUserInclude },
  userTo: { include: nestedUserInclude },
} as const;

/**
 * overview: plus the doctor's profile. The patient (with allergies) is loaded apart, for the page at
 * once and only where the caller may read it now (withReadablePatients), then set as `patient`.
 */
export const threadOverviewInclude = {
  ...threadInclude,
  userTo: { include: { doctor: { include: { service: { select: { services_name: true } } } } } },
} as const;

/** the overview's patient: as the patients module prints it, with the managing user */
export const threadPatientInclude = { user: { include: nestedUserInclude }, allergies: { where: { deleted_at: null }, orderBy: { id: 'asc' } } } as const;

export const messageInclude = {
  thread: { select: { id_patients: true } },
  userFrom: true,
  userTo: true,
  // is_redeemed: whether the prescription is in a cart or order now (a released redemption is not)
  menuReedem: redemptionState,
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

/** the participants, patient and dates every thread shape carries (threadIdsSchema) */
const threadIds = (t: Row) => ({
  id_user_from: t.id_user_from,
  id_user_to: t.id_user_to ?? 0,
  id_patients: t.id_patients ?? 0,
  created: formatDateTime(t.created_at),
  modified: formatDateTime(t.updated_at),
});

/** list form (explore/search/adminview/overview, nested in messages) */
export function threadJSON(app: AppContext, t: Row) {
  return {
    ...threadCommon(t),
    ...threadIds(t),
    user_from: t.userFrom?.users_fullname ?? null,
    user_from_picture: t.userFrom?.users_picture ?? null,
    user_from_picture_url: picture(app, t.userFrom),
    user_to: t.userTo?.users_fullname ?? null,
    user_to_picture: t.userTo?.users_picture ?? null,
    user_to_picture_url: picture(app, t.userTo),
  };
}

/**
 * The viewer is the thread's doctor (id_user_to) and holds the DOCTOR role now: the relation that
 * shows them the customer's contact data. A doctor whose role was taken away keeps the thread in
 * their lists, not the customer's contact data.
 */
const isThreadsDoctor = (t: Row, viewer: AuthUser | undefined) => t.id_user_to != null && viewer?.id === t.id_user_to && isDoctor(viewer);

/**
 * threads/create, threads/:id, update: the two users nested. The doctor's account as doctors/:id
 * shows it (contact data for staff and the doctor only); the customer's to staff, themselves and the
 * thread's doctor while a DOCTOR (isThreadsDoctor), not to a doctor who merely sees an untaken request.
 */
export function threadDetailJSON(app: AppContext, t: Row, viewer: AuthUser | undefined) {
  return {
    ...threadCommon(t),
    ...threadIds(t),
    user_from: nestedUserFor(app, t.userFrom, viewer, isThreadsDoctor(t, viewer)),
    user_to: nestedUserFor(app, t.userTo, viewer),
  };
}

export function threadOverviewJSON(app: AppContext, t: Row, viewer: AuthUser | undefined) {
  const d = t.userTo?.doctor;
  // the patient's manager whole to the thread's doctor only while it is the thread's customer (as threads/:id)
  const related = isThreadsDoctor(t, viewer) && t.patient?.id_users === t.id_user_from;
  return {
    ...threadJSON(app, t),
    patients: t.patient ? { ...patientListJSON(app, t.patient), users: patientManagerJSON(app, t.patient.user, viewer, related) } : null,
    // the doctor's account is the thread's addressee (loaded once, as userTo)
    doctors: d ? doctorBriefJSON(app, { ...d, user: t.userTo }) : null,
  };
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
    id_patients: m.thread?.id_patients ?? 0,
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
    // decided in SQL by the statement that read the page (readThreadMessages), else from the row's redemption
    is_redeemed: (m.is_redeemed ?? isLive(m.menuReedem)) ? 1 : 0,
  };
}

export function messageDetailJSON(app: AppContext, m: Row, callerId: number | undefined) {
  const { id, ...rest } = messageJSON(app, m, callerId);
  return { id, threads: threadJSON(app, m.thread), ...rest };
}

// ---------------------------------------------------------------- response schemas

export const THREAD_TYPES = ['online_consultations', 'prescriptions'] as const;
export const CONTENT_TYPES = ['text', 'image', 'attachments', 'prescriptions'] as const;

const threadCommonSchema = {
  id: r.int,
  thread_type: z.enum(THREAD_TYPES),
  id_order: r.int,
  order_date: r.when,
  order_code: r.str,
  queue_number: r.int,
  estimate_done_at: r.when,
  last_update_at: r.when,
  last_seen_at: r.when,
  is_closed: r.flag,
  closed_at: r.when,
};
const threadIdsSchema = {
  id_user_from: r.int,
  id_user_to: r.int,
  /** 0 = no patient (a prescription request's thread) */
  id_patients: r.int,
  created: r.str,
  modified: r.str,
};

/** the two sides of a thread or message, by name and picture (threadJSON, messageJSON) */
const participantsShape = {
  user_from: r.str,
  user_from_picture: r.str,
  user_from_picture_url: r.str,
  user_to: r.str.nullable(),
  user_to_picture: r.str.nullable(),
  user_to_picture_url: r.str,
};

/** threadJSON (no clinical fields: who, when, which order) */
export const threadSchema = z.object({
  ...threadCommonSchema,
  ...threadIdsSchema,
  ...participantsShape,
});

export const threadDetailSchema = z.object({ ...threadCommonSchema, ...threadIdsSchema, user_from: nestedUserSchema, user_to: nestedUserSchema });

/**
 * The consultation's patient (patientListJSON plus the nested user, fields nullable as loaded
 * here). Allergies and the patient's clinical fields are health data.
 */
const patientFieldSchema = (f: (typeof PATIENT_FIELDS)[number]) => {
  const t = f === 'nama_lengkap_pasien' ? r.str : f === 'tanggal_lahir' ? r.when : r.str.nullable();
  return PATIENT_CLINICAL_FIELDS.has(f) ? r.clinical(t) : t;
};
const overviewPatientSchema = r.patientRef(
  z.object({
    id: r.int,
    id_users: r.int,
    patient_external_id: r.str,
    ...Object.fromEntries(PATIENT_FIELDS.map((f) => [f, patientFieldSchema(f)])),
    ...Object.fromEntries(ADDRESS_FIELDS.map((f) => [f, r.str.nullable()])),
    patient_picture: r.str.nullable(),
    patient_picture_url: r.str,
    allergies: r.clinical(z.array(allergySchema)),
    lat: r.num,
    lng: r.num,
    users: nestedUserSchema.nullable(),
  }),
  'id',
);


export const threadOverviewSchema = threadSchema.extend({ patients: overviewPatientSchema.nullable(), doctors: doctorBriefSchema.nullable() });

/** adminview / overview: active and archive, each split by thread type */
export const groupedSchema = (item: z.ZodType) => {
  const kinds = z.object({ prescriptions: z.array(item), online_consultations: z.array(item) });
  return z.object({ active: kinds, archive: kinds });
};

/** a prescription's `content`: the product as prescribed (snapshot) with the qty */
const prescriptionContentSchema = menuBaseSchema.extend({ images: r.str, qty: r.int });

/**
 * What a message says is health data: the text, the file's name and its signed link, the
 * prescription. Whose: the thread's patient (`id_patients`; 0 when the thread has none).
 */
const messageFields = {
  intentions: r.str,
  id_threads: r.int,
  id_patients: r.int,
  id_user_from: r.int,
  id_user_to: r.int,
  title: r.str,
  content: r.clinical(z.union([r.str, prescriptionContentSchema])),
  content_type: z.enum(CONTENT_TYPES),
  priority: r.str,
  labels: r.str,
  is_read: r.flag,
  read_at: r.when,
  url: r.clinical(r.str),
  file_mime: r.str,
  file_size: r.int,
  remark: r.str,
  created: r.str,
  modified: r.str,
  edited_at: r.when,
  ...participantsShape,
  bubble: z.enum(['left', 'right']),
  qty: r.int,
  valid_until: r.when,
  is_redeemed: r.flag,
};
export const messageSchema = r.patientRef(z.object({ id: r.int, ...messageFields }), 'id_patients', { thread: 'id_threads' });
export const messageDetailSchema = r.patientRef(z.object({ id: r.int, threads: threadSchema, ...messageFields }), 'id_patients', { thread: 'id_threads' });
