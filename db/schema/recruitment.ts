import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { DISCOVERY_CHANNELS, GENDERS, OCCUPATIONS, ROLES } from "../../server/domain/codes.js";
import { OPEN_STAGES, RECRUITMENT_STAGES, STEP_RESULTS } from "../../server/domain/recruitment-rules.js";
import { STEP_ACTIONS } from "../../server/domain/recruitment-stages.js";
import { users } from "./accounts.js";
import { createdAt, inList, updatedAt } from "./columns.js";
import { enterprises } from "./enterprises.js";
import { members } from "./members.js";
import { organizations } from "./orgs.js";
import { leads, workers } from "./rosters.js";

// Recruitment (发展党员): one record per application with its stage and every stage's dates, and the
// log of its steps (never edited or deleted: triggers in the migration refuse it).

export const recruitments = sqliteTable(
  "recruitments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    // The branch that recruits (its secretary proposes); scope filters on this column.
    orgId: integer("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    name: text("name").notNull(),
    idNumber: text("id_number").notNull(),
    gender: text("gender", { enum: GENDERS }).notNull(),
    birthDate: text("birth_date").notNull(),
    phone: text("phone"),
    occupation: text("occupation", { enum: OCCUPATIONS }),
    enterpriseId: integer("enterprise_id").references(() => enterprises.id, { onDelete: "set null" }),
    // Where the person came from: a found lead or a roster worker (no retyping), and the find's channel.
    leadId: integer("lead_id").references(() => leads.id, { onDelete: "set null" }),
    workerId: integer("worker_id").references(() => workers.id, { onDelete: "set null" }),
    discoveryChannel: text("discovery_channel", { enum: DISCOVERY_CHANNELS }),
    // The member record created when admitted (预备党员).
    memberId: integer("member_id").references(() => members.id, { onDelete: "restrict" }),
    stage: text("stage", { enum: RECRUITMENT_STAGES }).notNull().default("applicant"),
    appliedOn: text("applied_on").notNull(),
    talkedOn: text("talked_on"),
    talkedBy: text("talked_by"),
    activistOn: text("activist_on"),
    contact1: text("contact1"),
    contact2: text("contact2"),
    lastAssessedOn: text("last_assessed_on"),
    trainingEndedOn: text("training_ended_on"),
    trainingHours: integer("training_hours"),
    trainingDays: integer("training_days"),
    politicalCheckOn: text("political_check_on"),
    candidateOn: text("candidate_on"),
    candidatePublicFrom: text("candidate_public_from"),
    candidatePublicTo: text("candidate_public_to"),
    sponsor1: text("sponsor1"),
    sponsor2: text("sponsor2"),
    plannedOn: text("planned_on"),
    volunteerBookNo: text("volunteer_book_no"),
    joinedOn: text("joined_on"),
    approvedOn: text("approved_on"),
    extensionMonths: integer("extension_months"),
    extendedOn: text("extended_on"),
    fullPublicFrom: text("full_public_from"),
    fullPublicTo: text("full_public_to"),
    fullOn: text("full_on"),
    closedOn: text("closed_on"),
    // A branch's committee step waiting for the committee: the log row that proposed it.
    pendingStepId: integer("pending_step_id"),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // No second open application for one ID number (the service answers with the field error first).
    uniqueIndex("recruitments_open_id_number_uq")
      .on(t.idNumber)
      .where(sql.raw(`stage IN (${OPEN_STAGES.map((s) => `'${s}'`).join(",")})`)),
    index("recruitments_id_number_idx").on(t.idNumber),
    index("recruitments_org_stage_idx").on(t.orgId, t.stage),
    index("recruitments_member_idx").on(t.memberId),
    check("recruitments_stage_ck", inList("stage", RECRUITMENT_STAGES)),
  ],
);

export const recruitmentSteps = sqliteTable(
  "recruitment_steps",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    recruitmentId: integer("recruitment_id")
      .notNull()
      .references(() => recruitments.id, { onDelete: "restrict" }),
    action: text("action").notNull(), // apply or a StepAction
    fromStage: text("from_stage"),
    toStage: text("to_stage").notNull(),
    // The date of the step itself (谈话日期, 支部大会日期 …), not when it was typed.
    on: text("on").notNull(),
    result: text("result", { enum: STEP_RESULTS }).notNull(),
    userId: integer("user_id").references(() => users.id, { onDelete: "set null" }),
    role: text("role", { enum: ROLES }),
    remark: text("remark"),
    details: text("details", { mode: "json" }),
    // An approval or rejection names the proposal it decides.
    decidesStepId: integer("decides_step_id").references((): any => recruitmentSteps.id, { onDelete: "restrict" }),
    at: createdAt(),
  },
  (t) => [
    index("recruitment_steps_record_idx").on(t.recruitmentId, t.id),
    check("recruitment_steps_action_ck", inList("action", ["apply", ...STEP_ACTIONS])),
    check("recruitment_steps_result_ck", inList("result", STEP_RESULTS)),
  ],
);
