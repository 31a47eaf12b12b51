CREATE TABLE `meeting_attendance` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`meeting_id` integer NOT NULL,
	`member_id` integer,
	`guest_name` text,
	`status` text NOT NULL,
	`absence_reason` text,
	`has_vote` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "meeting_attendance_status_ck" CHECK(status IN ('present','excused','absent')),
	CONSTRAINT "meeting_attendance_reason_ck" CHECK(absence_reason IS NULL OR absence_reason IN ('work','illness','away','family','other')),
	CONSTRAINT "meeting_attendance_who_ck" CHECK((member_id IS NULL) <> (guest_name IS NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `meeting_attendance_member_uq` ON `meeting_attendance` (`meeting_id`,`member_id`);--> statement-breakpoint
CREATE INDEX `meeting_attendance_member_idx` ON `meeting_attendance` (`member_id`,`status`,`meeting_id`);--> statement-breakpoint
CREATE TABLE `meetings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`type` text NOT NULL,
	`held_on` text NOT NULL,
	`place` text,
	`online` integer DEFAULT false NOT NULL,
	`host` text NOT NULL,
	`recorder` text NOT NULL,
	`topic` text NOT NULL,
	`content` text,
	`has_decisions` integer DEFAULT false NOT NULL,
	`voting_members` integer DEFAULT 0 NOT NULL,
	`voting_present` integer DEFAULT 0 NOT NULL,
	`quorum_met` integer,
	`created_by` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "meetings_type_ck" CHECK(type IN ('branch_assembly','branch_committee','group_meeting','party_lecture','theme_day','life_meeting','member_review'))
);
--> statement-breakpoint
CREATE INDEX `meetings_org_held_idx` ON `meetings` (`org_id`,`held_on`,`type`);--> statement-breakpoint
CREATE INDEX `meetings_held_idx` ON `meetings` (`held_on`);