/** Builders of S3 server access log lines and objects for tests. */

const MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");

/** Returns one valid log line for a GET of `key` in `bucket` at `time`. */
export function logLine(
  bucket: string,
  key: string,
  time: Date,
  index = 0,
): string {
  const day = String(time.getUTCDate()).padStart(2, "0");
  const clock = time.toISOString().slice(11, 19);
  const stamp = `[${day}/${MONTHS[time.getUTCMonth()]}/${time.getUTCFullYear()}:${clock} +0000]`;
  const requestId = (0x1000000000000000n + BigInt(index))
    .toString(16)
    .toUpperCase();
  const owner =
    "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";
  return [
    owner,
    bucket,
    stamp,
    `192.0.2.${index % 250}`,
    owner,
    requestId,
    "REST.GET.OBJECT",
    key,
    `"GET /${key} HTTP/1.1"`,
    "200",
    "-",
    String(100 + index),
    "4096",
    "12",
    "10",
    '"-"',
    '"aws-cli/2.15.0 Python/3.11"',
    "-",
    "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=",
    "SigV4",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "AuthHeader",
    `${bucket}.s3.us-east-1.amazonaws.com`,
    "TLSv1.2",
    "-",
    "-",
  ].join(" ");
}

/**
 * Returns the text of a log object with `lines` records of `bucket`,
 * numbered from `first`, plus `rejects` lines the parser rejects.
 */
export function logObject(
  bucket: string,
  lines: number,
  options: { first?: number; rejects?: number; time?: Date } = {},
): string {
  const first = options.first ?? 0;
  const time = options.time ?? new Date("2024-05-01T10:00:00Z");
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const index = first + i;
    out.push(
      logLine(
        bucket,
        `photos/${index}.jpg`,
        new Date(time.getTime() + i * 1000),
        index,
      ),
    );
  }
  for (let i = 0; i < (options.rejects ?? 0); i++) {
    out.push(`not a log line ${first + i}`);
  }
  return `${out.join("\n")}\n`;
}
