import express, { type NextFunction, type Request, type Response, Router } from "express";
import type { Deps } from "../deps.js";
import { AppError } from "../errors.js";
import { toAppError } from "../middleware/error-handler.js";
import { fieldErrorsOf } from "../schemas/fields.js";
import { batchCsvQuerySchema, batchJsonSchema } from "../schemas/finds.schema.js";
import { authenticateApiKey, type PlatformPrincipal, touchApiKey } from "../services/admin/api-keys.js";
import {
  API_ERROR,
  checkPlatform,
  invalidPayload,
  MAX_JSON_BATCH_BYTES,
  payloadTooLarge,
  receiveCsvBatch,
  receiveJsonBatch,
} from "../services/finds/platform-feed.js";

// The platform API (docs/API.md). Mounted before the session, CSRF and the app's body parsers:
// it is authenticated by its Bearer key alone, reads its own bodies with its own limits (after
// the key is checked), and answers JSON errors { error: { code, message } } with stable codes.

export function apiRouter(deps: Deps) {
  const h = apiHandlers(deps);
  const r = Router();

  // -- Platform feed (平台公司实时找) ---------------------------------------------------------------
  r.post("/api/v1/rosters/:platform/batches", h.noStore, h.platformKey, h.body, h.batch);

  // Anything else under /api/v1/ (the platform API's namespace) is answered here too, never by the session-backed app.
  r.use("/api/v1", h.noStore, h.notFound);
  r.use(h.apiErrors);
  return r;
}

// -- Handlers ---------------------------------------------------------------------------------------

const CSV_TYPES = ["text/csv", "application/csv", "text/plain"];

function apiHandlers({ db, handle, config }: Deps) {
  const jsonLimit = Math.min(config.uploadLimitBytes, MAX_JSON_BATCH_BYTES);
  const csvLimit = config.uploadLimitBytes;
  const parseJson = express.json({ limit: jsonLimit, strict: true });
  /** The off-loop options, a fresh object for each batch. */
  const offLoop = () => ({ threadMinBytes: config.importThreadMinBytes });

  const principalOf = (res: Response) => res.locals.principal as PlatformPrincipal;

  return {
    noStore(_req: Request, res: Response, next: NextFunction) {
      res.set("Cache-Control", "no-store");
      next();
    },
    /** The key, then the platform it may speak for; the body is not read before both pass. */
    platformKey(req: Request, res: Response, next: NextFunction) {
      const principal = authenticateApiKey(db, req.get("authorization"));
      checkPlatform(principal, String(req.params.platform));
      touchApiKey(db, principal.keyId, new Date());
      res.locals.principal = principal;
      next();
    },
    body(req: Request, res: Response, next: NextFunction) {
      if (req.get("content-encoding") && req.get("content-encoding") !== "identity") {
        throw invalidPayload("不支持压缩的请求体（Content-Encoding）。");
      }
      const length = Number(req.get("content-length") ?? Number.NaN);
      if (req.is("application/json")) {
        if (length > jsonLimit) throw payloadTooLarge(jsonLimit);
        return parseJson(req, res, next);
      }
      if (req.is(CSV_TYPES)) {
        if (length > csvLimit) throw payloadTooLarge(csvLimit);
        return next();
      }
      throw invalidPayload("请求体应为 JSON（Content-Type: application/json）或 CSV（Content-Type: text/csv）。");
    },

    async batch(req: Request, res: Response) {
      const principal = principalOf(res);
      if (req.is("application/json")) {
        const parsed = batchJsonSchema.safeParse(req.body);
        if (!parsed.success) {
          const fields = fieldErrorsOf(parsed.error);
          const listed = Object.entries(fields)
            .slice(0, 5)
            .map(([k, v]) => (k === "_form" ? v : `${k}: ${v}`));
          throw invalidPayload(`请求体的结构不正确：${listed.join("；")}`, fields);
        }
        res.json(await receiveJsonBatch(handle, config.uploadDir, principal, parsed.data, offLoop()));
        return;
      }
      const q = batchCsvQuerySchema.safeParse(req.query);
      if (!q.success) {
        const fields = fieldErrorsOf(q.error);
        throw invalidPayload(`CSV 批次须在查询参数中给出 batchId 和 complete：${Object.values(fields).join("；")}`, fields);
      }
      res.json(await receiveCsvBatch(handle, config.uploadDir, principal, req, q.data, csvLimit, offLoop()));
    },
    notFound() {
      throw new AppError(404, "没有这个接口。", { code: "not_found" });
    },

    /** Body-parser failures and everything else, as the API's stable codes. */
    apiErrors(err: unknown, _req: Request, res: Response, next: NextFunction) {
      const e = err as { type?: string };
      let out: AppError;
      if (e?.type === "entity.too.large") out = payloadTooLarge(jsonLimit);
      else if (e?.type === "entity.parse.failed") out = invalidPayload("请求体不是有效的 JSON。");
      else if (e?.type === "charset.unsupported" || e?.type === "encoding.unsupported") {
        out = invalidPayload("请求体的字符集或编码不受支持，请使用 UTF-8。");
      } else out = toAppError(err);
      // A refused body may still be arriving: do not keep the connection for the next request.
      if (out.code === API_ERROR.payloadTooLarge) res.set("Connection", "close");
      next(out);
    },
  };
}
