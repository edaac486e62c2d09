import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { TamarinError } from "../src/errors.js";
import { makeFolder } from "../src/make-folder.js";
import { openDatabase } from "../src/store/database.js";

let work: string;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "tamarin-folder-"));
});

afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

test("makes missing parents", () => {
  const folder = path.join(work, "a", "b", "c");
  makeFolder(folder);
  expect(fs.statSync(folder).isDirectory()).toBe(true);
});

test("accepts an existing folder", () => {
  makeFolder(work);
  makeFolder(work);
  expect(fs.statSync(work).isDirectory()).toBe(true);
});

test.skipIf(process.platform === "win32")("applies the mode", () => {
  const folder = path.join(work, "private", "inner");
  makeFolder(folder, 0o700);
  expect(fs.statSync(folder).mode & 0o777).toBe(0o700);
  expect(fs.statSync(path.dirname(folder)).mode & 0o777).toBe(0o700);
});

test("fails under a file", () => {
  const file = path.join(work, "file");
  fs.writeFileSync(file, "");
  expect(() => makeFolder(path.join(file, "inner"))).toThrow(/ENOTDIR/);
});

test.skipIf(!fs.existsSync("/proc/self"))("fails under /proc", () => {
  expect(() => makeFolder("/proc/tamarin-missing/inner")).toThrow(/ENOENT/);
});

test("database under a file names the folder", () => {
  const file = path.join(work, "file");
  fs.writeFileSync(file, "");
  const database = path.join(file, "logs", "tamarin.db");

  expect(() => openDatabase(database)).toThrow(TamarinError);
  expect(() => openDatabase(database)).toThrow(
    `cannot create the folder ${path.dirname(database)} for database ${database}`,
  );
});
