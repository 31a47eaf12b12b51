// The platform feed (平台公司实时找): a platform company posts batches of its workers, as JSON or
// CSV, with an API key. Each batch is written to a file with a server-made name and goes through
// the roster import pipeline exactly as an uploaded roster does (validation row by row,
// idempotency, matching, leads, and departures when the batch is the whole list), and the answer is the pipeline's summary — the
// object `npm run import -- … --json` prints. The import is visible in /imports (source "api").

import { randomUUID } from "node:crypto";
import { once } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { DbHandle } from "../../../db/client.js";
import { AppError } from "../../errors.js";
import type { BatchJson, BatchWorker } from "../../schemas/finds.schema.js";
import { FIELDS, type FieldKey, type Mapping } from "../import/header-aliases.js";
import { executeImportOffLoop, type OffLoopOptions, prepareImport } from "../import/import.service.js";
import type { ImportSummary } from "../import/types.js";
import { normalisePlatformName, type PlatformPrincipal } from "../admin/api-keys.js";

export type BatchMeta = { batchId: string; complete: boolean };

/** Stable error codes of the platform API (docs/API.md). */
export const API_ERROR = {
  unauthorized: "unauthorized",
  forbiddenPlatform: "forbidden_platform",
  payloadTooLarge: "payload_too_large",
  invalidPayload: "invalid_payload",
  batchInProgress: "batch_in_progress",
} as const;

/** JSON is parsed in memory, so its limit is lower than a CSV's (which is streamed to disk). */
export const MAX_JSON_BATCH_BYTES = 50 * 1024 * 1024;

export const payloadTooLarge = (limit: number) =>
  new AppError(413, `请求体超过大小限制（${Math.floor(limit / 1024 / 1024) || "<1"} MB），请分批发送。`, {
    code: API_ERROR.payloadTooLarge,
  });
export const invalidPayload = (message: string, fieldErrors?: Record<string, string>) =>
  new AppError(400, message, { code: API_ERROR.invalidPayload, fieldErrors });

/** The key speaks for one platform: a batch for another platform is refused. */
export function checkPlatform(principal: PlatformPrincipal, platformParam: string): void {
  if (normalisePlatformName(platformParam) !== principal.platform) {
    throw new AppError(403, `该 API 密钥只能提交“${principal.platform}”平台的数据。`, { code: API_ERROR.forbiddenPlatform });
  }
}

// -- Files ------------------------------------------------------------------------------------

function batchFile(uploadDir: string): string {
  const dir = path.join(uploadDir, "api");
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${new Date().toISOString().slice(0, 10)}-${randomUUID()}.csv`);
}

/** The JSON fields in the order of the CSV written for the pipeline, with the header text it reads. */
const JSON_COLUMNS: readonly (keyof BatchWorker & FieldKey)[] = [
  "idNumber",
  "name",
  "phone",
  "station",
  "franchisee",
  "occupation",
  "politicalStatus",
  "hiredOn",
];

function headerOf(key: FieldKey): string {
  const f = FIELDS.roster.find((x) => x.key === key);
  if (!f) throw new Error(`roster field ${key} missing`);
  return f.aliases[0]!;
}

function csvCell(v: string | null | undefined): string {
  return `"${(v ?? "").replaceAll('"', '""')}"`;
}

/** Writes a JSON batch as the CSV roster the pipeline reads; returns the mapping that names its columns. */
function writeJsonBatch(file: string, workers: readonly BatchWorker[]): Mapping {
  const fd = fs.openSync(file, "wx");
  try {
    const header = JSON_COLUMNS.map(headerOf);
    const chunk: string[] = [header.map(csvCell).join(",")];
    const flush = () => {
      fs.writeSync(fd, `${chunk.join("\r\n")}\r\n`);
      chunk.length = 0;
    };
    for (const w of workers) {
      chunk.push(JSON_COLUMNS.map((k) => csvCell(w[k])).join(","));
      if (chunk.length >= 5000) flush();
    }
    if (chunk.length) flush();
  } finally {
    fs.closeSync(fd);
  }
  return Object.fromEntries(JSON_COLUMNS.map((k) => [k, headerOf(k)]));
}

/** Streams a CSV body to a file, refusing it once it passes `limit` bytes (the partial file is removed). */
async function saveCsvBody(body: NodeJS.ReadableStream, file: string, limit: number): Promise<void> {
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > limit) cb(payloadTooLarge(limit));
      else cb(null, chunk);
    },
  });
  // Opened before the body flows: a body refused while the open was still under way had its file
  // created after the removal below, and left behind.
  const out = fs.createWriteStream(file, { flags: "wx" });
  await once(out, "open");
  try {
    await pipeline(body, counter, out);
  } catch (e) {
    // Removed once closed (events.once would reject on the stream's own error, before its close).
    if (!out.closed) await new Promise<void>((resolve) => out.once("close", () => resolve()));
    fs.rmSync(file, { force: true });
    throw e;
  }
  if (size === 0) {
    fs.rmSync(file, { force: true });
    throw invalidPayload("请求体是空的：CSV 批次应包含表头和数据行。");
  }
}

// -- Running a batch --------------------------------------------------------------------------

/** The pipeline's refusals of a whole file, as the API's stable codes. */
function apiErrorOf(e: unknown): unknown {
  if (!(e instanceof AppError)) return e;
  if (e.status === 413) return new AppError(413, e.message, { code: API_ERROR.payloadTooLarge });
  if (e.status === 409) return new AppError(409, e.message, { code: API_ERROR.batchInProgress });
  if (e.status === 422 || e.status === 400) return invalidPayload(e.message, e.fieldErrors);
  return e;
}

async function runBatch(
  handle: DbHandle,
  principal: PlatformPrincipal,
  file: string,
  meta: BatchMeta,
  mapping: Mapping | null,
  maxBytes: number,
  run: OffLoopOptions,
): Promise<ImportSummary> {
  let prepared: Awaited<ReturnType<typeof prepareImport>>;
  try {
    prepared = await prepareImport(handle, principal.actor, {
      kind: "roster",
      file,
      originalName: `API 批次 ${meta.batchId}`,
      platform: principal.platform,
      orgId: principal.actor.orgId,
      source: "api",
      complete: meta.complete,
      mapping,
      limits: { maxBytes },
    });
  } catch (e) {
    // Refused before anything was written: the file goes too.
    fs.rmSync(file, { force: true });
    throw apiErrorOf(e);
  }
  try {
    // The import record now names the file: it stays, like an uploaded roster. The request waits
    // for the import, which runs in a worker thread (the server goes on answering meanwhile).
    return platformAnswer(await executeImportOffLoop(handle, prepared, run));
  } catch (e) {
    throw apiErrorOf(e);
  }
}

/**
 * The summary as a platform is answered it: the import's own counts, but membersMatched and
 * leadsCreated as computed for an outside party (ImportSummary.platformAnswer): a platform must not
 * learn from them whether anyone is a member or a lead outside the batch's rows in its committee.
 */
function platformAnswer(summary: ImportSummary): ImportSummary {
  const { platformAnswer: answer, ...counts } = summary;
  // Every batch is imported with source "api", so the apply always computes it; never fall back to the import's own counts.
  if (!answer) throw new Error(`import ${summary.importId}: no platform answer computed`);
  return { ...counts, ...answer };
}

export async function receiveJsonBatch(
  handle: DbHandle,
  uploadDir: string,
  principal: PlatformPrincipal,
  batch: BatchJson,
  run: OffLoopOptions = {},
): Promise<ImportSummary> {
  const file = batchFile(uploadDir);
  let mapping: Mapping;
  try {
    mapping = writeJsonBatch(file, batch.workers);
  } catch (e) {
    fs.rmSync(file, { force: true });
    throw e;
  }
  return runBatch(handle, principal, file, batch, mapping, Number.MAX_SAFE_INTEGER, run);
}

export async function receiveCsvBatch(
  handle: DbHandle,
  uploadDir: string,
  principal: PlatformPrincipal,
  body: NodeJS.ReadableStream,
  meta: BatchMeta,
  limit: number,
  run: OffLoopOptions = {},
): Promise<ImportSummary> {
  const file = batchFile(uploadDir);
  await saveCsvBody(body, file, limit);
  return runBatch(handle, principal, file, meta, null, limit, run);
}
