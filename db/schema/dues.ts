import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { DUES_BASIS, PAYMENT_METHOD, REDUCTION_KIND } from "../../server/domain/dues-rules.js";
import { createdAt, inList, updatedAt } from "./columns.js";
import { organizations } from "./orgs.js";
import { members } from "./members.js";
import { users } from "./accounts.js";

// Dues (党费): the monthly ledger per member, the branch's month closings, reductions and
// exemptions. Money in fen. A closed month's entries are never updated or deleted (triggers in the
// migration refuse it): a correction is a new entry linked to the one it corrects, and the entry
// that counts for a (member, month) is the last of that chain.

export const duesEntries = sqliteTable(
  "dues_entries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    memberId: integer("member_id")
      .notNull()
      .references(() => members.id, { onDelete: "restrict" }),
    /** The branch that keeps the ledger for the month (the member's managing organization then). */
    orgId: integer("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    month: text("month").notNull(), // YYYY-MM
    basis: text("basis", { enum: DUES_BASIS.keys }).notNull(),
    baseFen: integer("base_fen"),
    rateBp: integer("rate_bp"),
    dueFen: integer("due_fen").notNull(),
    paidFen: integer("paid_fen").notNull().default(0),
    paidOn: text("paid_on"),
    method: text("method", { enum: PAYMENT_METHOD.keys }),
    collector: text("collector"),
    delayed: integer("delayed", { mode: "boolean" }).notNull().default(false),
    delayReason: text("delay_reason"),
    note: text("note"),
    correctsEntryId: integer("corrects_entry_id").references((): any => duesEntries.id, { onDelete: "restrict" }),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // One original entry per member and month; each entry is corrected at most once (a chain).
    uniqueIndex("dues_entries_member_month_uq").on(t.memberId, t.month).where(sql`corrects_entry_id IS NULL`),
    uniqueIndex("dues_entries_corrects_uq").on(t.correctsEntryId).where(sql`corrects_entry_id IS NOT NULL`),
    index("dues_entries_org_month_idx").on(t.orgId, t.month),
    index("dues_entries_member_idx").on(t.memberId, t.month),
    check("dues_entries_basis_ck", inList("basis", DUES_BASIS.keys)),
    check("dues_entries_method_ck", sql`method IS NULL OR ${inList("method", PAYMENT_METHOD.keys)}`),
    check("dues_entries_month_ck", sql`month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'`),
    check("dues_entries_amounts_ck", sql`due_fen >= 0 AND paid_fen >= 0 AND paid_fen <= 100000000 AND (base_fen IS NULL OR base_fen >= 0)`),
    check("dues_entries_delayed_ck", sql`delayed = 0 OR (delay_reason IS NOT NULL AND delay_reason <> '')`),
    check("dues_entries_paid_on_ck", sql`paid_fen = 0 OR paid_on IS NOT NULL`),
  ],
);

export const duesMonthClosings = sqliteTable(
  "dues_month_closings",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: integer("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    month: text("month").notNull(),
    members: integer("members").notNull(),
    dueFen: integer("due_fen").notNull(),
    paidFen: integer("paid_fen").notNull(),
    closedBy: integer("closed_by").references(() => users.id, { onDelete: "set null" }),
    closedAt: createdAt(),
  },
  (t) => [uniqueIndex("dues_month_closings_org_month_uq").on(t.orgId, t.month)],
);

export const duesReductions = sqliteTable(
  "dues_reductions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    memberId: integer("member_id")
      .notNull()
      .references(() => members.id, { onDelete: "restrict" }),
    kind: text("kind", { enum: REDUCTION_KIND.keys }).notNull(),
    /** The monthly amount approved (reduced); 0 for an exemption. */
    amountFen: integer("amount_fen").notNull(),
    fromMonth: text("from_month").notNull(),
    toMonth: text("to_month"),
    reason: text("reason").notNull(),
    /** The body that approved it (党支部 / 党委), and when. */
    approvedBy: text("approved_by").notNull(),
    approvedOn: text("approved_on").notNull(),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    index("dues_reductions_member_idx").on(t.memberId, t.fromMonth),
    check("dues_reductions_kind_ck", inList("kind", REDUCTION_KIND.keys)),
    check("dues_reductions_amount_ck", sql`amount_fen >= 0 AND (kind = 'reduced' OR amount_fen = 0)`),
    check("dues_reductions_months_ck", sql`to_month IS NULL OR to_month >= from_month`),
  ],
);
