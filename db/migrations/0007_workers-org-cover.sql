DROP INDEX `workers_org_idx`;--> statement-breakpoint
CREATE INDEX `workers_org_cover_idx` ON `workers` (`org_id`,`enterprise_id`,`first_seen_on`,`left_on`);