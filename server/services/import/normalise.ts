// Each data row: accepted, corrected (with what was changed) or rejected (column, value, reason).
// The validators are the domain's; this file only applies them to cells and words the notes.

import { EDUCATION, ETHNICITY, GENDER, MEMBER_CATEGORY, OCCUPATION, POLITICAL_STATUS } from "../../domain/codes.js";
import { parseLooseDate } from "../../domain/dates.js";
import { parseIdNumber, toHalfWidth } from "../../domain/id-number.js";
import { maskPhone } from "../../domain/masking.js";
import { parseMobilePhone } from "../../domain/phone.js";
import type { FieldKey } from "./header-aliases.js";

export type Columns = Partial<Record<FieldKey, number>>;

export type Note = { column: string; value: string; reason: string };

export type RosterRecord = {
  idNumber: string;
  name: string;
  phone: string | null;
  station: string | null;
  franchisee: string | null;
  occupation: string | null;
  politicalStatus: string | null;
  hiredOn: string | null;
};

export type MemberRecord = {
  idNumber: string;
  name: string;
  gender: string;
  birthDate: string;
  ethnicity: string | null;
  phone: string | null;
  education: string | null;
  category: string | null;
  joinedOn: string | null;
  fullOn: string | null;
  relationOrgName: string | null;
  occupation: string | null;
};

export type Normalised<T> = { ok: true; record: T; notes: Note[] } | { ok: false; column: string; value: string; reason: string };

const WS = /[\s\u3000]+/g;
const CJK_ONLY_WITH_SPACES = /^[\u3400-\u9fff·•\s\u3000]+$/;

function cell(cells: readonly string[], i: number | undefined): string {
  if (i === undefined) return "";
  return cells[i] ?? "";
}

const ANY_SPACE = /[\s\u3000]/;
const NEEDS_CLEANING = /^[\s\u3000]|[\s\u3000]$|[\s\u3000]{2}|[\t\n\r\u3000]/;

/** Trims and collapses runs of spaces; empty becomes null. */
export function cleanText(raw: string): string | null {
  if (raw === "") return null;
  // Most cells hold no space at all: one quick test, then nothing to do.
  if (!ANY_SPACE.test(raw) || !NEEDS_CLEANING.test(raw)) return raw;
  const s = raw.replace(WS, " ").trim();
  return s === "" ? null : s;
}

/** Names: as cleanText, and spaces between Chinese characters (张  三, aligned by hand) removed. */
export function cleanName(raw: string): string | null {
  const s = cleanText(raw);
  if (s === null) return null;
  return s.includes(" ") && CJK_ONLY_WITH_SPACES.test(s) ? s.replace(/ /g, "") : s;
}

function reverseLabels(map: Record<string, string>, extra: Record<string, string> = {}): Map<string, string> {
  const m = new Map<string, string>();
  for (const [code, label] of Object.entries(map)) {
    m.set(label, code);
    m.set(code, code);
  }
  for (const [k, v] of Object.entries(extra)) m.set(k, v);
  return m;
}

const POLITICAL = reverseLabels(POLITICAL_STATUS.label, {
  党员: "party_member",
  共产党员: "party_member",
  中国共产党党员: "party_member",
  中共正式党员: "party_member",
  正式党员: "party_member",
  预备党员: "probationary_member",
  团员: "league_member",
  共青团: "league_member",
  群众: "masses",
  无: "masses",
  无党派: "other",
  无党派人士: "other",
  民主党派: "other",
});

/**
 * Memoises a function of a cell's text. Code-list columns and dates repeat across a roster
 * (a few dozen distinct values in a million rows), so each distinct text is worked out once.
 */
function memo<T>(fn: (raw: string) => T, max = 10_000): (raw: string) => T {
  const cache = new Map<string, T>();
  return (raw) => {
    const hit = cache.get(raw);
    if (hit !== undefined || cache.has(raw)) return hit as T;
    const v = fn(raw);
    if (cache.size >= max) cache.clear();
    cache.set(raw, v);
    return v;
  };
}

/** 政治面貌 text → code. Unrecognised values (民革党员, 九三学社社员 …) are "other", never a lead. */
export const politicalStatusOf = memo((raw: string): string | null => {
  const s = toHalfWidth(raw).replace(WS, "");
  if (s === "") return null;
  return POLITICAL.get(s) ?? "other";
});

const OCCUPATIONS = reverseLabels(OCCUPATION.label, {
  外卖骑手: "delivery_rider",
  骑手: "delivery_rider",
  外卖员: "delivery_rider",
  配送员: "delivery_rider",
  送餐员: "delivery_rider",
  网约配送员: "delivery_rider",
  专送骑手: "delivery_rider",
  众包骑手: "delivery_rider",
  快递员: "courier",
  快递小哥: "courier",
  揽投员: "courier",
  货车司机: "truck_driver",
  货运司机: "truck_driver",
  卡车司机: "truck_driver",
  网约车司机: "ride_hailing_driver",
  专车司机: "ride_hailing_driver",
  快车司机: "ride_hailing_driver",
  主播: "live_streamer",
  网络主播: "live_streamer",
  带货主播: "live_streamer",
});

export const occupationOf = memo((raw: string): string | null => {
  const s = toHalfWidth(raw).replace(WS, "");
  if (s === "") return null;
  return OCCUPATIONS.get(s) ?? "other";
});

const looseDate = memo(parseLooseDate);

const CATEGORY = reverseLabels(MEMBER_CATEGORY.label, {
  正式: "full",
  预备: "probationary",
  中共党员: "full",
  中共预备党员: "probationary",
});
const GENDERS = reverseLabels(GENDER.label);
const EDUCATIONS = reverseLabels(EDUCATION.label, {
  本科: "bachelor",
  大学: "bachelor",
  研究生: "master",
  硕士: "master",
  博士: "doctor",
  大学专科: "college",
  专科: "college",
  高职: "college",
  技校: "vocational",
  中技: "vocational",
  职高: "vocational",
});
const ETHNICITIES = reverseLabels(ETHNICITY, { 汉: "01" });

function optionalPhone(raw: string, column: string, notes: Note[]): string | null {
  const s = raw.trim();
  if (s === "") return null;
  const r = parseMobilePhone(s);
  if (!r.ok) {
    notes.push({ column, value: raw, reason: `${r.reason}，已忽略该手机号` });
    return null;
  }
  // The reason names the number masked: it is shown to every role that opens the import (the
  // whole value is the cell's, in the audited issue workbook).
  if (r.value !== s) notes.push({ column, value: raw, reason: `手机号已规范为 ${maskPhone(r.value)}` });
  return r.value;
}

function optionalDate(raw: string, column: string, notes: Note[]): string | null {
  if (raw.trim() === "") return null;
  const d = looseDate(raw);
  if (!d) notes.push({ column, value: raw, reason: `${column}无法识别，已忽略` });
  return d;
}

function idAndName(
  cells: readonly string[],
  cols: Columns,
  today: string,
  notes: Note[],
):
  | { ok: true; idNumber: string; name: string; birthDate: string; gender: string }
  | { ok: false; column: string; value: string; reason: string } {
  const rawId = cell(cells, cols.idNumber);
  const id = parseIdNumber(rawId, today);
  if (!id.ok) return { ok: false, column: "身份证号", value: rawId, reason: id.reason };
  for (const c of id.corrected) notes.push({ column: "身份证号", value: rawId, reason: c });
  const rawName = cell(cells, cols.name);
  const name = cleanName(rawName);
  if (name === null) return { ok: false, column: "姓名", value: rawName, reason: "姓名为空" };
  if (name.length > 50) return { ok: false, column: "姓名", value: rawName, reason: "姓名超过 50 个字" };
  return { ok: true, idNumber: id.value, name, birthDate: id.birthDate, gender: id.gender };
}

/** Notes of the row being normalised; copied out only when a row has any (most have none). */
const scratch: Note[] = [];
const NO_NOTES: Note[] = [];
const takeNotes = (): Note[] => (scratch.length === 0 ? NO_NOTES : scratch.splice(0));

export function normaliseRosterRow(cells: readonly string[], cols: Columns, today: string): Normalised<RosterRecord> {
  scratch.length = 0;
  const notes = scratch;
  const base = idAndName(cells, cols, today, notes);
  if (!base.ok) return base;
  const record: RosterRecord = {
    idNumber: base.idNumber,
    name: base.name,
    phone: optionalPhone(cell(cells, cols.phone), "手机号", notes),
    station: cleanText(cell(cells, cols.station)),
    franchisee: cleanText(cell(cells, cols.franchisee)),
    occupation: occupationOf(cell(cells, cols.occupation)),
    politicalStatus: politicalStatusOf(cell(cells, cols.politicalStatus)),
    hiredOn: optionalDate(cell(cells, cols.hiredOn), "入职日期", notes),
  };
  return { ok: true, notes: takeNotes(), record };
}

export function normaliseMemberRow(cells: readonly string[], cols: Columns, today: string): Normalised<MemberRecord> {
  const notes: Note[] = [];
  const base = idAndName(cells, cols, today, notes);
  if (!base.ok) return base;
  const rawCategory = cell(cells, cols.category);
  let category: string | null = null;
  if (rawCategory.trim() !== "") {
    category = CATEGORY.get(toHalfWidth(rawCategory).replace(WS, "")) ?? null;
    if (category === null) return { ok: false, column: "人员类别", value: rawCategory, reason: "人员类别应为“正式党员”或“预备党员”" };
  }
  const rawGender = cell(cells, cols.gender).trim();
  if (rawGender !== "") {
    const g = GENDERS.get(rawGender);
    if (g && g !== base.gender) notes.push({ column: "性别", value: rawGender, reason: "性别与身份证号不符，以身份证号为准" });
  }
  const rawEdu = cell(cells, cols.education);
  const education = rawEdu.trim() === "" ? null : (EDUCATIONS.get(toHalfWidth(rawEdu).replace(WS, "")) ?? null);
  if (rawEdu.trim() !== "" && education === null) notes.push({ column: "学历", value: rawEdu, reason: "学历无法识别，已忽略" });
  const rawEth = cell(cells, cols.ethnicity).trim();
  const ethnicity = rawEth === "" ? null : (ETHNICITIES.get(rawEth) ?? ETHNICITIES.get(`${rawEth}族`) ?? null);
  if (rawEth !== "" && ethnicity === null) notes.push({ column: "民族", value: rawEth, reason: "民族无法识别，已忽略" });
  const joinedOn = optionalDate(cell(cells, cols.joinedOn), "入党日期", notes);
  const fullOn = optionalDate(cell(cells, cols.fullOn), "转正日期", notes);
  if (joinedOn && joinedOn > today) return { ok: false, column: "入党日期", value: cell(cells, cols.joinedOn), reason: "入党日期晚于今天" };
  if (joinedOn && joinedOn < base.birthDate) {
    return { ok: false, column: "入党日期", value: cell(cells, cols.joinedOn), reason: "入党日期早于出生日期" };
  }
  return {
    ok: true,
    notes,
    record: {
      idNumber: base.idNumber,
      name: base.name,
      gender: base.gender,
      birthDate: base.birthDate,
      ethnicity,
      phone: optionalPhone(cell(cells, cols.phone), "手机号", notes),
      education,
      category,
      joinedOn,
      fullOn,
      relationOrgName: cleanText(cell(cells, cols.relationOrgName)),
      occupation: occupationOf(cell(cells, cols.occupation)),
    },
  };
}
