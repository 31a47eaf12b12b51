// Checking rows, the half of reading an import that needs no database: each data row normalised
// (accepted, corrected or rejected) and handed on in batches of flat arrays. A batch is cheap to
// post between threads (a few arrays of strings, not thousands of objects), so the same checker
// runs on the import's own thread for a small file and in a reading thread of its own for a large
// one (read-thread.ts), while the import's thread stages what it is handed (stageBatch): the two
// halves of reading then use both cores. Duplicates are found when staging, on the import's thread,
// whichever thread checked.

import type { Stage } from "./stage.js";
import { type Columns, type MemberRecord, type Note, normaliseMemberRow, normaliseRosterRow, type RosterRecord } from "./normalise.js";
import { isBlankRow } from "./read.js";
import type { ImportCounts, SourceRow } from "./types.js";

/** The fields of an accepted row, in the order they sit in CheckedBatch.values. */
export const ROSTER_VALUES = [
  "idNumber",
  "name",
  "phone",
  "station",
  "franchisee",
  "occupation",
  "politicalStatus",
  "hiredOn",
] as const satisfies readonly (keyof RosterRecord)[];
export const MEMBER_VALUES = [
  "idNumber",
  "name",
  "gender",
  "birthDate",
  "ethnicity",
  "phone",
  "education",
  "category",
  "joinedOn",
  "fullOn",
  "relationOrgName",
  "occupation",
] as const satisfies readonly (keyof MemberRecord)[];

const ACCEPTED = 0;
const CORRECTED = 1;
const REJECTED = 2;

/** Checked rows, in file order (blank rows left out). */
export type CheckedBatch = {
  rowNumbers: number[];
  /** Per row: accepted, corrected (accepted with notes) or rejected. */
  outcomes: number[];
  /** The accepted and corrected rows' fields, ROSTER_VALUES or MEMBER_VALUES a row. */
  values: (string | null)[];
  /** Per corrected row, its notes. */
  notes: Note[][];
  /** Per rejected row: the column, the value and the reason. */
  rejects: [string, string, string][];
  /** Bytes of the file read once this batch was complete (progress). */
  bytesDone: number;
};

export class RowChecker {
  private batch = emptyBatch();
  private readonly fields: readonly string[];

  constructor(
    private readonly isRoster: boolean,
    private readonly cols: Columns,
    private readonly today: string,
  ) {
    this.fields = isRoster ? ROSTER_VALUES : MEMBER_VALUES;
  }

  /** Rows checked since the last take(). */
  get pending(): number {
    return this.batch.rowNumbers.length;
  }

  check(row: SourceRow): void {
    if (isBlankRow(row.cells)) return;
    const b = this.batch;
    const n = this.isRoster ? normaliseRosterRow(row.cells, this.cols, this.today) : normaliseMemberRow(row.cells, this.cols, this.today);
    b.rowNumbers.push(row.rowNumber);
    if (!n.ok) {
      b.outcomes.push(REJECTED);
      b.rejects.push([n.column, n.value, n.reason]);
      return;
    }
    const rec = n.record as Record<string, string | null>;
    for (const f of this.fields) b.values.push(rec[f] ?? null);
    if (n.notes.length > 0) {
      b.outcomes.push(CORRECTED);
      b.notes.push(n.notes);
    } else {
      b.outcomes.push(ACCEPTED);
    }
  }

  take(bytesDone: number): CheckedBatch {
    const b = this.batch;
    b.bytesDone = bytesDone;
    this.batch = emptyBatch();
    return b;
  }
}

/**
 * A batch as the reading thread posts it: every field's text in one string (one copy, not one
 * object a field), each field's length (-1 for none) and the row numbers and outcomes in typed
 * arrays whose memory is handed over, not copied.
 */
export type PackedBatch = Omit<CheckedBatch, "rowNumbers" | "outcomes" | "values"> & {
  rowNumbers: Int32Array;
  outcomes: Uint8Array;
  lengths: Int32Array;
  text: string;
};

export function packBatch(b: CheckedBatch): { packed: PackedBatch; transfer: ArrayBuffer[] } {
  const lengths = new Int32Array(b.values.length);
  let text = "";
  for (let i = 0; i < b.values.length; i++) {
    const v = b.values[i];
    if (v === null || v === undefined) lengths[i] = -1;
    else {
      lengths[i] = v.length;
      text += v;
    }
  }
  const rowNumbers = Int32Array.from(b.rowNumbers);
  const outcomes = Uint8Array.from(b.outcomes);
  return {
    packed: { rowNumbers, outcomes, lengths, text, notes: b.notes, rejects: b.rejects, bytesDone: b.bytesDone },
    transfer: [rowNumbers.buffer, outcomes.buffer, lengths.buffer],
  };
}

export function unpackBatch(p: PackedBatch): CheckedBatch {
  const values: (string | null)[] = new Array(p.lengths.length);
  let at = 0;
  for (let i = 0; i < p.lengths.length; i++) {
    const n = p.lengths[i]!;
    if (n < 0) values[i] = null;
    else {
      values[i] = p.text.slice(at, at + n);
      at += n;
    }
  }
  return {
    rowNumbers: Array.from(p.rowNumbers),
    outcomes: Array.from(p.outcomes),
    values,
    notes: p.notes,
    rejects: p.rejects,
    bytesDone: p.bytesDone,
  };
}

function emptyBatch(): CheckedBatch {
  return { rowNumbers: [], outcomes: [], values: [], notes: [], rejects: [], bytesDone: 0 };
}

/**
 * Stages a checked batch in one transaction on the scratch file: accepted rows (a repeated ID number
 * listed as a duplicate of its first row), the rejected rows and the notes of corrected ones, each
 * counted. `enterpriseOf` finds a roster row's enterprise by its franchisee or else its station.
 */
export function stageBatch(st: Stage, b: CheckedBatch, counts: ImportCounts, enterpriseOf: (name: string | null) => number | null): void {
  const isRoster = st.kind === "roster";
  const stride = isRoster ? ROSTER_VALUES.length : MEMBER_VALUES.length;
  const v = b.values;
  st.batch(() => {
    let o = 0;
    let ni = 0;
    let ri = 0;
    for (let k = 0; k < b.rowNumbers.length; k++) {
      const rowNumber = b.rowNumbers[k]!;
      const outcome = b.outcomes[k]!;
      counts.rows++;
      if (outcome === REJECTED) {
        const [column, value, reason] = b.rejects[ri++]!;
        counts.rejected++;
        st.addIssue({ rowNumber, outcome: "rejected", column, value, reason });
        continue;
      }
      const notes = outcome === CORRECTED ? b.notes[ni++]! : null;
      // franchisee, else station (ROSTER_VALUES 4 and 3)
      const dup = isRoster ? st.addRoster(rowNumber, v, o, enterpriseOf(v[o + 4] ?? v[o + 3] ?? null)) : st.addMember(rowNumber, v, o);
      const idNumber = v[o]!;
      o += stride;
      if (dup !== null) {
        counts.duplicates++;
        st.addIssue({
          rowNumber,
          outcome: "duplicate",
          column: "身份证号",
          value: idNumber,
          reason: `与第${dup}行的身份证号重复，本行未导入`,
        });
      } else if (notes) {
        counts.corrected++;
        st.addNotes(rowNumber, notes);
      }
    }
  });
}
