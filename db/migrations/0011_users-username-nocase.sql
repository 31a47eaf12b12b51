DROP INDEX `users_username_uq`;--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_lower_uq` ON `users` (lower("username"));--> statement-breakpoint
ALTER TABLE `users` DROP COLUMN `failed_attempts`;--> statement-breakpoint
ALTER TABLE `users` DROP COLUMN `locked_until`;--> statement-breakpoint
-- A failed sign-in under an unknown name kept the typed name, which is sometimes a password typed
-- into the wrong box: those names are forgotten. Sign-in counters keyed by typed names too.
UPDATE `audit_log` SET `username` = NULL WHERE `action` = 'login_failed' AND json_extract(`details`, '$.reason') = 'unknown_user';--> statement-breakpoint
DELETE FROM `rate_limits` WHERE `key` LIKE 'login\_user\_ip:%' ESCAPE '\';
