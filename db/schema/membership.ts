import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { MEMBERSHIP_CHANGE_KINDS, MEMBERSHIP_CHANGE_STATES } from "../../server/domain/membership-changes.js";
import { createdAt, inList } from "./columns.js";
import { users } from "./accounts.js";
import { members } from "./members.js";
import { organizations } from "./orgs.js";

// Membership changes (停止党籍, 恢复党籍, 出党, death): each a step the branch proposes and the
// committee above approves. Append-only: triggers (migration) refuse deleting a step and changing one
// once decided; a pending step changes only by its decision. The member's columns follow on approval.

export const membershipChanges = sqliteTable(
  "membership_changes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    memberId: integer("member_id")
      .notNull()
      .references(() => members.id, { onDelete: "restrict" }),
    kind: text("kind", { enum: MEMBERSHIP_CHANGE_KINDS }).notNull(),
    state: text("state", { enum: MEMBERSHIP_CHANGE_STATES }).notNull().default("pending"),
    /** The member's standing when proposed (domain/membership-changes.ts Standing): 恢复党籍 "of which after suspension". */
    fromStanding: text("from_standing").notNull(),
    /** The day the change takes effect (停止党籍 / 恢复党籍 / 出党 / death date). */
    effectiveOn: text("effective_on").notNull(),
    reason: text("reason").notNull(),
    /** The deciding body (e.g. 某某党支部支部大会) and the date of its decision. */
    decisionBody: text("decision_body"),
    decidedOn: text("decided_on"),
    /** Suspension only: the search for the member out of contact, and that it was in vain. */
    searchedOn: text("searched_on"),
    searchNote: text("search_note"),
    /** Where the member was held when proposed, and the committee above it that approves. */
    orgId: integer("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    approvalOrgId: integer("approval_org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    proposedBy: integer("proposed_by").references(() => users.id, { onDelete: "set null" }),
    proposedAt: createdAt(),
    approvedBy: integer("approved_by").references(() => users.id, { onDelete: "set null" }),
    approverName: text("approver_name"),
    /** The committee's approval (or refusal) date, and its note. */
    approvedOn: text("approved_on"),
    approvalNote: text("approval_note"),
    decidedAt: text("decided_at"),
  },
  (t) => [
    index("membership_changes_member_idx").on(t.memberId, t.id),
    index("membership_changes_approval_idx").on(t.approvalOrgId, t.state),
    index("membership_changes_kind_idx").on(t.kind, t.state, t.effectiveOn),
    // One open proposal per member: a second would race the first's approval.
    uniqueIndex("membership_changes_one_pending_uq").on(t.memberId).where(sql`state = 'pending'`),
    check("membership_changes_kind_ck", inList("kind", MEMBERSHIP_CHANGE_KINDS)),
    check("membership_changes_state_ck", inList("state", MEMBERSHIP_CHANGE_STATES)),
  ],
);
