// The demo's recruitment (发展党员), made through the recruitment service as an administrator (so
// each step passes the same rules): the development zone's branch recruited 3 members this year and
// trains 10 activists, as the seed articles report, and a few people wait at each other stage —
// some overdue (a talk not held, an activist not assessed, a probation past its year).

import { eq, sql } from "drizzle-orm";
import { addDays, addMonths } from "../../server/domain/dates.js";
import { makeIdNumber } from "../../server/domain/id-number.js";
import type { StepAction } from "../../server/domain/recruitment-stages.js";
import { systemActor } from "../../server/policy/actor.js";
import type { StepFormInput } from "../../server/schemas/recruitment.schema.js";
import { startApplication, takeStep } from "../../server/services/recruitment/recruitment.service.js";
import type { DbHandle } from "../client.js";
import { members } from "../schema.js";

const NAMES = [
  "王浩然",
  "李子涵",
  "张晨阳",
  "刘思远",
  "陈嘉怡",
  "杨文博",
  "赵雨萱",
  "黄俊杰",
  "周欣怡",
  "吴宇航",
  "徐梓轩",
  "孙佳琪",
  "马天宇",
  "朱晓东",
  "胡立新",
  "郭明亮",
  "何静怡",
  "高志强",
  "林海涛",
  "罗欣然",
  "梁振宇",
  "宋雅婷",
  "郑凯文",
  "谢雨桐",
  "韩博远",
];
const OCCUPATIONS = ["delivery_rider", "courier", "ride_hailing_driver", "truck_driver"] as const;

type Plan = { stage: string; appliedOn: string; steps: [StepAction, Partial<StepFormInput>][] };

export function seedRecruitment(handle: DbHandle, today: string): { recruitments: number } {
  const { db } = handle;
  const branch = db.get<{ id: number }>(
    sql`SELECT b.id FROM organizations b JOIN organizations c ON substr(b.path, 1, length(c.path)) = c.path
        WHERE c.code = 'HZ-PS-371771' AND b.kind = 'branch' AND b.status = 'active' ORDER BY b.id LIMIT 1`,
  );
  if (!branch) return { recruitments: 0 };
  const actor = systemActor("demo");
  const year = today.slice(0, 4);
  const clamp = (d: string) => (d > today ? today : d);

  const byTheBook = (joinedOn: string): Plan["steps"] => {
    const applied = addMonths(joinedOn, -26);
    const activist = addMonths(applied, 1);
    const candidate = addMonths(activist, 13);
    return [
      ["talk", { on: addDays(applied, 10), talkedBy: "支部书记" }],
      ["activist", { on: activist, contact1: "刘红", contact2: "孙伟" }],
      ["assess", { on: addMonths(activist, 5), assessment: "工作积极，表现良好" }],
      ["training", { on: addMonths(activist, 11), trainingHours: 24, trainingName: "开发区积极分子培训班" }],
      [
        "candidate",
        { on: candidate, sponsor1: "刘红", sponsor2: "孙伟", publicFrom: addDays(candidate, -20), publicTo: addDays(candidate, -1) },
      ],
      ["plan", { on: addMonths(candidate, 1) }],
      ["politicalCheck", { on: addMonths(joinedOn, -2) }],
    ];
  };
  const admit = (joinedOn: string, n: number): [StepAction, Partial<StepFormInput>] => [
    "admit",
    { on: joinedOn, volunteerBookNo: `KFQ${joinedOn.slice(0, 4)}-${String(n).padStart(3, "0")}`, approvedOn: clamp(addDays(joinedOn, 20)) },
  ];
  const yearStart = `${year}-01-01`;
  const plans: Plan[] = [];
  // 3 recruited this year (预备党员, joined at a branch meeting this year).
  for (let i = 0; i < 3; i++) {
    const joined = clamp(addDays(addMonths(today, -2) < yearStart ? yearStart : addMonths(today, -2), i * 7));
    plans.push({ stage: "probationary", appliedOn: addMonths(joined, -26), steps: [...byTheBook(joined), admit(joined, i + 1)] });
  }
  // 10 activists; the first four not assessed for over six months (overdue).
  for (let i = 0; i < 10; i++) {
    const applied = addMonths(today, -(9 + i));
    const activist = addMonths(applied, 1);
    const steps: Plan["steps"] = [
      ["talk", { on: addDays(applied, 12), talkedBy: "支部书记" }],
      ["activist", { on: activist, contact1: "刘红", contact2: "孙伟" }],
    ];
    if (i >= 4 && addMonths(today, -2) > activist) steps.push(["assess", { on: addMonths(today, -2), assessment: "按期考察，表现良好" }]);
    plans.push({ stage: "activist", appliedOn: applied, steps });
  }
  // Applicants: one whose talk is overdue, two recent.
  plans.push({ stage: "applicant", appliedOn: addMonths(today, -2), steps: [] });
  plans.push({ stage: "applicant", appliedOn: addDays(today, -10), steps: [] });
  plans.push({ stage: "applicant", appliedOn: addDays(today, -5), steps: [["talk", { on: addDays(today, -1), talkedBy: "支部书记" }]] });
  // Two candidates and one planned.
  for (const k of [0, 1, 2]) {
    const joinedLike = addMonths(today, 2);
    const steps = byTheBook(joinedLike).filter(([a, f]) => a !== "politicalCheck" && f.on! <= today && (k === 2 || a !== "plan"));
    plans.push({ stage: k === 2 ? "planned" : "candidate", appliedOn: addMonths(joinedLike, -26), steps });
  }
  // A probation past its year, not yet made full (overdue), and one made full.
  const lastYear = addMonths(today, -13);
  plans.push({ stage: "probationary", appliedOn: addMonths(lastYear, -26), steps: [...byTheBook(lastYear), admit(lastYear, 90)] });
  const older = addMonths(today, -14);
  const fullOn = addMonths(older, 12);
  plans.push({
    stage: "full",
    appliedOn: addMonths(older, -26),
    steps: [
      ...byTheBook(older),
      admit(older, 91),
      ["full", { on: fullOn, publicFrom: addDays(fullOn, -20), publicTo: addDays(fullOn, -1) }],
    ],
  });
  // One whose training ended: removed at his own request.
  plans.push({
    stage: "removed",
    appliedOn: addMonths(today, -6),
    steps: [["remove", { on: addMonths(today, -4), remark: "本人申请撤回" }]],
  });

  const taken = (id: string) => !!db.select({ id: members.id }).from(members).where(eq(members.idNumber, id)).get();
  let seq = 0;
  // One transaction for the whole demo: each step's own transaction becomes a savepoint inside it.
  db.transaction(() =>
    plans.forEach((p, i) => {
      let idNumber: string;
      do idNumber = makeIdNumber("371771", `199${i % 10}-0${(i % 9) + 1}-1${i % 10}`, 800 + seq++);
      while (taken(idNumber));
      const r = startApplication(
        db,
        actor,
        {
          orgId: branch.id,
          leadId: null,
          workerId: null,
          name: NAMES[i % NAMES.length]!,
          idNumber,
          phone: `139${String(71000000 + i).padStart(8, "0")}`,
          occupation: OCCUPATIONS[i % OCCUPATIONS.length]!,
          enterpriseId: null,
          appliedOn: p.appliedOn,
          remark: null,
        },
        today,
      );
      const ordered = [...p.steps].sort((a, b) => (a[1].on! < b[1].on! ? -1 : a[1].on! > b[1].on! ? 1 : 0));
      for (const [action, form] of ordered) {
        const full: StepFormInput = {
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
          ...form,
        };
        takeStep(db, actor, r.id, action, full, today);
      }
    }),
  );
  return { recruitments: plans.length };
}
