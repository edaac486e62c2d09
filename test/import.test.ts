import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { gzipSync } from "node:zlib";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { RECORD_COLUMNS } from "../src/parse/record.js";
import {
  BLANK,
  CASES,
  FIXTURE_LINES,
  readFixtureLines,
} from "./parse/fixture-records.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = path.join(ROOT, "dist/src/cli.js");
const DEMO = path.join(ROOT, "fixtures/demo");
const SUMMARY =
  /^imported ([\d,]+) objects?, ([\d,]+) records?, ([\d,]+) rejected, ([\d,]+) skipped(?:, ([\d,]+) replaced)?(?:, ([\d,]+) failed)? in \d+\.\d s$/;

interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let workDir: string;

beforeAll(() => {
  if (!fs.existsSync(CLI)) {
    throw new Error(`${CLI} not found: run npm run build before vitest`);
  }
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "tamarin-import-"));
});

afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

/** Returns the path of a database file that no test has used yet. */
function freshDatabase(): string {
  return fs.mkdtempSync(path.join(workDir, "db-")) + "/tamarin.db";
}

/** Runs the built CLI with `--db database`, stdin from `input`. */
function tamarin(
  database: string,
  args: readonly string[],
  input: string | Buffer = "",
): CliResult {
  const env = { ...process.env };
  delete env.TAMARIN_DB;
  const result = spawnSync(process.execPath, [CLI, "--db", database, ...args], {
    input,
    encoding: "utf8",
    env,
    cwd: workDir,
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

/** Parses the one-line import summary on stderr into its counts. */
function summaryOf(stderr: string) {
  const lines = stderr.trimEnd().split("\n");
  const match = SUMMARY.exec(lines.at(-1) ?? "");
  if (match === null) throw new Error(`no summary line in: ${stderr}`);
  const count = (text: string | undefined) =>
    text === undefined ? 0 : Number(text.replaceAll(",", ""));
  return {
    objects: count(match[1]),
    records: count(match[2]),
    rejects: count(match[3]),
    skipped: count(match[4]),
    replaced: count(match[5]),
    failed: count(match[6]),
  };
}

function query<T>(database: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(database, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

function countRows(database: string, table: string): number {
  return query<{ n: number }>(
    database,
    `SELECT count(*) AS n FROM ${table}`,
  )[0]!.n;
}

interface LedgerRow {
  id: number;
  source: string;
  size: number | null;
  records: number;
  rejects: number;
  ingested_at: string;
}

function ledger(database: string): LedgerRow[] {
  return query<LedgerRow>(
    database,
    "SELECT id, source, size, records, rejects, ingested_at FROM log_objects ORDER BY source",
  );
}

/** Copies fixture files into a new folder and returns the folder. */
function copyCases(names: readonly string[]): string {
  const directory = fs.mkdtempSync(path.join(workDir, "logs-"));
  for (const name of names) {
    fs.copyFileSync(CASES + name, path.join(directory, name));
  }
  return directory;
}

describe("import of each fixture", () => {
  const files = Object.keys(FIXTURE_LINES).sort();
  const columns = RECORD_COLUMNS.map((column) => column.name).join(", ");

  test.each(files)("%s stored as parsed", (file) => {
    const database = freshDatabase();
    const result = tamarin(database, ["import", CASES + file]);
    const expected = FIXTURE_LINES[file]!;
    const lines = readFixtureLines(file);

    // Every line is a record, a reject or a skipped blank line.
    const expectedRecords = expected.flatMap((entry, index) =>
      entry === BLANK || "reject" in entry
        ? []
        : [{ ...entry, line_number: index + 1 }],
    );
    const expectedRejects = expected.flatMap((entry, index) =>
      entry !== BLANK && "reject" in entry
        ? [
            {
              line_number: index + 1,
              reason: entry.reject,
              raw_line: lines[index],
            },
          ]
        : [],
    );

    expect(result.stderr.split("\n")).toHaveLength(2);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect(summaryOf(result.stderr)).toEqual({
      objects: 1,
      records: expectedRecords.length,
      rejects: expectedRejects.length,
      skipped: 0,
      replaced: 0,
      failed: 0,
    });

    const [object] = ledger(database);
    expect(object).toMatchObject({
      source: path.resolve(CASES + file),
      size: fs.statSync(CASES + file).size,
      records: expectedRecords.length,
      rejects: expectedRejects.length,
    });
    const records = query(
      database,
      `SELECT ${columns}, line_number FROM log_records WHERE log_object_id = ? ORDER BY line_number`,
      object!.id,
    );
    expect(records).toStrictEqual(expectedRecords);
    const rejects = query(
      database,
      "SELECT line_number, reason, raw_line FROM rejected_lines WHERE log_object_id = ? ORDER BY line_number",
      object!.id,
    );
    expect(rejects).toStrictEqual(expectedRejects);
  });
});

describe("import rejects", () => {
  test("rejects stored with object and line", () => {
    const database = freshDatabase();
    const result = tamarin(database, [
      "import",
      CASES + "malformed.log",
      CASES + "spliced.log",
    ]);
    expect(result.status).toBe(0);
    const rows = query<{ source: string; line_number: number; reason: string }>(
      database,
      "SELECT o.source, r.line_number, r.reason FROM rejected_lines r JOIN log_objects o ON o.id = r.log_object_id WHERE r.line_number IN (12, 2) ORDER BY o.source, r.line_number",
    );
    expect(rows).toEqual([
      {
        source: path.resolve(CASES + "malformed.log"),
        line_number: 2,
        reason:
          "not an S3 access log record: a # header line (CloudFront logs)",
      },
      {
        source: path.resolve(CASES + "malformed.log"),
        line_number: 12,
        reason: 'invalid http_status "OK"',
      },
      {
        source: path.resolve(CASES + "spliced.log"),
        line_number: 2,
        reason:
          'spliced records: a second request_time "05/Jan/2020:23:10:20 +0000"',
      },
    ]);
    // The valid lines around the rejects are stored.
    const stored = query<{ line_number: number }>(
      database,
      "SELECT r.line_number FROM log_records r JOIN log_objects o ON o.id = r.log_object_id WHERE o.source = ? ORDER BY r.line_number",
      path.resolve(CASES + "malformed.log"),
    );
    expect(stored.map((row) => row.line_number)).toEqual([3, 16]);
  });

  test("demo set imports with its malformed lines", () => {
    const database = freshDatabase();
    const result = tamarin(database, ["import", DEMO]);
    expect(result.status).toBe(0);
    const summary = summaryOf(result.stderr);
    expect(summary.objects).toBe(10);
    expect(summary.records + summary.rejects).toBe(4800);
    expect(summary.rejects).toBe(8);
    expect(countRows(database, "log_records")).toBe(summary.records);
    expect(countRows(database, "rejected_lines")).toBe(8);
  });
});

describe("import again", () => {
  test("same files twice adds nothing", () => {
    const database = freshDatabase();
    const files = [CASES + "lifecycle.log", CASES + "malformed.log"];
    const first = tamarin(database, ["import", ...files]);
    expect(first.status).toBe(0);
    expect(summaryOf(first.stderr)).toMatchObject({ objects: 2, skipped: 0 });
    const ledgerBefore = ledger(database);
    const recordsBefore = countRows(database, "log_records");
    const rejectsBefore = countRows(database, "rejected_lines");

    const second = tamarin(database, ["import", ...files]);
    expect(second.status).toBe(0);
    expect(summaryOf(second.stderr)).toEqual({
      objects: 0,
      records: 0,
      rejects: 0,
      skipped: 2,
      replaced: 0,
      failed: 0,
    });
    expect(ledger(database)).toEqual(ledgerBefore);
    expect(countRows(database, "log_records")).toBe(recordsBefore);
    expect(countRows(database, "rejected_lines")).toBe(rejectsBefore);
  });

  test("--force replaces unchanged files", () => {
    const database = freshDatabase();
    const files = [CASES + "lifecycle.log", CASES + "malformed.log"];
    tamarin(database, ["import", ...files]);
    const recordsBefore = countRows(database, "log_records");
    const rejectsBefore = countRows(database, "rejected_lines");
    const idsBefore = ledger(database).map((row) => row.id);

    const forced = tamarin(database, ["import", "--force", ...files]);
    expect(forced.status).toBe(0);
    expect(summaryOf(forced.stderr)).toEqual({
      objects: 2,
      records: recordsBefore,
      rejects: rejectsBefore,
      skipped: 0,
      replaced: 2,
      failed: 0,
    });
    expect(countRows(database, "log_objects")).toBe(2);
    expect(countRows(database, "log_records")).toBe(recordsBefore);
    expect(countRows(database, "rejected_lines")).toBe(rejectsBefore);
    const idsAfter = ledger(database).map((row) => row.id);
    for (const id of idsAfter) expect(idsBefore).not.toContain(id);
  });

  test("changed file replaced", () => {
    const database = freshDatabase();
    const directory = copyCases(["lifecycle.log", "copy.log"]);
    const file = path.join(directory, "lifecycle.log");
    tamarin(database, ["import", directory]);

    // Keep only the first two records of the file.
    const firstTwoLines = fs.readFileSync(file, "utf8").split("\n").slice(0, 2);
    fs.writeFileSync(file, firstTwoLines.join("\n") + "\n");
    const result = tamarin(database, ["import", directory]);
    expect(result.status).toBe(0);
    expect(summaryOf(result.stderr)).toEqual({
      objects: 1,
      records: 2,
      rejects: 0,
      skipped: 1,
      replaced: 1,
      failed: 0,
    });
    const rows = query<{ line_number: number; operation: string }>(
      database,
      "SELECT r.line_number, r.operation FROM log_records r JOIN log_objects o ON o.id = r.log_object_id WHERE o.source = ? ORDER BY r.line_number",
      file,
    );
    expect(rows).toEqual([
      { line_number: 1, operation: "S3.EXPIRE.OBJECT" },
      { line_number: 2, operation: "S3.TRANSITION_GDA.OBJECT" },
    ]);
    expect(countRows(database, "log_records")).toBe(2 + 4);
  });

  test("same size, new time replaced", () => {
    const database = freshDatabase();
    const directory = copyCases(["time-offset.log"]);
    const file = path.join(directory, "time-offset.log");
    tamarin(database, ["import", file]);

    // Same length, different content, and a modification time 1 s later.
    const text = fs.readFileSync(file, "utf8").replace("a.txt", "b.txt");
    const before = fs.statSync(file).mtime;
    fs.writeFileSync(file, text);
    fs.utimesSync(file, before, new Date(before.getTime() + 1000));
    const result = tamarin(database, ["import", file]);
    expect(summaryOf(result.stderr)).toMatchObject({ replaced: 1 });
    const keys = query<{ key: string }>(
      database,
      "SELECT key FROM log_records ORDER BY line_number",
    );
    expect(keys.map((row) => row.key)).toEqual(["b.txt", "a.txt", "a.txt"]);
  });
});

describe("import inputs", () => {
  test("folder read recursively", () => {
    const database = freshDatabase();
    const directory = copyCases(["ipv6.log"]);
    fs.mkdirSync(path.join(directory, "2024/05"), { recursive: true });
    fs.copyFileSync(
      CASES + "copy.log",
      path.join(directory, "2024/05/copy.log"),
    );
    fs.copyFileSync(
      CASES + "gzip-content.log",
      path.join(directory, "2024/gzip-content.log"),
    );
    fs.writeFileSync(path.join(directory, ".hidden"), "not a log\n");

    const result = tamarin(database, ["import", directory]);
    expect(result.status).toBe(0);
    expect(summaryOf(result.stderr)).toEqual({
      objects: 3,
      records: 2 + 4 + 2,
      rejects: 0,
      skipped: 0,
      replaced: 0,
      failed: 0,
    });
    const real = fs.realpathSync(directory);
    expect(ledger(database).map((row) => row.source)).toEqual([
      path.join(real, "2024/05/copy.log"),
      path.join(real, "2024/gzip-content.log"),
      path.join(real, "ipv6.log"),
    ]);
  });

  test("symbolic links stored once", () => {
    const database = freshDatabase();
    const directory = copyCases(["ipv6.log", "copy.log"]);
    const links = fs.mkdtempSync(path.join(workDir, "links-"));
    fs.symlinkSync(path.join(directory, "ipv6.log"), path.join(links, "a.log"));
    fs.symlinkSync(directory, path.join(links, "folder"));
    fs.symlinkSync(path.join(links, "nowhere"), path.join(links, "dangling"));

    const viaLink = tamarin(database, ["import", path.join(links, "a.log")]);
    const viaFolderLink = tamarin(database, [
      "import",
      path.join(links, "folder"),
    ]);
    const viaLinks = tamarin(database, ["import", links]);

    expect(summaryOf(viaLink.stderr)).toMatchObject({ objects: 1 });
    expect(summaryOf(viaFolderLink.stderr)).toMatchObject({
      objects: 1,
      skipped: 1,
    });
    expect(summaryOf(viaLinks.stderr)).toMatchObject({
      objects: 0,
      skipped: 1,
      failed: 0,
    });
    const real = fs.realpathSync(directory);
    expect(ledger(database).map((row) => row.source)).toEqual([
      path.join(real, "copy.log"),
      path.join(real, "ipv6.log"),
    ]);
  });

  test("stdin with -", () => {
    const database = freshDatabase();
    const text = fs.readFileSync(CASES + "multi-object-delete.log", "utf8");
    const hash = createHash("sha256").update(text).digest("hex");

    const first = tamarin(database, ["import", "-"], text);
    expect(first.status).toBe(0);
    expect(summaryOf(first.stderr)).toMatchObject({ objects: 1, records: 4 });
    expect(ledger(database)).toMatchObject([
      { source: `stdin:sha256:${hash}`, size: Buffer.byteLength(text) },
    ]);

    const second = tamarin(database, ["import", "-"], text);
    expect(second.status).toBe(0);
    expect(summaryOf(second.stderr)).toMatchObject({
      objects: 0,
      records: 0,
      skipped: 1,
    });
    expect(countRows(database, "log_objects")).toBe(1);
    expect(countRows(database, "log_records")).toBe(4);

    const other = fs.readFileSync(CASES + "ipv6.log", "utf8");
    const third = tamarin(database, ["import", "-"], other);
    expect(summaryOf(third.stderr)).toMatchObject({ objects: 1, records: 2 });
    expect(countRows(database, "log_objects")).toBe(2);
  });

  test("stdin beside a file", () => {
    const database = freshDatabase();
    const text = fs.readFileSync(CASES + "ipv6.log", "utf8");
    const result = tamarin(database, ["import", CASES + "copy.log", "-"], text);
    expect(result.status).toBe(0);
    expect(summaryOf(result.stderr)).toMatchObject({ objects: 2, records: 6 });
  });

  test("stdin named twice is a usage error", () => {
    const database = freshDatabase();
    const result = tamarin(database, ["import", "-", "-"], "x\n");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("stdin can be read once");
    expect(fs.existsSync(database)).toBe(false);
  });

  test("gzip on stdin", () => {
    const database = freshDatabase();
    const bytes = fs.readFileSync(CASES + "gzip-content.log");
    const result = tamarin(database, ["import", "-"], bytes);
    expect(result.status).toBe(0);
    expect(summaryOf(result.stderr)).toMatchObject({ objects: 1, records: 2 });
  });

  test("same logs plain and gzip stored once", () => {
    const database = freshDatabase();
    const text = fs.readFileSync(CASES + "ipv6.log");
    const plain = tamarin(database, ["import", "-"], text);
    const gzip = tamarin(database, ["import", "-"], gzipSync(text));

    expect(summaryOf(plain.stderr)).toMatchObject({ objects: 1, records: 2 });
    expect(summaryOf(gzip.stderr)).toMatchObject({ objects: 0, skipped: 1 });
    const hash = createHash("sha256").update(text).digest("hex");
    expect(ledger(database).map((row) => row.source)).toEqual([
      `stdin:sha256:${hash}`,
    ]);
  });
});

describe("import exit codes", () => {
  test("missing path fails naming it", () => {
    const database = freshDatabase();
    const missing = path.join(workDir, "no-such-file.log");
    const result = tamarin(database, ["import", missing]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      `tamarin: path not found: ${missing}. Check the path, or pass - to read stdin.\n`,
    );
    expect(summaryOf(result.stderr)).toMatchObject({ objects: 0, failed: 1 });
  });

  test("missing path beside a good one exits 3", () => {
    const database = freshDatabase();
    const missing = path.join(workDir, "missing.log");
    const result = tamarin(database, ["import", missing, CASES + "ipv6.log"]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`path not found: ${missing}`);
    expect(summaryOf(result.stderr)).toEqual({
      objects: 1,
      records: 2,
      rejects: 0,
      skipped: 0,
      replaced: 0,
      failed: 1,
    });
    expect(countRows(database, "log_records")).toBe(2);
  });

  test("corrupt gzip fails, others stored", () => {
    const database = freshDatabase();
    const directory = copyCases(["ipv6.log"]);
    const corrupt = path.join(directory, "broken.log.gz");
    const gzip = fs.readFileSync(CASES + "gzip-content.log");
    fs.writeFileSync(corrupt, gzip.subarray(0, gzip.length - 20));

    const result = tamarin(database, ["import", directory]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(
      `tamarin: failed to import ${corrupt}: unexpected end of file\n`,
    );
    expect(summaryOf(result.stderr)).toMatchObject({ objects: 1, failed: 1 });
    // The failed object left no rows and no ledger entry.
    expect(ledger(database).map((row) => row.source)).toEqual([
      path.join(directory, "ipv6.log"),
    ]);
    expect(countRows(database, "log_records")).toBe(2);
  });

  test("no paths is a usage error", () => {
    const result = tamarin(freshDatabase(), ["import"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      "tamarin: missing argument: tamarin import <path...>\nRun tamarin import --help for usage.\n",
    );
  });
});

describe("import output", () => {
  test("one summary line on stderr", () => {
    const database = freshDatabase();
    const result = tamarin(database, [
      "import",
      CASES + "malformed.log",
      CASES + "large-sizes.log",
    ]);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^imported 2 objects, 4 records, 13 rejected, 0 skipped in \d+\.\d s\n$/,
    );
  });

  test("counts use thousands separators", () => {
    const result = tamarin(freshDatabase(), ["import", DEMO]);
    expect(result.stderr).toMatch(
      /^imported 10 objects, 4,792 records, 8 rejected, 0 skipped in \d+\.\d s\n$/,
    );
  });

  test("--quiet prints nothing", () => {
    const result = tamarin(freshDatabase(), [
      "--quiet",
      "import",
      CASES + "ipv6.log",
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("");
  });

  test("--verbose prints each object", () => {
    const database = freshDatabase();
    const file = path.resolve(CASES + "malformed.log");
    const result = tamarin(database, ["--verbose", "import", file]);
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`imported ${file}: 2 records, 13 rejected`);
  });
});

describe("status", () => {
  test("counts, range and reject reasons", () => {
    const database = freshDatabase();
    tamarin(database, [
      "import",
      CASES + "malformed.log",
      CASES + "fields-17.log",
      CASES + "spliced.log",
    ]);
    const result = tamarin(database, ["status"]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`database:      ${database}`);
    expect(lines[1]).toBe("records:       7");
    expect(lines[2]).toBe("requests from: 2008-08-12 21:32:16 UTC");
    expect(lines[3]).toBe("requests to:   2024-05-01 18:00:17 UTC");
    expect(lines[4]).toMatch(
      /^log objects: {3}3 \(last ingested \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)$/,
    );
    expect(lines[5]).toBe("rejected:      17 lines");
    // Reasons that differ only in the quoted value count together.
    expect(lines.slice(6)).toEqual([
      "         4  invalid request_time",
      "         4  spliced records: a second request_time",
      "         2  invalid bytes_sent",
      "         2  not an S3 access log record: a # header line (CloudFront logs)",
      "         1  invalid http_status",
    ]);
  });

  test("status without records", () => {
    const database = freshDatabase();
    tamarin(database, ["import", "-"], "");
    const result = tamarin(database, ["status"]);
    expect(result.stdout.split("\n").slice(1, 6)).toEqual([
      "records:       0",
      "requests from: - UTC",
      "requests to:   - UTC",
      expect.stringMatching(/^log objects: {3}1 \(last ingested .+ UTC\)$/),
      "rejected:      0 lines",
    ]);
  });
});
