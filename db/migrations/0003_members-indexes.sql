CREATE INDEX `members_org_name_cover_idx` ON `members` (`org_id`,`name`,`id`,`relation_status`,`left_on`);--> statement-breakpoint
CREATE INDEX `members_org_joined_cover_idx` ON `members` (`org_id`,(CASE WHEN joined_on IS NULL THEN '' ELSE joined_on END),`id`,`relation_status`,`left_on`);--> statement-breakpoint
CREATE INDEX `members_joined_idx` ON `members` ((CASE WHEN joined_on IS NULL THEN '' ELSE joined_on END));--> statement-breakpoint
CREATE INDEX `members_lost_contact_idx` ON `members` (`lost_contact_on`) WHERE lost_contact_on IS NOT NULL;