// Word wrapping for printable ASCII, which the single executable's bundle
// puts in front of wrap-ansi (see bundle-plugins.ts). yargs lays out its
// help with cliui, which wraps every cell with wrap-ansi; wrap-ansi then
// walks the result once more, character by character, to carry colour
// codes across line breaks. Text without escape codes needs none of that.

// Printable ASCII lines separated by "\n" or "\r\n".
const ASCII_LINES = /^(?:[\x20-\x7e]|\r?\n)*$/;

/** The wrap-ansi options that {@link asciiWrap} handles. */
export interface WrapOptions {
  /** Break words longer than the width. */
  readonly hard?: boolean;
}

/**
 * Returns what wrap-ansi 9 returns for `text` wrapped to `columns`, or
 * undefined when `text` is not printable ASCII in lines, `columns` is not
 * a positive integer, or `options` sets anything but `hard`. For such
 * text each character takes one column and no escape code needs carrying
 * over, so the result is wrap-ansi's rows joined with newlines.
 */
export function asciiWrap(
  text: unknown,
  columns: number,
  options?: WrapOptions,
): string | undefined {
  if (typeof text !== "string" || !ASCII_LINES.test(text)) return undefined;
  if (!Number.isInteger(columns) || columns < 1) return undefined;
  if (options !== undefined && Object.keys(options).some((k) => k !== "hard")) {
    return undefined;
  }
  const hard = options?.hard === true;
  return text
    .replaceAll("\r\n", "\n")
    .split("\n")
    .map((line) => wrapLine(line, columns, hard))
    .join("\n");
}

// Fills rows word by word, as wrap-ansi does with trim and wordWrap on:
// a word that does not fit starts a new row, and in hard mode a word
// longer than a row is split across rows. Runs of spaces stay inside a
// row, and spaces at a row's start or end are dropped.
function wrapLine(line: string, columns: number, hard: boolean): string {
  if (line.trim() === "") return "";
  const rows = [""];
  const words = line.split(" ");
  words.forEach((word, index) => {
    let row = rows[rows.length - 1]!.trimStart();
    if (index > 0 && row.length > 0) row += " ";
    rows[rows.length - 1] = row;

    if (hard && word.length > columns) {
      // Start the word on a new row when that takes no more rows.
      const rowsHere =
        1 + Math.floor((word.length - (columns - row.length) - 1) / columns);
      const rowsOnNext = Math.floor((word.length - 1) / columns);
      if (rowsOnNext < rowsHere) rows.push("");
      splitWord(rows, word, columns);
      return;
    }
    if (
      row.length > 0 &&
      word.length > 0 &&
      row.length + word.length > columns
    ) {
      rows.push("");
    }
    rows[rows.length - 1] += word;
  });
  return rows.map((row) => row.replace(/ +$/, "")).join("\n");
}

// Appends `word` to the rows a character at a time, starting a new row
// whenever the last one is full.
function splitWord(rows: string[], word: string, columns: number): void {
  let row = rows.pop()!;
  for (let index = 0; index < word.length; index++) {
    if (row.length < columns) {
      row += word.charAt(index);
    } else {
      rows.push(row);
      row = word.charAt(index);
    }
    if (row.length === columns && index < word.length - 1) {
      rows.push(row);
      row = "";
    }
  }
  rows.push(row);
}
