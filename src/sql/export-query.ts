import { ExitCode, TamarinError } from "../errors.js";
import type { Dialect } from "../output/delimited.js";
import { joinedRowSql } from "../output/joined-chunks.js";
import { RECORD_COLUMNS, type ColumnInfo } from "../parse/record.js";
import type { Parameters } from "./parameters.js";

/** The rows and columns that `tamarin export` writes. */
export interface ExportFilter {
  /** Record columns in output order; all of them when undefined. */
  readonly columns?: readonly string[];
  /** Earliest request_time included, as SQLite text `YYYY-MM-DD HH:MM:SS`. */
  readonly since?: string;
  /** request_time before which records are included, in the same form. */
  readonly until?: string;
  /** Buckets to include; all buckets when empty. */
  readonly buckets?: readonly string[];
  /** SQL expression over log_records columns, added with AND. */
  readonly where?: string;
  /** Values for the named parameters of `where`. */
  readonly parameters?: Parameters;
}

/** The SQL statements of an export, all with the same filter. */
export interface ExportQuery {
  readonly columns: readonly ColumnInfo[];
  /** Selects the columns as separate values, in rowid order. */
  readonly sql: string;
  /**
   * Selects the number of matching rows and their lowest and highest rowid,
   * through an index when the filters allow it.
   */
  readonly spanSql: string;
  /**
   * Selects, as `chunk` and `rows`, the rows whose rowid lies between the
   * bound parameters `tamarin_first` and `tamarin_last`, joined into one
   * BLOB (see joinedRowSql).
   */
  chunkSql(dialect: Dialect): string;
  /** Selects the columns of the same rowid range as separate values. */
  readonly rangeSql: string;
  readonly countSql: string;
  readonly parameters: Parameters;
}

/** Prefix of the parameter names the filter options bind. */
const RESERVED_PREFIX = "tamarin_";

/**
 * Builds the SELECT of an export. Times and bucket names are bound as
 * parameters; `where` is SQL from the user and goes in as written, inside
 * parentheses. Rows come in rowid order, which is import order: the table
 * is stored in that order, so reading it needs no sort.
 */
export function buildExportQuery(filter: ExportFilter): ExportQuery {
  const columns = checkColumns(filter.columns);
  const parameters: Parameters = { ...filter.parameters };
  for (const name of Object.keys(parameters)) {
    if (name.startsWith(RESERVED_PREFIX)) {
      throw new TamarinError(
        `--param ${name}: names starting with ${RESERVED_PREFIX} are reserved for --since, --until and --bucket; rename it`,
        ExitCode.Usage,
      );
    }
  }

  // Each filter option adds one condition.
  const conditions: string[] = [];
  if (filter.since !== undefined) {
    conditions.push(`request_time >= :${RESERVED_PREFIX}since`);
    parameters[`${RESERVED_PREFIX}since`] = filter.since;
  }
  if (filter.until !== undefined) {
    conditions.push(`request_time < :${RESERVED_PREFIX}until`);
    parameters[`${RESERVED_PREFIX}until`] = filter.until;
  }
  const buckets = [...new Set(filter.buckets ?? [])];
  if (buckets.length > 0) {
    const names = buckets.map((bucket, index) => {
      parameters[`${RESERVED_PREFIX}bucket_${index}`] = bucket;
      return `:${RESERVED_PREFIX}bucket_${index}`;
    });
    conditions.push(`bucket IN (${names.join(", ")})`);
  }
  if (filter.where !== undefined && filter.where.trim() !== "") {
    checkWhere(filter.where);
    // The line break ends a trailing -- comment inside the expression.
    conditions.push(`(${filter.where}\n)`);
  }

  const where = (list: readonly string[]) =>
    list.length > 0 ? ` WHERE ${list.join(" AND ")}` : "";
  const names = columns.map((column) => column.name);

  // NOT INDEXED leaves one plan for a rowid range: a scan of the table in
  // rowid order, whatever indexes the other conditions could use.
  const range = `FROM log_records NOT INDEXED${where([
    `rowid BETWEEN :${RESERVED_PREFIX}first AND :${RESERVED_PREFIX}last`,
    ...conditions,
  ])} ORDER BY rowid`;
  return {
    columns,
    sql: `SELECT ${names.join(", ")} FROM log_records${where(conditions)} ORDER BY rowid`,
    spanSql: `SELECT count(*), min(rowid), max(rowid) FROM log_records${where(conditions)}`,
    chunkSql: (dialect) => {
      const row = joinedRowSql(names, dialect);
      return `SELECT CAST(group_concat(line, '') AS BLOB) AS chunk, count(*) AS rows FROM (SELECT ${row} AS line ${range})`;
    },
    rangeSql: `SELECT ${names.join(", ")} ${range}`,
    countSql: `SELECT count(*) FROM log_records${where(conditions)}`,
    parameters,
  };
}

/** Checks `--columns` names against the record columns. */
function checkColumns(names: readonly string[] | undefined): ColumnInfo[] {
  const valid = RECORD_COLUMNS.map((column) => column.name);
  if (names === undefined) return [...RECORD_COLUMNS];
  const unknown = names.filter(
    (name) => !(valid as readonly string[]).includes(name),
  );
  if (unknown.length > 0) {
    throw new TamarinError(
      `unknown column${unknown.length > 1 ? "s" : ""} in --columns: ${unknown.join(", ")}. Valid columns: ${valid.join(", ")}`,
      ExitCode.Usage,
    );
  }
  if (names.length === 0) {
    throw new TamarinError(
      `--columns is empty: name at least one of ${valid.join(", ")}`,
      ExitCode.Usage,
    );
  }
  return names.map((name) =>
    RECORD_COLUMNS.find((column) => column.name === name)!,
  );
}

/**
 * Checks that `--where` is self-contained: its parentheses balance, and no
 * string, quoted name or block comment is left open. Export puts the text
 * in parentheses beside its own conditions, which "1) OR (1" would escape.
 */
export function checkWhere(text: string): void {
  const fail = (reason: string): never => {
    throw new TamarinError(
      `invalid --where "${text}": ${reason}. Give one SQL condition, such as "http_status >= 400".`,
      ExitCode.Usage,
    );
  };
  let depth = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === "'" || char === '"' || char === "`") {
      index = closingQuote(text, index);
      if (index < 0) fail(`a ${char} quote is not closed`);
    } else if (char === "[") {
      index = text.indexOf("]", index + 1);
      if (index < 0) fail("a [ quote is not closed");
    } else if (text.startsWith("--", index)) {
      index = text.indexOf("\n", index);
      if (index < 0) break;
    } else if (text.startsWith("/*", index)) {
      index = text.indexOf("*/", index + 2);
      if (index < 0) fail("a /* comment is not closed");
      index++;
    } else if (char === "(") {
      depth++;
    } else if (char === ")") {
      depth--;
      if (depth < 0) fail("a parenthesis closes before one opens");
    }
  }
  if (depth > 0) fail("a parenthesis is not closed");
}

/**
 * Returns the index of the quote that closes the one at `start`, where a
 * doubled quote is a literal quote, or -1 when none does.
 */
function closingQuote(text: string, start: number): number {
  const quote = text[start]!;
  let index = text.indexOf(quote, start + 1);
  while (index >= 0 && text[index + 1] === quote) {
    index = text.indexOf(quote, index + 2);
  }
  return index;
}
