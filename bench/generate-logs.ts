/**
 * A deterministic generator of realistic S3 server access log lines, for the
 * demo fixtures and for benchmark inputs. The same options always give the
 * same lines. All names and addresses are documentation values: the AWS
 * example canonical ID and account 123456789012, `awsexamplebucket*`
 * buckets, and IPs from 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and
 * 2001:db8::/32.
 */

/** Options of `generateLogLines`; only `seed` and `count` are required. */
export interface GenerateLogOptions {
  /** PRNG seed: the same seed and options give the same lines. */
  readonly seed: number;
  /** Number of lines to produce, malformed lines included. */
  readonly count: number;
  /** Source buckets, each a separate traffic profile. Default: one bucket. */
  readonly buckets?: readonly string[];
  /** Time of the first request. Default 2024-05-01T00:00:00Z. */
  readonly startTime?: Date;
  /** Seconds over which the requests spread. Default 86,400 (one day). */
  readonly durationSeconds?: number;
  /**
   * Fields per record: 18 (until 2019), 24 (2019), 25 (2021), 26 (2022) or
   * 27 (2026, with source region). Default 26.
   */
  readonly fields?: 18 | 24 | 25 | 26 | 27;
  /**
   * Fraction of lines that are malformed (truncated, spliced or free text),
   * such as 0.001. Default 0.
   */
  readonly malformedRate?: number;
  /**
   * Lines in each daily lifecycle expiration burst, written at the first
   * request after each UTC midnight. Default 2% of `count`, at most 5,000.
   */
  readonly lifecycleBurst?: number;
}

/** One generated line and the source bucket it belongs to. */
export interface GeneratedLine {
  readonly bucket: string;
  /** Request time in milliseconds since the epoch. */
  readonly time: number;
  readonly line: string;
}

/**
 * Generates `count` log lines lazily, so callers can stream millions of
 * lines without holding them. Records are in rough time order with a little
 * jitter, as in real log objects.
 */
export function* generateLogLines(
  options: GenerateLogOptions,
): Generator<string> {
  for (const generated of generateLogEntries(options)) yield generated.line;
}

/**
 * Generates log text in chunks of about `linesPerChunk` lines each ending
 * with a newline, cheaper to feed to a stream than single lines.
 */
export function* generateLogChunks(
  options: GenerateLogOptions,
  linesPerChunk = 1000,
): Generator<string> {
  let lines: string[] = [];
  for (const line of generateLogLines(options)) {
    lines.push(line);
    if (lines.length === linesPerChunk) {
      yield lines.join("\n") + "\n";
      lines = [];
    }
  }
  if (lines.length > 0) yield lines.join("\n") + "\n";
}

/** Generates lines together with their bucket and time (see `GeneratedLine`). */
export function* generateLogEntries(
  options: GenerateLogOptions,
): Generator<GeneratedLine> {
  const world = new LogWorld(options);
  let produced = 0;
  while (produced < options.count) {
    for (const entry of world.nextEvent(options.count - produced)) {
      yield entry;
      produced++;
      if (produced === options.count) return;
    }
  }
}

// xoshiro128** seeded through splitmix32: small, fast and well distributed,
// and unlike Math.random it can be seeded.
class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let state = seed >>> 0;
    const next = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next() || 1;
  }

  /** Returns a uniformly distributed unsigned 32-bit integer. */
  uint32(): number {
    const result = Math.imul(rotateLeft(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotateLeft(this.d, 11);
    return result;
  }

  /** Returns a float in [0, 1). */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** Returns an integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** Returns an exponentially distributed value with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** Returns `length` uppercase hex digits. */
  hex(length: number): string {
    let text = "";
    for (let i = 0; i < length; i += 2) {
      text += HEX_PAIRS[this.uint32() & 0xff];
    }
    return length % 2 === 0 ? text : text.slice(0, length);
  }
}

const HEX_PAIRS = Array.from({ length: 256 }, (_, value) =>
  value.toString(16).padStart(2, "0").toUpperCase(),
);

function rotateLeft(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}

/** Items with weights, picked in proportion to their weight. */
class Weighted<T> {
  private readonly items: readonly T[];
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    this.items = entries.map(([item]) => item);
    let sum = 0;
    for (const [, weight] of entries) {
      sum += weight;
      this.cumulative.push(sum);
    }
    this.total = sum;
  }

  pick(random: Random): T {
    const target = random.float() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.cumulative[middle]! > target) high = middle;
      else low = middle + 1;
    }
    return this.items[low]!;
  }
}

const BUCKET_OWNER =
  "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";
const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

/** The fields of one record, as written in the log (quotes included). */
interface RecordFields {
  bucket: string;
  time: number;
  ip: string;
  requester: string;
  requestId: string;
  operation: string;
  key: string;
  /** `"GET /key HTTP/1.1"`, `"-"` or a bare `-`. */
  requestLine: string;
  status: string;
  error: string;
  bytes: string;
  size: string;
  totalTime: string;
  turnaround: string;
  /** Quoted, or a bare `-`. */
  referrer: string;
  /** Quoted, or a bare `-`. */
  userAgent: string;
  versionId: string;
  hostId: string;
  signature: string;
  cipher: string;
  authType: string;
  hostHeader: string;
  tls: string;
  accessPoint: string;
  aclRequired: string;
  sourceRegion: string;
}

interface Client {
  readonly ip: string;
  readonly requester: string;
  readonly userAgent: string;
  /** Sends a Referer header from a web page. */
  readonly browser: boolean;
  /** Requests keys that do not exist, such as /wp-login.php. */
  readonly scanner: boolean;
}

interface StoredObject {
  readonly key: string;
  readonly size: number;
}

type EventKind =
  | "get"
  | "head"
  | "put"
  | "list"
  | "website"
  | "missing"
  | "denied"
  | "delete"
  | "multipart"
  | "multiDelete"
  | "copy"
  | "presigned";

interface BucketProfile {
  readonly name: string;
  readonly events: Weighted<EventKind>;
  readonly objects: Weighted<StoredObject>;
  readonly clients: Weighted<Client>;
  /** Anyone may read objects; in other buckets anonymous reads are denied. */
  readonly publicRead: boolean;
}

// Event kinds an unauthenticated client can perform; the others are denied.
const ANONYMOUS_EVENTS: ReadonlySet<EventKind> = new Set([
  "get",
  "head",
  "website",
  "missing",
  "denied",
  "presigned",
]);

const USER_AGENTS = {
  awsCli:
    "aws-cli/2.15.40 Python/3.11.8 Linux/6.1.0-21-cloud-amd64 exe/x86_64.debian.12 prompt/off command/s3.cp",
  boto3:
    "Boto3/1.34.100 md/Botocore#1.34.100 ua/2.0 os/linux#6.1.0-1018-aws md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.100",
  jsSdk:
    "aws-sdk-js/3.575.0 ua/2.1 os/linux#5.10.215-203.850.amzn2.x86_64 lang/js md/nodejs#20.12.2 api/s3#3.575.0 m/E,N",
  chrome:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  safari:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
  firefox:
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
  googlebot:
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  scanner: "Mozilla/5.0 zgrab/0.x",
  pythonRequests: "python-requests/2.31.0",
  curl: "curl/8.5.0",
  console: "S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.688",
} as const;

// A few clients send the same address most of the time: a CI runner pulling
// a large dataset, an application server and a vulnerability scanner.
const HEAVY_CLIENTS: readonly (readonly [Client, number])[] = [
  [
    {
      ip: "203.0.113.10",
      requester: `arn:aws:iam::${ACCOUNT}:user/ci-runner`,
      userAgent: USER_AGENTS.awsCli,
      browser: false,
      scanner: false,
    },
    18,
  ],
  [
    {
      ip: "198.51.100.23",
      requester: `arn:aws:sts::${ACCOUNT}:assumed-role/app-server/i-0a1b2c3d4e5f67890`,
      userAgent: USER_AGENTS.jsSdk,
      browser: false,
      scanner: false,
    },
    14,
  ],
  [
    {
      ip: "192.0.2.66",
      requester: "-",
      userAgent: USER_AGENTS.scanner,
      browser: false,
      scanner: true,
    },
    5,
  ],
];

/** Holds the state of the generated traffic: clock, pending lines, uploads. */
class LogWorld {
  private readonly random: Random;
  private readonly profiles: BucketProfile[];
  private readonly bucketWeights: Weighted<BucketProfile>;
  private readonly fields: number;
  private readonly malformedRate: number;
  private readonly lifecycleBurst: number;
  private readonly meanGapMs: number;
  private readonly hostIds: string[] = [];
  private clock: number;
  private nextMidnight: number;
  // The last line of each bucket, for splicing malformed lines.
  private readonly previousLines = new Map<string, string>();
  private timeCacheSecond = -1;
  private timeCacheText = "";

  constructor(options: GenerateLogOptions) {
    this.random = new Random(options.seed);
    const start = (
      options.startTime ?? new Date(Date.UTC(2024, 4, 1))
    ).getTime();
    const duration = (options.durationSeconds ?? 86_400) * 1000;
    this.clock = start;
    this.meanGapMs = duration / Math.max(options.count, 1);
    // A burst at the very start when the run begins at midnight.
    this.nextMidnight = Math.ceil(start / 86_400_000) * 86_400_000;
    this.fields = options.fields ?? 26;
    this.malformedRate = options.malformedRate ?? 0;
    this.lifecycleBurst =
      options.lifecycleBurst ??
      Math.min(5000, Math.max(1, Math.round(options.count * 0.02)));
    for (let i = 0; i < 64; i++) this.hostIds.push(this.makeHostId());
    const names = options.buckets ?? ["awsexamplebucket1"];
    this.profiles = names.map((name, index) => this.makeProfile(name, index));
    this.bucketWeights = new Weighted(
      this.profiles.map((profile, index) => [profile, 1 / (index + 1)]),
    );
  }

  /** Returns the lines of the next event: one request or a group of them. */
  nextEvent(remaining: number): GeneratedLine[] {
    this.clock += this.random.exponential(this.meanGapMs);
    if (this.clock >= this.nextMidnight) {
      this.nextMidnight += 86_400_000;
      return this.lifecycleEvent(Math.min(remaining, this.lifecycleBurst));
    }
    const profile = this.bucketWeights.pick(this.random);
    // Records in one log object are only roughly in time order.
    const time = this.clock - this.random.int(0, 2) * 1000;
    if (this.malformedRate > 0 && this.random.chance(this.malformedRate)) {
      return [this.malformedLine(profile, time)];
    }
    const records = this.requestEvent(profile, time, remaining);
    return records.map((record) => {
      const line = this.format(record);
      this.previousLines.set(record.bucket, line);
      return { bucket: record.bucket, time: record.time, line };
    });
  }

  private makeProfile(name: string, index: number): BucketProfile {
    const random = this.random;
    const objects: [StoredObject, number][] = [];
    const clients: (readonly [Client, number])[] = [...HEAVY_CLIENTS];
    let events: [EventKind, number][];

    if (index % 3 === 0) {
      // A public website with downloads: popular pages, one costly dataset.
      const pages = [
        "index.html",
        "about.html",
        "blog/index.html",
        "blog/2024/04/release-notes.html",
        "css/site.css",
        "js/app.js",
        "img/logo.png",
        "img/hero.jpg",
        "favicon.ico",
      ];
      pages.forEach((key, rank) =>
        objects.push([
          { key, size: random.int(800, 250_000) },
          40 / (rank + 1),
        ]),
      );
      objects.push([
        { key: "downloads/dataset-2024.tar.gz", size: 4_831_838_208 },
        6,
      ]);
      objects.push([
        { key: "downloads/report%25202023.pdf", size: 2_483_112 },
        3,
      ]);
      events = [
        ["website", 30],
        ["get", 40],
        ["head", 6],
        ["missing", 8],
        ["denied", 3],
        ["put", 3],
        ["list", 2],
        ["presigned", 3],
        ["copy", 1],
      ];
    } else if (index % 3 === 1) {
      // Application uploads and backups: writes, multipart, deletes, copies.
      for (let i = 0; i < 60; i++) {
        objects.push([
          {
            key: `uploads/2024/05/${random.hex(8).toLowerCase()}-${random.hex(4).toLowerCase()}.jpg`,
            size: random.int(20_000, 6_000_000),
          },
          10 / (i + 1),
        ]);
      }
      objects.push([
        { key: "backups/db-2024-05-01.sql.gz", size: 12_884_901_888 },
        1,
      ]);
      events = [
        ["get", 35],
        ["put", 20],
        ["head", 10],
        ["list", 6],
        ["delete", 4],
        ["multipart", 2],
        ["multiDelete", 2],
        ["copy", 3],
        ["presigned", 8],
        ["missing", 5],
        ["denied", 2],
      ];
    } else {
      // An analytics bucket read by a pipeline and written by log delivery.
      for (let i = 0; i < 24; i++) {
        objects.push([
          {
            key: `events/dt=2024-05-01/hour=${String(i).padStart(2, "0")}/part-0000.parquet`,
            size: random.int(5_000_000, 90_000_000),
          },
          1,
        ]);
      }
      events = [
        ["get", 50],
        ["list", 20],
        ["put", 20],
        ["head", 5],
        ["missing", 3],
        ["denied", 2],
      ];
      clients.push([
        {
          ip: "-",
          requester: "svc:delivery.logs.amazonaws.com",
          userAgent: "aws-internal/3 aws-sdk-java/1.12.616",
          browser: false,
          scanner: false,
        },
        10,
      ]);
    }

    // The long tail of clients: browsers, SDKs and crawlers.
    for (let i = 0; i < 120; i++) {
      const kind = random.int(0, 9);
      const ipv6 = random.chance(0.12);
      const ip = ipv6
        ? `2001:db8:${random.int(1, 0xffff).toString(16)}::${random.int(1, 0xffff).toString(16)}`
        : `${random.pick(["192.0.2", "198.51.100", "203.0.113"])}.${random.int(1, 254)}`;
      let client: Client;
      if (kind < 5) {
        client = {
          ip,
          requester: "-",
          userAgent: random.pick([
            USER_AGENTS.chrome,
            USER_AGENTS.safari,
            USER_AGENTS.firefox,
          ]),
          browser: true,
          scanner: false,
        };
      } else if (kind < 7) {
        client = {
          ip,
          requester: "-",
          userAgent: random.pick([
            USER_AGENTS.googlebot,
            USER_AGENTS.pythonRequests,
            USER_AGENTS.curl,
          ]),
          browser: false,
          scanner: random.chance(0.3),
        };
      } else if (kind < 8) {
        client = {
          ip,
          requester: `arn:aws:iam::${ACCOUNT}:user/${random.pick(["alice", "bob", "carol.jones@example.com"])}`,
          userAgent: USER_AGENTS.console,
          browser: false,
          scanner: false,
        };
      } else {
        client = {
          ip,
          requester: `arn:aws:sts::${ACCOUNT}:assumed-role/etl-job/session-${random.hex(6).toLowerCase()}`,
          userAgent: USER_AGENTS.boto3,
          browser: false,
          scanner: false,
        };
      }
      clients.push([client, 40 / (i + 4)]);
    }

    return {
      name,
      events: new Weighted(events),
      objects: new Weighted(objects),
      clients: new Weighted(clients),
      publicRead: index % 3 === 0,
    };
  }

  private requestEvent(
    profile: BucketProfile,
    time: number,
    remaining: number,
  ): RecordFields[] {
    const random = this.random;
    const client = profile.clients.pick(random);
    let kind = profile.events.pick(random);
    if (client.scanner) kind = random.chance(0.7) ? "missing" : "denied";
    if (client.requester.startsWith("svc:")) kind = "put";
    if (kind === "website" && client.requester !== "-") kind = "get";
    if (client.requester === "-" && !ANONYMOUS_EVENTS.has(kind)) {
      kind = "denied";
    }
    if (!profile.publicRead && client.requester === "-" && kind !== "missing") {
      kind = "denied";
    }
    const object = profile.objects.pick(random);
    const base = this.baseRecord(profile, client, time);

    switch (kind) {
      case "get":
        return [this.getObject(base, object, client, "REST")];
      case "website":
        return [this.getObject(base, object, client, "WEBSITE")];
      case "presigned": {
        const record = this.getObject(base, object, client, "REST");
        const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240501%2F${REGION}%2Fs3%2Faws4_request&X-Amz-Date=20240501T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=${random.hex(16).toLowerCase()}`;
        record.requestLine = `"GET /${decodeOnce(object.key)}?${query} HTTP/1.1"`;
        record.requester = `arn:aws:iam::${ACCOUNT}:user/presigner`;
        record.authType = "QueryString";
        record.userAgent = quote(
          client.browser ? client.userAgent : USER_AGENTS.chrome,
        );
        return [record];
      }
      case "head":
        return [this.headObject(base, object)];
      case "put":
        return [this.putObject(base, object)];
      case "list":
        return [this.listBucket(base)];
      case "missing":
        return [this.missingKey(base, client)];
      case "denied":
        return [this.deniedRequest(base, object)];
      case "delete":
        return [this.deleteObject(base, object)];
      case "multipart":
        return this.multipartUpload(base, object, remaining);
      case "multiDelete":
        return this.multiObjectDelete(base, profile, remaining);
      case "copy":
        return this.copyObject(base, object, remaining);
    }
  }

  private baseRecord(
    profile: BucketProfile,
    client: Client,
    time: number,
  ): RecordFields {
    const random = this.random;
    const signed = client.requester !== "-";
    const dualStack = client.ip.includes(":");
    return {
      bucket: profile.name,
      time,
      ip: client.ip,
      requester: client.requester,
      requestId: random.hex(16),
      operation: "REST.GET.OBJECT",
      key: "-",
      requestLine: "-",
      status: "200",
      error: "-",
      bytes: "-",
      size: "-",
      totalTime: "-",
      turnaround: "-",
      referrer: '"-"',
      userAgent: quote(client.userAgent),
      versionId: "-",
      hostId: random.pick(this.hostIds),
      signature: signed ? "SigV4" : "-",
      cipher: random.chance(0.8)
        ? "TLS_AES_128_GCM_SHA256"
        : "ECDHE-RSA-AES128-GCM-SHA256",
      authType: signed ? "AuthHeader" : "-",
      hostHeader: dualStack
        ? `${profile.name}.s3.dualstack.${REGION}.amazonaws.com`
        : `${profile.name}.s3.${REGION}.amazonaws.com`,
      tls: "TLSv1.3",
      accessPoint: "-",
      aclRequired: "-",
      sourceRegion: signed && random.chance(0.6) ? REGION : "-",
    };
  }

  private getObject(
    record: RecordFields,
    object: StoredObject,
    client: Client,
    family: "REST" | "WEBSITE",
  ): RecordFields {
    const random = this.random;
    record.operation = `${family}.GET.OBJECT`;
    record.key = object.key;
    record.size = String(object.size);
    const target = `/${decodeOnce(object.key)}`;
    record.requestLine = `"GET ${target} HTTP/1.1"`;
    if (client.browser) {
      record.referrer = quote(
        `https://www.example.com/${random.pick(["", "blog/", "downloads/"])}`,
      );
    }
    let sent = object.size;
    if (object.size > 100_000_000 && random.chance(0.5)) {
      // Large downloads are fetched in ranges.
      record.status = "206";
      sent = Math.min(object.size, 8_388_608 * random.int(1, 8));
    } else if (client.browser && random.chance(0.15)) {
      record.status = "304";
      sent = 0;
    }
    record.bytes = sent === 0 ? "-" : String(sent);
    const turnaround = random.int(4, 40);
    record.turnaround = String(turnaround);
    record.totalTime = String(turnaround + Math.round(sent / 20_000_000));
    if (family === "WEBSITE") {
      // Website endpoints serve plain HTTP.
      record.hostHeader = `${record.bucket}.s3-website-${REGION}.amazonaws.com`;
      record.signature = "-";
      record.authType = "-";
      record.cipher = "-";
      record.tls = "-";
    }
    return record;
  }

  private headObject(record: RecordFields, object: StoredObject): RecordFields {
    record.operation = "REST.HEAD.OBJECT";
    record.key = object.key;
    record.requestLine = `"HEAD /${decodeOnce(object.key)} HTTP/1.1"`;
    record.size = String(object.size);
    record.turnaround = String(this.random.int(3, 20));
    record.totalTime = record.turnaround;
    return record;
  }

  private putObject(record: RecordFields, object: StoredObject): RecordFields {
    const random = this.random;
    record.operation = "REST.PUT.OBJECT";
    record.key = object.key;
    record.requestLine = `"PUT /${decodeOnce(object.key)} HTTP/1.1"`;
    const size = Math.min(object.size, 50_000_000);
    record.size = String(size);
    record.turnaround = String(random.int(10, 60));
    record.totalTime = String(
      random.int(20, 200) + Math.round(size / 10_000_000),
    );
    return record;
  }

  private listBucket(record: RecordFields): RecordFields {
    const random = this.random;
    const prefix = random.pick(["uploads%2F2024%2F05%2F", "events%2F", ""]);
    record.operation = "REST.GET.BUCKET";
    record.requestLine = `"GET /?list-type=2&prefix=${prefix}&encoding-type=url HTTP/1.1"`;
    record.bytes = String(random.int(600, 90_000));
    record.turnaround = String(random.int(15, 120));
    record.totalTime = String(Number(record.turnaround) + random.int(0, 10));
    return record;
  }

  private missingKey(record: RecordFields, client: Client): RecordFields {
    const random = this.random;
    const key = client.scanner
      ? random.pick([
          ".env",
          "wp-login.php",
          ".git/config",
          "wp-admin/setup-config.php",
          "backup.zip",
          "config.json",
        ])
      : random.pick([
          "img/old-banner.png",
          "blog/2019/01/moved.html",
          "apple-touch-icon.png",
          "robots.txt",
        ]);
    record.operation = "REST.GET.OBJECT";
    record.key = key;
    record.requestLine = `"GET /${key} HTTP/1.1"`;
    record.status = "404";
    record.error = "NoSuchKey";
    record.bytes = String(random.int(290, 420));
    record.turnaround = String(random.int(5, 25));
    record.totalTime = record.turnaround;
    if (client.browser || random.chance(0.3)) {
      record.referrer = quote(
        random.pick([
          "https://www.example.com/blog/2019/01/",
          "https://www.example.org/links.html",
          "https://www.example.com/",
        ]),
      );
    }
    return record;
  }

  private deniedRequest(
    record: RecordFields,
    object: StoredObject,
  ): RecordFields {
    const random = this.random;
    const put = random.chance(0.4);
    record.operation = put ? "REST.PUT.OBJECT" : "REST.GET.OBJECT";
    record.key = object.key;
    record.requestLine = `"${put ? "PUT" : "GET"} /${decodeOnce(object.key)} HTTP/1.1"`;
    record.status = "403";
    record.error = "AccessDenied";
    record.bytes = "243";
    record.turnaround = String(random.int(2, 12));
    record.totalTime = record.turnaround;
    return record;
  }

  private deleteObject(
    record: RecordFields,
    object: StoredObject,
  ): RecordFields {
    record.operation = "REST.DELETE.OBJECT";
    record.key = object.key;
    record.requestLine = `"DELETE /${decodeOnce(object.key)} HTTP/1.1"`;
    record.status = "204";
    record.turnaround = String(this.random.int(8, 30));
    record.totalTime = record.turnaround;
    return record;
  }

  private multipartUpload(
    record: RecordFields,
    object: StoredObject,
    remaining: number,
  ): RecordFields[] {
    const random = this.random;
    const key = object.size > 1_000_000_000 ? object.key : `${object.key}.part`;
    const target = `/${decodeOnce(key)}`;
    const uploadId = `${random.hex(32).toLowerCase()}.${random.hex(8).toLowerCase()}`;
    const partSize = 104_857_600;
    const parts = Math.max(
      1,
      Math.min(remaining - 2, Math.ceil(object.size / partSize), 40),
    );
    const records: RecordFields[] = [];

    const start = { ...record, requestId: random.hex(16) };
    start.operation = "REST.POST.UPLOADS";
    start.key = key;
    start.requestLine = `"POST ${target}?uploads HTTP/1.1"`;
    start.bytes = "368";
    start.turnaround = String(random.int(10, 40));
    start.totalTime = start.turnaround;
    records.push(start);

    let time = record.time;
    for (let part = 1; part <= parts && records.length < remaining; part++) {
      time += random.int(500, 4000);
      const size =
        part < parts ? partSize : object.size - partSize * (parts - 1);
      const put = { ...record, time, requestId: random.hex(16) };
      put.operation = "REST.PUT.PART";
      put.key = key;
      put.requestLine = `"PUT ${target}?partNumber=${part}&uploadId=${uploadId} HTTP/1.1"`;
      put.size = String(Math.max(size, 1));
      put.turnaround = String(random.int(20, 90));
      put.totalTime = String(random.int(900, 4000));
      records.push(put);
    }

    if (records.length < remaining) {
      const done = { ...record, time: time + 300, requestId: random.hex(16) };
      done.operation = "REST.POST.UPLOAD";
      done.key = key;
      done.requestLine = `"POST ${target}?uploadId=${uploadId} HTTP/1.1"`;
      done.bytes = "412";
      done.size = String(object.size);
      done.turnaround = String(random.int(100, 900));
      done.totalTime = String(Number(done.turnaround) + random.int(10, 60));
      records.push(done);
    }
    return records;
  }

  private multiObjectDelete(
    record: RecordFields,
    profile: BucketProfile,
    remaining: number,
  ): RecordFields[] {
    const random = this.random;
    const count = Math.max(0, Math.min(remaining - 1, random.int(2, 12)));
    const post = { ...record };
    post.operation = "REST.POST.MULTI_OBJECT_DELETE";
    post.key = "-";
    post.requestLine = '"POST /?delete HTTP/1.1"';
    post.bytes = String(120 + 90 * count);
    post.turnaround = String(random.int(20, 120));
    post.totalTime = String(Number(post.turnaround) + random.int(1, 9));
    const records = [post];
    // Each deleted key gets its own line with the same request ID, the key
    // encoded once and bare dashes where a request would have a URI.
    for (let i = 0; i < count; i++) {
      const object = profile.objects.pick(random);
      records.push({
        ...record,
        operation: "BATCH.DELETE.OBJECT",
        key: decodeOnce(object.key),
        requestLine: "-",
        status: "204",
        referrer: "-",
        userAgent: "-",
        cipher: "-",
        tls: "-",
      });
    }
    return records;
  }

  private copyObject(
    record: RecordFields,
    object: StoredObject,
    remaining: number,
  ): RecordFields[] {
    const random = this.random;
    const destination = `archive/${object.key}`;
    const put = { ...record };
    put.operation = "REST.COPY.OBJECT";
    put.key = destination;
    put.requestLine = `"PUT /${decodeOnce(destination)} HTTP/1.1"`;
    put.bytes = "234";
    put.size = String(object.size);
    put.turnaround = String(random.int(30, 400));
    put.totalTime = String(Number(put.turnaround) + 2);
    if (remaining < 2) return [put];
    // The GET half names the source object and has bare dashes for the URI,
    // status, numbers and headers.
    const get: RecordFields = {
      ...record,
      operation: "REST.COPY.OBJECT_GET",
      key: object.key,
      requestLine: "-",
      status: "-",
      size: String(object.size),
      referrer: "-",
      userAgent: "-",
    };
    return [put, get];
  }

  private lifecycleEvent(count: number): GeneratedLine[] {
    const random = this.random;
    const profile = this.profiles[Math.min(1, this.profiles.length - 1)]!;
    const lines: GeneratedLine[] = [];
    let time = this.nextMidnight - 86_400_000 + random.int(60, 900) * 1000;
    for (let i = 0; i < count; i++) {
      time += random.int(0, 1) * 1000;
      const transition = random.chance(0.2);
      const record: RecordFields = {
        bucket: profile.name,
        time,
        ip: "-",
        requester: "AmazonS3",
        requestId: random.hex(16),
        operation: transition ? "S3.TRANSITION_GDA.OBJECT" : "S3.EXPIRE.OBJECT",
        key: transition
          ? `backups/db-2024-04-${String(random.int(1, 30)).padStart(2, "0")}.sql.gz`
          : `tmp/export-${random.hex(12).toLowerCase()}.csv`,
        requestLine: '"-"',
        status: "-",
        error: "-",
        bytes: "-",
        size: String(random.int(1_000, 900_000_000)),
        totalTime: "-",
        turnaround: "-",
        referrer: '"-"',
        userAgent: '"-"',
        versionId: "-",
        hostId: random.pick(this.hostIds),
        signature: "-",
        cipher: "-",
        authType: "-",
        hostHeader: "-",
        tls: "-",
        accessPoint: "-",
        aclRequired: "-",
        sourceRegion: "-",
      };
      const line = this.format(record);
      this.previousLines.set(record.bucket, line);
      lines.push({ bucket: record.bucket, time, line });
    }
    this.clock = Math.max(this.clock, time);
    return lines;
  }

  private malformedLine(profile: BucketProfile, time: number): GeneratedLine {
    const random = this.random;
    const client = profile.clients.pick(random);
    const good = this.format(
      this.getObject(
        this.baseRecord(profile, client, time),
        profile.objects.pick(random),
        client,
        "REST",
      ),
    );
    // Cut between the time field and the user agent's closing quote, so the
    // cut line can never parse as a record.
    const timeEnd = good.indexOf("]") + 2;
    const cut = good.slice(0, random.int(timeEnd, good.lastIndexOf('"') - 1));
    const kind = random.int(0, 9);
    const previous = this.previousLines.get(profile.name);
    let line: string;
    if (kind < 6) {
      line = cut;
    } else if (kind < 9 && previous !== undefined) {
      // A truncated record followed by a whole one on the same line.
      line = cut + previous;
    } else {
      line = "upload interrupted: connection reset by peer";
    }
    return { bucket: profile.name, time, line };
  }

  private format(record: RecordFields): string {
    const head = `${BUCKET_OWNER} ${record.bucket} ${this.formatTime(record.time)} ${record.ip} ${record.requester} ${record.requestId} ${record.operation} ${record.key} ${record.requestLine} ${record.status} ${record.error} ${record.bytes} ${record.size} ${record.totalTime} ${record.turnaround} ${record.referrer} ${record.userAgent} ${record.versionId}`;
    switch (this.fields) {
      case 18:
        return head;
      case 24:
        return `${head} ${record.hostId} ${record.signature} ${record.cipher} ${record.authType} ${record.hostHeader} ${record.tls}`;
      case 25:
        return `${head} ${record.hostId} ${record.signature} ${record.cipher} ${record.authType} ${record.hostHeader} ${record.tls} ${record.accessPoint}`;
      case 26:
        return `${head} ${record.hostId} ${record.signature} ${record.cipher} ${record.authType} ${record.hostHeader} ${record.tls} ${record.accessPoint} ${record.aclRequired}`;
      default:
        return `${head} ${record.hostId} ${record.signature} ${record.cipher} ${record.authType} ${record.hostHeader} ${record.tls} ${record.accessPoint} ${record.aclRequired} ${record.sourceRegion}`;
    }
  }

  // Formats [01/May/2024:00:00:00 +0000], reusing the text within a second.
  private formatTime(time: number): string {
    const second = Math.floor(time / 1000);
    if (second !== this.timeCacheSecond) {
      const date = new Date(second * 1000);
      this.timeCacheSecond = second;
      this.timeCacheText = `[${pad2(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())} +0000]`;
    }
    return this.timeCacheText;
  }

  private makeHostId(): string {
    const alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let text = "";
    for (let i = 0; i < 75; i++) text += alphabet[this.random.int(0, 63)];
    return `${text}=`;
  }
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

function quote(value: string): string {
  return `"${value}"`;
}

// Keys in REST.GET.OBJECT and similar records are logged URL-encoded twice,
// while the request line carries them encoded once: `%2520` in the key field
// is `%20` in the URI. Only `%25` occurs in the generated keys.
function decodeOnce(key: string): string {
  return key.includes("%25") ? key.replaceAll("%25", "%") : key;
}
