/** Formats a log location as `s3://bucket/prefix`. */
export function logLocation(bucket: {
  readonly logBucket: string;
  readonly logPrefix: string;
}): string {
  return `s3://${bucket.logBucket}/${bucket.logPrefix}`;
}
