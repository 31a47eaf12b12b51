CREATE TABLE `dues_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`member_id` integer NOT NULL,
	`org_id` integer NOT NULL,
	`month` text NOT NULL,
	`basis` text NOT NULL,
	`base_fen` integer,
	`rate_bp` integer,
	`due_fen` integer NOT NULL,
	`paid_fen` integer DEFAULT 0 NOT NULL,
	`paid_on` text,
	`method` text,
	`collector` text,
	`delayed` integer DEFAULT false NOT NULL,
	`delay_reason` text,
	`note` text,
	`corrects_entry_id` integer,
	`created_by` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`corrects_entry_id`) REFERENCES `dues_entries`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "dues_entries_basis_ck" CHECK(basis IN ('regular','irregular','flat','reduced','exempt')),
	CONSTRAINT "dues_entries_method_ck" CHECK(method IS NULL OR method IN ('cash','transfer','online')),
	CONSTRAINT "dues_entries_month_ck" CHECK(month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
	CONSTRAINT "dues_entries_amounts_ck" CHECK(due_fen >= 0 AND paid_fen >= 0 AND paid_fen <= 100000000 AND (base_fen IS NULL OR base_fen >= 0)),
	CONSTRAINT "dues_entries_delayed_ck" CHECK(delayed = 0 OR (delay_reason IS NOT NULL AND delay_reason <> '')),
	CONSTRAINT "dues_entries_paid_on_ck" CHECK(paid_fen = 0 OR paid_on IS NOT NULL)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dues_entries_member_month_uq` ON `dues_entries` (`member_id`,`month`) WHERE corrects_entry_id IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `dues_entries_corrects_uq` ON `dues_entries` (`corrects_entry_id`) WHERE corrects_entry_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `dues_entries_org_month_idx` ON `dues_entries` (`org_id`,`month`);--> statement-breakpoint
CREATE INDEX `dues_entries_member_idx` ON `dues_entries` (`member_id`,`month`);--> statement-breakpoint
CREATE TABLE `dues_month_closings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`month` text NOT NULL,
	`members` integer NOT NULL,
	`due_fen` integer NOT NULL,
	`paid_fen` integer NOT NULL,
	`closed_by` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`closed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dues_month_closings_org_month_uq` ON `dues_month_closings` (`org_id`,`month`);--> statement-breakpoint
CREATE TABLE `dues_reductions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`member_id` integer NOT NULL,
	`kind` text NOT NULL,
	`amount_fen` integer NOT NULL,
	`from_month` text NOT NULL,
	`to_month` text,
	`reason` text NOT NULL,
	`approved_by` text NOT NULL,
	`approved_on` text NOT NULL,
	`created_by` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "dues_reductions_kind_ck" CHECK(kind IN ('reduced','exempt')),
	CONSTRAINT "dues_reductions_amount_ck" CHECK(amount_fen >= 0 AND (kind = 'reduced' OR amount_fen = 0)),
	CONSTRAINT "dues_reductions_months_ck" CHECK(to_month IS NULL OR to_month >= from_month)
);
--> statement-breakpoint
CREATE INDEX `dues_reductions_member_idx` ON `dues_reductions` (`member_id`,`from_month`);--> statement-breakpoint
CREATE TRIGGER `dues_entries_closed_no_update` BEFORE UPDATE ON `dues_entries`
WHEN EXISTS (SELECT 1 FROM `dues_month_closings` c WHERE c.`org_id` = old.`org_id` AND c.`month` = old.`month`)
BEGIN SELECT RAISE(ABORT, 'dues month closed: entries are corrected by a new entry, never edited'); END;--> statement-breakpoint
CREATE TRIGGER `dues_entries_no_delete` BEFORE DELETE ON `dues_entries`
BEGIN SELECT RAISE(ABORT, 'dues entries are never deleted'); END;--> statement-breakpoint
CREATE TRIGGER `dues_month_closings_no_change` BEFORE UPDATE ON `dues_month_closings`
BEGIN SELECT RAISE(ABORT, 'a dues month closing is never changed'); END;--> statement-breakpoint
CREATE TRIGGER `dues_month_closings_no_delete` BEFORE DELETE ON `dues_month_closings`
BEGIN SELECT RAISE(ABORT, 'a dues month closing is never deleted'); END;
--> statement-breakpoint
CREATE TRIGGER `dues_entries_closed_no_insert` BEFORE INSERT ON `dues_entries`
WHEN new.`corrects_entry_id` IS NULL AND EXISTS (SELECT 1 FROM `dues_month_closings` c WHERE c.`org_id` = new.`org_id` AND c.`month` = new.`month`)
BEGIN SELECT RAISE(ABORT, 'dues month closed: only corrections may be added'); END;
