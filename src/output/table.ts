import Table from "cli-table3";
import stringWidth from "string-width";
import { cellText } from "./cells.js";
import { MAX_COLUMN_WIDTH_OFF_TERMINAL, MAX_TABLE_ROWS } from "./formats.js";

export { MAX_COLUMN_WIDTH_OFF_TERMINAL, MAX_TABLE_ROWS };

/** Narrowest a column gets when the table is squeezed to the terminal. */
const MIN_COLUMN_WIDTH = 6;

/**
 * Characters kept per cell. It bounds memory for 1,000 rows of long user
 * agents and is wider than any column the table can show.
 */
const MAX_STORED_CELL_LENGTH = 1000;

// C0 and C1 control characters, DEL, and the Unicode bidirectional controls
// that would let a logged header move the cursor or reorder the terminal.
const CONTROL_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- matching them is the purpose
  /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export interface TableOptions {
  /** Terminal width to fit the table in, or null when not a terminal. */
  readonly width: number | null;
  /** Colour the header and borders with ANSI codes. */
  readonly color: boolean;
}

/**
 * Collects up to {@link MAX_TABLE_ROWS} rows and renders them as a
 * cli-table3 table. Tables are the one format that buffers, because column
 * widths depend on every row.
 */
export class TableBuffer {
  private readonly rows: (string | null)[][] = [];
  private readonly numeric: boolean[];
  /** Whether rows were offered past {@link MAX_TABLE_ROWS}. */
  truncated = false;

  constructor(
    private readonly columns: readonly string[],
    private readonly options: TableOptions,
  ) {
    this.numeric = columns.map(() => false);
  }

  /** Rows held, at most {@link MAX_TABLE_ROWS}. */
  get rowCount(): number {
    return this.rows.length;
  }

  /** Whether the table contains as many rows as it shows. */
  get full(): boolean {
    return this.rows.length >= MAX_TABLE_ROWS;
  }

  /** Adds a row, or marks the table truncated when it is full. */
  add(values: readonly unknown[]): void {
    if (this.full) {
      this.truncated = true;
      return;
    }
    this.rows.push(
      values.map((value, index) => {
        if (typeof value === "number" || typeof value === "bigint") {
          this.numeric[index] = true;
        }
        return tableCell(value);
      }),
    );
  }

  /** Renders the table, ending with a newline. */
  render(): string {
    const head = this.columns.map((column) => tableCell(column) ?? "");
    const cells = this.rows.map((row) => row.map((cell) => cell ?? "NULL"));
    const table = new Table({
      head,
      colWidths: this.columnWidths(head, cells),
      style: this.options.color
        ? { compact: true }
        : { compact: true, head: [], border: [] },
    });
    for (const row of cells) {
      table.push(
        row.map((content, index) =>
          this.numeric[index] && this.rows.length > 0
            ? { content, hAlign: "right" as const }
            : content,
        ),
      );
    }
    return `${table.toString()}\n`;
  }

  /**
   * Returns cli-table3 column widths, which include one space of padding on
   * each side. Off a terminal each column is capped; on a terminal the
   * widest columns are narrowed until the table fits, when it can.
   */
  private columnWidths(head: readonly string[], cells: readonly string[][]) {
    const natural = head.map((title, index) =>
      Math.max(
        stringWidth(title),
        ...cells.map((row) => stringWidth(row[index]!)),
      ),
    );
    let cap = MAX_COLUMN_WIDTH_OFF_TERMINAL;
    if (this.options.width !== null) {
      // Borders take columns + 1 cells and padding two per column.
      const available =
        this.options.width - (head.length + 1) - 2 * head.length;
      cap = largestCap(natural, available);
    }
    return natural.map((width) => Math.max(1, Math.min(width, cap)) + 2);
  }
}

/**
 * Returns the largest per-column width such that the capped widths sum to at
 * most `available`, but never less than {@link MIN_COLUMN_WIDTH}: a table
 * with too many columns for the terminal is wider than it, and wraps.
 */
function largestCap(widths: readonly number[], available: number): number {
  const total = (cap: number) =>
    widths.reduce((sum, width) => sum + Math.min(width, cap), 0);
  let low = MIN_COLUMN_WIDTH;
  let high = Math.max(MIN_COLUMN_WIDTH, ...widths);
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (total(middle) <= available) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * Returns the text shown in a table cell, or null for NULL. Control
 * characters are shown escaped (`\n`, `\t`, `\r`, `\xHH`, `\uHHHH`) so
 * each row stays on one line and logged values cannot send terminal escapes.
 */
function tableCell(value: unknown): string | null {
  const text = cellText(value);
  if (text === null) return null;
  return text
    .slice(0, MAX_STORED_CELL_LENGTH)
    .replace(CONTROL_CHARACTERS, escapeControl);
}

function escapeControl(char: string): string {
  if (char === "\n") return "\\n";
  if (char === "\t") return "\\t";
  if (char === "\r") return "\\r";
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}
