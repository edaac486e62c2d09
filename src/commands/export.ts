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
import { createJoinedRowEncoder } from "../output/joined-rows.js";
import { buildExportQuery } from "../sql/export-query.js";
import { parseParameters } from "../sql/parameters.js";
import { iterateRows, sqlError } from "../sql/statement.js";
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
// without them. The helpers below run only after it.
let cliProgress: typeof import("cli-progress");
let openDatabase: typeof import("../store/database.js").openDatabase;

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
    ({ openDatabase } = await import("../store/database.js"));
    const { createRowWriter, writeRows } =
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

    // Open the database and start reading. CSV and TSV read each row as
    // joined texts, which cut CPU time by about 40% in bench/export.ts. A
    // second connection reads the rare row that cannot be split, because
    // the first is busy.
    const file = await databasePath(options);
    const db = openDatabase(file, { readonly: true });
    const lookup = new RowLookup(file, query.rowSql);
    try {
      // A scan reads every page once, so a large page cache only costs memory.
      db.pragma("cache_size = -2000");
      let dialect: Dialect | null = null;
      if (options.format === "csv") dialect = CSV;
      if (options.format === "tsv") dialect = TSV;

      // Errors show the plain SELECT, which reads better than the joined one.
      let statement;
      try {
        statement = db.prepare(
          dialect === null ? query.sql : query.joinedSql(dialect),
        );
      } catch (error) {
        throw sqlError(error, query.sql);
      }
      const total =
        options.output !== undefined && showProgress(options)
          ? countRows(db, query.countSql, query.parameters)
          : null;
      const rows = iterateRows(statement, query.parameters);
      let writer;
      try {
        writer = createRowWriter({
          format: options.format,
          output: options.output,
          raw: options.raw,
          columns: query.columns.map((column) => column.name),
          encoder:
            dialect === null
              ? undefined
              : createJoinedRowEncoder(dialect, query.columns, {
                  raw: options.raw,
                  readRow: (rowid) => lookup.read(rowid),
                }),
        });
      } catch (error) {
        rows.return?.();
        throw error;
      }

      // Write the rows, with a progress bar when counting was worth it.
      const bar = total === null ? null : startProgressBar(total);
      let count: number;
      try {
        count = await writeRows(writer, rows, (written) => {
          if (written % PROGRESS_STEP === 0) bar?.update(written);
        });
      } catch (error) {
        throw sqlError(error, query.sql);
      } finally {
        bar?.stop();
      }

      // Report.
      logger.info(
        `exported ${plural(count, "row")} to ${options.output ?? "stdout"} in ${formatSeconds(Date.now() - started)}`,
      );
    } finally {
      db.close();
      lookup.close();
    }
  },
};

/** Reads single rows by rowid on a second connection, opened on first use. */
class RowLookup {
  private db: Db | null = null;

  constructor(
    private readonly file: string,
    private readonly sql: string,
  ) {}

  read(rowid: number): unknown[] {
    this.db ??= openDatabase(this.file, { readonly: true });
    return this.db.prepare(this.sql).raw().get({ rowid }) as unknown[];
  }

  close(): void {
    this.db?.close();
  }
}

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
