/**
 * The small part of semver ranges the plugin check needs (npm's rules, no dependency):
 * `1.2.3`, `=1.2.3`, `^1.2.3`, `~1.2.3`, `>=`, `>`, `<=`, `<`, partial versions (`1`, `1.2`,
 * `1.x`), `*`, ranges joined by spaces (and) or `||` (or), and pnpm's `workspace:` protocol
 * (`workspace:^`, `workspace:~`, `workspace:*` accept any version: inside a workspace they mean
 * "this very package"; `workspace:^1.2.0` is checked as `^1.2.0`). A prerelease version orders
 * before its release; npm's rule that prereleases only match ranges naming the same
 * major.minor.patch is not applied.
 *
 * @module
 */

type Version = [major: number, minor: number, patch: number, pre: string];

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;
const PARTIAL =
  /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Parse `1.2.3[-pre][+build]`, or `undefined` if it is not a full version. */
export function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text.trim());
  if (m === null) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ?? ""];
}

/** -1, 0 or 1 as `a` orders before, with, or after `b` (build metadata ignored). */
export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return Math.sign(d);
  }
  if (a[3] === b[3]) return 0;
  if (a[3] === "") return 1;
  if (b[3] === "") return -1;
  const pa = a[3].split(".");
  const pb = b[3].split(".");
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Math.sign(Number(x) - Number(y));
    if (nx !== ny) return nx ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

type Comparator = (v: Version) => boolean;

/**
 * Whether `version` satisfies `range`.
 *
 * @throws TypeError if `version` is not a full version or `range` cannot be parsed.
 */
export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  if (v === undefined) throw new TypeError(`Invalid version: ${JSON.stringify(version)}`);
  let r = range.trim();
  if (r.startsWith("workspace:")) {
    r = r.slice("workspace:".length).trim();
    if (r === "^" || r === "~" || r === "*" || r === "") return true;
  }
  return r.split("||").some((alternative) => parseSet(alternative, range).every((c) => c(v)));
}

/** Whether `range` can be parsed (for validating metadata). */
export function validRange(range: string): boolean {
  try {
    satisfies("0.0.0", range);
    return true;
  } catch {
    return false;
  }
}

function parseSet(text: string, whole: string): Comparator[] {
  // ">= 1.2" → ">=1.2": join an operator to the version after it.
  const tokens = text
    .trim()
    .replace(/(<=|>=|<|>|=|\^|~)\s+/g, "$1")
    .split(/\s+/)
    .filter(Boolean);
  if (tokens.length === 0) return [() => true];
  return tokens.map((t) => parseComparator(t, whole));
}

function parseComparator(token: string, whole: string): Comparator {
  const m = /^(<=|>=|<|>|=|\^|~)?(.*)$/.exec(token)!;
  const op = m[1] ?? "";
  const p = PARTIAL.exec(m[2]!);
  if (p === null) throw new TypeError(`Invalid version range: ${JSON.stringify(whole)}`);
  const wild = (s: string | undefined) => s === undefined || /^[xX*]$/.test(s);
  const parts = [p[1], p[2], p[3]];
  // How many leading numbers were given before the first wildcard or omission.
  let given = 0;
  while (given < 3 && !wild(parts[given])) given++;
  const n = parts.map((x, i) => (i < given ? Number(x) : 0)) as [number, number, number];
  const pre = given === 3 ? (p[4] ?? "") : "";
  const low: Version = [n[0], n[1], n[2], pre];
  const ge = (v: Version) => compareVersions(v, low) >= 0;
  // The first version past the range [low, upper) for a partial `1.2` (= 1.2.x) etc.
  const bump = (index: number): Version => {
    const u: Version = [n[0], n[1], n[2], ""];
    u[index] = (u[index] as number) + 1;
    for (let i = index + 1; i < 3; i++) u[i] = 0;
    return u;
  };
  const lt = (u: Version) => (v: Version) =>
    compareVersions(v, u) < 0 && !(v[3] !== "" && u[3] === "" && sameTriple(v, u));
  if (given === 0) return op === "<" || op === ">" ? () => false : () => true;
  switch (op) {
    case "":
    case "=":
      if (given === 3) return (v) => compareVersions(v, low) === 0;
      return (v) => ge(v) && lt(bump(given - 1))(v);
    case ">=":
      return ge;
    case ">":
      return given === 3 ? (v) => compareVersions(v, low) > 0 : (v) => !lt(bump(given - 1))(v);
    case "<":
      return lt(low);
    case "<=":
      return given === 3 ? (v) => compareVersions(v, low) <= 0 : lt(bump(given - 1));
    case "~":
      return (v) => ge(v) && lt(bump(given >= 2 ? 1 : 0))(v);
    default: {
      // ^: may not change the left-most non-zero part (of those given).
      let index = 0;
      while (index < given - 1 && n[index] === 0) index++;
      if (given === 3 && n[0] === 0 && n[1] === 0) index = 2;
      return (v) => ge(v) && lt(bump(index))(v);
    }
  }
}

function sameTriple(a: Version, b: Version): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}
