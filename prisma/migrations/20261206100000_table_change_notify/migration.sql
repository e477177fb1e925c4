-- After each statement that changes a table the shop's product lists and product page read, tell
-- listening servers which table it was (pg_notify delivers it when the transaction commits, once
-- per table however many statements changed it). The servers' read cache keeps those answers until
-- then: src/db/read-cache.ts, src/db/table-changes.ts.
CREATE FUNCTION notify_table_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('table_changes', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

CREATE TRIGGER menus_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "menus"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_table_change();
CREATE TRIGGER menu_images_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "menu_images"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_table_change();
CREATE TRIGGER menu_categories_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "menu_categories"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_table_change();
CREATE TRIGGER brandstore_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "brandstore"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_table_change();
CREATE TRIGGER brandstore_menus_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "brandstore_menus"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_table_change();
CREATE TRIGGER stocks_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "stocks"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_table_change();
