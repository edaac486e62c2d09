import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { runCliAsync } from "../helpers/cli.js";
import {
  createSampleDatabase,
  createTempFolder,
  type TempFolder,
} from "../helpers/sample-database.js";

// Set UPDATE_GOLDEN=1 to rewrite the golden files from the current output,
// then review the diff before committing.
const GOLDEN_FOLDER = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../golden/query",
);

const SQL = `SELECT line_number, request_time, bucket, remote_ip, operation, key,
  decode_key(key, operation) AS decoded_key, http_status, bytes_sent,
  referrer, user_agent
FROM log_records ORDER BY line_number`;

let folder: TempFolder;
let db: string;

beforeAll(() => {
  folder = createTempFolder();
  db = folder.file("sample.db");
  createSampleDatabase(db);
});

afterAll(() => folder.remove());

function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN_FOLDER, name);
  if (process.env.UPDATE_GOLDEN === "1") fs.writeFileSync(file, actual);
  expect(actual).toBe(fs.readFileSync(file, "utf8"));
}

for (const format of ["table", "csv", "tsv", "json", "ndjson"]) {
  test(`query prints ${format} golden`, async () => {
    const result = await runCliAsync([
      "--db",
      db,
      "query",
      SQL,
      "--format",
      format,
    ]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expectGolden(`sample.${format}.golden`, result.stdout);
  });
}

test("query csv --raw golden", async () => {
  const result = await runCliAsync([
    "--db",
    db,
    "query",
    SQL,
    "-f",
    "csv",
    "--raw",
  ]);
  expect(result.status).toBe(0);
  expectGolden("sample-raw.csv.golden", result.stdout);
});

test("query json empty result", async () => {
  const result = await runCliAsync([
    "--db",
    db,
    "query",
    "SELECT key FROM log_records WHERE 0",
    "--format",
    "json",
  ]);
  expect(result.status).toBe(0);
  expect(result.stdout).toBe("[]\n");
});

test("query table of empty result shows header", async () => {
  const result = await runCliAsync([
    "--db",
    db,
    "query",
    "SELECT key, bytes_sent FROM log_records WHERE 0",
  ]);
  expect(result.status).toBe(0);
  expect(result.stdout).toBe(
    [
      "┌─────┬────────────┐",
      "│ key │ bytes_sent │",
      "└─────┴────────────┘",
      "",
    ].join("\n"),
  );
});
