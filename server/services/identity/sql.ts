// domain/person-rules.ts as SQL: which roster row a person is counted on at a date. Rows of people
// on one platform only (multi_platform = 0, kept by a trigger: migration identity-person-key) are
// counted as they are, straight from workers_org_cover_idx; only the few rows of people on several
// platforms look up the person's other rows (workers_id_number_platform_uq, led by the ID number).

import { type SQL, sql } from "drizzle-orm";

/** A roster row (alias `w`) is on the roll at `asOf`. */
export function onRollSql(w: string, asOf: string): SQL {
  const x = sql.raw(w);
  return sql`(${x}.first_seen_on <= ${asOf} AND (${x}.left_on IS NULL OR ${x}.left_on > ${asOf}))`;
}

/**
 * No other row of the same person on the roll at `asOf` ranks ahead of row `w` (ranksAhead: seen
 * more recently as of the date, then first seen earlier, then the older row).
 */
function noneAheadSql(w: string, asOf: string): SQL {
  const x = sql.raw(w);
  const seenX = sql`min(o.last_seen_on, ${asOf})`;
  const seenW = sql`min(${x}.last_seen_on, ${asOf})`;
  return sql`NOT EXISTS (SELECT 1 FROM workers o WHERE o.id_number = ${x}.id_number AND o.id <> ${x}.id AND ${onRollSql("o", asOf)}
    AND (${seenX} > ${seenW} OR (${seenX} = ${seenW} AND (o.first_seen_on < ${x}.first_seen_on
      OR (o.first_seen_on = ${x}.first_seen_on AND o.id < ${x}.id)))))`;
}

/** Row `w` (on the roll at `asOf`) is the one its person is counted on: attributedRow's SQL twin. */
export function personCountedSql(w: string, asOf: string): SQL {
  return sql`(${sql.raw(w)}.multi_platform = 0 OR ${noneAheadSql(w, asOf)})`;
}

/**
 * People on the roll at `asOf` per (organization, enterprise): `org_id, enterprise_id, n`. Two
 * halves so that the single-platform half reads the covering index alone (a column outside it, as
 * the look-up needs, would send every one of a million rows to the table). The multi-platform half
 * ranks each person's rows in one ordered pass over workers_multi_person_idx (ranksAhead's order as
 * a window) instead of looking up every row's rivals: at a province's 909,000 such rows 2.6 s of
 * CPU instead of 12. A scope keeps the people with a row in it, ranked among all their rows (a
 * person counted on a row outside the scope is not counted in it).
 */
export function peopleGroupsSql(asOf: string, scope: (col: string) => SQL | null): SQL {
  const single = scope("w.org_id");
  const people = scope("s.org_id");
  const counted = scope("r.org_id");
  return sql`SELECT org_id, enterprise_id, sum(n) AS n FROM (
      SELECT w.org_id AS org_id, w.enterprise_id AS enterprise_id, COUNT(*) AS n FROM workers w
      WHERE w.multi_platform = 0 AND ${onRollSql("w", asOf)}${single ? sql` AND ${single}` : sql``}
      GROUP BY w.org_id, w.enterprise_id
      UNION ALL
      SELECT r.org_id, r.enterprise_id, COUNT(*) FROM (
        SELECT w.org_id AS org_id, w.enterprise_id AS enterprise_id, row_number() OVER (PARTITION BY w.id_number
            ORDER BY min(w.last_seen_on, ${asOf}) DESC, w.first_seen_on, w.id) AS rank
          FROM workers w INDEXED BY workers_multi_person_idx
          WHERE w.multi_platform = 1 AND ${onRollSql("w", asOf)}${
            people
              ? sql` AND w.id_number IN (SELECT s.id_number FROM workers s INDEXED BY workers_multi_platform_idx
                  WHERE s.multi_platform = 1 AND ${onRollSql("s", asOf)} AND ${people})`
              : sql``
          }) r
      WHERE r.rank = 1${counted ? sql` AND ${counted}` : sql``}
      GROUP BY r.org_id, r.enterprise_id)
    GROUP BY org_id, enterprise_id`;
}
