import path from "node:path";
import { csrfSync } from "csrf-sync";
import express, { type Express } from "express";
import session from "express-session";
import helmet from "helmet";
import { Passport } from "passport";
import { Strategy as LocalStrategy } from "passport-local";
import type { Logger } from "pino";
import { pinoHttp } from "pino-http";
import type { DbHandle } from "../db/client.js";
import { SqliteSessionStore } from "./auth/session-store.js";
import type { Config } from "./config.js";
import { createCaches, type Deps } from "./deps.js";
import { createLogger } from "./logger.js";
import { VIEW_NAMES_CACHE_DIR, VIEWS_DIR } from "./paths.js";
import { viewNames } from "./views/template-names.js";
import { errorHandler, notFound } from "./middleware/error-handler.js";
import { viewLocals } from "./middleware/locals.js";
import { writeGate } from "./middleware/write-gate.js";
import { adminRouter } from "./routes/admin.routes.js";
import { apiRouter } from "./routes/api.routes.js";
import { authRouter } from "./routes/auth.routes.js";
import { enterprisesRouter } from "./routes/enterprises.routes.js";
import { dashboardRouter } from "./routes/dashboard.routes.js";
import { duesRouter } from "./routes/dues.routes.js";
import { findsRouter } from "./routes/finds.routes.js";
import { importsRouter } from "./routes/imports.routes.js";
import { inboxRouter } from "./routes/inbox.routes.js";
import { instructorsRouter } from "./routes/instructors.routes.js";
import { leadsRouter } from "./routes/leads.routes.js";
import { meetingsRouter } from "./routes/meetings.routes.js";
import { membersRouter } from "./routes/members.routes.js";
import { membershipRouter } from "./routes/membership.routes.js";
import { orgsRouter } from "./routes/orgs.routes.js";
import { recruitmentRouter } from "./routes/recruitment.routes.js";
import { nationalRouter } from "./routes/national.routes.js";
import { reportsRouter } from "./routes/reports.routes.js";
import { riskRouter } from "./routes/risk.routes.js";
import { tablesRouter } from "./routes/tables.routes.js";
import { transfersRouter } from "./routes/transfers.routes.js";
import type { BackupStatus } from "./services/backup/schedule.js";
import { authenticate, loadActor, SIGN_IN_REFUSED } from "./services/admin/users.js";
import { isDemoDatabase, sessionSecret } from "./services/settings.service.js";

export type AppDeps = {
  db: DbHandle;
  config: Readonly<Config>;
  logger?: Logger;
  now?: () => number;
  backups?: { status(): BackupStatus } | null;
  /** Count the whole installation's dashboard on the counting thread at once (the server does; tests need not). */
  warmDashboard?: boolean;
};

/** Builds the web app from its dependencies. Never listens: server/index.ts does. */
export function createApp({
  db: handle,
  config,
  logger = createLogger(config),
  now,
  backups = null,
  warmDashboard = false,
}: AppDeps): Express {
  const db = handle.db;
  // One passport instance per app: the module's singleton would keep the strategies and
  // deserializers of every app built in the same process (tests), bound to closed databases.
  const passport = new Passport();
  const caches = createCaches(handle.sqlite);
  const deps: Deps = { db, handle, config, logger, passport, backups, caches, warmDashboard };
  const app = express();

  // Express reads NODE_ENV itself otherwise; config.ts is the one reader of the environment.
  app.set("env", config.env);
  app.set("views", VIEWS_DIR);
  app.set("view engine", "ejs");
  // Templates read their locals as plain variables, not through `with (locals)` (template-names.ts:
  // half of a list page's rendering). In production Express keeps compiled templates (view cache);
  // EJS's line tracking (a store per template line on every render, ~15% of a list page's
  // rendering) is left out there too, so a template error is logged with its message and stack but
  // without the template's file and line (development and tests keep them).
  app.set("view options", {
    _with: false,
    destructuredLocals: viewNames(VIEWS_DIR, VIEW_NAMES_CACHE_DIR),
    ...(config.env === "production" ? { compileDebug: false } : {}),
  });
  app.set("trust proxy", config.trustProxy ? 1 : false);
  app.disable("x-powered-by");
  // Pages are no-store (below), so an ETag (a SHA-1 over every page sent) is never used: not made.
  // Static assets keep theirs (serve-static makes its own).
  app.set("etag", false);
  app.locals.demo = isDemoDatabase(db);

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          "default-src": ["'self'"],
          "script-src": ["'self'"],
          "style-src": ["'self'"],
          "img-src": ["'self'", "data:"],
          "base-uri": ["'none'"],
          "object-src": ["'none'"],
          "frame-ancestors": ["'none'"],
          "form-action": ["'self'"],
          "upgrade-insecure-requests": config.trustProxy ? [] : null,
        },
      },
      strictTransportSecurity: config.trustProxy ? undefined : false,
      referrerPolicy: { policy: "same-origin" },
    }),
  );

  // Request logs carry the path only: query strings can hold names and search terms.
  app.use(
    pinoHttp({
      logger,
      serializers: {
        req: (req: { method: string; url: string; id: unknown }) => ({
          id: req.id,
          method: req.method,
          path: String(req.url).split("?")[0],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customProps: (req) => ({ userId: (req as express.Request).user?.id }),
      autoLogging: { ignore: (req) => (req.url ?? "").startsWith("/assets/") || req.url === "/healthz" },
    }),
  );

  app.get("/healthz", healthz(handle));
  app.use("/assets", express.static(path.join(VIEWS_DIR, "assets"), { maxAge: config.env === "production" ? "7d" : 0, index: false }));

  // State-changing requests wait for the write lock on a timer, not in SQLite's blocking busy wait
  // (an import applying a roster holds it for seconds): reads go on meanwhile.
  app.use(writeGate(handle.sqlite));

  app.use(apiRouter(deps)); // platform API: Bearer key, own body limits, no session/CSRF (before the body parsers)

  const store = new SqliteSessionStore(handle, { idleMs: config.sessionIdleMs, absoluteMs: config.sessionAbsoluteMs, now });
  store.prune();
  app.use(
    session({
      name: "pc.sid",
      store,
      secret: sessionSecret(db, config.sessionSecret),
      resave: false,
      saveUninitialized: false,
      rolling: true,
      unset: "destroy",
      cookie: { httpOnly: true, sameSite: "lax", secure: config.trustProxy, maxAge: config.sessionIdleMs },
    }),
  );

  passport.use(
    new LocalStrategy({ passReqToCallback: true }, (req, username, password, done) => {
      authenticate(db, { username, password, ip: req.ip ?? null }, new Date(now ? now() : Date.now()))
        .then((r) =>
          r.ok ? done(null, loadActor(db, r.userId) ?? false, { message: SIGN_IN_REFUSED }) : done(null, false, { message: r.message }),
        )
        .catch(done);
    }),
  );
  passport.serializeUser((user, done) => done(null, user.id));
  // The signed-in account comes from its cache (deps.ts): frozen, one object shared by its requests.
  passport.deserializeUser((id: number, done) => {
    try {
      // A disabled or deleted account yields no user: the session is signed out on its next request.
      done(
        null,
        caches.actors.get(String(id), () => {
          const actor = loadActor(db, id);
          return actor ? Object.freeze(actor) : null;
        }) ?? false,
      );
    } catch (err) {
      done(err);
    }
  });
  app.use(passport.initialize());
  app.use(passport.session());

  // Synchroniser-token CSRF (csurf is deprecated). Multipart forms carry the token in the query
  // string because the body is parsed later, by the upload route.
  const csrf = csrfSync({
    getTokenFromRequest: (req) => {
      const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
      if (typeof fromBody === "string") return fromBody;
      const header = req.get("x-csrf-token");
      if (header) return header;
      const q = req.query._csrf;
      return req.is("multipart/form-data") && typeof q === "string" ? q : undefined;
    },
  });
  // Locals first, so that even a refused body or a CSRF refusal renders the normal error page
  // (with the signed-in user's navigation).
  app.use(viewLocals(deps));
  // Forms only: strings and repeated strings. No JSON body parser for the session app (nothing of
  // it posts JSON; the platform API above reads its own): typed JSON values (objects, numbers)
  // reached the form re-renders and crashed them with 500s.
  app.use(express.urlencoded({ extended: false, limit: "200kb", parameterLimit: 2000 }));
  app.use(csrf.csrfSynchronisedProtection);

  // Pages that show personal data must not be stored by browsers or proxies.
  app.use((_req, res, next) => {
    res.set("Cache-Control", "no-store");
    next();
  });

  // -- Routers: one per area, each a table of path → auth → validate → handler -----------------
  app.use(authRouter(deps));
  app.use(dashboardRouter(deps));
  app.use(orgsRouter(deps));
  app.use(enterprisesRouter(deps));
  app.use(instructorsRouter(deps));
  app.use(inboxRouter(deps));
  app.use(transfersRouter(deps));
  app.use(membersRouter(deps));
  app.use(membershipRouter(deps));
  app.use(meetingsRouter(deps));
  app.use(importsRouter(deps));
  app.use(leadsRouter(deps));
  app.use(findsRouter(deps));
  app.use(recruitmentRouter(deps));
  app.use(reportsRouter(deps));
  app.use(nationalRouter(deps));
  app.use(tablesRouter(deps));
  app.use(riskRouter(deps));
  app.use(duesRouter(deps));
  app.use(adminRouter(deps));

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}

/** For the load balancer: the process answers and its database can be read. */
function healthz(handle: DbHandle) {
  return (_req: express.Request, res: express.Response) => {
    handle.sqlite.prepare("SELECT 1").get();
    res.json({ status: "ok" });
  };
}
