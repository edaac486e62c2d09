import { TamarinError } from "../errors.js";
import type { S3ClientSettings } from "../s3/client.js";

/** Log location that S3 delivers a bucket's server access logs to. */
export interface LoggingTarget {
  readonly logBucket: string;
  readonly logPrefix: string;
  /**
   * "partitioned" when keys are `prefix/account/region/bucket/YYYY/MM/DD/...`
   * (date-based partitioning), "simple" for `prefix` followed by the date.
   */
  readonly keyFormat: "simple" | "partitioned";
}

/**
 * Reads where `bucket` delivers its server access logs with
 * GetBucketLogging. Raises a TamarinError that names the bucket when logging
 * is off or the request fails.
 */
export async function readBucketLogging(
  bucket: string,
  settings: S3ClientSettings,
): Promise<LoggingTarget> {
  const { createS3Client } = await import("../s3/client.js");
  const { GetBucketLoggingCommand } = await import("@aws-sdk/client-s3");
  const client = await createS3Client(settings);
  let output;
  try {
    output = await client.send(new GetBucketLoggingCommand({ Bucket: bucket }));
  } catch (error) {
    throw describeFailure(bucket, settings, error);
  } finally {
    client.destroy();
  }

  const logging = output.LoggingEnabled;
  if (logging?.TargetBucket === undefined) {
    throw new TamarinError(
      `server access logging is not enabled on bucket "${bucket}". Enable it (S3 console: the bucket's Properties, Server access logging), or pass --log-bucket and --log-prefix.`,
    );
  }
  return {
    logBucket: logging.TargetBucket,
    logPrefix: logging.TargetPrefix ?? "",
    keyFormat:
      logging.TargetObjectKeyFormat?.PartitionedPrefix !== undefined
        ? "partitioned"
        : "simple",
  };
}

function describeFailure(
  bucket: string,
  settings: S3ClientSettings,
  error: unknown,
): TamarinError {
  const { name, message } = error as { name?: string; message?: string };
  const skip = "or pass --log-bucket to skip this look-up.";
  const where =
    settings.endpoint !== undefined
      ? `endpoint ${settings.endpoint}`
      : `region ${settings.region ?? process.env.AWS_REGION ?? "us-east-1"}`;
  switch (name) {
    case "AccessDenied":
      return new TamarinError(
        `access denied reading the logging configuration of bucket "${bucket}". Check that the credentials${settings.profile === undefined ? "" : ` of profile ${settings.profile}`} allow s3:GetBucketLogging on it, ${skip}`,
      );
    case "NoSuchBucket":
      return new TamarinError(
        `bucket "${bucket}" not found at ${where}. Check the bucket name and --endpoint, ${skip}`,
      );
    case "PermanentRedirect":
    case "AuthorizationHeaderMalformed":
      return new TamarinError(
        `bucket "${bucket}" is not in ${where}. Pass its region with --region, ${skip}`,
      );
    case "CredentialsProviderError":
      return new TamarinError(
        `no AWS credentials found to read the logging configuration of bucket "${bucket}". Pass --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ${skip}`,
      );
    default:
      return new TamarinError(
        `failed to read the logging configuration of bucket "${bucket}" at ${where}: ${name ?? "Error"}: ${message ?? String(error)}. Check the connection settings, ${skip}`,
      );
  }
}
