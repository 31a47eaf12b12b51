// The data migration of mobile spells into the official shape: spells recorded before destinations
// were divisions carry free text ("浙江省杭州市", "外地"). Each is mapped once, at start (bootstrap),
// where its text names a division; a 流出 whose text names none becomes 不掌握流向, as the issue asks,
// with the old text kept in `destination` for whoever checks it. Idempotent: a 流出 row is done once
// it has a code or a unit kind, a 流入 row once it has a home region or was looked at (certificate_held set).

import { and, eq, isNull, or } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { mobileSpells } from "../../../db/schema.js";
import { divisionFromText } from "../../domain/mobile-members.js";

export type RegionMigration = { out: number; outMapped: number; outUnknown: number; in: number; inMapped: number };

export function migrateMobileRegions(db: Db): RegionMigration {
  return db.transaction((tx) => {
    const result: RegionMigration = { out: 0, outMapped: 0, outUnknown: 0, in: 0, inMapped: 0 };
    const old = tx
      .select()
      .from(mobileSpells)
      .where(
        or(
          and(eq(mobileSpells.direction, "out"), isNull(mobileSpells.destinationCode), isNull(mobileSpells.unitKind)),
          and(eq(mobileSpells.direction, "in"), isNull(mobileSpells.homeRegionCode), isNull(mobileSpells.certificateHeld)),
        ),
      )
      .all();
    for (const s of old) {
      if (s.direction === "out") {
        result.out++;
        const code = divisionFromText(s.destination);
        if (code) result.outMapped++;
        else result.outUnknown++;
        // The region is known, the kind of unit never was: left unrecorded rather than guessed.
        tx.update(mobileSpells)
          .set(code ? { destinationCode: code } : { unitKind: "unknown_destination" })
          .where(eq(mobileSpells.id, s.id))
          .run();
      } else {
        result.in++;
        const code = divisionFromText(s.homeOrgName);
        if (code) result.inMapped++;
        // A 流入 member was registered with a certificate (the form required one).
        tx.update(mobileSpells)
          .set({ homeRegionCode: code, certificateHeld: s.certificateNumber != null })
          .where(eq(mobileSpells.id, s.id))
          .run();
      }
    }
    return result;
  });
}
