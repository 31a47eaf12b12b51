CREATE TABLE `data_versions` (
	`name` text PRIMARY KEY NOT NULL,
	`version` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO `data_versions` (`name`, `version`) VALUES ('workers', 0);--> statement-breakpoint
CREATE TRIGGER `workers_version_insert` AFTER INSERT ON `workers`
BEGIN UPDATE `data_versions` SET `version` = `version` + 1 WHERE `name` = 'workers'; END;--> statement-breakpoint
CREATE TRIGGER `workers_version_delete` AFTER DELETE ON `workers`
BEGIN UPDATE `data_versions` SET `version` = `version` + 1 WHERE `name` = 'workers'; END;--> statement-breakpoint
CREATE TRIGGER `workers_version_update` AFTER UPDATE OF `org_id`, `enterprise_id`, `first_seen_on`, `left_on` ON `workers`
WHEN old.`org_id` IS NOT new.`org_id` OR old.`enterprise_id` IS NOT new.`enterprise_id`
  OR old.`first_seen_on` IS NOT new.`first_seen_on` OR old.`left_on` IS NOT new.`left_on`
BEGIN UPDATE `data_versions` SET `version` = `version` + 1 WHERE `name` = 'workers'; END;
