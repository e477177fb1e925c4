-- Indonesian numbers stored with the country code (+62812…, 62812…) take the leading 0 (0812…),
-- the one spelling users.service.ts normalizePhone writes, so the unique index on users_phone
-- refuses the same phone under another spelling. A number whose 0-spelling another account holds
-- already is left as it is (staff resolve those by hand).
UPDATE "users" u
   SET "users_phone" = '0' || regexp_replace(u."users_phone", '^\+?62', '')
 WHERE u."users_phone" ~ '^\+?62[0-9]{7,}$'
   AND NOT EXISTS (SELECT 1 FROM "users" o WHERE o."users_phone" = '0' || regexp_replace(u."users_phone", '^\+?62', ''));
