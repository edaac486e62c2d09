import { spawn } from "node:child_process";
import fs from "node:fs";
import zlib from "node:zlib";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { RECORD_COLUMNS } from "../../src/parse/record.js";
import { buildExportQuery } from "../../src/sql/export-query.js";
import { prepareExport } from "../../src/sql/export-reader.js";
import { openDatabase } from "../../src/store/database.js";
import { CLI, runCliAsync } from "../helpers/cli.js";
import {
  createSampleDatabase,
  createTempFolder,
  type TempFolder,
} from "../helpers/sample-database.js";

const NAMES = RECORD_COLUMNS.map((column) => column.name);

let folder: TempFolder;
let db: string;

beforeAll(() => {
  folder = createTempFolder();
  db = folder.file("sample.db");
  createSampleDatabase(db);
});

afterAll(() => folder.remove());

function exportRows(args: string[]) {
  return runCliAsync(["--db", db, "export", ...args]);
}

/** Reads every record from the database as CSV would show it: text or "". */
function databaseRowsAsText(): string[][] {
  const handle = openDatabase(db, { readonly: true });
  try {
    const rows = handle
      .prepare(`SELECT ${NAMES.join(", ")} FROM log_records ORDER BY rowid`)
      .raw()
      .all() as unknown[][];
    return rows.map((row) =>
      row.map((value) => (value === null ? "" : String(value))),
    );
  } finally {
    handle.close();
  }
}

describe("CSV export", () => {
  test("reads back equal to the database with --raw", async () => {
    const file = folder.file("all.csv");
    const result = await exportRows(["--raw", "--output", file]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^exported 5 rows to .*all\.csv in \d+\.\d s\n$/,
    );
    const records = parse(fs.readFileSync(file), { bom: false }) as string[][];
    expect(records[0]).toEqual(NAMES);
    expect(records.slice(1)).toEqual(databaseRowsAsText());
  });

  test("neutralises formulas by default", async () => {
    const result = await exportRows(["--columns", "referrer,user_agent"]);
    expect(result.status).toBe(0);
    const records = parse(result.stdout) as string[][];
    const expected = databaseRowsAsText().map((row) =>
      [row[NAMES.indexOf("referrer")]!, row[NAMES.indexOf("user_agent")]!].map(
        (text) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text),
      ),
    );
    expect(records.slice(1)).toEqual(expected);
    expect(result.stdout).toContain(`"'=HYPERLINK(""http://attacker.example""`);
    expect(result.stdout).toContain("'@SUM(1)");
    expect(result.stdout).toContain("'-2+3 ünïcödé");
  });

  test("keeps formulas with --raw", async () => {
    const result = await exportRows(["--columns", "referrer", "--raw"]);
    expect(result.stdout).toContain(`"=HYPERLINK(""http://attacker.example""`);
    expect(result.stdout).toContain("\r\n@SUM(1)\r\n");
  });

  test("equals query output for the same rows", async () => {
    const exported = await exportRows([]);
    const queried = await runCliAsync([
      "--db",
      db,
      "query",
      `SELECT ${NAMES.join(", ")} FROM log_records ORDER BY rowid`,
      "--format",
      "csv",
    ]);
    expect(exported.stdout).toBe(queried.stdout);
  });

  test("writes gzip when the name ends in .gz", async () => {
    const file = folder.file("all.csv.gz");
    const result = await exportRows(["-o", file]);
    expect(result.status).toBe(0);
    const plain = await exportRows([]);
    expect(zlib.gunzipSync(fs.readFileSync(file)).toString("utf8")).toBe(
      plain.stdout,
    );
  });
});

describe("many rows", () => {
  // More rows than one read covers, in an order that is not request_time
  // order, with values that need quoting and one that contains the byte the
  // reader puts between values.
  const COUNT = 9500;
  let large: string;

  beforeAll(() => {
    large = folder.file("large.db");
    const records = Array.from({ length: COUNT }, (_, index) => ({
      bucket: index % 3 === 0 ? "www" : "assets",
      request_time: `2024-05-0${1 + (index % 7)} 12:00:00`,
      key: index === 5000 ? "unit\x1fseparator" : `key-${index}`,
      user_agent: index % 2 === 0 ? "Mozilla/5.0 (KHTML, like Gecko)" : "curl",
      referrer: index % 11 === 0 ? "=cmd()" : null,
      remote_ip: index % 1000 === 7 ? "198.51.100.7" : "192.0.2.1",
    }));
    createSampleDatabase(large, records);
  });

  /** Rows of the large database that match `where`, as CSV would show them. */
  function expected(where: string): string[][] {
    const handle = openDatabase(large, { readonly: true });
    try {
      return (
        handle
          .prepare(
            `SELECT ${NAMES.join(", ")} FROM log_records WHERE ${where} ORDER BY rowid`,
          )
          .raw()
          .all() as unknown[][]
      ).map((row) => row.map((value) => (value === null ? "" : String(value))));
    } finally {
      handle.close();
    }
  }

  test.each([
    ["every row", [], "1"],
    [
      "--since, --until and --bucket",
      ["--since", "2024-05-02", "--until", "2024-05-06", "--bucket", "www"],
      "request_time >= '2024-05-02' AND request_time < '2024-05-06' AND bucket = 'www'",
    ],
    ["--where", ["--where", "line_number % 4 = 1"], "line_number % 4 = 1"],
    [
      "one client IP",
      ["--where", "remote_ip = '198.51.100.7'"],
      "remote_ip = '198.51.100.7'",
    ],
  ])("CSV of %s reads back in rowid order", async (_label, args, where) => {
    const result = await runCliAsync([
      "--db",
      large,
      "export",
      "--raw",
      ...args,
    ]);
    const rows = expected(where);
    expect(result.stderr).toMatch(
      `exported ${rows.length.toLocaleString("en-US")} rows to stdout`,
    );
    const records = parse(result.stdout) as string[][];
    expect(rows.length).toBeGreaterThan(5);
    expect(records.slice(1)).toEqual(rows);
  });

  test.each([
    [
      "a few rows on an index",
      "remote_ip = '198.51.100.7'",
      "through an index",
    ],
    ["many rows on an index", "remote_ip = '192.0.2.1'", "in rowid ranges"],
    ["rows on no index", "line_number % 1000 = 8", "in rowid ranges"],
  ])("reads %s %s", async (_label, where, plan) => {
    const result = await runCliAsync([
      "--db",
      large,
      "--verbose",
      "export",
      "--where",
      where,
    ]);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(plan);
  });

  test("index plan counts its rows", () => {
    const where = "remote_ip = '198.51.100.7'";
    const handle = openDatabase(large, { readonly: true });
    try {
      const reader = prepareExport(handle, buildExportQuery({ where }));
      let read = 0;
      for (const batch of reader.read()) {
        for (const _row of batch as Iterable<unknown[]>) read++;
      }

      expect(reader.plan).toBe("index");
      expect(reader.count).toBe(expected(where).length);
      expect(read).toBe(reader.count);
    } finally {
      handle.close();
    }
  });

  test("says when the reader closed stdout", async () => {
    // Read one chunk, then close the pipe as `head` does.
    const child = spawn(process.execPath, [CLI, "--db", large, "export"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once("data", () => child.stdout.destroy());
    const status = await new Promise((resolve) => child.on("close", resolve));

    expect(stderr).toMatch(
      /^stopped after writing [\d,]+ rows in \d+\.\d s: stdout was closed by its reader, which may have read fewer\n$/,
    );
    expect(status).toBe(0);
  });

  test("TSV and NDJSON hold the same rows as CSV", async () => {
    const tsv = await runCliAsync(["--db", large, "export", "-f", "tsv"]);
    const ndjson = await runCliAsync(["--db", large, "export", "-f", "ndjson"]);
    const tsvKeys = tsv.stdout
      .trimEnd()
      .split("\n")
      .slice(1)
      .map((line) => line.split("\t")[NAMES.indexOf("key")]);
    const ndjsonKeys = ndjson.stdout
      .trimEnd()
      .split("\n")
      .map((line) => (JSON.parse(line) as { key: string }).key);
    expect(tsvKeys).toHaveLength(COUNT);
    expect(tsvKeys).toEqual(ndjsonKeys);
    expect(tsvKeys[5000]).toBe("unit\x1fseparator");
  });
});

describe("filters", () => {
  async function keys(args: string[]): Promise<string[]> {
    const result = await exportRows([
      "--format",
      "ndjson",
      "--columns",
      "key",
      ...args,
    ]);
    expect(result.stderr).toMatch(/^exported \d+ rows? to stdout/);
    expect(result.status).toBe(0);
    return result.stdout
      .trimEnd()
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => (JSON.parse(line) as { key: string }).key);
  }

  test("--since and --until select request_time", async () => {
    expect(
      await keys(["--since", "2024-05-01T11:00:00Z", "--until", "2024-05-02"]),
    ).toEqual(["reports/2024+Q1/sum%253Dtotal.csv"]);
  });

  test("--bucket repeats", async () => {
    expect(await keys(["--bucket", "assets"])).toHaveLength(2);
    expect(await keys(["-b", "assets", "-b", "www"])).toHaveLength(5);
    expect(await keys(["-b", "none"])).toEqual([]);
  });

  test("--where binds --param", async () => {
    expect(
      await keys(["--where", "http_status = :status", "--param", "status=404"]),
    ).toEqual(["reports/2024+Q1/sum%253Dtotal.csv"]);
  });

  test("--param values are never SQL", async () => {
    expect(
      await keys(["--where", "bucket = :b", "--param", "b=x' OR '1'='1"]),
    ).toEqual([]);
  });

  test("--where with a trailing comment", async () => {
    expect(
      await keys(["--where", "operation = 'S3.EXPIRE.OBJECT' -- lifecycle"]),
    ).toEqual(["tmp/foo-%2525Y+old"]);
  });

  test("relative --since selects nothing from 2024", async () => {
    expect(await keys(["--since", "1d"])).toEqual([]);
  });
});

describe("options", () => {
  test("--columns keeps the order given", async () => {
    const result = await exportRows([
      "--columns",
      "http_status,bucket",
      "--where",
      "rowid = 1",
    ]);
    expect(result.stdout).toBe("http_status,bucket\r\n200,www\r\n");
  });

  test("unknown --columns lists valid names", async () => {
    const result = await exportRows(["--columns", "bucket,colour"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown column in --columns: colour");
    expect(result.stderr).toContain(NAMES.join(", "));
  });

  test("invalid --since names the option", async () => {
    const result = await exportRows(["--since", "yesterday"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('invalid --since "yesterday"');
  });

  test("a day that does not exist is invalid", async () => {
    const result = await exportRows(["--until", "2024-04-31T12:00:00"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('invalid --until "2024-04-31T12:00:00"');
    expect(result.stdout).toBe("");
  });

  test("unbalanced --where is a usage error", async () => {
    const result = await exportRows(["--where", "1) OR (1"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'invalid --where "1) OR (1": a parenthesis closes before one opens',
    );
    expect(result.stdout).toBe("");
  });

  test("SQL error in --where shows the statement", async () => {
    const result = await exportRows(["--where", "no_such_column = 1"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("no such column: no_such_column");
    expect(result.stderr).toContain("FROM log_records WHERE (no_such_column");
  });

  test("--quiet drops the summary", async () => {
    const result = await runCliAsync(["--db", db, "--quiet", "export"]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
  });

  test("table is not an export format", async () => {
    const result = await exportRows(["--format", "table"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'invalid --format "table": expected csv, tsv, json, ndjson',
    );
  });
});

describe("other formats", () => {
  test("TSV equals query TSV", async () => {
    const exported = await exportRows(["-f", "tsv"]);
    const queried = await runCliAsync([
      "--db",
      db,
      "query",
      `SELECT ${NAMES.join(", ")} FROM log_records ORDER BY rowid`,
      "-f",
      "tsv",
    ]);
    expect(exported.stdout).toBe(queried.stdout);
  });

  test("JSON holds every row with nulls", async () => {
    const result = await exportRows(["-f", "json"]);
    const rows = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(5);
    expect(Object.keys(rows[0]!)).toEqual(NAMES);
    expect(rows[2]!.remote_ip).toBeNull();
    expect(rows[1]!.user_agent).toBe(
      "line one\nline two\ttabbed\r\nback\\slash",
    );
  });
});
