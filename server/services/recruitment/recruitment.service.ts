// Recruitment (发展党员): the area's entry, which callers import from. Records and starting an
// application in records.ts, the steps and the committee's decisions in steps.ts, the pipeline,
// the inbox's items and the statistics in queries.ts; the rules in domain/recruitment-*.ts.
// Records and their step log are never deleted: there is no function for it.

export type { RecruitmentFigure } from "../../schemas/recruitment.schema.js";
export {
  FIGURE_DEFINITION,
  FIGURE_LABEL,
  figurePeople,
  pipeline,
  recruitmentBreakdown,
  recruitmentFigures,
  recruitmentInbox,
  trainees,
} from "./queries.js";
export {
  applicationOptions,
  findSources,
  getRecruitment,
  levelOf,
  type Recruitment,
  type Source,
  recruitmentDetail,
  sourceFromLead,
  sourceFromWorker,
  startApplication,
} from "./records.js";
export { bulkTraining, decideProposal, takeStep } from "./steps.js";
