import type { ColumnInfo } from "../parse/record.js";
import { looksLikeFormula } from "./cells.js";
import { createDelimitedEncoder, type Dialect } from "./delimited.js";
import type { DelimitedOptions, RowEncoder } from "./encoder.js";

/**
 * Separator of the values in the joined text of a row: the ASCII unit
 * separator, which access log fields almost never contain. A row that needs
 * escaping and has it in a value is read again as separate values.
 */
const SEPARATOR = "\x1f";

// A field that starts like a formula, right after a separator.
// eslint-disable-next-line no-control-regex -- the separator is U+001F
const FORMULA_FIELD = /\x1f[-=+@\t\r\uff1d\uff0b\uff0d\uff20]/;

// A value that SQLite stores in an INTEGER column as a number, rendered as
// text: an integer, or a REAL such as 1.5 or 1.0e+21. INTEGER affinity
// turns any text of this shape into a number, so such a field is a number.
const NUMBER_TEXT = /^-?[0-9]+(?:\.[0-9]+(?:e[-+][0-9]+)?)?$/;

/**
 * Returns the two SELECT expressions that read a row as two texts. The
 * first joins the columns with the dialect's delimiter, and is the output
 * line when no value needs escaping. The second joins the rowid and the
 * columns with U+001F, to show where each value starts and ends. NULL
 * becomes the empty string. Reading two texts per row skips converting
 * every value to JavaScript and joining them again, which dominated the
 * time of export.
 */
export function joinedRowSql(
  columns: readonly string[],
  dialect: Dialect,
): string[] {
  const delimiter = `char(${dialect.delimiter.charCodeAt(0)})`;
  return [
    `concat(${columns.join(`, ${delimiter}, `)})`,
    `concat(${["rowid", ...columns].join(", char(31), ")})`,
  ];
}

export interface JoinedRowOptions extends DelimitedOptions {
  /** Reads the values of the row with this rowid, in column order. */
  readonly readRow: (rowid: number) => readonly unknown[];
}

/**
 * Creates a CSV or TSV encoder for rows read with {@link joinedRowSql},
 * each given as `[line, joined]`. The output is byte for byte that of
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

  /** Encodes the fields of a row split at the separators, rowid first. */
  const encodeFields = (fields: string[]): string => {
    fields.shift();
    for (let index = 0; index < fields.length; index++) {
      let field = fields[index]!;
      if (
        neutralise &&
        looksLikeFormula(field) &&
        !(integer[index] && NUMBER_TEXT.test(field))
      ) {
        field = `'${field}`;
      }
      fields[index] = dialect.needsEscaping(field)
        ? dialect.escape(field)
        : field;
    }
    return fields.join(dialect.delimiter) + dialect.recordDelimiter;
  };

  return {
    header: generic.header,
    footer: () => "",
    row(values) {
      const line = values[0] as string;
      const joined = values[1] as string;

      // Most rows need nothing done: their line is the output.
      const formula = neutralise && FORMULA_FIELD.test(joined);
      if (!formula && !dialect.needsEscaping(joined)) {
        return line + dialect.recordDelimiter;
      }

      // A value contains the separator: read the row as values.
      if (countSeparators(joined) !== columns.length) {
        const rowid = Number(joined.slice(0, joined.indexOf(SEPARATOR)));
        return generic.row(options.readRow(rowid));
      }
      if (formula) return encodeFields(joined.split(SEPARATOR));
      return escapeFields(dialect, line, joined);
    },
  };
}

function countSeparators(joined: string): number {
  let count = 0;
  let position = joined.indexOf(SEPARATOR);
  while (position >= 0) {
    count++;
    position = joined.indexOf(SEPARATOR, position + 1);
  }
  return count;
}

/**
 * Returns the line with each field that needs it escaped, and a record
 * delimiter. A field starts at the same offset in `line` as in `joined`
 * after the rowid, because both texts use one-character separators.
 */
function escapeFields(dialect: Dialect, line: string, joined: string): string {
  const offset = joined.indexOf(SEPARATOR) + 1;
  const pattern = dialect.escapedCharacter;
  pattern.lastIndex = offset;
  let result = "";
  let copied = 0;
  for (let match = pattern.exec(joined); match; match = pattern.exec(joined)) {
    const start = joined.lastIndexOf(SEPARATOR, match.index) + 1;
    let end = joined.indexOf(SEPARATOR, match.index);
    if (end < 0) end = joined.length;
    result +=
      line.slice(copied, start - offset) +
      dialect.escape(joined.slice(start, end));
    copied = end - offset;
    pattern.lastIndex = end;
  }
  return result + line.slice(copied) + dialect.recordDelimiter;
}
