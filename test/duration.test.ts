import { describe, expect, test } from "vitest";
import { parseTimePoint, toSqliteTime } from "../src/duration.js";
import { ExitCode, TamarinError } from "../src/errors.js";

const NOW = new Date("2024-06-01T12:00:00Z");

/** Returns the exit code of the error that parsing `text` raises. */
function failure(text: string): number | undefined {
  try {
    parseTimePoint(text, "--since", NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(TamarinError);
    expect((error as TamarinError).message).toContain(`"${text}"`);
    return (error as TamarinError).exitCode;
  }
  return undefined;
}

describe("parseTimePoint", () => {
  test.each([
    ["2024-05-01", "2024-05-01 00:00:00"],
    ["2024-02-29", "2024-02-29 00:00:00"],
    ["2024-05-01T12:30:00Z", "2024-05-01 12:30:00"],
    ["2024-05-01 12:30", "2024-05-01 12:30:00"],
    ["2024-05-01T23:30:00+02:00", "2024-05-01 21:30:00"],
    ["24h", "2024-05-31 12:00:00"],
    ["7d", "2024-05-25 12:00:00"],
  ])("reads %s", (text, expected) => {
    expect(toSqliteTime(parseTimePoint(text, "--since", NOW))).toBe(expected);
  });

  test.each([
    "2024-04-31",
    "2024-02-30",
    "2023-02-29",
    "2024-13-01",
    "2024-00-10",
    "2024-05-01T24:00:00",
    "2024-05-01T12:60:00",
    "yesterday",
  ])("rejects %s as a usage error", (text) => {
    expect(failure(text)).toBe(ExitCode.Usage);
  });
});
