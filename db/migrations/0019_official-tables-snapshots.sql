CREATE TABLE `official_table_snapshots` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`table_id` text NOT NULL,
	`period` text NOT NULL,
	`scope_org_id` integer NOT NULL,
	`reconstructed` integer DEFAULT false NOT NULL,
	`payload` blob NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`scope_org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `official_table_snapshots_uq` ON `official_table_snapshots` (`table_id`,`period`,`scope_org_id`);--> statement-breakpoint
CREATE INDEX `official_table_snapshots_period_idx` ON `official_table_snapshots` (`period`,`table_id`);--> statement-breakpoint
CREATE TRIGGER `official_table_snapshots_no_update` BEFORE UPDATE ON `official_table_snapshots`
BEGIN SELECT RAISE(ABORT, 'official_table_snapshots: a frozen table is never changed'); END;--> statement-breakpoint
CREATE TRIGGER `official_table_snapshots_no_delete` BEFORE DELETE ON `official_table_snapshots`
BEGIN SELECT RAISE(ABORT, 'official_table_snapshots: a frozen table is never deleted'); END;
