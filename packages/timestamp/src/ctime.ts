/**
 * Python's `time.ctime`/`time.asctime` format: `Thu Jan  1 00:00:00 1970`.
 *
 * @module
 */

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

interface Fields {
  weekday: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  year: number;
}

const two = (n: number): string => String(n).padStart(2, "0");

function format(f: Fields): string {
  const day = String(f.day).padStart(2, " ");
  return `${DAYS[f.weekday]} ${MONTHS[f.month]} ${day} ${two(f.hour)}:${two(f.minute)}:${two(f.second)} ${f.year}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function zoned(date: Date, timeZone: string): Fields {
  let fmt = formatters.get(timeZone);
  if (fmt === undefined) {
    // Throws RangeError for an unknown zone: callers validate at construction.
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      weekday: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, fmt);
  }
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(date)) parts[p.type] = p.value;
  return {
    weekday: DAYS.indexOf(parts.weekday!),
    month: Number(parts.month) - 1,
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    year: Number(parts.year),
  };
}

/**
 * Format `seconds` since the Unix epoch as Python's `time.ctime` does: `Tue Apr 18 23:53:09 2006`
 * (24 characters for years 1000–9999; the day of the month padded with a space).
 *
 * @param timeZone `undefined` (the default): the process's local time, as `time.ctime`;
 *   `"UTC"`, or any IANA zone name such as `"Asia/Tokyo"`.
 * @throws RangeError for an unknown time zone.
 */
export function ctime(seconds: number, timeZone?: string): string {
  const date = new Date(Math.floor(seconds) * 1000);
  if (timeZone === undefined) {
    return format({
      weekday: date.getDay(),
      month: date.getMonth(),
      day: date.getDate(),
      hour: date.getHours(),
      minute: date.getMinutes(),
      second: date.getSeconds(),
      year: date.getFullYear(),
    });
  }
  if (timeZone === "UTC") {
    return format({
      weekday: date.getUTCDay(),
      month: date.getUTCMonth(),
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
      year: date.getUTCFullYear(),
    });
  }
  return format(zoned(date, timeZone));
}

/**
 * Read an asctime string (`Thu Jan  1 00:00:00 1970`, surrounding white space ignored) as a
 * time in UTC.
 *
 * @returns The Date, or `undefined` if `text` is not in that format or names an impossible date.
 */
export function parseAsctime(text: string): Date | undefined {
  const m = /^\s*([A-Z][a-z]{2}) ([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4,})\s*$/.exec(
    text,
  );
  if (m === null) return undefined;
  const month = MONTHS.indexOf(m[2]!);
  const [day, hour, minute, second, year] = [m[3], m[4], m[5], m[6], m[7]].map((s) =>
    Number(s!.trim()),
  );
  if (month < 0 || !DAYS.includes(m[1]!)) return undefined;
  const date = new Date(Date.UTC(year!, month, day!, hour!, minute!, second!));
  // Reject what Date.UTC silently normalises (Feb 30, 25:00, a wrong weekday).
  if (date.getUTCDate() !== day || date.getUTCHours() !== hour || DAYS[date.getUTCDay()] !== m[1])
    return undefined;
  return date;
}
