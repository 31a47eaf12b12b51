CREATE TABLE `api_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`prefix` text NOT NULL,
	`key_hash` text NOT NULL,
	`label` text NOT NULL,
	`platform` text NOT NULL,
	`committee_id` integer NOT NULL,
	`created_by` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`revoked_at` text,
	`last_used_at` text,
	FOREIGN KEY (`committee_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_uq` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`user_id` integer,
	`username` text,
	`action` text NOT NULL,
	`entity` text,
	`entity_id` text,
	`before` text,
	`after` text,
	`details` text,
	`ip` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `audit_log_at_idx` ON `audit_log` (`created_at`);--> statement-breakpoint
CREATE INDEX `audit_log_user_idx` ON `audit_log` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `audit_log_entity_idx` ON `audit_log` (`entity`,`entity_id`);--> statement-breakpoint
CREATE INDEX `audit_log_action_idx` ON `audit_log` (`action`,`created_at`);--> statement-breakpoint
CREATE TABLE `column_mappings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`platform` text,
	`org_id` integer NOT NULL,
	`mapping` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `column_mappings_org_name_uq` ON `column_mappings` (`org_id`,`name`);--> statement-breakpoint
CREATE TABLE `coverage_snapshots` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`month` text NOT NULL,
	`scope_org_id` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`figures` text NOT NULL,
	FOREIGN KEY (`scope_org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `coverage_snapshots_month_scope_uq` ON `coverage_snapshots` (`month`,`scope_org_id`);--> statement-breakpoint
CREATE TABLE `enterprises` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`credit_code` text NOT NULL,
	`kind` text NOT NULL,
	`industry_code` text NOT NULL,
	`region_code` text NOT NULL,
	`committee_id` integer NOT NULL,
	`address` text,
	`worker_count` integer DEFAULT 0 NOT NULL,
	`legal_rep_is_member` integer DEFAULT false NOT NULL,
	`legal_rep_is_secretary` integer DEFAULT false NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`industry_code`) REFERENCES `industries`(`code`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`region_code`) REFERENCES `regions`(`code`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`committee_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `enterprises_credit_code_uq` ON `enterprises` (`credit_code`);--> statement-breakpoint
CREATE INDEX `enterprises_committee_idx` ON `enterprises` (`committee_id`);--> statement-breakpoint
CREATE INDEX `enterprises_region_idx` ON `enterprises` (`region_code`);--> statement-breakpoint
CREATE INDEX `enterprises_industry_idx` ON `enterprises` (`industry_code`);--> statement-breakpoint
CREATE INDEX `enterprises_name_idx` ON `enterprises` (`name`);--> statement-breakpoint
CREATE TABLE `import_issues` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`import_id` integer NOT NULL,
	`row_number` integer NOT NULL,
	`outcome` text NOT NULL,
	`column` text,
	`value` text,
	`reason` text NOT NULL,
	FOREIGN KEY (`import_id`) REFERENCES `imports`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `import_issues_import_idx` ON `import_issues` (`import_id`,`row_number`);--> statement-breakpoint
CREATE TABLE `imports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`platform` text,
	`org_id` integer NOT NULL,
	`user_id` integer,
	`source` text DEFAULT 'web' NOT NULL,
	`reference` integer DEFAULT false NOT NULL,
	`dry_run` integer DEFAULT false NOT NULL,
	`original_name` text,
	`stored_path` text,
	`sha256` text,
	`size_bytes` integer,
	`encoding` text,
	`delimiter` text,
	`mapping` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`rows_done` integer DEFAULT 0 NOT NULL,
	`bytes_done` integer DEFAULT 0 NOT NULL,
	`summary` text,
	`error` text,
	`started_at` text,
	`finished_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `imports_org_idx` ON `imports` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `imports_platform_idx` ON `imports` (`platform`,`status`);--> statement-breakpoint
CREATE INDEX `imports_sha_idx` ON `imports` (`sha256`);--> statement-breakpoint
CREATE TABLE `industries` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `instructor_assignments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`instructor_id` integer NOT NULL,
	`enterprise_id` integer NOT NULL,
	`assigned_on` text NOT NULL,
	`ended_on` text,
	FOREIGN KEY (`instructor_id`) REFERENCES `instructors`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `instructor_assignments_instructor_idx` ON `instructor_assignments` (`instructor_id`);--> statement-breakpoint
CREATE INDEX `instructor_assignments_enterprise_idx` ON `instructor_assignments` (`enterprise_id`);--> statement-breakpoint
CREATE TABLE `instructors` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`kind` text DEFAULT 'instructor' NOT NULL,
	`phone` text,
	`work_unit` text,
	`committee_id` integer NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`committee_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `instructors_committee_idx` ON `instructors` (`committee_id`);--> statement-breakpoint
CREATE TABLE `leads` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id_number` text NOT NULL,
	`name` text NOT NULL,
	`phone` text,
	`channel` text NOT NULL,
	`committee_id` integer NOT NULL,
	`worker_id` integer,
	`import_id` integer,
	`self_report_link_id` integer,
	`enterprise_id` integer,
	`occupation` text,
	`platform` text,
	`home_org_name` text,
	`joined_on` text,
	`note` text,
	`status` text DEFAULT 'open' NOT NULL,
	`member_id` integer,
	`found_on` text NOT NULL,
	`decided_on` text,
	`decided_by` integer,
	`reject_reason` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`committee_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`worker_id`) REFERENCES `workers`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`import_id`) REFERENCES `imports`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`self_report_link_id`) REFERENCES `self_report_links`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `leads_id_number_uq` ON `leads` (`id_number`);--> statement-breakpoint
CREATE INDEX `leads_committee_status_idx` ON `leads` (`committee_id`,`status`);--> statement-breakpoint
CREATE INDEX `leads_channel_idx` ON `leads` (`channel`);--> statement-breakpoint
CREATE TABLE `member_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`member_id` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`user_id` integer,
	`kind` text NOT NULL,
	`summary` text NOT NULL,
	`details` text,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `member_events_member_idx` ON `member_events` (`member_id`,`id`);--> statement-breakpoint
CREATE TABLE `members` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`gender` text NOT NULL,
	`ethnicity` text DEFAULT '01' NOT NULL,
	`birth_date` text NOT NULL,
	`id_number` text NOT NULL,
	`id_last4` text NOT NULL,
	`phone` text,
	`phone_last4` text,
	`education` text,
	`category` text NOT NULL,
	`joined_on` text,
	`full_on` text,
	`occupation` text,
	`enterprise_id` integer,
	`org_id` integer NOT NULL,
	`relation_status` text NOT NULL,
	`relation_org_name` text,
	`discovery_channel` text,
	`discovered_on` text,
	`verified_on` text,
	`managed_on` text,
	`lost_contact_on` text,
	`lost_contact_reason` text,
	`left_on` text,
	`left_reason` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "members_category_ck" CHECK(category IN ('full','probationary')),
	CONSTRAINT "members_relation_ck" CHECK(relation_status IN ('local','mobile_in','mobile_out','unattached','transferred_out'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `members_id_number_uq` ON `members` (`id_number`);--> statement-breakpoint
CREATE INDEX `members_org_name_idx` ON `members` (`org_id`,`name`);--> statement-breakpoint
CREATE INDEX `members_org_id_idx` ON `members` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `members_name_idx` ON `members` (`name`);--> statement-breakpoint
CREATE INDEX `members_id_last4_idx` ON `members` (`id_last4`);--> statement-breakpoint
CREATE INDEX `members_phone_last4_idx` ON `members` (`phone_last4`);--> statement-breakpoint
CREATE INDEX `members_enterprise_idx` ON `members` (`enterprise_id`);--> statement-breakpoint
CREATE INDEX `members_relation_idx` ON `members` (`relation_status`);--> statement-breakpoint
CREATE TABLE `mobile_spells` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`member_id` integer NOT NULL,
	`direction` text NOT NULL,
	`org_id` integer NOT NULL,
	`home_org_name` text,
	`certificate_number` text,
	`certificate_valid_until` text,
	`destination` text,
	`contact_person` text,
	`expected_return_on` text,
	`started_on` text NOT NULL,
	`ended_on` text,
	`end_reason` text,
	`created_by` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `mobile_spells_member_idx` ON `mobile_spells` (`member_id`);--> statement-breakpoint
CREATE INDEX `mobile_spells_org_idx` ON `mobile_spells` (`org_id`,`ended_on`);--> statement-breakpoint
CREATE UNIQUE INDEX `mobile_spells_one_open_uq` ON `mobile_spells` (`member_id`) WHERE ended_on IS NULL;--> statement-breakpoint
CREATE TABLE `organization_enterprises` (
	`organization_id` integer NOT NULL,
	`enterprise_id` integer NOT NULL,
	`since` text,
	PRIMARY KEY(`organization_id`, `enterprise_id`),
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `organization_enterprises_enterprise_idx` ON `organization_enterprises` (`enterprise_id`);--> statement-breakpoint
CREATE TABLE `organizations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`short_name` text,
	`kind` text NOT NULL,
	`formation` text,
	`parent_id` integer,
	`path` text NOT NULL,
	`depth` integer DEFAULT 0 NOT NULL,
	`industry_code` text,
	`region_code` text NOT NULL,
	`founded_on` text,
	`secretary_name` text,
	`secretary_phone` text,
	`term_start_on` text,
	`term_end_on` text,
	`status` text DEFAULT 'active' NOT NULL,
	`dissolved_on` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`parent_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`industry_code`) REFERENCES `industries`(`code`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`region_code`) REFERENCES `regions`(`code`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "organizations_kind_ck" CHECK(kind IN ('city_department','industry_committee','comprehensive_committee','general_branch','branch','group'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `organizations_code_uq` ON `organizations` (`code`);--> statement-breakpoint
CREATE INDEX `organizations_parent_idx` ON `organizations` (`parent_id`);--> statement-breakpoint
CREATE INDEX `organizations_path_idx` ON `organizations` (`path`);--> statement-breakpoint
CREATE INDEX `organizations_industry_idx` ON `organizations` (`industry_code`);--> statement-breakpoint
CREATE INDEX `organizations_region_idx` ON `organizations` (`region_code`);--> statement-breakpoint
CREATE TABLE `reference_members` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id_number` text NOT NULL,
	`name` text NOT NULL,
	`org_id` integer NOT NULL,
	`home_org_name` text,
	`import_id` integer,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`import_id`) REFERENCES `imports`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reference_members_id_number_uq` ON `reference_members` (`id_number`);--> statement-breakpoint
CREATE TABLE `regions` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`parent_code` text,
	`level` text NOT NULL,
	FOREIGN KEY (`parent_code`) REFERENCES `regions`(`code`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `regions_parent_idx` ON `regions` (`parent_code`);--> statement-breakpoint
CREATE TABLE `self_report_links` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token` text NOT NULL,
	`label` text NOT NULL,
	`committee_id` integer NOT NULL,
	`enterprise_id` integer,
	`expires_at` text,
	`closed_at` text,
	`created_by` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`committee_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `self_report_links_token_uq` ON `self_report_links` (`token`);--> statement-breakpoint
CREATE INDEX `self_report_links_committee_idx` ON `self_report_links` (`committee_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`sid` text PRIMARY KEY NOT NULL,
	`user_id` integer,
	`data` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_expires_idx` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `transfers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`member_id` integer NOT NULL,
	`kind` text NOT NULL,
	`from_org_id` integer,
	`to_org_id` integer,
	`external_org_name` text,
	`letter_number` text NOT NULL,
	`issued_on` text NOT NULL,
	`valid_days` integer NOT NULL,
	`deadline_on` text NOT NULL,
	`dues_paid_to` text,
	`reason` text,
	`state` text DEFAULT 'pending' NOT NULL,
	`receipt_on` text,
	`return_reason` text,
	`corrects_transfer_id` integer,
	`created_by` integer,
	`decided_by` integer,
	`decided_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`from_org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`to_org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`corrects_transfer_id`) REFERENCES `transfers`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `transfers_one_pending_uq` ON `transfers` (`member_id`) WHERE state = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX `transfers_letter_uq` ON `transfers` (`letter_number`);--> statement-breakpoint
CREATE INDEX `transfers_member_idx` ON `transfers` (`member_id`);--> statement-breakpoint
CREATE INDEX `transfers_from_idx` ON `transfers` (`from_org_id`,`state`);--> statement-breakpoint
CREATE INDEX `transfers_to_idx` ON `transfers` (`to_org_id`,`state`);--> statement-breakpoint
CREATE INDEX `transfers_state_deadline_idx` ON `transfers` (`state`,`deadline_on`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`display_name` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text NOT NULL,
	`org_id` integer NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`failed_attempts` integer DEFAULT 0 NOT NULL,
	`locked_until` text,
	`last_login_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "users_role_ck" CHECK(role IN ('admin','supervisor','clerk','secretary'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_uq` ON `users` (`username`);--> statement-breakpoint
CREATE TABLE `workers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`platform` text NOT NULL,
	`id_number` text NOT NULL,
	`name` text NOT NULL,
	`phone` text,
	`org_id` integer NOT NULL,
	`enterprise_id` integer,
	`station` text,
	`franchisee` text,
	`occupation` text,
	`political_status` text,
	`hired_on` text,
	`first_seen_on` text NOT NULL,
	`last_seen_on` text NOT NULL,
	`last_import_id` integer,
	`left_on` text,
	`member_id` integer,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`last_import_id`) REFERENCES `imports`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `workers_platform_id_number_uq` ON `workers` (`platform`,`id_number`);--> statement-breakpoint
CREATE INDEX `workers_id_number_idx` ON `workers` (`id_number`);--> statement-breakpoint
CREATE INDEX `workers_org_idx` ON `workers` (`org_id`);--> statement-breakpoint
CREATE INDEX `workers_member_idx` ON `workers` (`member_id`);--> statement-breakpoint
CREATE INDEX `workers_last_import_idx` ON `workers` (`platform`,`last_import_id`);