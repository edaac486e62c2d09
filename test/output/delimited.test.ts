import { stringify } from "csv-stringify/sync";
import { describe, expect, test } from "vitest";
import type { ColumnInfo } from "../../src/parse/record.js";
import { looksLikeFormula } from "../../src/output/cells.js";
import {
  createDelimitedEncoder,
  CSV,
  TSV,
  type Dialect,
} from "../../src/output/delimited.js";
import { createJoinedRowEncoder } from "../../src/output/joined-rows.js";

// Values that stress quoting, escaping and formula neutralisation.
const TRICKY_TEXT = [
  "",
  "plain",
  "with space",
  "comma,inside",
  'quote"inside',
  '"starts with quote',
  "line\nbreak",
  "carriage\rreturn",
  "crlf\r\nend",
  "tab\tinside",
  "back\\slash",
  "=1+2",
  "+1",
  "-1",
  "-",
  "@SUM(A1)",
  "\tstarts with tab",
  "\rstarts with CR",
  "\uff1dfullwidth equals",
  "\uff0bfullwidth plus",
  "\uff0dfullwidth minus",
  "\uff20fullwidth at",
  "ünïcödé 日本語 🦎",
  "a=b not at start",
  " =space first",
  "'already quoted",
  "\u0000nul and \u001b escape",
];

/** Deterministic pseudo-random rows mixing the tricky texts, numbers and NULLs. */
function randomRows(count: number, width: number): unknown[][] {
  let state = 7;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const rows: unknown[][] = [];
  for (let row = 0; row < count; row++) {
    const values: unknown[] = [];
    for (let column = 0; column < width; column++) {
      const pick = next();
      if (pick < 0.15) values.push(null);
      else if (pick < 0.3) values.push(Math.floor(next() * 1e12));
      else if (pick < 0.35) values.push(-Math.floor(next() * 1000));
      else if (pick < 0.4) values.push(1.5);
      else {
        const first = TRICKY_TEXT[Math.floor(next() * TRICKY_TEXT.length)]!;
        const second = TRICKY_TEXT[Math.floor(next() * TRICKY_TEXT.length)]!;
        values.push(next() < 0.5 ? first : first + second);
      }
    }
    rows.push(values);
  }
  return rows;
}

function encodeAll(
  encoder: ReturnType<typeof createDelimitedEncoder>,
  rows: readonly (readonly unknown[])[],
): string {
  return encoder.header + rows.map((row) => encoder.row(row)).join("");
}

describe("CSV encoder", () => {
  const columns = ["a", "b", "=c", "d,e", 'f"g'];
  const rows = [
    ...TRICKY_TEXT.map((text) => [text, null, 42, -7, text]),
    ...randomRows(500, columns.length),
  ];

  test("matches csv-stringify with escape_formulas", () => {
    const expected = stringify(rows, {
      header: true,
      columns,
      record_delimiter: "\r\n",
      quote_record_delimiter: true,
      escape_formulas: true,
    });
    const actual = encodeAll(createDelimitedEncoder(CSV, columns), rows);
    expect(actual).toBe(expected);
  });

  test("matches csv-stringify with --raw", () => {
    const expected = stringify(rows, {
      header: true,
      columns,
      record_delimiter: "\r\n",
      quote_record_delimiter: true,
    });
    const actual = encodeAll(
      createDelimitedEncoder(CSV, columns, { raw: true }),
      rows,
    );
    expect(actual).toBe(expected);
  });

  test("neutralises formulas in text only", () => {
    const encoder = createDelimitedEncoder(CSV, ["v"]);
    expect(encoder.row(["=HYPERLINK(1)"])).toBe("'=HYPERLINK(1)\r\n");
    expect(encoder.row(["-2+3+cmd|' /C calc'!A0"])).toBe(
      "'-2+3+cmd|' /C calc'!A0\r\n",
    );
    expect(encoder.row(["@x,y"])).toBe(`"'@x,y"\r\n`);
    expect(encoder.row([-5])).toBe("-5\r\n");
  });

  test("writes NULL and empty text as empty fields", () => {
    const encoder = createDelimitedEncoder(CSV, ["a", "b", "c"]);
    expect(encoder.row([null, "", undefined])).toBe(",,\r\n");
  });

  test("writes a BLOB as hex", () => {
    const encoder = createDelimitedEncoder(CSV, ["blob"]);
    expect(encoder.row([Buffer.from([0, 171, 255])])).toBe("00abff\r\n");
  });
});

describe("TSV encoder", () => {
  test("escapes like PostgreSQL COPY text", () => {
    const encoder = createDelimitedEncoder(TSV, ["a", "b"]);
    expect(encoder.row(["tab\there", "line\nbreak\r\\"])).toBe(
      "tab\\there\tline\\nbreak\\r\\\\\n",
    );
  });

  test("neutralises formulas before escaping", () => {
    const encoder = createDelimitedEncoder(TSV, ["a"]);
    expect(encoder.row(["\tcell"])).toBe("'\\tcell\n");
    expect(encoder.row(["=1"])).toBe("'=1\n");
  });

  test("keeps formulas with --raw", () => {
    const encoder = createDelimitedEncoder(TSV, ["a"], { raw: true });
    expect(encoder.row(["=1"])).toBe("=1\n");
  });

  test("writes every record on one line", () => {
    const encoder = createDelimitedEncoder(TSV, ["a", "b"]);
    for (const text of TRICKY_TEXT) {
      const line = encoder.row([text, text]);
      expect(line.indexOf("\n")).toBe(line.length - 1);
      expect(line.split("\t")).toHaveLength(2);
    }
  });
});

describe("joined row encoder", () => {
  const columns: ColumnInfo[] = [
    { name: "text_a", type: "TEXT", description: "" },
    { name: "number_b", type: "INTEGER", description: "" },
    { name: "text_c", type: "TEXT", description: "" },
    { name: "number_d", type: "INTEGER", description: "" },
  ];
  const names = columns.map((column) => column.name);

  /** Returns the two texts that joinedRowSql reads for a row. */
  function join(
    dialect: Dialect,
    rowid: number,
    values: readonly unknown[],
  ): [string, string] {
    const texts = values.map((value) => (value === null ? "" : String(value)));
    return [
      texts.join(dialect.delimiter),
      [String(rowid), ...texts].join("\x1f"),
    ];
  }

  // Rows as import stores them: text or NULL in TEXT columns, integers or
  // NULL in INTEGER columns (never negative in the schema, but allowed here).
  const rows = randomRows(400, 2).map((pair, index) => [
    typeof pair[0] === "number" ? String(pair[0]) : pair[0],
    index % 3 === 0 ? null : index * 1000 - 5000,
    typeof pair[1] === "number" ? String(pair[1]) : pair[1],
    index % 5 === 0 ? null : index,
  ]);

  for (const dialect of [CSV, TSV]) {
    for (const raw of [false, true]) {
      const label = `${dialect === CSV ? "CSV" : "TSV"}${raw ? " raw" : ""}`;
      test(`${label} equals the value encoder`, () => {
        const generic = createDelimitedEncoder(dialect, names, { raw });
        const joined = createJoinedRowEncoder(dialect, columns, {
          raw,
          readRow: () => {
            throw new Error("no row should need reading");
          },
        });
        expect(joined.header).toBe(generic.header);
        rows.forEach((row, index) => {
          expect(joined.row(join(dialect, index + 1, row))).toBe(
            generic.row(row),
          );
        });
      });
    }
  }

  test("reads a row whose text contains the separator", () => {
    const row = ["unit\x1fseparator, comma", 1, "x", 2];
    const read: number[] = [];
    const joined = createJoinedRowEncoder(CSV, columns, {
      readRow: (rowid) => {
        read.push(rowid);
        return row;
      },
    });
    const generic = createDelimitedEncoder(CSV, names);
    expect(joined.row(join(CSV, 77, row))).toBe(generic.row(row));
    expect(read).toEqual([77]);
  });

  test("writes a plain separator without reading the row", () => {
    const row = ["unit\x1fseparator", 1, "x", 2];
    const joined = createJoinedRowEncoder(CSV, columns, {
      readRow: () => {
        throw new Error("the row should not be read");
      },
    });
    expect(joined.row(join(CSV, 5, row))).toBe(
      createDelimitedEncoder(CSV, names).row(row),
    );
  });

  test("treats text in an INTEGER column as text", () => {
    const joined = createJoinedRowEncoder(CSV, columns, {
      readRow: () => [],
    });
    expect(joined.row(join(CSV, 1, ["a", "-2+3", "b", -4]))).toBe(
      "a,'-2+3,b,-4\r\n",
    );
  });
});

test("looksLikeFormula checks the first character only", () => {
  expect(looksLikeFormula("=a")).toBe(true);
  expect(looksLikeFormula("a=")).toBe(false);
  expect(looksLikeFormula("")).toBe(false);
});
