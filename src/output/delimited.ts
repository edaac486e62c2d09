import { cellText, looksLikeFormula } from "./cells.js";
import type { DelimitedOptions, RowEncoder } from "./encoder.js";

/** The rules of one delimited text format: CSV or TSV. */
export interface Dialect {
  readonly delimiter: string;
  readonly recordDelimiter: string;
  /**
   * The quote character, if the dialect escapes a field by putting it
   * between two quotes (doubling any quote inside).
   */
  readonly quote?: string;
  /** Tells whether a field's text must be quoted or escaped. */
  needsEscaping(text: string): boolean;
  /** Matches each character that makes a field need escaping; global. */
  readonly escapedCharacter: RegExp;
  /** Returns a field's text quoted or escaped. */
  escape(text: string): string;
}

/**
 * RFC 4180 CSV: CRLF line endings (as RFC 4180 and the sqlite3 shell use). A
 * field is quoted only when it contains a comma, a double quote, CR or LF,
 * and a double quote inside is doubled. The output equals csv-stringify's
 * with `record_delimiter: "\r\n"`, `quote_record_delimiter: true` and
 * `escape_formulas`; a test checks this byte for byte. It is written by hand
 * because it is the hot path of export.
 */
export const CSV: Dialect = {
  delimiter: ",",
  recordDelimiter: "\r\n",
  quote: '"',
  // Four searches for one character each beat one regular expression here.
  needsEscaping: (text) =>
    text.includes(",") ||
    text.includes('"') ||
    text.includes("\n") ||
    text.includes("\r"),
  escapedCharacter: /[",\r\n]/g,
  escape: (text) => `"${text.replaceAll('"', '""')}"`,
};

const TSV_ESCAPED_CHARACTERS = /[\\\t\n\r]/g;
const TSV_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "\t": "\\t",
  "\n": "\\n",
  "\r": "\\r",
};

/**
 * Tab-separated values with LF line endings. Inside a field a backslash is
 * written `\\`, a tab `\t`, LF `\n` and CR `\r`, as in PostgreSQL's COPY
 * text format, so every record is one line.
 */
export const TSV: Dialect = {
  delimiter: "\t",
  recordDelimiter: "\n",
  needsEscaping: (text) =>
    text.includes("\t") ||
    text.includes("\n") ||
    text.includes("\r") ||
    text.includes("\\"),
  escapedCharacter: /[\\\t\n\r]/g,
  escape: (text) =>
    text.replace(TSV_ESCAPED_CHARACTERS, (char) => TSV_ESCAPES[char]!),
};

/**
 * Creates a CSV or TSV encoder: a header row of column names, then one
 * record per row, UTF-8 without a byte order mark. NULL and the empty
 * string are both an empty field. Unless `raw`, a text value (not a
 * number) that starts like a spreadsheet formula gets a `'` prefix before
 * quoting; header names count as text.
 */
export function createDelimitedEncoder(
  dialect: Dialect,
  columns: readonly string[],
  options: DelimitedOptions = {},
): RowEncoder {
  const neutralise = options.raw !== true;
  const encodeRow = (values: readonly unknown[]): string => {
    let line = "";
    for (let index = 0; index < values.length; index++) {
      if (index > 0) line += dialect.delimiter;
      const value = values[index];
      if (typeof value === "number") {
        line += String(value);
        continue;
      }
      let text = typeof value === "string" ? value : cellText(value);
      if (text === null || text === "") continue;
      if (neutralise && typeof value === "string" && looksLikeFormula(text)) {
        text = `'${text}`;
      }
      line += dialect.needsEscaping(text) ? dialect.escape(text) : text;
    }
    return line + dialect.recordDelimiter;
  };
  return {
    header: encodeRow(columns),
    row: encodeRow,
    footer: () => "",
  };
}
