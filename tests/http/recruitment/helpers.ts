// Shared set-up of the recruitment tests: the small city with signed-in agents, dates relative to
// today, and a fast path that takes a record to a stage through the service (as the committee).

import { addDays, addMonths, todayIso } from "../../../server/domain/dates.js";
import { makeIdNumber } from "../../../server/domain/id-number.js";
import type { StepAction } from "../../../server/domain/recruitment-stages.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { startApplication, takeStep } from "../../../server/services/recruitment/recruitment.service.js";
import type { StepFormInput } from "../../../server/schemas/recruitment.schema.js";
import { type Signed, signedIn } from "../transfers/helpers.js";
import { createTestApp, type TestApp } from "../../helpers/app.js";

export const today = todayIso();
/** `n` months before today. */
export const monthsAgo = (n: number) => addMonths(today, -n);
export { addDays };

let seq = 0;
/** A fresh valid ID number of someone born on `birthDate`. */
export function idOf(birthDate = "1995-03-10"): string {
  seq++;
  return makeIdNumber("371702", birthDate, 500 + seq);
}

export function post(a: Signed, path: string, body: Record<string, string | number | string[]> = {}) {
  return a
    .post(path)
    .type("form")
    .send({ ...body, _csrf: a.token });
}

export type RWorld = Awaited<ReturnType<typeof rworld>>;

export async function rworld() {
  const t: TestApp = await createTestApp();
  const [secDl, secJoint, secPs, clerkDl, clerkPs, admin, supervisor] = await Promise.all(
    ["t-sec-dl", "t-sec-joint", "t-sec-ps", "t-clerk-dl", "t-clerk-ps", "t-admin", "t-supervisor"].map((u) => signedIn(t, u)),
  );
  const sqlite = t.handle.sqlite;
  const clerkActor = loadActor(t.handle.db, t.city.userIds.admin!)!;
  const stepsFor = (
    orgId: number,
    stage: "applicant" | "activist" | "candidate" | "planned" | "probationary",
    over: { birthDate?: string } = {},
  ) => advance(t, clerkActor, orgId, stage, over.birthDate);
  return {
    t,
    city: t.city,
    secDl: secDl!,
    secJoint: secJoint!,
    secPs: secPs!,
    clerkDl: clerkDl!,
    clerkPs: clerkPs!,
    admin: admin!,
    supervisor: supervisor!,
    clerkActor,
    at: stepsFor,
    record: (id: number) => sqlite.prepare("SELECT * FROM recruitments WHERE id = ?").get(id) as Record<string, any>,
    steps: (id: number) =>
      sqlite.prepare("SELECT * FROM recruitment_steps WHERE recruitment_id = ? ORDER BY id").all(id) as Record<string, any>[],
    member: (id: number) => sqlite.prepare("SELECT * FROM members WHERE id = ?").get(id) as Record<string, any>,
    audit: (action: string) => sqlite.prepare("SELECT * FROM audit_log WHERE action = ? ORDER BY id").all(action) as Record<string, any>[],
    count: (table: string) => (sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
  };
}

/** The dates of a record that went by the book, ending with admission 14 months ago. */
export const BOOK = {
  appliedOn: monthsAgo(30),
  talk: addDays(monthsAgo(30), 10),
  activist: monthsAgo(29),
  assess: monthsAgo(23),
  training: monthsAgo(18),
  politicalCheck: monthsAgo(17),
  candidate: monthsAgo(16),
  plan: monthsAgo(15),
  admit: monthsAgo(14),
  approvedOn: monthsAgo(13),
};

/** The step forms of the by-the-book record, each with its required fields. */
export const BOOK_FORMS: Record<string, Partial<Record<keyof StepFormInput, string | number>>> = {
  talk: { on: BOOK.talk, talkedBy: "王书记" },
  activist: { on: BOOK.activist, contact1: "李联系", contact2: "赵联系" },
  assess: { on: BOOK.assess, assessment: "表现良好" },
  training: { on: BOOK.training, trainingHours: 24, trainingName: "第一期积极分子培训班" },
  politicalCheck: { on: BOOK.politicalCheck },
  candidate: {
    on: BOOK.candidate,
    sponsor1: "王介绍",
    sponsor2: "陈介绍",
    publicFrom: addDays(BOOK.candidate, -14),
    publicTo: addDays(BOOK.candidate, -1),
  },
  plan: { on: BOOK.plan },
  admit: { on: BOOK.admit, volunteerBookNo: "ZY2025-0001", approvedOn: BOOK.approvedOn },
};

const ORDER: { stage: string; steps: StepAction[] }[] = [
  { stage: "applicant", steps: [] },
  { stage: "activist", steps: ["talk", "activist"] },
  { stage: "candidate", steps: ["assess", "training", "politicalCheck", "candidate"] },
  { stage: "planned", steps: ["plan"] },
  { stage: "probationary", steps: ["admit"] },
];

function parsed(f: Partial<Record<string, string | number>>): StepFormInput {
  const base: Record<string, unknown> = {};
  for (const k of [
    "on",
    "talkedBy",
    "contact1",
    "contact2",
    "assessment",
    "trainingName",
    "trainingHours",
    "trainingDays",
    "sponsor1",
    "sponsor2",
    "publicFrom",
    "publicTo",
    "volunteerBookNo",
    "approvedOn",
    "extensionMonths",
    "remark",
  ])
    base[k] = f[k] ?? null;
  return base as StepFormInput;
}

/** A record in `orgId` taken (by an administrator: the committee for every branch) to `stage` by the book. */
function advance(t: TestApp, actor: ReturnType<typeof loadActor> & {}, orgId: number, stage: string, birthDate?: string) {
  const r = startApplication(
    t.handle.db,
    actor,
    {
      orgId,
      leadId: null,
      workerId: null,
      name: `测试申请人${++seq}`,
      idNumber: idOf(birthDate),
      phone: null,
      occupation: "delivery_rider" as never,
      enterpriseId: null,
      appliedOn: BOOK.appliedOn,
      remark: null,
    },
    today,
  );
  for (const o of ORDER) {
    for (const a of o.steps) takeStep(t.handle.db, actor, r.id, a, parsed(BOOK_FORMS[a]!), today);
    if (o.stage === stage) break;
  }
  return r.id;
}

export { signedIn, type Signed };
