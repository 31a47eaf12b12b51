// The size rules for organizations (DOMAIN.md): warnings, never refusals — the committee decides.

import type { organizations } from "../../db/schema.js";
import { addMonths } from "./dates.js";

export const BRANCH_MAX_MEMBERS = 50;
export const BRANCH_COMMITTEE_MIN_FULL = 7;
export const GENERAL_BRANCH_MAX_MEMBERS = 100;
export const JOINT_BRANCH_MAX_UNITS = 5;

type OrgFacts = Pick<typeof organizations.$inferSelect, "kind" | "formation" | "termEndOn">;

export function orgWarnings(org: OrgFacts, memberCount: number, fullCount: number, coveredCount: number, today: string): string[] {
  const w: string[] = [];
  if (org.termEndOn && org.termEndOn < today) w.push(`本届任期已于 ${org.termEndOn} 届满，应按期换届。`);
  else if (org.termEndOn && org.termEndOn <= addMonths(today, 3)) w.push(`本届任期将于 ${org.termEndOn} 届满，请提前做好换届准备。`);
  if (org.kind === "branch") {
    if (memberCount > BRANCH_MAX_MEMBERS) w.push(`党员 ${memberCount} 名，超过 ${BRANCH_MAX_MEMBERS} 名，宜按规定分设支部或成立党总支。`);
    if (fullCount >= BRANCH_COMMITTEE_MIN_FULL)
      w.push(`正式党员 ${fullCount} 名（${BRANCH_COMMITTEE_MIN_FULL} 名以上），应设立支部委员会。`);
    if (org.formation === "joint" && coveredCount > JOINT_BRANCH_MAX_UNITS)
      w.push(`联合党支部覆盖 ${coveredCount} 个单位，一般不超过 ${JOINT_BRANCH_MAX_UNITS} 个。`);
    if (org.formation === "standalone" && coveredCount > 1) w.push(`单独组建的党支部只应覆盖 1 个企业，现覆盖 ${coveredCount} 个。`);
  }
  if (org.kind === "general_branch" && memberCount > GENERAL_BRANCH_MAX_MEMBERS)
    w.push(`党员超过 ${GENERAL_BRANCH_MAX_MEMBERS} 名，宜成立党委。`);
  return w;
}
