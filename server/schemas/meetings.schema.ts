// The meeting form and the organizational-life pages' queries. Which members the attendance may name
// (the holding branch's list) is the service's check; here only the shape: ids are positive
// integers, reasons come from the code list, guests one name a line.

import { z } from "zod";
import {
  ABSENCE_REASONS,
  MEETING_TYPES,
  PARTICIPATION_LIMIT_MONTHS,
  PARTICIPATION_WARNING_MONTHS,
} from "../domain/organizational-life-rules.js";
import { DISCOVERY_CHANNELS } from "../domain/codes.js";
import { checkboxField, dateField, enumField, optionalEnumField, optionalText, requiredText } from "./fields.js";

const REASON_FIELD = /^reason_(\d{1,12})$/;

const memberIds = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v, ctx) => {
    const xs = v === undefined ? [] : Array.isArray(v) ? v : [v];
    const ids = xs.map((x) => Number(x));
    if (ids.some((n) => !Number.isSafeInteger(n) || n <= 0)) {
      ctx.addIssue({ code: "custom", message: "出席名单中有无效的党员编号" });
      return z.NEVER;
    }
    return [...new Set(ids)];
  });

const guestsField = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? "")
      .split(/[\n,，、;；]+/)
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().max(40, "列席人员每人姓名不能超过 40 个字")).max(100, "列席人员最多 100 人"));

const reasonValue = z.enum(ABSENCE_REASONS, { error: "缺席原因的取值无效" });

export const meetingSchema = z
  .object({
    type: enumField(MEETING_TYPES, "会议类型"),
    heldOn: dateField("召开日期"),
    place: optionalText("地点", 100),
    online: checkboxField,
    host: requiredText("主持人", 40),
    recorder: requiredText("记录人", 40),
    topic: requiredText("主题", 200),
    content: optionalText("主要内容", 5000),
    hasDecisions: checkboxField,
    present: memberIds,
    guests: guestsField,
  })
  .passthrough()
  .transform((v, ctx) => {
    // reason_<memberId>: a select per member on the list; blank means absent without a reason.
    const reasons: Record<number, (typeof ABSENCE_REASONS)[number]> = {};
    for (const [key, raw] of Object.entries(v)) {
      const m = REASON_FIELD.exec(key);
      if (!m || raw === "" || raw === undefined) continue;
      const r = reasonValue.safeParse(raw);
      if (!r.success) {
        ctx.addIssue({ code: "custom", path: ["attendance"], message: "缺席原因的取值无效" });
        return z.NEVER;
      }
      reasons[Number(m[1])] = r.data;
    }
    return {
      type: v.type,
      heldOn: v.heldOn,
      place: v.place,
      online: v.online,
      host: v.host,
      recorder: v.recorder,
      topic: v.topic,
      content: v.content,
      hasDecisions: v.hasDecisions,
      present: v.present,
      guests: v.guests,
      reasons,
    };
  });
export type MeetingInput = z.infer<typeof meetingSchema>;

const yearField = z.coerce
  .number({ error: "年份无效" })
  .int({ error: "年份无效" })
  .min(2000, { error: "年份无效" })
  .max(2100, { error: "年份无效" })
  .optional();

export const yearQuerySchema = z.object({ year: yearField });

/** A figure's rows, narrowed to one discovery channel (the four-finds funnel's column). */
export const figureQuerySchema = z.object({ channel: optionalEnumField(DISCOVERY_CHANNELS, "发现渠道") });

/** The drill-down of the participation figures: lapsed (no organizational life for N months) or took part within N. */
export const participationQuerySchema = z.object({
  months: z.coerce
    .number()
    .refine((n) => n === PARTICIPATION_WARNING_MONTHS || n === PARTICIPATION_LIMIT_MONTHS, { error: "月数无效" })
    .default(PARTICIPATION_LIMIT_MONTHS),
  took: z.enum(["0", "1"], { error: "查询条件无效" }).default("0"),
});
