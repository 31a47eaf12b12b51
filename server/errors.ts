// The one error type services throw. The error handler renders it (HTML or JSON).

export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fieldErrors: FieldErrors | undefined;
  /** Whether `message` is safe and meant to be shown to the user (always Chinese). */
  readonly expose: boolean;

  constructor(status: number, message: string, opts: { code?: string; fieldErrors?: FieldErrors; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = "AppError";
    this.status = status;
    this.code = opts.code ?? defaultCode(status);
    this.fieldErrors = opts.fieldErrors;
    this.expose = status < 500;
  }

  static notFound(what = "页面") {
    return new AppError(404, `找不到该${what}，或您无权查看。`, { code: "not_found" });
  }
  static forbidden(message = "您没有权限进行此操作。") {
    return new AppError(403, message, { code: "forbidden" });
  }
  static invalid(fieldErrors: FieldErrors, message = "提交的内容有误，请按提示修改。") {
    return new AppError(422, message, { code: "validation_failed", fieldErrors });
  }
  static conflict(message: string) {
    return new AppError(409, message, { code: "conflict" });
  }
}

function defaultCode(status: number): string {
  if (status === 400) return "bad_request";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 413) return "too_large";
  if (status === 422) return "validation_failed";
  if (status === 429) return "rate_limited";
  return "internal_error";
}
