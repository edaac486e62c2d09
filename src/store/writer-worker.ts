// Entry of the writer thread: stores the objects that the pull downloads,
// so that parsing and SQLite inserts run beside the downloads instead of
// taking turns with them on one thread.
import { Readable } from "node:stream";
import { parentPort, workerData } from "node:worker_threads";
import { readLineBatches } from "../parse/line-reader.js";
import { openDatabase } from "./database.js";
import { Ingestor, type IngestResult } from "./ingest.js";
import { decodeLines } from "./object-writer.js";
import {
  errorFields,
  type FromWriter,
  type ToWriter,
  type WriterData,
} from "./writer-protocol.js";

if (parentPort === null) {
  throw new Error("writer-worker.js runs only as a worker thread");
}
const port = parentPort;
const data = workerData as WriterData;
const db = openDatabase(data.file);
const ingestor = new Ingestor(db);
// Streams being stored, by object id.
const streams = new Map<number, Readable>();

function send(message: FromWriter): void {
  port.postMessage(message);
}

function settle(id: number, stored: Promise<IngestResult>): void {
  stored.then(
    (result) => send({ type: "done", id, result }),
    (error: unknown) => send({ type: "failed", id, error: errorFields(error) }),
  );
}

port.on("message", (message: ToWriter) => {
  switch (message.type) {
    case "buffer":
      settle(
        message.id,
        decodeLines(message.body).then((batches) =>
          ingestor.ingestLines(message.identity, batches),
        ),
      );
      break;
    case "stream": {
      const id = message.id;
      const stream = new Readable({
        read: () => send({ type: "read", id }),
      });
      streams.set(id, stream);
      settle(
        id,
        ingestor
          .ingest(message.identity, readLineBatches(stream))
          .finally(() => streams.delete(id)),
      );
      break;
    }
    case "chunk":
      streams.get(message.id)?.push(message.chunk);
      break;
    case "abort":
      streams.get(message.id)?.destroy(new Error("download failed"));
      break;
    case "close":
      // Every object has settled before the pull closes the writer, so no
      // transaction is open.
      db.close();
      send({ type: "closed" });
      port.close();
      break;
  }
});
