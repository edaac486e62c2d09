import Database from "better-sqlite3";
import { RECORD_COLUMNS } from "../parse/record.js";
import { nativeBindingOptions } from "../store/database.js";
import { MIGRATIONS } from "../store/migrations.js";

/** One column of the database, as `tamarin schema` lists it. */
export interface SchemaColumn {
  readonly table: string;
  readonly column: string;
  /** Declared type, followed by PRIMARY KEY or NOT NULL when it applies. */
  readonly type: string;
  readonly description: string;
}

/** The tables `schema` lists, in this order. */
export const SCHEMA_TABLES = ["log_records", "log_objects", "rejected_lines"];

/** Meanings of the columns that are not record fields. */
const DESCRIPTIONS: Record<string, string> = {
  "log_records.log_object_id":
    "log_objects.id of the log object the record came from.",
  "log_records.line_number":
    "Line of the record in its log object, counting from 1.",
  "log_objects.id": "Row ID, referred to by log_object_id.",
  "log_objects.source":
    "Origin: s3://bucket/key, an absolute file path, or stdin:sha256:<hex>.",
  "log_objects.size": "Size of the log object in bytes; NULL when unknown.",
  "log_objects.etag": "S3 ETag of the log object; NULL for files.",
  "log_objects.last_modified":
    "Last-modified time of the S3 object or file, UTC, as YYYY-MM-DD HH:MM:SS.SSS.",
  "log_objects.records": "Records stored from the log object.",
  "log_objects.rejects": "Lines of the log object that could not be parsed.",
  "log_objects.ingested_at":
    "Time the log object was last imported, UTC, as YYYY-MM-DD HH:MM:SS.",
  "rejected_lines.log_object_id":
    "log_objects.id of the log object the line came from; part of the key.",
  "rejected_lines.line_number":
    "Line in its log object, counting from 1; part of the key.",
  "rejected_lines.reason": "Why the line could not be parsed.",
  "rejected_lines.raw_line": "The line as read.",
};

/**
 * Lists every column of the Tamarin tables with its type and meaning. The
 * columns come from the migrations applied to an in-memory database, so the
 * list matches what `import` creates; record column meanings come from
 * RECORD_COLUMNS.
 */
export function describeSchema(): SchemaColumn[] {
  const db = new Database(":memory:", nativeBindingOptions());
  try {
    for (const migration of MIGRATIONS) db.exec(migration);
    const recordDescriptions = new Map<string, string>(
      RECORD_COLUMNS.map((column) => [column.name, column.description]),
    );
    return SCHEMA_TABLES.flatMap((table) => {
      const infos = db.pragma(`table_info(${table})`) as TableInfoRow[];
      const keyColumns = infos.filter((info) => info.pk > 0).length;
      return infos.map((info) => ({
        table,
        column: info.name,
        type: declaredType(info, keyColumns),
        description:
          (table === "log_records"
            ? recordDescriptions.get(info.name)
            : undefined) ??
          DESCRIPTIONS[`${table}.${info.name}`] ??
          "",
      }));
    });
  } finally {
    db.close();
  }
}

interface TableInfoRow {
  readonly name: string;
  readonly type: string;
  readonly notnull: number;
  readonly pk: number;
}

/** Returns the declared type; a column of a composite key shows NOT NULL only. */
function declaredType(info: TableInfoRow, keyColumns: number): string {
  if (info.pk > 0 && keyColumns === 1) return `${info.type} PRIMARY KEY`;
  if (info.notnull || info.pk > 0) return `${info.type} NOT NULL`;
  return info.type;
}
