import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { TRANSFER_KINDS, TRANSFER_STATES } from "../../server/domain/codes.js";
import { MOBILE_UNIT_KINDS } from "../../server/domain/mobile-members.js";
import { createdAt, inList } from "./columns.js";
import { organizations } from "./orgs.js";
import { members } from "./members.js";
import { users } from "./accounts.js";

// Transfers and mobile members (流动不流失)

export const transfers = sqliteTable(
  "transfers",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    memberId: integer("member_id")
      .notNull()
      .references(() => members.id, { onDelete: "restrict" }),
    kind: text("kind", { enum: TRANSFER_KINDS }).notNull(),
    fromOrgId: integer("from_org_id").references(() => organizations.id, { onDelete: "restrict" }),
    toOrgId: integer("to_org_id").references(() => organizations.id, { onDelete: "restrict" }),
    externalOrgName: text("external_org_name"),
    letterNumber: text("letter_number").notNull(),
    issuedOn: text("issued_on").notNull(),
    validDays: integer("valid_days").notNull(),
    deadlineOn: text("deadline_on").notNull(),
    duesPaidTo: text("dues_paid_to"), // YYYY-MM
    reason: text("reason"),
    state: text("state", { enum: TRANSFER_STATES }).notNull().default("pending"),
    receiptOn: text("receipt_on"),
    returnReason: text("return_reason"),
    correctsTransferId: integer("corrects_transfer_id").references((): any => transfers.id, {
      onDelete: "restrict",
    }),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    decidedBy: integer("decided_by").references(() => users.id, { onDelete: "set null" }),
    decidedAt: text("decided_at"),
    createdAt: createdAt(),
  },
  (t) => [
    // A member has at most one pending transfer.
    uniqueIndex("transfers_one_pending_uq").on(t.memberId).where(sql`state = 'pending'`),
    uniqueIndex("transfers_letter_uq").on(t.letterNumber),
    index("transfers_member_idx").on(t.memberId),
    index("transfers_from_idx").on(t.fromOrgId, t.state),
    index("transfers_to_idx").on(t.toOrgId, t.state),
    index("transfers_state_deadline_idx").on(t.state, t.deadlineOn),
  ],
);

export const mobileSpells = sqliteTable(
  "mobile_spells",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    memberId: integer("member_id")
      .notNull()
      .references(() => members.id, { onDelete: "restrict" }),
    direction: text("direction", { enum: ["in", "out"] }).notNull(),
    orgId: integer("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    homeOrgName: text("home_org_name"),
    certificateNumber: text("certificate_number"),
    certificateValidUntil: text("certificate_valid_until"),
    destination: text("destination"),
    // The official shape (tables 33/34): 流出's destination as a GB/T 2260 division and the kind of
    // unit gone to; 流入's home region. Old rows were mapped from their free text (services/members/
    // mobile-regions.ts): a destination that named no division has no code and 不掌握流向.
    destinationCode: text("destination_code"),
    unitKind: text("unit_kind", { enum: MOBILE_UNIT_KINDS }),
    /** Holds the 流动党员活动证 (流出: certificate number and validity when known). */
    certificateHeld: integer("certificate_held", { mode: "boolean" }),
    homeRegionCode: text("home_region_code"),
    contactPerson: text("contact_person"),
    expectedReturnOn: text("expected_return_on"),
    startedOn: text("started_on").notNull(),
    endedOn: text("ended_on"),
    endReason: text("end_reason", { enum: ["returned", "transferred", "left"] }),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    index("mobile_spells_member_idx").on(t.memberId),
    index("mobile_spells_org_idx").on(t.orgId, t.endedOn),
    uniqueIndex("mobile_spells_one_open_uq").on(t.memberId).where(sql`ended_on IS NULL`),
    check("mobile_spells_unit_kind_ck", inList("unit_kind", MOBILE_UNIT_KINDS)),
  ],
);
