import Database from "better-sqlite3";
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
import {
  createChunkEncoder,
  joinedRowSql,
} from "../../src/output/joined-chunks.js";

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

describe("chunk encoder", () => {
  const columns: ColumnInfo[] = [
    { name: "text_a", type: "TEXT", description: "" },
    { name: "number_b", type: "INTEGER", description: "" },
    { name: "text_c", type: "TEXT", description: "" },
    { name: "number_d", type: "INTEGER", description: "" },
  ];
  const names = columns.map((column) => column.name);

  /**
   * Stores rows in a SQLite table with the columns above and reads them
   * back both as values and as one joined chunk, as export does.
   */
  function readBack(
    dialect: Dialect,
    rows: readonly (readonly unknown[])[],
  ): { values: unknown[][]; chunk: Uint8Array; count: number } {
    const db = new Database(":memory:");
    try {
      db.exec(
        `CREATE TABLE t (${columns.map((column) => `${column.name} ${column.type}`).join(", ")})`,
      );
      const insert = db.prepare(
        `INSERT INTO t VALUES (${names.map(() => "?").join(", ")})`,
      );
      for (const row of rows) insert.run(...row);
      const values = db
        .prepare(`SELECT ${names.join(", ")} FROM t ORDER BY rowid`)
        .raw()
        .all() as unknown[][];
      const { chunk, count } = db
        .prepare(
          `SELECT CAST(group_concat(line, '') AS BLOB) AS chunk, count(*) AS count FROM (SELECT ${joinedRowSql(names, dialect)} AS line FROM t ORDER BY rowid)`,
        )
        .get() as { chunk: Uint8Array; count: number };
      return { values, chunk, count };
    } finally {
      db.close();
    }
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
        const { values, chunk, count } = readBack(dialect, rows);
        const generic = createDelimitedEncoder(dialect, names, { raw });
        const encode = createChunkEncoder(dialect, columns, { raw });
        const encoded = encode(chunk, count);
        expect(encoded).not.toBeNull();
        expect(Buffer.from(encoded!).toString("utf8")).toBe(
          values.map((row) => generic.row(row)).join(""),
        );
      });
    }
  }

  test("reads a chunk at any byte offset", () => {
    const { values, chunk, count } = readBack(CSV, rows);
    const shifted = new Uint8Array(chunk.length + 1).subarray(1);
    shifted.set(chunk);
    const encoded = createChunkEncoder(CSV, columns)(shifted, count);
    const generic = createDelimitedEncoder(CSV, names);
    expect(Buffer.from(encoded!).toString("utf8")).toBe(
      values.map((row) => generic.row(row)).join(""),
    );
  });

  test.each([
    ["a unit separator", ["unit\x1fseparator", 1, "x", 2]],
    ["a record separator", ["record\x1eseparator", 1, "x", 2]],
    ["a record separator in the last column", ["a", 1, "x\x1e", null]],
    ["two record separators in the last column", ["a", 1, "x", "\x1e\x1e"]],
    [
      "a whole row inside the last value",
      ["a", 1, "x", "\x1e\x1eb\x1f2\x1fy\x1f3"],
    ],
  ])("gives up on a value with %s", (_label, row) => {
    const { chunk, count } = readBack(CSV, [
      ["before", 1, "b", 2],
      row,
      ["after", 3, "c", 4],
    ]);
    expect(createChunkEncoder(CSV, columns)(chunk, count)).toBeNull();
  });

  test("gives up when the row count differs", () => {
    const { chunk, count } = readBack(CSV, [["a", 1, "b", 2]]);
    expect(createChunkEncoder(CSV, columns)(chunk, count + 1)).toBeNull();
  });

  test("treats text in an INTEGER column as text", () => {
    const { chunk, count } = readBack(CSV, [["a", "-2+3", "b", -4]]);
    const encoded = createChunkEncoder(CSV, columns)(chunk, count);
    expect(Buffer.from(encoded!).toString("utf8")).toBe("a,'-2+3,b,-4\r\n");
  });
});

test("looksLikeFormula checks the first character only", () => {
  expect(looksLikeFormula("=a")).toBe(true);
  expect(looksLikeFormula("a=")).toBe(false);
  expect(looksLikeFormula("")).toBe(false);
});
