import { expect, test } from "vitest";
import { RECORD_COLUMNS } from "../../src/parse/record.js";
import { describeSchema, SCHEMA_TABLES } from "../../src/sql/schema.js";
import { runCliAsync } from "../helpers/cli.js";

test("schema describes every column", () => {
  const columns = describeSchema();
  expect([...new Set(columns.map((column) => column.table))]).toEqual(
    SCHEMA_TABLES,
  );
  for (const column of columns) {
    expect(column.description, `${column.table}.${column.column}`).not.toBe("");
    expect(column.type, `${column.table}.${column.column}`).not.toBe("");
  }
});

test("schema lists record columns in order", () => {
  const records = describeSchema().filter(
    (column) => column.table === "log_records",
  );
  expect(records.slice(0, RECORD_COLUMNS.length).map((c) => c.column)).toEqual(
    RECORD_COLUMNS.map((column) => column.name),
  );
  expect(records[2]).toEqual({
    table: "log_records",
    column: "request_time",
    type: "TEXT NOT NULL",
    description: RECORD_COLUMNS[2].description,
  });
});

test("schema command writes ndjson", async () => {
  const result = await runCliAsync(["schema", "--format", "ndjson"]);
  expect(result.status).toBe(0);
  const lines = result.stdout.trimEnd().split("\n");
  expect(lines).toHaveLength(describeSchema().length);
  expect(JSON.parse(lines[0]!)).toEqual({
    table: "log_records",
    column: "bucket_owner",
    type: "TEXT",
    description: "Canonical user ID of the bucket owner.",
  });
});

test("schema command needs no database", async () => {
  const result = await runCliAsync([
    "--db",
    "/nonexistent/tamarin.db",
    "schema",
    "-f",
    "csv",
  ]);
  expect(result.status).toBe(0);
  expect(result.stdout.split("\r\n")[0]).toBe("table,column,type,description");
});
