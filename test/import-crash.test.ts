import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { runCli, startCli } from "./helpers/cli.js";
import { dumpDatabase, findIncompleteObjects } from "./helpers/db-dump.js";
import { logObject } from "./helpers/log-lines.js";

const OBJECTS = 24;
const LINES_PER_OBJECT = 1500;
const KILLS = 24;
// Bounds the loop if runs keep finishing before their kill.
const MAX_ATTEMPTS = 200;

let folder: string;
let logs: string;

// A small seeded generator, so a failing run can be repeated from its seed.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

beforeAll(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "tamarin-crash-"));
  logs = path.join(folder, "logs");
  fs.mkdirSync(logs);
  for (let i = 0; i < OBJECTS; i++) {
    const name = `2019-02-06-${String(i).padStart(2, "0")}-00-00-0123456789ABCDEF`;
    fs.writeFileSync(
      path.join(logs, name),
      logObject(i, LINES_PER_OBJECT, 211),
    );
  }
});

afterAll(() => {
  fs.rmSync(folder, { recursive: true, force: true });
});

// Runs `read`, adding the seed to any error it throws, so that a failure
// inside a database read can be repeated with TAMARIN_CRASH_SEED.
function withSeed<T>(seed: number, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new Error(`seed ${seed}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function waitForExit(child: ReturnType<typeof startCli>): Promise<void> {
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

test("import killed at random moments loses and repeats nothing", async () => {
  // A clean import gives the reference database and the run's duration.
  const reference = path.join(folder, "reference.db");
  const started = Date.now();
  const clean = runCli(["--db", reference, "import", logs]);
  expect(clean.status, clean.stderr).toBe(0);
  const cleanMs = Date.now() - started;
  const expected = dumpDatabase(reference);
  expect(expected.objects).toHaveLength(OBJECTS);
  expect(expected.rejects.length).toBeGreaterThan(0);

  const seed = Number(process.env.TAMARIN_CRASH_SEED ?? Date.now() % 100_000);
  const next = random(seed);
  let kills = 0;
  let sequence = 0;
  let db = path.join(folder, `crash-${sequence}.db`);

  // Kill imports at random moments, each run resuming the last one. A run
  // that completes before its kill ends the sequence: its result must equal
  // the clean import, and the next run starts on a new database.
  for (let attempt = 0; kills < KILLS && attempt < MAX_ATTEMPTS; attempt++) {
    const child = startCli(["--db", db, "import", logs]);
    const exited = waitForExit(child);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.floor(next() * cleanMs)),
    );
    if (child.exitCode === null) {
      child.kill("SIGKILL");
      kills++;
      await exited;
      if (fs.existsSync(db)) {
        expect(
          withSeed(seed, () => findIncompleteObjects(db)),
          `seed ${seed}`,
        ).toEqual([]);
      }
      continue;
    }
    await exited;
    expect(child.exitCode, `seed ${seed}`).toBe(0);
    expect(dumpDatabase(db), `seed ${seed}`).toEqual(expected);
    sequence++;
    db = path.join(folder, `crash-${sequence}.db`);
  }
  expect(kills, `seed ${seed}`).toBeGreaterThanOrEqual(KILLS);

  // A final run completes the last sequence.
  const final = runCli(["--db", db, "import", logs]);
  expect(final.status, final.stderr).toBe(0);
  expect(dumpDatabase(db), `seed ${seed}`).toEqual(expected);
}, 600_000);

test("import of the same files twice adds nothing", () => {
  const db = path.join(folder, "twice.db");
  const first = runCli(["--db", db, "import", logs]);
  expect(first.status, first.stderr).toBe(0);
  const before = dumpDatabase(db);

  const second = runCli(["--db", db, "import", logs]);
  expect(second.status, second.stderr).toBe(0);
  expect(second.stderr).toMatch(
    new RegExp(`imported 0 objects, 0 records, 0 rejected, ${OBJECTS} skipped`),
  );
  expect(dumpDatabase(db)).toEqual(before);
});
