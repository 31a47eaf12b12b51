// Whom the dashboard is counted for at start (dashboard.routes.ts, createApp's warmDashboard).

import type { Db } from "../../../db/client.js";
import { type Actor, systemActor } from "../../policy/actor.js";
import { singleRootOrg } from "../orgs/org-rows.js";

/**
 * The cards are kept per role, organization and scope path (deps.ts), and the parts they sum per
 * organization (counting.worker.ts). First a supervisor of the root organization — a province's or a
 * city's supervisors, whose scope is the biggest and whose first view after a start was the slowest —
 * whose cards are then exactly theirs, since no card depends on who the account is beyond its role
 * and organization; then the administrators' whole database ("/"), which reuses the same parts.
 * Neither is an account (id 0): nothing is attributed to them.
 */
export function warmUpActors(db: Db): Actor[] {
  const admin = systemActor("dashboard-warm-up");
  const root = singleRootOrg(db);
  if (!root) return [admin];
  return [{ ...admin, role: "supervisor", orgId: root.id, orgPath: root.path, orgName: root.name }, admin];
}
