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
 * Objects up to this size are read into memory while they wait for the
 * database writer, which frees the connection early. Larger ones stream
 * straight into their transaction, in constant memory. With `concurrency`
 * downloads, at most `concurrency` buffers of this size are held.
 */
export const BUFFER_LIMIT_BYTES = 1024 * 1024;

/**
 * Downloads one log object and stores its records in one transaction with
 * its ledger row. Throws on any failure; the transaction then rolls back,
 * so the object can be downloaded again from the start.
 */
export async function ingestObject(
  client: S3Client,
  ingestor: Ingestor,
  bucket: string,
  object: ListedObject,
): Promise<IngestResult> {
  const identity: ObjectIdentity = {
    source: `s3://${bucket}/${object.key}`,
    size: object.size,
    etag: object.etag,
    lastModified:
      object.lastModified === undefined
        ? null
        : object.lastModified.toISOString().slice(0, 23).replace("T", " "),
  };

  if (object.size <= BUFFER_LIMIT_BYTES) {
    const body = await downloadBuffer(client, bucket, object.key);
    return ingestor.ingest(identity, readLineBatches(Readable.from([body])));
  }
  // The download starts only when the writer is ready for this object.
  return ingestor.ingest(identity, streamBatches(client, bucket, object.key));
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
