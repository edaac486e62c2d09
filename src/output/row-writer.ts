import { formatCount } from "../format.js";
import { createDelimitedEncoder, CSV, TSV } from "./delimited.js";
import type { RowEncoder } from "./encoder.js";
import type { OutputFormat } from "./formats.js";
import { createJsonEncoder, createNdjsonEncoder } from "./json.js";
import { BrokenPipeError, openSink, type Sink } from "./sink.js";
import { MAX_TABLE_ROWS, TableBuffer } from "./table.js";

export { OUTPUT_FORMATS, type OutputFormat } from "./formats.js";

export interface RowWriterOptions {
  readonly format: OutputFormat;
  /** Column names, in the order of the values of each row. */
  readonly columns: readonly string[];
  /** `--output`: a file, gzip-compressed when it ends in `.gz`; stdout when undefined or `-`. */
  readonly output?: string;
  /** `--raw`: keep CSV and TSV text that looks like a spreadsheet formula as it is. */
  readonly raw?: boolean;
  /** Receives notes for the user, such as a table cut short; they go to stderr by default. */
  readonly notice?: (message: string) => void;
  /**
   * Replaces the encoder of `format`, for rows read in another shape, such
   * as the joined rows of `export`. Not used with `table`.
   */
  readonly encoder?: RowEncoder;
}

/** Rows encoded ahead of the writer, such as the joined chunks of `export`. */
export interface EncodedRows {
  /** The rows' bytes, each row ending with the record delimiter. */
  readonly data: Uint8Array;
  readonly count: number;
}

/** Streams rows to the output in one format. */
export interface RowWriter {
  /**
   * Whether the writer takes no more rows: a table is full, or stdout was
   * closed by its reader. Callers stop reading rows then.
   */
  readonly done: boolean;
  /**
   * Whether stdout was closed by its reader, as `tamarin export | head`
   * does. The reader may then have taken fewer rows than were written.
   */
  readonly readerClosed: boolean;
  /** Rows written so far. */
  readonly rowCount: number;
  /**
   * Writes one row given as values in column order. It returns a promise
   * when the output is slow and the caller must wait before the next row.
   */
  write(row: readonly unknown[]): Promise<void> | undefined;
  /**
   * Writes rows already encoded in the writer's format, as bytes, and
   * counts them. Only the CSV and TSV writers take encoded rows.
   */
  writeEncoded(rows: EncodedRows): Promise<void> | undefined;
  /** Writes what is left (a table, the closing `]`) and closes the output. */
  close(): Promise<void>;
  /** Closes the output after a failure, deleting an unfinished file. */
  abort(): Promise<void>;
}

/** Text collected before it is written, in UTF-16 code units. */
const FLUSH_LENGTH = 128 * 1024;

/**
 * Creates a row writer for `options.format`. Every format but `table` writes
 * rows as they come, so memory stays constant whatever the row count. Opens
 * the output file at once, so a bad `--output` fails before any query runs.
 *
 * @example
 * const writer = createRowWriter({ format: "csv", columns: ["ip", "bytes"] });
 * await writeRows(writer, [["192.0.2.1", 512]]);
 */
export function createRowWriter(options: RowWriterOptions): RowWriter {
  const sink = openSink(options.output);
  const notice =
    options.notice ??
    ((message: string) => process.stderr.write(`tamarin: ${message}\n`));
  if (options.format === "table") {
    return new TableRowWriter(sink, options.columns, notice);
  }
  return new StreamingRowWriter(
    sink,
    options.encoder ?? createEncoder(options),
  );
}

/**
 * Writes every row of `rows` to `writer`, waiting whenever the output is
 * slow, then closes the writer. Stops early when the writer is done, and
 * treats stdout closed by its reader as a normal end. Returns the number of
 * rows written. `onRow` is called after each row with the count so far.
 */
export async function writeRows(
  writer: RowWriter,
  rows: Iterable<readonly unknown[]>,
  onRow?: (count: number) => void,
): Promise<number> {
  return writeBatches(writer, [rows], onRow);
}

/**
 * Writes batches of rows as {@link writeRows} does; a batch is either rows
 * given as values or rows already encoded. `onRow` is called after each row
 * given as values and after each encoded batch.
 */
export async function writeBatches(
  writer: RowWriter,
  batches: Iterable<EncodedRows | Iterable<readonly unknown[]>>,
  onRow?: (count: number) => void,
): Promise<number> {
  try {
    write: for (const batch of batches) {
      if (writer.done) break;
      if ("data" in batch) {
        const wait = writer.writeEncoded(batch);
        if (wait !== undefined) await wait;
        onRow?.(writer.rowCount);
        continue;
      }
      for (const row of batch) {
        if (writer.done) break write;
        const wait = writer.write(row);
        if (wait !== undefined) await wait;
        onRow?.(writer.rowCount);
      }
    }
    await writer.close();
  } catch (error) {
    await writer.abort();
    if (!(error instanceof BrokenPipeError)) throw error;
  }
  return writer.rowCount;
}

/**
 * Creates a row writer and writes `rows` to it: the one call a report such
 * as `buckets list` needs. Returns the number of rows written.
 */
export async function printRows(
  options: RowWriterOptions,
  rows: Iterable<readonly unknown[]>,
): Promise<number> {
  return writeRows(createRowWriter(options), rows);
}

/**
 * Writes text as it is to `output` (a file, or stdout for undefined or
 * `-`), for reports that print prose in place of a table.
 */
export async function writeText(
  text: string,
  output: string | undefined,
): Promise<void> {
  const sink = openSink(output);
  try {
    await sink.write(text);
    await sink.finish();
  } catch (error) {
    await sink.abort();
    if (!(error instanceof BrokenPipeError)) throw error;
  }
}

function createEncoder(options: RowWriterOptions): RowEncoder {
  switch (options.format) {
    case "csv":
      return createDelimitedEncoder(CSV, options.columns, options);
    case "tsv":
      return createDelimitedEncoder(TSV, options.columns, options);
    case "json":
      return createJsonEncoder(options.columns);
    case "ndjson":
      return createNdjsonEncoder(options.columns);
    case "table":
      throw new Error("tables are rendered by TableRowWriter");
  }
}

class StreamingRowWriter implements RowWriter {
  rowCount = 0;
  private buffer: string;
  private broken = false;

  constructor(
    private readonly sink: Sink,
    private readonly encoder: RowEncoder,
  ) {
    this.buffer = encoder.header;
  }

  get done(): boolean {
    return this.broken;
  }

  get readerClosed(): boolean {
    return this.broken;
  }

  write(row: readonly unknown[]): Promise<void> | undefined {
    this.buffer += this.encoder.row(row);
    this.rowCount++;
    if (this.buffer.length < FLUSH_LENGTH) return undefined;
    return this.flush();
  }

  writeEncoded(rows: EncodedRows): Promise<void> | undefined {
    this.rowCount += rows.count;
    const wait = this.buffer === "" ? undefined : this.flush();
    if (wait !== undefined) return wait.then(() => this.send(rows.data));
    return this.send(rows.data);
  }

  async close(): Promise<void> {
    this.buffer += this.encoder.footer();
    try {
      await this.flush();
      await this.sink.finish();
    } catch (error) {
      this.noteBrokenPipe(error);
      throw error;
    }
  }

  async abort(): Promise<void> {
    await this.sink.abort();
  }

  private flush(): Promise<void> | undefined {
    const text = this.buffer;
    this.buffer = "";
    return this.send(text);
  }

  private send(data: string | Uint8Array): Promise<void> | undefined {
    let wait: Promise<void> | undefined;
    try {
      wait = this.sink.write(data);
    } catch (error) {
      this.noteBrokenPipe(error);
      throw error;
    }
    return wait?.catch((error: unknown) => {
      this.noteBrokenPipe(error);
      throw error;
    });
  }

  private noteBrokenPipe(error: unknown): void {
    if (error instanceof BrokenPipeError) this.broken = true;
  }
}

class TableRowWriter implements RowWriter {
  private readonly table: TableBuffer;

  constructor(
    private readonly sink: Sink,
    columns: readonly string[],
    private readonly notice: (message: string) => void,
  ) {
    const width = sink.terminalColumns;
    this.table = new TableBuffer(columns, {
      width,
      color: width !== null && !process.env.NO_COLOR,
    });
  }

  get done(): boolean {
    return this.table.truncated;
  }

  // A table is written whole at close, after every row is read.
  readonly readerClosed = false;

  get rowCount(): number {
    return this.table.rowCount;
  }

  write(row: readonly unknown[]): undefined {
    this.table.add(row);
    return undefined;
  }

  writeEncoded(): never {
    throw new Error("a table takes rows as values only");
  }

  async close(): Promise<void> {
    await this.sink.write(this.table.render());
    await this.sink.finish();
    if (this.table.truncated) {
      this.notice(
        `the table shows the first ${formatCount(MAX_TABLE_ROWS)} rows and the query returned more. Use --format csv, tsv, json or ndjson for every row, or add LIMIT.`,
      );
    }
  }

  async abort(): Promise<void> {
    await this.sink.abort();
  }
}
