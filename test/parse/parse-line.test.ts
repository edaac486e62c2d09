import fs from "node:fs";
import { describe, expect, test } from "vitest";
import { parseLine } from "../../src/parse/parse-line.js";
import type { LogRecord } from "../../src/parse/record.js";
import { parseLogTime } from "../../src/parse/time.js";
import {
  BLANK,
  CASES,
  FIXTURE_LINES,
  HOST_ID,
  OWNER,
  readFixtureLines,
} from "./fixture-records.js";

/** The fields of a log line as written, for building test lines. */
interface LineParts {
  time: string;
  ip: string;
  requester: string;
  requestId: string;
  operation: string;
  key: string;
  requestLine: string;
  status: string;
  error: string;
  bytes: string;
  size: string;
  total: string;
  turnaround: string;
  referrer: string;
  userAgent: string;
  /** Version ID and the fields after it as one string, or "" for none. */
  tail: string;
}

const BASE: LineParts = {
  time: "[06/Feb/2019:00:00:38 +0000]",
  ip: "192.0.2.3",
  requester: "-",
  requestId: "3E57427F3EXAMPLE",
  operation: "REST.GET.OBJECT",
  key: "a.txt",
  requestLine: '"GET /a.txt HTTP/1.1"',
  status: "200",
  error: "-",
  bytes: "10",
  size: "10",
  total: "2",
  turnaround: "1",
  referrer: '"-"',
  userAgent: '"curl/8.5.0"',
  tail: `- ${HOST_ID} SigV4 TLS_AES_128_GCM_SHA256 AuthHeader awsexamplebucket1.s3.us-east-1.amazonaws.com TLSv1.3 - -`,
};

/** Builds a 26-field line from BASE with some fields replaced. */
function makeLine(parts: Partial<LineParts> = {}): string {
  const f = { ...BASE, ...parts };
  const line = `${OWNER} awsexamplebucket1 ${f.time} ${f.ip} ${f.requester} ${f.requestId} ${f.operation} ${f.key} ${f.requestLine} ${f.status} ${f.error} ${f.bytes} ${f.size} ${f.total} ${f.turnaround} ${f.referrer} ${f.userAgent}`;
  return f.tail === "" ? line : `${line} ${f.tail}`;
}

function parseRecord(line: string): LogRecord {
  const result = parseLine(line);
  if (!result.ok) throw new Error(`rejected: ${result.reason}`);
  return result.record;
}

describe("parseLine on fixture lines", () => {
  const files = Object.keys(FIXTURE_LINES).sort();

  test("table lists every fixture file", () => {
    const present = fs
      .readdirSync(CASES)
      .filter((name) => !name.endsWith(".md"))
      .sort();
    expect(files).toEqual(present);
  });

  test.each(files)("table has one entry per line of %s", (file) => {
    expect(FIXTURE_LINES[file]).toHaveLength(readFixtureLines(file).length);
  });

  const cases = files.flatMap((file) =>
    FIXTURE_LINES[file]!.map((expected, index) => ({
      name: `${file}:${index + 1}`,
      file,
      index,
      expected,
    })),
  );

  test.each(cases)("$name", ({ file, index, expected }) => {
    const line = readFixtureLines(file)[index]!;
    if (expected === BLANK) {
      expect(line.trim()).toBe("");
    } else if ("reject" in expected) {
      expect(parseLine(line)).toStrictEqual({
        ok: false,
        reason: expected.reject,
      });
    } else {
      expect(parseLine(line)).toStrictEqual({ ok: true, record: expected });
    }
  });
});

describe("parseLine rejects", () => {
  const BUCKET = "awsexamplebucket1";
  const TIME = "[06/Feb/2019:00:00:38 +0000]";
  const cases: [string, string, string][] = [
    ["empty line", "", "truncated record: missing bucket"],
    ["one word", "hello", "truncated record: missing bucket"],
    ["leading space", ` ${makeLine()}`, "truncated record: missing bucket"],
    [
      "two words",
      `${OWNER} ${BUCKET}`,
      "truncated record: missing request_time",
    ],
    [
      "CloudFront header",
      "#Version: 1.0",
      "not an S3 access log record: a # header line (CloudFront logs)",
    ],
    [
      "JSON line",
      '{"bucket_name":"awsexamplebucket1"}',
      "not an S3 access log record: a JSON line (CloudWatch Logs format)",
    ],
    [
      "time without brackets",
      makeLine({ time: "06/Feb/2019:00:00:38 +0000" }),
      'invalid request_time "06/Feb/2019:00:00:38": expected [dd/Mon/yyyy:HH:MM:SS +hhmm]',
    ],
    [
      "time without closing bracket",
      `${OWNER} ${BUCKET} [06/Feb/2019:00:00:38 +0000`,
      "invalid request_time: missing ]",
    ],
    [
      "time without offset",
      makeLine({ time: "[06/Feb/2019:00:00:38]" }),
      'invalid request_time "06/Feb/2019:00:00:38": expected dd/Mon/yyyy:HH:MM:SS +hhmm',
    ],
    [
      "lowercase month",
      makeLine({ time: "[06/feb/2019:00:00:38 +0000]" }),
      'invalid request_time "06/feb/2019:00:00:38 +0000": expected dd/Mon/yyyy:HH:MM:SS +hhmm',
    ],
    [
      "ends after time",
      `${OWNER} ${BUCKET} ${TIME}`,
      "truncated record: missing remote_ip",
    ],
    [
      "ends after remote IP",
      `${OWNER} ${BUCKET} ${TIME} 192.0.2.3`,
      "truncated record: missing requester",
    ],
    [
      "ends after request ID",
      `${OWNER} ${BUCKET} ${TIME} 192.0.2.3 - 3E57427F3EXAMPLE`,
      "truncated record: missing operation",
    ],
    ["no operation", makeLine({ operation: "GET" }), 'invalid operation "GET"'],
    [
      "lowercase operation",
      makeLine({ operation: "rest.get.object" }),
      'invalid operation "rest.get.object"',
    ],
    [
      "ends after operation",
      `${OWNER} ${BUCKET} ${TIME} 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.OBJECT`,
      "truncated record: missing key",
    ],
    [
      "ends after key",
      `${OWNER} ${BUCKET} ${TIME} 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.OBJECT a.txt`,
      "truncated record: missing request_uri",
    ],
    [
      "unquoted request line",
      makeLine({ requestLine: "GET /a.txt HTTP/1.1" }),
      'invalid request_uri "GET": expected a quoted request line or -',
    ],
    [
      "request line never closed",
      `${OWNER} ${BUCKET} ${TIME} 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.OBJECT a.txt "GET /a.t`,
      "unterminated quote in request_uri",
    ],
    [
      "ends after request line",
      `${OWNER} ${BUCKET} ${TIME} 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.OBJECT a.txt "GET /a.txt HTTP/1.1"`,
      "truncated record: missing fields after the request line",
    ],
    [
      "ends inside the numbers",
      makeLine({ requestLine: '"GET /a.txt HTTP/1.1"', tail: "" }).slice(
        0,
        -30,
      ),
      "truncated record: missing fields after the request line",
    ],
    ["status OK", makeLine({ status: "OK" }), 'invalid http_status "OK"'],
    ["status 2000", makeLine({ status: "2000" }), 'invalid http_status "2000"'],
    ["status 20", makeLine({ status: "20" }), 'invalid http_status "20"'],
    ["status 2O0", makeLine({ status: "2O0" }), 'invalid http_status "2O0"'],
    ["bytes_sent 1l3", makeLine({ bytes: "1l3" }), 'invalid bytes_sent "1l3"'],
    [
      "negative object_size",
      makeLine({ size: "-1" }),
      'invalid object_size "-1"',
    ],
    [
      "decimal total_time",
      makeLine({ total: "1.5" }),
      'invalid total_time "1.5"',
    ],
    [
      "turnaround_time with sign",
      makeLine({ turnaround: "+3" }),
      'invalid turnaround_time "+3"',
    ],
    [
      "17-digit bytes_sent",
      makeLine({ bytes: "12345678901234567" }),
      'invalid bytes_sent "12345678901234567"',
    ],
    [
      "bytes_sent above 2^53",
      makeLine({ bytes: "9007199254740993" }),
      'invalid bytes_sent "9007199254740993"',
    ],
    [
      "unquoted referrer",
      makeLine({ referrer: "https://www.example.com/" }),
      'invalid referrer "https://www.example.com/": expected a quoted value or -',
    ],
    [
      "referrer never closed",
      makeLine({ referrer: '"https://www.example.com/', userAgent: "x" }),
      "unterminated quote in referrer",
    ],
    [
      "ends after referrer",
      `${OWNER} ${BUCKET} ${TIME} 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.OBJECT a.txt "GET /a.txt HTTP/1.1" 200 - 10 10 2 1 "-"`,
      "truncated record: missing user_agent",
    ],
    [
      "unquoted user agent",
      makeLine({ referrer: "-", userAgent: "curl/8.5.0" }),
      'invalid user_agent "curl/8.5.0": expected a quoted value or -',
    ],
    [
      // The referrer closes only at a quote followed by the user agent's
      // opening quote or a bare -.
      "quoted referrer before an unquoted user agent",
      makeLine({ userAgent: "curl/8.5.0" }),
      "unterminated quote in referrer",
    ],
    [
      "user agent never closed",
      makeLine({ userAgent: '"curl/8.5.0', tail: "" }),
      "unterminated quote in user_agent",
    ],
    [
      "text glued to the user agent",
      makeLine({ userAgent: '"curl"x', tail: "" }),
      'invalid field after user_agent "x"',
    ],
    [
      "record spliced into the referrer",
      makeLine({
        referrer: `"https://www.exa${OWNER} awsexamplebucket1 [06/Feb/2019:00:00:40 +0000] 192.0.2.9 - 3E57427F3EXAMPLF REST.GET.OBJECT b.txt "GET /b.txt HTTP/1.1" 200 - 10 10 2 1 "-"`,
      }),
      'spliced records: a second request_time "06/Feb/2019:00:00:40 +0000"',
    ],
    [
      "tab-separated fields",
      makeLine().replaceAll(" ", "\t"),
      "truncated record: missing bucket",
    ],
  ];

  test.each(cases)("%s", (_name, line, reason) => {
    expect(parseLine(line)).toStrictEqual({ ok: false, reason });
  });

  test("long value cut in the reason", () => {
    const status = "9".repeat(100);
    const result = parseLine(makeLine({ status }));
    expect(result).toStrictEqual({
      ok: false,
      reason: `invalid http_status "${"9".repeat(60)}..."`,
    });
  });
});

describe("parseLogTime", () => {
  const valid: [string, string][] = [
    ["06/Feb/2019:00:00:38 +0000", "2019-02-06 00:00:38"],
    ["06/Feb/2019:00:00:38 -0000", "2019-02-06 00:00:38"],
    ["06/Feb/2019:00:00:38 +0100", "2019-02-05 23:00:38"],
    ["06/Feb/2019:00:00:38 -0500", "2019-02-06 05:00:38"],
    ["06/Feb/2019:12:00:00 +0545", "2019-02-06 06:15:00"],
    ["06/Feb/2019:12:00:00 -0930", "2019-02-06 21:30:00"],
    ["01/Jan/2024:00:00:00 +1400", "2023-12-31 10:00:00"],
    ["31/Dec/2023:23:00:00 -1200", "2024-01-01 11:00:00"],
    ["01/Mar/2024:00:30:00 +0100", "2024-02-29 23:30:00"],
    ["01/Mar/2023:00:30:00 +0100", "2023-02-28 23:30:00"],
    ["29/Feb/2024:23:59:59 +0000", "2024-02-29 23:59:59"],
    ["29/Feb/2000:12:00:00 +0000", "2000-02-29 12:00:00"],
    ["31/Jan/2024:00:00:00 +0000", "2024-01-31 00:00:00"],
    ["30/Apr/2024:00:00:00 +0000", "2024-04-30 00:00:00"],
    // SQLite's date functions read no second 60, so a leap second moves on.
    ["31/Dec/2016:23:59:60 +0000", "2017-01-01 00:00:00"],
    ["31/Dec/2016:23:59:60 -0100", "2017-01-01 01:00:00"],
  ];
  test.each(valid)("%s is %s UTC", (text, expected) => {
    expect(parseLogTime(text)).toBe(expected);
  });

  const months = [
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
  test.each(months.map((name, index) => [name, index + 1]))(
    "month %s is %i",
    (name, number) => {
      const month = String(number).padStart(2, "0");
      expect(parseLogTime(`15/${name}/2024:08:09:10 +0000`)).toBe(
        `2024-${month}-15 08:09:10`,
      );
    },
  );

  const invalid: [string, string][] = [
    ["31 February", "31/Feb/2024:00:00:00 +0000"],
    ["29 February of a common year", "29/Feb/2023:00:00:00 +0000"],
    ["29 February 1900", "29/Feb/1900:00:00:00 +0000"],
    ["31 April", "31/Apr/2024:00:00:00 +0000"],
    ["day 0", "00/Jan/2024:00:00:00 +0000"],
    ["day 32", "32/Jan/2024:00:00:00 +0000"],
    ["hour 24", "01/Jan/2024:24:00:00 +0000"],
    ["minute 60", "01/Jan/2024:00:60:00 +0000"],
    ["second 61", "01/Jan/2024:00:00:61 +0000"],
    ["offset minutes 60", "01/Jan/2024:00:00:00 +0160"],
    ["month in capitals", "01/JAN/2024:00:00:00 +0000"],
    ["month in lowercase", "01/jan/2024:00:00:00 +0000"],
    ["unknown month", "01/Foo/2024:00:00:00 +0000"],
    ["full month name", "01/January/2024:00:00:00 +0000"],
    ["one-digit day", "1/Jan/2024:00:00:00 +0000"],
    ["two-digit year", "01/Jan/24:00:00:00 +0000"],
    ["fractional seconds", "01/Jan/2024:00:00:00.5 +0000"],
    ["offset with colon", "01/Jan/2024:00:00:00 +00:00"],
    ["offset Z", "01/Jan/2024:00:00:00 Z"],
    ["no offset", "01/Jan/2024:00:00:00"],
    ["ISO 8601", "2024-01-01T00:00:00Z"],
    ["trailing text", "01/Jan/2024:00:00:00 +0000x"],
    ["empty", ""],
  ];
  test.each(invalid)("rejects %s", (_name, text) => {
    expect(parseLogTime(text)).toBeNull();
  });
});

describe("parseLine request line", () => {
  const cases: [string, string | null, string | null, string | null][] = [
    ['"GET /a.txt HTTP/1.1"', "GET", "/a.txt", "HTTP/1.1"],
    ['"HEAD /a.txt HTTP/1.0"', "HEAD", "/a.txt", "HTTP/1.0"],
    ['"GET /a.txt HTTP/2.0"', "GET", "/a.txt", "HTTP/2.0"],
    ['"GET /a.txt HTTP/2"', "GET", "/a.txt", "HTTP/2"],
    ['"POST /?delete HTTP/1.1"', "POST", "/?delete", "HTTP/1.1"],
    ['"GET /my file.txt HTTP/1.1"', "GET", "/my file.txt", "HTTP/1.1"],
    ['"GET /a b c HTTP/1.1"', "GET", "/a b c", "HTTP/1.1"],
    ['"GET /q?x="y z" HTTP/1.1"', "GET", '/q?x="y z"', "HTTP/1.1"],
    ['"GET /q?x=" HTTP/1.1"', "GET", '/q?x="', "HTTP/1.1"],
    ['"GET /a.txt?x-foo=bar"', "GET", "/a.txt?x-foo=bar", null],
    ['"GET /a.txt HTTPS/1.1"', "GET", "/a.txt HTTPS/1.1", null],
    ['"GET /a.txt http/1.1"', "GET", "/a.txt http/1.1", null],
    ['"GET /a.txt HTTP/1.1x"', "GET", "/a.txt HTTP/1.1x", null],
    ['"GET /HTTP/1.1 HTTP/1.1"', "GET", "/HTTP/1.1", "HTTP/1.1"],
    ['"GET  /two-spaces HTTP/1.1"', "GET", " /two-spaces", "HTTP/1.1"],
    ['"GET HTTP/1.1"', "GET", null, "HTTP/1.1"],
    ['"GET"', "GET", null, null],
    ['"-"', null, null, null],
    ["-", null, null, null],
    ['""', null, null, null],
  ];

  test.each(cases)("%s", (requestLine, method, target, version) => {
    const record = parseRecord(makeLine({ requestLine }));
    expect(record.http_method).toBe(method);
    expect(record.request_uri).toBe(target);
    expect(record.http_version).toBe(version);
    // The fields after the request line stay in place.
    expect(record.http_status).toBe(200);
    expect(record.user_agent).toBe("curl/8.5.0");
  });
});

describe("parseLine dashes and empty values", () => {
  test("bare - in every field is null", () => {
    const line = `${OWNER} awsexamplebucket1 [06/Feb/2019:00:00:38 +0000] - - - REST.GET.OBJECT - - - - - - - - - - - - - - - - - - - - - -`;
    expect(parseLine(line)).toStrictEqual({
      ok: true,
      record: {
        bucket_owner: OWNER,
        bucket: "awsexamplebucket1",
        request_time: "2019-02-06 00:00:38",
        remote_ip: null,
        requester: null,
        request_id: null,
        operation: "REST.GET.OBJECT",
        key: null,
        http_method: null,
        request_uri: null,
        http_version: null,
        http_status: null,
        error_code: null,
        bytes_sent: null,
        object_size: null,
        total_time: null,
        turnaround_time: null,
        referrer: null,
        user_agent: null,
        version_id: null,
        host_id: null,
        signature_version: null,
        cipher_suite: null,
        authentication_type: null,
        host_header: null,
        tls_version: null,
        access_point_arn: null,
        acl_required: null,
        source_region: null,
      },
    });
  });

  const headers: [string, string, string | null][] = [
    ["quoted dash", '"-"', null],
    ["bare dash", "-", null],
    ["empty quotes", '""', ""],
    ["two dashes", '"--"', "--"],
    ["dash and space", '"- "', "- "],
    ["a quote", '"""', '"'],
  ];
  test.each(headers)("referrer %s", (_name, referrer, expected) => {
    expect(parseRecord(makeLine({ referrer })).referrer).toBe(expected);
  });
  test.each(headers)("user agent %s", (_name, userAgent, expected) => {
    expect(parseRecord(makeLine({ userAgent })).user_agent).toBe(expected);
  });

  test("dash-like tokens are kept", () => {
    const record = parseRecord(
      makeLine({ key: "-a", error: "--", tail: "-- -" }),
    );
    expect(record.key).toBe("-a");
    expect(record.error_code).toBe("--");
    expect(record.version_id).toBe("--");
    expect(record.host_id).toBeNull();
  });

  test("zero is a number, not null", () => {
    const record = parseRecord(
      makeLine({ bytes: "0", size: "0", total: "0", turnaround: "0" }),
    );
    expect(record.bytes_sent).toBe(0);
    expect(record.object_size).toBe(0);
    expect(record.total_time).toBe(0);
    expect(record.turnaround_time).toBe(0);
  });

  test("largest safe integer is kept exactly", () => {
    const record = parseRecord(makeLine({ size: "9007199254740991" }));
    expect(record.object_size).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe("parseLine requester and tail", () => {
  test("requester of several words before a valid operation", () => {
    const requester =
      "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLE7KWJ3";
    const record = parseRecord(makeLine({ requester }));
    expect(record.requester).toBe(requester);
    expect(record.request_id).toBe("3E57427F3EXAMPLE");
    expect(record.operation).toBe("REST.GET.OBJECT");
    expect(record.key).toBe("a.txt");
  });

  test("21-character host ID prefix only merged before a signature", () => {
    // Here the word after the 21-character token is not followed by a
    // signature version, so nothing is merged.
    const tail = `- 8RJKV5FZLTGQWK6GAJNPG SigV4 TLS_AES_128_GCM_SHA256 AuthHeader host TLSv1.3`;
    const record = parseRecord(makeLine({ tail }));
    expect(record.host_id).toBe("8RJKV5FZLTGQWK6GAJNPG");
    expect(record.signature_version).toBe("SigV4");
    expect(record.tls_version).toBe("TLSv1.3");
  });

  test("two-word host ID before a - signature", () => {
    const tail = `- 8RJKV5FZLTGQWK6GAJNPG ${HOST_ID} - - - host -`;
    const record = parseRecord(makeLine({ tail }));
    expect(record.host_id).toBe(`8RJKV5FZLTGQWK6GAJNPG ${HOST_ID}`);
    expect(record.signature_version).toBeNull();
    expect(record.host_header).toBe("host");
  });

  test("trailing space after the user agent", () => {
    const record = parseRecord(makeLine({ tail: "" }) + " ");
    expect(record.user_agent).toBe("curl/8.5.0");
    expect(record.version_id).toBeNull();
  });
});
