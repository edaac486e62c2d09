import { Readable } from "node:stream";
import { readLineBatches, type LineBatch } from "../parse/line-reader.js";
import type { IngestResult, Ingestor, ObjectIdentity } from "./ingest.js";

/**
 * Stores downloaded log objects, each with its ledger row, either on this
 * thread or on a writer thread. Both settle an object's promise once its
 * rows are committed.
 */
export interface ObjectWriter {
  /** Stores an object whose bytes (plain or gzip) are all in memory. */
  storeBuffer(
    identity: ObjectIdentity,
    body: Uint8Array,
  ): Promise<IngestResult>;
  /**
   * Stores an object read from `open()` once the writer is ready for it, in
   * constant memory. A failure of the stream rolls the object back and
   * rejects with the stream's error, so the caller can retry it.
   */
  storeStream(
    identity: ObjectIdentity,
    open: () => AsyncIterable<Uint8Array>,
  ): Promise<IngestResult>;
  /** Waits for every stored object to commit and releases the writer. */
  close(): Promise<void>;
}

/** Writes objects with an {@link Ingestor} on this thread. */
export class InlineWriter implements ObjectWriter {
  constructor(private readonly ingestor: Ingestor) {}

  async storeBuffer(
    identity: ObjectIdentity,
    body: Uint8Array,
  ): Promise<IngestResult> {
    // Decoding before queuing means that a corrupt gzip stream fails here,
    // before anything is written.
    const batches = await decodeLines(body);
    return this.ingestor.ingestLines(identity, batches);
  }

  storeStream(
    identity: ObjectIdentity,
    open: () => AsyncIterable<Uint8Array>,
  ): Promise<IngestResult> {
    return this.ingestor.ingest(
      identity,
      readLineBatches(Readable.from(openLazily(open))),
    );
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Splits an object's bytes, plain or gzip, into numbered lines. */
export async function decodeLines(body: Uint8Array): Promise<LineBatch[]> {
  const batches: LineBatch[] = [];
  for await (const batch of readLineBatches(Readable.from([body]))) {
    batches.push(batch);
  }
  return batches;
}

/**
 * Yields the chunks of `open()`, calling `open` only when the first chunk
 * is read, so that a download starts when the writer is ready for its
 * object. Returning early closes the opened source.
 */
export async function* openLazily(
  open: () => AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  yield* open();
}
