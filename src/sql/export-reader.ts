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

/** Rows of an export, either already encoded or as values. */
export type ExportBatch = EncodedRows | Iterable<unknown[]>;

/** An export whose statements are prepared, ready to read. */
export interface ExportReader {
  /** Reads the rows in rowid order, one rowid range at a time. */
  read(): Generator<ExportBatch>;
}

/**
 * Prepares the statements of an export, so that an SQL error in `--where`
 * shows before any output is opened. With a dialect and its encoder, each
 * rowid range is read as one joined chunk and yielded encoded; a chunk the
 * encoder cannot split, and every range without an encoder, is yielded as
 * rows of values. Each range is a scan of the table by rowid, so reading
 * stays in constant memory whatever the filters, and the indexes still
 * narrow the range when --since, --until or --bucket are given.
 */
export function prepareExport(
  db: Db,
  query: ExportQuery,
  encoding?: { readonly dialect: Dialect; readonly encode: ChunkEncoder },
): ExportReader {
  let bounds: Statement;
  let range: Statement;
  let chunk: Statement | null;
  try {
    bounds = db.prepare(query.boundsSql).raw();
    range = db.prepare(query.rangeSql).raw();
    chunk =
      encoding === undefined
        ? null
        : db.prepare(query.chunkSql(encoding.dialect));
  } catch (error) {
    throw sqlError(error, query.sql);
  }

  function* read(): Generator<ExportBatch> {
    const [first, last] = bounds.get(query.parameters) as [
      number | null,
      number | null,
    ];
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
  return { read };
}
