import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { Logger } from "../src/log.js";
import type { BucketConfig } from "../src/config/schema.js";
import {
  pullExitCode,
  pullLogs,
  type PullOptions,
  type PullSettings,
} from "../src/s3/pull.js";
import { openDatabase, type Db } from "../src/store/database.js";
import { startFaultProxy, type FaultProxy } from "./helpers/fault-proxy.js";
import { logObject } from "./helpers/log-objects.js";
import { startS3, type TestS3 } from "./helpers/s3rver.js";

let s3: TestS3;
let directory: string;
let bucketCounter = 0;
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  s3 = await startS3([]);
  // The product's client takes credentials from the SDK's default chain.
  Object.assign(process.env, s3.env);
  directory = fs.mkdtempSync(path.join(os.tmpdir(), "tamarin-pull-"));
});

afterAll(async () => {
  await s3.close();
  fs.rmSync(directory, { recursive: true, force: true });
});

afterEach(async () => {
  while (proxies.length > 0) await proxies.pop()!.close();
});

/** Creates a log bucket in s3rver that no other test uses. */
async function freshLogBucket(): Promise<string> {
  bucketCounter++;
  const name = `logs-${bucketCounter}`;
  await s3.client.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

function bucketConfig(
  name: string,
  logBucket: string,
  logPrefix: string,
  endpoint = s3.endpoint,
): BucketConfig {
  return {
    name,
    logBucket,
    logPrefix,
    endpoint,
    forcePathStyle: true,
    region: "us-east-1",
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    monitor: true,
  };
}

function settings(
  buckets: BucketConfig[],
  overrides: Partial<PullSettings> = {},
): PullSettings {
  return {
    concurrency: 4,
    lookback: "2d",
    purgeParsedKeys: false,
    buckets,
    ...overrides,
  };
}

function freshDatabase(): { db: Db; file: string } {
  const file = path.join(directory, `db-${Date.now()}-${Math.random()}.db`);
  return { db: openDatabase(file), file };
}

/** Creates a logger whose output the test can read. */
function captureLogger(): { logger: Logger; output: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { logger: new Logger("verbose", stream), output: () => text };
}

async function put(bucket: string, key: string, body: string): Promise<void> {
  await s3.client.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }),
  );
}

async function listKeys(client: S3Client, bucket: string): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (page.Contents ?? []).map((object) => object.Key!).sort();
}

async function pull(
  db: Db | null,
  config: PullSettings,
  options: PullOptions = {},
) {
  const { logger, output } = captureLogger();
  const summary = await pullLogs(
    db,
    config,
    { retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 }, ...options },
    logger,
  );
  return { summary, log: output() };
}

function countBy(db: Db, sql: string): Record<string, number> {
  const rows = db.prepare(sql).all() as { name: string; count: number }[];
  return Object.fromEntries(rows.map((row) => [row.name, row.count]));
}

const ACCOUNT = "123456789012";

test("shared location read once per object", async () => {
  const logBucket = await freshLogBucket();
  await put(logBucket, "access/2024-05-01-10-00-00-A1", logObject("site-a", 3));
  await put(logBucket, "access/2024-05-01-11-00-00-B1", logObject("site-b", 2));
  await put(logBucket, "access/2024-05-01-12-00-00-A2", logObject("site-a", 4));
  const proxy = await startFaultProxy(s3.endpoint, () => ({ kind: "forward" }));
  proxies.push(proxy);
  const { db } = freshDatabase();

  const { summary } = await pull(
    db,
    settings([
      bucketConfig("site-a", logBucket, "access/", proxy.endpoint),
      bucketConfig("site-b", logBucket, "access/", proxy.endpoint),
    ]),
  );

  expect(summary.locations).toBe(1);
  expect(summary.pulled).toBe(3);
  expect(summary.skipped).toBe(0);
  expect(summary.records).toBe(9);
  const gets = proxy.requests.filter(
    (request) => request.method === "GET" && !request.query.has("list-type"),
  );
  expect(gets.map((request) => request.path).sort()).toEqual([
    `/${logBucket}/access/2024-05-01-10-00-00-A1`,
    `/${logBucket}/access/2024-05-01-11-00-00-B1`,
    `/${logBucket}/access/2024-05-01-12-00-00-A2`,
  ]);
  expect(
    countBy(
      db,
      "SELECT bucket AS name, count(*) AS count FROM log_records GROUP BY bucket",
    ),
  ).toEqual({ "site-a": 7, "site-b": 2 });
  expect(pullExitCode(summary)).toBe(0);
  db.close();
});

test("first run reads both layouts mixed", async () => {
  const logBucket = await freshLogBucket();
  const folder = `logs/${ACCOUNT}/us-east-1/site-c/`;
  await put(logBucket, "logs/2024-05-01-10-00-00-S1", logObject("site-c", 2));
  await put(
    logBucket,
    `${folder}2024/05/01/2024-05-01-00-00-00-P1`,
    logObject("site-c", 3, { first: 10 }),
  );
  await put(
    logBucket,
    `${folder}2024/05/02/2024-05-02-00-00-00-P2`,
    logObject("site-c", 1, { first: 20, rejects: 2 }),
  );
  await put(logBucket, "logs/README.txt", "not a log\n");
  await put(logBucket, `${folder}2024/05/02/notes.txt`, "not a log\n");
  const { db } = freshDatabase();

  const { summary } = await pull(
    db,
    settings([bucketConfig("site-c", logBucket, "logs/")]),
  );

  expect(summary.pulled).toBe(3);
  expect(summary.records).toBe(6);
  expect(summary.rejects).toBe(2);
  expect(summary.notLogs).toBe(2);
  const sources = db
    .prepare("SELECT source FROM log_objects ORDER BY source")
    .pluck()
    .all();
  expect(sources).toEqual([
    `s3://${logBucket}/${folder}2024/05/01/2024-05-01-00-00-00-P1`,
    `s3://${logBucket}/${folder}2024/05/02/2024-05-02-00-00-00-P2`,
    `s3://${logBucket}/logs/2024-05-01-10-00-00-S1`,
  ]);
  db.close();
});

test("late simple object ingested on next run", async () => {
  const logBucket = await freshLogBucket();
  const config = settings([bucketConfig("site-d", logBucket, "d/")], {
    lookback: "6h",
  });
  await put(logBucket, "d/2024-05-01-10-00-00-AAAA", logObject("site-d", 2));
  await put(logBucket, "d/2024-05-01-12-00-00-BBBB", logObject("site-d", 2));
  const { db } = freshDatabase();
  const first = await pull(db, config);
  expect(first.summary.pulled).toBe(2);

  // Arrives late, with a name older than the newest stored key but inside
  // the lookback; a second one lies before the lookback window.
  await put(logBucket, "d/2024-05-01-11-00-00-CCCC", logObject("site-d", 5));
  await put(logBucket, "d/2024-04-30-01-00-00-DDDD", logObject("site-d", 7));
  const second = await pull(db, config);

  expect(second.summary.pulled).toBe(1);
  expect(second.summary.records).toBe(5);
  expect(second.summary.skipped).toBe(2);
  const stored = db
    .prepare("SELECT count(*) FROM log_objects WHERE source LIKE ?")
    .pluck()
    .get(`s3://${logBucket}/d/2024-05-01-11-00-00-CCCC`);
  expect(stored).toBe(1);
  db.close();
});

test("since bounds the first run", async () => {
  const logBucket = await freshLogBucket();
  await put(logBucket, "e/2024-05-01-10-00-00-AAAA", logObject("site-e", 2));
  await put(logBucket, "e/2024-05-03-10-00-00-BBBB", logObject("site-e", 3));
  const { db } = freshDatabase();

  const { summary } = await pull(
    db,
    settings([bucketConfig("site-e", logBucket, "e/")]),
    { since: new Date("2024-05-02T00:00:00Z") },
  );

  expect(summary.pulled).toBe(1);
  expect(summary.records).toBe(3);
  db.close();
});

test("dry run writes and deletes nothing", async () => {
  const logBucket = await freshLogBucket();
  await put(logBucket, "f/2024-05-01-10-00-00-AAAA", logObject("site-f", 2));
  await put(logBucket, "f/other.txt", "x\n");

  const { summary } = await pull(
    null,
    settings([bucketConfig("site-f", logBucket, "f/")], {
      purgeParsedKeys: true,
    }),
    { dryRun: true },
  );

  expect(summary.wouldPull.map((object) => object.source)).toEqual([
    `s3://${logBucket}/f/2024-05-01-10-00-00-AAAA`,
  ]);
  expect(summary.pulled).toBe(0);
  expect(summary.notLogs).toBe(1);
  expect(summary.wouldPurge).toBe(1);
  expect(await listKeys(s3.client, logBucket)).toEqual([
    "f/2024-05-01-10-00-00-AAAA",
    "f/other.txt",
  ]);
});

test("dry run counts stored objects it would purge", async () => {
  const logBucket = await freshLogBucket();
  const config = settings([bucketConfig("site-f2", logBucket, "f2/")]);
  await put(logBucket, "f2/2024-05-01-09-00-00-OLD1", logObject("site-f2", 1));
  const { db } = freshDatabase();
  await pull(db, config);
  await put(logBucket, "f2/2024-05-01-10-00-00-NEW1", logObject("site-f2", 1));

  const { summary } = await pull(db, config, { dryRun: true, purge: true });

  expect(summary.wouldPull).toHaveLength(1);
  expect(summary.skipped).toBe(1);
  expect(summary.wouldPurge).toBe(2);
  db.close();
});

test("purge deletes only committed objects", async () => {
  const logBucket = await freshLogBucket();
  const config = settings([bucketConfig("site-g", logBucket, "g/")]);
  await put(logBucket, "g/2024-05-01-09-00-00-OLD1", logObject("site-g", 1));
  const { db } = freshDatabase();
  await pull(db, config);

  await put(logBucket, "g/2024-05-01-10-00-00-NEW1", logObject("site-g", 2));
  await put(logBucket, "g/2024-05-01-11-00-00-NEW2", logObject("site-g", 2));
  await put(logBucket, "g/2024-05-01-12-00-00-DENY", logObject("site-g", 2));
  await put(logBucket, "g/readme.txt", "not a log\n");
  // The bucket policy denies reading one object: s3rver has no policies,
  // so a proxy in front of it returns 403 for that key.
  const proxy = await startFaultProxy(s3.endpoint, (request) =>
    request.method === "GET" && request.path.endsWith("DENY")
      ? { kind: "error", status: 403, code: "AccessDenied" }
      : { kind: "forward" },
  );
  proxies.push(proxy);

  const { summary, log } = await pull(
    db,
    settings([bucketConfig("site-g", logBucket, "g/", proxy.endpoint)]),
    { purge: true },
  );

  expect(summary.pulled).toBe(2);
  expect(summary.skipped).toBe(1);
  expect(summary.failed).toBe(1);
  expect(summary.purged).toBe(3);
  expect(log).toContain(
    `access denied reading s3://${logBucket}/g/2024-05-01-12-00-00-DENY`,
  );
  expect(await listKeys(s3.client, logBucket)).toEqual([
    "g/2024-05-01-12-00-00-DENY",
    "g/readme.txt",
  ]);
  expect(pullExitCode(summary)).toBe(3);
  db.close();
});

test("access denied on listing names the policy", async () => {
  // s3rver has no IAM policies; this server responds to every request with
  // S3's 403 AccessDenied error.
  const proxy = await startFaultProxy(null, () => ({
    kind: "error",
    status: 403,
    code: "AccessDenied",
  }));
  proxies.push(proxy);
  const { db } = freshDatabase();

  const { summary, log } = await pull(
    db,
    settings([bucketConfig("site-h", "secret-logs", "h/", proxy.endpoint)]),
  );

  expect(summary.locationsFailed).toBe(1);
  expect(log).toContain("access denied listing s3://secret-logs/h/");
  expect(log).toContain("s3:ListBucket on arn:aws:s3:::secret-logs");
  expect(log).toContain("s3:GetObject on arn:aws:s3:::secret-logs/h/*");
  expect(pullExitCode(summary)).toBe(1);
  db.close();
});

test("missing log bucket is named", async () => {
  const { db } = freshDatabase();

  const { summary, log } = await pull(
    db,
    settings([bucketConfig("site-i", "no-such-logs", "i/")]),
  );

  expect(summary.locationsFailed).toBe(1);
  expect(log).toContain(
    `log bucket no-such-logs not found at ${s3.endpoint} (region us-east-1)`,
  );
  expect(pullExitCode(summary)).toBe(1);
  db.close();
});

test.each([
  {
    code: "AuthorizationHeaderMalformed",
    status: 400,
    extra: "<Region>eu-west-1</Region>",
    expected: "set region: eu-west-1",
  },
  {
    code: "PermanentRedirect",
    status: 301,
    extra: "<Endpoint>wrong.s3.ap-south-1.amazonaws.com</Endpoint>",
    expected: "set region: ap-south-1",
  },
  {
    code: "ExpiredToken",
    status: 400,
    extra: "",
    expected: "AWS credentials expired",
  },
])("$code error message", async ({ code, status, extra, expected }) => {
  // S3 returns these for a wrong region or stale session credentials, which
  // s3rver never checks; this server sends S3's error response instead.
  const proxy = await startFaultProxy(null, () => ({
    kind: "error",
    status,
    code,
    extra,
  }));
  proxies.push(proxy);
  const { db } = freshDatabase();

  const { log } = await pull(
    db,
    settings([bucketConfig("site-j", "far-logs", "j/", proxy.endpoint)]),
  );

  expect(log).toContain(expected);
  db.close();
});

test("SlowDown retried until success", async () => {
  const logBucket = await freshLogBucket();
  await put(logBucket, "k/2024-05-01-10-00-00-AAAA", logObject("site-k", 3));
  let refusals = 0;
  const proxy = await startFaultProxy(s3.endpoint, (request) => {
    if (
      request.method === "GET" &&
      request.path.endsWith("AAAA") &&
      refusals < 2
    ) {
      refusals++;
      return { kind: "error", status: 503, code: "SlowDown" };
    }
    return { kind: "forward" };
  });
  proxies.push(proxy);
  const { db } = freshDatabase();

  const { summary } = await pull(
    db,
    settings([bucketConfig("site-k", logBucket, "k/", proxy.endpoint)]),
  );

  expect(refusals).toBe(2);
  expect(summary.pulled).toBe(1);
  expect(summary.records).toBe(3);
  expect(summary.failed).toBe(0);
  db.close();
});

test.each([
  { size: "small", lines: 20 },
  { size: "large", lines: 6000 },
])("$size body cut mid-way is downloaded again", async ({ lines }) => {
  const logBucket = await freshLogBucket();
  const body = logObject("site-l", lines);
  await put(logBucket, "l/2024-05-01-10-00-00-AAAA", body);
  let cuts = 0;
  const proxy = await startFaultProxy(s3.endpoint, (request) => {
    if (request.method === "GET" && request.path.endsWith("AAAA") && cuts < 1) {
      cuts++;
      return { kind: "cut-body", afterBytes: Math.floor(body.length / 2) };
    }
    return { kind: "forward" };
  });
  proxies.push(proxy);
  const { db } = freshDatabase();

  const { summary } = await pull(
    db,
    settings([bucketConfig("site-l", logBucket, "l/", proxy.endpoint)]),
  );

  expect(cuts).toBe(1);
  expect(summary.retries).toBe(1);
  expect(summary.pulled).toBe(1);
  expect(summary.records).toBe(lines);
  expect(db.prepare("SELECT count(*) FROM log_records").pluck().get()).toBe(
    lines,
  );
  db.close();
});

/**
 * Tells whether the server returns CommonPrefixes for folders that hold
 * only folders, as S3 does. s3rver 3.7.1 does not: its listing skips such
 * directories without recording them.
 */
async function listsNestedFolders(bucket: string): Promise<boolean> {
  await put(bucket, "probe/a/b/c", "x");
  const page = await s3.client.send(
    new ListObjectsV2Command({
      Bucket: bucket,
      Prefix: "probe/",
      Delimiter: "/",
    }),
  );
  return (page.CommonPrefixes ?? []).some(
    (common) => common.Prefix === "probe/a/",
  );
}

test("mixed prefix lists simple keys on next run", async () => {
  const logBucket = await freshLogBucket();
  const folder = `m/${ACCOUNT}/us-east-1/site-m/`;
  const config = settings([bucketConfig("site-m", logBucket, "m/")], {
    lookback: "1h",
  });
  await put(logBucket, "m/2024-05-01-10-00-00-AAAA", logObject("site-m", 1));
  await put(
    logBucket,
    `${folder}2024/05/01/2024-05-01-00-00-00-P1`,
    logObject("site-m", 2),
  );
  const { db } = freshDatabase();
  expect((await pull(db, config)).summary.pulled).toBe(2);

  await put(logBucket, "m/2024-05-01-10-30-00-BBBB", logObject("site-m", 4));
  const { summary } = await pull(db, config);

  expect(summary.pulled).toBe(1);
  expect(summary.records).toBe(4);
  db.close();
});

test("late partitioned objects ingested on next run", async (context) => {
  const logBucket = await freshLogBucket();
  // NOTE: skipped on s3rver 3.7.1, which cannot list the account, region
  // and bucket folders that the next run looks for.
  if (!(await listsNestedFolders(logBucket))) context.skip();
  const folder = `n/${ACCOUNT}/us-east-1/site-n/`;
  const config = settings([bucketConfig("site-n", logBucket, "n/")], {
    lookback: "2d",
  });
  await put(
    logBucket,
    `${folder}2024/05/01/2024-05-01-00-00-00-P1`,
    logObject("site-n", 1),
  );
  await put(
    logBucket,
    `${folder}2024/05/02/2024-05-02-00-00-00-P2`,
    logObject("site-n", 1),
  );
  const { db } = freshDatabase();
  expect((await pull(db, config)).summary.pulled).toBe(2);

  // Event-time partitioning: more objects for a past day, under the same
  // name prefix; and a second source bucket that starts logging here.
  await put(
    logBucket,
    `${folder}2024/05/01/2024-05-01-00-00-00-P3`,
    logObject("site-n", 3),
  );
  await put(
    logBucket,
    `n/${ACCOUNT}/us-east-1/site-o/2024/04/01/2024-04-01-00-00-00-Q1`,
    logObject("site-o", 2),
  );
  const { summary } = await pull(db, config);

  expect(summary.pulled).toBe(2);
  expect(summary.records).toBe(5);
  expect(summary.skipped).toBe(2);
  db.close();
});

test("unknown --bucket name is rejected", async () => {
  const logBucket = await freshLogBucket();

  await expect(
    pull(null, settings([bucketConfig("site-p", logBucket, "p/")]), {
      dryRun: true,
      buckets: ["site-q"],
    }),
  ).rejects.toThrow("--bucket site-q: not a monitored bucket in the config");
});
