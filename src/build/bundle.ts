import path from "node:path";
import * as esbuild from "esbuild";
import type { PackageConfig } from "./package-config.js";

const STRING_WIDTH_NAMESPACE = "tamarin-string-width";

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
    plugins: [stringWidthFastPath(root)],
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
        `${current} is loaded at startup; load it with await import() inside the command that needs it. Import chain:\n  ${chain.join("\n  -> ")}`,
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

/**
 * Replaces every copy of the string-width package with a module that
 * answers printable ASCII itself and loads the real package only for other
 * text. The real packages build Unicode property regular expressions and an
 * Intl.Segmenter when they load, which cost about 50 ms of CPU at every
 * start of `tamarin --help` (Node.js 22 on a 2-core x86-64 VM), while help
 * text and most table cells are ASCII.
 */
function stringWidthFastPath(root: string): esbuild.Plugin {
  const asciiWidthModule = path.join(root, "src", "build", "ascii-width.ts");
  return {
    name: "string-width-fast-path",
    setup(build) {
      build.onResolve({ filter: /^string-width$/ }, async (args) => {
        if (args.pluginData === STRING_WIDTH_NAMESPACE) return undefined;
        // Resolve the copy this importer would get, so the fallback keeps
        // the version its importer was written for.
        const real = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: STRING_WIDTH_NAMESPACE,
        });
        if (real.errors.length > 0) return { errors: real.errors };
        return { path: real.path, namespace: STRING_WIDTH_NAMESPACE };
      });
      build.onLoad(
        { filter: /.*/, namespace: STRING_WIDTH_NAMESPACE },
        (args) => ({
          loader: "js",
          resolveDir: path.dirname(args.path),
          contents: [
            `const { asciiWidth } = require(${JSON.stringify(asciiWidthModule)});`,
            "let full;",
            "function stringWidth(text, options) {",
            "  const width = asciiWidth(text, options);",
            "  if (width !== undefined) return width;",
            `  full ??= require(${JSON.stringify(args.path)});`,
            "  return (full.default ?? full)(text, options);",
            "}",
            "module.exports = stringWidth;",
            "module.exports.default = stringWidth;",
          ].join("\n"),
        }),
      );
    },
  };
}
