import { describe, expect, it } from "vitest";
import { formatCount } from "../src/format.js";

describe("formatCount", () => {
  const intl = new Intl.NumberFormat("en-US");
  const values = [
    0,
    7,
    999,
    1000,
    48_213,
    999_999,
    1_234_567,
    -1,
    -1234,
    -987_654_321,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    -0,
    1.5,
    1234.5678,
    2 ** 60,
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ];

  for (const value of values) {
    it(`matches Intl en-US for ${Object.is(value, -0) ? "-0" : value}`, () => {
      expect(formatCount(value)).toBe(intl.format(value));
    });
  }

  it("groups thousands with commas", () => {
    expect(formatCount(48_213)).toBe("48,213");
    expect(formatCount(-1_234_567)).toBe("-1,234,567");
  });
});
