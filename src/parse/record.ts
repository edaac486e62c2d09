/**
 * One S3 server access log record, keyed by the column names of the
 * `log_records` table. NULL stands for a `-` field, or a field that an older
 * log format did not have yet.
 */
export interface LogRecord {
  bucket_owner: string | null;
  bucket: string | null;
  /** UTC, in SQLite's `YYYY-MM-DD HH:MM:SS` form. */
  request_time: string;
  remote_ip: string | null;
  requester: string | null;
  request_id: string | null;
  operation: string;
  /** The key exactly as logged: URL-encoded once or twice, by operation. */
  key: string | null;
  http_method: string | null;
  request_uri: string | null;
  http_version: string | null;
  http_status: number | null;
  error_code: string | null;
  bytes_sent: number | null;
  object_size: number | null;
  total_time: number | null;
  turnaround_time: number | null;
  referrer: string | null;
  user_agent: string | null;
  version_id: string | null;
  host_id: string | null;
  signature_version: string | null;
  cipher_suite: string | null;
  authentication_type: string | null;
  host_header: string | null;
  tls_version: string | null;
  access_point_arn: string | null;
  acl_required: string | null;
  source_region: string | null;
}

/** A column of `log_records`, with its SQLite type and meaning. */
export interface ColumnInfo {
  readonly name: string;
  readonly type: "TEXT" | "INTEGER";
  readonly description: string;
}

/**
 * The record columns of `log_records` in schema order. The store, `export`
 * and `schema` all take the column list from here.
 */
export const RECORD_COLUMNS = [
  {
    name: "bucket_owner",
    type: "TEXT",
    description: "Canonical user ID of the bucket owner.",
  },
  {
    name: "bucket",
    type: "TEXT",
    description: "Bucket the request was made to, as named in the record.",
  },
  {
    name: "request_time",
    type: "TEXT",
    description: "Time the request was received, UTC, as YYYY-MM-DD HH:MM:SS.",
  },
  {
    name: "remote_ip",
    type: "TEXT",
    description:
      "Apparent client address (IPv4 or IPv6); NULL for internal actions.",
  },
  {
    name: "requester",
    type: "TEXT",
    description:
      "Canonical ID or ARN of the requester; NULL when unauthenticated.",
  },
  {
    name: "request_id",
    type: "TEXT",
    description:
      "S3 request ID; not unique (a multi-object delete logs one line per key).",
  },
  {
    name: "operation",
    type: "TEXT",
    description: "Operation, such as REST.GET.OBJECT or S3.EXPIRE.OBJECT.",
  },
  {
    name: "key",
    type: "TEXT",
    description:
      "Object key as logged, URL-encoded; decode with decode_key(key, operation).",
  },
  {
    name: "http_method",
    type: "TEXT",
    description: "First word of the request line, such as GET.",
  },
  {
    name: "request_uri",
    type: "TEXT",
    description: "Target of the request line: path and query string.",
  },
  {
    name: "http_version",
    type: "TEXT",
    description: "Last word of the request line when it is HTTP/x.y.",
  },
  {
    name: "http_status",
    type: "INTEGER",
    description: "HTTP status code; NULL for lifecycle and copy-GET records.",
  },
  {
    name: "error_code",
    type: "TEXT",
    description:
      "S3 error code such as NoSuchKey; NULL when there was no error.",
  },
  {
    name: "bytes_sent",
    type: "INTEGER",
    description: "Response body bytes sent; NULL means zero or unknown.",
  },
  {
    name: "object_size",
    type: "INTEGER",
    description: "Total size of the object concerned, in bytes.",
  },
  {
    name: "total_time",
    type: "INTEGER",
    description:
      "Milliseconds from receiving the request to sending the last response byte.",
  },
  {
    name: "turnaround_time",
    type: "INTEGER",
    description:
      "Milliseconds from the last request byte to the first response byte.",
  },
  {
    name: "referrer",
    type: "TEXT",
    description: "Referer header as sent; empty string when sent empty.",
  },
  {
    name: "user_agent",
    type: "TEXT",
    description: "User-Agent header as sent; empty string when sent empty.",
  },
  {
    name: "version_id",
    type: "TEXT",
    description: "Version ID from the request or the copy source.",
  },
  {
    name: "host_id",
    type: "TEXT",
    description: "x-amz-id-2 extended request ID.",
  },
  {
    name: "signature_version",
    type: "TEXT",
    description: "SigV2 or SigV4; NULL when unauthenticated.",
  },
  {
    name: "cipher_suite",
    type: "TEXT",
    description: "TLS cipher suite; NULL for plain HTTP.",
  },
  {
    name: "authentication_type",
    type: "TEXT",
    description: "AuthHeader or QueryString (presigned URL).",
  },
  {
    name: "host_header",
    type: "TEXT",
    description: "Endpoint host name the client used.",
  },
  {
    name: "tls_version",
    type: "TEXT",
    description: "TLS version such as TLSv1.2; NULL for plain HTTP.",
  },
  {
    name: "access_point_arn",
    type: "TEXT",
    description: "ARN of the access point the request came through.",
  },
  {
    name: "acl_required",
    type: "TEXT",
    description: "Yes when an ACL was needed to authorize the request.",
  },
  {
    name: "source_region",
    type: "TEXT",
    description: "AWS Region the request came from; NULL outside AWS Regions.",
  },
] as const satisfies readonly ColumnInfo[];

export type RecordColumn = (typeof RECORD_COLUMNS)[number]["name"];
