DROP INDEX `members_joined_idx`;--> statement-breakpoint
DROP INDEX `members_org_name_cover_idx`;--> statement-breakpoint
DROP INDEX `members_org_joined_cover_idx`;--> statement-breakpoint
CREATE INDEX `members_name_cover_idx` ON `members` (`name`,`id`,`relation_status`,`left_on`,`occupation`,`category`,`discovery_channel`);--> statement-breakpoint
CREATE INDEX `members_joined_cover_idx` ON `members` ((CASE WHEN joined_on IS NULL THEN '' ELSE joined_on END),`id`,`relation_status`,`left_on`,`occupation`,`category`,`discovery_channel`);--> statement-breakpoint
CREATE INDEX `members_org_name_cover_idx` ON `members` (`org_id`,`name`,`id`,`relation_status`,`left_on`,`occupation`,`category`,`discovery_channel`);--> statement-breakpoint
CREATE INDEX `members_org_joined_cover_idx` ON `members` (`org_id`,(CASE WHEN joined_on IS NULL THEN '' ELSE joined_on END),`id`,`relation_status`,`left_on`,`occupation`,`category`,`discovery_channel`);