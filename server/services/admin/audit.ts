import { and, desc, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { auditLog } from "../../../db/schema.js";
import { maskIdNumber, maskPhone } from "../../domain/masking.js";
import type { Actor } from "../../policy/actor.js";

// The audit log: who, when, what, before and after. Written in the same transaction as the change
// it records (services call `recordAudit` with the transaction's db), never edited — except once,
// to mask the personal data that entries written before the masking held (remaskStoredAudit).

export type AuditEntry = {
  action: string;
  entity?: string;
  entityId?: string | number | null;
  before?: unknown;
  after?: unknown;
  details?: unknown;
  ip?: string | null;
};

/**
 * ID numbers and phones inside what an entry records, masked: the log says what changed, and the
 * audit page must not become a way round the masking (an instructor's or a secretary's phone was
 * shown whole there while their own pages masked it).
 */
function maskPersonal(v: unknown, depth = 0): unknown {
  if (depth > 4 || v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => maskPersonal(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === "string" && /^idNumber$/i.test(k)) out[k] = maskIdNumber(x);
    else if (typeof x === "string" && /^phone$|Phone$/.test(k)) out[k] = maskPhone(x);
    else out[k] = maskPersonal(x, depth + 1);
  }
  return out;
}

export function recordAudit(db: Db, actor: Pick<Actor, "id" | "username"> | null, entry: AuditEntry): void {
  db.insert(auditLog)
    .values({
      userId: actor && actor.id > 0 ? actor.id : null,
      username: actor?.username ?? null,
      action: entry.action,
      entity: entry.entity ?? null,
      entityId: entry.entityId == null ? null : String(entry.entityId),
      before: maskPersonal(entry.before) ?? null,
      after: maskPersonal(entry.after) ?? null,
      details: maskPersonal(entry.details) ?? null,
      ip: entry.ip ?? null,
    })
    .run();
}

/**
 * Entries written by builds before the masking above kept whole ID numbers and phones. Masks them in
 * place (masking a masked value changes nothing, so it is safe to run again); returns how many
 * entries changed. Run once per database at start (bootstrap.ts).
 */
export function remaskStoredAudit(db: Db): number {
  const rows = db.all<{ id: number; before: string | null; after: string | null; details: string | null }>(
    sql`SELECT id, before, after, details FROM audit_log
        WHERE coalesce(before, '') || coalesce(after, '') || coalesce(details, '') GLOB '*[Pp]hone"*'
           OR coalesce(before, '') || coalesce(after, '') || coalesce(details, '') GLOB '*[Ii][Dd][Nn]umber"*'`,
  );
  let changed = 0;
  const remask = (text: string | null) => (text == null ? null : JSON.stringify(maskPersonal(JSON.parse(text))));
  db.transaction((tx) => {
    for (const r of rows) {
      const next = { before: remask(r.before), after: remask(r.after), details: remask(r.details) };
      if (next.before === r.before && next.after === r.after && next.details === r.details) continue;
      tx.run(sql`UPDATE audit_log SET before = ${next.before}, after = ${next.after}, details = ${next.details} WHERE id = ${r.id}`);
      changed++;
    }
  });
  return changed;
}

export type AuditFilter = {
  action?: string | null;
  username?: string | null;
  entity?: string | null;
  from?: string | null;
  to?: string | null;
};

export function listAudit(db: Db, filter: AuditFilter, page: number, pageSize = 50) {
  const where: SQL[] = [];
  if (filter.action) where.push(eq(auditLog.action, filter.action));
  // The text literally: LIKE's wildcards escaped, else "%" or "_" matched every entry.
  if (filter.username) where.push(sql`${auditLog.username} LIKE ${`%${filter.username.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} ESCAPE '\\'`);
  if (filter.entity) where.push(eq(auditLog.entity, filter.entity));
  if (filter.from) where.push(gte(auditLog.at, filter.from));
  if (filter.to) where.push(lte(auditLog.at, `${filter.to}T23:59:59.999Z`));
  const cond = where.length ? and(...where) : undefined;
  const rows = db
    .select()
    .from(auditLog)
    .where(cond)
    .orderBy(desc(auditLog.id))
    .limit(pageSize + 1)
    .offset((page - 1) * pageSize)
    .all();
  return { rows: rows.slice(0, pageSize), hasMore: rows.length > pageSize };
}
