import { afterAll, beforeAll, expect, test } from "vitest";
import { openDatabase } from "../../src/store/database.js";
import { runCliAsync } from "../helpers/cli.js";
import {
  createSampleDatabase,
  createTempFolder,
  type TempFolder,
} from "../helpers/sample-database.js";

let folder: TempFolder;
let db: string;

beforeAll(() => {
  folder = createTempFolder();
  db = folder.file("sample.db");
  createSampleDatabase(db);
});

afterAll(() => folder.remove());

test("status keeps its text report", async () => {
  const result = await runCliAsync(["--db", db, "status"]);
  expect(result.status).toBe(0);
  expect(result.stdout).toBe(
    [
      `database:      ${db}`,
      "records:       5",
      "requests from: 2024-05-01 10:00:00 UTC",
      "requests to:   2024-05-03 23:59:59 UTC",
      "log objects:   1 (last ingested 2024-06-01 00:00:00 UTC)",
      "rejected:      0 lines",
      "",
    ].join("\n"),
  );
});

test("status writes one JSON row", async () => {
  const result = await runCliAsync(["--db", db, "status", "--format", "json"]);
  expect(result.status).toBe(0);
  expect(JSON.parse(result.stdout)).toEqual([
    {
      database: db,
      records: 5,
      first_request: "2024-05-01 10:00:00",
      last_request: "2024-05-03 23:59:59",
      objects: 1,
      last_ingested: "2024-06-01 00:00:00",
      rejects: 0,
      top_reject_reasons: [],
    },
  ]);
});

test("status writes CSV with reasons as JSON text", async () => {
  const result = await runCliAsync(["--db", db, "status", "-f", "csv"]);
  expect(result.stdout).toBe(
    `database,records,first_request,last_request,objects,last_ingested,rejects,top_reject_reasons\r\n${db},5,2024-05-01 10:00:00,2024-05-03 23:59:59,1,2024-06-01 00:00:00,0,[]\r\n`,
  );
});

test("status JSON nests reject reasons", async () => {
  const file = folder.file("rejects.db");
  createSampleDatabase(file);
  const handle = openDatabase(file);
  handle
    .prepare(
      "INSERT INTO rejected_lines (log_object_id, line_number, reason, raw_line) VALUES (1, 9, 'invalid time \"x\"', 'x'), (1, 10, 'invalid time \"y\"', 'y')",
    )
    .run();
  handle.close();
  const result = await runCliAsync(["--db", file, "status", "-f", "ndjson"]);
  const row = JSON.parse(result.stdout) as { top_reject_reasons: unknown };
  expect(row.top_reject_reasons).toEqual([
    { reason: "invalid time", count: 2 },
  ]);
});
