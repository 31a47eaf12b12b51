CREATE TABLE `jurisdiction` (
	`id` integer PRIMARY KEY NOT NULL,
	`region_code` text NOT NULL,
	`level` text NOT NULL,
	`root_org_id` integer NOT NULL,
	`division_source` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`region_code`) REFERENCES `regions`(`code`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`root_org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "jurisdiction_one_row_ck" CHECK("jurisdiction"."id" = 1),
	CONSTRAINT "jurisdiction_level_ck" CHECK(level IN ('province','city','county'))
);
--> statement-breakpoint
-- A database made before jurisdictions (every one was Heze's): its root organization's region is its
-- jurisdiction. The division source is left stale so the next start adds the streets and townships.
INSERT INTO `jurisdiction` (`id`, `region_code`, `level`, `root_org_id`, `division_source`)
SELECT 1, o.`region_code`, r.`level`, o.`id`, 'before 0013'
FROM `organizations` o JOIN `regions` r ON r.`code` = o.`region_code`
WHERE o.`parent_id` IS NULL AND r.`level` IN ('province','city','county')
ORDER BY o.`id` LIMIT 1;
