/** Fields of a test log line that callers may set; the rest get defaults. */
export interface LineFields {
  readonly owner?: string;
  readonly bucket?: string;
  /** Log time text without brackets. */
  readonly time?: string;
  readonly ip?: string;
  readonly requester?: string;
  readonly requestId?: string;
  readonly operation?: string;
  readonly key?: string;
  readonly requestLine?: string;
  readonly status?: string;
  readonly bytes?: string;
}

const OWNER =
  "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";

/** Builds one valid 27-field S3 access log line. */
export function logLine(fields: LineFields = {}): string {
  const bucket = fields.bucket ?? "awsexamplebucket1";
  const key = fields.key ?? "photos/puppy.jpg";
  return [
    fields.owner ?? OWNER,
    bucket,
    `[${fields.time ?? "06/Feb/2019:00:00:38 +0000"}]`,
    fields.ip ?? "192.0.2.3",
    fields.requester ?? OWNER,
    fields.requestId ?? "3E57427F3EXAMPLE",
    fields.operation ?? "REST.GET.OBJECT",
    key,
    `"${fields.requestLine ?? `GET /${key} HTTP/1.1`}"`,
    fields.status ?? "200",
    "-",
    fields.bytes ?? "2662992",
    "3462992",
    "70",
    "10",
    '"-"',
    '"aws-cli/2.15.0 Python/3.11.6"',
    "-",
    "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=",
    "SigV4",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "AuthHeader",
    `${bucket}.s3.us-west-1.amazonaws.com`,
    "TLSv1.2",
    "-",
    "-",
    "us-east-1",
  ].join(" ");
}

/**
 * Builds the text of a log object: `count` lines, every `rejectEvery`-th one
 * malformed (a non-numeric status), so imports store records and rejects.
 */
export function logObject(
  objectIndex: number,
  count: number,
  rejectEvery = 0,
): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const second = String(i % 60).padStart(2, "0");
    const minute = String(Math.floor(i / 60) % 60).padStart(2, "0");
    const bad = rejectEvery > 0 && i % rejectEvery === rejectEvery - 1;
    lines.push(
      logLine({
        time: `06/Feb/2019:${String(objectIndex % 24).padStart(2, "0")}:${minute}:${second} +0000`,
        ip: `192.0.2.${(i * 7 + objectIndex) % 250}`,
        key: `objects/${objectIndex}/file-${i % 97}.bin`,
        requestId: `REQ${String(objectIndex).padStart(5, "0")}${String(i).padStart(8, "0")}`,
        bytes: String((i * 7919) % 1_000_000),
        status: bad ? "OK" : "200",
      }),
    );
  }
  return `${lines.join("\n")}\n`;
}
