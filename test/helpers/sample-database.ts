import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { RECORD_COLUMNS, type LogRecord } from "../../src/parse/record.js";
import { openDatabase, type Db } from "../../src/store/database.js";

/** A temporary folder, removed by `remove()`. */
export interface TempFolder {
  readonly path: string;
  file(name: string): string;
  remove(): void;
}

/** Creates an empty temporary folder for a test. */
export function createTempFolder(): TempFolder {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "tamarin-test-"));
  return {
    path: folder,
    file: (name) => path.join(folder, name),
    remove: () => fs.rmSync(folder, { recursive: true, force: true }),
  };
}

const DEFAULT_RECORD: LogRecord = {
  bucket_owner:
    "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
  bucket: "www",
  request_time: "2024-05-01 12:00:00",
  remote_ip: "192.0.2.10",
  requester: null,
  request_id: "3E57427F3EXAMPLE",
  operation: "REST.GET.OBJECT",
  key: "index.html",
  http_method: "GET",
  request_uri: "/www/index.html",
  http_version: "HTTP/1.1",
  http_status: 200,
  error_code: null,
  bytes_sent: 512,
  object_size: 512,
  total_time: 12,
  turnaround_time: 10,
  referrer: null,
  user_agent: "curl/8.5.0",
  version_id: null,
  host_id:
    "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=",
  signature_version: "SigV4",
  cipher_suite: "ECDHE-RSA-AES128-GCM-SHA256",
  authentication_type: "AuthHeader",
  host_header: "www.s3.us-west-2.amazonaws.com",
  tls_version: "TLSv1.2",
  access_point_arn: null,
  acl_required: null,
  source_region: null,
};

/**
 * Records with the values that output formats must get right: quotes,
 * commas, newlines, tabs, CR, backslashes, non-ASCII text, NULLs, empty
 * strings, text that looks like a spreadsheet formula, and keys encoded
 * once or twice.
 */
export const SAMPLE_RECORDS: readonly Partial<LogRecord>[] = [
  {
    request_time: "2024-05-01 10:00:00",
    remote_ip: "192.0.2.10",
    key: "photos/%25C3%25A9t%25C3%25A9/%25E6%2597%25A5%25E6%259C%25AC.jpg",
    bytes_sent: 1048576,
    referrer: "https://example.com/a,b?x=1&y=2",
    user_agent: 'Mozilla/5.0 "quoted", with comma',
  },
  {
    request_time: "2024-05-01 11:30:00",
    remote_ip: "2001:db8::1",
    key: "reports/2024+Q1/sum%253Dtotal.csv",
    http_status: 404,
    error_code: "NoSuchKey",
    bytes_sent: null,
    object_size: null,
    referrer: "",
    user_agent: "line one\nline two\ttabbed\r\nback\\slash",
  },
  {
    request_time: "2024-05-02 00:00:00",
    remote_ip: null,
    requester: null,
    operation: "S3.EXPIRE.OBJECT",
    key: "tmp/foo-%2525Y+old",
    http_method: null,
    request_uri: null,
    http_version: null,
    http_status: null,
    bytes_sent: null,
    total_time: null,
    turnaround_time: null,
    user_agent: null,
  },
  {
    bucket: "assets",
    request_time: "2024-05-02 08:15:00",
    remote_ip: "198.51.100.7",
    key: "%E2%9C%93-%ZZ-50%25",
    bytes_sent: 2048,
    referrer: '=HYPERLINK("http://attacker.example","click")',
    user_agent: "-2+3 ünïcödé 日本語 🦎",
  },
  {
    bucket: "assets",
    request_time: "2024-05-03 23:59:59",
    remote_ip: "198.51.100.7",
    operation: "BATCH.DELETE.OBJECT",
    key: "Screen+Shot+2024.png",
    http_status: 204,
    bytes_sent: 0,
    referrer: "@SUM(1)",
    user_agent: "\tstarts with a tab",
  },
];

/**
 * Creates a Tamarin database at `file` holding `records` (SAMPLE_RECORDS by
 * default) in one log object, each record completed from a default GET.
 */
export function createSampleDatabase(
  file: string,
  records: readonly Partial<LogRecord>[] = SAMPLE_RECORDS,
): void {
  const db = openDatabase(file);
  try {
    insertRecords(db, "s3://logs/sample", records);
  } finally {
    db.close();
  }
}

/** Inserts records as one log object named `source`, in one transaction. */
export function insertRecords(
  db: Db,
  source: string,
  records: readonly Partial<LogRecord>[],
): void {
  const names = RECORD_COLUMNS.map((column) => column.name);
  const insertObject = db.prepare(
    "INSERT INTO log_objects (source, size, records, ingested_at) VALUES (?, 0, ?, '2024-06-01 00:00:00')",
  );
  const insertRecord = db.prepare(
    `INSERT INTO log_records (${names.join(", ")}, log_object_id, line_number) VALUES (${names.map(() => "?").join(", ")}, ?, ?)`,
  );
  db.transaction(() => {
    const objectId = insertObject.run(source, records.length).lastInsertRowid;
    records.forEach((partial, index) => {
      const record: LogRecord = { ...DEFAULT_RECORD, ...partial };
      insertRecord.run(
        ...names.map((name) => record[name]),
        objectId,
        index + 1,
      );
    });
  })();
}
