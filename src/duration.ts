import { ExitCode, TamarinError } from "./errors.js";

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses a duration such as `90s`, `30m`, `24h`, `7d` or `2w` into
 * milliseconds. `what` names the setting in the error message.
 */
export function parseDuration(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim());
  if (match === null) {
    throw new TamarinError(
      `invalid ${what} "${text}": expected a number and a unit s, m, h, d or w, such as 24h or 7d`,
    );
  }
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/**
 * Parses a point in time: an ISO date or date-time (`2024-05-01`,
 * `2024-05-01T12:00:00Z`; without a zone, UTC is assumed) or a duration
 * before `now` (`24h`, `7d`). `what` names the option in the error message.
 */
export function parseTimePoint(
  text: string,
  what: string,
  now: Date = new Date(),
): Date {
  const trimmed = text.trim();
  if (/^\d+(?:\.\d+)?\s*[smhdw]$/.test(trimmed)) {
    return new Date(now.getTime() - parseDuration(trimmed, what));
  }
  const isoMatch =
    /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(
      trimmed,
    );
  if (isoMatch !== null && isCalendarDate(isoMatch[1]!)) {
    const time = isoMatch[2] ?? "00:00:00";
    const zone = isoMatch[3] ?? "Z";
    const date = new Date(`${isoMatch[1]}T${time}${zone}`);
    if (!Number.isNaN(date.getTime()) && Number(time.slice(0, 2)) < 24) {
      return date;
    }
  }
  throw new TamarinError(
    `invalid ${what} "${text}": expected an ISO date such as 2024-05-01 or 2024-05-01T12:00:00Z, or a duration before now such as 24h or 7d`,
    ExitCode.Usage,
  );
}

/**
 * Tells whether `YYYY-MM-DD` names a day that exists. Date itself moves
 * 2024-04-31 to May 1 rather than rejecting it.
 */
function isCalendarDate(text: string): boolean {
  const [year, month, day] = text.split("-").map(Number) as [
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day
  );
}

/** Formats a date as SQLite's UTC text `YYYY-MM-DD HH:MM:SS`. */
export function toSqliteTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}
