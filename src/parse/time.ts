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

const LOG_TIME =
  /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/**
 * Converts a log time such as `06/Feb/2019:00:00:38 +0000` (without its
 * brackets) to UTC in SQLite's `YYYY-MM-DD HH:MM:SS` form, which sorts and
 * compares correctly against `datetime('now')`. Returns null when the text is
 * not a valid time. S3 writes +0000, but any offset is applied.
 */
export function parseLogTime(text: string): string | null {
  const match = LOG_TIME.exec(text);
  if (match === null) return null;
  const [
    ,
    day,
    monthName,
    year,
    hour,
    minute,
    second,
    sign,
    offsetHours,
    offsetMinutes,
  ] = match as unknown as string[];
  const month = MONTHS[monthName!];
  if (month === undefined) return null;

  const dayNumber = Number(day);
  const monthNumber = Number(month);
  const yearNumber = Number(year);
  if (
    dayNumber < 1 ||
    dayNumber > daysInMonth(yearNumber, monthNumber) ||
    Number(hour) > 23 ||
    Number(minute) > 59 ||
    Number(second) > 60 ||
    Number(offsetMinutes) > 59
  ) {
    return null;
  }

  // A leap second (:60) takes the Date path, which moves it to the next
  // minute, because SQLite's date functions return NULL for second 60.
  if (offsetHours === "00" && offsetMinutes === "00" && second !== "60") {
    return `${year}-${month}-${day} ${hour}:${minute}:${second}`;
  }
  const offsetMs =
    (sign === "-" ? -1 : 1) *
    (Number(offsetHours) * 60 + Number(offsetMinutes)) *
    60_000;
  const utc = new Date(
    Date.UTC(
      yearNumber,
      monthNumber - 1,
      dayNumber,
      Number(hour),
      Number(minute),
      Number(second),
    ) - offsetMs,
  );
  return utc.toISOString().slice(0, 19).replace("T", " ");
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
