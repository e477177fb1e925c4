-- The servers keep each caller's account state (src/http/authenticate.ts: username, token version,
-- block, deletion, roles) until it changes. After each commit that changed one, tell them whose it
-- was: `user_auth:<id>` on the `table_changes` channel (the same listener as the read cache's
-- table names), or `user_auth` for all of them (TRUNCATE). A login's bookkeeping (last login,
-- failed attempts) changes none of these columns and says nothing.
CREATE FUNCTION notify_user_auth_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM pg_notify('table_changes', 'user_auth');
    RETURN NULL;
  END IF;
  -- TG_ARGV[0]: the column that holds the user's id (users.id, user_roles.id_users)
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('table_changes', 'user_auth:' || (to_jsonb(OLD) ->> TG_ARGV[0]));
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('table_changes', 'user_auth:' || (to_jsonb(NEW) ->> TG_ARGV[0]));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER users_auth_changed AFTER UPDATE ON "users" FOR EACH ROW
  WHEN (OLD.id IS DISTINCT FROM NEW.id
     OR OLD.username IS DISTINCT FROM NEW.username
     OR OLD.token_version IS DISTINCT FROM NEW.token_version
     OR OLD.is_blocked IS DISTINCT FROM NEW.is_blocked
     OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
  EXECUTE FUNCTION notify_user_auth_change('id');
CREATE TRIGGER users_auth_deleted AFTER DELETE ON "users" FOR EACH ROW
  EXECUTE FUNCTION notify_user_auth_change('id');
CREATE TRIGGER users_auth_truncated AFTER TRUNCATE ON "users" FOR EACH STATEMENT
  EXECUTE FUNCTION notify_user_auth_change();
CREATE TRIGGER user_roles_auth_changed AFTER INSERT OR UPDATE OR DELETE ON "user_roles" FOR EACH ROW
  EXECUTE FUNCTION notify_user_auth_change('id_users');
CREATE TRIGGER user_roles_auth_truncated AFTER TRUNCATE ON "user_roles" FOR EACH STATEMENT
  EXECUTE FUNCTION notify_user_auth_change();
