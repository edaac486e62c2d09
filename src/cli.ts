#!/usr/bin/env node
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { bucketsCommand } from "./commands/buckets.js";
import { exportCommand } from "./commands/export.js";
import { importCommand } from "./commands/import.js";
import { pullCommand } from "./commands/pull.js";
import { queryCommand } from "./commands/query.js";
import { keepStdinArguments } from "./commands/global-options.js";
import { schemaCommand } from "./commands/schema.js";
import { statusCommand } from "./commands/status.js";
import { describeUsageError } from "./commands/usage-errors.js";
import { ExitCode, TamarinError } from "./errors.js";
import { VERSION } from "./version.js";

/** Builds the command-line parser; exported so tests can run it in-process. */
export function buildCli(argv: string[]) {
  const args = keepStdinArguments(argv);
  return yargs(args)
    .scriptName("tamarin")
    .usage(
      "Turn Amazon S3 server access logs into a SQLite database you can query.\n\nUsage: $0 <command> [options]",
    )
    .option("db", {
      describe:
        "SQLite database file (env TAMARIN_DB) [default: the config file's database, else ./tamarin.db]",
      type: "string",
      global: true,
    })
    .option("config", {
      describe:
        "Config file to use instead of searching from the current folder upward (env TAMARIN_CONFIG)",
      type: "string",
      global: true,
    })
    .option("quiet", {
      alias: "q",
      describe: "Print only errors",
      type: "boolean",
      global: true,
    })
    .option("verbose", {
      alias: "v",
      describe: "Print a line for each log object",
      type: "boolean",
      global: true,
    })
    .option("progress", {
      describe:
        "Draw progress bars on a terminal (--no-progress turns them off)",
      type: "boolean",
      default: true,
      global: true,
    })
    .command(importCommand)
    .command(pullCommand)
    .command(statusCommand)
    .command(queryCommand)
    .command(exportCommand)
    .command(schemaCommand)
    .command(bucketsCommand)
    .demandCommand(1, "name a command")
    .strict()
    .version(VERSION)
    .help()
    .alias("help", "h")
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((message, error) => {
      // yargs reports some usage errors, such as an option given without
      // its value, as a YError rather than a message.
      if (error && error.name !== "YError") throw error;
      throw new TamarinError(
        describeUsageError(message ?? error?.message ?? "", args),
        ExitCode.Usage,
      );
    });
}

async function main(): Promise<void> {
  try {
    await buildCli(hideBin(process.argv)).parseAsync();
  } catch (error) {
    if (error instanceof TamarinError) {
      process.stderr.write(`tamarin: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    const sqliteCode = (error as { code?: string }).code;
    if (typeof sqliteCode === "string" && sqliteCode.startsWith("SQLITE_")) {
      process.stderr.write(
        `tamarin: database error: ${(error as Error).message}\n`,
      );
      process.exitCode = ExitCode.Failure;
      return;
    }
    process.stderr.write(
      `tamarin: unexpected error: ${(error as Error).stack ?? String(error)}\n`,
    );
    process.exitCode = ExitCode.Failure;
  }
}

// No top-level await: the single executable bundles this file as CommonJS.
// main() handles its own errors, so the promise never rejects.
void main();
