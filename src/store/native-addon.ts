import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ExitCode, TamarinError } from "../errors.js";
import { makeFolder } from "../make-folder.js";

/** SEA asset with better-sqlite3's addon, compiled for the embedded Node. */
export const ADDON_ASSET = "better_sqlite3.node";

/** SEA asset with the hex SHA-256 of the addon, computed at build time. */
export const ADDON_HASH_ASSET = "better_sqlite3.node.sha256";

type SeaModule = typeof import("node:sea");

let loadedAddon: object | undefined;

/**
 * Loads better-sqlite3's addon from the single executable's assets, or
 * returns undefined when Tamarin runs from a Node.js install, where
 * better-sqlite3 finds its own build. The addon is written once to a cache
 * folder under a name derived from its hash, because Node can load an addon
 * only from a file.
 */
export function loadSeaAddon(): object | undefined {
  const sea = runningSea();
  if (sea === undefined) return undefined;
  if (loadedAddon !== undefined) return loadedAddon;

  const bytes = new Uint8Array(sea.getRawAsset(ADDON_ASSET) as ArrayBuffer);
  const hash = sea.getAsset(ADDON_HASH_ASSET, "utf8").trim();
  const fileName = `better_sqlite3-${hash.slice(0, 16)}.node`;
  loadedAddon = extractAndLoadAddon(bytes, fileName, addonFolders());
  return loadedAddon;
}

function runningSea(): SeaModule | undefined {
  // getBuiltinModule returns undefined for node:sea on Node releases that
  // lack it, where an import would throw instead.
  const sea = process.getBuiltinModule("node:sea") as SeaModule | undefined;
  return sea?.isSea() ? sea : undefined;
}

/**
 * Returns the folders to try for the extracted addon, best first:
 * `$XDG_CACHE_HOME/tamarin` (when absolute), `~/.cache/tamarin`, then a
 * folder of this user's own in the OS temp folder.
 */
export function addonFolders(
  env: NodeJS.ProcessEnv = process.env,
  homeFolder: string = os.homedir(),
  temporaryFolder: string = os.tmpdir(),
): string[] {
  const folders: string[] = [];
  const xdgCache = env.XDG_CACHE_HOME;
  // The XDG base directory spec says to ignore relative paths.
  if (xdgCache && path.isAbsolute(xdgCache)) {
    folders.push(path.join(xdgCache, "tamarin"));
  }
  if (homeFolder) folders.push(path.join(homeFolder, ".cache", "tamarin"));
  folders.push(path.join(temporaryFolder, `tamarin-${userTag()}`));
  return folders;
}

function userTag(): string {
  if (process.getuid) return String(process.getuid());
  return os.userInfo().username;
}

/**
 * Writes `bytes` as `fileName` into the first folder that accepts it and
 * loads it from there. A file of the same name and size is reused. Throws a
 * TamarinError listing every folder's failure when none works.
 */
export function extractAndLoadAddon(
  bytes: Uint8Array,
  fileName: string,
  folders: readonly string[],
  load: (file: string) => object = dlopenAddon,
): object {
  const failures: string[] = [];
  for (const folder of folders) {
    let file: string;
    try {
      file = writeAddon(folder, fileName, bytes);
    } catch (error) {
      failures.push(`${folder}: ${(error as Error).message}`);
      continue;
    }
    try {
      return load(file);
    } catch (error) {
      // On a file system mounted noexec the write succeeds but dlopen
      // fails, so the next folder may still work.
      failures.push(`${file}: ${(error as Error).message}`);
    }
  }
  throw new TamarinError(
    `failed to extract and load the SQLite addon:\n  ${failures.join("\n  ")}\n` +
      "Set XDG_CACHE_HOME to a writable folder on a file system that allows loading libraries (not mounted noexec).",
    ExitCode.Failure,
  );
}

/**
 * Writes the addon into `folder` unless a file of that name and size is
 * there already. Writes go to a temporary file that is then renamed, so a
 * concurrent run never loads a half-written file.
 */
function writeAddon(folder: string, fileName: string, bytes: Uint8Array) {
  makeFolder(folder, 0o700);
  checkPrivateFolder(folder);
  const file = path.join(folder, fileName);
  if (hasSize(file, bytes.byteLength)) return file;

  // The process id keeps concurrent runs apart. A random name would need
  // node:crypto, whose loading adds to every start.
  const temporary = path.join(folder, `.${fileName}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temporary, bytes, { mode: 0o644 });
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    // On Windows the rename fails while another run has the addon loaded.
    if (hasSize(file, bytes.byteLength)) return file;
    throw error;
  }
  return file;
}

function hasSize(file: string, size: number): boolean {
  const stats = fs.statSync(file, { throwIfNoEntry: false });
  return stats !== undefined && stats.isFile() && stats.size === size;
}

/**
 * Rejects a folder that another user owns or may write to, because anyone
 * who can replace the addon there runs code as this user. The temp folder
 * is shared, so this matters most there. Skipped on Windows, which has no
 * POSIX owners.
 */
function checkPrivateFolder(folder: string): void {
  if (!process.getuid) return;
  const stats = fs.lstatSync(folder);
  if (!stats.isDirectory()) {
    throw new Error("not a folder (a symbolic link or file is in the way)");
  }
  if (stats.uid !== process.getuid()) {
    throw new Error(`owned by user id ${stats.uid}, not by this user`);
  }
  if ((stats.mode & 0o022) !== 0) {
    throw new Error(
      `writable by other users (mode ${(stats.mode & 0o777).toString(8)})`,
    );
  }
}

function dlopenAddon(file: string): object {
  const addonModule = { exports: {} };
  process.dlopen(addonModule, file);
  return addonModule.exports;
}
