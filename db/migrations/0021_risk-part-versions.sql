-- The drift-risk counts are kept per holding organization (server/services/risk/parts.ts) and
-- counted again only for the organizations a write touched. They read, besides the rows 0019's
-- 'org:<id>' counters follow (members inserted or deleted, leads), a member's dates and status, the
-- transfers, mobile spells, meetings, attendance and dues entries of the members an organization
-- holds: each trigger below bumps 'risk:<id>' for the organizations holding the members a row is
-- about, in the writing transaction. The workers are followed whole by 'workers' (migration 0008);
-- a worker's ID number (which member a roster row is) is added to it here.
CREATE TRIGGER `risk_members_update` AFTER UPDATE ON `members`
WHEN old.`org_id` IS NOT new.`org_id` OR old.`id_number` IS NOT new.`id_number` OR old.`left_on` IS NOT new.`left_on` OR old.`relation_status` IS NOT new.`relation_status`
  OR old.`lost_contact_on` IS NOT new.`lost_contact_on` OR old.`managed_on` IS NOT new.`managed_on` OR old.`joined_on` IS NOT new.`joined_on` OR old.`created_at` IS NOT new.`created_at`
  OR old.`discovery_channel` IS NOT new.`discovery_channel`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'risk:' || x, 1 FROM (SELECT old.`org_id` AS x UNION SELECT new.`org_id`) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `risk_transfers_insert` AFTER INSERT ON `transfers`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'risk:' || x, 1 FROM (SELECT `org_id` AS x FROM `members` WHERE `id` IN (new.`member_id`)) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `risk_transfers_delete` AFTER DELETE ON `transfers`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'risk:' || x, 1 FROM (SELECT `org_id` AS x FROM `members` WHERE `id` IN (old.`member_id`)) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `risk_transfers_update` AFTER UPDATE ON `transfers`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'risk:' || x, 1 FROM (SELECT `org_id` AS x FROM `members` WHERE `id` IN (old.`member_id`, new.`member_id`)) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `risk_mobile_spells_insert` AFTER INSERT ON `mobile_spells`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'risk:' || x, 1 FROM (SELECT `org_id` AS x FROM `members` WHERE `id` IN (new.`member_id`)) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `risk_mobile_spells_delete` AFTER DELETE ON `mobile_spells`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'risk:' || x, 1 FROM (SELECT `org_id` AS x FROM `members` WHERE `id` IN (old.`member_id`)) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `risk_mobile_spells_update` AFTER UPDATE ON `mobile_spells`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'risk:' || x, 1 FROM (SELECT `org_id` AS x FROM `members` WHERE `id` IN (old.`member_id`, new.`member_id`)) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `risk_meeting_attendance_insert` AFTER INSERT ON `meeting_attendance`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'risk:' || x, 1 FROM (SELECT `org_id` AS x FROM `members` WHERE `id` IN (new.`member_id`)) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `risk_meeting_attendance_delete` AFTER DELETE ON `meeting_attendance`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'risk:' || x, 1 FROM (SELECT `org_id` AS x FROM `members` WHERE `id` IN (old.`member_id`)) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `risk_meeting_attendance_update` AFTER UPDATE ON `meeting_attendance`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'risk:' || x, 1 FROM (SELECT `org_id` AS x FROM `members` WHERE `id` IN (old.`member_id`, new.`member_id`)) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `risk_meetings_insert` AFTER INSERT ON `meetings`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'risk:' || x, 1 FROM (SELECT new.`org_id` AS x) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `risk_meetings_delete` AFTER DELETE ON `meetings`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'risk:' || x, 1 FROM (SELECT old.`org_id` AS x UNION SELECT m.`org_id` FROM `meeting_attendance` a JOIN `members` m ON m.`id` = a.`member_id` WHERE a.`meeting_id` = old.`id`) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `risk_meetings_update` AFTER UPDATE ON `meetings`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'risk:' || x, 1 FROM (SELECT old.`org_id` AS x UNION SELECT new.`org_id` UNION SELECT m.`org_id` FROM `meeting_attendance` a JOIN `members` m ON m.`id` = a.`member_id` WHERE a.`meeting_id` = new.`id`) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `risk_dues_entries_insert` AFTER INSERT ON `dues_entries`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'risk:' || x, 1 FROM (SELECT new.`org_id` AS x UNION SELECT `org_id` AS x FROM `members` WHERE `id` IN (new.`member_id`)) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `risk_dues_entries_delete` AFTER DELETE ON `dues_entries`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'risk:' || x, 1 FROM (SELECT old.`org_id` AS x UNION SELECT `org_id` AS x FROM `members` WHERE `id` IN (old.`member_id`)) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `risk_dues_entries_update` AFTER UPDATE ON `dues_entries`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'risk:' || x, 1 FROM (SELECT old.`org_id` AS x UNION SELECT new.`org_id` UNION SELECT `org_id` AS x FROM `members` WHERE `id` IN (old.`member_id`, new.`member_id`)) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `risk_workers_id_number` AFTER UPDATE OF `id_number` ON `workers`
WHEN old.`id_number` IS NOT new.`id_number`
BEGIN UPDATE `data_versions` SET `version` = `version` + 1 WHERE `name` = 'workers'; END;
