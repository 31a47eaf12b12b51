// Demo data that belongs to later areas (transfers, imports, self-report links, the platform feed),
// built through those areas' own services so that the demo shows what the app really records.
import path from "node:path";
import type { Faker } from "@faker-js/faker";
import { eq } from "drizzle-orm";
import type { DbHandle } from "../client.js";
import { enterprises, organizations, selfReportLinks, users } from "../schema.js";
import { addDays } from "../../server/domain/dates.js";
import { makeIdNumber } from "../../server/domain/id-number.js";
import type { BatchWorker } from "../../server/schemas/finds.schema.js";
import { authenticateApiKey, issueApiKey } from "../../server/services/admin/api-keys.js";
import { createLink } from "../../server/services/finds/links.js";
import { receiveJsonBatch } from "../../server/services/finds/platform-feed.js";
import { submitSelfReport } from "../../server/services/finds/self-report.js";
import { seedDemoMembership } from "./demo-membership.js";
import { seedDemoTransfers } from "./demo-transfers.js";
import { seedDemoMeetings } from "./demo-meetings.js";
import { loadActor } from "../../server/services/admin/users.js";

/**
 * The demo's self-report link has a fixed token so that `npm run demo` can print its address
 * (http://HOST:PORT/r/<token>). Demo data only: real links get 144 random bits.
 */
export const DEMO_SELF_REPORT_TOKEN = "demo-hz-dl-liangshenfen-2025";

/** A live self-report link of the road-transport committee (HZ-DL), and a few workers who used it. */
function demoSelfReport(handle: DbHandle, f: Faker, today: string): void {
  const { db } = handle;
  const clerk = db.select({ id: users.id }).from(users).where(eq(users.username, "clerk")).get();
  const actor = clerk ? loadActor(db, clerk.id) : null;
  const committee = db.select({ id: organizations.id }).from(organizations).where(eq(organizations.code, "HZ-DL")).get();
  if (!actor || !committee) return;
  const station = db
    .select({ id: enterprises.id })
    .from(enterprises)
    .where(eq(enterprises.committeeId, committee.id))
    .orderBy(enterprises.id)
    .get();
  const created = createLink(
    db,
    actor,
    { label: "货运司机之家（演示）", committeeId: committee.id, enterpriseId: station?.id ?? null, expiresOn: addDays(today, 365) },
    today,
  );
  // The service gives every link a random token; the printed address needs this fixed one.
  const link = db
    .update(selfReportLinks)
    .set({ token: DEMO_SELF_REPORT_TOKEN })
    .where(eq(selfReportLinks.id, created.id))
    .returning()
    .get()!;
  for (let i = 0; i < 3; i++) {
    const birth = f.date.birthdate({ mode: "age", min: 28, max: 50 }).toISOString().slice(0, 10);
    submitSelfReport(
      handle,
      link,
      {
        name: f.person.fullName(),
        idNumber: makeIdNumber("371702", birth, 900 + i),
        phone: `139${f.string.numeric(8)}`,
        occupation: "truck_driver",
        platform: "某货运平台",
        homeOrgName: f.helpers.arrayElement(["户籍地村党支部", "原单位党支部", null]),
        joinedOn: addDays(birth, 365 * 25),
        consent: true,
      },
      { ip: null, today },
    );
  }
}

/**
 * A delivery platform's API key for the ride-hailing/delivery committee (HZ-PS), and two batches it
 * sent through the platform feed (平台公司实时找): its whole roster, then a partial batch with a new
 * hire. They show in /imports as 平台接口, raise platform_report leads, and the partial one shows
 * its departures as not judged. Batch files go where the server keeps uploads (data/uploads/api).
 */
async function demoPlatformFeed(handle: DbHandle, f: Faker): Promise<void> {
  const { db } = handle;
  const admin = db.select({ id: users.id }).from(users).where(eq(users.username, "admin")).get();
  const actor = admin ? loadActor(db, admin.id) : null;
  const committee = db.select({ id: organizations.id }).from(organizations).where(eq(organizations.code, "HZ-PS")).get();
  if (!actor || !committee || handle.path === ":memory:") return;
  const franchisee = db
    .select({ name: enterprises.name })
    .from(enterprises)
    .where(eq(enterprises.committeeId, committee.id))
    .orderBy(enterprises.id)
    .get();
  const { key } = issueApiKey(db, actor, { label: "即时配送平台数据推送（演示）", platform: "某即时配送平台", committeeId: committee.id });
  const principal = authenticateApiKey(db, `Bearer ${key}`);
  const worker = (i: number): BatchWorker => {
    const birth = f.date.birthdate({ mode: "age", min: 20, max: 45 }).toISOString().slice(0, 10);
    return {
      idNumber: makeIdNumber("371702", birth, 700 + i),
      name: f.person.fullName(),
      phone: `137${f.string.numeric(8)}`,
      station: f.helpers.arrayElement(["东城站", "西城站", "开发区站"]),
      franchisee: franchisee?.name ?? null,
      occupation: "外卖骑手",
      politicalStatus: i % 12 === 0 ? "中共党员" : "群众",
      hiredOn: null,
    };
  };
  const roster = Array.from({ length: 36 }, (_, i) => worker(i));
  const uploadDir = path.join(path.dirname(path.resolve(handle.path)), "uploads");
  await receiveJsonBatch(handle, uploadDir, principal, { batchId: "demo-full-1", complete: true, workers: roster });
  await receiveJsonBatch(handle, uploadDir, principal, {
    batchId: "demo-partial-1",
    complete: false,
    workers: [...roster.slice(0, 4), worker(36)],
  });
}

export async function demoExtras(handle: DbHandle, f: Faker, today: string): Promise<void> {
  seedDemoTransfers(handle, today);
  seedDemoMembership(handle, today);
  seedDemoMeetings(handle, today);
  demoSelfReport(handle, f, today);
  await demoPlatformFeed(handle, f);
}
