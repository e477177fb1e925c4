-- Of users, the read cache's answers read the name alone (doctor availability shows the doctor's
-- users_fullname: booking.service.ts). An update that sets neither it nor the id, such as a login's
-- bookkeeping (last login, failed attempts), need not retire them: until now every login did.
-- UPDATE OF fires when a listed column is set, whether or not its value changes.
DROP TRIGGER users_changed ON "users";
CREATE TRIGGER users_changed AFTER INSERT OR DELETE OR TRUNCATE ON "users"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_table_change();
CREATE TRIGGER users_renamed AFTER UPDATE OF id, users_fullname ON "users"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_table_change();
