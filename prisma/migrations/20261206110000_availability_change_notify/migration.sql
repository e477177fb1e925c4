-- The tables doctor availability reads (booking.service.ts, availability) tell listening servers of
-- their changes too, as the catalogue's do (20261206100000_table_change_notify).
CREATE TRIGGER doctors_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "doctors"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_table_change();
CREATE TRIGGER doctor_schedules_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "doctor_schedules"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_table_change();
CREATE TRIGGER doctor_services_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "doctor_services"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_table_change();
CREATE TRIGGER services_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "services"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_table_change();
CREATE TRIGGER service_categories_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "service_categories"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_table_change();
CREATE TRIGGER users_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "users"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_table_change();
CREATE TRIGGER holidays_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "holidays"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_table_change();
CREATE TRIGGER user_schedules_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "user_schedules"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_table_change();
