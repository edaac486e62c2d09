import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Runtime } from "./runtime.js";

/**
 * Compiles better-sqlite3's addon for `runtime` with node-gyp and returns
 * the path of better_sqlite3.node. The sources are copied to a folder under
 * `cacheDir` named for both versions and the target, so the build in
 * node_modules (for the Node.js that runs the tests) stays untouched and a
 * second run reuses the result.
 */
export function buildAddon(
  root: string,
  runtime: Runtime,
  target: string,
  cacheDir: string,
): string {
  const require = createRequire(path.join(root, "package.json"));
  const packageFolder = path.dirname(
    require.resolve("better-sqlite3/package.json"),
  );
  const { version } = JSON.parse(
    fs.readFileSync(path.join(packageFolder, "package.json"), "utf8"),
  ) as { version: string };

  const buildFolder = path.join(
    cacheDir,
    `better-sqlite3-${version}-node-${runtime.version}-${target}`,
  );
  const addon = path.join(
    buildFolder,
    "build",
    "Release",
    "better_sqlite3.node",
  );
  const doneMarker = path.join(buildFolder, "build-complete");
  if (fs.existsSync(doneMarker) && fs.existsSync(addon)) {
    console.log(`reusing ${path.relative(root, addon)}`);
    return addon;
  }

  // Copy only what binding.gyp reads.
  fs.rmSync(buildFolder, { recursive: true, force: true });
  fs.mkdirSync(buildFolder, { recursive: true });
  for (const entry of ["binding.gyp", "package.json", "src", "deps"]) {
    fs.cpSync(path.join(packageFolder, entry), path.join(buildFolder, entry), {
      recursive: true,
    });
  }

  const nodeGyp = require.resolve("node-gyp/bin/node-gyp.js");
  const args = [
    nodeGyp,
    "rebuild",
    "--release",
    `--target=${runtime.version}`,
    "--jobs=max",
  ];
  // Without --nodedir node-gyp downloads the headers from nodejs.org, which
  // works only on machines with that access (such as GitHub's runners).
  if (runtime.nodeDir !== undefined) args.push(`--nodedir=${runtime.nodeDir}`);
  console.log(
    `compiling better-sqlite3 ${version} for Node.js ${runtime.version} (takes a few minutes)`,
  );
  const result = spawnSync(process.execPath, args, {
    cwd: buildFolder,
    env: withoutNpmConfig(process.env),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  const log = path.join(buildFolder, "node-gyp.log");
  fs.writeFileSync(log, `${result.stdout}\n${result.stderr}`);
  if (result.status !== 0) {
    const tail = result.stderr.trim().split("\n").slice(-30).join("\n");
    throw new Error(
      `node-gyp failed with exit code ${result.status} (full output in ${log}):\n${tail}`,
    );
  }

  // Load the addon with the runtime, so an ABI mismatch fails here and not
  // on a user's machine.
  execFileSync(runtime.executable, [
    "-e",
    "process.dlopen({ exports: {} }, process.argv[1])",
    addon,
  ]);
  fs.writeFileSync(doneMarker, "");
  return addon;
}

/**
 * Drops the npm_config_* variables that `npm run` sets, because node-gyp
 * lets them override its command-line options: an npmrc with `nodedir=/usr`
 * would otherwise build against the headers of the system's Node.js.
 */
function withoutNpmConfig(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(
      ([name]) => !/^npm_(config|package_config_node_gyp)_/i.test(name),
    ),
  );
}
