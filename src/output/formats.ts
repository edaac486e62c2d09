// Format names and table limits, kept apart from the writers so that the
// command definitions, and with them --help, load without cli-table3.

/** Output formats of `query`, `export`, `schema`, `status` and `buckets list`. */
export const OUTPUT_FORMATS = [
  "table",
  "csv",
  "tsv",
  "json",
  "ndjson",
] as const;

export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Rows a table shows at most; the rest of a result is left unread. */
export const MAX_TABLE_ROWS = 1000;

/** Width of a column, in terminal cells, when the output is not a terminal. */
export const MAX_COLUMN_WIDTH_OFF_TERMINAL = 80;
