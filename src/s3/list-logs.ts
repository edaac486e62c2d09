import {
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { PullLedger } from "../store/pull-ledger.js";
import type { LogLocation } from "./locations.js";
import {
  ACCOUNT_FOLDER,
  parseLogKey,
  partitionedStartAfter,
  simpleStartAfter,
} from "./log-keys.js";

/** A log object found by listing. */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
  /** ETag as S3 returns it, quotes included. */
  readonly etag: string;
  readonly lastModified: Date | undefined;
}

/** One page of a listing, with its log objects and how many names were not logs. */
export interface ListedPage {
  readonly logs: readonly ListedObject[];
  readonly notLogs: number;
}

export interface ListOptions {
  /** List from this time on, instead of from the ledger's newest key. */
  readonly since?: Date;
  /** How far before the newest ingested key listing starts, in ms. */
  readonly lookbackMs: number;
}

/** Raised by a listing call, with the prefix that was being listed. */
export class ListingError extends Error {
  constructor(
    readonly prefix: string,
    override readonly cause: unknown,
  ) {
    super(`listing ${prefix} failed`);
    this.name = "ListingError";
  }
}

/**
 * Lists the log objects of `location` that may be new, page by page.
 *
 * A single "last key" checkpoint would miss objects: S3 delivers logs late
 * and out of key order, and with the date-partitioned layout new objects
 * keep appearing under past days. So listing restarts from the newest key
 * in the ledger minus the lookback, and the caller skips objects that the
 * ledger already has. The result never depends on the order in which the
 * server returns keys.
 *
 * - Nothing of the location in the ledger and no `since`: one listing of
 *   the whole prefix.
 * - Simple layout: the keys directly under the prefix, from the newest
 *   simple key's time minus the lookback (StartAfter).
 * - Partitioned layout: the `<account>/<region>/<bucket>/` folders, found
 *   with delimiter listings, each listed from the day of its newest key
 *   minus the lookback.
 */
export async function* listLogObjects(
  client: S3Client,
  location: LogLocation,
  ledger: PullLedger | null,
  options: ListOptions,
): AsyncGenerator<ListedPage> {
  const prefix = location.logPrefix;
  const base = `s3://${location.logBucket}/`;
  const list = (request: ListRequest) =>
    listPages(client, location.logBucket, request);

  // First run: list everything once.
  const seen = ledger?.lastWithPrefix(base + prefix);
  if (options.since === undefined && seen === undefined) {
    for await (const page of list({ prefix })) {
      yield classify(page, (key) => parseLogKey(prefix, key) !== null);
    }
    return;
  }

  // Simple layout. The delimiter keeps partitioned keys out of this listing.
  const lastSimple = ledger?.lastSimpleSource(base + prefix);
  const simpleFrom =
    options.since ?? checkpoint(prefix, base, lastSimple, options.lookbackMs);
  for await (const page of list({
    prefix,
    delimiter: "/",
    startAfter:
      simpleFrom === undefined
        ? undefined
        : simpleStartAfter(prefix, simpleFrom),
  })) {
    yield classify(
      page,
      (key) => parseLogKey(prefix, key)?.layout === "simple",
    );
  }

  // Partitioned layout, one source bucket folder at a time.
  for await (const folder of partitionedFolders(list, prefix)) {
    const last = ledger?.lastWithPrefix(base + folder);
    const from =
      options.since ?? checkpoint(prefix, base, last, options.lookbackMs);
    for await (const page of list({
      prefix: folder,
      startAfter:
        from === undefined ? undefined : partitionedStartAfter(folder, from),
    })) {
      yield classify(page, (key) => {
        const parsed = parseLogKey(prefix, key);
        return (
          parsed?.layout === "partitioned" && prefix + parsed.folder === folder
        );
      });
    }
  }
}

/**
 * Finds the `<prefix><account>/<region>/<bucket>/` folders.
 *
 * Accounts are found with "-" as the delimiter: every simple key collapses
 * into one `YYYY-` prefix per year, and every partitioned key into
 * `<account>/<text up to the first "-">`, because region names and the
 * file name contain a "-". A "/" delimiter would return each simple key
 * on its own, so a prefix with years of simple logs would be listed whole
 * on every run. Regions and buckets are then found with "/".
 */
async function* partitionedFolders(
  list: (request: ListRequest) => AsyncGenerator<ListObjectsV2CommandOutput>,
  prefix: string,
): AsyncGenerator<string> {
  const accounts = new Set<string>();
  for await (const page of list({ prefix, delimiter: "-" })) {
    for (const common of page.CommonPrefixes ?? []) {
      const rest = common.Prefix?.slice(prefix.length) ?? "";
      const slash = rest.indexOf("/");
      const account = rest.slice(0, slash + 1);
      if (slash !== -1 && ACCOUNT_FOLDER.test(account)) {
        accounts.add(prefix + account);
      }
    }
  }
  for (const account of accounts) {
    for (const region of await commonPrefixes(list, account)) {
      yield* await commonPrefixes(list, region);
    }
  }
}

async function commonPrefixes(
  list: (request: ListRequest) => AsyncGenerator<ListObjectsV2CommandOutput>,
  prefix: string,
): Promise<string[]> {
  const folders: string[] = [];
  for await (const page of list({ prefix, delimiter: "/" })) {
    for (const common of page.CommonPrefixes ?? []) {
      if (common.Prefix !== undefined) folders.push(common.Prefix);
    }
  }
  return folders;
}

/** Returns the time listing starts from: the newest key's time minus the lookback. */
function checkpoint(
  prefix: string,
  base: string,
  lastSource: string | undefined,
  lookbackMs: number,
): Date | undefined {
  if (lastSource === undefined) return undefined;
  const parsed = parseLogKey(prefix, lastSource.slice(base.length));
  if (parsed === null) return undefined;
  return new Date(parsed.time.getTime() - lookbackMs);
}

function classify(
  page: ListObjectsV2CommandOutput,
  isLog: (key: string) => boolean,
): ListedPage {
  const logs: ListedObject[] = [];
  let notLogs = 0;
  for (const object of page.Contents ?? []) {
    if (object.Key === undefined) continue;
    if (!isLog(object.Key)) {
      notLogs++;
      continue;
    }
    logs.push({
      key: object.Key,
      size: object.Size ?? 0,
      etag: object.ETag ?? "",
      lastModified: object.LastModified,
    });
  }
  return { logs, notLogs };
}

interface ListRequest {
  readonly prefix: string;
  readonly delimiter?: string;
  readonly startAfter?: string;
}

async function* listPages(
  client: S3Client,
  bucket: string,
  request: ListRequest,
): AsyncGenerator<ListObjectsV2CommandOutput> {
  let token: string | undefined;
  do {
    let page: ListObjectsV2CommandOutput;
    try {
      page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: request.prefix,
          Delimiter: request.delimiter,
          StartAfter: token === undefined ? request.startAfter : undefined,
          ContinuationToken: token,
        }),
      );
    } catch (error) {
      throw new ListingError(request.prefix, error);
    }
    yield page;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}
