import * as esbuild from "esbuild";
import {
  assertLite,
  noAddonSearch,
  stringWidthFastPath,
} from "./bundle-plugins.js";
import type { PackageConfig } from "./package-config.js";

/**
 * Bundles the CLI into one CommonJS file for a single executable
 * application, which in Node.js 22 runs only CommonJS, and checks that the
 * `lazyPackages` are reached only through dynamic import().
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
    // CommonJS output has no import.meta, and yargs creates its require()
    // from import.meta.url. In the executable, __filename is the path of
    // the executable itself.
    define: { "import.meta.url": "__tamarinImportMetaUrl" },
    banner: {
      js: 'var __tamarinImportMetaUrl = require("node:url").pathToFileURL(__filename).href;',
    },
    plugins: [stringWidthFastPath(root), assertLite(root), noAddonSearch()],
    // A smaller script starts faster (about 10 ms of CPU less for --help
    // with the AWS SDK in the bundle). Names stay, for readable stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    logLevel: "warning",
  });
  checkLazyPackages(result.metafile, config.entry, config.lazyPackages);
}

/**
 * Throws when an input under one of `prefixes` (such as "@aws-sdk/") is
 * reachable from `entry` through static imports or require() calls. esbuild
 * turns a dynamic import() inside the bundle into a function that runs the
 * module on first call, so only those edges keep a package off the start
 * path. A require() inside a function counts as static here, which errs on
 * the side of failing.
 */
export function checkLazyPackages(
  metafile: esbuild.Metafile,
  entry: string,
  prefixes: readonly string[],
): void {
  const isLazy = (input: string) =>
    prefixes.some((prefix) => input.includes(`node_modules/${prefix}`));

  // Breadth-first search over static edges, remembering each input's parent
  // to print the chain that reaches a lazy package.
  const parent = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  while (queue.length > 0) {
    const current = queue.shift()!;
    if (isLazy(current)) {
      const chain: string[] = [];
      for (let at: string | null = current; at !== null; at = parent.get(at)!) {
        chain.unshift(at);
      }
      throw new Error(
        `${current} is loaded at startup. Load it with await import() inside the command that needs it. Import chain:\n  ${chain.join("\n  -> ")}`,
      );
    }
    for (const edge of metafile.inputs[current]?.imports ?? []) {
      if (edge.kind === "dynamic-import" || edge.external) continue;
      if (parent.has(edge.path)) continue;
      parent.set(edge.path, current);
      queue.push(edge.path);
    }
  }
}
