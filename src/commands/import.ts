import type { Argv, CommandModule } from "yargs";
import { formatCount, formatSeconds, plural } from "../format.js";
import type { GlobalOptions } from "./global-options.js";

export interface ImportOptions extends GlobalOptions {
  readonly paths: string[];
  readonly force?: boolean;
}

export interface ImportSummary {
  imported: number;
  replaced: number;
  skipped: number;
  failed: number;
  records: number;
  rejects: number;
}

export const importCommand: CommandModule<GlobalOptions, ImportOptions> = {
  command: "import <paths..>",
  describe:
    "Import S3 access log files into the database. Each file is one log object: an unchanged file imported again is skipped.",
  builder: (yargs: Argv<GlobalOptions>) =>
    yargs
      .positional("paths", {
        describe:
          "Log files, folders (read recursively) or - for stdin. Gzip files are detected by content.",
        type: "string",
        array: true,
        demandOption: true,
      })
      .option("force", {
        describe:
          "Re-import files already in the database, replacing their rows",
        type: "boolean",
        default: false,
      }) as Argv<ImportOptions>,
  handler: async (options) => {
    // Loaded here, so that --help and the other commands start without the
    // parser, SQLite and the progress bars.
    const { runImport } = await import("./import-files.js");
    process.exitCode = await runImport(options);
  },
};

/** Formats the one-line summary, such as `imported 12 objects, 48,213 records, 3 rejected, 0 skipped in 1.9 s`. */
export function formatImportSummary(
  summary: ImportSummary,
  milliseconds: number,
): string {
  const parts = [
    `imported ${plural(summary.imported + summary.replaced, "object")}`,
    plural(summary.records, "record"),
    `${formatCount(summary.rejects)} rejected`,
    `${formatCount(summary.skipped)} skipped`,
  ];
  if (summary.replaced > 0)
    parts.push(`${formatCount(summary.replaced)} replaced`);
  if (summary.failed > 0) parts.push(`${formatCount(summary.failed)} failed`);
  return `${parts.join(", ")} in ${formatSeconds(milliseconds)}`;
}
