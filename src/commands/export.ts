import type { SingleBar } from "cli-progress";
import type { Argv, CommandModule } from "yargs";
import { parseTimePoint, toSqliteTime } from "../duration.js";
import { formatCount, formatSeconds, plural } from "../format.js";
import {
  withOutputOptions,
  withRawOption,
  type OutputOptions,
  type RawOption,
} from "../output/options.js";
import { CSV, TSV, type Dialect } from "../output/delimited.js";
import { createChunkEncoder } from "../output/joined-chunks.js";
import { buildExportQuery } from "../sql/export-query.js";
import { parseParameters } from "../sql/parameters.js";
import { prepareExport } from "../sql/export-reader.js";
import { sqlError } from "../sql/statement.js";
import type { Db } from "../store/database.js";
import {
  createLogger,
  databasePath,
  showProgress,
  type GlobalOptions,
} from "./global-options.js";

interface ExportOptions extends GlobalOptions, OutputOptions, RawOption {
  readonly since?: string;
  readonly until?: string;
  readonly bucket: string[];
  readonly columns?: string;
  readonly where?: string;
  readonly param: string[];
}

// Loaded by the handler, so that --help and the other commands start
// without it. startProgressBar runs only after the handler.
let cliProgress: typeof import("cli-progress");

/** Rows between two progress bar updates. */
const PROGRESS_STEP = 4096;

export const exportCommand: CommandModule<GlobalOptions, ExportOptions> = {
  command: "export",
  describe:
    "Write log records to stdout or a file as CSV, TSV, JSON or NDJSON, streaming, in the order they were imported. Filters combine with AND.",
  builder: (yargs: Argv<GlobalOptions>) =>
    withRawOption(
      withOutputOptions(yargs, ["csv", "tsv", "json", "ndjson"], "csv")
        .option("since", {
          describe:
            "Only requests at or after this time: an ISO date or date-time in UTC unless it has a zone (2024-05-01, 2024-05-01T12:00:00Z), or a duration before now (24h, 7d)",
          type: "string",
          requiresArg: true,
        })
        .option("until", {
          describe:
            "Only requests before this time, in the same forms as --since",
          type: "string",
          requiresArg: true,
        })
        .option("bucket", {
          alias: "b",
          describe: "Only requests to this bucket. Repeatable.",
          type: "string",
          array: true,
          // One value per --bucket: repeat it for more.
          nargs: 1,
          default: [],
          requiresArg: true,
        })
        .option("columns", {
          alias: "c",
          describe:
            "Comma-separated record columns to write, in this order [default: all, in schema order; tamarin schema lists them]",
          type: "string",
          requiresArg: true,
        })
        .option("where", {
          describe:
            'SQL condition over log_records columns, such as "http_status >= 400"; refer to --param values as :name',
          type: "string",
          requiresArg: true,
        })
        .option("param", {
          alias: "p",
          describe:
            "Bind a named parameter for --where, as name=value. A plain integer is bound as an INTEGER, anything else as TEXT. Repeatable.",
          type: "string",
          array: true,
          // One value per --param, so that --param a=1 "SELECT :a" keeps the SQL.
          nargs: 1,
          default: [],
          requiresArg: true,
        })
        .example(
          "$0 export --since 7d --bucket www --output last-week.csv.gz",
          "Export a week of requests to one bucket as gzip-compressed CSV",
        )
        .example(
          '$0 export --format ndjson --columns request_time,remote_ip,key --where "http_status = :status" --param status=404',
          "Write the 404s as NDJSON to stdout",
        ),
    ) as Argv<ExportOptions>,
  handler: async (options) => {
    cliProgress = await import("cli-progress");
    const { openDatabase } = await import("../store/database.js");
    const { createRowWriter, writeBatches } =
      await import("../output/row-writer.js");
    const logger = createLogger(options);
    const started = Date.now();

    // Build the query from the options.
    const query = buildExportQuery({
      columns: options.columns?.split(",").map((name) => name.trim()),
      since: timeOption(options.since, "--since"),
      until: timeOption(options.until, "--until"),
      buckets: options.bucket,
      where: options.where,
      parameters: parseParameters(options.param),
    });

    // Open the database and prepare the reads. CSV and TSV read rows that
    // SQLite has joined into one BLOB per rowid range, which bench/export.ts
    // shows to be several times faster than converting every value.
    const file = await databasePath(options);
    const db = openDatabase(file, { readonly: true });
    try {
      // A scan reads every page once, so a large page cache only costs memory.
      db.pragma("cache_size = -2000");
      let dialect: Dialect | null = null;
      if (options.format === "csv") dialect = CSV;
      if (options.format === "tsv") dialect = TSV;
      const reader = prepareExport(
        db,
        query,
        dialect === null
          ? undefined
          : {
              dialect,
              encode: createChunkEncoder(dialect, query.columns, {
                raw: options.raw,
              }),
            },
      );
      logger.debug(
        reader.plan === "index"
          ? "the filters select few records: reading them through an index"
          : "reading records in rowid ranges",
      );
      const total =
        options.output !== undefined && showProgress(options)
          ? (reader.count ?? countRows(db, query.countSql, query.parameters))
          : null;
      const writer = createRowWriter({
        format: options.format,
        output: options.output,
        raw: options.raw,
        columns: query.columns.map((column) => column.name),
      });

      // Write the rows, with a progress bar when counting was worth it.
      const bar = total === null ? null : startProgressBar(total);
      let count: number;
      try {
        let barValue = 0;
        count = await writeBatches(writer, reader.read(), (written) => {
          if (written - barValue < PROGRESS_STEP) return;
          barValue = written;
          bar?.update(written);
        });
      } catch (error) {
        throw sqlError(error, query.sql);
      } finally {
        bar?.stop();
      }

      // Report.
      const seconds = formatSeconds(Date.now() - started);
      logger.info(
        writer.readerClosed
          ? `stopped after writing ${plural(count, "row")} in ${seconds}: stdout was closed by its reader, which may have read fewer`
          : `exported ${plural(count, "row")} to ${options.output ?? "stdout"} in ${seconds}`,
      );
    } finally {
      db.close();
    }
  },
};

function timeOption(text: string | undefined, option: string) {
  return text === undefined
    ? undefined
    : toSqliteTime(parseTimePoint(text, option));
}

/**
 * Counts the rows of the export for the progress bar. With --where this
 * scans every record that the other filters select before the export reads
 * them again, so it runs only when a bar is drawn.
 */
function countRows(db: Db, sql: string, parameters: object): number {
  try {
    return db.prepare(sql).pluck().get(parameters) as number;
  } catch (error) {
    throw sqlError(error, sql);
  }
}

function startProgressBar(total: number): SingleBar {
  const bar = new cliProgress.SingleBar(
    {
      format:
        "exporting [{bar}] {percentage}% | {value}/{total} rows | {eta_formatted} left",
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      formatValue: (value, _options, type) =>
        type === "value" || type === "total"
          ? formatCount(value)
          : String(value),
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return bar;
}
