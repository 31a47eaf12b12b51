// Issuing a letter of introduction (开具介绍信), or, for a transfer into the system, registering the
// letter an outside organization issued. Either way the transfer starts pending; it ends in decide.ts.

import { STANDING_LABEL, standingOf } from "../../domain/membership-changes.js";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { transfers } from "../../../db/schema.js";
import { MEMBER_HOLDING_KINDS, RELATION_STATUS } from "../../domain/codes.js";
import { todayIso } from "../../domain/dates.js";
import {
  defaultValidDays,
  formatLetterNumber,
  letterDeadline,
  letterNumberPrefix,
  letterSequence,
  RECEIVABLE_STATUSES,
  SENDABLE_STATUSES,
  validityProblem,
} from "../../domain/transfer-state.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite, orgPathInScope } from "../../policy/actor.js";
import type { TransferInput } from "../../schemas/transfers.schema.js";
import { recordAudit } from "../admin/audit.js";
import { getMember, type Member } from "../members/members.service.js";
import { addTimelineEntries } from "../members/timeline.js";
import { lastMonthPaidInFull } from "../dues/unpaid.js";
import { type Org, orgById, pendingTransferOf, type Transfer, visibleTo } from "./queries.js";

/** The next letter number of an issuing organization for the year of the issue date. */
export function nextLetterNumber(db: Db, org: Pick<Org, "code">, issuedOn: string): string {
  const year = issuedOn.slice(0, 4);
  const prefix = letterNumberPrefix(org.code, year);
  const rows = db
    .select({ n: transfers.letterNumber })
    .from(transfers)
    .where(sql`substr(${transfers.letterNumber}, 1, ${prefix.length}) = ${prefix}`)
    .all();
  let max = 0;
  for (const r of rows) max = Math.max(max, letterSequence(r.n, prefix) ?? 0);
  return formatLetterNumber(org.code, year, max + 1);
}

function assertMemberCanMove(m: Member) {
  if (m.leftOn && m.leftReason && m.leftReason !== "transferred_out") {
    throw AppError.invalid({ memberId: `该党员${STANDING_LABEL[standingOf(m)]}（${m.leftOn}），不能办理组织关系转接` });
  }
}

/** Issues (or, into the system, registers) a transfer. No date of it may be later than `today`. */
export function issueTransfer(db: Db, actor: Actor, input: TransferInput, today = todayIso()): Transfer {
  assertCanWrite(actor);
  return db.transaction(
    (tx) => {
      const member = getMember(tx, actor, input.memberId);
      assertMemberCanMove(member);
      const statusLabel = RELATION_STATUS.label[member.relationStatus];
      const errors: Record<string, string> = {};

      let fromOrg: Org | null = null;
      let toOrg: Org | null = null;
      let externalOrgName: string | null = null;
      if (input.kind === "internal" || input.kind === "outgoing") {
        if (!SENDABLE_STATUSES.includes(member.relationStatus)) {
          throw AppError.invalid({
            memberId: `该党员当前为“${statusLabel}”，组织关系不在本系统的党组织，不能转出；组织关系从系统外转来请选“转入系统”`,
          });
        }
        fromOrg = orgById(tx, member.orgId)!;
        // The sending side: the branch's secretary, or a clerk or admin above it.
        if (!orgPathInScope(actor, fromOrg.path)) throw AppError.forbidden("只有转出党组织的书记或其上级党委工作人员才能开具介绍信。");
      } else if (!RECEIVABLE_STATUSES.includes(member.relationStatus)) {
        throw AppError.invalid({ memberId: `该党员当前为“${statusLabel}”，组织关系已在本系统的党组织，请选“系统内转接”` });
      }

      if (input.kind === "internal" || input.kind === "incoming") {
        if (input.toOrgId == null) errors.toOrgId = "请选择接收党组织";
        else {
          toOrg = orgById(tx, input.toOrgId);
          if (toOrg?.status !== "active" || !MEMBER_HOLDING_KINDS.includes(toOrg.kind))
            errors.toOrgId = "接收党组织不存在、已撤销或不能直接管理党员";
          else if (input.kind === "internal" && toOrg.id === member.orgId) errors.toOrgId = "接收党组织不能是该党员现在所在的党组织";
          else if (input.kind === "incoming" && !orgPathInScope(actor, toOrg.path)) errors.toOrgId = "只能转入您管辖范围内的党组织";
        }
      }
      if (input.kind === "outgoing" || input.kind === "incoming") {
        externalOrgName = input.externalOrgName;
        if (!externalOrgName)
          errors.externalOrgName =
            input.kind === "outgoing" ? "请填写转往的系统外党组织名称" : "请填写转出（开具介绍信）的系统外党组织名称";
      }

      if (input.issuedOn > today) errors.issuedOn = "签发日期不能晚于今天";
      const validDays = input.validDays ?? defaultValidDays(input.kind);
      const vp = validityProblem(input.issuedOn, validDays);
      if (vp) errors.validDays = vp;

      let letterNumber: string;
      if (input.kind === "incoming") {
        if (!input.letterNumber) errors.letterNumber = "请填写系统外党组织开具的介绍信编号";
        letterNumber = input.letterNumber ?? "";
      } else if (input.kind === "outgoing" && input.letterNumber) {
        letterNumber = input.letterNumber;
      } else {
        letterNumber = fromOrg ? nextLetterNumber(tx, fromOrg, input.issuedOn) : "";
      }
      if (letterNumber && tx.select({ id: transfers.id }).from(transfers).where(eq(transfers.letterNumber, letterNumber)).get()) {
        errors.letterNumber = `介绍信编号“${letterNumber}”已被使用`;
      }

      let corrects: Transfer | null = null;
      if (input.correctsTransferId != null) {
        corrects =
          tx
            .select()
            .from(transfers)
            .where(and(eq(transfers.id, input.correctsTransferId), visibleTo(actor)))
            .get() ?? null;
        if (!corrects || corrects.memberId !== member.id) errors.correctsTransferId = "要更正的转接不存在或不是该党员的";
        else if (corrects.state === "pending") errors.correctsTransferId = "待接收的转接不需要更正：可直接撤销或退回";
      }
      if (Object.keys(errors).length) throw AppError.invalid(errors);

      const pending = pendingTransferOf(tx, member.id);
      if (pending) {
        throw AppError.invalid({
          memberId: `该党员已有一条待接收的转接（介绍信 ${pending.letterNumber}），须先办结、退回或撤销，才能再开具`,
        });
      }

      const created = tx
        .insert(transfers)
        .values({
          memberId: member.id,
          kind: input.kind,
          fromOrgId: fromOrg?.id ?? null,
          toOrgId: toOrg?.id ?? null,
          externalOrgName,
          letterNumber,
          issuedOn: input.issuedOn,
          validDays,
          deadlineOn: letterDeadline(input.issuedOn, validDays),
          // 党费交至: a letter this system issues states the ledger's last month paid in full; a letter
          // registered from outside states what its issuer wrote.
          duesPaidTo: input.kind === "incoming" ? input.duesPaidTo : lastMonthPaidInFull(tx, member.id),
          reason: input.reason,
          state: "pending",
          correctsTransferId: corrects?.id ?? null,
          createdBy: actor.id > 0 ? actor.id : null,
        })
        .returning()
        .get();

      const fromLabel = fromOrg?.name ?? `${externalOrgName}（系统外）`;
      const toLabel = toOrg?.name ?? `${externalOrgName}（系统外）`;
      const summary =
        input.kind === "incoming"
          ? `登记转入介绍信（${letterNumber}）：由 ${fromLabel} 转入 ${toLabel}，待接收`
          : `开具组织关系介绍信（${letterNumber}）：由 ${fromLabel} 转往 ${toLabel}，有效期至 ${created.deadlineOn}`;
      addTimelineEntries(tx, actor, [
        {
          memberId: member.id,
          kind: input.kind === "incoming" ? "transfer_registered" : "transfer_issued",
          summary: corrects ? `${summary}（更正介绍信 ${corrects.letterNumber}）` : summary,
          details: { transferId: created.id, kind: input.kind, letterNumber, correctsTransferId: corrects?.id ?? null },
        },
      ]);
      recordAudit(tx, actor, { action: "create", entity: "transfer", entityId: created.id, after: created });
      return created;
    },
    { behavior: "immediate" },
  );
}
