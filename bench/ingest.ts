import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { readLineBatches } from "../src/parse/line-reader.js";
import { parseLine } from "../src/parse/parse-line.js";
import { openDatabase } from "../src/store/database.js";
import { Ingestor, recordValues } from "../src/store/ingest.js";
import { RECORD_COLUMNS } from "../src/parse/record.js";
import { generateLogChunks } from "./generate-logs.js";
import {
  fastest,
  machineLine,
  measure,
  ratio,
  rate,
  runWithPeakRss,
  type Measurement,
} from "./report.js";

const CLI = path.resolve(import.meta.dirname, "../src/cli.js");

// Lines for the in-process comparisons; the RSS run uses a 1 GB file.
const LINES = Number(process.env.TAMARIN_BENCH_LINES ?? 300_000);
const RSS_INPUT_BYTES = Number(
  process.env.TAMARIN_BENCH_RSS_BYTES ?? 1024 ** 3,
);

// Rounds of the four main steps, run in turn so that load from other
// processes hits each alike; the fastest round of each is kept.
const ROUNDS = 3;

const SECONDARY_INDEXES = [
  "log_records_request_time",
  "log_records_bucket_time",
  "log_records_remote_ip",
  "log_records_key",
];

/**
 * Measures parsing, importing and raw inserts on generated logs, and the
 * peak RSS of importing a 1 GB file. Returns Markdown lines.
 */
export async function runIngestBench(): Promise<string> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "tamarin-bench-"));
  try {
    return await benchIn(folder);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

async function benchIn(folder: string): Promise<string> {
  const input = path.join(folder, "input.log");
  writeLog(input, LINES, 1);
  const inputBytes = fs.statSync(input).size;

  const rows = await parsedRows(input);
  const splits: Measurement[] = [];
  const parses: Measurement[] = [];
  const imports: Measurement[] = [];
  const ceilings: Measurement[] = [];
  const ceilingDb = path.join(folder, "ceiling.db");
  for (let round = 0; round < ROUNDS; round++) {
    splits.push(await measureSplit(input));
    parses.push(await measureParse(input));
    const importDb = path.join(folder, "import.db");
    imports.push(await measureImport(importDb, input, inputBytes));
    removeDatabase(importDb);
    removeDatabase(ceilingDb);
    ceilings.push(insertRows(ceilingDb, rows, SECONDARY_INDEXES));
  }
  const split = fastest(splits);
  const parse = fastest(parses);
  const imported = fastest(imports);
  const ceiling = fastest(ceilings);

  const bareDb = path.join(folder, "bare.db");
  const noIndexes = insertRows(bareDb, rows, []);
  const indexRows = SECONDARY_INDEXES.map((index) => {
    const alone = insertRows(path.join(folder, `${index}.db`), rows, [index]);
    fs.rmSync(path.join(folder, `${index}.db`));
    return `| ${index} | ${rate(alone)} | ${ratio(alone, noIndexes)} |`;
  });
  const queryRows = compareQueries(ceilingDb, bareDb);

  // Peak RSS of the CLI importing a large file, in a child process.
  const large = path.join(folder, "large.log");
  const largeLines = Math.ceil(RSS_INPUT_BYTES / (inputBytes / LINES));
  writeLog(large, largeLines, 2);
  const rss = measureCliRss(folder, large);

  const lines = [
    `Ingest, ${LINES.toLocaleString("en-US")} generated lines (${(inputBytes / 1048576).toFixed(0)} MiB), the first five steps fastest of ${ROUNDS} alternating rounds, ${machineLine()}:`,
    "",
    "| step | lines/s | ratio |",
    "| --- | ---: | ---: |",
    `| read + split(" ") (baseline) | ${rate(split)} | 1.00 |`,
    `| read + parse | ${rate(parse)} | ${ratio(parse, split)} of baseline |`,
    `| raw inserts, no secondary indexes | ${rate(noIndexes)} | ${ratio(noIndexes, ceiling)} of ceiling |`,
    `| raw inserts, chosen indexes (ceiling) | ${rate(ceiling)} | 1.00 |`,
    `| import (read + parse + insert) | ${rate(imported)} | ${ratio(imported, ceiling)} of ceiling |`,
    "",
    "Insert cost of each secondary index alone (raw inserts, same rows):",
    "",
    "| index | lines/s | ratio to no secondary index |",
    "| --- | ---: | ---: |",
    ...indexRows,
    "",
    "What the indexes buy: typical queries on the same rows, with and without them:",
    "",
    "| query | with indexes | without | speed-up |",
    "| --- | ---: | ---: | ---: |",
    ...queryRows,
    "",
    `Import of ${(fs.statSync(large).size / 1024 ** 3).toFixed(2)} GiB (${largeLines.toLocaleString("en-US")} lines) by the CLI: peak RSS ${rss.maxRssMiB.toFixed(0)} MiB, ${rate({ count: largeLines, seconds: rss.seconds })} lines/s.`,
  ];
  return lines.join("\n");
}

/** Baseline: reads and splits the lines, with no parsing. */
function measureSplit(input: string): Promise<Measurement> {
  return measure(async () => {
    let count = 0;
    for await (const batch of readLineBatches(fs.createReadStream(input))) {
      for (const line of batch.lines)
        count += line.split(" ").length > 0 ? 1 : 0;
    }
    return count;
  });
}

/** Reads, splits into lines and parses every line. */
function measureParse(input: string): Promise<Measurement> {
  return measure(async () => {
    let count = 0;
    for await (const batch of readLineBatches(fs.createReadStream(input))) {
      for (const line of batch.lines) {
        if (line.length > 0) {
          parseLine(line);
          count++;
        }
      }
    }
    return count;
  });
}

/** Imports `input` into a new database through the Ingestor. */
function measureImport(
  file: string,
  input: string,
  inputBytes: number,
): Promise<Measurement> {
  return measure(async () => {
    const db = openDatabase(file);
    const result = await new Ingestor(db).ingest(
      { source: input, size: inputBytes, etag: null, lastModified: null },
      readLineBatches(
        fs.createReadStream(input, { highWaterMark: 256 * 1024 }),
      ),
    );
    db.close();
    return result.records + result.rejects;
  });
}

function removeDatabase(file: string): void {
  for (const suffix of ["", "-wal", "-shm"]) {
    fs.rmSync(file + suffix, { force: true });
  }
}

function writeLog(file: string, count: number, seed: number): void {
  const descriptor = fs.openSync(file, "w");
  try {
    for (const chunk of generateLogChunks({
      seed,
      count,
      malformedRate: 0.001,
    })) {
      fs.writeSync(descriptor, chunk);
    }
  } finally {
    fs.closeSync(descriptor);
  }
}

async function parsedRows(input: string): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  for await (const batch of readLineBatches(
    Readable.from(fs.createReadStream(input)),
  )) {
    let lineNumber = batch.firstLineNumber;
    for (const line of batch.lines) {
      const result = parseLine(line);
      if (result.ok) rows.push([...recordValues(result.record), 1, lineNumber]);
      lineNumber++;
    }
  }
  return rows;
}

function insertRows(
  file: string,
  rows: readonly unknown[][],
  keptIndexes: readonly string[],
): { count: number; seconds: number } {
  const db = openDatabase(file);
  for (const index of SECONDARY_INDEXES) {
    if (!keptIndexes.includes(index)) db.exec(`DROP INDEX ${index}`);
  }
  db.prepare(
    "INSERT INTO log_objects (id, source, ingested_at) VALUES (1, 'bench', '')",
  ).run();
  const columns = RECORD_COLUMNS.map((column) => column.name);
  const insert = db.prepare(
    `INSERT INTO log_records (${columns.join(", ")}, log_object_id, line_number) VALUES (${columns.map(() => "?").join(", ")}, ?, ?)`,
  );
  const started = process.hrtime.bigint();
  db.exec("BEGIN");
  for (const row of rows) insert.run(row);
  db.exec("COMMIT");
  // Closing copies the write-ahead log into the database file, as it does
  // at the end of an import, so both are timed through close.
  db.close();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { count: rows.length, seconds };
}

// Questions users ask often, each served by one of the secondary indexes.
const QUERIES: readonly { label: string; sql: string }[] = [
  {
    label: "one hour of requests",
    sql: "SELECT count(*), sum(bytes_sent) FROM log_records WHERE request_time >= (SELECT datetime(max(request_time), '-1 hour') FROM log_records)",
  },
  {
    label: "one bucket, one hour",
    sql: "SELECT count(*) FROM log_records WHERE bucket = (SELECT bucket FROM log_records LIMIT 1) AND request_time >= (SELECT datetime(max(request_time), '-1 hour') FROM log_records)",
  },
  {
    label: "requests of one IP",
    sql: "SELECT count(*), sum(bytes_sent) FROM log_records WHERE remote_ip = (SELECT remote_ip FROM log_records LIMIT 1 OFFSET 100)",
  },
  {
    label: "requests for one key",
    sql: "SELECT count(*) FROM log_records WHERE key = (SELECT key FROM log_records LIMIT 1 OFFSET 100)",
  },
];

function compareQueries(indexedFile: string, bareFile: string): string[] {
  const indexed = openDatabase(indexedFile, { readonly: true });
  const bare = openDatabase(bareFile, { readonly: true });
  try {
    return QUERIES.map(({ label, sql }) => {
      const withIndex = timeQuery(indexed, sql);
      const without = timeQuery(bare, sql);
      return `| ${label} | ${withIndex.toFixed(2)} ms | ${without.toFixed(2)} ms | ${(without / withIndex).toFixed(0)}x |`;
    });
  } finally {
    indexed.close();
    bare.close();
  }
}

// Returns the best of five runs, in milliseconds.
function timeQuery(db: ReturnType<typeof openDatabase>, sql: string): number {
  const statement = db.prepare(sql);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const started = process.hrtime.bigint();
    statement.all();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return best;
}

function measureCliRss(
  folder: string,
  input: string,
): { maxRssMiB: number; seconds: number } {
  const run = runWithPeakRss([
    CLI,
    "--db",
    path.join(folder, "large.db"),
    "--no-progress",
    "import",
    input,
  ]);
  if (run.status !== 0) {
    throw new Error(`import of ${input} failed: ${run.stderr}`);
  }
  return { maxRssMiB: run.peakRssMiB, seconds: run.seconds };
}
