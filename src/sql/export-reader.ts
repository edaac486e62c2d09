import type { Statement } from "better-sqlite3";
import type { Dialect } from "../output/delimited.js";
import type { ChunkEncoder } from "../output/joined-chunks.js";
import type { EncodedRows } from "../output/row-writer.js";
import type { Db } from "../store/database.js";
import type { ExportQuery } from "./export-query.js";
import { sqlError } from "./statement.js";

/**
 * Rowids read at a time: about 2.4 MiB of CSV for typical records, few
 * enough calls into SQLite that each call's cost disappears.
 */
const RANGE_SIZE = 4096;

/**
 * Share of the rowids in the matching rows' span that must match for the
 * export to scan that span rather than read the rows through an index.
 */
const SCAN_DENSITY = 1 / 8;

/** Rows of an export, either already encoded or as values. */
export type ExportBatch = EncodedRows | Iterable<unknown[]>;

/** An export whose statements are prepared, ready to read. */
export interface ExportReader {
  /**
   * The way the rows are read: by scanning rowid ranges, or through an
   * index when the filters select few rows.
   */
  readonly plan: "ranges" | "index";
  /**
   * The number of rows the export will write, when choosing the plan
   * counted them already (the index plan); otherwise undefined.
   */
  readonly count?: number;
  /** Reads the rows in rowid order. */
  read(): Generator<ExportBatch>;
}

/**
 * Prepares the statements of an export and chooses how to read it, so that
 * an SQL error in `--where` shows before any output is opened.
 *
 * Most exports read rowid ranges: each range is a scan of the table in
 * rowid order, in constant memory. With a dialect and its encoder, each
 * range is read as one joined chunk and yielded encoded. A chunk the
 * encoder cannot split, and every range without an encoder, is yielded as
 * rows of values. Filters that pick out a few rows through an index (one
 * client IP, one key) would make a scan read mostly other rows. When SQLite
 * would use an index and the matches are sparse among the rowids they
 * span, the rows are read through the index instead, as values.
 */
export function prepareExport(
  db: Db,
  query: ExportQuery,
  encoding?: { readonly dialect: Dialect; readonly encode: ChunkEncoder },
): ExportReader {
  let range: Statement;
  let chunk: Statement | null;
  let span: [number, number | null, number | null];
  let indexed: boolean;
  try {
    indexed = usesIndex(db, query);
    span = indexed
      ? (db.prepare(query.spanSql).raw().get(query.parameters) as typeof span)
      : (db
          .prepare("SELECT 0, min(rowid), max(rowid) FROM log_records")
          .raw()
          .get() as typeof span);
    range = db.prepare(query.rangeSql).raw();
    chunk =
      encoding === undefined
        ? null
        : db.prepare(query.chunkSql(encoding.dialect));
  } catch (error) {
    throw sqlError(error, query.sql);
  }

  const [count, first, last] = span;
  if (
    indexed &&
    first !== null &&
    last !== null &&
    count < (last - first + 1) * SCAN_DENSITY
  ) {
    const rows = db.prepare(query.sql).raw();
    return {
      plan: "index",
      count,
      *read() {
        yield rows.iterate(query.parameters) as IterableIterator<unknown[]>;
      },
    };
  }

  function* read(): Generator<ExportBatch> {
    if (first === null || last === null) return;
    for (let low = first; low <= last; low += RANGE_SIZE) {
      const parameters = {
        ...query.parameters,
        tamarin_first: low,
        tamarin_last: Math.min(low + RANGE_SIZE - 1, last),
      };
      if (chunk !== null && encoding !== undefined) {
        const result = chunk.get(parameters) as {
          chunk: Uint8Array | null;
          rows: number;
        };
        if (result.chunk === null) continue;
        const data = encoding.encode(result.chunk, result.rows);
        if (data !== null) {
          yield { data, count: result.rows };
          continue;
        }
      }
      yield range.iterate(parameters) as IterableIterator<unknown[]>;
    }
  }
  return { plan: "ranges", read };
}

/**
 * Tells whether SQLite would find the matching records through an index or
 * a rowid range rather than by reading every record.
 */
function usesIndex(db: Db, query: ExportQuery): boolean {
  const plan = db
    .prepare(`EXPLAIN QUERY PLAN ${query.spanSql}`)
    .all(query.parameters) as { detail: string }[];
  return plan.some((step) => step.detail.startsWith("SEARCH log_records "));
}
