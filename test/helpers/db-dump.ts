import Database from "better-sqlite3";

/** The content of a Tamarin database, independent of row IDs. */
export interface DatabaseDump {
  readonly objects: unknown[];
  readonly records: unknown[];
  readonly rejects: unknown[];
}

/**
 * Reads every stored row, keyed by the object's source and line number
 * instead of internal IDs, so two databases built by different runs compare
 * equal when they hold the same data.
 */
export function dumpDatabase(file: string): DatabaseDump {
  const db = new Database(file, { readonly: true });
  try {
    const objects = db
      .prepare(
        "SELECT source, size, etag, last_modified, records, rejects FROM log_objects ORDER BY source",
      )
      .all();
    const records = db
      .prepare(
        `SELECT o.source, r.* FROM log_records r JOIN log_objects o ON o.id = r.log_object_id
         ORDER BY o.source, r.line_number`,
      )
      .all()
      .map((row) => withoutId(row as Record<string, unknown>));
    const rejects = db
      .prepare(
        `SELECT o.source, j.line_number, j.reason, j.raw_line FROM rejected_lines j
         JOIN log_objects o ON o.id = j.log_object_id ORDER BY o.source, j.line_number`,
      )
      .all();
    return { objects, records, rejects };
  } finally {
    db.close();
  }
}

function withoutId(row: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...row };
  delete copy.log_object_id;
  return copy;
}

/**
 * Returns the objects whose ledger counts differ from the rows stored for
 * them; empty when every object is either fully stored or absent.
 */
export function findIncompleteObjects(file: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT o.source, o.records, o.rejects,
           (SELECT count(*) FROM log_records r WHERE r.log_object_id = o.id) AS stored_records,
           (SELECT count(*) FROM rejected_lines j WHERE j.log_object_id = o.id) AS stored_rejects
         FROM log_objects o
         WHERE o.records != stored_records OR o.rejects != stored_rejects`,
      )
      .all();
  } finally {
    db.close();
  }
}
