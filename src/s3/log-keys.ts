/**
 * Names of S3 server access log objects. S3 writes them under the target
 * prefix in one of two layouts, chosen per source bucket, and a prefix may
 * hold both when a bucket switched layouts:
 *
 * - SimplePrefix: `<prefix>YYYY-mm-DD-HH-MM-SS-<unique>`, where the time is
 *   when S3 delivered the object.
 * - PartitionedPrefix: `<prefix><account>/<region>/<bucket>/YYYY/MM/DD/`
 *   followed by `YYYY-MM-DD-hh-mm-ss-<unique>`. The date is the event day
 *   (time fixed at 00-00-00) or the delivery time, as the bucket chose.
 *
 * Times in key names are UTC. `<unique>` only keeps names apart.
 */

/** A log object name split into its layout and time. */
export type LogKey =
  | { readonly layout: "simple"; readonly time: Date }
  | {
      readonly layout: "partitioned";
      readonly time: Date;
      /** `<account>/<region>/<bucket>/`, relative to the location's prefix. */
      readonly folder: string;
    };

const SIMPLE_NAME = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[^/]+$/;
const PARTITIONED_NAME =
  /^(\d{12}\/[^/]+\/[^/]+\/)(\d{4})\/(\d{2})\/(\d{2})\/(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[^/]+$/;

/** Matches an AWS account ID folder, `<12 digits>/`, under a log prefix. */
export const ACCOUNT_FOLDER = /^\d{12}\/$/;

/**
 * Parses `key`, which must start with `prefix`, as a log object name.
 * Returns null for names of neither layout, and for impossible dates.
 */
export function parseLogKey(prefix: string, key: string): LogKey | null {
  if (!key.startsWith(prefix)) return null;
  const name = key.slice(prefix.length);

  const simple = SIMPLE_NAME.exec(name);
  if (simple !== null) {
    const time = utcTime(simple.slice(1, 7));
    return time === null ? null : { layout: "simple", time };
  }

  const partitioned = PARTITIONED_NAME.exec(name);
  if (partitioned === null) return null;
  const [, folder, year, month, day, fileYear, fileMonth, fileDay] =
    partitioned;
  // The day folder and the file name carry the same date.
  if (year !== fileYear || month !== fileMonth || day !== fileDay) return null;
  const time = utcTime(partitioned.slice(5, 11));
  if (time === null) return null;
  return { layout: "partitioned", time, folder: folder! };
}

/**
 * Returns the StartAfter value that lists simple-layout keys delivered at
 * or after `time`: keys of that very second sort after it, because they
 * continue with `-<unique>`.
 */
export function simpleStartAfter(prefix: string, time: Date): string {
  const iso = time.toISOString();
  const stamp = `${iso.slice(0, 10)}-${iso.slice(11, 13)}-${iso.slice(14, 16)}-${iso.slice(17, 19)}`;
  return `${prefix}${stamp}`;
}

/**
 * Returns the StartAfter value that lists a partitioned folder from the
 * UTC day of `time` on. `folder` is the full key prefix ending in
 * `<bucket>/`.
 */
export function partitionedStartAfter(folder: string, time: Date): string {
  const day = time.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${folder}${day}/`;
}

function utcTime(parts: readonly (string | undefined)[]): Date | null {
  const [year, month, day, hour, minute, second] = parts.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const time = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls over out-of-range fields (month 13, day 32); reject those.
  if (
    time.getUTCFullYear() !== year ||
    time.getUTCMonth() !== month - 1 ||
    time.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return null;
  }
  return time;
}
