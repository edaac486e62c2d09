import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Logger } from "../src/log.js";
import { pullLogs, type PullSettings } from "../src/s3/pull.js";
import { TaskPool } from "../src/s3/task-pool.js";
import { openDatabase } from "../src/store/database.js";
import { generateLogLines } from "./generate-logs.js";
import { startS3rverProcess, type S3rverProcess } from "./s3rver-process.js";
import {
  fastest,
  machineLine,
  measure,
  rate,
  ratio,
  type Measurement,
} from "./report.js";

const OBJECTS = Number(process.env.TAMARIN_BENCH_PULL_OBJECTS ?? 2000);
const LINES_PER_OBJECT = 50;
const CONCURRENCY = 8;
const ROUNDS = 3;
const BUCKET = "bench-logs";
const PREFIX = "logs/";

/**
 * Pulls 2,000 log objects of 50 lines from s3rver into a fresh database,
 * against a baseline that only lists and downloads the same objects with
 * the SDK at the same concurrency. s3rver runs in a child process, as a
 * real endpoint would run elsewhere. Returns Markdown lines.
 */
export async function runPullBench(): Promise<string> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "tamarin-bench-pull-"));
  const server = await startS3rverProcess(path.join(folder, "s3"));
  const endpoint = server.endpoint;

  process.env.AWS_ACCESS_KEY_ID = "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });

  try {
    await upload(client);
    const settings: PullSettings = {
      concurrency: CONCURRENCY,
      lookback: "2d",
      purgeParsedKeys: false,
      buckets: [
        {
          name: "awsexamplebucket1",
          logBucket: BUCKET,
          logPrefix: PREFIX,
          endpoint,
          region: "us-east-1",
          forcePathStyle: true,
          requestChecksumCalculation: "WHEN_REQUIRED",
          responseChecksumValidation: "WHEN_REQUIRED",
          monitor: true,
        },
      ],
    };

    // Alternate the three, so that load from other processes hits each
    // alike, and keep the best round of each.
    const downloads: ServerMeasurement[] = [];
    const pulls: ServerMeasurement[] = [];
    const inlinePulls: ServerMeasurement[] = [];
    let records = 0;
    const pullInto = async (
      file: string,
      inlineWriter: boolean,
    ): Promise<ServerMeasurement> => {
      const db = openDatabase(file);
      try {
        return await withServerCpu(server, () =>
          measure(async () => {
            const summary = await pullLogs(
              db,
              settings,
              { inlineWriter },
              new Logger("quiet"),
            );
            records = summary.records;
            return summary.pulled;
          }),
        );
      } finally {
        db.close();
      }
    };
    for (let round = 0; round < ROUNDS; round++) {
      downloads.push(
        await withServerCpu(server, () => measure(() => downloadAll(client))),
      );
      pulls.push(await pullInto(path.join(folder, `pull-${round}.db`), false));
      inlinePulls.push(
        await pullInto(path.join(folder, `inline-${round}.db`), true),
      );
    }
    const download = fastest(downloads);
    const pull = fastest(pulls);
    const inlinePull = fastest(inlinePulls);
    const pullRecords: Measurement = { count: records, seconds: pull.seconds };

    return [
      `Pull of ${OBJECTS.toLocaleString("en-US")} log objects of ${LINES_PER_OBJECT} lines from s3rver on 127.0.0.1 (in its own process), concurrency ${CONCURRENCY}, best of ${ROUNDS} rounds:`,
      "",
      `- download only (SDK list + GetObject): ${rate(download)} objects/s${cpuNote(download)}`,
      `- tamarin pull into a fresh database: ${rate(pull)} objects/s, ${rate(pullRecords)} records/s${cpuNote(pull)}`,
      `- the same pull with its writer on the main thread: ${rate(inlinePull)} objects/s${cpuNote(inlinePull)}`,
      `- pull / download-only: ${ratio(pull, download)} (target ≥ 0.80); on the main thread: ${ratio(inlinePull, download)}`,
      `- machine: ${machineLine()}`,
    ].join("\n");
  } finally {
    client.destroy();
    await server.close();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

async function upload(client: S3Client): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const lines = generateLogLines({
    seed: 7,
    count: OBJECTS * LINES_PER_OBJECT,
    buckets: ["awsexamplebucket1"],
  });
  const start = Date.parse("2024-05-01T00:00:00Z");
  const pool = new TaskPool(CONCURRENCY);
  for (let index = 0; index < OBJECTS; index++) {
    const body: string[] = [];
    for (let line = 0; line < LINES_PER_OBJECT; line++) {
      body.push(lines.next().value as string);
    }
    const time = new Date(start + index * 60_000).toISOString();
    const stamp = `${time.slice(0, 10)}-${time.slice(11, 13)}-${time.slice(14, 16)}-${time.slice(17, 19)}`;
    const key = `${PREFIX}${stamp}-${index.toString(16).toUpperCase().padStart(16, "0")}`;
    await pool.submit(async () => {
      await client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: key,
          Body: `${body.join("\n")}\n`,
        }),
      );
    });
  }
  await pool.drain();
}

/** Lists the prefix and reads every object into memory; returns the count. */
async function downloadAll(client: S3Client): Promise<number> {
  const pool = new TaskPool(CONCURRENCY);
  let count = 0;
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: BUCKET,
        Prefix: PREFIX,
        ContinuationToken: token,
      }),
    );
    for (const object of page.Contents ?? []) {
      await pool.submit(async () => {
        const response = await client.send(
          new GetObjectCommand({ Bucket: BUCKET, Key: object.Key }),
        );
        for await (const _chunk of response.Body as Readable) {
          // Read and drop.
        }
        count++;
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  await pool.drain();
  return count;
}

interface ServerMeasurement extends Measurement {
  /** CPU time s3rver used during the measurement, in seconds. */
  readonly serverCpuSeconds: number | null;
}

/** Runs a measurement and adds the CPU time s3rver spent meanwhile. */
async function withServerCpu(
  server: S3rverProcess,
  run: () => Promise<Measurement>,
): Promise<ServerMeasurement> {
  const before = server.cpuSeconds();
  const measurement = await run();
  const after = server.cpuSeconds();
  return {
    ...measurement,
    serverCpuSeconds: before === null || after === null ? null : after - before,
  };
}

/**
 * Describes where the CPU time went, per object: in this process and in
 * s3rver. On a machine with two cores the sum shows how close a run is to
 * using both.
 */
function cpuNote(measurement: ServerMeasurement): string {
  const perObject = (seconds: number) =>
    `${((seconds * 1000) / measurement.count).toFixed(2)} ms`;
  const parts = [
    `wall ${perObject(measurement.seconds)}`,
    `client CPU ${perObject(measurement.cpuSeconds ?? Number.NaN)}`,
  ];
  if (measurement.serverCpuSeconds !== null) {
    parts.push(`s3rver CPU ${perObject(measurement.serverCpuSeconds)}`);
  }
  return ` (per object: ${parts.join(", ")})`;
}
