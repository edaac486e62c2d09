import { z } from "zod";
import { parseDuration } from "../duration.js";
import { TamarinError } from "../errors.js";
import { bucketNameProblem } from "./bucket-name.js";
import { CONFIG_DEFAULTS } from "./defaults.js";

/** A bucket whose server access logs Tamarin reads, and where they are. */
export interface BucketConfig {
  /** Bucket whose requests are logged. */
  readonly name: string;
  /** Bucket that S3 delivers the log objects to. */
  readonly logBucket: string;
  /** Key prefix of the log objects in `logBucket`, "" for none. */
  readonly logPrefix: string;
  readonly region?: string;
  /** Endpoint URL of an S3-compatible store. */
  readonly endpoint?: string;
  readonly forcePathStyle?: boolean;
  /** Profile in the shared AWS config and credentials files. */
  readonly profile?: string;
  readonly requestChecksumCalculation?: "WHEN_SUPPORTED" | "WHEN_REQUIRED";
  readonly responseChecksumValidation?: "WHEN_SUPPORTED" | "WHEN_REQUIRED";
  /**
   * Whether `pull` reads this bucket's log location. A location shared by
   * several buckets is read when at least one of them is monitored, and then
   * every record in it is stored, whichever bucket it belongs to.
   */
  readonly monitor: boolean;
}

/** The validated config file, with defaults filled in. */
export interface TamarinConfig {
  /** Absolute path of the SQLite file, resolved from the config's folder. */
  readonly database?: string;
  readonly pullIntervalMinutes: number;
  /** Whether `pull` deletes log objects from S3 once they are stored. */
  readonly purgeParsedKeys: boolean;
  /** Number of log objects downloaded at the same time. */
  readonly concurrency: number;
  /** Window that `pull` lists again for late log objects, such as "2d". */
  readonly lookback: string;
  readonly buckets: readonly BucketConfig[];
}

/** The expected form of each key, quoted in validation errors. */
export const EXPECTED_FORM: Readonly<Record<string, string>> = {
  database: 'a file path such as "logs.db", relative to the config file',
  pullIntervalMinutes: "a number of minutes greater than 0, such as 5",
  purgeParsedKeys: "true or false",
  concurrency: "an integer from 1 to 64",
  lookback:
    'a duration: a number and a unit s, m, h, d or w, such as "2d" or "36h"',
  buckets: "a list of buckets, each with at least name and logBucket",
  name: 'an S3 bucket name such as "my-site"',
  logBucket: 'an S3 bucket name such as "my-site-logs"',
  logPrefix: 'a key prefix such as "logs/", or "" for none',
  region: 'an AWS region such as "eu-west-1"',
  endpoint: 'an http or https URL such as "http://127.0.0.1:9000"',
  forcePathStyle: "true or false",
  profile: "the name of a profile in the shared AWS config files",
  requestChecksumCalculation: '"WHEN_SUPPORTED" or "WHEN_REQUIRED"',
  responseChecksumValidation: '"WHEN_SUPPORTED" or "WHEN_REQUIRED"',
  monitor: "true or false",
};

const bucketName = z.string().superRefine((value, context) => {
  const problem = bucketNameProblem(value);
  if (problem !== null) {
    context.addIssue({
      code: "custom",
      message: problem,
      params: { problem },
      input: value,
    });
  }
});

/** Tells whether `value` is an http or https URL. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** Region names are lowercase letters, digits and hyphens. */
export const REGION_PATTERN = /^[a-z0-9-]+$/;

const endpointUrl = z.string().refine(isHttpUrl);

const checksumMode = z.enum(["WHEN_SUPPORTED", "WHEN_REQUIRED"]);

const bucketSchema = z.strictObject({
  name: bucketName,
  logBucket: bucketName,
  logPrefix: z.string().default(""),
  region: z.string().regex(REGION_PATTERN).optional(),
  endpoint: endpointUrl.optional(),
  forcePathStyle: z.boolean().optional(),
  profile: z.string().min(1).optional(),
  requestChecksumCalculation: checksumMode.optional(),
  responseChecksumValidation: checksumMode.optional(),
  monitor: z.boolean().default(true),
});

const topLevelSchema = z.strictObject({
  database: z.string().min(1).optional(),
  pullIntervalMinutes: z
    .number()
    .positive()
    .finite()
    .default(CONFIG_DEFAULTS.pullIntervalMinutes),
  purgeParsedKeys: z.boolean().default(CONFIG_DEFAULTS.purgeParsedKeys),
  concurrency: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(CONFIG_DEFAULTS.concurrency),
  lookback: z
    .string()
    .refine((value) => {
      try {
        parseDuration(value, "lookback");
        return true;
      } catch (error) {
        if (error instanceof TamarinError) return false;
        throw error;
      }
    })
    .default(CONFIG_DEFAULTS.lookback),
  // YAML reads an empty `buckets:` as null, which means no buckets.
  buckets: z.preprocess((value) => value ?? [], z.array(bucketSchema)),
});

/** Schema of the config file as written, before paths are resolved. */
export const configSchema = topLevelSchema.superRefine((config, context) => {
  const firstIndex = new Map<string, number>();
  config.buckets.forEach((bucket, index) => {
    const earlier = firstIndex.get(bucket.name);
    if (earlier === undefined) {
      firstIndex.set(bucket.name, index);
      return;
    }
    const duplicate = `the bucket is already listed at buckets[${earlier}], and each bucket is listed once`;
    context.addIssue({
      code: "custom",
      path: ["buckets", index, "name"],
      message: duplicate,
      params: { problem: duplicate },
      input: bucket.name,
    });
  });
});

// Keys whose values would be secrets. They are rejected with advice rather than as
// mere unknown keys. Names are compared in lowercase, without "_" and "-".
const SECRET_KEYS = new Set([
  "accesskey",
  "accesskeyid",
  "awsaccesskeyid",
  "awssecretaccesskey",
  "awssessiontoken",
  "credentials",
  "password",
  "secret",
  "secretaccesskey",
  "secretkey",
  "sessiontoken",
  "token",
]);

/** Tells whether a config key looks like the name of a credential. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, ""));
}

/** The keys that each level of the config accepts. */
export const KNOWN_KEYS = {
  top: Object.keys(topLevelSchema.shape),
  bucket: Object.keys(bucketSchema.shape),
};
