import fs from "node:fs";
import path from "node:path";
import * as esbuild from "esbuild";
import {
  assertLite,
  chunkImports,
  noAddonSearch,
  noPackageJsonSearch,
  stringWidthFastPath,
  wrapAnsiFastPath,
} from "./bundle-plugins.js";
import {
  BUNDLE_ASSET,
  CHUNK_ASSET_PREFIX,
  WRITER_ASSET,
  wrapModule,
} from "../sea/asset-names.js";
import type { PackageConfig } from "./package-config.js";

// CommonJS output has no import.meta, and yargs creates its require() from
// import.meta.url. In the executable, __filename is the path of the
// executable itself.
const IMPORT_META_URL = {
  define: { "import.meta.url": "__tamarinImportMetaUrl" },
  banner: {
    js: 'var __tamarinImportMetaUrl = require("node:url").pathToFileURL(__filename).href;',
  },
};

// Smaller scripts take less time to read and compile at every start. Names
// stay, for readable stack traces.
const MINIFY = { minifyWhitespace: true, minifySyntax: true };

/** The scripts of a single executable, as files. */
export interface SeaScripts {
  /** Main script of the executable: the bundled src/sea/main.ts. */
  readonly main: string;
  /** The bundled src/sea/write-code-cache.ts. */
  readonly cacheWriter: string;
  /**
   * The wrapped CLI bundle, the chunks and the writer thread's script, by
   * SEA asset name.
   */
  readonly assets: Readonly<Record<string, string>>;
}

/**
 * Bundles the CLI, each chunk and the two main scripts into `folder`,
 * which is emptied first.
 */
export async function bundleSeaScripts(
  root: string,
  config: PackageConfig,
  nodeVersion: string,
  folder: string,
): Promise<SeaScripts> {
  fs.rmSync(folder, { recursive: true, force: true });
  const cli = path.join(folder, "tamarin.cjs");
  await bundleCli(root, config, nodeVersion, cli);
  const cliAsset = path.join(folder, BUNDLE_ASSET);
  fs.writeFileSync(cliAsset, wrapModule(fs.readFileSync(cli, "latin1")));
  const assets: Record<string, string> = { [BUNDLE_ASSET]: cliAsset };

  for (const name of config.chunks) {
    const chunk = path.join(folder, "chunks", `${name}.js`);
    await bundleChunk(root, config, name, nodeVersion, chunk);
    assets[`${CHUNK_ASSET_PREFIX}${name}`] = chunk;
  }

  const writer = path.join(folder, WRITER_ASSET);
  await bundleWriterWorker(root, config, nodeVersion, writer);
  assets[WRITER_ASSET] = writer;

  const main = path.join(folder, "main.cjs");
  await bundleSeaMain(root, "src/sea/main.ts", nodeVersion, main);
  const cacheWriter = path.join(folder, "write-code-cache.cjs");
  await bundleSeaMain(
    root,
    "src/sea/write-code-cache.ts",
    nodeVersion,
    cacheWriter,
  );
  return { main, cacheWriter, assets };
}

/**
 * Bundles the CLI into one CommonJS module of ASCII text for a single
 * executable application, which in Node.js 22 runs only CommonJS. The
 * `chunks` packages stay out of the bundle, as require() calls that the
 * executable's loader answers. Checks that the `lazyPackages` are reached
 * only through dynamic import(). The output has no hashbang line, so that
 * it can be wrapped in a function.
 */
export async function bundleCli(
  root: string,
  config: PackageConfig,
  nodeVersion: string,
  outfile: string,
): Promise<void> {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [config.entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: `node${nodeVersion}`,
    external: config.external,
    // The loader compiles the bundle as a vm.Script, where import() would
    // print an ExperimentalWarning, so no import() may be left: esbuild
    // turns those it cannot bundle into require() calls.
    supported: { "dynamic-import": false },
    ...IMPORT_META_URL,
    plugins: [
      chunkImports(config.chunks),
      stringWidthFastPath(root),
      wrapAnsiFastPath(root),
      assertLite(root),
      noAddonSearch(),
      noPackageJsonSearch(),
    ],
    ...MINIFY,
    metafile: true,
    write: false,
    logLevel: "warning",
  });
  checkLazyPackages(result.metafile, config.entry, config.lazyPackages);
  const text = result.outputFiles[0]!.text;
  checkAscii(text, outfile);
  // An empty line keeps the line numbers of stack traces.
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  fs.writeFileSync(outfile, text.replace(/^#!.*/, ""));
}

/**
 * Bundles the package `name` into one CommonJS module of ASCII text whose
 * exports are those of require(name). The other `chunks` packages and the
 * `external` modules stay require() calls.
 */
export async function bundleChunk(
  root: string,
  config: PackageConfig,
  name: string,
  nodeVersion: string,
  outfile: string,
): Promise<void> {
  const result = await esbuild.build({
    absWorkingDir: root,
    stdin: {
      contents: `module.exports = require(${JSON.stringify(name)});`,
      resolveDir: root,
      sourcefile: `chunk ${name}`,
      loader: "js",
    },
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: `node${nodeVersion}`,
    external: [
      ...config.external,
      ...config.chunks.filter((other) => other !== name),
    ],
    ...IMPORT_META_URL,
    ...MINIFY,
    write: false,
    logLevel: "warning",
  });
  const text = result.outputFiles[0]!.text;
  checkAscii(text, outfile);
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  fs.writeFileSync(outfile, text);
}

/**
 * Bundles the pull's writer thread, src/store/writer-worker.ts, into one
 * CommonJS script with better-sqlite3's JavaScript, which the executable
 * starts as a worker from source.
 */
export async function bundleWriterWorker(
  root: string,
  config: PackageConfig,
  nodeVersion: string,
  outfile: string,
): Promise<void> {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ["src/store/writer-worker.ts"],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: `node${nodeVersion}`,
    external: config.external,
    ...IMPORT_META_URL,
    plugins: [noAddonSearch()],
    ...MINIFY,
    logLevel: "warning",
  });
}

/**
 * Bundles a main script of the executable, one of the files in src/sea/,
 * into a CommonJS script that requires only built-in modules.
 */
export async function bundleSeaMain(
  root: string,
  entry: string,
  nodeVersion: string,
  outfile: string,
): Promise<void> {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: `node${nodeVersion}`,
    ...MINIFY,
    logLevel: "warning",
  });
}

/**
 * Throws when an input under one of `prefixes` (such as "@aws-sdk/"), or
 * an external import of such a package, is reachable from `entry` through
 * static imports or require() calls. esbuild turns a dynamic import()
 * inside the bundle into a function that runs the module on first call,
 * so only those edges keep a package off the start path. A require()
 * inside a function counts as static here, which errs on the side of
 * failing.
 */
export function checkLazyPackages(
  metafile: esbuild.Metafile,
  entry: string,
  prefixes: readonly string[],
): void {
  const isLazyInput = (input: string) =>
    prefixes.some((prefix) => input.includes(`node_modules/${prefix}`));
  // An external import names the package, such as "zod" for prefix "zod/".
  const isLazyImport = (specifier: string) =>
    prefixes.some((prefix) => `${specifier}/`.startsWith(prefix));

  // Breadth-first search over static edges, remembering each input's parent
  // to print the chain that reaches a lazy package.
  const parent = new Map<string, string | null>([[entry, null]]);
  const chainTo = (input: string) => {
    const chain: string[] = [];
    for (let at: string | null = input; at !== null; at = parent.get(at)!) {
      chain.unshift(at);
    }
    return chain;
  };
  const loadedAtStartup = (chain: string[]) =>
    new Error(
      `${chain.at(-1)} is loaded at startup. Load it with await import() inside the command that needs it. Import chain:\n  ${chain.join("\n  -> ")}`,
    );

  const queue = [entry];
  while (queue.length > 0) {
    const current = queue.shift()!;
    if (isLazyInput(current)) throw loadedAtStartup(chainTo(current));
    for (const edge of metafile.inputs[current]?.imports ?? []) {
      if (edge.kind === "dynamic-import") continue;
      if (edge.external) {
        if (isLazyImport(edge.path)) {
          throw loadedAtStartup([...chainTo(current), edge.path]);
        }
        continue;
      }
      if (parent.has(edge.path)) continue;
      parent.set(edge.path, current);
      queue.push(edge.path);
    }
  }
}

// esbuild writes ASCII by default (charset "ascii"), escaping other
// characters, and the executable's loader relies on it.
function checkAscii(text: string, file: string): void {
  // eslint-disable-next-line no-control-regex -- the range is the point
  const offset = text.search(/[^\x00-\x7f]/);
  if (offset !== -1) {
    throw new Error(
      `${file} has a non-ASCII character at offset ${offset}; the executable's loader reads it as Latin-1.`,
    );
  }
}
