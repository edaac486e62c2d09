// Messages between the pull and its writer thread.
import type { IngestResult, ObjectIdentity } from "./ingest.js";

/** The settings the writer thread opens the database with. */
export interface WriterData {
  readonly file: string;
}

/** Messages to the writer thread. */
export type ToWriter =
  /** Store an object whose bytes are all in the message. */
  | {
      readonly type: "buffer";
      readonly id: number;
      readonly identity: ObjectIdentity;
      readonly body: Uint8Array;
    }
  /** Store an object sent in chunks, each requested with a "read" message. */
  | {
      readonly type: "stream";
      readonly id: number;
      readonly identity: ObjectIdentity;
    }
  /** The next chunk of a stream, or its end when `chunk` is null. */
  | {
      readonly type: "chunk";
      readonly id: number;
      readonly chunk: Uint8Array | null;
    }
  /** The stream failed on this side: drop what was written of it. */
  | { readonly type: "abort"; readonly id: number }
  /** Commit what is open, close the database and exit. */
  | { readonly type: "close" };

/** An error sent across threads, where class and fields are lost. */
export interface ErrorFields {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

/** Messages from the writer thread. */
export type FromWriter =
  /** Send the next chunk of stream `id`. */
  | { readonly type: "read"; readonly id: number }
  /** Object `id` is committed, or failed. */
  | {
      readonly type: "done";
      readonly id: number;
      readonly result: IngestResult;
    }
  | {
      readonly type: "failed";
      readonly id: number;
      readonly error: ErrorFields;
    }
  /** The database is closed; the thread is about to exit. */
  | { readonly type: "closed" };

/** Copies the fields of `error` that survive a message. */
export function errorFields(error: unknown): ErrorFields {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === "string" ? { code } : {}),
    };
  }
  return { name: "Error", message: String(error) };
}

/** Rebuilds an error from its fields, keeping its name and code. */
export function errorFromFields(fields: ErrorFields): Error {
  const error = new Error(fields.message);
  error.name = fields.name;
  if (fields.code !== undefined) {
    (error as Error & { code: string }).code = fields.code;
  }
  return error;
}
