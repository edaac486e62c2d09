import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { RECORD_COLUMNS } from "../src/parse/record.js";
import { openDatabase } from "../src/store/database.js";

/** Records in the benchmark database. */
const ROW_COUNT = 1_000_000;

/** Runs of each export; the fastest of each is compared. */
const ROUNDS = 3;

const CLI_PATH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../src/cli.js",
);

interface RunMeasure {
  readonly seconds: number;
  /** Peak resident set size in MiB, or null when it could not be measured. */
  readonly peakRssMib: number | null;
}

/**
 * Builds a database of one million generated records, then exports all of
 * them to CSV with `tamarin export` and with `sqlite3 -csv` on the same
 * database, three times each, and returns Markdown lines comparing rows per
 * second and the peak memory of `tamarin export`.
 */
export async function runExportBench(): Promise<string> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "tamarin-bench-"));
  try {
    // EXPORT_BENCH_DB names a database to keep between runs: it is built
    // when missing and reused as it is otherwise.
    const db = process.env.EXPORT_BENCH_DB ?? path.join(folder, "bench.db");
    const buildStarted = Date.now();
    if (!fs.existsSync(db)) buildDatabase(db, ROW_COUNT);
    const buildSeconds = (Date.now() - buildStarted) / 1000;

    // Alternate the two, so that load from other processes hits both
    // alike, and keep the fastest round of each. Each writes a new file.
    const hasSqlite = spawnSync("sqlite3", ["-version"]).status === 0;
    const columns = RECORD_COLUMNS.map((column) => column.name).join(", ");
    const tamarinOut = path.join(folder, "tamarin.csv");
    const sqliteOut = path.join(folder, "sqlite3.csv");
    const tamarinRuns: RunMeasure[] = [];
    const sqliteRuns: RunMeasure[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      fs.rmSync(tamarinOut, { force: true });
      tamarinRuns.push(
        await measure(
          process.execPath,
          [CLI_PATH, "--db", db, "--quiet", "export", "--output", tamarinOut],
          null,
        ),
      );
      if (!hasSqlite) continue;
      sqliteRuns.push(
        await measure(
          "sqlite3",
          ["-csv", "-header", db, `SELECT ${columns} FROM log_records`],
          sqliteOut,
        ),
      );
    }
    const tamarin = fastest(tamarinRuns);
    const peakRss = Math.max(...tamarinRuns.map((run) => run.peakRssMib ?? 0));

    const lines = [
      `${ROW_COUNT.toLocaleString("en-US")} generated records exported to CSV by \`tamarin export\` and by \`sqlite3 -csv\` on the same database, alternating, fastest of ${ROUNDS} rounds each.`,
      "",
      `- machine: ${machine()}`,
      `- database built in ${buildSeconds.toFixed(1)} s (${mib(fs.statSync(db).size)} MiB)`,
      `- tamarin export: ${tamarin.seconds.toFixed(2)} s, ${rate(tamarin.seconds)} rows/s, peak RSS ${tamarin.peakRssMib === null ? "not measured" : `${peakRss.toFixed(0)} MiB (highest of the rounds)`}, ${mib(fs.statSync(tamarinOut).size)} MiB written`,
    ];
    if (!hasSqlite) {
      lines.push("- sqlite3 -csv: not run, because sqlite3 is not installed");
      return lines.join("\n");
    }
    const sqlite = fastest(sqliteRuns);
    const ratio = sqlite.seconds / tamarin.seconds;
    lines.push(
      `- sqlite3 -csv: ${sqlite.seconds.toFixed(2)} s, ${rate(sqlite.seconds)} rows/s, ${mib(fs.statSync(sqliteOut).size)} MiB written`,
      `- tamarin / sqlite3 rate: ${ratio.toFixed(2)} (target at least 0.80); peak RSS target at most 150 MiB`,
    );
    return lines.join("\n");
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * Inserts `count` generated records with realistic values into a new
 * database, in one transaction.
 */
function buildDatabase(file: string, count: number): void {
  const db = openDatabase(file);
  try {
    const names = RECORD_COLUMNS.map((column) => column.name);
    const insertRecord = db.prepare(
      `INSERT INTO log_records (${names.join(", ")}, log_object_id, line_number) VALUES (${names.map(() => "?").join(", ")}, ?, ?)`,
    );
    const random = seededRandom(42);
    const pick = <T>(values: readonly T[]): T =>
      values[Math.floor(random() * values.length)]!;
    const hex = (length: number) =>
      Array.from({ length }, () => pick([..."0123456789ABCDEF"])).join("");
    const ips = Array.from(
      { length: 5000 },
      () =>
        `${10 + Math.floor(random() * 200)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`,
    );
    const owner = hex(64).toLowerCase();
    const start = Date.parse("2024-01-01T00:00:00Z");

    db.transaction(() => {
      const objectId = db
        .prepare(
          "INSERT INTO log_objects (source, size, records, ingested_at) VALUES ('s3://logs/bench', 0, ?, '2024-06-01 00:00:00')",
        )
        .run(count).lastInsertRowid;
      for (let index = 0; index < count; index++) {
        const operation = pick(OPERATIONS);
        const key = `images/2024/${String(1 + (index % 12)).padStart(2, "0")}/photo-${Math.floor(random() * 100000)}%2520v2.jpg`;
        const status = operation === "S3.EXPIRE.OBJECT" ? null : pick(STATUSES);
        const size = Math.floor(random() * 5_000_000);
        const internal = operation === "S3.EXPIRE.OBJECT";
        insertRecord.run(
          owner,
          pick(["www", "assets", "backups"]),
          new Date(start + index * 2000)
            .toISOString()
            .slice(0, 19)
            .replace("T", " "),
          internal ? null : pick(ips),
          internal ? null : `arn:aws:iam::123456789012:user/user-${index % 50}`,
          hex(16),
          operation,
          key,
          internal ? null : operation.split(".")[1],
          internal ? null : `/${key}?x-id=${operation}`,
          internal ? null : "HTTP/1.1",
          status,
          ERROR_CODES.get(status) ?? null,
          status === 200 ? size : null,
          size,
          internal ? null : Math.floor(random() * 500),
          internal ? null : Math.floor(random() * 100),
          internal ? null : pick(REFERRERS),
          internal ? null : pick(USER_AGENTS),
          null,
          `${hex(40)}/${hex(30)}=`,
          internal ? null : "SigV4",
          internal ? null : "ECDHE-RSA-AES128-GCM-SHA256",
          internal ? null : "AuthHeader",
          internal ? null : "assets.s3.us-west-2.amazonaws.com",
          internal ? null : "TLSv1.2",
          null,
          null,
          internal ? null : "us-west-2",
          objectId,
          index + 1,
        );
      }
    })();
  } finally {
    db.close();
  }
}

const OPERATIONS = [
  "REST.GET.OBJECT",
  "REST.GET.OBJECT",
  "REST.GET.OBJECT",
  "REST.GET.OBJECT",
  "REST.HEAD.OBJECT",
  "REST.PUT.OBJECT",
  "WEBSITE.GET.OBJECT",
  "S3.EXPIRE.OBJECT",
];
const STATUSES = [200, 200, 200, 200, 200, 206, 304, 403, 404];
const ERROR_CODES = new Map<number | null, string>([
  [403, "AccessDenied"],
  [404, "NoSuchKey"],
]);
const REFERRERS = [
  null,
  null,
  "",
  "https://www.example.com/",
  "https://www.example.com/gallery?page=2&sort=new",
  "https://search.example.org/results?q=tamarin+monkey",
];
const USER_AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  "aws-sdk-java/2.25.40 Linux/5.10.214 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. exec-env/AWS_Lambda_java17 io/sync http/Apache cfg/retry-mode/legacy",
  "curl/8.5.0",
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html) "quoted", comma',
];

/**
 * Runs a command to completion and returns its wall time and peak RSS.
 * Peak RSS comes from GNU time's "Maximum resident set size" when
 * /usr/bin/time exists, else from VmHWM in /proc sampled every 20 ms,
 * which can miss growth in the last 20 ms.
 */
function fastest(runs: readonly RunMeasure[]): RunMeasure {
  return runs.reduce((best, run) => (run.seconds < best.seconds ? run : best));
}

async function measure(
  command: string,
  args: readonly string[],
  stdoutFile: string | null,
): Promise<RunMeasure> {
  // Start the command, under GNU time when it is installed.
  const useTime = fs.existsSync("/usr/bin/time");
  const stdout = stdoutFile === null ? "ignore" : fs.openSync(stdoutFile, "w");
  const started = process.hrtime.bigint();
  const child = spawn(
    useTime ? "/usr/bin/time" : command,
    useTime ? ["-v", command, ...args] : [...args],
    { stdio: ["ignore", stdout, "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));

  // Without GNU time, sample the high-water mark of its memory.
  let sampledKib: number | null = null;
  let sampler: NodeJS.Timeout | null = null;
  if (!useTime) {
    sampler = setInterval(() => {
      const status = readProcStatus(child.pid);
      if (status !== null) sampledKib = Math.max(sampledKib ?? 0, status);
    }, 20);
  }

  // Wait for it to exit.
  const exitCode = await new Promise<number | null>((resolve) =>
    child.on("close", resolve),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (sampler !== null) clearInterval(sampler);
  if (typeof stdout === "number") fs.closeSync(stdout);
  if (exitCode !== 0) {
    throw new Error(`${command} exited with ${exitCode}: ${stderr}`);
  }

  const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const peakKib = match !== null ? Number(match[1]) : sampledKib;
  return {
    seconds,
    peakRssMib: peakKib === null ? null : peakKib / 1024,
  };
}

function readProcStatus(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match === null ? null : Number(match[1]);
  } catch {
    return null;
  }
}

function rate(seconds: number): string {
  return Math.round(ROW_COUNT / seconds).toLocaleString("en-US");
}

function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(0);
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** A small deterministic generator (mulberry32), so every run builds the same rows. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Run on its own with `node dist/bench/export.js` after `npm run build`.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(await runExportBench());
}
