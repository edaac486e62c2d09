/** The S3 call that failed and its target, for the error message. */
export interface S3ErrorContext {
  readonly operation: "list" | "get" | "delete";
  readonly logBucket: string;
  readonly logPrefix: string;
  /** The object key, or the listed prefix. */
  readonly key: string;
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly profile: string | undefined;
}

/** The fields of SDK and Node errors that the checks below read. */
interface ErrorFields {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly Region?: string;
  readonly Endpoint?: string;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly headers?: Record<string, string> };
}

/** Raised when a body ends before its Content-Length. */
export class TruncatedBodyError extends Error {
  constructor(expected: number, received: number) {
    super(`body ended after ${received} of ${expected} bytes`);
    this.name = "TruncatedBodyError";
  }
}

const TRANSIENT_NAMES = new Set([
  "SlowDown",
  "InternalError",
  "ServiceUnavailable",
  "RequestTimeout",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "TimeoutError",
  "TruncatedBodyError",
]);

const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ERR_STREAM_PREMATURE_CLOSE",
  "UND_ERR_SOCKET",
]);

/**
 * Tells whether a failed S3 call may succeed when repeated: throttling,
 * server errors, timeouts, dropped connections and bodies cut short.
 */
export function isTransientError(error: unknown): boolean {
  const fields = asFields(error);
  const status = fields.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (fields.name !== undefined && TRANSIENT_NAMES.has(fields.name)) {
    return true;
  }
  if (fields.code !== undefined && TRANSIENT_CODES.has(fields.code)) {
    return true;
  }
  return fields.message === "aborted";
}

/**
 * Builds a message for a failed S3 call that names the bucket or key and
 * what to check. It contains no credentials: only the error's name, message
 * and the region taken from S3's response.
 */
export function describeS3Error(
  error: unknown,
  context: S3ErrorContext,
): string {
  const fields = asFields(error);
  const name = fields.name ?? "Error";
  const target = `s3://${context.logBucket}/${context.key}`;
  const where =
    context.endpoint === undefined
      ? `region ${context.region}`
      : `${context.endpoint} (region ${context.region})`;

  switch (name) {
    case "AccessDenied":
    case "AllAccessDisabled":
      return accessDeniedMessage(context, target);
    case "NoSuchBucket":
      return `log bucket ${context.logBucket} not found at ${where}: check logBucket, region and endpoint in the config`;
    case "PermanentRedirect":
    case "AuthorizationHeaderMalformed":
    case "IllegalLocationConstraintException":
      return wrongRegionMessage(fields, context);
    case "ExpiredToken":
    case "ExpiredTokenException":
    case "TokenRefreshRequired":
      return `AWS credentials expired while accessing ${target}: refresh them${loginHint(context)}`;
    case "CredentialsProviderError":
      return `no AWS credentials found for ${target}: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or profile in the config${loginHint(context)}`;
    case "InvalidAccessKeyId":
    case "SignatureDoesNotMatch":
    case "InvalidToken":
      return `AWS rejected the credentials for ${target} (${name}): check the access key ID and secret, or the profile${context.profile === undefined ? "" : ` ${context.profile}`}`;
    case "NoSuchKey":
      return `log object ${target} not found: it was deleted after it was listed`;
  }

  const status = fields.$metadata?.httpStatusCode;
  if (status === 301) return wrongRegionMessage(fields, context);
  if (status === 403) return accessDeniedMessage(context, target);
  if (fields.code === "ECONNREFUSED" || fields.code === "ENOTFOUND") {
    return `could not connect to ${where} for ${target} (${fields.code}): check the endpoint and the network`;
  }
  const detail = fields.message ? `${name}: ${fields.message}` : name;
  const verb = { list: "listing", get: "reading", delete: "deleting" }[
    context.operation
  ];
  return `${verb} ${target} failed: ${detail}`;
}

function accessDeniedMessage(context: S3ErrorContext, target: string): string {
  const prefixArn = `arn:aws:s3:::${context.logBucket}/${context.logPrefix}*`;
  switch (context.operation) {
    case "list":
      return `access denied listing ${target}: check that the IAM policy allows s3:ListBucket on arn:aws:s3:::${context.logBucket} for this prefix, and s3:GetObject on ${prefixArn}`;
    case "get":
      return `access denied reading ${target}: check that the IAM policy allows s3:GetObject on ${prefixArn}`;
    case "delete":
      return `access denied deleting ${target}: --purge needs s3:DeleteObject on ${prefixArn} in the IAM policy`;
  }
}

function wrongRegionMessage(
  fields: ErrorFields,
  context: S3ErrorContext,
): string {
  const region =
    fields.Region ??
    fields.$response?.headers?.["x-amz-bucket-region"] ??
    regionOfEndpoint(fields.Endpoint);
  const fix =
    region === undefined
      ? "set region in the config to the bucket's region"
      : `set region: ${region} for the buckets that log to it in the config`;
  return `log bucket ${context.logBucket} is not in region ${context.region}: ${fix}`;
}

function loginHint(context: S3ErrorContext): string {
  const profile =
    context.profile === undefined ? "" : ` --profile ${context.profile}`;
  return ` (with IAM Identity Center, run aws sso login${profile})`;
}

/** Returns `eu-west-1` for `bucket.s3.eu-west-1.amazonaws.com`. */
function regionOfEndpoint(endpoint: string | undefined): string | undefined {
  return endpoint === undefined
    ? undefined
    : /\.s3[.-]([a-z0-9-]+)\.amazonaws\.com/.exec(endpoint)?.[1];
}

function asFields(error: unknown): ErrorFields {
  return typeof error === "object" && error !== null
    ? (error as ErrorFields)
    : { message: String(error) };
}
