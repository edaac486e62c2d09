import type { S3Client } from "@aws-sdk/client-s3";

/** Connection settings for one log location, from the config file. */
export interface S3ClientSettings {
  readonly region?: string;
  /** Endpoint URL of an S3-compatible store, such as http://127.0.0.1:9000. */
  readonly endpoint?: string;
  readonly forcePathStyle?: boolean;
  /** Profile in the shared AWS config and credentials files. */
  readonly profile?: string;
  /**
   * When the SDK adds and checks checksums. Keep the SDK default
   * (WHEN_SUPPORTED) for AWS; some S3-compatible stores need WHEN_REQUIRED.
   */
  readonly requestChecksumCalculation?: "WHEN_SUPPORTED" | "WHEN_REQUIRED";
  readonly responseChecksumValidation?: "WHEN_SUPPORTED" | "WHEN_REQUIRED";
  /**
   * Milliseconds a request may go without a byte from the server before it
   * fails with a TimeoutError, which is retried. Default SOCKET_TIMEOUT_MS.
   */
  readonly socketTimeoutMs?: number;
}

/**
 * Time allowed to open a connection, in milliseconds. The SDK sets none,
 * so a server that accepts no connection would hold a pull forever.
 */
const CONNECTION_TIMEOUT_MS = 10_000;

/**
 * Time a request may go without a byte from the server, in milliseconds.
 * The SDK sets none, so a server that stopped sending held a cron pull,
 * and its lock, for as long as it hung.
 */
export const SOCKET_TIMEOUT_MS = 30_000;

/**
 * Creates an S3 client for `settings`. Credentials come from the SDK's
 * default chain (environment, shared files and `profile`, SSO, instance
 * roles). The SDK is loaded here, on first use, so that commands that never
 * touch S3 start without it.
 */
export async function createS3Client(
  settings: S3ClientSettings,
): Promise<S3Client> {
  // On Node 20 the SDK prints a nine-line notice on every run that its 2027
  // releases need Node 22; from cron that fills the log. README says so
  // once instead, and a user who sets the variable keeps their choice.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const { S3Client } = await import("@aws-sdk/client-s3");
  return new S3Client({
    region: settings.region ?? process.env.AWS_REGION ?? "us-east-1",
    ...(settings.endpoint !== undefined && { endpoint: settings.endpoint }),
    ...(settings.forcePathStyle !== undefined && {
      forcePathStyle: settings.forcePathStyle,
    }),
    ...(settings.profile !== undefined && { profile: settings.profile }),
    ...(settings.requestChecksumCalculation !== undefined && {
      requestChecksumCalculation: settings.requestChecksumCalculation,
    }),
    ...(settings.responseChecksumValidation !== undefined && {
      responseChecksumValidation: settings.responseChecksumValidation,
    }),
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      socketTimeout: settings.socketTimeoutMs ?? SOCKET_TIMEOUT_MS,
    },
  });
}
