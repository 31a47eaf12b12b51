DROP INDEX `reference_members_id_number_uq`;--> statement-breakpoint
CREATE UNIQUE INDEX `reference_members_org_id_number_uq` ON `reference_members` (`org_id`,`id_number`);--> statement-breakpoint
CREATE INDEX `reference_members_id_number_idx` ON `reference_members` (`id_number`);