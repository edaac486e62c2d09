import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { openDatabase } from "../store/database.js";
import type { Runtime } from "./runtime.js";
import { makeExecutable } from "./sea.js";

/** Inputs of the throwaway executable that records the code cache. */
export interface RecorderInputs {
  readonly runtime: Runtime;
  /** The bundled src/sea/write-code-cache.ts. */
  readonly cacheWriter: string;
  /** The assets of the final executable, without the code cache. */
  readonly assets: Readonly<Record<string, string>>;
  /** Empty folder for the recorder, its runs and the cache files. */
  readonly folder: string;
}

/**
 * Records the V8 code cache of the CLI bundle: makes an executable whose
 * main script is src/sea/write-code-cache.ts, runs the commands of
 * {@link codeCacheRuns} with it, deletes it and returns the cache file.
 * The recorder is the same Node.js build as the final executable, so V8
 * accepts the cache there.
 */
export async function recordCodeCache(inputs: RecorderInputs): Promise<string> {
  const { folder } = inputs;
  const extension = process.platform === "win32" ? ".exe" : "";
  const recorder = path.join(folder, `recorder${extension}`);
  await makeExecutable({
    runtime: inputs.runtime,
    main: inputs.cacheWriter,
    assets: inputs.assets,
    workDir: folder,
    output: recorder,
    strip: false,
  });
  const db = path.join(folder, "empty.db");
  openDatabase(db).close();
  const cache = runRecorder(recorder, codeCacheRuns(db), folder);
  fs.rmSync(recorder);
  return cache;
}

/**
 * Returns the command lines whose compiled functions go into the code
 * cache: --help, and a query of the database `db`. Functions that only
 * other commands run are compiled when they run, as without a cache. Each
 * run makes the cache bigger, and every start deserialises all of it.
 */
export function codeCacheRuns(db: string): string[][] {
  return [
    ["--help"],
    ["--db", db, "query", "SELECT count(*) FROM log_records"],
  ];
}

/**
 * Runs `recorder` once with each of `runs` as arguments, in `folder`. Each
 * run starts from the code cache of the one before, so the returned cache
 * file holds the functions that any of the runs compiled.
 */
function runRecorder(
  recorder: string,
  runs: readonly (readonly string[])[],
  folder: string,
): string {
  let cache: string | undefined;
  runs.forEach((args, index) => {
    const next = path.join(folder, `code-cache-${index + 1}.bin`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      // The addon is extracted here, not into the user's cache folder.
      XDG_CACHE_HOME: folder,
      TAMARIN_CODE_CACHE_OUT: next,
    };
    delete env.TAMARIN_DB;
    delete env.TAMARIN_CONFIG;
    if (cache !== undefined) env.TAMARIN_CODE_CACHE_IN = cache;
    const result = spawnSync(recorder, args, {
      cwd: folder,
      env,
      encoding: "utf8",
      stdio: ["ignore", "ignore", "pipe"],
    });
    if (result.error) throw result.error;
    if (result.status !== 0 || !fs.existsSync(next)) {
      throw new Error(
        `recording the code cache failed: tamarin ${args.join(" ")} exited with code ${result.status}:\n${result.stderr}`,
      );
    }
    cache = next;
  });
  if (cache === undefined) throw new Error("no runs to record a cache from");
  return cache;
}
