// One person across platforms (一人多平台): a worker on several platforms is several roster rows
// sharing one ID number, and one person. The statistics count the person once, on one row, chosen
// by the rule below; the SQL twin is services/identity/sql.ts (tests/unit/identity holds the two
// to the same answers).

/** The rule, as the figure's definition and the person page state it. */
export const PERSON_ATTRIBUTION_RULE =
  "同一人（同一身份证号）在多个平台在册的，只计一人，计入最近一次出现在花名册上的平台及其站点、企业和党组织；同日出现的，计入最早登记的平台。";

export type RosterRowFacts = { id: number; firstSeenOn: string; lastSeenOn: string; leftOn: string | null };

/** On the roll at `asOf`: first seen by then and not left by then. */
export function onRollAt(r: RosterRowFacts, asOf: string): boolean {
  return r.firstSeenOn <= asOf && (r.leftOn == null || r.leftOn > asOf);
}

/** When the row was last seen as of `asOf` (a sighting after the date does not count yet). */
const seenBy = (r: RosterRowFacts, asOf: string) => (r.lastSeenOn < asOf ? r.lastSeenOn : asOf);

/** Whether `a` ranks ahead of `b`: seen more recently, then first seen earlier, then the older row. */
export function ranksAhead(a: RosterRowFacts, b: RosterRowFacts, asOf: string): boolean {
  const sa = seenBy(a, asOf);
  const sb = seenBy(b, asOf);
  if (sa !== sb) return sa > sb;
  if (a.firstSeenOn !== b.firstSeenOn) return a.firstSeenOn < b.firstSeenOn;
  return a.id < b.id;
}

/** The row a person is counted on at `asOf`: among the person's rows on the roll, the first by ranksAhead; null when none. */
export function attributedRow<T extends RosterRowFacts>(rows: readonly T[], asOf: string): T | null {
  let best: T | null = null;
  for (const r of rows) if (onRollAt(r, asOf) && (best == null || ranksAhead(r, best, asOf))) best = r;
  return best;
}

/** The person has left every platform: rows exist and each has a departure date. The latest of them, else null. */
export function leftEveryPlatformOn(rows: readonly { leftOn: string | null }[]): string | null {
  if (rows.length === 0 || rows.some((r) => r.leftOn == null)) return null;
  // biome-ignore lint/complexity/useMathMinMax: ISO dates compare as text; Math.max would turn them into NaN
  return rows.reduce((max, r) => (r.leftOn! > max ? r.leftOn! : max), rows[0]!.leftOn!);
}
