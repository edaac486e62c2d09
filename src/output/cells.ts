/**
 * Returns the text of a cell value for CSV, TSV and tables, or null for SQL
 * NULL. Numbers become decimal digits and a BLOB lowercase hex. Objects and
 * arrays, which reports such as `status` pass in, become JSON.
 */
export function cellText(value: unknown): string | null {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "bigint":
    case "boolean":
      return String(value);
    case "undefined":
      return null;
    default:
      if (value === null) return null;
      if (value instanceof Uint8Array)
        return Buffer.from(value).toString("hex");
      return JSON.stringify(value);
  }
}

/**
 * Tells whether a spreadsheet would read text as a formula: it starts with
 * `=`, `+`, `-`, `@`, a tab or a carriage return, or with the fullwidth
 * forms of `=`, `+`, `-` and `@`, which some spreadsheets normalise.
 */
export function looksLikeFormula(text: string): boolean {
  switch (text.charCodeAt(0)) {
    case 0x3d: // =
    case 0x2b: // +
    case 0x2d: // -
    case 0x40: // @
    case 0x09: // tab
    case 0x0d: // carriage return
    case 0xff1d: // fullwidth =
    case 0xff0b: // fullwidth +
    case 0xff0d: // fullwidth -
    case 0xff20: // fullwidth @
      return true;
    default:
      return false;
  }
}

/**
 * Prefixes text that a spreadsheet would run as a formula with a single
 * quote, so that the cell no longer starts with a formula character and is
 * shown as text (OWASP's advice against CSV injection). Other text is
 * returned unchanged.
 */
export function neutraliseFormula(text: string): string {
  return looksLikeFormula(text) ? `'${text}` : text;
}
