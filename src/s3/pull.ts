import type { S3Client } from "@aws-sdk/client-s3";
import type { TamarinConfig } from "../config/schema.js";
import { parseDuration } from "../duration.js";
import { ExitCode, TamarinError, type ExitCodeValue } from "../errors.js";
import type { Logger } from "../log.js";
import type { Db } from "../store/database.js";
import { Ingestor, isUnchanged, type IngestResult } from "../store/ingest.js";
import { InlineWriter, type ObjectWriter } from "../store/object-writer.js";
import { PullLedger } from "../store/pull-ledger.js";
import { WriterThread } from "../store/writer-thread.js";
import { createS3Client, type S3ClientSettings } from "./client.js";
import {
  BUFFER_LIMIT_BYTES,
  bodyChunks,
  downloadBody,
  objectIdentity,
} from "./ingest-object.js";
import {
  ListingError,
  listLogObjects,
  type ListedObject,
} from "./list-logs.js";
import { groupLocations, locationUrl, type LogLocation } from "./locations.js";
import { Purger } from "./purge.js";
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from "./retry.js";
import {
  describeS3Error,
  isTransientError,
  type S3ErrorContext,
} from "./s3-errors.js";
import { TaskPool } from "./task-pool.js";

/**
 * Downloaded objects that may wait for the writer, per download slot. The
 * backlog lets downloads go on while the writer commits, and bounds the
 * memory held: each waiting object is at most BUFFER_LIMIT_BYTES.
 */
const WRITE_BACKLOG_PER_DOWNLOAD = 8;

/** The settings of the config file that `pull` reads. */
export type PullSettings = Pick<
  TamarinConfig,
  "concurrency" | "lookback" | "purgeParsedKeys" | "buckets"
>;

/** Command-line choices for one run. */
export interface PullOptions {
  /** List from this time on instead of from the ledger's newest key. */
  readonly since?: Date;
  /** Pull only the locations that hold these source buckets. */
  readonly buckets?: readonly string[];
  /** List what would be pulled; download, write and delete nothing. */
  readonly dryRun?: boolean;
  /** Delete stored log objects from S3, as `purgeParsedKeys` does. */
  readonly purge?: boolean;
  /** Downloads in flight; overrides the setting. */
  readonly concurrency?: number;
  readonly retry?: RetryPolicy;
  /** When aborted, no new object is started; objects in flight finish. */
  readonly signal?: AbortSignal;
  readonly createClient?: (settings: S3ClientSettings) => Promise<S3Client>;
  /**
   * Store objects on this thread instead of a writer thread. A database
   * in memory is always written on this thread, since another connection
   * would open a different database.
   */
  readonly inlineWriter?: boolean;
}

/** Progress of one location, for progress bars. */
export interface LocationProgress {
  /** Adds `count` objects to the number to pull. */
  addListed(count: number): void;
  /** Counts one object as finished, stored or failed. */
  objectDone(records: number): void;
}

/** Receives progress; `pull` works without one. */
export interface ProgressSink {
  startLocation(url: string): LocationProgress;
}

/** Counts of one run. */
export interface PullSummary {
  dryRun: boolean;
  locations: number;
  locationsFailed: number;
  /** Objects stored in this run, new or replaced. */
  pulled: number;
  records: number;
  rejects: number;
  /** Log objects the ledger already had, unchanged. */
  skipped: number;
  /** Listed objects whose names match neither log layout. */
  notLogs: number;
  /** Objects that could not be downloaded or stored. */
  failed: number;
  retries: number;
  purged: number;
  purgeFailed: number;
  /**
   * Objects a dry run with purging requested would delete from S3: every
   * listed object that is stored or would be, including those stored by
   * earlier runs.
   */
  wouldPurge: number;
  /** Bytes of the objects pulled, or that a dry run would pull. */
  bytes: number;
  /** Sources a dry run would pull. */
  wouldPull: { source: string; size: number }[];
  /**
   * Whether some location had work done: objects stored or found stored,
   * or a listing that completed without failed objects.
   */
  anyLocationDone: boolean;
  /** True when the run stopped early on a signal. */
  interrupted: boolean;
  milliseconds: number;
}

/**
 * Pulls the log objects of every monitored bucket into the database: lists
 * each log location once, downloads new objects with bounded concurrency,
 * stores each in one transaction with its ledger row, then purges stored
 * objects when asked. A failure of one object or location is logged with
 * its bucket or key and counted; the others go on.
 *
 * `db` may be null only for a dry run on a database that does not exist.
 */
export async function pullLogs(
  db: Db | null,
  settings: PullSettings,
  options: PullOptions,
  logger: Logger,
  progress?: ProgressSink,
): Promise<PullSummary> {
  const started = Date.now();
  const dryRun = options.dryRun === true;
  const purge = !dryRun && (options.purge === true || settings.purgeParsedKeys);
  const lookbackMs = parseDuration(settings.lookback, "lookback");
  const { locations, unknown } = groupLocations(
    settings.buckets,
    options.buckets,
  );
  if (unknown.length > 0) {
    throw new TamarinError(
      `--bucket ${unknown.join(", ")}: not a monitored bucket in the config; run tamarin buckets list to see them`,
      ExitCode.Usage,
    );
  }

  const summary = emptyPullSummary(dryRun, locations.length);
  if (db === null && !dryRun) {
    throw new Error("pullLogs needs a database unless dryRun is set");
  }
  const ledger = db === null ? null : new PullLedger(db);
  const writer = db === null || dryRun ? null : createWriter(db, options);
  const concurrency = options.concurrency ?? settings.concurrency;
  const pool = new TaskPool(concurrency);
  const writes = new TaskPool(WRITE_BACKLOG_PER_DOWNLOAD * concurrency);
  const createClient = options.createClient ?? createS3Client;
  const clients: S3Client[] = [];
  const purgers: { purger: Purger; location: LogLocation }[] = [];
  const states: LocationState[] = [];

  try {
    for (const location of locations) {
      if (options.signal?.aborted) break;
      const client = await createClient(location.client);
      clients.push(client);
      const purger = purge ? new Purger(client, location.logBucket) : null;
      if (purger) purgers.push({ purger, location });
      const state: LocationState = { listed: false, stored: 0, failed: 0 };
      states.push(state);
      await pullLocation({
        client,
        location,
        ledger,
        writer,
        pool,
        writes,
        purger,
        summary,
        logger,
        progress: progress?.startLocation(locationUrl(location)),
        lookbackMs,
        options,
        state,
      });
    }
    await pool.drain();
    await writes.drain();
    await writer?.close();
    summary.anyLocationDone = states.some(
      (state) => state.stored > 0 || (state.listed && state.failed === 0),
    );

    // Purge only after every object of the run has committed or failed.
    for (const { purger, location } of purgers) {
      await purger.flush();
      summary.purged += purger.deleted;
      summary.purgeFailed += purger.failures.length;
      reportPurgeFailures(purger, location, logger);
    }
  } finally {
    for (const client of clients) client.destroy();
    await writer?.close();
  }

  if (dryRun && (options.purge === true || settings.purgeParsedKeys)) {
    summary.wouldPurge = summary.skipped + summary.wouldPull.length;
  }
  summary.interrupted = options.signal?.aborted === true;
  summary.milliseconds = Date.now() - started;
  return summary;
}

/** Returns the summary of a run that has done nothing yet. */
export function emptyPullSummary(
  dryRun: boolean,
  locations: number,
): PullSummary {
  return {
    dryRun,
    locations,
    locationsFailed: 0,
    pulled: 0,
    records: 0,
    rejects: 0,
    skipped: 0,
    notLogs: 0,
    failed: 0,
    retries: 0,
    purged: 0,
    purgeFailed: 0,
    wouldPurge: 0,
    bytes: 0,
    wouldPull: [],
    anyLocationDone: false,
    interrupted: false,
    milliseconds: 0,
  };
}

interface LocationRun {
  readonly client: S3Client;
  readonly location: LogLocation;
  readonly ledger: PullLedger | null;
  /** Null in a dry run. */
  readonly writer: ObjectWriter | null;
  readonly pool: TaskPool;
  /** Objects downloaded and waiting for the writer. */
  readonly writes: TaskPool;
  readonly purger: Purger | null;
  readonly summary: PullSummary;
  readonly logger: Logger;
  readonly progress: LocationProgress | undefined;
  readonly lookbackMs: number;
  readonly options: PullOptions;
  readonly state: LocationState;
}

/** Outcome of one location, from which the exit code is chosen. */
interface LocationState {
  listed: boolean;
  /** Objects stored in this run or found in the ledger. */
  stored: number;
  failed: number;
}

/** Lists one location and submits its new objects to the pool. */
async function pullLocation(run: LocationRun): Promise<void> {
  const { location, ledger, summary, logger, options, state } = run;

  try {
    const pages = listLogObjects(run.client, location, ledger, {
      since: options.since,
      lookbackMs: run.lookbackMs,
    });
    for await (const page of pages) {
      summary.notLogs += page.notLogs;
      const toPull: ListedObject[] = [];
      for (const object of page.logs) {
        const source = `s3://${location.logBucket}/${object.key}`;
        const existing = ledger?.find(source);
        if (
          existing &&
          isUnchanged(existing, {
            source,
            size: object.size,
            etag: object.etag,
            lastModified: null,
          })
        ) {
          summary.skipped++;
          state.stored++;
          run.purger?.add(object.key);
        } else {
          toPull.push(object);
        }
      }
      run.progress?.addListed(toPull.length);

      for (const object of toPull) {
        if (options.signal?.aborted) return;
        if (run.writer === null) {
          summary.wouldPull.push({
            source: `s3://${location.logBucket}/${object.key}`,
            size: object.size,
          });
          summary.bytes += object.size;
          continue;
        }
        const writer = run.writer;
        await run.pool.submit(() => pullObject(run, writer, object));
      }
    }
    state.listed = true;
  } catch (error) {
    summary.locationsFailed++;
    const prefix =
      error instanceof ListingError ? error.prefix : location.logPrefix;
    logger.error(
      describeS3Error(
        error instanceof ListingError ? error.cause : error,
        errorContext(location, "list", prefix),
      ),
    );
  }
}

/**
 * Downloads and stores one object, with retries of the download. Logs and
 * counts a failure instead of throwing it. A small object leaves the
 * download pool as soon as it waits for the writer, so that downloads go on
 * while the writer commits. At most WRITE_BACKLOG_PER_DOWNLOAD objects per
 * download slot wait that way.
 */
async function pullObject(
  run: LocationRun,
  writer: ObjectWriter,
  object: ListedObject,
): Promise<void> {
  const { location, summary, logger } = run;
  const identity = objectIdentity(location.logBucket, object);
  const source = identity.source;
  const retry = <T>(attempt: () => Promise<T>) =>
    withRetry(
      run.options.retry ?? DEFAULT_RETRY,
      isTransientError,
      attempt,
      (error, attemptNumber, delayMs) => {
        summary.retries++;
        logger.debug(
          `retrying ${source} in ${delayMs} ms after attempt ${attemptNumber}: ${errorName(error)}`,
        );
      },
    );

  let stored: Promise<IngestResult>;
  try {
    if (object.size <= BUFFER_LIMIT_BYTES) {
      const body = await retry(() =>
        downloadBody(run.client, location.logBucket, object.key),
      );
      stored = writer.storeBuffer(identity, body);
    } else {
      // The download starts when the writer is ready for this object.
      stored = Promise.resolve(
        await retry(() =>
          writer.storeStream(identity, () =>
            bodyChunks(run.client, location.logBucket, object.key),
          ),
        ),
      );
    }
  } catch (error) {
    recordFailure(run, object, error);
    return;
  }
  const recorded = stored.then(
    (result) => recordStored(run, object, result),
    (error: unknown) => recordFailure(run, object, error),
  );
  await run.writes.submit(() => recorded);
}

/**
 * Returns the writer of a run: a writer thread for a database file, so
 * that parsing and inserts overlap the downloads, or this thread.
 */
function createWriter(db: Db, options: PullOptions): ObjectWriter {
  if (options.inlineWriter === true || db.memory) {
    return new InlineWriter(new Ingestor(db));
  }
  return new WriterThread(db.name);
}

/** Counts an object stored (or found unchanged) by the writer. */
function recordStored(
  run: LocationRun,
  object: ListedObject,
  result: IngestResult,
): void {
  const { summary, state } = run;
  state.stored++;
  if (result.status === "skipped") {
    summary.skipped++;
  } else {
    summary.pulled++;
    summary.records += result.records;
    summary.rejects += result.rejects;
    summary.bytes += object.size;
  }
  run.purger?.add(object.key);
  run.progress?.objectDone(result.records);
  run.logger.debug(
    `${result.status} s3://${run.location.logBucket}/${object.key}: ${result.records} records, ${result.rejects} rejected`,
  );
}

/** Logs and counts an object that could not be downloaded or stored. */
function recordFailure(
  run: LocationRun,
  object: ListedObject,
  error: unknown,
): void {
  run.state.failed++;
  run.summary.failed++;
  run.progress?.objectDone(0);
  run.logger.error(
    describeS3Error(error, errorContext(run.location, "get", object.key)),
  );
}

function reportPurgeFailures(
  purger: Purger,
  location: LogLocation,
  logger: Logger,
): void {
  // One line per distinct message, so that a denied batch of 1,000 keys
  // prints once.
  const byMessage = new Map<string, { first: string; count: number }>();
  for (const failure of purger.failures) {
    const message = describeS3Error(
      failure.error,
      errorContext(location, "delete", failure.key),
    );
    const generic = message.replaceAll(failure.key, "");
    const entry = byMessage.get(generic);
    if (entry) entry.count++;
    else byMessage.set(generic, { first: message, count: 1 });
  }
  for (const { first, count } of byMessage.values()) {
    const more = count > 1 ? ` (and ${count - 1} more objects)` : "";
    logger.error(`${first}${more}`);
  }
}

function errorContext(
  location: LogLocation,
  operation: S3ErrorContext["operation"],
  key: string,
): S3ErrorContext {
  return {
    operation,
    logBucket: location.logBucket,
    logPrefix: location.logPrefix,
    key,
    region: location.region,
    endpoint: location.endpoint,
    profile: location.client.profile,
  };
}

function errorName(error: unknown): string {
  if (typeof error !== "object" || error === null) return String(error);
  const fields = error as { name?: string; code?: string; message?: string };
  return [fields.name, fields.code, fields.message]
    .filter((part) => part !== undefined && part !== "")
    .join(": ");
}

/**
 * Returns the exit code of a run: 0 when nothing failed, 3 (partial) when
 * something failed but some location had work done, 1 when nothing could
 * be done.
 */
export function pullExitCode(summary: PullSummary): ExitCodeValue {
  const failures =
    summary.failed + summary.locationsFailed + summary.purgeFailed;
  if (failures === 0) return ExitCode.Success;
  return summary.anyLocationDone ? ExitCode.Partial : ExitCode.Failure;
}
