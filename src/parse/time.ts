// Month abbreviations as logged, keyed by their three letters.
const MONTHS: Record<string, string> = {
  Jan: "01",
  Feb: "02",
  Mar: "03",
  Apr: "04",
  May: "05",
  Jun: "06",
  Jul: "07",
  Aug: "08",
  Sep: "09",
  Oct: "10",
  Nov: "11",
  Dec: "12",
};

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// Length of `06/Feb/2019:00:00:38 +0000`.
const LOG_TIME_LENGTH = 26;

/**
 * Converts a log time such as `06/Feb/2019:00:00:38 +0000` (without its
 * brackets) to UTC in SQLite's `YYYY-MM-DD HH:MM:SS` form, which sorts and
 * compares correctly against `datetime('now')`. Returns null when the text is
 * not a valid time. S3 writes +0000, but any offset is applied.
 *
 * This runs once per record, so it checks characters by position instead of
 * running a regular expression.
 */
export function parseLogTime(text: string): string | null {
  if (
    text.length !== LOG_TIME_LENGTH ||
    text.charCodeAt(2) !== 47 /* / */ ||
    text.charCodeAt(6) !== 47 ||
    text.charCodeAt(11) !== 58 /* : */ ||
    text.charCodeAt(14) !== 58 ||
    text.charCodeAt(17) !== 58 ||
    text.charCodeAt(20) !== 32 /* space */
  ) {
    return null;
  }
  const sign = text.charCodeAt(21);
  if (sign !== 43 /* + */ && sign !== 45 /* - */) return null;
  const day = digits(text, 0, 2);
  const year = digits(text, 7, 4);
  const hour = digits(text, 12, 2);
  const minute = digits(text, 15, 2);
  const second = digits(text, 18, 2);
  const offsetHours = digits(text, 22, 2);
  const offsetMinutes = digits(text, 24, 2);
  const month = MONTHS[text.slice(3, 6)];
  if (
    month === undefined ||
    day < 1 ||
    year < 0 ||
    day > daysInMonth(year, Number(month)) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 60 ||
    offsetHours < 0 ||
    offsetMinutes < 0 ||
    offsetMinutes > 59
  ) {
    return null;
  }

  if (offsetHours === 0 && offsetMinutes === 0) {
    return `${text.slice(7, 11)}-${month}-${text.slice(0, 2)} ${text.slice(12, 20)}`;
  }
  const offsetMs =
    (sign === 45 ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const utc = new Date(
    Date.UTC(year, Number(month) - 1, day, hour, minute, second) - offsetMs,
  );
  return utc.toISOString().slice(0, 19).replace("T", " ");
}

// Reads `count` decimal digits at `start`; returns -1 if any is not a digit.
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) {
    return 29;
  }
  return DAYS_IN_MONTH[month - 1]!;
}
