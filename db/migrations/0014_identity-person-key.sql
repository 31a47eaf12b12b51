DROP INDEX `workers_org_cover_idx`;--> statement-breakpoint
ALTER TABLE `workers` ADD `multi_platform` integer DEFAULT false NOT NULL;--> statement-breakpoint
UPDATE `workers` SET `multi_platform` = 1
WHERE `id_number` IN (SELECT `id_number` FROM `workers` GROUP BY `id_number` HAVING count(*) > 1);--> statement-breakpoint
CREATE INDEX `workers_multi_platform_idx` ON `workers` (`org_id`,`enterprise_id`) WHERE multi_platform = 1;--> statement-breakpoint
CREATE INDEX `workers_org_cover_idx` ON `workers` (`org_id`,`enterprise_id`,`first_seen_on`,`left_on`,`multi_platform`);--> statement-breakpoint
CREATE TRIGGER `workers_multi_platform_insert` AFTER INSERT ON `workers`
WHEN EXISTS (SELECT 1 FROM `workers` x WHERE x.`id_number` = new.`id_number` AND x.`id` <> new.`id`)
BEGIN UPDATE `workers` SET `multi_platform` = 1 WHERE `id_number` = new.`id_number` AND `multi_platform` = 0; END;--> statement-breakpoint
CREATE TRIGGER `workers_version_seen` AFTER UPDATE OF `last_seen_on` ON `workers`
WHEN new.`multi_platform` = 1 AND old.`last_seen_on` IS NOT new.`last_seen_on`
BEGIN UPDATE `data_versions` SET `version` = `version` + 1 WHERE `name` = 'workers'; END;
