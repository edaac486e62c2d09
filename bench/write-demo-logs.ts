/**
 * Writes the demo log objects in fixtures/demo/ (run `npm run fixtures:demo`).
 * The output is deterministic, so rerunning it changes no file unless the
 * generator or the settings below change.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateLogEntries, type GeneratedLine } from "./generate-logs.js";

const SETTINGS = {
  seed: 20240501,
  count: 4800,
  buckets: ["awsexamplebucket1", "awsexamplebucket2", "awsexamplebucket3"],
  startTime: new Date(Date.UTC(2024, 4, 1)),
  durationSeconds: 86_400,
  malformedRate: 0.0015,
} as const;

// About this many lines per log object; real objects vary from one line to
// many thousands.
const LINES_PER_OBJECT = 500;

// SimplePrefix key names: the delivery time, then 16 uppercase hex digits.
const OBJECT_NAME = /^\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-F]{16}$/;

/** Writes the demo objects into `directory` and returns their names. */
export function writeDemoLogs(directory: string): string[] {
  // Group the lines by source bucket: each log object contains the records
  // of one bucket.
  const byBucket = new Map<string, GeneratedLine[]>();
  for (const entry of generateLogEntries(SETTINGS)) {
    const lines = byBucket.get(entry.bucket) ?? [];
    lines.push(entry);
    byBucket.set(entry.bucket, lines);
  }

  // Remove the objects of an earlier run, and nothing else.
  fs.mkdirSync(directory, { recursive: true });
  for (const name of fs.readdirSync(directory)) {
    if (OBJECT_NAME.test(name)) fs.rmSync(path.join(directory, name));
  }

  // Split each bucket's lines into consecutive objects, each named after a
  // delivery time a few minutes past its last record.
  const written: string[] = [];
  for (const [bucket, entries] of byBucket) {
    const objects = Math.max(1, Math.round(entries.length / LINES_PER_OBJECT));
    const size = Math.ceil(entries.length / objects);
    for (let index = 0; index < objects; index++) {
      const slice = entries.slice(index * size, (index + 1) * size);
      if (slice.length === 0) continue;
      const digest = createHash("sha256")
        .update(`${SETTINGS.seed}/${bucket}/${index}`)
        .digest();
      const lastTime = Math.max(...slice.map((entry) => entry.time));
      const delay = (5 + (digest[0]! % 40)) * 60_000 + digest[1]! * 1000;
      const name = `${formatKeyTime(lastTime + delay)}-${digest.toString("hex", 2, 10).toUpperCase()}`;
      const text = slice.map((entry) => `${entry.line}\n`).join("");
      fs.writeFileSync(path.join(directory, name), text);
      written.push(name);
    }
  }
  return written.sort();
}

function formatKeyTime(time: number): string {
  const iso = new Date(time).toISOString();
  return `${iso.slice(0, 10)}-${iso.slice(11, 13)}-${iso.slice(14, 16)}-${iso.slice(17, 19)}`;
}

const isMain = process.argv[1] === fileURLToPath(import.meta.url);
if (isMain) {
  // dist/bench/write-demo-logs.js → <repository>/fixtures/demo
  const root = path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    "../..",
  );
  const directory = path.join(root, "fixtures", "demo");
  const names = writeDemoLogs(directory);
  process.stdout.write(
    `wrote ${names.length} log objects to ${path.relative(process.cwd(), directory) || "."}\n`,
  );
}
