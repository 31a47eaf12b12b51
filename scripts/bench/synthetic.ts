// Synthetic people and rosters for benchmarks and the crash/concurrency tests: deterministic
// (seeded PRNG), valid ID numbers (GB 11643 check digits), written fast (buffered stream writes).
// A 1,000,000-row roster (~130 MB) takes a few seconds.

import fs from "node:fs";
import { makeIdNumber } from "../../server/domain/id-number.js";

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SURNAMES =
  "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
export const GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕鹏飞晓东春梅玉兰红梅丹丹";
const AREAS = ["371702", "371721", "371722", "371723", "371724", "371725", "371726", "371728", "370102", "410102"];
const BASE_DAY = Date.UTC(1965, 0, 1);
const DAYS = 14_000;

/** The i-th synthetic person's ID number: unique for i < 14,000 × 1,000. */
export function person(i: number): string {
  const day = i % DAYS;
  const seq = Math.floor(i / DAYS) % 1000;
  const birth = new Date(BASE_DAY + day * 86_400_000).toISOString().slice(0, 10);
  return makeIdNumber(AREAS[i % AREAS.length]!, birth, seq);
}

export function pick(r: () => number, s: string): string {
  return s[Math.floor(r() * s.length)]!;
}

/** Writes `header` then `line(i)` for i in [0, n), buffered, honouring back-pressure. */
export async function writeLines(file: string, header: string, n: number, line: (i: number) => string): Promise<void> {
  const out = fs.createWriteStream(file);
  out.write(header);
  let buf = "";
  for (let i = 0; i < n; i++) {
    buf += line(i);
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await new Promise<void>((res) => out.once("drain", () => res()));
      buf = "";
    }
  }
  out.write(buf);
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
}

export const ROSTER_HEADER = "骑手姓名,身份证号,手机号,所属平台,站点,加盟商,从业类型,政治面貌,入职日期\r\n";

/**
 * A delivery platform's roster of `rows` riders (people first … first+rows−1), UTF-8 with CRLF, as the
 * import benchmark uses it: ~3.5 % declare Party membership in 政治面貌 (leads), every row valid.
 */
export function writeRoster(file: string, rows: number, seed = 20240601, first = 0): Promise<void> {
  const r = rng(seed);
  return writeLines(file, ROSTER_HEADER, rows, (i) => {
    const name = pick(r, SURNAMES) + pick(r, GIVEN) + (r() < 0.6 ? pick(r, GIVEN) : "");
    const phone = `1${3 + Math.floor(r() * 7)}${String(Math.floor(r() * 1e9)).padStart(9, "0")}`;
    const station = `菏泽市牡丹区第${1 + (i % 400)}配送站`;
    const franchisee = `菏泽市第${1 + (i % 120)}配送服务有限公司`;
    const x = r();
    const political = x < 0.03 ? "中共党员" : x < 0.035 ? "中共预备党员" : x < 0.2 ? "共青团员" : "群众";
    const hired = `20${String(15 + (i % 10)).padStart(2, "0")}/${1 + (i % 12)}/${1 + (i % 28)}`;
    return `${name},${person(first + i)},${phone},美团,${station},${franchisee},网约配送员,${political},${hired}\r\n`;
  });
}
