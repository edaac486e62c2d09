import type { Argv, CommandModule } from "yargs";
import { bucketNameProblem } from "../config/bucket-name.js";
import type { BucketEntry } from "../config/edit.js";
import { loadConfig } from "../config/load.js";
import { logLocation } from "../config/log-location.js";
import type { BucketConfig } from "../config/schema.js";
import { ExitCode, TamarinError } from "../errors.js";
import { withOutputOptions, type OutputOptions } from "../output/options.js";
import { createLogger, type GlobalOptions } from "./global-options.js";

interface NameOptions extends GlobalOptions {
  readonly name: string;
}

interface AddOptions extends NameOptions {
  readonly logBucket?: string;
  readonly logPrefix?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly pathStyle?: boolean;
  readonly profile?: string;
  readonly monitor: boolean;
}

interface ListOptions extends GlobalOptions, OutputOptions {}

/** Columns of `buckets list`, in every output format. */
export const BUCKET_LIST_COLUMNS = [
  "name",
  "log_location",
  "region",
  "endpoint",
  "monitor",
] as const;

const nameArgument = (yargs: Argv<GlobalOptions>) =>
  yargs.positional("name", {
    describe: "Name of the bucket whose requests are logged",
    type: "string",
    demandOption: true,
  }) as Argv<NameOptions>;

const addCommand: CommandModule<GlobalOptions, AddOptions> = {
  command: "add <name>",
  describe:
    "Add a bucket to the config file, creating ./tamarin.config.json if no config file is found. Without --log-bucket, the bucket's logging configuration is read from S3 (GetBucketLogging).",
  builder: (yargs: Argv<GlobalOptions>) =>
    nameArgument(yargs)
      .option("log-bucket", {
        describe: "Bucket that receives the server access logs",
        type: "string",
      })
      .option("log-prefix", {
        describe:
          'Key prefix of the log objects, such as "logs/" [default: the prefix S3 reports, else ""]',
        type: "string",
      })
      .option("region", {
        describe: "AWS region of the buckets, such as eu-west-1",
        type: "string",
      })
      .option("endpoint", {
        describe:
          "URL of an S3-compatible store, such as http://127.0.0.1:9000",
        type: "string",
      })
      .option("path-style", {
        describe:
          "Address buckets in the URL path, as most S3-compatible stores need",
        type: "boolean",
      })
      .option("profile", {
        describe:
          "Profile in the shared AWS config files to sign requests with",
        type: "string",
      })
      .option("monitor", {
        describe:
          "Read this bucket's logs on tamarin pull (--no-monitor adds it disabled)",
        type: "boolean",
        default: true,
      }) as Argv<AddOptions>,
  handler: async (options) => {
    const logger = createLogger(options);
    const { ConfigEditor } = await import("../config/edit.js");
    const { isHttpUrl, REGION_PATTERN } = await import("../config/schema.js");

    // Check the arguments before anything is read or written.
    checkBucketArgument("bucket name", options.name);
    if (options.logBucket !== undefined) {
      checkBucketArgument("--log-bucket", options.logBucket);
    }
    if (options.endpoint !== undefined && !isHttpUrl(options.endpoint)) {
      throw new TamarinError(
        `invalid --endpoint "${options.endpoint}": expected an http or https URL such as http://127.0.0.1:9000`,
        ExitCode.Usage,
      );
    }
    if (options.region !== undefined && !REGION_PATTERN.test(options.region)) {
      throw new TamarinError(
        `invalid --region "${options.region}": expected an AWS region such as eu-west-1`,
        ExitCode.Usage,
      );
    }

    // Load the config, and reject a name that is already there.
    const editor = await ConfigEditor.open({ config: options.config });
    editor.checkNewName(options.name);

    // Find the log location in S3 unless it was given.
    const connection = {
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.pathStyle,
      profile: options.profile,
    };
    let logBucket = options.logBucket;
    let logPrefix = options.logPrefix;
    if (logBucket === undefined) {
      const { readBucketLogging } = await import("../config/bucket-logging.js");
      const target = await readBucketLogging(options.name, connection);
      logger.info(
        `bucket "${options.name}" logs to ${logLocation(target)}${target.keyFormat === "partitioned" ? " with date-based partitioned keys" : ""}`,
      );
      logBucket = target.logBucket;
      logPrefix ??= target.logPrefix;
    }

    // Write the entry.
    const created = !editor.fileExists;
    const entry: BucketEntry = {
      name: options.name,
      logBucket,
      logPrefix: logPrefix ?? "",
      ...connection,
      monitor: options.monitor,
    };
    editor.add(entry);
    if (created) logger.info(`created ${editor.file}`);
    logger.info(
      `added bucket "${entry.name}" (logs in ${logLocation(entry)}${entry.monitor ? "" : ", not monitored"}) to ${editor.file}`,
    );
  },
};

const listCommand: CommandModule<GlobalOptions, ListOptions> = {
  command: "list",
  describe:
    "List the buckets in the config file with their log location, region, endpoint and whether pull reads them (monitor). A region or endpoint that is not set is NULL.",
  builder: (yargs: Argv<GlobalOptions>) => withOutputOptions(yargs),
  handler: async (options) => {
    const { printRows } = await import("../output/row-writer.js");
    const { config, file } = await loadConfig({ config: options.config });

    // An empty table would print only a header, so log why it is empty.
    // The other formats print their empty form, such as [] for JSON.
    if (config.buckets.length === 0 && options.format === "table") {
      createLogger(options).info(
        file === null
          ? "no config file found. Add a bucket with tamarin buckets add."
          : `no buckets in ${file}. Add one with tamarin buckets add.`,
      );
      return;
    }

    await printRows(
      {
        format: options.format,
        output: options.output,
        columns: BUCKET_LIST_COLUMNS,
      },
      config.buckets.map(bucketListRow),
    );
  },
};

const removeCommand: CommandModule<GlobalOptions, NameOptions> = {
  command: "remove <name>",
  describe:
    "Remove a bucket from the config file. Records already stored stay in the database.",
  builder: nameArgument,
  handler: async (options) => {
    const { ConfigEditor } = await import("../config/edit.js");
    const editor = await ConfigEditor.open({ config: options.config });
    const removed = editor.remove(options.name);
    createLogger(options).info(
      `removed bucket "${removed.name}" (logs in ${logLocation(removed)}) from ${editor.file}`,
    );
  },
};

const enableCommand: CommandModule<GlobalOptions, NameOptions> = {
  command: "enable <name>",
  describe: "Set monitor: true on a bucket, so that pull reads its logs.",
  builder: nameArgument,
  handler: (options) => setMonitor(options, true),
};

const disableCommand: CommandModule<GlobalOptions, NameOptions> = {
  command: "disable <name>",
  describe:
    "Set monitor: false on a bucket. Pull skips its log location unless a monitored bucket logs to the same place.",
  builder: nameArgument,
  handler: (options) => setMonitor(options, false),
};

export const bucketsCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: "buckets",
  describe:
    "List and edit the buckets in the config file: add, list, remove, enable, disable.",
  builder: (yargs: Argv<GlobalOptions>) =>
    yargs
      .command(addCommand)
      .command(listCommand)
      .command(removeCommand)
      .command(enableCommand)
      .command(disableCommand)
      .demandCommand(1, "name a buckets command"),
  handler: () => {},
};

/** Returns a bucket's values in the order of {@link BUCKET_LIST_COLUMNS}. */
export function bucketListRow(bucket: BucketConfig): unknown[] {
  return [
    bucket.name,
    logLocation(bucket),
    bucket.region ?? null,
    bucket.endpoint ?? null,
    bucket.monitor,
  ];
}

async function setMonitor(options: NameOptions, monitor: boolean) {
  const { ConfigEditor } = await import("../config/edit.js");
  const editor = await ConfigEditor.open({ config: options.config });
  const changed = editor.setMonitor(options.name, monitor);
  createLogger(options).info(
    changed
      ? `set monitor: ${monitor} on bucket "${options.name}" in ${editor.file}`
      : `bucket "${options.name}" already has monitor: ${monitor}, so ${editor.file} is unchanged`,
  );
}

function checkBucketArgument(what: string, value: string): void {
  const problem = bucketNameProblem(value);
  if (problem !== null) {
    throw new TamarinError(
      `invalid ${what} "${value}": ${problem}`,
      ExitCode.Usage,
    );
  }
}
