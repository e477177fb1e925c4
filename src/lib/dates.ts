/** The clinic works in Asia/Jakarta (UTC+7, no daylight saving). */
export const CLINIC_OFFSET_MINUTES = 7 * 60;
const OFFSET_MS = CLINIC_OFFSET_MINUTES * 60_000;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A calendar date (a `@db.Date` column, stored at UTC midnight) as yyyy-mm-dd. */
export function formatDate(d: Date | null | undefined): string | null {
  if (!d) return null;
  // a year before 1000 (the input takes any four digits) still as four: 0999, not 999
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** An instant as clinic wall-clock time, yyyy-mm-dd HH:mm:ss. */
export function formatDateTime(d: Date | null | undefined): string | null {
  if (!d) return null;
  const w = new Date(d.getTime() + OFFSET_MS);
  return `${formatDate(w)} ${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}:${pad(w.getUTCSeconds())}`;
}

/** A time-of-day column (`@db.Time`, stored as 1970-01-01Thh:mm:ssZ) as HH:mm:ss. */
export function formatTime(d: Date | null | undefined): string | null {
  if (!d) return null;
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** Parses dd/mm/yyyy or yyyy-mm-dd into a calendar date (UTC midnight); undefined when invalid. */
export function parseDate(s: string): Date | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s.trim()) ?? undefined;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s.trim()) ?? undefined;
  const [y, mo, d] = m ? [+m[3]!, +m[2]!, +m[1]!] : iso ? [+iso[1]!, +iso[2]!, +iso[3]!] : [NaN, NaN, NaN];
  if (!Number.isFinite(y)) return undefined;
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  return date;
}

/** Parses HH:mm or HH:mm:ss into a time-of-day value (1970-01-01 UTC); undefined when invalid. */
export function parseTime(s: string): Date | undefined {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s.trim());
  if (!m) return undefined;
  const [h, mi, se] = [+m[1]!, +m[2]!, +(m[3] ?? 0)];
  if (h > 23 || mi > 59 || se > 59) return undefined;
  return new Date(Date.UTC(1970, 0, 1, h, mi, se));
}

/**
 * Parses clinic wall-clock date-times: dd/mm/yyyy HH:mm[:ss], yyyy-mm-dd HH:mm[:ss] or
 * yyyy-mm-ddTHH:mm[:ss] into an instant; undefined when invalid.
 */
export function parseDateTime(s: string): Date | undefined {
  const m = /^(\S+)[ T](\d{1,2}:\d{2}(?::\d{2})?)$/.exec(s.trim());
  if (!m) return undefined;
  const date = parseDate(m[1]!);
  const time = parseTime(m[2]!);
  if (!date || !time) return undefined;
  return new Date(date.getTime() + time.getTime() - OFFSET_MS);
}

/** The clinic's calendar date of an instant (UTC midnight of that WIB day). */
export function clinicDay(instant: Date): Date {
  const w = new Date(instant.getTime() + OFFSET_MS);
  return new Date(Date.UTC(w.getUTCFullYear(), w.getUTCMonth(), w.getUTCDate()));
}

/** The instant at which a clinic calendar day (UTC-midnight date) starts. */
export function clinicDayStart(day: Date): Date {
  return new Date(day.getTime() - OFFSET_MS);
}

/** Whether a calendar date (UTC midnight) is after the clinic's today: a birth date may not be. */
export function isAfterClinicToday(day: Date, now: Date): boolean {
  return day.getTime() > clinicDay(now).getTime();
}
