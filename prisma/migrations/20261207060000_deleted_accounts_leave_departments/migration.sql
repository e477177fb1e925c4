-- Accounts deleted before users/:id/delete removed their department memberships leave them now
-- (users.service.ts deleteAccount): a department whose members were all deleted accounts could not
-- be deleted, and user_departments listed the deleted accounts as members.
DELETE FROM "user_departments" ud
 USING "users" u
 WHERE ud."id_users" = u."id" AND u."deleted_at" IS NOT NULL;
