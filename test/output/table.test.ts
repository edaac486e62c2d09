import stringWidth from "string-width";
import { describe, expect, test } from "vitest";
import {
  MAX_COLUMN_WIDTH_OFF_TERMINAL,
  MAX_TABLE_ROWS,
  TableBuffer,
} from "../../src/output/table.js";

function render(
  columns: string[],
  rows: unknown[][],
  width: number | null = null,
  color = false,
): string {
  const table = new TableBuffer(columns, { width, color });
  for (const row of rows) table.add(row);
  return table.render();
}

describe("TableBuffer", () => {
  test("shows NULL and right-aligns numbers", () => {
    expect(
      render(
        ["name", "bytes"],
        [
          ["a", 5],
          [null, 1234],
        ],
      ),
    ).toBe(
      [
        "┌──────┬───────┐",
        "│ name │ bytes │",
        "├──────┼───────┤",
        "│ a    │     5 │",
        "│ NULL │  1234 │",
        "└──────┴───────┘",
        "",
      ].join("\n"),
    );
  });

  test("escapes control characters", () => {
    const output = render(["v"], [["a\nb\tc\rd\u001b[31me\u202ef\u0085"]]);
    expect(output).toContain("a\\nb\\tc\\rd\\x1b[31me\\u202ef\\x85");
    expect(output).not.toContain("\u001b");
  });

  test("cuts long values off a terminal", () => {
    const output = render(["v"], [["x".repeat(500)]]);
    const lines = output.trimEnd().split("\n");
    for (const line of lines) {
      expect(stringWidth(line)).toBe(MAX_COLUMN_WIDTH_OFF_TERMINAL + 4);
    }
    expect(output).toContain("…");
  });

  test("fits the terminal width", () => {
    const rows = [["a".repeat(100), "b".repeat(30), 7]];
    const output = render(["first", "second", "n"], rows, 60);
    for (const line of output.trimEnd().split("\n")) {
      expect(stringWidth(line)).toBeLessThanOrEqual(60);
    }
    expect(output).toContain("│ 7 │");
  });

  test("keeps narrow tables whole on a terminal", () => {
    const output = render(["a"], [["short"]], 200);
    expect(output).toContain("│ short │");
  });

  test("measures wide characters", () => {
    const output = render(["v"], [["日本語"], ["abc"]]);
    const lines = output.trimEnd().split("\n");
    const widths = new Set(lines.map((line) => stringWidth(line)));
    expect(widths.size).toBe(1);
  });

  test("holds at most MAX_TABLE_ROWS rows", () => {
    const table = new TableBuffer(["n"], { width: null, color: false });
    for (let index = 0; index <= MAX_TABLE_ROWS; index++) table.add([index]);
    expect(table.rowCount).toBe(MAX_TABLE_ROWS);
    expect(table.truncated).toBe(true);
    expect(table.render()).not.toContain(`${MAX_TABLE_ROWS} │`);
  });

  test("colours only when asked", () => {
    expect(render(["a"], [["x"]], 80, false)).not.toContain("\u001b[");
    expect(render(["a"], [["x"]], 80, true)).toContain("\u001b[");
  });
});
