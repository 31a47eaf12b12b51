import { z } from "zod";

// The only module that reads process.env. Everything else receives a Config.

const booleanFromEnv = z
  .enum(["1", "0", "true", "false", "yes", "no", ""])
  .optional()
  .transform((v) => v === "1" || v === "true" || v === "yes");

/**
 * Where users reach the app from outside (a reverse proxy's address): http(s), no credentials, no
 * query or fragment; a path is kept (without its trailing slash). Empty is unset.
 */
const publicBaseUrl = z
  .string()
  .optional()
  .transform((v) => (v ?? "").trim())
  .pipe(
    z.union([
      z.literal(""),
      z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).refine((v) => {
        // Zod runs refinements after a failed check too: an unparsable value is the check's to report.
        const u = URL.canParse(v) ? new URL(v) : null;
        return !u || (!u.username && !u.password && !u.search && !u.hash);
      }, "must not hold credentials, a query or a fragment"),
    ]),
  )
  .transform((v) => (v === "" ? undefined : v.replace(/\/+$/, "")));

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_PATH: z.string().min(1).default("data/app.db"),
  SESSION_SECRET: z.string().min(16).optional(),
  ADMIN_PASSWORD: z.string().min(8).optional(),
  TRUST_PROXY: booleanFromEnv,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  UPLOAD_LIMIT_MB: z.coerce.number().int().positive().default(200),
  UPLOAD_DIR: z.string().min(1).default("data/uploads"),
  IMPORT_THREAD_MIN_KB: z.coerce.number().int().nonnegative().default(256),
  BACKUP_DIR: z.string().optional(),
  // Fractions allowed (0.5: every half hour). At most 20 days: a timer cannot wait longer than 24.8.
  BACKUP_EVERY_HOURS: z.coerce.number().positive().max(480).default(24),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(10_000).default(7),
  SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().positive().default(12),
  PUBLIC_BASE_URL: publicBaseUrl,
  // The jurisdiction installed at the first start on an empty database (as `npm run setup` does).
  REGION_CODE: z
    .string()
    .optional()
    .transform((v) => v?.trim() || undefined)
    .pipe(
      z
        .string()
        .regex(/^\d{6}$/, "must be a 6-digit GB/T 2260 code, e.g. 210300")
        .optional(),
    ),
  ROOT_ORG_NAME: z
    .string()
    .optional()
    .transform((v) => v?.trim() || undefined)
    .pipe(z.string().max(60).optional()),
});

export type Config = {
  env: "development" | "production" | "test";
  port: number;
  host: string;
  databasePath: string;
  /** When absent, a random secret is kept in the database's settings table so sessions survive restarts. */
  sessionSecret: string | undefined;
  adminPassword: string | undefined;
  trustProxy: boolean;
  logLevel: string;
  uploadLimitBytes: number;
  uploadDir: string;
  /**
   * Web and API imports of a file at least this big run in a worker thread (the server goes on
   * answering during the apply); smaller ones on the server's thread, since starting a worker costs
   * about a second and their apply only milliseconds. 0: every import in a worker.
   */
  importThreadMinBytes: number;
  /**
   * The server's own backup schedule (backup/schedule.ts): a backup into this directory
   * every `backupEveryMs`, keeping the newest `backupKeep`. null (BACKUP_DIR unset or empty): no schedule.
   */
  backupDir: string | null;
  backupEveryMs: number;
  backupKeep: number;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  /** PUBLIC_BASE_URL without a trailing slash, when set: see publicOrigin. */
  publicBaseUrl: string | undefined;
  /**
   * REGION_CODE (and ROOT_ORG_NAME): the jurisdiction the server installs when it starts on an empty
   * database; the installed one again is a no-op, another is refused once the database holds data.
   */
  jurisdiction: { regionCode: string; rootName: string | null } | null;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databasePath: e.DATABASE_PATH,
    sessionSecret: e.SESSION_SECRET,
    adminPassword: e.ADMIN_PASSWORD,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    uploadLimitBytes: e.UPLOAD_LIMIT_MB * 1024 * 1024,
    uploadDir: e.UPLOAD_DIR,
    importThreadMinBytes: e.IMPORT_THREAD_MIN_KB * 1024,
    backupDir: e.BACKUP_DIR?.trim() ? e.BACKUP_DIR.trim() : null,
    backupEveryMs: Math.round(e.BACKUP_EVERY_HOURS * 3_600_000),
    backupKeep: e.BACKUP_KEEP,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    jurisdiction: e.REGION_CODE ? { regionCode: e.REGION_CODE, rootName: e.ROOT_ORG_NAME ?? null } : null,
  });
}

/**
 * The address QR codes, posters and the API example are built from: PUBLIC_BASE_URL, else where the
 * server listens (HOST:PORT). Never the request's Host header: anyone can send any Host, and a poster
 * printed from a forged one would send workers and their ID numbers to the forger's site.
 */
export function publicOrigin(config: Pick<Config, "publicBaseUrl" | "host" | "port">): string {
  if (config.publicBaseUrl) return config.publicBaseUrl;
  return `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${config.port}`;
}

/** A config for tests and tools: defaults plus overrides, never reading process.env. */
export function testConfig(overrides: Partial<Config> = {}): Readonly<Config> {
  return Object.freeze({ ...loadConfig({ NODE_ENV: "test", LOG_LEVEL: "silent" }), ...overrides });
}
