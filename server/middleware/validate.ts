import type { NextFunction, Request, Response } from "express";
import type { z } from "zod";
import { AppError } from "../errors.js";
import { fieldErrorsOf } from "../schemas/fields.js";

type Schemas = { body?: z.ZodType; query?: z.ZodType; params?: z.ZodType };

/**
 * Validates request parts with zod. The parsed body replaces req.body; query and params (read-only
 * in Express 5) land in req.valid. The raw body stays in res.locals.values so a form can re-render
 * with what the user typed.
 */
export function validate(schemas: Schemas) {
  return (req: Request, res: Response, next: NextFunction) => {
    req.valid ??= {};
    if (schemas.params) {
      const r = schemas.params.safeParse(req.params);
      if (!r.success) throw AppError.notFound();
      req.valid.params = r.data;
    }
    if (schemas.query) {
      const r = schemas.query.safeParse(req.query);
      if (!r.success)
        throw new AppError(400, "查询条件有误：" + Object.values(fieldErrorsOf(r.error)).join("；"), {
          fieldErrors: fieldErrorsOf(r.error),
        });
      req.valid.query = r.data;
    }
    if (schemas.body) {
      res.locals.values = req.body ?? {};
      const r = schemas.body.safeParse(req.body ?? {});
      if (!r.success) throw AppError.invalid(fieldErrorsOf(r.error));
      req.body = r.data;
    }
    next();
  };
}

/**
 * Marks the route as a form: when validation or the service rejects the input (422), the error
 * handler re-renders `view` in place with the field errors, what the user typed, and the locals
 * that `loadLocals` supplies (select options and the like).
 */
export function form(
  view: string,
  loadLocals?: (req: Request, res: Response) => Record<string, unknown> | Promise<Record<string, unknown>>,
) {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.locals.formView = view;
    res.locals.formLocals = loadLocals;
    next();
  };
}
