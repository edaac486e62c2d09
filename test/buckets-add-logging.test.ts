import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  test,
} from "vitest";
import { makeTempDir, runCliAsync } from "./helpers/cli.js";
import { startS3, type TestS3 } from "./helpers/s3rver.js";

let dir: string;
let remove: () => void;

beforeEach(() => {
  ({ dir, remove } = makeTempDir("logging"));
});

afterEach(() => {
  remove();
});

const CREDENTIALS = {
  AWS_ACCESS_KEY_ID: "TEST",
  AWS_SECRET_ACCESS_KEY: "TEST",
  AWS_REGION: "us-east-1",
};

function readConfig(): unknown {
  return JSON.parse(
    fs.readFileSync(path.join(dir, "tamarin.config.json"), "utf8"),
  );
}

// s3rver 3.7.1 answers GetBucketLogging (GET /bucket?logging) with a
// ListBucketResult and status 200, which the SDK reads as logging disabled.
// So s3rver shows only that outcome and a missing bucket. The paths that
// read a logging configuration use the small S3 stand-in further down.
describe("against s3rver", () => {
  let s3: TestS3;

  beforeAll(async () => {
    s3 = await startS3(["shop-site"]);
  });

  afterAll(async () => {
    await s3.close();
  });

  function addAgainstS3rver(name: string) {
    return runCliAsync(
      ["buckets", "add", name, "--endpoint", s3.endpoint, "--path-style"],
      { cwd: dir, env: s3.env },
    );
  }

  test("s3rver reads as logging disabled", async () => {
    const result = await addAgainstS3rver("shop-site");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'server access logging is not enabled on bucket "shop-site"',
    );
    expect(fs.existsSync(path.join(dir, "tamarin.config.json"))).toBe(false);
  });

  test("missing bucket is named", async () => {
    const result = await addAgainstS3rver("missing-site");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `bucket "missing-site" not found at endpoint ${s3.endpoint}`,
    );
  });
});

/**
 * A real HTTP server on 127.0.0.1 that answers GetBucketLogging with the
 * S3 XML for each bucket name in `responses`. It records each request.
 */
describe("against an S3 stand-in", () => {
  interface Reply {
    readonly status: number;
    readonly body: string;
  }
  const NS = 'xmlns="http://doc.s3.amazonaws.com/2006-03-01"';
  const replies: Record<string, Reply> = {
    "shop-site": {
      status: 200,
      body: `<BucketLoggingStatus ${NS}><LoggingEnabled><TargetBucket>shop-logs</TargetBucket><TargetPrefix>shop/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>`,
    },
    "news-site": {
      status: 200,
      body: `<BucketLoggingStatus ${NS}><LoggingEnabled><TargetBucket>all-logs</TargetBucket><TargetPrefix>news/</TargetPrefix><TargetObjectKeyFormat><PartitionedPrefix><PartitionDateSource>EventTime</PartitionDateSource></PartitionedPrefix></TargetObjectKeyFormat></LoggingEnabled></BucketLoggingStatus>`,
    },
    "bare-site": {
      status: 200,
      body: `<BucketLoggingStatus ${NS}><LoggingEnabled><TargetBucket>bare-logs</TargetBucket></LoggingEnabled></BucketLoggingStatus>`,
    },
    "quiet-site": {
      status: 200,
      body: `<BucketLoggingStatus ${NS} />`,
    },
    "secret-site": {
      status: 403,
      body: "<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>1</RequestId></Error>",
    },
    "far-site": {
      status: 301,
      body: "<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message><Bucket>far-site</Bucket><Endpoint>far-site.s3.eu-west-1.amazonaws.com</Endpoint><RequestId>2</RequestId></Error>",
    },
  };
  const requests: { method: string; url: string }[] = [];
  let server: http.Server;
  let endpoint: string;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      requests.push({ method: request.method ?? "", url: request.url ?? "" });
      const name = new URL(request.url ?? "/", "http://localhost").pathname
        .split("/")
        .filter(Boolean)[0];
      const reply = replies[name ?? ""] ?? {
        status: 404,
        body: "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>",
      };
      response.writeHead(reply.status, { "content-type": "application/xml" });
      response.end(`<?xml version="1.0" encoding="UTF-8"?>\n${reply.body}`);
    });
    await new Promise<void>((resolve) =>
      server.listen(0, "127.0.0.1", resolve),
    );
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    requests.length = 0;
  });

  function add(name: string, ...extra: string[]) {
    return runCliAsync(
      [
        "buckets",
        "add",
        name,
        "--endpoint",
        endpoint,
        "--path-style",
        ...extra,
      ],
      { cwd: dir, env: CREDENTIALS },
    );
  }

  test("fills in the log location", async () => {
    const result = await add("shop-site");
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(
      'bucket "shop-site" logs to s3://shop-logs/shop/\n',
    );
    expect(readConfig()).toEqual({
      buckets: [
        {
          name: "shop-site",
          logBucket: "shop-logs",
          logPrefix: "shop/",
          endpoint,
          forcePathStyle: true,
          monitor: true,
        },
      ],
    });
  });

  test("sends GetBucketLogging for the bucket", async () => {
    await add("shop-site");
    expect(requests).toHaveLength(1);
    const url = new URL(requests[0]!.url, endpoint);
    expect(requests[0]!.method).toBe("GET");
    expect(url.pathname.replace(/\/$/, "")).toBe("/shop-site");
    expect(url.searchParams.has("logging")).toBe(true);
  });

  test("reports partitioned keys", async () => {
    const result = await add("news-site");
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(
      'bucket "news-site" logs to s3://all-logs/news/ with date-based partitioned keys',
    );
  });

  test("missing prefix becomes empty", async () => {
    const result = await add("bare-site");
    expect(result.status).toBe(0);
    expect(readConfig()).toMatchObject({
      buckets: [{ logBucket: "bare-logs", logPrefix: "" }],
    });
  });

  test("--log-prefix overrides the prefix found", async () => {
    const result = await add("shop-site", "--log-prefix", "other/");
    expect(result.status).toBe(0);
    expect(readConfig()).toMatchObject({
      buckets: [{ logBucket: "shop-logs", logPrefix: "other/" }],
    });
  });

  test("--log-bucket skips the look-up", async () => {
    const result = await add("quiet-site", "--log-bucket", "given-logs");
    expect(result.status).toBe(0);
    expect(requests).toHaveLength(0);
  });

  test("logging disabled says what to do", async () => {
    const result = await add("quiet-site");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'server access logging is not enabled on bucket "quiet-site"',
    );
    expect(result.stderr).toContain("pass --log-bucket");
    expect(fs.existsSync(path.join(dir, "tamarin.config.json"))).toBe(false);
  });

  test("access denied names the bucket", async () => {
    const result = await add("secret-site");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'access denied reading the logging configuration of bucket "secret-site"',
    );
    expect(result.stderr).toContain("s3:GetBucketLogging");
  });

  test("access denied names the profile", async () => {
    // runCli sets HOME to .test-home in the working folder.
    const awsFolder = path.join(dir, ".test-home", ".aws");
    fs.mkdirSync(awsFolder, { recursive: true });
    fs.writeFileSync(
      path.join(awsFolder, "credentials"),
      "[reader]\naws_access_key_id = TEST\naws_secret_access_key = TEST\n",
    );
    const result = await runCliAsync(
      [
        "buckets",
        "add",
        "secret-site",
        "--endpoint",
        endpoint,
        "--path-style",
        "--profile",
        "reader",
      ],
      { cwd: dir, env: { AWS_REGION: "us-east-1" } },
    );
    expect(result.status).toBe(1);
    expect(requests).toHaveLength(1);
    expect(result.stderr).toContain("credentials of profile reader");
  });

  test("missing profile is reported", async () => {
    const result = await runCliAsync(
      [
        "buckets",
        "add",
        "shop-site",
        "--endpoint",
        endpoint,
        "--path-style",
        "--profile",
        "nobody",
      ],
      { cwd: dir, env: { AWS_REGION: "us-east-1" } },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'no AWS credentials found to read the logging configuration of bucket "shop-site"',
    );
    expect(requests).toHaveLength(0);
  });

  test("no such bucket names the bucket", async () => {
    const result = await add("gone-site");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`bucket "gone-site" not found`);
  });

  test("other region suggests --region", async () => {
    const result = await add("far-site");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`bucket "far-site" is not in endpoint`);
    expect(result.stderr).toContain("--region");
  });

  test("duplicate is rejected before the look-up", async () => {
    fs.writeFileSync(
      path.join(dir, "tamarin.config.json"),
      JSON.stringify({
        buckets: [{ name: "shop-site", logBucket: "shop-logs" }],
      }),
    );
    const result = await add("shop-site");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("already in");
    expect(requests).toHaveLength(0);
  });
});
