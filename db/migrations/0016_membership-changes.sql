CREATE TABLE `membership_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`member_id` integer NOT NULL,
	`kind` text NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`from_standing` text NOT NULL,
	`effective_on` text NOT NULL,
	`reason` text NOT NULL,
	`decision_body` text,
	`decided_on` text,
	`searched_on` text,
	`search_note` text,
	`org_id` integer NOT NULL,
	`approval_org_id` integer NOT NULL,
	`proposed_by` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`approved_by` integer,
	`approver_name` text,
	`approved_on` text,
	`approval_note` text,
	`decided_at` text,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`approval_org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`proposed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`approved_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "membership_changes_kind_ck" CHECK(kind IN ('suspension','restoration','self_departed','removed','expelled','withdrew','death')),
	CONSTRAINT "membership_changes_state_ck" CHECK(state IN ('pending','approved','rejected'))
);
--> statement-breakpoint
CREATE INDEX `membership_changes_member_idx` ON `membership_changes` (`member_id`,`id`);--> statement-breakpoint
CREATE INDEX `membership_changes_approval_idx` ON `membership_changes` (`approval_org_id`,`state`);--> statement-breakpoint
CREATE INDEX `membership_changes_kind_idx` ON `membership_changes` (`kind`,`state`,`effective_on`);--> statement-breakpoint
CREATE UNIQUE INDEX `membership_changes_one_pending_uq` ON `membership_changes` (`member_id`) WHERE state = 'pending';--> statement-breakpoint
ALTER TABLE `mobile_spells` ADD `destination_code` text;--> statement-breakpoint
ALTER TABLE `mobile_spells` ADD `unit_kind` text CONSTRAINT "mobile_spells_unit_kind_ck" CHECK(unit_kind IN ('organ','public_institution','state_enterprise','collective_enterprise','private_enterprise','individual_business','urban_community','town_community','village','other','unknown_destination'));--> statement-breakpoint
ALTER TABLE `mobile_spells` ADD `certificate_held` integer;--> statement-breakpoint
ALTER TABLE `mobile_spells` ADD `home_region_code` text;--> statement-breakpoint
CREATE TRIGGER `membership_changes_no_delete` BEFORE DELETE ON `membership_changes`
BEGIN SELECT RAISE(ABORT, 'membership changes are never deleted'); END;--> statement-breakpoint
CREATE TRIGGER `membership_changes_decided_once` BEFORE UPDATE ON `membership_changes`
WHEN old.`state` <> 'pending'
  OR old.`member_id` IS NOT new.`member_id` OR old.`kind` IS NOT new.`kind` OR old.`from_standing` IS NOT new.`from_standing`
  OR old.`effective_on` IS NOT new.`effective_on` OR old.`reason` IS NOT new.`reason`
  OR old.`decision_body` IS NOT new.`decision_body` OR old.`decided_on` IS NOT new.`decided_on`
  OR old.`searched_on` IS NOT new.`searched_on` OR old.`search_note` IS NOT new.`search_note`
  OR old.`org_id` IS NOT new.`org_id` OR old.`approval_org_id` IS NOT new.`approval_org_id`
  OR old.`proposed_by` IS NOT new.`proposed_by` OR old.`created_at` IS NOT new.`created_at`
BEGIN SELECT RAISE(ABORT, 'a membership change is decided once and never edited'); END;
