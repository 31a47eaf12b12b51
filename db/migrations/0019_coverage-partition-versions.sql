-- The statistics keep their sums per holding organization (server/services/coverage/partitions.ts)
-- and count again only the parts a write touched. Each trigger below bumps, in the writing
-- transaction, the counter of every organization whose part the row feeds ('org:<id>' in
-- data_versions): the row's own organization, the committee of the enterprise it counts towards (an
-- enterprise's members decide its coverage class), and the holder of the same person's lead or
-- member (a lead is "managed" by its member; a member with a lead is not a find of its own). Writes
-- that can move every part (the organization tree, an enterprise's region) bump 'coverage'.
INSERT INTO `data_versions` (`name`, `version`) VALUES ('coverage', 0);--> statement-breakpoint
CREATE TRIGGER `coverage_members_insert` AFTER INSERT ON `members`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'org:' || x, 1 FROM (SELECT new.`org_id` AS x
    UNION SELECT `committee_id` FROM `enterprises` WHERE `id` = new.`enterprise_id`
    UNION SELECT `committee_id` FROM `leads` WHERE `id_number` = new.`id_number`) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `coverage_members_delete` AFTER DELETE ON `members`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'org:' || x, 1 FROM (SELECT old.`org_id` AS x
    UNION SELECT `committee_id` FROM `enterprises` WHERE `id` = old.`enterprise_id`
    UNION SELECT `committee_id` FROM `leads` WHERE `id_number` = old.`id_number`) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `coverage_members_update` AFTER UPDATE ON `members`
WHEN old.`org_id` IS NOT new.`org_id` OR old.`enterprise_id` IS NOT new.`enterprise_id` OR old.`id_number` IS NOT new.`id_number`
  OR old.`relation_status` IS NOT new.`relation_status` OR old.`category` IS NOT new.`category` OR old.`full_on` IS NOT new.`full_on`
  OR old.`managed_on` IS NOT new.`managed_on` OR old.`lost_contact_on` IS NOT new.`lost_contact_on` OR old.`left_on` IS NOT new.`left_on`
  OR old.`discovered_on` IS NOT new.`discovered_on` OR old.`verified_on` IS NOT new.`verified_on`
  OR old.`discovery_channel` IS NOT new.`discovery_channel`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'org:' || x, 1 FROM (SELECT old.`org_id` AS x UNION SELECT new.`org_id`
    UNION SELECT `committee_id` FROM `enterprises` WHERE `id` IN (old.`enterprise_id`, new.`enterprise_id`)
    UNION SELECT `committee_id` FROM `leads` WHERE `id_number` IN (old.`id_number`, new.`id_number`)) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `coverage_leads_insert` AFTER INSERT ON `leads`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'org:' || x, 1 FROM (SELECT new.`committee_id` AS x
    UNION SELECT `org_id` FROM `members` WHERE `id_number` = new.`id_number`) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `coverage_leads_delete` AFTER DELETE ON `leads`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'org:' || x, 1 FROM (SELECT old.`committee_id` AS x
    UNION SELECT `org_id` FROM `members` WHERE `id_number` = old.`id_number`) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `coverage_leads_update` AFTER UPDATE ON `leads`
WHEN old.`committee_id` IS NOT new.`committee_id` OR old.`id_number` IS NOT new.`id_number` OR old.`status` IS NOT new.`status`
  OR old.`decided_on` IS NOT new.`decided_on` OR old.`found_on` IS NOT new.`found_on` OR old.`channel` IS NOT new.`channel`
  OR old.`enterprise_id` IS NOT new.`enterprise_id`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'org:' || x, 1 FROM (SELECT old.`committee_id` AS x UNION SELECT new.`committee_id`
    UNION SELECT `org_id` FROM `members` WHERE `id_number` IN (old.`id_number`, new.`id_number`)) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `coverage_enterprises_insert` AFTER INSERT ON `enterprises`
BEGIN INSERT INTO `data_versions` (`name`, `version`) VALUES ('org:' || new.`committee_id`, 1)
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `coverage_enterprises_delete` AFTER DELETE ON `enterprises`
BEGIN INSERT INTO `data_versions` (`name`, `version`) VALUES ('org:' || old.`committee_id`, 1)
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `coverage_enterprises_update` AFTER UPDATE ON `enterprises`
WHEN old.`committee_id` IS NOT new.`committee_id` OR old.`status` IS NOT new.`status`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'org:' || x, 1 FROM (SELECT old.`committee_id` AS x UNION SELECT new.`committee_id`) WHERE x IS NOT NULL
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `coverage_enterprises_region` AFTER UPDATE OF `region_code` ON `enterprises`
WHEN old.`region_code` IS NOT new.`region_code`
BEGIN UPDATE `data_versions` SET `version` = `version` + 1 WHERE `name` = 'coverage'; END;--> statement-breakpoint
CREATE TRIGGER `coverage_org_enterprises_insert` AFTER INSERT ON `organization_enterprises`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'org:' || `committee_id`, 1 FROM `enterprises` WHERE `id` = new.`enterprise_id`
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `coverage_org_enterprises_delete` AFTER DELETE ON `organization_enterprises`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'org:' || `committee_id`, 1 FROM `enterprises` WHERE `id` = old.`enterprise_id`
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `coverage_org_enterprises_update` AFTER UPDATE ON `organization_enterprises`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'org:' || `committee_id`, 1 FROM `enterprises` WHERE `id` IN (old.`enterprise_id`, new.`enterprise_id`)
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `coverage_instructor_assignments_insert` AFTER INSERT ON `instructor_assignments`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'org:' || `committee_id`, 1 FROM `enterprises` WHERE `id` = new.`enterprise_id`
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `coverage_instructor_assignments_delete` AFTER DELETE ON `instructor_assignments`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'org:' || `committee_id`, 1 FROM `enterprises` WHERE `id` = old.`enterprise_id`
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `coverage_instructor_assignments_update` AFTER UPDATE ON `instructor_assignments`
BEGIN INSERT INTO `data_versions` (`name`, `version`)
  SELECT 'org:' || `committee_id`, 1 FROM `enterprises` WHERE `id` IN (old.`enterprise_id`, new.`enterprise_id`)
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `coverage_organizations_insert` AFTER INSERT ON `organizations`
BEGIN INSERT INTO `data_versions` (`name`, `version`) VALUES ('org:' || new.`id`, 1)
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `coverage_organizations_delete` AFTER DELETE ON `organizations`
BEGIN UPDATE `data_versions` SET `version` = `version` + 1 WHERE `name` = 'coverage'; END;--> statement-breakpoint
CREATE TRIGGER `coverage_organizations_update` AFTER UPDATE ON `organizations`
WHEN (old.`kind` IS NOT new.`kind` OR old.`formation` IS NOT new.`formation` OR old.`parent_id` IS NOT new.`parent_id`
  OR old.`path` IS NOT new.`path` OR old.`region_code` IS NOT new.`region_code` OR old.`founded_on` IS NOT new.`founded_on`
  OR old.`status` IS NOT new.`status` OR old.`dissolved_on` IS NOT new.`dissolved_on`)
  AND old.`path` <> '/'
BEGIN UPDATE `data_versions` SET `version` = `version` + 1 WHERE `name` = 'coverage'; END;--> statement-breakpoint
-- A new organization is inserted with the path '/' and given its own at once (orgs.service.ts):
-- nothing is counted under it yet, so only its committee's sums are counted again.
CREATE TRIGGER `coverage_organizations_placed` AFTER UPDATE OF `path` ON `organizations`
WHEN old.`path` = '/'
BEGIN INSERT INTO `data_versions` (`name`, `version`) VALUES ('org:' || new.`id`, 1)
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;
