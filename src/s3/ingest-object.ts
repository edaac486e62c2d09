import type { Readable } from "node:stream";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { ObjectIdentity } from "../store/ingest.js";
import type { ListedObject } from "./list-logs.js";
import { TruncatedBodyError } from "./s3-errors.js";

/**
 * Objects up to this size are read into memory and wait for the database
 * writer, which frees the connection early. Larger ones stream straight
 * into their transaction, in constant memory.
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
 * Downloads a log object of at most BUFFER_LIMIT_BYTES into memory. Throws
 * when the body ends short of its length, so a broken download fails
 * before anything is written.
 */
export async function downloadBody(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of bodyChunks(client, bucket, key)) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Downloads a log object chunk by chunk, for objects larger than
 * BUFFER_LIMIT_BYTES, which are stored as they arrive. Throws at the end
 * when the body ended short of its length.
 */
export async function* bodyChunks(
  client: S3Client,
  bucket: string,
  key: string,
): AsyncGenerator<Uint8Array> {
  const response = await client.send(
    new GetObjectCommand({ Bucket: bucket, Key: key }),
  );
  const body = response.Body as Readable;
  let received = 0;
  try {
    for await (const chunk of body) {
      received += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
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
