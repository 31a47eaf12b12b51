// The demo city's people: members in every relationship status, the platform workers whose rosters
// revealed them, and the leads still waiting for a clerk.

import type { Faker } from "@faker-js/faker";
import { COUNTIES } from "../../server/domain/reference-data.js";
import { makeIdNumber } from "../../server/domain/id-number.js";
import { addDays } from "../../server/domain/dates.js";
import type { DiscoveryChannel, Occupation, RelationStatus } from "../../server/domain/codes.js";
import type { DbHandle } from "../client.js";
import type { DemoOrgs } from "./demo-orgs.js";

const OUTSIDE_AREAS = ["410102", "320102", "130102", "340102", "411502", "372901", "370102", "370602"];
const HOME_ORGS = [
  "中共河南省商丘市某村支部委员会",
  "中共江苏省徐州市某社区支部委员会",
  "中共山东省济宁市某村支部委员会",
  "中共安徽省阜阳市某镇机关支部委员会",
];
const OCCUPATION_OF_INDUSTRY: Record<string, Occupation[]> = {
  road_transport: ["truck_driver", "truck_driver", "ride_hailing_driver"],
  online_delivery: ["delivery_rider"],
  express_delivery: ["courier"],
  live_streaming: ["live_streamer"],
};
export const DEMO_PLATFORMS = [
  { name: "满帮货运", industry: "road_transport", occupation: "truck_driver" as Occupation },
  { name: "滴滴出行", industry: "road_transport", occupation: "ride_hailing_driver" as Occupation },
  { name: "美团外卖", industry: "online_delivery", occupation: "delivery_rider" as Occupation },
  { name: "饿了么", industry: "online_delivery", occupation: "delivery_rider" as Occupation },
];

type Person = { name: string; gender: "male" | "female"; birthDate: string; idNumber: string; phone: string };

export function personFactory(f: Faker) {
  const used = new Set<string>();
  let seq = 0;
  return (outside = false): Person => {
    const gender = f.datatype.boolean(0.88) ? "male" : "female";
    const area = outside ? f.helpers.arrayElement(OUTSIDE_AREAS) : f.helpers.arrayElement(COUNTIES).code.replace("371771", "371702");
    const birthDate = f.date.between({ from: "1966-01-01", to: "2003-12-31" }).toISOString().slice(0, 10);
    let idNumber: string;
    do {
      seq++;
      // The 17th digit's parity carries the gender (odd = male).
      const s = (seq * 2 + (gender === "male" ? 1 : 0)) % 1000;
      idNumber = makeIdNumber(area, birthDate, s);
    } while (used.has(idNumber));
    used.add(idNumber);
    return {
      name: f.person.lastName() + f.person.firstName(),
      gender,
      birthDate,
      idNumber,
      phone: `1${f.helpers.arrayElement(["3", "5", "7", "8", "9"])}${f.string.numeric(9)}`,
    };
  };
}

/** The earlier of two ISO dates. */
const minDate = (a: string, b: string) => (a < b ? a : b);

export function seedPeople(handle: DbHandle, f: Faker, orgs: DemoOrgs, today: string, memberCount = 5200) {
  const s = handle.sqlite;
  const orgIndustry = new Map<number, string>(
    (
      s.prepare("SELECT id, coalesce(industry_code, 'online_delivery') AS industry FROM organizations").all() as {
        id: number;
        industry: string;
      }[]
    ).map((r) => [r.id, r.industry]),
  );
  const enterprisesOfBranch = new Map<number, number[]>();
  for (const [eid, bid] of orgs.coveredBy) enterprisesOfBranch.set(bid, [...(enterprisesOfBranch.get(bid) ?? []), eid]);
  const activeBranches = orgs.branches;
  const committeesOfFound = [orgs.committees.DL, orgs.committees.PS, orgs.committees.KD, orgs.committees.ZB, ...orgs.countyCommittees];
  const insertMember =
    s.prepare(`INSERT INTO members (name, gender, ethnicity, birth_date, id_number, id_last4, phone, phone_last4, education, category, joined_on, full_on,
      occupation, enterprise_id, org_id, relation_status, relation_org_name, discovery_channel, discovered_on, verified_on, managed_on, lost_contact_on, lost_contact_reason, left_on, left_reason)
    VALUES (@name, @gender, @ethnicity, @birthDate, @idNumber, @idLast4, @phone, @phoneLast4, @education, @category, @joinedOn, @fullOn,
      @occupation, @enterpriseId, @orgId, @relationStatus, @relationOrgName, @discoveryChannel, @discoveredOn, @verifiedOn, @managedOn, @lostContactOn, @lostContactReason, @leftOn, @leftReason)`);
  const insertEvent = s.prepare("INSERT INTO member_events (member_id, created_at, kind, summary, details) VALUES (?, ?, ?, ?, ?)");
  const insertWorker =
    s.prepare(`INSERT OR IGNORE INTO workers (platform, id_number, name, phone, org_id, enterprise_id, occupation, political_status, hired_on, first_seen_on, last_seen_on, member_id)
    VALUES (@platform, @idNumber, @name, @phone, @orgId, @enterpriseId, @occupation, @politicalStatus, @hiredOn, @firstSeenOn, @lastSeenOn, @memberId)`);
  const insertLead =
    s.prepare(`INSERT INTO leads (id_number, name, phone, channel, committee_id, occupation, platform, home_org_name, joined_on, status, member_id, found_on, decided_on, reject_reason, note)
    VALUES (@idNumber, @name, @phone, @channel, @committeeId, @occupation, @platform, @homeOrgName, @joinedOn, @status, @memberId, @foundOn, @decidedOn, @rejectReason, @note)`);
  const person = personFactory(f);
  const committeeOfOrg = (orgId: number) => {
    const path = (s.prepare("SELECT path FROM organizations WHERE id = ?").get(orgId) as { path: string }).path;
    const ids = path.split("/").filter(Boolean).map(Number).reverse();
    return ids.find((id) => committeesOfFound.some((c) => c.id === id) || id === orgs.comprehensive.id) ?? orgs.committees.PS.id;
  };
  const platformFor = (industry: string) =>
    f.helpers.arrayElement(
      DEMO_PLATFORMS.filter((p) => p.industry === industry).length ? DEMO_PLATFORMS.filter((p) => p.industry === industry) : DEMO_PLATFORMS,
    );

  const statusPlan: RelationStatus[] = [];
  for (let i = 0; i < memberCount; i++) {
    const r = i % 100;
    statusPlan.push(r < 58 ? "local" : r < 70 ? "mobile_in" : r < 76 ? "mobile_out" : r < 96 ? "unattached" : "transferred_out");
  }
  const shouldFormQueue = orgs.shouldFormIds.flatMap((id) => [id, id, id]);
  const counts = { members: 0, workers: 0, leads: 0 };

  handle.sqlite.transaction(() => {
    for (let i = 0; i < memberCount; i++) {
      const status = statusPlan[i]!;
      const p = person(status === "mobile_in");
      const branch = f.helpers.arrayElement(activeBranches);
      const unattachedCommittee = f.helpers.arrayElement(committeesOfFound);
      const orgId = status === "unattached" ? unattachedCommittee.id : branch.id;
      const industry = orgIndustry.get(orgId) ?? "online_delivery";
      let enterpriseId: number | null =
        status === "unattached"
          ? null
          : (f.helpers.maybe(() => f.helpers.arrayElement(enterprisesOfBranch.get(branch.id) ?? [0]), { probability: 0.85 }) ?? null);
      if (enterpriseId === 0) enterpriseId = null;
      if (status === "unattached" && shouldFormQueue.length && f.datatype.boolean(0.2)) enterpriseId = shouldFormQueue.pop()!;
      const probationary = f.datatype.boolean(0.09) && status !== "transferred_out";
      const age18 = addDays(p.birthDate, 365 * 20);
      const joinedOn = f.date
        .between({ from: age18 < "2000-01-01" ? "2000-01-01" : age18, to: addDays(today, probationary ? -30 : -400) })
        .toISOString()
        .slice(0, 10);
      const found = status === "unattached" || status === "mobile_in" || f.datatype.boolean(0.25);
      const channel: DiscoveryChannel | null = found
        ? f.helpers.weightedArrayElement([
            { weight: 5, value: "data_match" as const },
            { weight: 3, value: "platform_report" as const },
            { weight: 2, value: "self_report" as const },
            { weight: 2, value: "field_visit" as const },
          ])
        : null;
      const discoveredOn = channel ? addDays(today, -f.number.int({ min: 5, max: 720 })) : null;
      // Verified and managed some days after being found, but never later than today.
      const notAfterToday = (d: string) => minDate(d, today);
      const lost = status !== "transferred_out" && f.datatype.boolean(0.025);
      const row = {
        ...p,
        ethnicity: f.datatype.boolean(0.95) ? "01" : f.helpers.arrayElement(["03", "11", "02"]),
        idLast4: p.idNumber.slice(-4),
        phoneLast4: p.phone.slice(-4),
        education: f.helpers.weightedArrayElement([
          { weight: 4, value: "junior_high" },
          { weight: 4, value: "senior_high" },
          { weight: 2, value: "vocational" },
          { weight: 3, value: "college" },
          { weight: 1, value: "bachelor" },
        ]),
        category: probationary ? "probationary" : "full",
        joinedOn,
        fullOn: probationary ? null : addDays(joinedOn, 365),
        occupation: f.helpers.arrayElement(OCCUPATION_OF_INDUSTRY[industry] ?? ["delivery_rider"]),
        enterpriseId,
        orgId,
        relationStatus: status,
        relationOrgName:
          status === "mobile_in"
            ? f.helpers.arrayElement(HOME_ORGS)
            : status === "mobile_out"
              ? `外出务工：${f.helpers.arrayElement(["江苏省苏州市", "浙江省宁波市", "广东省东莞市"])}`
              : null,
        discoveryChannel: channel,
        discoveredOn,
        verifiedOn: channel ? notAfterToday(addDays(discoveredOn!, f.number.int({ min: 1, max: 20 }))) : null,
        managedOn:
          status === "local" || status === "mobile_in" || status === "mobile_out"
            ? discoveredOn
              ? notAfterToday(addDays(discoveredOn, 25))
              : joinedOn
            : null,
        lostContactOn: lost ? addDays(today, -f.number.int({ min: 20, max: 400 })) : null,
        lostContactReason: lost ? f.helpers.arrayElement(["migrant_work", "employer_changed", "residence_changed"]) : null,
        leftOn: status === "transferred_out" ? addDays(today, -f.number.int({ min: 10, max: 500 })) : null,
        leftReason: status === "transferred_out" ? "transferred_out" : null,
      };
      const memberId = Number(insertMember.run(row).lastInsertRowid);
      counts.members++;
      insertEvent.run(memberId, `${discoveredOn ?? joinedOn}T08:00:00.000Z`, "created", "建立党员信息（演示数据）", null);
      // Found members came from somewhere: a roster row, and a lead a clerk verified.
      if (channel) {
        const platform = platformFor(industry);
        if (channel === "data_match" || channel === "platform_report") {
          insertWorker.run({
            platform: platform.name,
            idNumber: p.idNumber,
            name: p.name,
            phone: p.phone,
            orgId: committeeOfOrg(orgId),
            enterpriseId,
            occupation: platform.occupation,
            politicalStatus: channel === "platform_report" ? (probationary ? "probationary_member" : "party_member") : null,
            hiredOn: addDays(discoveredOn!, -200),
            firstSeenOn: discoveredOn!,
            lastSeenOn: addDays(today, -3),
            memberId,
          });
          counts.workers++;
        }
        insertLead.run({
          idNumber: p.idNumber,
          name: p.name,
          phone: p.phone,
          channel,
          committeeId: committeeOfOrg(orgId),
          occupation: row.occupation,
          platform: platform.name,
          homeOrgName: row.relationOrgName,
          joinedOn,
          status: "verified",
          memberId,
          foundOn: discoveredOn!,
          decidedOn: row.verifiedOn,
          rejectReason: null,
          note: null,
        });
        counts.leads++;
        insertEvent.run(memberId, `${row.verifiedOn}T09:00:00.000Z`, "verified", "摸排线索核实为党员", JSON.stringify({ channel }));
      }
    }
    // The rest of the rosters: workers who are not members (most of them), and open leads.
    for (const platform of DEMO_PLATFORMS) {
      const committee =
        platform.industry === "road_transport"
          ? orgs.committees.DL
          : f.helpers.arrayElement([orgs.committees.PS, ...orgs.countyCommittees]);
      for (let i = 0; i < 2500; i++) {
        const p = person();
        const politicalStatus = f.helpers.weightedArrayElement([
          { weight: 80, value: "masses" as const },
          { weight: 15, value: "league_member" as const },
          { weight: 3, value: "party_member" as const },
          { weight: 2, value: null },
        ]);
        const firstSeen = addDays(today, -f.number.int({ min: 10, max: 600 }));
        const departed = f.datatype.boolean(0.06);
        insertWorker.run({
          platform: platform.name,
          idNumber: p.idNumber,
          name: p.name,
          phone: p.phone,
          orgId: committee.id,
          enterpriseId: null,
          occupation: platform.occupation,
          politicalStatus,
          hiredOn: firstSeen,
          firstSeenOn: firstSeen,
          lastSeenOn: departed ? minDate(addDays(firstSeen, 60), addDays(today, -3)) : addDays(today, -3),
          memberId: null,
        });
        counts.workers++;
        // A departure is in the past: last seen two months in (or three days ago), gone a month later (or today).
        if (departed)
          s.prepare("UPDATE workers SET left_on = ? WHERE platform = ? AND id_number = ?").run(
            minDate(addDays(firstSeen, 90), today),
            platform.name,
            p.idNumber,
          );
        if (politicalStatus === "party_member") {
          const rejected = f.datatype.boolean(0.1);
          insertLead.run({
            idNumber: p.idNumber,
            name: p.name,
            phone: p.phone,
            channel: "platform_report",
            committeeId: committee.id,
            occupation: platform.occupation,
            platform: platform.name,
            homeOrgName: null,
            joinedOn: null,
            status: rejected ? "rejected" : "open",
            memberId: null,
            foundOn: firstSeen,
            decidedOn: rejected ? addDays(firstSeen, 7) : null,
            rejectReason: rejected ? "经核实非中共党员（平台登记有误）" : null,
            note: null,
          });
          counts.leads++;
        }
      }
    }
  })();
  return counts;
}
