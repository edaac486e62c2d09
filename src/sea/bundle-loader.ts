// The single executable's main script is a loader, not the CLI itself. It
// compiles the CLI bundle from a SEA asset with a V8 code cache that the
// build recorded after running the CLI, so that the functions a command
// runs are deserialised instead of compiled. Node.js's own useCodeCache
// covers only the code compiled before the script runs, which leaves out
// nearly every function. Large packages (the AWS SDK, zod, yaml,
// cosmiconfig) are bundled apart as chunk assets, compiled only when the
// CLI first requires them, so that a start neither reads nor compiles
// their code.
import { Module } from "node:module";
import path from "node:path";
import { getRawAsset } from "node:sea";
import vm from "node:vm";
import { BUNDLE_ASSET, CHUNK_ASSET_PREFIX } from "./asset-names.js";

type ModuleFunction = (
  exports: object,
  require: (id: string) => unknown,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void;

const loadedChunks = new Map<string, unknown>();

/** Node.js's CommonJS compiler, which the typings leave out. */
interface CompilingModule extends Module {
  _compile(content: string, filename: string): unknown;
}

/**
 * Compiles the CLI bundle, with `cachedData` from an earlier compile of
 * the same source when given. V8 rejects a cache made by another V8
 * version or with other V8 flags (such as flags in NODE_OPTIONS), which
 * `script.cachedDataRejected` shows. The bundle then compiles from source,
 * which only takes longer.
 */
export function compileBundle(cachedData?: Uint8Array): vm.Script {
  // No importModuleDynamically option: a vm.Script can import only with
  // vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER, for which Node.js 22
  // prints an ExperimentalWarning, so the build leaves no import() in the
  // bundle.
  return new vm.Script(readAsciiAsset(BUNDLE_ASSET), {
    filename: process.execPath,
    cachedData,
  });
}

/** Runs the compiled CLI bundle as the main module. */
export function runBundle(script: vm.Script): void {
  runModule(script.runInThisContext() as ModuleFunction);
}

/**
 * Returns a built-in module, or the exports of a chunk, running the chunk
 * on first use. This is the `require` of the bundle and the chunks, which
 * name no other modules because esbuild inlined the rest.
 */
export function requireModule(id: string): unknown {
  const builtin = process.getBuiltinModule(id);
  if (builtin !== undefined) return builtin;
  if (loadedChunks.has(id)) return loadedChunks.get(id);

  const asset = `${CHUNK_ASSET_PREFIX}${id}`;
  let source: string;
  try {
    source = readAsciiAsset(asset);
  } catch {
    // Neither built in nor a chunk, such as "typescript", which cosmiconfig
    // requires only for a tamarin.config.ts file.
    throw Object.assign(new Error(`Cannot find module '${id}'`), {
      code: "MODULE_NOT_FOUND",
    });
  }
  // Node.js's own CommonJS compiler lets the chunk call import(), which
  // cosmiconfig does to load a tamarin.config.mjs. Its require() calls
  // module.require, which comes back here.
  const chunk = new Module(asset) as CompilingModule;
  chunk.filename = process.execPath;
  chunk.require = requireModule;
  chunk._compile(source, process.execPath);
  loadedChunks.set(id, chunk.exports);
  return chunk.exports;
}

/**
 * Calls a module function the way Node.js calls a CommonJS module.
 * `__filename` is the executable, as in a main script of a single
 * executable application.
 */
function runModule(run: ModuleFunction): void {
  const module = { exports: {} };
  run.call(
    module.exports,
    module.exports,
    requireModule,
    module,
    process.execPath,
    path.dirname(process.execPath),
  );
}

// The build checks that the scripts are ASCII, so Latin-1 decodes them,
// with a plain copy instead of UTF-8 validation.
function readAsciiAsset(name: string): string {
  return Buffer.from(getRawAsset(name) as ArrayBuffer).toString("latin1");
}
