/**
 * Turns rows into the text of one streaming format. An encoder may keep
 * state between rows (JSON needs to know whether a comma goes first).
 */
export interface RowEncoder {
  /** Text written before the first row, such as a CSV header line. */
  readonly header: string;
  /** Encodes one row, given as values in column order. */
  row(values: readonly unknown[]): string;
  /** Returns the text written after the last row. */
  footer(): string;
}

/** Options shared by the CSV and TSV encoders. */
export interface DelimitedOptions {
  /** Keep text that looks like a spreadsheet formula as it is. */
  readonly raw?: boolean;
}
