import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { ExitCode, TamarinError } from "../src/errors.js";
import { acquirePullLock } from "../src/store/pull-lock.js";

const directory = fs.mkdtempSync(path.join(os.tmpdir(), "tamarin-lock-"));

afterAll(() => {
  fs.rmSync(directory, { recursive: true, force: true });
});

/** Starts a process that holds the lock of `dbFile` until it is killed. */
async function holdLockInChild(dbFile: string) {
  const script = `
    const Database = require("better-sqlite3");
    const db = new Database(${JSON.stringify(`${dbFile}.pull-lock`)});
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    process.stdout.write("locked\\n");
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ["-e", script], {
    cwd: process.cwd(),
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once("data", () => resolve());
    child.once("exit", (code) =>
      reject(new Error(`child exited with ${code}`)),
    );
  });
  return child;
}

function lockError(dbFile: string): unknown {
  try {
    acquirePullLock(dbFile).release();
    return null;
  } catch (error) {
    return error;
  }
}

test("lock held elsewhere gives exit code 4", async () => {
  const dbFile = path.join(directory, "held.db");
  const child = await holdLockInChild(dbFile);
  try {
    const error = lockError(dbFile);
    expect(error).toBeInstanceOf(TamarinError);
    expect((error as TamarinError).exitCode).toBe(ExitCode.Locked);
    expect((error as TamarinError).message).toContain(
      `another tamarin pull is running on ${dbFile}`,
    );
  } finally {
    child.kill("SIGKILL");
  }
});

test("lock of a killed process is free", async () => {
  const dbFile = path.join(directory, "killed.db");
  const child = await holdLockInChild(dbFile);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;

  expect(lockError(dbFile)).toBeNull();
});

test("lock taken twice in one process is refused", () => {
  const dbFile = path.join(directory, "twice.db");
  const lock = acquirePullLock(dbFile);
  try {
    expect(lockError(dbFile)).toBeInstanceOf(TamarinError);
  } finally {
    lock.release();
  }
  expect(lockError(dbFile)).toBeNull();
});
