import { describe, expect, test } from "vitest";
import { ExitCode, TamarinError } from "../../src/errors.js";
import { checkWhere } from "../../src/sql/export-query.js";

describe("checkWhere", () => {
  test.each([
    "http_status >= 400",
    "(a = 1 OR b = 2) AND (c = 3)",
    "key = 'a)b' AND referrer = 'it''s ('",
    '"odd)name" = 1',
    "[odd(name] = 1",
    "`odd(name` = 1",
    "bytes_sent > 0 -- a ) in a comment",
    "/* ( */ bytes_sent > 0",
  ])("accepts %s", (text) => {
    expect(() => checkWhere(text)).not.toThrow();
  });

  test.each([
    ["1) OR (1", "a parenthesis closes before one opens"],
    ["(1 OR 1", "a parenthesis is not closed"],
    ["key = 'open", "a ' quote is not closed"],
    ['"open = 1', 'a " quote is not closed'],
    ["[open = 1", "a [ quote is not closed"],
    ["1 /* and the rest", "a /* comment is not closed"],
  ])("rejects %s", (text, reason) => {
    let caught: unknown;
    try {
      checkWhere(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TamarinError);
    expect((caught as TamarinError).message).toContain(reason);
    expect((caught as TamarinError).exitCode).toBe(ExitCode.Usage);
  });
});
