import type { BucketConfig } from "../config/schema.js";
import type { S3ClientSettings } from "./client.js";

/**
 * A log location: a prefix in a log bucket, reached through one endpoint
 * and region. Several source buckets may log to the same location, which
 * is then listed once, and each of its objects read once, for all of them.
 */
export interface LogLocation {
  readonly logBucket: string;
  readonly logPrefix: string;
  /** Region used to sign requests: the config's, else AWS_REGION, else us-east-1. */
  readonly region: string;
  readonly endpoint: string | undefined;
  /** Client settings, taken from the first bucket of the location. */
  readonly client: S3ClientSettings;
  /** Names of the source buckets configured to log here. */
  readonly buckets: readonly string[];
}

/**
 * Groups the monitored buckets by endpoint, region, log bucket and prefix.
 * With `only` given, returns just the locations that contain one of those
 * bucket names. Names that match no monitored bucket are returned in
 * `unknown`, so that the caller can report them.
 */
export function groupLocations(
  buckets: readonly BucketConfig[],
  only: readonly string[] = [],
  defaultRegion: string = process.env.AWS_REGION ?? "us-east-1",
): { locations: LogLocation[]; unknown: string[] } {
  const byKey = new Map<string, LogLocation & { buckets: string[] }>();
  for (const bucket of buckets) {
    if (!bucket.monitor) continue;
    const region = bucket.region ?? defaultRegion;
    const key = JSON.stringify([
      bucket.endpoint ?? "",
      region,
      bucket.logBucket,
      bucket.logPrefix,
    ]);
    const existing = byKey.get(key);
    if (existing) {
      existing.buckets.push(bucket.name);
      continue;
    }
    byKey.set(key, {
      logBucket: bucket.logBucket,
      logPrefix: bucket.logPrefix,
      region,
      endpoint: bucket.endpoint,
      client: {
        region,
        endpoint: bucket.endpoint,
        forcePathStyle: bucket.forcePathStyle,
        profile: bucket.profile,
        requestChecksumCalculation: bucket.requestChecksumCalculation,
        responseChecksumValidation: bucket.responseChecksumValidation,
      },
      buckets: [bucket.name],
    });
  }

  const all = [...byKey.values()];
  if (only.length === 0) return { locations: all, unknown: [] };
  const wanted = new Set(only);
  const known = new Set(all.flatMap((location) => location.buckets));
  return {
    locations: all.filter((location) =>
      location.buckets.some((name) => wanted.has(name)),
    ),
    unknown: only.filter((name) => !known.has(name)),
  };
}

/** Returns `s3://<logBucket>/<logPrefix>`, the name used in messages. */
export function locationUrl(location: LogLocation): string {
  return `s3://${location.logBucket}/${location.logPrefix}`;
}
