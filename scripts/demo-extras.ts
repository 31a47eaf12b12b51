// Demo data that belongs to later areas (transfers, imports, self-report links), built through
// those areas' own services so that the demo shows what the app really records.
import type { Faker } from "@faker-js/faker";
import { eq } from "drizzle-orm";
import type { DbHandle } from "../db/client.js";
import { enterprises, organizations, users } from "../db/schema.js";
import { addDays } from "../server/domain/dates.js";
import { makeIdNumber } from "../server/domain/id-number.js";
import { createLink } from "../server/services/finds/links.service.js";
import { submitSelfReport } from "../server/services/finds/self-report.service.js";
import { seedDemoTransfers } from "../server/services/transfers-demo.js";
import { loadActor } from "../server/services/users.service.js";

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
  const station = db.select({ id: enterprises.id }).from(enterprises).where(eq(enterprises.committeeId, committee.id)).orderBy(enterprises.id).get();
  const link = createLink(
    db,
    actor,
    { label: "货运司机之家（演示）", committeeId: committee.id, enterpriseId: station?.id ?? null, expiresOn: addDays(today, 365) },
    today,
    { token: DEMO_SELF_REPORT_TOKEN },
  );
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

export async function demoExtras(handle: DbHandle, f: Faker, today: string): Promise<void> {
  seedDemoTransfers(handle, today);
  demoSelfReport(handle, f, today);
}
