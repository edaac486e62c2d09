import type { Argv, CommandModule } from "yargs";
import { formatCount } from "../format.js";
import { withOutputOptions, type OutputOptions } from "../output/options.js";
import { databasePath, type GlobalOptions } from "./global-options.js";

export interface StatusReport {
  readonly database: string;
  readonly objects: number;
  readonly records: number;
  readonly rejects: number;
  readonly firstRequest: string | null;
  readonly lastRequest: string | null;
  readonly lastIngested: string | null;
  readonly topRejectReasons: readonly { reason: string; count: number }[];
}

// Reasons that differ only in the quoted value are counted together.
const REASON_KIND_SQL = `CASE WHEN instr(reason, '"') > 0 THEN rtrim(substr(reason, 1, instr(reason, '"') - 1)) ELSE reason END`;

/** Reads the counts and time range that `status` prints. */
export async function readStatus(file: string): Promise<StatusReport> {
  // Loaded here, so that --help and the other commands start without it.
  const { openDatabase } = await import("../store/database.js");
  const db = openDatabase(file, { readonly: true });
  try {
    const objects = db
      .prepare(
        "SELECT count(*) AS objects, coalesce(sum(records), 0) AS records, coalesce(sum(rejects), 0) AS rejects, max(ingested_at) AS last FROM log_objects",
      )
      .get() as {
      objects: number;
      records: number;
      rejects: number;
      last: string | null;
    };
    const range = db
      .prepare(
        "SELECT min(request_time) AS first, max(request_time) AS last FROM log_records",
      )
      .get() as { first: string | null; last: string | null };
    const reasons = db
      .prepare(
        `SELECT ${REASON_KIND_SQL} AS reason, count(*) AS count FROM rejected_lines GROUP BY 1 ORDER BY count DESC, reason LIMIT 5`,
      )
      .all() as { reason: string; count: number }[];
    return {
      database: file,
      objects: objects.objects,
      records: objects.records,
      rejects: objects.rejects,
      firstRequest: range.first,
      lastRequest: range.last,
      lastIngested: objects.last,
      topRejectReasons: reasons,
    };
  } finally {
    db.close();
  }
}

interface StatusOptions extends GlobalOptions, OutputOptions {}

export const statusCommand: CommandModule<GlobalOptions, StatusOptions> = {
  command: "status",
  describe:
    "Show the database path, record and object counts, the time range of the requests, and the most common reasons lines were rejected. The table format is a text report; the other formats write one row.",
  builder: (yargs: Argv<GlobalOptions>) => withOutputOptions(yargs),
  handler: async (options) => {
    const { createRowWriter, writeRows, writeText } =
      await import("../output/row-writer.js");
    const report = await readStatus(await databasePath(options));
    if (options.format === "table") {
      await writeText(formatStatus(report), options.output);
      return;
    }
    const writer = createRowWriter({
      format: options.format,
      output: options.output,
      columns: [
        "database",
        "records",
        "first_request",
        "last_request",
        "objects",
        "last_ingested",
        "rejects",
        "top_reject_reasons",
      ],
    });
    await writeRows(writer, [
      [
        report.database,
        report.records,
        report.firstRequest,
        report.lastRequest,
        report.objects,
        report.lastIngested,
        report.rejects,
        report.topRejectReasons,
      ],
    ]);
  },
};

/** Formats the status report as the lines that `status` prints on a terminal. */
export function formatStatus(report: StatusReport): string {
  const lines = [
    `database:      ${report.database}`,
    `records:       ${formatCount(report.records)}`,
    `requests from: ${report.firstRequest ?? "-"} UTC`,
    `requests to:   ${report.lastRequest ?? "-"} UTC`,
    `log objects:   ${formatCount(report.objects)} (last ingested ${report.lastIngested ?? "never"} UTC)`,
    `rejected:      ${formatCount(report.rejects)} lines`,
  ];
  for (const { reason, count } of report.topRejectReasons) {
    lines.push(`  ${formatCount(count).padStart(8)}  ${reason}`);
  }
  return `${lines.join("\n")}\n`;
}
