// Naming rules for S3 general purpose buckets, as listed in the Amazon S3
// User Guide page "General purpose bucket naming rules".
import { plural } from "../format.js";

const RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"] as const;
const RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3"] as const;

/**
 * Checks `name` against S3's bucket naming rules and returns the first rule
 * it breaks, or null when the name is valid.
 *
 * NOTE: buckets created in us-east-1 before March 2018 may have names with
 * uppercase letters or underscores. Such names are rejected here.
 */
export function bucketNameProblem(name: string): string | null {
  if (name.length < 3 || name.length > 63) {
    return `it has ${plural(name.length, "character")}, but a bucket name has 3 to 63`;
  }
  const invalid = /[^a-z0-9.-]/.exec(name);
  if (invalid !== null) {
    return `it contains "${invalid[0]}", but a bucket name has only lowercase letters, digits, dots and hyphens`;
  }
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) {
    return "a bucket name starts and ends with a lowercase letter or digit";
  }
  if (name.includes("..")) {
    return 'it contains "..", but a bucket name has no two dots in a row';
  }
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) {
    return "it is formatted as an IP address, which S3 does not allow";
  }
  const prefix = RESERVED_PREFIXES.find((reserved) =>
    name.startsWith(reserved),
  );
  if (prefix !== undefined) {
    return `it starts with "${prefix}", a prefix that S3 reserves`;
  }
  const suffix = RESERVED_SUFFIXES.find((reserved) => name.endsWith(reserved));
  if (suffix !== undefined) {
    return `it ends with "${suffix}", a suffix that S3 reserves`;
  }
  return null;
}
