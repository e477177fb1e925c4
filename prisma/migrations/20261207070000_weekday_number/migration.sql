-- Sorting practice hours and slots by `hari` sorted the day names as text (Jumat, Kamis, Minggu, …).
-- hari_no is the day's place in the week from Monday, computed by the database from hari (also for
-- existing rows), so explore/search/table order by it through Prisma and no write can leave it stale.
ALTER TABLE "schedules" ADD COLUMN "hari_no" SMALLINT GENERATED ALWAYS AS (
  CASE "hari" WHEN 'Senin' THEN 1 WHEN 'Selasa' THEN 2 WHEN 'Rabu' THEN 3 WHEN 'Kamis' THEN 4
              WHEN 'Jumat' THEN 5 WHEN 'Sabtu' THEN 6 WHEN 'Minggu' THEN 7 END) STORED;
ALTER TABLE "doctor_schedules" ADD COLUMN "hari_no" SMALLINT GENERATED ALWAYS AS (
  CASE "hari" WHEN 'Senin' THEN 1 WHEN 'Selasa' THEN 2 WHEN 'Rabu' THEN 3 WHEN 'Kamis' THEN 4
              WHEN 'Jumat' THEN 5 WHEN 'Sabtu' THEN 6 WHEN 'Minggu' THEN 7 END) STORED;
