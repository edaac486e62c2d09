import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TamarinError } from "../../src/errors.js";
import {
  addonFolders,
  extractAndLoadAddon,
  loadSeaAddon,
} from "../../src/store/native-addon.js";

const require = createRequire(import.meta.url);
const ADDON_BYTES = new Uint8Array(
  fs.readFileSync(
    path.join(
      path.dirname(require.resolve("better-sqlite3/package.json")),
      "build",
      "Release",
      "better_sqlite3.node",
    ),
  ),
);
const FILE_NAME = "better_sqlite3-0123456789abcdef.node";

let work: string;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "tamarin-addon-"));
});

afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

/** Returns a loader that records the files it gets instead of loading them. */
function recordingLoader() {
  const files: string[] = [];
  const load = (file: string) => {
    files.push(file);
    return { file };
  };
  return { files, load };
}

describe("addonFolders", () => {
  it("lists XDG cache, home cache, then temp", () => {
    const folders = addonFolders({ XDG_CACHE_HOME: "/xdg" }, "/home/u", "/tmp");
    expect(folders[0]).toBe(path.join("/xdg", "tamarin"));
    expect(folders[1]).toBe(path.join("/home/u", ".cache", "tamarin"));
    expect(folders[2]).toMatch(/^\/tmp\/tamarin-\w+$/);
    expect(folders).toHaveLength(3);
  });

  it("ignores a relative XDG_CACHE_HOME", () => {
    const folders = addonFolders(
      { XDG_CACHE_HOME: "cache" },
      "/home/u",
      "/tmp",
    );
    expect(folders[0]).toBe(path.join("/home/u", ".cache", "tamarin"));
    expect(folders).toHaveLength(2);
  });

  it("skips the home cache without a home folder", () => {
    const folders = addonFolders({}, "", "/tmp");
    expect(folders).toHaveLength(1);
  });
});

describe("extractAndLoadAddon", () => {
  it("writes the addon and loads it", () => {
    const folder = path.join(work, "cache", "tamarin");
    const { files, load } = recordingLoader();
    extractAndLoadAddon(ADDON_BYTES, FILE_NAME, [folder], load);
    const file = path.join(folder, FILE_NAME);
    expect(files).toEqual([file]);
    expect(fs.readFileSync(file).equals(Buffer.from(ADDON_BYTES))).toBe(true);
    expect(fs.readdirSync(folder)).toEqual([FILE_NAME]);
  });

  it("loads a real addon with process.dlopen", () => {
    const folder = path.join(work, "cache", "tamarin");
    const addon = extractAndLoadAddon(ADDON_BYTES, FILE_NAME, [folder]);
    expect(typeof (addon as { Database?: unknown }).Database).toBe("function");
  });

  it("reuses a file of the same size", () => {
    const folder = path.join(work, "cache");
    const { load } = recordingLoader();
    extractAndLoadAddon(ADDON_BYTES, FILE_NAME, [folder], load);
    const file = path.join(folder, FILE_NAME);
    const before = fs.statSync(file);
    extractAndLoadAddon(ADDON_BYTES, FILE_NAME, [folder], load);
    expect(fs.statSync(file).ino).toBe(before.ino);
  });

  it("replaces a truncated file", () => {
    const folder = path.join(work, "cache");
    fs.mkdirSync(folder, { mode: 0o700 });
    fs.writeFileSync(path.join(folder, FILE_NAME), ADDON_BYTES.subarray(0, 10));
    const { load } = recordingLoader();
    extractAndLoadAddon(ADDON_BYTES, FILE_NAME, [folder], load);
    const size = fs.statSync(path.join(folder, FILE_NAME)).size;
    expect(size).toBe(ADDON_BYTES.byteLength);
  });

  it("falls back when a folder cannot be created", () => {
    const blocker = path.join(work, "file");
    fs.writeFileSync(blocker, "");
    const fallback = path.join(work, "fallback");
    const { files, load } = recordingLoader();
    extractAndLoadAddon(
      ADDON_BYTES,
      FILE_NAME,
      [path.join(blocker, "tamarin"), fallback],
      load,
    );
    expect(files).toEqual([path.join(fallback, FILE_NAME)]);
  });

  // /proc refuses new entries with ENOENT, on which Node's recursive
  // mkdirSync loops forever.
  it.skipIf(!fs.existsSync("/proc/self"))(
    "falls back when /proc refuses a folder",
    () => {
      const fallback = path.join(work, "fallback");
      const { files, load } = recordingLoader();
      extractAndLoadAddon(
        ADDON_BYTES,
        FILE_NAME,
        ["/proc/tamarin-missing/tamarin", fallback],
        load,
      );
      expect(files).toEqual([path.join(fallback, FILE_NAME)]);
    },
  );

  it.skipIf(process.platform === "win32")(
    "rejects a folder others can write to",
    () => {
      const shared = path.join(work, "shared");
      fs.mkdirSync(shared);
      fs.chmodSync(shared, 0o777);
      const fallback = path.join(work, "fallback");
      const { files, load } = recordingLoader();
      extractAndLoadAddon(ADDON_BYTES, FILE_NAME, [shared, fallback], load);
      expect(files).toEqual([path.join(fallback, FILE_NAME)]);
      expect(fs.existsSync(path.join(shared, FILE_NAME))).toBe(false);
    },
  );

  it("tries the next folder when loading fails", () => {
    // Stands in for a noexec mount, which a test cannot create unprivileged.
    const first = path.join(work, "noexec");
    const second = path.join(work, "exec");
    const attempts: string[] = [];
    const result = extractAndLoadAddon(
      ADDON_BYTES,
      FILE_NAME,
      [first, second],
      (file) => {
        attempts.push(file);
        if (file.startsWith(first)) throw new Error("failed to map segment");
        return { file };
      },
    );
    expect(attempts).toEqual([
      path.join(first, FILE_NAME),
      path.join(second, FILE_NAME),
    ]);
    expect(result).toEqual({ file: path.join(second, FILE_NAME) });
  });

  it("throws a TamarinError naming every folder", () => {
    const blocker = path.join(work, "file");
    fs.writeFileSync(blocker, "");
    const folders = [path.join(blocker, "a"), path.join(blocker, "b")];
    const { load } = recordingLoader();
    let caught: unknown;
    try {
      extractAndLoadAddon(ADDON_BYTES, FILE_NAME, folders, load);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TamarinError);
    const message = (caught as TamarinError).message;
    expect(message).toContain(folders[0]);
    expect(message).toContain(folders[1]);
    expect(message).toContain("XDG_CACHE_HOME");
    expect((caught as TamarinError).exitCode).toBe(1);
  });
});

describe("loadSeaAddon", () => {
  it("returns undefined outside a single executable", () => {
    expect(loadSeaAddon()).toBeUndefined();
  });
});
