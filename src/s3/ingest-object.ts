import { Readable } from "node:stream";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { readLineBatches, type LineBatch } from "../parse/line-reader.js";
import type {
  IngestResult,
  Ingestor,
  ObjectIdentity,
} from "../store/ingest.js";
import type { ListedObject } from "./list-logs.js";
import { TruncatedBodyError } from "./s3-errors.js";

/**
 * Objects up to this size are read into memory and decoded while they wait
 * for the database writer, which frees the connection early. Larger ones
 * stream straight into their transaction, in constant memory.
 */
export const BUFFER_LIMIT_BYTES = 1024 * 1024;

/** Returns the ledger identity of a listed log object. */
export function objectIdentity(
  bucket: string,
  object: ListedObject,
): ObjectIdentity {
  return {
    source: `s3://${bucket}/${object.key}`,
    size: object.size,
    etag: object.etag,
    lastModified:
      object.lastModified === undefined
        ? null
        : object.lastModified.toISOString().slice(0, 23).replace("T", " "),
  };
}

/**
 * Downloads a log object of at most BUFFER_LIMIT_BYTES and returns its
 * lines. Decoding before storing means that a broken download or a corrupt
 * gzip stream fails here, before anything is written.
 */
export async function downloadLines(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<LineBatch[]> {
  const body = await downloadBuffer(client, bucket, key);
  const batches: LineBatch[] = [];
  for await (const batch of readLineBatches(Readable.from([body]))) {
    batches.push(batch);
  }
  return batches;
}

/**
 * Downloads a log object larger than BUFFER_LIMIT_BYTES and streams its
 * records into one transaction with its ledger row, in constant memory.
 * Throws on any failure, after rolling the transaction back, so the object
 * can be downloaded again from the start.
 */
export function streamObject(
  client: S3Client,
  ingestor: Ingestor,
  bucket: string,
  object: ListedObject,
): Promise<IngestResult> {
  // The download starts only when the writer is ready for this object.
  return ingestor.ingest(
    objectIdentity(bucket, object),
    streamBatches(client, bucket, object.key),
  );
}

async function downloadBuffer(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<Buffer> {
  const response = await client.send(
    new GetObjectCommand({ Bucket: bucket, Key: key }),
  );
  const body = response.Body as Readable;
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    received += (chunk as Buffer).length;
  }
  checkLength(response.ContentLength, received);
  return Buffer.concat(chunks, received);
}

async function* streamBatches(
  client: S3Client,
  bucket: string,
  key: string,
): AsyncGenerator<LineBatch> {
  const response = await client.send(
    new GetObjectCommand({ Bucket: bucket, Key: key }),
  );
  const body = response.Body as Readable;
  let received = 0;
  try {
    yield* readLineBatches(body, {
      onBytes: (bytes) => {
        received += bytes;
      },
    });
    checkLength(response.ContentLength, received);
  } finally {
    body.destroy();
  }
}

/** Throws when a body ended early without a network error. */
function checkLength(expected: number | undefined, received: number): void {
  if (expected !== undefined && received < expected) {
    throw new TruncatedBodyError(expected, received);
  }
}
