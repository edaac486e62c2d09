import { RECORD_COLUMNS } from "../parse/record.js";

const recordColumnsSql = RECORD_COLUMNS.map(
  (column) =>
    `  ${column.name} ${column.type}${column.name === "request_time" || column.name === "operation" ? " NOT NULL" : ""}`,
).join(",\n");

/**
 * Schema migrations, applied in order. `PRAGMA user_version` stores how many
 * have run, so a migration must never be edited once released: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
CREATE TABLE log_objects (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL UNIQUE,
  size INTEGER,
  etag TEXT,
  last_modified TEXT,
  records INTEGER NOT NULL DEFAULT 0,
  rejects INTEGER NOT NULL DEFAULT 0,
  ingested_at TEXT NOT NULL
);

CREATE TABLE log_records (
${recordColumnsSql},
  log_object_id INTEGER NOT NULL REFERENCES log_objects (id),
  line_number INTEGER NOT NULL,
  UNIQUE (log_object_id, line_number)
);

CREATE INDEX log_records_request_time ON log_records (request_time);
CREATE INDEX log_records_bucket_time ON log_records (bucket, request_time);
CREATE INDEX log_records_remote_ip ON log_records (remote_ip);
CREATE INDEX log_records_key ON log_records (key);

CREATE TABLE rejected_lines (
  log_object_id INTEGER NOT NULL REFERENCES log_objects (id),
  line_number INTEGER NOT NULL,
  reason TEXT NOT NULL,
  raw_line TEXT NOT NULL,
  PRIMARY KEY (log_object_id, line_number)
);
`,
];
