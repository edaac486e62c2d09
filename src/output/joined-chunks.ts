import type { ColumnInfo } from "../parse/record.js";
import { looksLikeFormula } from "./cells.js";
import type { Dialect } from "./delimited.js";
import type { DelimitedOptions } from "./encoder.js";

/** Byte between the values of a row in a joined chunk: ASCII unit separator. */
const FIELD_SEPARATOR = 0x1f;

/**
 * Byte that ends each row of a joined chunk: ASCII record separator,
 * written as many times as the dialect's record delimiter has bytes, so
 * that the chunk can be turned into CSV or TSV in place.
 */
const ROW_SEPARATOR = 0x1e;

// A value that SQLite stores in an INTEGER column as a number, rendered as
// text: an integer, or a REAL such as 1.5 or 1.0e+21. INTEGER affinity
// turns any text of this shape into a number, so such a field is a number.
const NUMBER_TEXT = /^-?[0-9]+(?:\.[0-9]+(?:e[-+][0-9]+)?)?$/;

// Byte kinds, by what each requires of the field that contains it, in
// increasing order.
const PLAIN = 0;
/** The field goes between quotes, unchanged otherwise. */
const QUOTE = 1;
/** The field is decoded and encoded again as text. */
const REWRITE = 2;
const SEPARATOR = 3;

/**
 * Returns the SELECT expression that joins the columns of a row into one
 * text ending with the row separator, for a joined chunk. NULL becomes the
 * empty string.
 */
export function joinedRowSql(
  columns: readonly string[],
  dialect: Dialect,
): string {
  const end = Array.from(dialect.recordDelimiter, () => ROW_SEPARATOR);
  return `concat(${columns.join(`, char(${FIELD_SEPARATOR}), `)}, char(${end.join(", ")}))`;
}

/**
 * Turns a chunk of `rowCount` joined rows into encoded rows, each ending
 * with the record delimiter. Returns null when the chunk cannot be split
 * because a value contains a separator byte, and the caller then reads
 * those rows as values. The chunk's bytes are changed in either case.
 */
export type ChunkEncoder = (
  chunk: Uint8Array,
  rowCount: number,
) => Uint8Array | null;

/**
 * Creates a CSV or TSV encoder for chunks of rows that SQLite has already
 * joined (see {@link joinedRowSql}), read as one BLOB per chunk. Most
 * fields need no escaping, so the chunk is rewritten in place: separators
 * become the delimiter and the record delimiter. A field that only needs
 * quotes gets them when the chunk is copied, and only a field that needs
 * more (an inner quote, a TSV escape, a formula prefix) is decoded and
 * encoded again. The output is byte for byte that of
 * `createDelimitedEncoder` on the same rows, with two exceptions that
 * only hand-written data can reach, because `import` stores TEXT and
 * INTEGER values only. A REAL is written as SQLite formats it, and a BLOB
 * as its bytes rather than hex.
 */
export function createChunkEncoder(
  dialect: Dialect,
  columns: readonly ColumnInfo[],
  options: DelimitedOptions = {},
): ChunkEncoder {
  const integer = columns.map((column) => column.type === "INTEGER");
  const neutralise = options.raw !== true;
  const delimiter = dialect.delimiter.charCodeAt(0);
  const recordDelimiter = Buffer.from(dialect.recordDelimiter);
  const recordLength = recordDelimiter.length;
  const lastColumn = columns.length - 1;
  const quote = dialect.quote?.charCodeAt(0) ?? -1;

  const kinds = new Uint8Array(256);
  for (let code = 0; code < 0x80; code++) {
    const char = String.fromCharCode(code);
    if (!dialect.needsEscaping(char)) continue;
    const quoted = `${dialect.quote}${char}${dialect.quote}`;
    kinds[code] =
      dialect.quote !== undefined && dialect.escape(char) === quoted
        ? QUOTE
        : REWRITE;
  }
  kinds[FIELD_SEPARATOR] = SEPARATOR;
  kinds[ROW_SEPARATOR] = SEPARATOR;

  // Four copies of one more than the highest byte that is not PLAIN, or 0
  // when that is above 0x7f, which turns the word skip off.
  const highest = kinds.findLastIndex((kind) => kind !== PLAIN);
  const below = highest < 0x80 ? (highest + 1) * 0x01010101 : 0;

  /** Returns a field's text as the value encoder writes text. */
  const encodeText = (text: string, column: number): string => {
    let field = text;
    if (
      neutralise &&
      looksLikeFormula(field) &&
      !(integer[column] && NUMBER_TEXT.test(field))
    ) {
      field = `'${field}`;
    }
    return dialect.needsEscaping(field) ? dialect.escape(field) : field;
  };

  return (chunk, rowCount) => {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const length = bytes.length;
    const table = kinds;

    // First pass: turn the separators into delimiters and note each field
    // that needs more, as [start, end, column, kind].
    const edits: number[] = [];
    let column = 0;
    let rows = 0;
    let start = 0;
    let need = neutralise && startsLikeFormula(bytes, 0) ? REWRITE : PLAIN;
    const words =
      below !== 0 && bytes.byteOffset % 4 === 0
        ? new Int32Array(bytes.buffer, bytes.byteOffset, length >> 2)
        : null;
    const wordCount = words === null ? 0 : words.length;
    for (let index = 0; index < length; index++) {
      // Skip four bytes at a time while all are above the highest byte
      // that is not PLAIN: a word has a byte below n when
      // (x - n * 0x01010101) & ~x & 0x80808080 is not zero, for n up to 0x80.
      if ((index & 3) === 0 && index >> 2 < wordCount) {
        let word = index >> 2;
        while (word < wordCount) {
          const value = words![word]!;
          if (((value - below) & ~value & 0x80808080) !== 0) break;
          word++;
        }
        index = word << 2;
        if (index >= length) break;
      }
      const kind = table[bytes[index]!]!;
      if (kind === PLAIN) continue;
      if (kind !== SEPARATOR) {
        if (kind > need) need = kind;
        continue;
      }
      if (need !== PLAIN) edits.push(start, index, column, need);
      if (bytes[index] === FIELD_SEPARATOR) {
        bytes[index] = delimiter;
        column++;
      } else {
        if (column !== lastColumn || index + recordLength > length) return null;
        for (let offset = 0; offset < recordLength; offset++) {
          if (bytes[index] !== ROW_SEPARATOR) return null;
          bytes[index++] = recordDelimiter[offset]!;
        }
        index--;
        column = 0;
        rows++;
      }
      start = index + 1;
      need = neutralise && startsLikeFormula(bytes, start) ? REWRITE : PLAIN;
    }
    // A separator byte inside a value shows as a row with too many fields,
    // as one row too many or as a chunk that does not end with a row.
    if (start !== length || rows !== rowCount) return null;
    if (edits.length === 0) return bytes;

    // Second pass: copy the chunk with the edited fields.
    const replacements: (Buffer | null)[] = [];
    let size = length;
    for (let edit = 0; edit < edits.length; edit += 4) {
      if (edits[edit + 3] === QUOTE) {
        replacements.push(null);
        size += 2;
        continue;
      }
      const from = edits[edit]!;
      const to = edits[edit + 1]!;
      const text = bytes.toString("utf8", from, to);
      const encoded = encodeText(text, edits[edit + 2]!);
      const replacement = encoded === text ? null : Buffer.from(encoded);
      replacements.push(replacement);
      if (replacement !== null) size += replacement.length - (to - from);
    }
    const output = Buffer.allocUnsafe(size);
    let written = 0;
    let copied = 0;
    for (let edit = 0; edit < edits.length; edit += 4) {
      const from = edits[edit]!;
      const to = edits[edit + 1]!;
      const replacement = replacements[edit / 4];
      if (edits[edit + 3] === QUOTE) {
        written += bytes.copy(output, written, copied, from);
        output[written++] = quote;
        written += bytes.copy(output, written, from, to);
        output[written++] = quote;
        copied = to;
      } else if (replacement !== null && replacement !== undefined) {
        written += bytes.copy(output, written, copied, from);
        written += replacement.copy(output, written);
        copied = to;
      }
    }
    written += bytes.copy(output, written, copied, length);
    return output.subarray(0, written);
  };
}

/**
 * Tells whether the UTF-8 text at `index` starts like a spreadsheet formula
 * (see looksLikeFormula). The fullwidth forms are EF BC 8B, 8D, 9D and A0.
 */
function startsLikeFormula(bytes: Uint8Array, index: number): boolean {
  switch (bytes[index]) {
    case 0x3d: // =
    case 0x2b: // +
    case 0x2d: // -
    case 0x40: // @
    case 0x09: // tab
    case 0x0d: // carriage return
      return true;
    case 0xef:
      if (bytes[index + 1] !== 0xbc) return false;
      switch (bytes[index + 2]) {
        case 0x8b:
        case 0x8d:
        case 0x9d:
        case 0xa0:
          return true;
        default:
          return false;
      }
    default:
      return false;
  }
}
