import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { readLineBatches } from "../../src/parse/line-reader.js";
import { RECORD_COLUMNS, type LogRecord } from "../../src/parse/record.js";
import { openDatabase, type Db } from "../../src/store/database.js";
import { fillRecordValues, Ingestor } from "../../src/store/ingest.js";
import { logLine } from "../helpers/log-lines.js";

let folder: string;
let db: Db;

beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "tamarin-store-"));
  db = openDatabase(path.join(folder, "test.db"));
});

afterEach(() => {
  db.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

function linesOf(text: string) {
  return readLineBatches(Readable.from([Buffer.from(text)]));
}

const identity = {
  source: "s3://logs/2019-02-06-00-00-00-0123456789ABCDEF",
  size: 100,
  etag: '"abc"',
  lastModified: "2019-02-06 00:00:00.000",
};

test("record values follow the schema column order", () => {
  // Each field gets a value naming its own column, so a swap shows.
  const record = Object.fromEntries(
    RECORD_COLUMNS.map((column) => [column.name, column.name]),
  ) as unknown as LogRecord;
  const values = fillRecordValues(record, []);
  expect(values).toEqual(RECORD_COLUMNS.map((column) => column.name));
});

test("ingest stores records, rejects and the ledger row together", async () => {
  const text = `${logLine()}\nnot a log line\n\n${logLine({ status: "404" })}\n`;
  const result = await new Ingestor(db).ingest(identity, linesOf(text));
  expect(result).toEqual({ status: "imported", records: 2, rejects: 1 });

  const rows = db
    .prepare("SELECT line_number, http_status FROM log_records ORDER BY 1")
    .all();
  expect(rows).toEqual([
    { line_number: 1, http_status: 200 },
    { line_number: 4, http_status: 404 },
  ]);
  const rejects = db
    .prepare("SELECT line_number, reason, raw_line FROM rejected_lines")
    .all();
  expect(rejects).toEqual([
    {
      line_number: 2,
      reason: `invalid request_time "log": expected [dd/Mon/yyyy:HH:MM:SS +hhmm]`,
      raw_line: "not a log line",
    },
  ]);
  const ledger = db
    .prepare("SELECT source, etag, records, rejects FROM log_objects")
    .all();
  expect(ledger).toEqual([
    { source: identity.source, etag: '"abc"', records: 2, rejects: 1 },
  ]);
});

test("ingest skips an unchanged object and replaces a changed one", async () => {
  const ingestor = new Ingestor(db);
  await ingestor.ingest(identity, linesOf(`${logLine()}\n`));

  const again = await ingestor.ingest(identity, linesOf(`${logLine()}\n`));
  expect(again.status).toBe("skipped");

  const changed = await ingestor.ingest(
    { ...identity, etag: '"def"' },
    linesOf(`${logLine()}\n${logLine()}\n`),
  );
  expect(changed).toEqual({ status: "replaced", records: 2, rejects: 0 });
  const count = db.prepare("SELECT count(*) AS n FROM log_records").get();
  expect(count).toEqual({ n: 2 });
});

test("ingest rolls back an object whose stream fails", async () => {
  async function* failing() {
    yield { firstLineNumber: 1, lines: [logLine()] };
    throw new Error("connection reset");
  }
  await expect(new Ingestor(db).ingest(identity, failing())).rejects.toThrow(
    "connection reset",
  );
  const objects = db.prepare("SELECT count(*) AS n FROM log_objects").get();
  const records = db.prepare("SELECT count(*) AS n FROM log_records").get();
  expect(objects).toEqual({ n: 0 });
  expect(records).toEqual({ n: 0 });
});

test("request_time compares correctly with datetime()", async () => {
  await new Ingestor(db).ingest(
    identity,
    linesOf(`${logLine({ time: "06/Feb/2019:23:59:59 -0130" })}\n`),
  );
  const row = db
    .prepare(
      "SELECT request_time, request_time >= datetime('2019-02-07 01:00:00') AS later FROM log_records",
    )
    .get();
  expect(row).toEqual({ request_time: "2019-02-07 01:29:59", later: 1 });
});

test("queued objects commit together without a failed one", async () => {
  const ingestor = new Ingestor(db);
  async function* failing() {
    yield { firstLineNumber: 1, lines: [logLine()] };
    throw new Error("connection reset");
  }
  const results = await Promise.allSettled([
    ingestor.ingest(
      { ...identity, source: "s3://logs/a" },
      linesOf(`${logLine()}\n`),
    ),
    ingestor.ingest({ ...identity, source: "s3://logs/b" }, failing()),
    ingestor.ingest(
      { ...identity, source: "s3://logs/c" },
      linesOf(`${logLine()}\n`),
    ),
  ]);
  expect(results.map((result) => result.status)).toEqual([
    "fulfilled",
    "rejected",
    "fulfilled",
  ]);

  // A second connection reads exactly the committed objects.
  const reader = openDatabase(path.join(folder, "test.db"), { readonly: true });
  try {
    const sources = reader
      .prepare("SELECT source, records FROM log_objects ORDER BY source")
      .all();
    expect(sources).toEqual([
      { source: "s3://logs/a", records: 1 },
      { source: "s3://logs/c", records: 1 },
    ]);
    const rows = reader.prepare("SELECT count(*) AS n FROM log_records").get();
    expect(rows).toEqual({ n: 2 });
  } finally {
    reader.close();
  }
});

describe("objects with their lines in memory", () => {
  const batch = (key: string) => [
    { firstLineNumber: 1, lines: [logLine({ key }), logLine({ key })] },
  ];

  test("are stored in one group and committed", async () => {
    const ingestor = new Ingestor(db);
    const results = await Promise.all(
      ["a", "b", "c"].map((name) =>
        ingestor.ingestLines(
          { ...identity, source: `s3://logs/${name}` },
          batch(name),
        ),
      ),
    );
    expect(results).toEqual(
      Array(3).fill({ status: "imported", records: 2, rejects: 0 }),
    );
    expect(committedObjects()).toEqual([
      { source: "s3://logs/a", records: 2 },
      { source: "s3://logs/b", records: 2 },
      { source: "s3://logs/c", records: 2 },
    ]);
  });

  test("fail together when SQLite fails", async () => {
    // A trigger makes SQLite itself reject one record.
    db.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON log_records WHEN NEW.key = 'refused' BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END",
    );
    const ingestor = new Ingestor(db);
    await ingestor.ingestLines(
      { ...identity, source: "s3://logs/before" },
      batch("before"),
    );

    // Both objects of the next group fail with the rejected record.
    const results = await Promise.allSettled(
      ["a", "refused"].map((name) =>
        ingestor.ingestLines(
          { ...identity, source: `s3://logs/${name}` },
          batch(name),
        ),
      ),
    );
    expect(results.map((result) => result.status)).toEqual([
      "rejected",
      "rejected",
    ]);
    expect(String((results[0] as PromiseRejectedResult).reason)).toContain(
      "refused by trigger",
    );

    // The next object starts a new group.
    const after = await ingestor.ingestLines(
      { ...identity, source: "s3://logs/after" },
      batch("after"),
    );
    expect(after.status).toBe("imported");

    expect(committedObjects()).toEqual([
      { source: "s3://logs/after", records: 2 },
      { source: "s3://logs/before", records: 2 },
    ]);
    const rows = db.prepare("SELECT count(*) AS n FROM log_records").get();
    expect(rows).toEqual({ n: 4 });
  });

  test("skip an object the ledger has unchanged", async () => {
    const ingestor = new Ingestor(db);
    await ingestor.ingestLines(identity, batch("a"));
    const again = await ingestor.ingestLines(identity, batch("a"));
    expect(again).toEqual({ status: "skipped", records: 2, rejects: 0 });
    const rows = db.prepare("SELECT count(*) AS n FROM log_records").get();
    expect(rows).toEqual({ n: 2 });
  });
});

/** Reads the committed ledger through a second connection. */
function committedObjects(): unknown[] {
  const reader = openDatabase(path.join(folder, "test.db"), { readonly: true });
  try {
    return reader
      .prepare("SELECT source, records FROM log_objects ORDER BY source")
      .all();
  } finally {
    reader.close();
  }
}

test("another application's database is left alone", () => {
  const file = path.join(folder, "other.db");
  const other = new Database(file);
  other.exec("CREATE TABLE foo (x)");
  other.close();

  expect(() => openDatabase(file)).toThrow(
    `${file} is not a Tamarin database: it already has tables (foo)`,
  );
  const check = new Database(file, { readonly: true });
  const tables = check
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
    .pluck()
    .all();
  check.close();
  expect(tables).toEqual(["foo"]);
});
