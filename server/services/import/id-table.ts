// Which ID numbers a file has shown so far, and on which row. An open-addressing hash table in
// typed arrays (12 bytes a slot, nothing for the garbage collector to walk): duplicates inside a
// file are found without an index on the staging table while it fills, and that index is built
// once afterwards, which costs about a quarter of keeping it up to date row by row.

export class IdTable {
  private hi: Int32Array;
  private lo: Int32Array;
  private rows: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1 << 16) {
    const cap = 1 << Math.ceil(Math.log2(Math.max(16, capacity)));
    this.hi = new Int32Array(cap);
    this.lo = new Int32Array(cap);
    this.rows = new Int32Array(cap);
    this.mask = cap - 1;
  }

  /**
   * Records a validated ID number (17 digits and a check character) first seen on `row`; returns
   * the earlier row when it was seen before. The key is the 17 digits: they decide the check character.
   */
  add(id: string, row: number): number | null {
    let hi = 0;
    for (let i = 0; i < 9; i++) hi = hi * 10 + (id.charCodeAt(i) - 48);
    hi += 1; // the first 9 digits + 1 (< 2^31): 0 marks an empty slot
    let lo = 0;
    for (let i = 9; i < 17; i++) lo = lo * 10 + (id.charCodeAt(i) - 48);
    let slot = ((Math.imul(hi, 0x9e3779b1) ^ Math.imul(lo + 0x7f4a7c15, 0x85ebca77)) >>> 0) & this.mask;
    for (;;) {
      const cur = this.hi[slot]!;
      if (cur === 0) {
        this.hi[slot] = hi;
        this.lo[slot] = lo;
        this.rows[slot] = row;
        if (++this.size * 2 > this.mask + 1) this.grow();
        return null;
      }
      if (cur === hi && this.lo[slot] === lo) return this.rows[slot]!;
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const { hi, lo, rows } = this;
    const cap = (this.mask + 1) * 2;
    this.hi = new Int32Array(cap);
    this.lo = new Int32Array(cap);
    this.rows = new Int32Array(cap);
    this.mask = cap - 1;
    for (let i = 0; i < hi.length; i++) {
      const h = hi[i]!;
      if (h === 0) continue;
      let slot = ((Math.imul(h, 0x9e3779b1) ^ Math.imul(lo[i]! + 0x7f4a7c15, 0x85ebca77)) >>> 0) & this.mask;
      while (this.hi[slot] !== 0) slot = (slot + 1) & this.mask;
      this.hi[slot] = h;
      this.lo[slot] = lo[i]!;
      this.rows[slot] = rows[i]!;
    }
  }
}
