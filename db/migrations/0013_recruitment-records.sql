CREATE TABLE `recruitment_steps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`recruitment_id` integer NOT NULL,
	`action` text NOT NULL,
	`from_stage` text,
	`to_stage` text NOT NULL,
	`on` text NOT NULL,
	`result` text NOT NULL,
	`user_id` integer,
	`role` text,
	`remark` text,
	`details` text,
	`decides_step_id` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`recruitment_id`) REFERENCES `recruitments`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`decides_step_id`) REFERENCES `recruitment_steps`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "recruitment_steps_action_ck" CHECK(action IN ('apply','talk','activist','assess','training','politicalCheck','candidate','plan','admit','extend','full','sendBack','remove','cancelProbation')),
	CONSTRAINT "recruitment_steps_result_ck" CHECK(result IN ('done','proposed','approved','rejected'))
);
--> statement-breakpoint
CREATE INDEX `recruitment_steps_record_idx` ON `recruitment_steps` (`recruitment_id`,`id`);--> statement-breakpoint
CREATE TABLE `recruitments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` integer NOT NULL,
	`name` text NOT NULL,
	`id_number` text NOT NULL,
	`gender` text NOT NULL,
	`birth_date` text NOT NULL,
	`phone` text,
	`occupation` text,
	`enterprise_id` integer,
	`lead_id` integer,
	`worker_id` integer,
	`discovery_channel` text,
	`member_id` integer,
	`stage` text DEFAULT 'applicant' NOT NULL,
	`applied_on` text NOT NULL,
	`talked_on` text,
	`talked_by` text,
	`activist_on` text,
	`contact1` text,
	`contact2` text,
	`last_assessed_on` text,
	`training_ended_on` text,
	`training_hours` integer,
	`training_days` integer,
	`political_check_on` text,
	`candidate_on` text,
	`candidate_public_from` text,
	`candidate_public_to` text,
	`sponsor1` text,
	`sponsor2` text,
	`planned_on` text,
	`volunteer_book_no` text,
	`joined_on` text,
	`approved_on` text,
	`extension_months` integer,
	`extended_on` text,
	`full_public_from` text,
	`full_public_to` text,
	`full_on` text,
	`closed_on` text,
	`pending_step_id` integer,
	`created_by` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`lead_id`) REFERENCES `leads`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`worker_id`) REFERENCES `workers`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "recruitments_stage_ck" CHECK(stage IN ('applicant','activist','candidate','planned','probationary','full','removed','cancelled'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `recruitments_open_id_number_uq` ON `recruitments` (`id_number`) WHERE stage IN ('applicant','activist','candidate','planned','probationary');--> statement-breakpoint
CREATE INDEX `recruitments_id_number_idx` ON `recruitments` (`id_number`);--> statement-breakpoint
CREATE INDEX `recruitments_org_stage_idx` ON `recruitments` (`org_id`,`stage`);--> statement-breakpoint
CREATE INDEX `recruitments_member_idx` ON `recruitments` (`member_id`);--> statement-breakpoint
-- The step log is never edited or deleted (a user's deletion may still clear user_id).
CREATE TRIGGER `recruitment_steps_no_update` BEFORE UPDATE OF `recruitment_id`, `action`, `from_stage`, `to_stage`, `on`, `result`, `role`, `remark`, `details`, `decides_step_id`, `created_at` ON `recruitment_steps`
BEGIN SELECT RAISE(ABORT, 'recruitment_steps are never edited'); END;--> statement-breakpoint
CREATE TRIGGER `recruitment_steps_no_delete` BEFORE DELETE ON `recruitment_steps`
BEGIN SELECT RAISE(ABORT, 'recruitment_steps are never deleted'); END;
