import type { ColumnInfo } from "../parse/record.js";
import { looksLikeFormula } from "./cells.js";
import { createDelimitedEncoder, type Dialect } from "./delimited.js";
import type { DelimitedOptions, RowEncoder } from "./encoder.js";

/**
 * Separator of the values in a joined row: the ASCII unit separator, which
 * access log fields do not contain. A row whose values do contain it is
 * read again as separate values.
 */
const SEPARATOR = "\x1f";

// A value that SQLite stores in an INTEGER column as a number, rendered as
// text: an integer, or a REAL such as 1.5 or 1.0e+21. INTEGER affinity
// turns any text of this shape into a number, so such a field is a number.
const NUMBER_TEXT = /^-?[0-9]+(?:\.[0-9]+(?:e[-+][0-9]+)?)?$/;

/**
 * Returns the SELECT expression that joins the rowid and the columns of a
 * row into one text value: rowid, then each column, separated by U+001F.
 * NULL becomes the empty string. Reading one text per row skips the cost of
 * converting every value to JavaScript, which dominates an export.
 */
export function joinedRowSql(columns: readonly string[]): string {
  return `concat(${["rowid", ...columns].join(", char(31), ")})`;
}

export interface JoinedRowOptions extends DelimitedOptions {
  /** Reads the values of the row with this rowid, in column order. */
  readonly readRow: (rowid: number) => readonly unknown[];
}

/**
 * Creates a CSV or TSV encoder for rows read with {@link joinedRowSql},
 * each given as `[joinedText]`. The output is byte for byte that of
 * {@link createDelimitedEncoder} on the same rows, with two exceptions that
 * only hand-written data can reach, because `import` stores TEXT and
 * INTEGER values only: a REAL is written as SQLite formats it, and a BLOB as
 * its bytes rather than hex.
 */
export function createJoinedRowEncoder(
  dialect: Dialect,
  columns: readonly ColumnInfo[],
  options: JoinedRowOptions,
): RowEncoder {
  const names = columns.map((column) => column.name);
  const generic = createDelimitedEncoder(dialect, names, options);
  const integer = columns.map((column) => column.type === "INTEGER");
  const neutralise = options.raw !== true;
  const fieldCount = columns.length + 1;

  return {
    header: generic.header,
    footer: () => "",
    row(values) {
      const fields = (values[0] as string).split(SEPARATOR);
      if (fields.length !== fieldCount) {
        // A value contains the separator: read the row as values.
        return generic.row(options.readRow(Number(fields[0])));
      }
      fields.shift();

      // Neutralise text that starts like a formula; numbers are left alone.
      if (neutralise) {
        for (let index = 0; index < fields.length; index++) {
          const field = fields[index]!;
          if (
            looksLikeFormula(field) &&
            !(integer[index] && NUMBER_TEXT.test(field))
          ) {
            fields[index] = `'${field}`;
          }
        }
      }

      // Escape the fields that need it. The separator needs no escaping, so
      // one test of the whole row clears most rows.
      if (dialect.needsEscaping(values[0] as string)) {
        for (let index = 0; index < fields.length; index++) {
          const field = fields[index]!;
          if (dialect.needsEscaping(field)) {
            fields[index] = dialect.escape(field);
          }
        }
      }
      return fields.join(dialect.delimiter) + dialect.recordDelimiter;
    },
  };
}
