import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { WRITER_ASSET } from "../sea/asset-names.js";
import type { IngestResult, ObjectIdentity } from "./ingest.js";
import { openLazily, type ObjectWriter } from "./object-writer.js";
import {
  errorFromFields,
  type FromWriter,
  type ToWriter,
  type WriterData,
} from "./writer-protocol.js";

interface Pending {
  readonly resolve: (result: IngestResult) => void;
  readonly reject: (error: unknown) => void;
  /** The chunks of a stream, read on the writer's demand. */
  readonly chunks?: AsyncIterator<Uint8Array>;
  /**
   * The error that ended the stream on this side, which the caller
   * receives unchanged.
   */
  streamError?: unknown;
}

/**
 * Stores objects on a worker thread with its own connection to the
 * database, so that parsing and inserts overlap the downloads. Results
 * come back once committed, as with the in-thread writer. The thread
 * starts with the first object, so a run with nothing new starts none.
 */
export class WriterThread implements ObjectWriter {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;

  constructor(
    private readonly file: string,
    private readonly script: WriterScript = writerScript(),
  ) {}

  storeBuffer(
    identity: ObjectIdentity,
    body: Uint8Array,
  ): Promise<IngestResult> {
    return this.submit({}, (id) => ({ type: "buffer", id, identity, body }));
  }

  storeStream(
    identity: ObjectIdentity,
    open: () => AsyncIterable<Uint8Array>,
  ): Promise<IngestResult> {
    // The iterator is created now but reads nothing before the writer's first "read" message.
    const chunks = openLazily(open);
    return this.submit({ chunks }, (id) => ({ type: "stream", id, identity }));
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (worker === null) return;
    this.worker = null;
    if (this.failure !== null) {
      await worker.terminate();
      return;
    }
    await new Promise<void>((resolve) => {
      worker.once("exit", () => resolve());
      this.post(worker, { type: "close" });
    });
  }

  private submit(
    extra: Pick<Pending, "chunks">,
    message: (id: number) => ToWriter,
  ): Promise<IngestResult> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<IngestResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...extra });
      this.post(worker, message(id));
    });
  }

  private start(): Worker {
    if (this.worker !== null) return this.worker;
    const data: WriterData = { file: this.file };
    const worker =
      "source" in this.script
        ? new Worker(this.script.source, { eval: true, workerData: data })
        : new Worker(this.script.url, { workerData: data });
    worker.on("message", (message: FromWriter) => this.receive(message));
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", (code) => {
      if (this.pending.size > 0) {
        this.fail(
          new Error(
            `the writer thread stopped (exit code ${code}) before storing every object; run the pull again to store the rest`,
          ),
        );
      }
    });
    this.worker = worker;
    return worker;
  }

  private receive(message: FromWriter): void {
    if (message.type === "closed") return;
    const pending = this.pending.get(message.id);
    if (pending === undefined) return;
    switch (message.type) {
      case "read":
        void this.sendChunk(message.id, pending);
        break;
      case "done":
        this.pending.delete(message.id);
        void pending.chunks?.return?.();
        pending.resolve(message.result);
        break;
      case "failed":
        this.pending.delete(message.id);
        // A stream the writer gave up on must not hold its connection open.
        void pending.chunks?.return?.();
        pending.reject(pending.streamError ?? errorFromFields(message.error));
        break;
    }
  }

  /** Reads the next chunk of a stream and sends it, or its end or failure. */
  private async sendChunk(id: number, pending: Pending): Promise<void> {
    const worker = this.worker;
    if (worker === null || pending.chunks === undefined) return;
    try {
      const next = await pending.chunks.next();
      this.post(worker, {
        type: "chunk",
        id,
        chunk: next.done === true ? null : next.value,
      });
    } catch (error) {
      pending.streamError = error;
      this.post(worker, { type: "abort", id });
    }
  }

  private post(worker: Worker, message: ToWriter): void {
    worker.postMessage(message);
  }

  /** Fails every object in flight and every later one with `error`. */
  private fail(error: Error): void {
    this.failure ??= error;
    const lost = [...this.pending.values()];
    this.pending.clear();
    for (const pending of lost) pending.reject(error);
  }
}

/** The writer thread's script: a file, or source text to evaluate. */
export type WriterScript = { readonly url: URL } | { readonly source: string };

/**
 * Returns the writer thread's script. In the single executable it is the
 * bundled script from its assets; otherwise the compiled writer-worker.js
 * beside this module. Tests run the TypeScript sources, which a worker
 * thread cannot load, so from there it is the build's copy (`npm test`
 * builds first).
 */
export function writerScript(): WriterScript {
  const sea = process.getBuiltinModule("node:sea") as
    typeof import("node:sea") | undefined;
  if (sea?.isSea()) return { source: sea.getAsset(WRITER_ASSET, "utf8") };

  const moduleUrl = import.meta.url;
  if (!moduleUrl.endsWith(".ts")) {
    return { url: new URL("./writer-worker.js", moduleUrl) };
  }
  const built = new URL(
    "./writer-worker.js",
    moduleUrl.replace(/\/src\/store\/[^/]+$/, "/dist/src/store/"),
  );
  if (!fs.existsSync(fileURLToPath(built))) {
    throw new Error(
      `${fileURLToPath(built)} is missing: run npm run build before the tests`,
    );
  }
  return { url: built };
}
