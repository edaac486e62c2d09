import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {
  ListObjectsV2CommandInput,
  ListObjectsV2CommandOutput,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, expect, test } from "vitest";
import {
  listLogObjects,
  type ListedPage,
  type ListOptions,
} from "../src/s3/list-logs.js";
import type { LogLocation } from "../src/s3/locations.js";
import { openDatabase, type Db } from "../src/store/database.js";
import { PullLedger } from "../src/store/pull-ledger.js";

// s3rver 3.7.1 returns no CommonPrefixes for folders that hold only
// folders, so it cannot serve the delimiter listings that find the
// partitioned layout's account, region and bucket folders. These tests use
// an in-memory bucket that follows S3's ListObjectsV2 rules instead: keys in
// UTF-8 byte order, Prefix, Delimiter, StartAfter and pages of MaxKeys.

const directory = fs.mkdtempSync(path.join(os.tmpdir(), "tamarin-list-"));

afterAll(() => {
  fs.rmSync(directory, { recursive: true, force: true });
});

/** An S3 bucket in memory that serves ListObjectsV2 and records requests. */
class MemoryBucket {
  readonly keys = new Set<string>();
  readonly requests: ListObjectsV2CommandInput[] = [];

  constructor(private readonly pageSize = 3) {}

  /** A stand-in for S3Client.send that serves ListObjectsV2Command. */
  readonly client = {
    send: async (command: { input: ListObjectsV2CommandInput }) =>
      this.list(command.input),
  } as unknown as S3Client;

  private list(input: ListObjectsV2CommandInput): ListObjectsV2CommandOutput {
    this.requests.push(input);
    const prefix = input.Prefix ?? "";
    const after = input.ContinuationToken ?? input.StartAfter ?? "";
    const sorted = [...this.keys].sort((a, b) =>
      Buffer.compare(Buffer.from(a), Buffer.from(b)),
    );
    const contents: string[] = [];
    const common: string[] = [];
    let last = "";
    let truncated = false;
    for (const key of sorted) {
      if (
        !key.startsWith(prefix) ||
        Buffer.compare(Buffer.from(key), Buffer.from(after)) <= 0
      ) {
        continue;
      }
      let entry = key;
      let isCommon = false;
      if (input.Delimiter) {
        const index = key.indexOf(input.Delimiter, prefix.length);
        if (index !== -1) {
          entry = key.slice(0, index + input.Delimiter.length);
          isCommon = true;
        }
      }
      if (isCommon && common.at(-1) === entry) continue;
      if (Buffer.compare(Buffer.from(entry), Buffer.from(after)) <= 0) continue;
      if (contents.length + common.length >= this.pageSize) {
        truncated = true;
        break;
      }
      (isCommon ? common : contents).push(entry);
      // The next page starts after the whole common prefix.
      last = isCommon ? `${entry}\u{10ffff}` : entry;
    }
    return {
      $metadata: {},
      Contents: contents.map((Key) => ({
        Key,
        Size: 10,
        ETag: `"${Key.length}"`,
      })),
      CommonPrefixes: common.map((Prefix) => ({ Prefix })),
      IsTruncated: truncated,
      NextContinuationToken: truncated ? last : undefined,
    };
  }
}

const LOCATION: LogLocation = {
  logBucket: "logs",
  logPrefix: "p/",
  region: "us-east-1",
  endpoint: undefined,
  client: {},
  buckets: ["site"],
};

function freshLedger(): { db: Db; ledger: PullLedger } {
  const db = openDatabase(
    path.join(directory, `ledger-${Date.now()}-${Math.random()}.db`),
  );
  return { db, ledger: new PullLedger(db) };
}

function store(db: Db, keys: readonly string[]): void {
  const insert = db.prepare(
    "INSERT INTO log_objects (source, etag, ingested_at) VALUES (?, ?, '2024-05-01 00:00:00')",
  );
  for (const key of keys) insert.run(`s3://logs/${key}`, `"${key.length}"`);
}

async function listAll(
  bucket: MemoryBucket,
  ledger: PullLedger,
  options: ListOptions,
): Promise<{ logs: string[]; notLogs: number }> {
  const logs: string[] = [];
  let notLogs = 0;
  const pages: AsyncIterable<ListedPage> = listLogObjects(
    bucket.client,
    LOCATION,
    ledger,
    options,
  );
  for await (const page of pages) {
    logs.push(...page.logs.map((object) => object.key));
    notLogs += page.notLogs;
  }
  return { logs: logs.sort(), notLogs };
}

const DAY = 86_400_000;
const SITE = "p/123456789012/us-east-1/site/";
const OTHER = "p/987654321098/eu-west-1/other/";

test("next run lists each layout from its checkpoint", async () => {
  const bucket = new MemoryBucket();
  const old = [
    "p/2024-04-01-00-00-00-OLD",
    "p/2024-05-01-10-00-00-A",
    `${SITE}2024/04/01/2024-04-01-00-00-00-OLD`,
    `${SITE}2024/05/01/2024-05-01-00-00-00-A`,
  ];
  for (const key of old) bucket.keys.add(key);
  const { db, ledger } = freshLedger();
  store(db, old);

  const arrived = [
    "p/2024-05-01-09-00-00-LATE",
    "p/2024-05-02-00-00-00-NEW",
    `${SITE}2024/04/30/2024-04-30-00-00-00-LATE`,
    `${SITE}2024/05/01/2024-05-01-00-00-00-B`,
    `${OTHER}2023/01/01/2023-01-01-00-00-00-FIRST`,
  ];
  for (const key of arrived) bucket.keys.add(key);
  bucket.keys.add("p/notes.txt");
  bucket.keys.add(`${SITE}2024/05/01/notes.txt`);
  bucket.keys.add("p/other-service/x/y-z.json");

  const { logs, notLogs } = await listAll(bucket, ledger, {
    lookbackMs: 2 * DAY,
  });

  // Listed from the checkpoint minus the lookback: the stored object of
  // 2024-05-01 comes back (the caller skips it), those of April 1 do not.
  expect(logs).toEqual(
    [
      ...arrived,
      "p/2024-05-01-10-00-00-A",
      `${SITE}2024/05/01/2024-05-01-00-00-00-A`,
    ].sort(),
  );
  expect(notLogs).toBe(2);
  db.close();
});

test("account discovery does not walk simple keys", async () => {
  const bucket = new MemoryBucket(100);
  for (let day = 1; day <= 28; day++) {
    for (let hour = 0; hour < 24; hour++) {
      const stamp = `2024-02-${String(day).padStart(2, "0")}-${String(hour).padStart(2, "0")}`;
      bucket.keys.add(`p/${stamp}-00-00-X`);
    }
  }
  bucket.keys.add(`${SITE}2024/02/28/2024-02-28-00-00-00-A`);
  const { db, ledger } = freshLedger();
  store(db, ["p/2024-02-28-23-00-00-X"]);

  await listAll(bucket, ledger, { lookbackMs: DAY });

  // The 672 simple keys fold into the common prefix p/2024-, so finding the
  // account takes one request where a "/" delimiter would take seven.
  expect(
    bucket.requests.filter((request) => request.Delimiter === "-"),
  ).toHaveLength(1);
  // Simple keys from the checkpoint, accounts, regions, buckets, the folder.
  expect(bucket.requests).toHaveLength(5);
  db.close();
});

test("since overrides the checkpoint", async () => {
  const bucket = new MemoryBucket();
  const keys = [
    "p/2024-05-01-10-00-00-A",
    "p/2024-05-10-10-00-00-B",
    `${SITE}2024/05/01/2024-05-01-00-00-00-A`,
    `${SITE}2024/05/10/2024-05-10-00-00-00-B`,
  ];
  for (const key of keys) bucket.keys.add(key);
  const { db, ledger } = freshLedger();

  const { logs } = await listAll(bucket, ledger, {
    lookbackMs: DAY,
    since: new Date("2024-05-05T00:00:00Z"),
  });

  expect(logs).toEqual([keys[3], keys[1]].sort());
  db.close();
});

test("first run lists the whole prefix once", async () => {
  const bucket = new MemoryBucket();
  const keys = [
    "p/2024-05-01-10-00-00-A",
    `${SITE}2024/05/01/2024-05-01-00-00-00-A`,
    `${OTHER}2024/05/01/2024-05-01-00-00-00-B`,
  ];
  for (const key of keys) bucket.keys.add(key);
  bucket.keys.add("p/readme");
  const { db, ledger } = freshLedger();

  const { logs, notLogs } = await listAll(bucket, ledger, {
    lookbackMs: DAY,
  });

  expect(logs).toEqual([...keys].sort());
  expect(notLogs).toBe(1);
  expect(bucket.requests.every((request) => !request.Delimiter)).toBe(true);
  db.close();
});
