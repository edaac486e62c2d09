import type { LogRecord } from "./record.js";
import { LOG_TIME_LENGTH, parseLogTime } from "./time.js";

/** The outcome of parsing one line: a record, or the reason it was rejected. */
export type ParseResult =
  | { readonly ok: true; readonly record: LogRecord }
  | { readonly ok: false; readonly reason: string };

const SPACE = 32;
const QUOTE = 34;
const DASH = 45;

// S3 operations are dot-separated words: REST.GET.OBJECT, BATCH.DELETE.OBJECT,
// S3.COMPUTE.OBJECT.CHECKSUM. The family prefix anchors the requester, which
// can contain spaces (CloudFront origin access identities).
const OPERATION = /^(?:REST|WEBSITE|SOAP|BATCH|S3)(?:\.[A-Za-z0-9_]+)+$/;
const OPERATION_FAMILIES = ["REST.", "S3.", "BATCH.", "WEBSITE.", "SOAP."];
const HTTP_VERSION = /^HTTP\/\d+(?:\.\d+)?$/;
const HOST_ID_PREFIX = /^[A-Z0-9]{21}$/;

// The longest requester seen is the CloudFront origin access identity ARN,
// five space-separated words. A few more allow for forms not seen yet.
const MAX_REQUESTER_WORDS = 8;

// The longest value kept in a reject reason, so a reason stays one short line.
const MAX_REASON_VALUE = 60;

class Reject extends Error {}

function reject(reason: string): never {
  throw new Reject(reason);
}

function quoteValue(value: string): string {
  const shown =
    value.length > MAX_REASON_VALUE
      ? `${value.slice(0, MAX_REASON_VALUE)}...`
      : value;
  return JSON.stringify(shown);
}

function dashToNull(token: string): string | null {
  return token === "-" ? null : token;
}

/** Returns the index of the next space at or after `from`, or the line length. */
function tokenEnd(line: string, from: number): number {
  const end = line.indexOf(" ", from);
  return end === -1 ? line.length : end;
}

// Parses the integer field line[start, end): digits, or `-` for NULL.
// Returns undefined when invalid, which includes values above 2^53 - 1 that
// a JS number cannot hold exactly. Reads in place, because slicing every
// number into a string first costs more than the rest of the parse.
function parseCountAt(
  line: string,
  start: number,
  end: number,
): number | null | undefined {
  const length = end - start;
  if (length === 1 && line.charCodeAt(start) === DASH) return null;
  if (length <= 0 || length > 16) return undefined;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = line.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value <= Number.MAX_SAFE_INTEGER ? value : undefined;
}

interface Numbers {
  http_status: number | null;
  error_code: string | null;
  bytes_sent: number | null;
  object_size: number | null;
  total_time: number | null;
  turnaround_time: number | null;
  /** Index just past the space that follows turnaround_time. */
  end: number;
}

const NUMBER_FIELDS = [
  "bytes_sent",
  "object_size",
  "total_time",
  "turnaround_time",
] as const;

/**
 * Reads the six fields after the request line, starting at `from`: status,
 * error code and four integers, each followed by a space. Returns the reason
 * as a string when a field is invalid.
 */
function readNumbers(line: string, from: number): Numbers | string {
  const truncated = "truncated record: missing fields after the request line";

  const statusEnd = line.indexOf(" ", from);
  if (statusEnd === -1) return truncated;
  let status: number | null | undefined;
  if (statusEnd - from === 3) status = parseCountAt(line, from, statusEnd);
  else if (statusEnd - from === 1 && line.charCodeAt(from) === DASH) {
    status = null;
  }
  if (status === undefined) {
    return `invalid http_status ${quoteValue(line.slice(from, statusEnd))}`;
  }

  const errorEnd = line.indexOf(" ", statusEnd + 1);
  if (errorEnd === -1) return truncated;
  const errorCode = dashToNull(line.slice(statusEnd + 1, errorEnd));

  const counts: (number | null)[] = [null, null, null, null];
  let position = errorEnd + 1;
  for (let i = 0; i < 4; i++) {
    const end = line.indexOf(" ", position);
    if (end === -1) return truncated;
    const value = parseCountAt(line, position, end);
    if (value === undefined) {
      return `invalid ${NUMBER_FIELDS[i]} ${quoteValue(line.slice(position, end))}`;
    }
    counts[i] = value;
    position = end + 1;
  }
  return {
    http_status: status,
    error_code: errorCode,
    bytes_sent: counts[0]!,
    object_size: counts[1]!,
    total_time: counts[2]!,
    turnaround_time: counts[3]!,
    end: position,
  };
}

interface RequestLine {
  http_method: string | null;
  request_uri: string | null;
  http_version: string | null;
}

const NO_REQUEST: RequestLine = {
  http_method: null,
  request_uri: null,
  http_version: null,
};

/**
 * Splits `"GET /key?query HTTP/1.1"` into method, target and version. The
 * target keeps any spaces a client sent unencoded, and the version is only
 * taken when the last word looks like one (copy records may omit it).
 */
function splitRequestLine(text: string): RequestLine {
  if (text === "-" || text === "") return NO_REQUEST;
  const firstSpace = text.indexOf(" ");
  if (firstSpace === -1) {
    return { http_method: text, request_uri: null, http_version: null };
  }
  const method = text.slice(0, firstSpace);
  const lastSpace = text.lastIndexOf(" ");
  const lastWord = text.slice(lastSpace + 1);
  if (lastSpace > firstSpace && isHttpVersion(lastWord)) {
    return {
      http_method: method,
      request_uri: text.slice(firstSpace + 1, lastSpace) || null,
      http_version: lastWord,
    };
  }
  if (lastSpace === firstSpace && isHttpVersion(lastWord)) {
    return { http_method: method, request_uri: null, http_version: lastWord };
  }
  return {
    http_method: method,
    request_uri: text.slice(firstSpace + 1),
    http_version: null,
  };
}

function isHttpVersion(word: string): boolean {
  return word.startsWith("HTTP/") && HTTP_VERSION.test(word);
}

// A quoted header value: `"-"` is absent, `""` is an empty header.
function headerValue(text: string): string | null {
  return text === "-" ? null : text;
}

/**
 * Parses one line of an S3 server access log into a record. Invalid input never throws:
 * a line that does not parse returns a reason naming the field and value,
 * such as `invalid http_status "OK"`.
 *
 * S3 writes header bytes as received, without escaping, so quoted fields can
 * hold raw quotes and spaces. Each quoted field is therefore closed by the
 * first quote that a valid remainder of the line follows, never simply by the
 * next quote. Records have 17 to 27 fields depending on their date, and AWS
 * may append more, so the count is decided per line and extra fields ignored.
 */
export function parseLine(line: string): ParseResult {
  try {
    return { ok: true, record: parseOrThrow(line) };
  } catch (error) {
    if (error instanceof Reject) return { ok: false, reason: error.message };
    throw error;
  }
}

function parseOrThrow(line: string): LogRecord {
  const first = line.charCodeAt(0);
  if (first === 35 /* # */) {
    reject("not an S3 access log record: a # header line (CloudFront logs)");
  }
  if (first === 123 /* { */) {
    reject("not an S3 access log record: a JSON line (CloudWatch Logs format)");
  }

  // Bucket owner and bucket.
  const ownerEnd = line.indexOf(" ");
  if (ownerEnd <= 0) reject("truncated record: missing bucket");
  const bucketEnd = line.indexOf(" ", ownerEnd + 1);
  if (bucketEnd === -1) reject("truncated record: missing request_time");
  const bucket_owner = line.slice(0, ownerEnd);
  const bucket = line.slice(ownerEnd + 1, bucketEnd);

  // Time, such as [06/Feb/2019:00:00:38 +0000], the only field in brackets.
  const timeStart = bucketEnd + 1;
  if (line.charCodeAt(timeStart) !== 91 /* [ */) {
    reject(
      `invalid request_time ${quoteValue(line.slice(timeStart, tokenEnd(line, timeStart)))}: expected [dd/Mon/yyyy:HH:MM:SS +hhmm]`,
    );
  }
  const timeEnd = line.indexOf("]", timeStart);
  if (timeEnd === -1) reject("invalid request_time: missing ]");
  const timeText = line.slice(timeStart + 1, timeEnd);
  const request_time = parseLogTime(timeText);
  if (request_time === null) {
    reject(
      `invalid request_time ${quoteValue(timeText)}: expected dd/Mon/yyyy:HH:MM:SS +hhmm`,
    );
  }
  if (line.charCodeAt(timeEnd + 1) !== SPACE) {
    reject("truncated record: missing remote_ip");
  }

  // Remote IP.
  const ipStart = timeEnd + 2;
  const ipEnd = line.indexOf(" ", ipStart);
  if (ipEnd === -1) reject("truncated record: missing requester");
  const remote_ip = dashToNull(line.slice(ipStart, ipEnd));

  // Requester, request ID and operation. The requester is usually one word,
  // but a CloudFront origin access identity has spaces in it, so the
  // operation is found by its shape and the words before the request ID
  // form the requester.
  const requesterStart = ipEnd + 1;
  let requestIdStart = -1;
  let operationStart = -1;
  let operationEnd = -1;
  let thirdWordStart = line.length;
  let start = requesterStart;
  // S3 sometimes writes a record cut short and the next record on one line.
  // The second record then sits inside a field that may hold spaces: the
  // requester, a quoted field (bringing its own quotes) or the tail. Lines
  // with such signs are checked for a second log time before they are
  // accepted; other lines skip that scan.
  let maybeSpliced = false;
  for (let i = 0; i < MAX_REQUESTER_WORDS + 2; i++) {
    const end = line.indexOf(" ", start);
    if (end === -1) {
      if (i >= 2 && isOperation(line, start, line.length)) {
        reject("truncated record: missing key");
      }
      break;
    }
    if (i === 2) thirdWordStart = start;
    if (i >= 2 && isOperation(line, start, end)) {
      operationStart = start;
      operationEnd = end;
      maybeSpliced = i > 2;
      break;
    }
    requestIdStart = start;
    start = end + 1;
  }
  if (operationStart === -1) {
    const operationToken = line.slice(
      thirdWordStart,
      tokenEnd(line, thirdWordStart),
    );
    reject(
      operationToken === ""
        ? "truncated record: missing operation"
        : `invalid operation ${quoteValue(operationToken)}`,
    );
  }
  const requester = dashToNull(line.slice(requesterStart, requestIdStart - 1));
  const request_id = dashToNull(line.slice(requestIdStart, operationStart - 1));
  const operation = line.slice(operationStart, operationEnd);

  // Key, stored exactly as logged.
  const keyStart = operationEnd + 1;
  const keyEnd = line.indexOf(" ", keyStart);
  if (keyEnd === -1) reject("truncated record: missing request_uri");
  const key = dashToNull(line.slice(keyStart, keyEnd));

  // Request line: a bare -, or quoted. A raw quote may sit inside it, so the
  // closing quote is the first one that valid status and number fields follow.
  const uriStart = keyEnd + 1;
  let request: RequestLine;
  let numbers: Numbers | string;
  const uriFirst = line.charCodeAt(uriStart);
  if (uriFirst === DASH && line.charCodeAt(uriStart + 1) === SPACE) {
    request = NO_REQUEST;
    numbers = readNumbers(line, uriStart + 2);
  } else if (uriFirst === QUOTE) {
    let close = line.indexOf('"', uriStart + 1);
    if (close === -1) reject("unterminated quote in request_uri");
    const firstClose = close;
    let firstAttempt: string | undefined;
    numbers = "unterminated quote in request_uri";
    while (close !== -1) {
      if (close + 1 === line.length) {
        numbers = "truncated record: missing fields after the request line";
      }
      if (line.charCodeAt(close + 1) === SPACE) {
        numbers = readNumbers(line, close + 2);
        if (typeof numbers !== "string") break;
        firstAttempt ??= numbers;
      }
      close = line.indexOf('"', close + 1);
    }
    if (typeof numbers === "string") reject(firstAttempt ?? numbers);
    if (close !== firstClose) maybeSpliced = true;
    request = splitRequestLine(line.slice(uriStart + 1, close));
  } else {
    reject(
      `invalid request_uri ${quoteValue(line.slice(uriStart, tokenEnd(line, uriStart)))}: expected a quoted request line or -`,
    );
  }
  if (typeof numbers === "string") reject(numbers);

  // Referrer and user agent: each a bare -, or quoted. The user agent's
  // closing quote is the last quote on the line, because no later field is
  // quoted; the referrer closes at the first quote followed by the start of
  // the user agent.
  const referrerStart = numbers.end;
  let referrer: string | null;
  let agentStart: number;
  if (
    line.charCodeAt(referrerStart) === DASH &&
    line.charCodeAt(referrerStart + 1) === SPACE
  ) {
    referrer = null;
    agentStart = referrerStart + 2;
  } else if (line.charCodeAt(referrerStart) === QUOTE) {
    const close = findReferrerClose(line, referrerStart + 1);
    if (close === -1) {
      const endsQuoted =
        line.length > referrerStart + 1 &&
        line.charCodeAt(line.length - 1) === QUOTE;
      reject(
        endsQuoted
          ? "truncated record: missing user_agent"
          : "unterminated quote in referrer",
      );
    }
    if (line.indexOf('"', referrerStart + 1) !== close) maybeSpliced = true;
    referrer = headerValue(line.slice(referrerStart + 1, close));
    agentStart = close + 2;
  } else {
    reject(
      `invalid referrer ${quoteValue(line.slice(referrerStart, tokenEnd(line, referrerStart)))}: expected a quoted value or -`,
    );
  }

  let user_agent: string | null;
  let tailStart: number;
  const agentFirst = line.charCodeAt(agentStart);
  if (
    agentFirst === DASH &&
    (agentStart + 1 === line.length ||
      line.charCodeAt(agentStart + 1) === SPACE)
  ) {
    user_agent = null;
    tailStart = agentStart + 2;
  } else if (agentFirst === QUOTE) {
    const firstQuote = line.indexOf('"', agentStart + 1);
    if (firstQuote === -1) reject("unterminated quote in user_agent");
    const close = lastQuote(line, firstQuote);
    if (close !== firstQuote) maybeSpliced = true;
    if (close + 1 < line.length && line.charCodeAt(close + 1) !== SPACE) {
      reject(
        `invalid field after user_agent ${quoteValue(line.slice(close + 1, tokenEnd(line, close + 1)))}`,
      );
    }
    user_agent = headerValue(line.slice(agentStart + 1, close));
    tailStart = close + 2;
  } else if (agentStart >= line.length) {
    reject("truncated record: missing user_agent");
  } else {
    reject(
      `invalid user_agent ${quoteValue(line.slice(agentStart, tokenEnd(line, agentStart)))}: expected a quoted value or -`,
    );
  }

  // Fields 18 onwards, each one word: absent in older records, and any
  // fields that AWS appends after source_region are ignored.
  const tail = tailStart < line.length ? line.slice(tailStart).split(" ") : [];
  // In some March 2019 records the host ID was written as two words: a
  // 21-character token, then the base64 value. Rejoin them when the word
  // after them is a signature version, where the host ID's successor belongs.
  if (
    tail.length >= 4 &&
    tail[1]!.length === 21 &&
    HOST_ID_PREFIX.test(tail[1]!) &&
    !isSignatureVersion(tail[2]!) &&
    isSignatureVersion(tail[3]!)
  ) {
    tail.splice(1, 2, `${tail[1]} ${tail[2]}`);
  }
  for (const word of tail) {
    if (word.charCodeAt(0) === 91 /* [ */) maybeSpliced = true;
  }

  if (maybeSpliced) {
    const secondTime = findLogTime(line, timeEnd + 1);
    if (secondTime !== -1) {
      reject(
        `spliced records: a second request_time ${quoteValue(line.slice(secondTime + 1, secondTime + 1 + LOG_TIME_LENGTH))}`,
      );
    }
  }

  return {
    bucket_owner: dashToNull(bucket_owner),
    bucket: dashToNull(bucket),
    request_time,
    remote_ip,
    requester,
    request_id,
    operation,
    key,
    http_method: request.http_method,
    request_uri: request.request_uri,
    http_version: request.http_version,
    http_status: numbers.http_status,
    error_code: numbers.error_code,
    bytes_sent: numbers.bytes_sent,
    object_size: numbers.object_size,
    total_time: numbers.total_time,
    turnaround_time: numbers.turnaround_time,
    referrer,
    user_agent,
    version_id: tailField(tail, 0),
    host_id: tailField(tail, 1),
    signature_version: tailField(tail, 2),
    cipher_suite: tailField(tail, 3),
    authentication_type: tailField(tail, 4),
    host_header: tailField(tail, 5),
    tls_version: tailField(tail, 6),
    access_point_arn: tailField(tail, 7),
    acl_required: tailField(tail, 8),
    source_region: tailField(tail, 9),
  };
}

// Tells whether line[start, end) is an operation. The cheap prefix test
// rules out most words before the regular expression runs.
function isOperation(line: string, start: number, end: number): boolean {
  let family = false;
  for (const prefix of OPERATION_FAMILIES) {
    if (line.startsWith(prefix, start)) {
      family = true;
      break;
    }
  }
  return family && OPERATION.test(line.slice(start, end));
}

// Returns the index of the last quote in the line, or `from` if none
// follows it. Searches forward: V8's forward indexOf scans far faster than
// lastIndexOf, and the closing quote is usually the only one left.
function lastQuote(line: string, from: number): number {
  let last = from;
  let next = line.indexOf('"', from + 1);
  while (next !== -1) {
    last = next;
    next = line.indexOf('"', next + 1);
  }
  return last;
}

/**
 * Finds the next valid log time in brackets after a space, such as
 * ` [06/Feb/2019:00:00:38 +0000]`, starting at `from`. Returns the index of
 * its `[`, or -1 when there is none.
 */
function findLogTime(line: string, from: number): number {
  let space = line.indexOf(" [", from);
  while (space !== -1) {
    const start = space + 2;
    if (
      line.charCodeAt(start + LOG_TIME_LENGTH) === 93 /* ] */ &&
      parseLogTime(line.slice(start, start + LOG_TIME_LENGTH)) !== null
    ) {
      return space + 1;
    }
    space = line.indexOf(" [", start);
  }
  return -1;
}

function isSignatureVersion(word: string): boolean {
  return word === "SigV4" || word === "SigV2" || word === "-";
}

function tailField(tail: readonly string[], index: number): string | null {
  const value = tail[index];
  return value === undefined || value === "-" || value === "" ? null : value;
}

/**
 * Finds the referrer's closing quote: the first quote followed by a space
 * and the user agent's start (a quote, or a bare - ending the line or
 * followed by a space). Returns -1 when there is none.
 */
function findReferrerClose(line: string, from: number): number {
  let close = line.indexOf('"', from);
  while (close !== -1) {
    if (line.charCodeAt(close + 1) === SPACE) {
      const next = line.charCodeAt(close + 2);
      if (next === QUOTE) return close;
      if (
        next === DASH &&
        (close + 3 === line.length || line.charCodeAt(close + 3) === SPACE)
      ) {
        return close;
      }
    }
    close = line.indexOf('"', close + 1);
  }
  return -1;
}
