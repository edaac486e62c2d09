const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// Select Graphic Rendition sequences: the colours and styles that
// cli-table3 and yargs put around text.
// eslint-disable-next-line no-control-regex -- ESC starts every sequence.
const SGR_SEQUENCE = /\x1b\[[0-9;]*m/g;

/**
 * Returns the terminal width of `text` when it is printable ASCII, possibly
 * coloured with SGR sequences, and undefined otherwise. For such text every
 * string-width release (4 to 8) returns the same number, because each
 * character takes one column and colour codes take none.
 */
export function asciiWidth(
  text: unknown,
  options?: { readonly countAnsiEscapeCodes?: boolean },
): number | undefined {
  if (typeof text !== "string") return undefined;
  if (PRINTABLE_ASCII.test(text)) return text.length;
  if (options?.countAnsiEscapeCodes) return undefined;
  const plain = text.replace(SGR_SEQUENCE, "");
  return PRINTABLE_ASCII.test(plain) ? plain.length : undefined;
}
