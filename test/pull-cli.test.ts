import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import Database from "better-sqlite3";
import { afterAll, beforeAll, expect, test } from "vitest";
import { acquirePullLock } from "../src/store/pull-lock.js";
import { dumpDatabase, findIncompleteObjects } from "./helpers/db-dump.js";
import { logObject } from "./helpers/log-objects.js";
import { startS3, type TestS3 } from "./helpers/s3rver.js";

const CLI = path.resolve(import.meta.dirname, "../dist/src/cli.js");
const OBJECTS = 30;
// The kill test's objects span several commit groups, so that a run can be
// killed after one group is stored and before the last.
const KILL_OBJECTS = 200;

let s3: TestS3;
let directory: string;

beforeAll(async () => {
  s3 = await startS3(["cli-logs", "kill-logs"]);
  directory = fs.mkdtempSync(path.join(os.tmpdir(), "tamarin-pull-cli-"));
  for (let index = 0; index < OBJECTS; index++) {
    const minute = String(index).padStart(2, "0");
    await s3.client.send(
      new PutObjectCommand({
        Bucket: "cli-logs",
        Key: `access/2024-05-01-10-${minute}-00-${(0xa000 + index).toString(16).toUpperCase()}`,
        Body: logObject(index % 2 === 0 ? "site-a" : "site-b", 150, {
          first: index * 1000,
          rejects: index % 5 === 0 ? 2 : 0,
        }),
      }),
    );
  }
  await s3.client.send(
    new PutObjectCommand({
      Bucket: "cli-logs",
      Key: "access/README.txt",
      Body: "not a log\n",
    }),
  );
  for (let index = 0; index < KILL_OBJECTS; index++) {
    const minute = String(Math.floor(index / 60)).padStart(2, "0");
    const second = String(index % 60).padStart(2, "0");
    await s3.client.send(
      new PutObjectCommand({
        Bucket: "kill-logs",
        Key: `access/2024-05-01-11-${minute}-${second}-${(0xb000 + index).toString(16).toUpperCase()}`,
        Body: logObject("site-k", 30, {
          first: index * 1000,
          rejects: index % 7 === 0 ? 1 : 0,
        }),
      }),
    );
  }
  const bucket = {
    logBucket: "cli-logs",
    logPrefix: "access/",
    endpoint: s3.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
  fs.writeFileSync(
    path.join(directory, "tamarin.config.json"),
    JSON.stringify({
      pullIntervalMinutes: 0.02,
      buckets: [
        { name: "site-a", ...bucket },
        { name: "site-b", ...bucket },
      ],
    }),
  );
  fs.writeFileSync(
    path.join(directory, "kill.config.json"),
    JSON.stringify({
      buckets: [{ name: "site-k", ...bucket, logBucket: "kill-logs" }],
    }),
  );
});

afterAll(async () => {
  await s3.close();
  fs.rmSync(directory, { recursive: true, force: true });
});

interface Run {
  readonly child: ChildProcess;
  readonly done: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>;
}

/**
 * Starts the built CLI in the test folder without blocking this process,
 * which serves s3rver to it.
 */
function startPull(args: readonly string[]): Run {
  const child = spawn(process.execPath, [CLI, "pull", ...args], {
    cwd: directory,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: directory,
      XDG_CONFIG_HOME: path.join(directory, ".config"),
      ...s3.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Awaited<Run["done"]>>((resolve) => {
    child.on("close", (code, signal) =>
      resolve({ code, signal, stdout, stderr }),
    );
  });
  return { child, done };
}

/** Tells whether `file` is a database whose schema has been created. */
function hasLedger(file: string): boolean {
  if (!fs.existsSync(file)) return false;
  const db = new Database(file, { readonly: true });
  try {
    return (
      db
        .prepare(
          "SELECT count(*) FROM sqlite_master WHERE name = 'log_objects'",
        )
        .pluck()
        .get() === 1
    );
  } finally {
    db.close();
  }
}

function dbPath(name: string): string {
  return path.join(directory, name);
}

test("pull --once prints one summary line", async () => {
  const { code, stdout, stderr } = await startPull([
    "--once",
    "--db",
    dbPath("once.db"),
  ]).done;

  expect(stderr).toMatch(
    /^pulled 30 objects, 4,500 records, 12 rejected, 0 skipped, 1 non-log object, 0 failed from 1 location in \d+\.\d s\n$/,
  );
  expect(stdout).toBe("");
  expect(code).toBe(0);
});

test("pull --json prints the summary on stdout", async () => {
  const first = await startPull(["--once", "--json", "--db", dbPath("json.db")])
    .done;
  const second = await startPull([
    "--once",
    "--json",
    "--db",
    dbPath("json.db"),
  ]).done;

  expect(JSON.parse(first.stdout)).toMatchObject({
    pulled: 30,
    records: 4500,
    rejected: 12,
    skipped: 0,
    notLogs: 1,
    failed: 0,
  });
  expect(JSON.parse(second.stdout)).toMatchObject({ pulled: 0, skipped: 30 });
  expect(second.code).toBe(0);
});

test("pull --dry-run lists and creates nothing", async () => {
  const file = dbPath("dry.db");
  const { code, stdout } = await startPull(["--dry-run", "--db", file]).done;

  expect(stdout.trim().split("\n")).toHaveLength(OBJECTS);
  expect(stdout).toContain("s3://cli-logs/access/2024-05-01-10-00-00-A000\n");
  expect(fs.existsSync(file)).toBe(false);
  expect(code).toBe(0);
});

test("overlapping pull exits with code 4", async () => {
  const file = dbPath("locked.db");
  const lock = acquirePullLock(file);
  try {
    const { code, stderr } = await startPull(["--once", "--db", file]).done;
    expect(stderr).toContain(`another tamarin pull is running on ${file}`);
    expect(code).toBe(4);
  } finally {
    lock.release();
  }
});

test("pull killed at random moments loses nothing", async () => {
  const killArgs = ["--once", "--config", "kill.config.json", "--db"];
  const clean = dbPath("clean.db");
  const started = Date.now();
  const cleanRun = await startPull([...killArgs, clean]).done;
  expect(cleanRun.code).toBe(0);
  const cleanMs = Date.now() - started;
  const cleanDump = dumpDatabase(clean);
  expect(cleanDump.objects).toHaveLength(KILL_OBJECTS);

  // Each sequence kills up to five runs on a fresh database, then lets one
  // finish. The first run of a sequence is killed as soon as some objects
  // are stored, while the next group is open. The others are killed at a
  // random moment from start-up to just past the end of a clean run.
  let kills = 0;
  let killsMidway = 0;
  for (let sequence = 0; kills < 20 && sequence < 15; sequence++) {
    const killed = dbPath(`killed-${sequence}.db`);
    for (let attempt = 0; attempt < 5; attempt++) {
      const run = startPull([...killArgs, killed]);
      const timer =
        attempt === 0
          ? killOnceStored(killed, run)
          : setTimeout(
              () => run.child.kill("SIGKILL"),
              Math.random() * cleanMs * 1.1,
            );
      const result = await run.done;
      clearTimeout(timer);
      if (result.signal !== "SIGKILL") {
        expect(result.code).toBe(0);
        continue;
      }
      kills++;
      // A kill during start-up may leave no file, or one with no tables yet.
      if (!hasLedger(killed)) continue;
      expect(findIncompleteObjects(killed)).toEqual([]);
      const stored = dumpDatabase(killed).objects.length;
      if (stored > 0 && stored < KILL_OBJECTS) killsMidway++;
    }

    // The next run is not blocked by the killed one's lock, and completes
    // the database.
    const last = await startPull([...killArgs, killed]).done;
    expect(last.code).toBe(0);
    expect(dumpDatabase(killed)).toEqual(cleanDump);
  }

  expect(kills).toBeGreaterThanOrEqual(20);
  expect(killsMidway).toBeGreaterThan(0);
}, 600_000);

/**
 * Polls `file` every few milliseconds and sends `signal` to the run once
 * its ledger contains at least one object. Returns the timer so that the
 * caller can stop it.
 */
function killOnceStored(
  file: string,
  run: Run,
  signal: NodeJS.Signals = "SIGKILL",
): NodeJS.Timeout {
  const timer = setInterval(() => {
    if (run.child.exitCode !== null || run.child.signalCode !== null) {
      clearInterval(timer);
      return;
    }
    if (storedObjects(file) > 0) {
      clearInterval(timer);
      run.child.kill(signal);
    }
  }, 5);
  return timer;
}

/**
 * Counts the ledger's objects, or 0 while the file or its schema is still
 * being created.
 */
function storedObjects(file: string): number {
  try {
    if (!hasLedger(file)) return 0;
    const db = new Database(file, { readonly: true });
    try {
      return db
        .prepare("SELECT count(*) FROM log_objects")
        .pluck()
        .get() as number;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

test("pull --once stops on SIGTERM with a summary", async () => {
  const file = dbPath("once-term.db");
  const args = ["--once", "--config", "kill.config.json", "--db", file];
  const run = startPull(args);
  const timer = killOnceStored(file, run, "SIGTERM");
  const stopped = await run.done;
  clearInterval(timer);

  expect(stopped.stderr).toMatch(
    /^SIGTERM: stopping after the objects in flight/,
  );
  expect(stopped.stderr).toMatch(/pulled \d+ objects?, .*\(stopped early\)\n$/);
  expect(stopped.code).toBe(5);
  const stored = dumpDatabase(file).objects.length;
  expect(stored).toBeGreaterThan(0);
  expect(stored).toBeLessThan(KILL_OBJECTS);
  expect(findIncompleteObjects(file)).toEqual([]);

  const rest = await startPull(args).done;
  expect(rest.code).toBe(0);
  expect(dumpDatabase(file).objects).toHaveLength(KILL_OBJECTS);
});

test("two quick SIGTERMs stop once", async () => {
  // coreutils timeout signals the process and then its process group.
  const file = dbPath("double-term.db");
  const args = ["--once", "--config", "kill.config.json", "--db", file];
  const run = startPull(args);
  const timer = setInterval(() => {
    if (storedObjects(file) > 0) {
      clearInterval(timer);
      run.child.kill("SIGTERM");
      // Apart enough that the kernel delivers both, as timeout's two are.
      setTimeout(() => run.child.kill("SIGTERM"), 5);
    }
  }, 5);
  const stopped = await run.done;
  clearInterval(timer);

  expect(stopped.stderr).not.toContain("SIGTERM again");
  expect(stopped.stderr).toMatch(/\(stopped early\)\n$/);
  expect(stopped.code).toBe(5);
});

test("pull --dry-run --purge --json counts the purge", async () => {
  const { code, stdout } = await startPull([
    "--dry-run",
    "--purge",
    "--json",
    "--db",
    dbPath("dry-purge.db"),
  ]).done;

  expect(JSON.parse(stdout)).toMatchObject({
    dryRun: true,
    wouldPurge: OBJECTS,
  });
  expect(code).toBe(0);
});

test("pull without --once stops on SIGTERM", async () => {
  const run = startPull(["--db", dbPath("daemon.db")]);
  // Wait for the first run's summary, then ask the loop to stop.
  await new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      if (chunk.toString().includes("pulled ")) {
        run.child.stderr!.off("data", onData);
        resolve();
      }
    };
    run.child.stderr!.on("data", onData);
  });
  run.child.kill("SIGTERM");
  const { code, stderr } = await run.done;

  expect(stderr).toMatch(/\dZ pulled 30 objects, 4,500 records/);
  expect(stderr).toMatch(/SIGTERM: stopping after the objects in flight/);
  expect(stderr).toMatch(/\dZ stopped\n$/);
  expect(code).toBe(0);
});

test("invalid --since is a usage error", async () => {
  const { code, stderr } = await startPull([
    "--once",
    "--since",
    "yesterday",
    "--db",
    dbPath("since.db"),
  ]).done;

  expect(stderr).toContain('invalid --since "yesterday"');
  expect(code).toBe(2);
});

test("invalid --concurrency names the value", async () => {
  const { code, stderr } = await startPull([
    "--once",
    "--concurrency",
    "eight",
    "--db",
    dbPath("concurrency.db"),
  ]).done;

  expect(stderr).toContain('invalid --concurrency "eight"');
  expect(code).toBe(2);
});
