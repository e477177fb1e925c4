-- Sorting appointments by `hari` sorted the day names as text (Jumat, Kamis, Minggu, …). An
-- appointment's day is its date's (booking and reschedule refuse a tanggal whose weekday is not the
-- slot's hari), so hari_no is the date's ISO weekday (Senin 1 … Minggu 7), computed by the database
-- (also for existing rows): the tables order by it through Prisma, and no write can leave it stale.
ALTER TABLE "user_schedules" ADD COLUMN "hari_no" SMALLINT GENERATED ALWAYS AS (EXTRACT(ISODOW FROM "tanggal")::smallint) STORED;
