import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, expect, test } from "vitest";
import { openDatabase, type Db } from "../../src/store/database.js";
import { Ingestor } from "../../src/store/ingest.js";
import {
  InlineWriter,
  type ObjectWriter,
} from "../../src/store/object-writer.js";
import { WriterThread } from "../../src/store/writer-thread.js";
import { dumpDatabase } from "../helpers/db-dump.js";
import { logLine } from "../helpers/log-lines.js";

let folder: string;
let file: string;
let db: Db;

beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "tamarin-writer-"));
  file = path.join(folder, "test.db");
  db = openDatabase(file);
});

afterEach(() => {
  db.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

function identity(name: string) {
  return {
    source: `s3://logs/${name}`,
    size: 100,
    etag: `"${name}"`,
    lastModified: "2019-02-06 00:00:00.000",
  };
}

/** Returns an object of `count` records and one line the parser rejects. */
function body(prefix: string, count: number): Buffer {
  const lines = Array.from({ length: count }, (_, index) =>
    logLine({ key: `${prefix}/${index}.jpg` }),
  );
  lines.splice(1, 0, "not a log line");
  return Buffer.from(`${lines.join("\n")}\n`);
}

async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += size) {
    yield bytes.subarray(offset, offset + size);
  }
}

/** Stores the same objects, plain, gzip and streamed, with `writer`. */
async function storeSample(writer: ObjectWriter) {
  const results = await Promise.all([
    writer.storeBuffer(identity("plain"), body("plain", 30)),
    writer.storeBuffer(identity("gzip"), gzipSync(body("gzip", 20))),
    writer.storeStream(identity("stream"), () =>
      chunksOf(body("stream", 40), 100),
    ),
  ]);
  await writer.close();
  return results;
}

test("thread and inline writers agree", async () => {
  const threaded = await storeSample(new WriterThread(file));
  const inlineFile = path.join(folder, "inline.db");
  const inlineDb = openDatabase(inlineFile);
  const inline = await storeSample(new InlineWriter(new Ingestor(inlineDb)));
  inlineDb.close();

  expect(threaded).toEqual([
    { status: "imported", records: 30, rejects: 1 },
    { status: "imported", records: 20, rejects: 1 },
    { status: "imported", records: 40, rejects: 1 },
  ]);
  expect(threaded).toEqual(inline);
  expect(dumpDatabase(file)).toEqual(dumpDatabase(inlineFile));
});

test("unchanged object is skipped", async () => {
  const writer = new WriterThread(file);
  await writer.storeBuffer(identity("once"), body("once", 5));
  const again = await writer.storeBuffer(identity("once"), body("once", 5));
  await writer.close();

  expect(again).toEqual({ status: "skipped", records: 5, rejects: 1 });
  expect(dumpDatabase(file).records).toHaveLength(5);
});

test("failed stream is rolled back", async () => {
  const writer = new WriterThread(file);
  const broken = new Error("connection reset");
  async function* failing(): AsyncGenerator<Buffer> {
    yield body("broken", 10).subarray(0, 700);
    throw broken;
  }
  const failed = writer.storeStream(identity("broken"), failing);
  const after = writer.storeBuffer(identity("after"), body("after", 3));

  await expect(failed).rejects.toBe(broken);
  await expect(after).resolves.toMatchObject({ records: 3 });
  await writer.close();
  expect(dumpDatabase(file).objects).toEqual([
    expect.objectContaining({ source: "s3://logs/after" }),
  ]);
});

test("database error keeps its code", async () => {
  db.exec(
    "CREATE TRIGGER refuse BEFORE INSERT ON log_records WHEN NEW.key = 'refused/0.jpg' BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END",
  );
  const writer = new WriterThread(file);
  const refused = writer.storeBuffer(identity("refused"), body("refused", 2));

  await expect(refused).rejects.toMatchObject({
    name: "SqliteError",
    message: "refused by trigger",
    code: "SQLITE_CONSTRAINT_TRIGGER",
  });
  await writer.close();
  expect(dumpDatabase(file).objects).toEqual([]);
});

test("unopenable database fails objects", async () => {
  const writer = new WriterThread(path.join(folder, "missing", "\0bad.db"));
  const first = writer.storeBuffer(identity("a"), body("a", 1));

  await expect(first).rejects.toThrow();
  await expect(
    writer.storeBuffer(identity("b"), body("b", 1)),
  ).rejects.toThrow();
  await writer.close();
});

test("idle writer starts no thread", async () => {
  const writer = new WriterThread(path.join(folder, "never.db"));
  await writer.close();
  expect(fs.existsSync(path.join(folder, "never.db"))).toBe(false);
});
