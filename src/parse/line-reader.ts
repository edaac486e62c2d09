import type { Readable } from "node:stream";
import { TextDecoder } from "node:util";
import { createGunzip } from "node:zlib";

/** A batch of consecutive lines, numbered from `firstLineNumber` (1-based). */
export interface LineBatch {
  readonly firstLineNumber: number;
  readonly lines: readonly string[];
}

export interface ReadLinesOptions {
  /**
   * Longest line kept whole, in characters. A longer line is cut to this
   * length, so one object without newlines cannot exhaust memory; the parser
   * then rejects it as truncated. Default 1 MiB.
   */
  readonly maxLineLength?: number;
  /** Called with the number of bytes read from the source, before gunzip. */
  readonly onBytes?: (bytes: number) => void;
  /** Called with each chunk of content, after gunzip when the source is gzip. */
  readonly onContent?: (chunk: Buffer) => void;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
const DEFAULT_MAX_LINE_LENGTH = 1 << 20;

/**
 * Reads a stream as lines, in batches of one chunk's worth so that callers
 * do not pay for an await per line. Accepts `\n` and `\r\n`, a last line with
 * no newline, and gzip (found by its magic bytes, not the file name).
 * Invalid UTF-8 becomes U+FFFD. Memory stays bounded by the chunk size and
 * `maxLineLength`, whatever the size of the stream.
 */
export async function* readLineBatches(
  source: Readable,
  options: ReadLinesOptions = {},
): AsyncGenerator<LineBatch> {
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let lineNumber = 1;
  let pending = "";
  let pendingCut = false;

  for await (const text of decodeChunks(source, decoder, options)) {
    const lines: string[] = [];
    const firstLineNumber = lineNumber;
    let start = 0;
    let newline = text.indexOf("\n");
    while (newline !== -1) {
      let line: string;
      if (pendingCut) {
        line = pending;
      } else {
        line = pending + text.slice(start, newline);
        if (line.length > maxLineLength) line = line.slice(0, maxLineLength);
      }
      pending = "";
      pendingCut = false;
      lines.push(stripCarriageReturn(line));
      start = newline + 1;
      newline = text.indexOf("\n", start);
    }
    if (!pendingCut) {
      pending += text.slice(start);
      if (pending.length > maxLineLength) {
        pending = pending.slice(0, maxLineLength);
        pendingCut = true;
      }
    }
    lineNumber += lines.length;
    if (lines.length > 0) yield { firstLineNumber, lines };
  }

  if (pending !== "") {
    yield {
      firstLineNumber: lineNumber,
      lines: [stripCarriageReturn(pending)],
    };
  }
}

function stripCarriageReturn(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

async function* decodeChunks(
  source: Readable,
  decoder: TextDecoder,
  { onBytes, onContent }: ReadLinesOptions,
): AsyncGenerator<string> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  // The gzip check needs the first bytes, so skip empty chunks before it.
  let head: Buffer;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    head = toBuffer(next.value);
    if (head.length > 0) break;
  }
  onBytes?.(head.length);

  if (
    head[0] === GZIP_MAGIC_0 &&
    (head.length < 2 || head[1] === GZIP_MAGIC_1)
  ) {
    const gunzip = createGunzip();
    const feed = (async () => {
      try {
        if (!gunzip.write(head)) await drained(gunzip);
        for (;;) {
          const next = await iterator.next();
          if (next.done) break;
          const chunk = toBuffer(next.value);
          onBytes?.(chunk.length);
          if (!gunzip.write(chunk)) await drained(gunzip);
        }
        gunzip.end();
      } catch (error) {
        gunzip.destroy(error as Error);
      }
    })();
    for await (const chunk of gunzip) {
      onContent?.(chunk as Buffer);
      yield decoder.decode(chunk as Buffer, { stream: true });
    }
    await feed;
  } else {
    onContent?.(head);
    yield decoder.decode(head, { stream: true });
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      const chunk = toBuffer(next.value);
      onBytes?.(chunk.length);
      onContent?.(chunk);
      yield decoder.decode(chunk, { stream: true });
    }
  }
  const rest = decoder.decode();
  if (rest !== "") yield rest;
}

function toBuffer(chunk: Buffer | string | Uint8Array): Buffer {
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
}

function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      stream.off("error", onError);
      resolve();
    };
    const onError = (error: Error) => {
      stream.off("drain", onDrain);
      reject(error);
    };
    stream.once("drain", onDrain);
    stream.once("error", onError);
  });
}
