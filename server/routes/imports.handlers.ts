import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { NextFunction, Request, Response } from "express";
import multer from "multer";
import type { z } from "zod";
import type { Deps } from "../deps.js";
import { maskIdNumber, maskPersonalCell, maskPersonalText, maskPhone } from "../domain/masking.js";
import { AppError } from "../errors.js";
import { actorOf } from "../middleware/require-auth.js";
import { isOnboardingKind } from "../domain/onboarding-codes.js";
import { startSchema, uploadSchema } from "../schemas/imports.schema.js";
import { ENCODING_LABEL } from "../services/import/encoding.js";
import type { FieldKey, Mapping } from "../services/import/header-aliases.js";
import * as imports from "../services/import/import.service.js";
import { issueWorkbookName, writeIssueWorkbook } from "../services/import/issue-workbook.js";

// The imports router's handlers (imports.routes.ts holds the table): the upload kept between the
// preview and the run, and the pages of one import.

/** Uploads this session made: server-made name → the client's file name (shown only). */
type UploadSession = { uploads?: Record<string, string> };
type PreviewInput = z.infer<typeof uploadSchema> & { upload: string };

export function importHandlers({ handle, config, logger }: Deps, onboardingLocals: (req: Request) => Record<string, unknown>) {
  const uploadDir = path.resolve(config.uploadDir);
  fs.mkdirSync(uploadDir, { recursive: true });
  const upload = multer({
    storage: multer.diskStorage({
      destination: uploadDir,
      // Server-made names: the client's file name never touches the file system.
      filename: (_req, _file, cb) => cb(null, randomBytes(16).toString("hex")),
    }),
    limits: { fileSize: config.uploadLimitBytes, files: 1, fields: 20, fieldSize: 10_000 },
    // Browsers send a file name as raw UTF-8 (no filename*=); busboy's default, latin1, garbles Chinese names.
    defParamCharset: "utf8",
  }).single("file");

  const uploadsOf = (req: Request) => {
    const s = req.session as unknown as UploadSession;
    s.uploads ??= {};
    return s.uploads;
  };
  const storedPath = (req: Request, name: string) => {
    const original = uploadsOf(req)[name];
    const file = path.join(uploadDir, name);
    if (original === undefined || !fs.existsSync(file)) {
      throw new AppError(422, "上传的文件已失效，请重新上传。", { code: "upload_expired" });
    }
    return { file, original };
  };
  const removeUpload = (req: Request, name: string) => {
    delete uploadsOf(req)[name];
    fs.rmSync(path.join(uploadDir, name), { force: true });
  };

  /** Uploads left behind (abandoned previews, dry runs never run for real) go after a day. */
  const pruneUploads = () => {
    const cutoff = Date.now() - 24 * 3_600_000;
    for (const name of fs.readdirSync(uploadDir)) {
      const file = path.join(uploadDir, name);
      try {
        if (/^[a-f0-9]{32}$/.test(name) && fs.statSync(file).mtimeMs < cutoff) fs.rmSync(file, { force: true });
      } catch {
        // gone already
      }
    }
  };

  /** Multer, with its refusals in Chinese. */
  const receive = (req: Request, res: Response, next: NextFunction) => {
    upload(req, res, (err: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError && err.code === "LIMIT_FILE_SIZE") {
        const mb = Math.round(config.uploadLimitBytes / 1024 / 1024);
        return next(new AppError(413, `文件超过上传上限 ${mb} MB。`, { code: "too_large" }));
      }
      // Busboy's refusals of a malformed body (no boundary, a broken part header, an early end)
      // are plain Errors: the client's fault. A file system error (it has an errno) is the server's.
      const systemError = typeof (err as { errno?: unknown })?.errno === "number";
      next(systemError ? err : new AppError(400, "上传失败，请重新选择文件。", { code: "bad_upload" }));
    });
  };

  const newLocals = (req: Request) => ({
    title: "导入花名册或党员名单",
    targets: imports.importTargets(handle, actorOf(req)),
    mappings: imports.listMappings(handle, actorOf(req)),
  });
  /** The form an upload came from, to re-render with its errors: the onboarding page for its kinds. */
  const formOf = (kind: unknown): [string, (req: Request) => Record<string, unknown>] =>
    typeof kind === "string" && isOnboardingKind(kind) ? ["imports/onboarding", onboardingLocals] : ["imports/new", newLocals];

  /** Mapping fields posted by the preview form: map_<field> = header text. */
  const mappingFrom = (body: Record<string, unknown>): Mapping => {
    const m: Mapping = {};
    for (const [k, v] of Object.entries(body)) {
      if (k.startsWith("map_") && typeof v === "string" && v !== "") m[k.slice(4) as FieldKey] = v.slice(0, 200);
    }
    return m;
  };

  const renderPreview = async (req: Request, res: Response, input: PreviewInput, mapping: Mapping | null, formError?: string) => {
    const { file, original } = storedPath(req, input.upload);
    const preview = await imports.inspectImportFile(handle, actorOf(req), {
      kind: input.kind,
      file,
      platform: input.platform || null,
      orgId: input.orgId,
      reference: input.reference,
      mapping,
    });
    res.status(formError ? 422 : 200).render("imports/preview", {
      title: "确认导入",
      input,
      original,
      preview: { ...preview, sample: preview.sample.map((row) => ({ ...row, cells: row.cells.map(maskPersonalCell) })) },
      encodingLabel: ENCODING_LABEL[preview.encoding],
      formError: formError ?? (preview.missing.length ? "缺少必需的列，请在下方为它们选择对应的列。" : null),
    });
  };

  return {
    receive,

    list(req: Request, res: Response) {
      const page = req.valid.query.page as number;
      const result = imports.listImports(handle, actorOf(req), page);
      res.render("imports/index", { title: "花名册导入", ...result, page, filters: {} });
    },
    newForm(req: Request, res: Response) {
      res.render("imports/new", { ...newLocals(req), values: { kind: "roster" } });
    },
    async upload(req: Request, res: Response) {
      pruneUploads();
      const file = req.file;
      const parsed = uploadSchema.safeParse(req.body ?? {});
      if (!file) throw new AppError(422, "请选择要上传的文件。", { fieldErrors: { file: "请选择要上传的文件" } });
      uploadsOf(req)[file.filename] = file.originalname.slice(0, 200);
      const [view, locals] = formOf(req.body?.kind);
      if (!parsed.success) {
        removeUpload(req, file.filename);
        const errors = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]));
        const formError = "提交的内容有误，请按提示修改。";
        res.status(422).render(view, { ...locals(req), values: req.body ?? {}, errors, formError });
        return;
      }
      try {
        await renderPreview(req, res, { ...parsed.data, upload: file.filename }, null);
      } catch (e) {
        removeUpload(req, file.filename);
        if (!(e instanceof AppError) || e.status >= 500) throw e;
        res.status(e.status).render(view, {
          ...locals(req),
          values: parsed.data,
          errors: e.fieldErrors ?? {},
          formError: e.fieldErrors ? Object.values(e.fieldErrors).join("；") : e.message,
        });
      }
    },
    async start(req: Request, res: Response) {
      const parsed = startSchema.safeParse(req.body ?? {});
      if (!parsed.success) throw AppError.invalid(Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message])));
      const input = parsed.data;
      const { file, original } = storedPath(req, input.upload);
      const mapping = mappingFrom(req.body ?? {});
      const actor = actorOf(req);
      let id: number;
      try {
        id = await imports.startImport(
          handle,
          actor,
          {
            kind: input.kind,
            file,
            originalName: original,
            platform: input.platform || null,
            orgId: input.orgId,
            reference: input.reference,
            dryRun: input.mode === "dry",
            mapping,
            saveMappingAs: input.mode === "run" && input.kind === "roster" && input.platform ? input.platform : null,
            source: "web",
            limits: { maxBytes: config.uploadLimitBytes },
          },
          (err) => {
            if (err && !(err instanceof AppError)) logger.error({ err, importId: id }, "import failed");
            // The record keeps the file's SHA-256, size and name; the upload itself is not kept after a real run.
            if (input.mode === "run") fs.rm(file, { force: true }, () => undefined);
          },
          { threadMinBytes: config.importThreadMinBytes },
        );
      } catch (e) {
        if (!(e instanceof AppError) || e.status >= 500) throw e;
        await renderPreview(req, res, input, mapping, e.fieldErrors ? Object.values(e.fieldErrors).join("；") : e.message);
        return;
      }
      // A dry run keeps the upload so the clerk can run it for real; a real run consumes it.
      if (input.mode === "run") delete uploadsOf(req)[input.upload];
      res.redirect(303, `/imports/${id}`);
    },
    show(req: Request, res: Response) {
      const actor = actorOf(req);
      const id = req.valid.params.id as number;
      const imp = imports.getImport(handle, actor, id);
      const progress = imports.importProgress(handle, actor, id);
      const listed = imports.listImportIssues(handle, actor, id, 1, 100);
      // Masked for everyone who may open the import: the row number finds the row; the workbook
      // (its download audited) has the whole values. A reason may quote a value (older imports
      // stored normalised phones whole in it): masked too.
      const issues = {
        ...listed,
        rows: listed.rows.map((i) => ({
          ...i,
          value: i.column === "身份证号" ? maskIdNumber(i.value) : i.column === "手机号" ? maskPhone(i.value) : maskPersonalText(i.value),
          reason: maskPersonalText(i.reason),
        })),
      };
      const reusable = imp.dryRun && imp.storedPath ? path.basename(imp.storedPath) : null;
      res.render("imports/show", {
        title: `导入 #${imp.id}`,
        imp,
        progress,
        issues,
        encodingLabel: imp.encoding ? ((ENCODING_LABEL as Record<string, string>)[imp.encoding] ?? imp.encoding) : "—",
        rerun: reusable && uploadsOf(req)[reusable] !== undefined ? reusable : null,
        scripts: progress.phase === "done" ? [] : ["imports.js"],
      });
    },
    progress(req: Request, res: Response) {
      res.json(imports.importProgress(handle, actorOf(req), req.valid.params.id));
    },
    async issuesXlsx(req: Request, res: Response) {
      const actor = actorOf(req);
      const id = req.valid.params.id as number;
      imports.getImport(handle, actor, id);
      res.setHeader("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
      const name = encodeURIComponent(issueWorkbookName(id));
      res.setHeader("Content-Disposition", `attachment; filename="import-issues-${id}.xlsx"; filename*=UTF-8''${name}`);
      await writeIssueWorkbook(handle, actor, id, res, { ip: req.ip ?? null });
    },
  };
}
