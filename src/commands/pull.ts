import fs from "node:fs";
import type { Argv, CommandModule } from "yargs";
import { loadConfig } from "../config/load.js";
import type { TamarinConfig } from "../config/schema.js";
import { parseTimePoint } from "../duration.js";
import { ExitCode, TamarinError } from "../errors.js";
import { formatBytes, formatCount, formatSeconds, plural } from "../format.js";
import { Logger } from "../log.js";
import type { PullSummary } from "../s3/pull.js";
import {
  createLogger,
  databasePath,
  showProgress,
  type GlobalOptions,
} from "./global-options.js";

interface PullCommandOptions extends GlobalOptions {
  readonly once?: boolean;
  readonly since?: string;
  readonly bucket?: string[];
  readonly dryRun?: boolean;
  readonly purge?: boolean;
  readonly json?: boolean;
  readonly concurrency?: string;
}

export const pullCommand: CommandModule<GlobalOptions, PullCommandOptions> = {
  command: "pull",
  describe:
    "Download new S3 server access log objects of the monitored buckets into the database. Without --once, pulls every pullIntervalMinutes until SIGINT or SIGTERM, which let the objects in flight finish. Only one pull runs on a database at a time: another exits with code 4.",
  builder: (yargs: Argv<GlobalOptions>) =>
    yargs
      .option("once", {
        describe: "Pull once and exit, as from cron",
        type: "boolean",
        default: false,
      })
      .option("since", {
        describe:
          "List log objects from this time on (an ISO date such as 2024-05-01, or a duration before now such as 7d) instead of from the newest stored object minus lookback",
        type: "string",
      })
      .option("bucket", {
        describe:
          "Pull only the log locations of this source bucket (repeatable)",
        type: "string",
        array: true,
        // One value per --bucket, so that no later argument is taken for one.
        nargs: 1,
      })
      .option("dry-run", {
        describe:
          "Print the log objects that would be pulled; download, write and delete nothing",
        type: "boolean",
        default: false,
      })
      .option("purge", {
        describe:
          "Delete log objects from S3 once their records are stored, as the purgeParsedKeys setting does",
        type: "boolean",
        default: false,
      })
      .option("json", {
        describe: "Print the summary of each run as one line of JSON on stdout",
        type: "boolean",
        default: false,
      })
      .option("concurrency", {
        describe:
          "Log objects downloaded at the same time [default: the concurrency setting, 8]",
        type: "string",
      }) as Argv<PullCommandOptions>,
  handler: async (options) => {
    process.exitCode = await runPullCommand(options);
  },
};

async function runPullCommand(options: PullCommandOptions): Promise<number> {
  // Check the options.
  const concurrency =
    options.concurrency === undefined
      ? undefined
      : parseConcurrency(options.concurrency);
  const since =
    options.since === undefined ? undefined : parseSince(options.since);

  // Load the configuration.
  const loaded = await loadConfig({ config: options.config });
  const dbFile = await databasePath(options, loaded);
  const config = loaded.config;
  if (!config.buckets.some((bucket) => bucket.monitor)) {
    throw new TamarinError(
      `no monitored bucket in ${loaded.file ?? "the config (no config file found)"}: add one with tamarin buckets add <name>`,
    );
  }

  const logger = createLogger(options);
  const run: RunSettings = {
    dbFile,
    config,
    options,
    since,
    concurrency,
    logger,
  };
  if (options.once || options.dryRun) {
    // The handlers stay until the process exits, so that a signal that
    // arrives while the summary is printed does not kill it half way.
    const stop = stopOnSignals(logger, () => "");
    const summary = await pullOnce(
      { ...run, signal: stop.signal },
      showProgress(options),
    );
    report(run, summary, false);
    if (summary.interrupted) return ExitCode.Interrupted;
    const { pullExitCode } = await import("../s3/pull.js");
    return pullExitCode(summary);
  }
  return poll(run);
}

/** Parses --concurrency, reporting an invalid value as a usage error. */
function parseConcurrency(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < 1 || value > 64) {
    throw new TamarinError(
      `invalid --concurrency "${text}": expected a whole number from 1 to 64\nRun tamarin pull --help for usage.`,
      ExitCode.Usage,
    );
  }
  return value;
}

/** Parses --since, reporting an invalid value as a usage error. */
function parseSince(text: string): Date {
  try {
    return parseTimePoint(text, "--since");
  } catch (error) {
    if (error instanceof TamarinError) {
      throw new TamarinError(
        `${error.message}\nRun tamarin pull --help for usage.`,
        ExitCode.Usage,
      );
    }
    throw error;
  }
}

interface RunSettings {
  readonly dbFile: string;
  readonly config: TamarinConfig;
  readonly options: PullCommandOptions;
  readonly since: Date | undefined;
  /** --concurrency, parsed. */
  readonly concurrency: number | undefined;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

/** Runs one pull under the database's pull lock; a dry run takes no lock. */
async function pullOnce(
  run: RunSettings,
  withBars: boolean,
): Promise<PullSummary> {
  const { pullLogs } = await import("../s3/pull.js");
  const { openDatabase } = await import("../store/database.js");
  const { acquirePullLock } = await import("../store/pull-lock.js");
  const { PullProgressBars } = await import("../s3/pull-progress.js");

  const pullOptions = {
    since: run.since,
    buckets: run.options.bucket,
    dryRun: run.options.dryRun,
    purge: run.options.purge,
    concurrency: run.concurrency,
    signal: run.signal,
  };

  if (run.options.dryRun) {
    const db = fs.existsSync(run.dbFile)
      ? openDatabase(run.dbFile, { readonly: true })
      : null;
    try {
      return await pullLogs(db, run.config, pullOptions, run.logger);
    } finally {
      db?.close();
    }
  }

  const lock = acquirePullLock(run.dbFile);
  const bars = withBars ? new PullProgressBars() : null;
  const logger = bars
    ? new Logger(run.logger.verbosity, bars.logStream)
    : run.logger;
  try {
    const db = openDatabase(run.dbFile);
    try {
      return await pullLogs(
        db,
        run.config,
        pullOptions,
        logger,
        bars ?? undefined,
      );
    } finally {
      db.close();
    }
  } finally {
    bars?.stop();
    lock.release();
  }
}

/**
 * Pulls every `pullIntervalMinutes` until SIGINT or SIGTERM. A signal lets
 * the objects in flight finish, then the loop ends with exit code 0; a
 * second signal exits at once. Errors of a run are logged, and the next
 * run goes ahead.
 */
async function poll(settings: RunSettings): Promise<number> {
  const { logger, config } = settings;
  const stop = stopOnSignals(logger, () => `${stamp()} `);
  const run = { ...settings, signal: stop.signal };
  const intervalMs = config.pullIntervalMinutes * 60_000;
  logger.info(
    `${stamp()} pulling into ${settings.dbFile} every ${plural(config.pullIntervalMinutes, "minute")}`,
  );
  try {
    while (!stop.signal.aborted) {
      try {
        report(run, await pullOnce(run, false), true);
      } catch (error) {
        const message =
          error instanceof TamarinError
            ? error.message
            : ((error as Error).stack ?? String(error));
        logger.error(`${stamp()} run failed: ${message}`);
      }
      await sleep(intervalMs, stop.signal);
    }
  } finally {
    stop.dispose();
  }
  logger.info(`${stamp()} stopped`);
  return ExitCode.Success;
}

/** Signals this soon after the first count as the same stop request. */
const REPEAT_SIGNAL_WINDOW_MS = 1000;

/**
 * Turns the first SIGINT or SIGTERM into an abort: a run then finishes the
 * objects in flight and stops. A second signal, a second or more after
 * the first, exits at once with exit code 1. `prefix` returns the start
 * of the log line, a time stamp in the poller.
 */
function stopOnSignals(
  logger: Logger,
  prefix: () => string,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let firstAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // coreutils timeout sends SIGTERM to the process and then to its
    // process group, so one stop request can arrive twice at once.
    if (
      controller.signal.aborted &&
      Date.now() - firstAt < REPEAT_SIGNAL_WINDOW_MS
    ) {
      return;
    }
    if (controller.signal.aborted) {
      logger.error(`${signal} again: exiting without waiting`);
      process.exit(ExitCode.Failure);
    }
    logger.info(
      `${prefix()}${signal}: stopping after the objects in flight (send it again to exit at once)`,
    );
    firstAt = Date.now();
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

function report(
  run: RunSettings,
  summary: PullSummary,
  withTime: boolean,
): void {
  if (run.options.json) {
    process.stdout.write(`${JSON.stringify(jsonSummary(summary))}\n`);
  } else if (summary.dryRun) {
    for (const object of summary.wouldPull) {
      process.stdout.write(`${object.source}\n`);
    }
  }
  const line = formatPullSummary(summary);
  run.logger.info(withTime ? `${stamp()} ${line}` : line);
}

/**
 * Formats the one-line summary, such as `pulled 12 objects, 48,213
 * records, 3 rejected, 40 skipped, 2 non-log objects, 0 failed from 2
 * locations in 1.9 s`.
 */
export function formatPullSummary(summary: PullSummary): string {
  const locations = plural(summary.locations, "location");
  const time = formatSeconds(summary.milliseconds);
  const notLogs = plural(summary.notLogs, "non-log object");
  const extras: string[] = [];
  let line: string;
  if (summary.dryRun) {
    line = `would pull ${plural(summary.wouldPull.length, "object")} (${formatBytes(summary.bytes)}), ${formatCount(summary.skipped)} skipped, ${notLogs} from ${locations} in ${time}`;
    if (summary.wouldPurge > 0) {
      extras.push(
        `a purge would then delete ${plural(summary.wouldPurge, "log object")} from S3`,
      );
    }
  } else {
    const parts = [
      `pulled ${plural(summary.pulled, "object")}`,
      plural(summary.records, "record"),
      `${formatCount(summary.rejects)} rejected`,
      `${formatCount(summary.skipped)} skipped`,
      notLogs,
      `${formatCount(summary.failed)} failed`,
    ];
    line = `${parts.join(", ")} from ${locations} in ${time}`;
  }
  if (summary.purged > 0 || summary.purgeFailed > 0) {
    extras.push(`${formatCount(summary.purged)} purged`);
  }
  if (summary.purgeFailed > 0) {
    extras.push(`${formatCount(summary.purgeFailed)} not purged`);
  }
  if (summary.locationsFailed > 0) {
    extras.push(
      `${plural(summary.locationsFailed, "location")} could not be listed`,
    );
  }
  if (summary.interrupted) extras.push("stopped early");
  if (extras.length > 0) line += ` (${extras.join(", ")})`;
  return line;
}

function jsonSummary(summary: PullSummary) {
  return {
    dryRun: summary.dryRun,
    locations: summary.locations,
    locationsFailed: summary.locationsFailed,
    pulled: summary.pulled,
    records: summary.records,
    rejected: summary.rejects,
    skipped: summary.skipped,
    notLogs: summary.notLogs,
    failed: summary.failed,
    retries: summary.retries,
    purged: summary.purged,
    purgeFailed: summary.purgeFailed,
    bytes: summary.bytes,
    seconds: summary.milliseconds / 1000,
    interrupted: summary.interrupted,
    ...(summary.dryRun && {
      wouldPull: summary.wouldPull,
      wouldPurge: summary.wouldPurge,
    }),
  };
}

/** Returns the current UTC time for log lines, such as 2024-05-01T12:00:00Z. */
function stamp(): string {
  return `${new Date().toISOString().slice(0, 19)}Z`;
}

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
