// Mobile members (流动党员): the member's relationship status outside transfers, and the status page
// that shows it with contact (contact.ts) and transfers; ending membership is services/membership/. Members are
// never deleted; every change lands on their timeline.
// A mobile spell is converted into a transfer by issuing one (transfers.service): the spell ends
// when that transfer completes, so the member is never left unmanaged while it is pending.

import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { members, mobileSpells, organizations } from "../../../db/schema.js";
import { MEMBER_HOLDING_KINDS, RELATION_STATUS } from "../../domain/codes.js";
import { daysBetween, todayIso } from "../../domain/dates.js";
import { fullDivisionName } from "../../domain/divisions.js";
import { readJurisdiction } from "../jurisdiction/jurisdiction.service.js";
import { MOBILE_REACH_LABEL, MOBILE_UNIT_KIND, mobileReach, regionChoices } from "../../domain/mobile-members.js";
import { certificateWarningUntil, isStillMember, lostContactLimitReached } from "../../domain/membership-rules.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite, canWrite, orgPathInScope } from "../../policy/actor.js";
import type { EndSpellInput, MobileInInput, MobileOutInput, RenewCertificateInput } from "../../schemas/transfers.schema.js";
import { recordAudit } from "../admin/audit.js";
import { memberHoldingOrgs, pendingTransferOf, transfersOfMember } from "../transfers/transfers.service.js";
import { assertNotFuture, assertStillMember, getMember } from "./record.js";
import { addTimelineEntries } from "./timeline.js";

export type MobileSpell = typeof mobileSpells.$inferSelect;

/** 流出's destination as the timeline and pages say it: the region and kind of unit (or 不掌握流向), and the detail typed. */
export function destinationText(s: Pick<MobileSpell, "destinationCode" | "unitKind" | "destination">): string {
  if (s.unitKind === "unknown_destination") return `不掌握流向${s.destination ? `（原记录：${s.destination}）` : ""}`;
  const region = s.destinationCode ? fullDivisionName(s.destinationCode) : "流向地区未登记";
  const unit = s.unitKind ? MOBILE_UNIT_KIND.label[s.unitKind] : "单位类别未登记";
  return `外出至 ${region}，${unit}${s.destination ? `（${s.destination}）` : ""}`;
}

export function openSpellOf(db: Db, memberId: number): MobileSpell | null {
  return (
    db
      .select()
      .from(mobileSpells)
      .where(and(eq(mobileSpells.memberId, memberId), isNull(mobileSpells.endedOn)))
      .get() ?? null
  );
}

/** Everything the member's status page shows: spells, transfers, contact, and which forms apply. */
export function memberStatus(db: Db, actor: Actor, memberId: number, today = todayIso()) {
  const member = getMember(db, actor, memberId);
  const org = db.select().from(organizations).where(eq(organizations.id, member.orgId)).get()!;
  // Cross-province and cross-city are measured from where the member's organization is.
  const home = org.regionCode ?? readJurisdiction(db)?.regionCode ?? null;
  const spells = db
    .select()
    .from(mobileSpells)
    .where(eq(mobileSpells.memberId, memberId))
    .orderBy(desc(mobileSpells.id))
    .all()
    .map((s) => {
      const region = s.direction === "out" ? s.destinationCode : s.homeRegionCode;
      const reach = mobileReach(region, home);
      return {
        ...s,
        regionName: region ? fullDivisionName(region) : null,
        reachLabel: reach ? MOBILE_REACH_LABEL[reach] : null,
        placeText: s.direction === "out" ? destinationText(s) : `${region ? `${fullDivisionName(region)} ` : ""}${s.homeOrgName ?? ""}`,
      };
    });
  const open = spells.find((s) => s.endedOn == null) ?? null;
  const pending = pendingTransferOf(db, memberId);
  const gone = !isStillMember(member);
  const writable = canWrite(actor) && !gone;
  return {
    member,
    org,
    spells,
    open,
    pending,
    transfers: transfersOfMember(db, actor, memberId, today),
    orgOptions: memberHoldingOrgs(db, actor),
    regionChoices: regionChoices(),
    unitKindOptions: Object.entries(MOBILE_UNIT_KIND.label),
    certificateDaysLeft: open?.certificateValidUntil ? daysBetween(today, open.certificateValidUntil) : null,
    certificateExpiring: open?.certificateValidUntil ? open.certificateValidUntil <= certificateWarningUntil(today) : false,
    lostSixMonths: member.lostContactOn ? lostContactLimitReached(member.lostContactOn, today) : false,
    gone,
    can: {
      mobileIn: writable && member.relationStatus === "unattached" && !open && !pending,
      mobileOut: writable && member.relationStatus === "local" && !open && !pending,
      endSpell: writable && !!open && !pending,
      renew: writable && open?.direction === "in",
      convert: writable && !!open && !pending,
      lost: writable && !member.lostContactOn,
      restore: writable && !!member.lostContactOn,
      transfer: writable && !pending,
    },
  };
}

// -- Mobile spells ------------------------------------------------------------------------------

/** 流入: the relationship stays at a home organization outside; a local branch manages the member. */
export function registerMobileIn(db: Db, actor: Actor, memberId: number, input: MobileInInput, today = todayIso()): MobileSpell {
  assertCanWrite(actor);
  return db.transaction(
    (tx) => {
      const m = getMember(tx, actor, memberId);
      assertStillMember(m);
      if (m.relationStatus !== "unattached") {
        throw AppError.invalid({ orgId: `该党员当前为“${RELATION_STATUS.label[m.relationStatus]}”，只有未纳管的党员才能登记为流入党员` });
      }
      if (openSpellOf(tx, memberId)) throw AppError.conflict("该党员已有一条未结束的流动登记。");
      if (pendingTransferOf(tx, memberId)) throw AppError.conflict("该党员有待接收的转接，请先办结。");
      const org = tx.select().from(organizations).where(eq(organizations.id, input.orgId)).get();
      if (!org || !orgPathInScope(actor, org.path) || org.status !== "active" || !MEMBER_HOLDING_KINDS.includes(org.kind)) {
        throw AppError.invalid({ orgId: "管理党组织不存在、已撤销或不在您的管辖范围内" });
      }
      assertNotFuture("startedOn", input.startedOn, today, "流入日期");
      if (input.certificateValidUntil < input.startedOn) throw AppError.invalid({ certificateValidUntil: "活动证有效期不能早于流入日期" });
      const spell = tx
        .insert(mobileSpells)
        .values({
          memberId,
          direction: "in",
          orgId: org.id,
          homeOrgName: input.homeOrgName,
          homeRegionCode: input.homeRegionCode,
          certificateHeld: true,
          certificateNumber: input.certificateNumber,
          certificateValidUntil: input.certificateValidUntil,
          startedOn: input.startedOn,
          createdBy: actor.id > 0 ? actor.id : null,
        })
        .returning()
        .get();
      tx.update(members)
        .set({
          relationStatus: "mobile_in",
          orgId: org.id,
          relationOrgName: input.homeOrgName,
          managedOn: input.startedOn,
          updatedAt: new Date().toISOString(),
        })
        .where(eq(members.id, memberId))
        .run();
      addTimelineEntries(tx, actor, [
        {
          memberId,
          kind: "mobile_in_started",
          summary: `登记为流入党员：组织关系在 ${input.homeRegionCode ? `${fullDivisionName(input.homeRegionCode)} ` : ""}${input.homeOrgName}，由 ${org.name} 管理，活动证 ${input.certificateNumber} 有效期至 ${input.certificateValidUntil}`,
          details: { spellId: spell.id },
        },
      ]);
      recordAudit(tx, actor, {
        action: "create",
        entity: "mobile_spell",
        entityId: spell.id,
        before: { relationStatus: m.relationStatus, orgId: m.orgId },
        after: spell,
      });
      return spell;
    },
    { behavior: "immediate" },
  );
}

/** 流出: the relationship stays here; the member works elsewhere for a while. */
export function registerMobileOut(db: Db, actor: Actor, memberId: number, input: MobileOutInput, today = todayIso()): MobileSpell {
  assertCanWrite(actor);
  return db.transaction(
    (tx) => {
      const m = getMember(tx, actor, memberId);
      assertStillMember(m);
      if (m.relationStatus !== "local") {
        throw AppError.invalid({
          destination: `该党员当前为“${RELATION_STATUS.label[m.relationStatus]}”，只有组织关系在本地的党员才能登记为流出党员`,
        });
      }
      if (openSpellOf(tx, memberId)) throw AppError.conflict("该党员已有一条未结束的流动登记。");
      if (pendingTransferOf(tx, memberId)) throw AppError.conflict("该党员有待接收的转接，请先办结。");
      assertNotFuture("outStartedOn", input.outStartedOn, today, "外出日期");
      // 不掌握流向 is the one kind that may come without a region: that is what it says.
      if (input.unitKind !== "unknown_destination" && !input.destinationCode)
        throw AppError.invalid({ destinationCode: "请填写流向地区（省、市、县），不掌握流向的请在“流向单位类别”中选择“不掌握流向”" });
      if (input.unitKind === "unknown_destination" && input.destinationCode)
        throw AppError.invalid({ unitKind: "已填写流向地区，流向单位类别不能是“不掌握流向”" });
      if (!input.certificateHeld && (input.certificateNumber || input.certificateValidUntil))
        throw AppError.invalid({ certificateHeld: "填写了活动证编号或有效期，请勾选“持有流动党员活动证”" });
      if (input.certificateValidUntil && input.certificateValidUntil < input.outStartedOn)
        throw AppError.invalid({ certificateValidUntil: "活动证有效期不能早于外出日期" });
      if (input.expectedReturnOn && input.expectedReturnOn < input.outStartedOn)
        throw AppError.invalid({ expectedReturnOn: "预计返回日期不能早于外出日期" });
      const spell = tx
        .insert(mobileSpells)
        .values({
          memberId,
          direction: "out",
          orgId: m.orgId,
          destination: input.destination,
          destinationCode: input.destinationCode,
          unitKind: input.unitKind,
          certificateHeld: input.certificateHeld,
          certificateNumber: input.certificateHeld ? input.certificateNumber : null,
          certificateValidUntil: input.certificateHeld ? input.certificateValidUntil : null,
          contactPerson: input.contactPerson,
          expectedReturnOn: input.expectedReturnOn,
          startedOn: input.outStartedOn,
          createdBy: actor.id > 0 ? actor.id : null,
        })
        .returning()
        .get();
      tx.update(members).set({ relationStatus: "mobile_out", updatedAt: new Date().toISOString() }).where(eq(members.id, memberId)).run();
      addTimelineEntries(tx, actor, [
        {
          memberId,
          kind: "mobile_out_started",
          summary: `登记为流出党员：${destinationText(input)}${input.certificateHeld ? "，持流动党员活动证" : ""}${input.expectedReturnOn ? `，预计 ${input.expectedReturnOn} 返回` : ""}`,
          details: { spellId: spell.id },
        },
      ]);
      recordAudit(tx, actor, {
        action: "create",
        entity: "mobile_spell",
        entityId: spell.id,
        before: { relationStatus: m.relationStatus },
        after: spell,
      });
      return spell;
    },
    { behavior: "immediate" },
  );
}

/**
 * Ends the open spell because the member returned: 流出 → back to local; 流入 → back to the home
 * organization (no longer managed here). Converting into a transfer is done by issuing one.
 */
export function endMobileSpell(db: Db, actor: Actor, memberId: number, input: EndSpellInput, today = todayIso()): MobileSpell {
  assertCanWrite(actor);
  return db.transaction(
    (tx) => {
      const m = getMember(tx, actor, memberId);
      assertStillMember(m);
      const open = openSpellOf(tx, memberId);
      if (!open) throw AppError.conflict("该党员没有未结束的流动登记。");
      const pending = pendingTransferOf(tx, memberId);
      if (pending)
        throw AppError.conflict(
          `该党员有待接收的转接（介绍信 ${pending.letterNumber}），接收后流动登记自动结束；如不再转接，请先撤销或退回。`,
        );
      assertNotFuture("endedOn", input.endedOn, today, "结束日期");
      if (input.endedOn < open.startedOn) throw AppError.invalid({ endedOn: `结束日期不能早于开始日期 ${open.startedOn}` });
      const ended = tx
        .update(mobileSpells)
        .set({ endedOn: input.endedOn, endReason: "returned" })
        .where(and(eq(mobileSpells.id, open.id), isNull(mobileSpells.endedOn)))
        .returning()
        .get();
      if (!ended) throw AppError.conflict("该流动登记刚刚已被他人结束，请刷新页面。");
      const status = open.direction === "out" ? "local" : "unattached";
      tx.update(members).set({ relationStatus: status, updatedAt: new Date().toISOString() }).where(eq(members.id, memberId)).run();
      const summary =
        open.direction === "out"
          ? `流出结束：已返回，恢复本地管理（${input.endedOn}）`
          : `流入结束：已返回 ${open.homeOrgName ?? "原党组织"}，不再由本地管理（${input.endedOn}）`;
      addTimelineEntries(tx, actor, [{ memberId, kind: "mobile_ended", summary, details: { spellId: open.id, endReason: "returned" } }]);
      recordAudit(tx, actor, {
        action: "update",
        entity: "mobile_spell",
        entityId: open.id,
        before: { endedOn: null, relationStatus: m.relationStatus },
        after: { endedOn: input.endedOn, endReason: "returned", relationStatus: status },
      });
      return ended;
    },
    { behavior: "immediate" },
  );
}

/** The yearly check of a 流动党员活动证: a new validity (and number), recorded on the timeline. */
export function renewCertificate(db: Db, actor: Actor, memberId: number, input: RenewCertificateInput, today = todayIso()): MobileSpell {
  assertCanWrite(actor);
  return db.transaction((tx) => {
    getMember(tx, actor, memberId);
    const open = openSpellOf(tx, memberId);
    if (open?.direction !== "in") throw AppError.conflict("只有正在登记中的流入党员才有流动党员活动证。");
    if (input.newValidUntil < today) throw AppError.invalid({ newValidUntil: "新的有效期不能早于今天" });
    const number = input.newCertificateNumber ?? open.certificateNumber;
    const updated = tx
      .update(mobileSpells)
      .set({ certificateNumber: number, certificateValidUntil: input.newValidUntil })
      .where(eq(mobileSpells.id, open.id))
      .returning()
      .get()!;
    addTimelineEntries(tx, actor, [
      {
        memberId,
        kind: "certificate_renewed",
        summary: `流动党员活动证查验：${number} 有效期延至 ${input.newValidUntil}（原 ${open.certificateNumber ?? "—"} 至 ${open.certificateValidUntil ?? "—"}）`,
        details: {
          spellId: open.id,
          before: { certificateNumber: open.certificateNumber, certificateValidUntil: open.certificateValidUntil },
        },
      },
    ]);
    recordAudit(tx, actor, {
      action: "update",
      entity: "mobile_spell",
      entityId: open.id,
      before: { certificateNumber: open.certificateNumber, certificateValidUntil: open.certificateValidUntil },
      after: { certificateNumber: number, certificateValidUntil: input.newValidUntil },
    });
    return updated;
  });
}
