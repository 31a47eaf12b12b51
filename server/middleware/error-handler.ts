import type { NextFunction, Request, Response } from "express";
import ejs from "ejs";
import type { Logger } from "pino";
import { AppError } from "../errors.js";
import { baseLocals } from "./locals.js";

function wantsJson(req: Request) {
  return req.path.startsWith("/api/") || (req.xhr ?? false) || (!!req.accepts("json") && !req.accepts("html"));
}

/** Translates anything thrown into an AppError; unknown errors become a 500 whose details go only to the log. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { code?: string; status?: number; statusCode?: number; type?: string; message?: string };
  if (e?.code === "EBADCSRFTOKEN") return new AppError(403, "页面已过期或请求来源无效，请刷新页面后重试。", { code: "csrf_invalid" });
  if (e?.code === "LIMIT_FILE_SIZE" || e?.type === "entity.too.large")
    return new AppError(413, "上传的内容超过大小限制。", { code: "too_large" });
  if (e?.code?.startsWith?.("LIMIT_")) return new AppError(400, "上传的内容不符合要求（文件数量或字段过多）。", { code: "bad_upload" });
  if (e?.type === "entity.parse.failed") return new AppError(400, "请求内容格式错误。", { code: "bad_request" });
  if (e?.code === "SQLITE_BUSY") return new AppError(503, "系统繁忙，请稍后重试。", { code: "busy", cause: err });
  const status = e?.status ?? e?.statusCode;
  if (status === 404) return AppError.notFound();
  // The body parsers' other refusals of a malformed request (too many fields, an unsupported
  // charset or content encoding, an aborted body) are the client's error, not the server's.
  if (status === 413) return new AppError(413, "提交的内容过多（字段数量或大小超过限制）。", { code: "too_large" });
  if (status === 415) return new AppError(415, "不支持的请求格式、字符集或压缩方式。", { code: "unsupported_media_type" });
  if (typeof status === "number" && status >= 400 && status < 500) return new AppError(400, "请求内容格式错误。", { code: "bad_request" });
  return new AppError(500, "系统内部错误，请稍后重试。如果问题持续，请联系系统管理员。", { cause: err });
}

/** The page when even the error page cannot be rendered: no template, no locals, nothing of the error. */
function plainErrorPage(status: number, message: string): string {
  const title = status === 404 ? "找不到页面" : status === 403 ? "没有权限" : status >= 500 ? "系统错误" : "请求有误";
  return `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · 新就业群体党建覆盖管理系统</title><link rel="stylesheet" href="/assets/app.css"></head>
<body><main id="main"><div class="card"><h1>${title}</h1><p>${ejs.escapeXML(message)}</p><p><a href="/">返回首页</a></p></div></main></body>
</html>
`;
}

/**
 * The one error handler. It never passes an error on: Express's own handler (finalhandler) would
 * answer with the error's stack, and EJS's with the template's source and absolute paths.
 */
export function errorHandler(logger: Logger) {
  /** Renders `view`; when that fails, the plain page with the same status. */
  const render = (res: Response, view: string, locals: Record<string, unknown>, status: number, message: string) => {
    res.render(view, locals, (renderErr: Error | null, html?: string) => {
      if (renderErr) {
        logger.error({ err: renderErr, view }, "error page render failed");
        if (!res.headersSent) res.status(status).type("html").send(plainErrorPage(status, message));
        return;
      }
      res.type("html").send(html);
    });
  };

  const handle = async (err: unknown, req: Request, res: Response) => {
    const appErr = toAppError(err);
    if (appErr.status >= 500) logger.error({ err: appErr.cause ?? err, method: req.method, url: req.path }, "request failed");
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(appErr.status);
    if (wantsJson(req)) {
      res.json({ error: { code: appErr.code, message: appErr.message, ...(appErr.fieldErrors ? { fields: appErr.fieldErrors } : {}) } });
      return;
    }
    // The error came before viewLocals ran (a body the parser refused, a failing session store):
    // the page is rendered for a visitor not (yet) known to be signed in.
    if (res.locals.takeFlash === undefined) baseLocals(req, res);
    // Forms re-render in place with the field errors and what the user typed, also when the field
    // is refused for too many tries (a wrong current password, 429).
    if ((appErr.status === 422 || appErr.status === 429) && res.locals.formView) {
      try {
        const extra = res.locals.formLocals ? await res.locals.formLocals(req, res) : {};
        render(
          res,
          res.locals.formView,
          { ...extra, errors: appErr.fieldErrors ?? {}, formError: appErr.message, values: res.locals.values ?? {} },
          appErr.status,
          appErr.message,
        );
        return;
      } catch (renderErr) {
        // The form's locals load the row the URL names, scope-checked: when that refuses (an id
        // outside the caller's scope, or gone), the refusal is the answer, not a 500.
        if (renderErr instanceof AppError && renderErr.status < 500) {
          res.status(renderErr.status);
          render(res, "errors/error", { status: renderErr.status, message: renderErr.message }, renderErr.status, renderErr.message);
          return;
        }
        logger.error({ err: renderErr }, "form re-render failed");
        res.status(500);
      }
    }
    const message = res.statusCode >= 500 && appErr.status < 500 ? "系统内部错误。" : appErr.message;
    render(res, "errors/error", { status: res.statusCode, message }, res.statusCode, message);
  };

  return async (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    try {
      await handle(err, req, res);
    } catch (handlerErr) {
      logger.error({ err: handlerErr, cause: err }, "error handler failed");
      if (!res.headersSent) res.status(500).type("html").send(plainErrorPage(500, "系统内部错误，请稍后重试。"));
      else res.end();
    }
  };
}

export function notFound(_req: Request, _res: Response) {
  throw AppError.notFound();
}
