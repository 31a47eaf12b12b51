// The access matrix's recruitment rows: per side (HZ-DL branch "in", HZ-PS branch "out", the joint
// branch "other") an applicant for the step routes, an activist for the training class, and an
// activist whose candidate step the branch has proposed, for the committee's decision.

import type { DbHandle } from "../../db/client.js";
import { addDays, addMonths, todayIso } from "../../server/domain/dates.js";
import { makeIdNumber } from "../../server/domain/id-number.js";
import type { StepFormInput } from "../../server/schemas/recruitment.schema.js";
import { loadActor } from "../../server/services/admin/users.js";
import { startApplication, takeStep } from "../../server/services/recruitment/recruitment.service.js";
import type { SmallCity } from "./fixtures.js";

const blank: StepFormInput = {
  on: null,
  talkedBy: null,
  contact1: null,
  contact2: null,
  assessment: null,
  trainingName: null,
  trainingHours: null,
  trainingDays: null,
  sponsor1: null,
  sponsor2: null,
  publicFrom: null,
  publicTo: null,
  volunteerBookNo: null,
  approvedOn: null,
  extensionMonths: null,
  remark: null,
};

export function recruitmentRows(h: DbHandle, city: SmallCity) {
  const today = todayIso();
  const admin = loadActor(h.db, city.userIds.admin!)!;
  let seq = 0;
  const start = (orgId: number, appliedOn: string) =>
    startApplication(
      h.db,
      admin,
      {
        orgId,
        leadId: null,
        workerId: null,
        name: `矩阵申请人${++seq}`,
        idNumber: makeIdNumber("371702", "1994-04-04", 300 + seq),
        phone: null,
        occupation: null,
        enterpriseId: null,
        appliedOn,
        remark: null,
      },
      today,
    ).id;
  const step = (id: number, who: typeof admin, action: Parameters<typeof takeStep>[3], form: Partial<StepFormInput>) =>
    takeStep(h.db, who, id, action, { ...blank, ...form }, today);
  const activist = (orgId: number) => {
    const applied = addMonths(today, -20);
    const id = start(orgId, applied);
    step(id, admin, "talk", { on: addDays(applied, 5) });
    step(id, admin, "activist", { on: addMonths(applied, 1), contact1: "甲", contact2: "乙" });
    return id;
  };
  const proposed = (orgId: number, secretaryKey: string) => {
    const id = activist(orgId);
    step(id, admin, "training", { on: addMonths(today, -3), trainingHours: 24 });
    const on = addMonths(today, -1);
    step(id, loadActor(h.db, city.userIds[secretaryKey]!)!, "candidate", {
      on,
      sponsor1: "甲",
      sponsor2: "乙",
      publicFrom: addDays(on, -20),
      publicTo: addDays(on, -1),
    });
    return id;
  };
  const side = (orgId: number, secretaryKey: string) => ({
    applicant: start(orgId, addDays(today, -10)),
    activist: activist(orgId),
    proposed: proposed(orgId, secretaryKey),
  });
  return {
    recDl: side(city.dlBranch.id, "secretary"),
    recPs: side(city.psBranch.id, "secretaryPs"),
    recJoint: side(city.dlJoint.id, "secretaryJoint"),
  };
}
