import type { Argv } from "yargs";
import { formatCount } from "../format.js";
import {
  MAX_COLUMN_WIDTH_OFF_TERMINAL,
  MAX_TABLE_ROWS,
  OUTPUT_FORMATS,
  type OutputFormat,
} from "./formats.js";

/** The output options every row-printing command takes. */
export interface OutputOptions {
  readonly format: OutputFormat;
  readonly output?: string;
}

/** The spreadsheet-safety option of commands that can write CSV or TSV. */
export interface RawOption {
  readonly raw: boolean;
}

const FORMAT_HELP: Record<OutputFormat, string> = {
  table: `a table for reading: at most ${formatCount(MAX_TABLE_ROWS)} rows, control characters shown escaped, long values cut to the terminal width (${MAX_COLUMN_WIDTH_OFF_TERMINAL} characters per column off a terminal), NULL shown as NULL`,
  csv: "RFC 4180 CSV with a header row and CRLF line endings; NULL is an empty field",
  tsv: "tab-separated with a header row and LF line endings; a tab, newline, carriage return and backslash in a value are written \\t, \\n, \\r and \\\\; NULL is an empty field",
  json: "one JSON array of objects, one object per line; NULL is null",
  ndjson: "one JSON object per line; NULL is null",
};

/**
 * Adds `--format` and `--output` to a command. `formats` limits the choices
 * (export has no table) and `defaultFormat` is the format without --format.
 */
export function withOutputOptions<T>(
  yargs: Argv<T>,
  formats: readonly OutputFormat[] = OUTPUT_FORMATS,
  defaultFormat: OutputFormat = formats[0]!,
): Argv<T & OutputOptions> {
  const help = formats.map((format) => `${format}: ${FORMAT_HELP[format]}.`);
  return yargs
    .option("format", {
      alias: "f",
      describe: `Output format. ${help.join(" ")}`,
      choices: formats,
      default: defaultFormat,
    })
    .option("output", {
      alias: "o",
      describe:
        "Write to this file instead of stdout; a name ending in .gz is gzip-compressed. The file appears only once complete.",
      type: "string",
      requiresArg: true,
    }) as Argv<T & OutputOptions>;
}

/** Adds `--raw`, which turns off formula neutralisation in CSV and TSV. */
export function withRawOption<T>(yargs: Argv<T>): Argv<T & RawOption> {
  return yargs.option("raw", {
    describe:
      "In CSV and TSV, write text exactly as stored. By default a text value starting with =, +, -, @, a tab or a carriage return gets a ' prefix, so a spreadsheet opening the file does not run it as a formula.",
    type: "boolean",
    default: false,
  }) as Argv<T & RawOption>;
}
