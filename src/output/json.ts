import type { RowEncoder } from "./encoder.js";

/**
 * Creates an encoder for one JSON array of objects, one object per line:
 * `[`, then the objects separated by `,` and a newline, then `]`. An empty
 * result is `[]`. NULL is `null`, numbers are JSON numbers, a BLOB is a
 * lowercase hex string.
 */
export function createJsonEncoder(columns: readonly string[]): RowEncoder {
  const encodeObject = objectEncoder(columns);
  let rows = 0;
  return {
    header: "[",
    row(values) {
      rows++;
      return `${rows === 1 ? "\n" : ",\n"}${encodeObject(values)}`;
    },
    footer: () => (rows === 0 ? "]\n" : "\n]\n"),
  };
}

/**
 * Creates an encoder for newline-delimited JSON: one object per line and
 * nothing else, with values encoded as in {@link createJsonEncoder}.
 */
export function createNdjsonEncoder(columns: readonly string[]): RowEncoder {
  const encodeObject = objectEncoder(columns);
  return {
    header: "",
    row: (values) => `${encodeObject(values)}\n`,
    footer: () => "",
  };
}

/**
 * Makes column names unique for use as object keys: a repeated name gets a
 * suffix `_2`, `_3` and so on, because SQL allows `SELECT a, a` while a JSON
 * object with two equal keys loses one of them in most parsers.
 */
export function uniqueKeys(columns: readonly string[]): string[] {
  const usedKeys = new Set<string>();
  return columns.map((column) => {
    let key = column;
    for (let suffix = 2; usedKeys.has(key); suffix++)
      key = `${column}_${suffix}`;
    usedKeys.add(key);
    return key;
  });
}

function objectEncoder(columns: readonly string[]) {
  const prefixes = uniqueKeys(columns).map(
    (key, index) => `${index === 0 ? "{" : ","}${JSON.stringify(key)}:`,
  );
  return (values: readonly unknown[]): string => {
    let text = "";
    for (let index = 0; index < prefixes.length; index++) {
      text += prefixes[index]! + jsonValue(values[index]);
    }
    return prefixes.length === 0 ? "{}" : `${text}}`;
  };
}

function jsonValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "bigint":
      return value.toString();
    case "boolean":
      return String(value);
    case "undefined":
      return "null";
    default:
      if (value === null) return "null";
      if (value instanceof Uint8Array) {
        return JSON.stringify(Buffer.from(value).toString("hex"));
      }
      return JSON.stringify(value);
  }
}
