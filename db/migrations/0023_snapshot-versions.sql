-- The dashboard's 12-month trend reads the past months from the monthly snapshots: at a city, the
-- root's snapshot is a ~3 MB report parsed on every count (13 ms, half of a count with everything
-- else kept). It is kept (coverage/snapshots.ts, trend) under 'snapshots', which each trigger below
-- bumps in the writing transaction (a take, a retake replacing a provisional month, a removal,
-- including an organization's cascade), whichever connection or process writes.
INSERT INTO `data_versions` (`name`, `version`) VALUES ('snapshots', 0) ON CONFLICT (`name`) DO NOTHING;--> statement-breakpoint
CREATE TRIGGER `snapshots_insert` AFTER INSERT ON `coverage_snapshots`
BEGIN INSERT INTO `data_versions` (`name`, `version`) VALUES ('snapshots', 1)
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `snapshots_update` AFTER UPDATE ON `coverage_snapshots`
BEGIN INSERT INTO `data_versions` (`name`, `version`) VALUES ('snapshots', 1)
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;--> statement-breakpoint
CREATE TRIGGER `snapshots_delete` AFTER DELETE ON `coverage_snapshots`
BEGIN INSERT INTO `data_versions` (`name`, `version`) VALUES ('snapshots', 1)
  ON CONFLICT (`name`) DO UPDATE SET `version` = `version` + 1; END;
