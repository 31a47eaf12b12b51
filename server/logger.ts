import { pino } from "pino";
import type { Config } from "./config.js";

// Structured logs without personal data: ID numbers, phones, cookies and passwords are redacted
// wherever they appear in a logged object.
export function createLogger(config: Pick<Config, "logLevel">) {
  return pino({
    level: config.logLevel,
    redact: {
      paths: [
        "req.headers.cookie",
        "req.headers.authorization",
        'res.headers["set-cookie"]',
        "*.idNumber",
        "*.phone",
        "*.password",
        "idNumber",
        "phone",
        "password",
      ],
      censor: "[redacted]",
    },
  });
}
