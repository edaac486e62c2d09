import path from "node:path";
import type * as esbuild from "esbuild";

/**
 * Replaces every copy of the string-width package with a module that
 * answers printable ASCII itself and loads the real package only for other
 * text. The real packages build Unicode property regular expressions and an
 * Intl.Segmenter when they load, which cost about 50 ms of CPU at every
 * start of `tamarin --help` (Node.js 22 on a 2-core x86-64 VM), while help
 * text and most table cells are ASCII.
 */
export function stringWidthFastPath(root: string): esbuild.Plugin {
  return asciiFastPath("string-width", root, "ascii-width.ts", "asciiWidth");
}

/**
 * Replaces every copy of the wrap-ansi package, through which cliui wraps
 * yargs's help, with a module that wraps printable ASCII itself and loads
 * the real package only for other text. In a CPU profile of
 * `tamarin --help` in the executable (2-core x86-64 VM), wrap-ansi took
 * about 6% of the time.
 */
export function wrapAnsiFastPath(root: string): esbuild.Plugin {
  return asciiFastPath("wrap-ansi", root, "ascii-wrap.ts", "asciiWrap");
}

/**
 * Returns a plugin that puts `helper`, exported by src/build/`file`, in
 * front of each copy of `packageName`. The helper takes the package's
 * arguments and returns undefined for any it does not handle, which then
 * go to the real package, loaded on first use.
 */
function asciiFastPath(
  packageName: string,
  root: string,
  file: string,
  helper: string,
): esbuild.Plugin {
  const namespace = `tamarin-${packageName}`;
  const helperModule = path.join(root, "src", "build", file);
  const filter = new RegExp(`^${packageName}$`);
  return {
    name: `${packageName}-fast-path`,
    setup(build) {
      build.onResolve({ filter }, async (args) => {
        if (args.pluginData === namespace) return undefined;
        // Resolve the copy this importer would get, so the fallback keeps
        // the version its importer was written for.
        const real = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: namespace,
        });
        if (real.errors.length > 0) return { errors: real.errors };
        return { path: real.path, namespace };
      });
      build.onLoad({ filter: /.*/, namespace }, (args) => ({
        loader: "js",
        resolveDir: path.dirname(args.path),
        contents: [
          `const { ${helper} } = require(${JSON.stringify(helperModule)});`,
          "let full;",
          "function fastPath(...args) {",
          `  const result = ${helper}(...args);`,
          "  if (result !== undefined) return result;",
          `  full ??= require(${JSON.stringify(args.path)});`,
          "  return (full.default ?? full)(...args);",
          "}",
          "module.exports = fastPath;",
          "module.exports.default = fastPath;",
        ].join("\n"),
      }));
    },
  };
}

/**
 * Points yargs's import of node:assert at src/build/assert-lite.ts. Only
 * imports from yargs are redirected.
 */
export function assertLite(root: string): esbuild.Plugin {
  const assertLiteModule = path.join(root, "src", "build", "assert-lite.ts");
  return {
    name: "assert-lite",
    setup(build) {
      build.onResolve({ filter: /^(node:)?assert$/ }, (args) => {
        const fromYargs = args.importer
          .split(path.sep)
          .join("/")
          .includes("/node_modules/yargs/");
        return fromYargs ? { path: assertLiteModule } : undefined;
      });
    },
  };
}

const CHUNK_NAMESPACE = "tamarin-chunk";

/**
 * Turns every import of a `chunks` package, static or dynamic, into a
 * require() call that the executable's loader answers with the chunk.
 * Left to itself, esbuild would keep a dynamic import() of an external
 * package, which Node.js would then look up on disk. An import of a
 * chunk package's subpath fails the build, because the loader has a chunk
 * only for the package itself.
 */
export function chunkImports(chunks: readonly string[]): esbuild.Plugin {
  return {
    name: "chunk-imports",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.namespace === CHUNK_NAMESPACE) {
          return { path: args.path, external: true };
        }
        if (chunks.includes(args.path)) {
          return { path: args.path, namespace: CHUNK_NAMESPACE };
        }
        const parent = chunks.find((name) => args.path.startsWith(`${name}/`));
        if (parent === undefined) return undefined;
        return {
          errors: [
            {
              text: `"${args.path}" is a subpath of chunk "${parent}", which the executable cannot load. Import "${parent}" itself, or list "${args.path}" in chunks in pkg.config.json.`,
            },
          ],
        };
      });
      build.onLoad({ filter: /.*/, namespace: CHUNK_NAMESPACE }, (args) => ({
        loader: "js",
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
      }));
    },
  };
}

/**
 * Replaces escalade/sync, through which yargs searches for a package.json
 * from the current folder upward, with a function that finds nothing.
 * Every new yargs instance searches once, to guess the version that
 * `.version()` prints, but the CLI passes its version itself. Without the
 * search, a start reads no folder listings and no package.json of the
 * user's.
 */
export function noPackageJsonSearch(): esbuild.Plugin {
  return {
    name: "no-package-json-search",
    setup(build) {
      build.onResolve({ filter: /^escalade\/sync$/ }, (args) => {
        const fromYargs = args.importer
          .split(path.sep)
          .join("/")
          .includes("/node_modules/yargs/");
        return fromYargs
          ? { path: "escalade-sync", namespace: "no-package-json-search" }
          : undefined;
      });
      build.onLoad(
        { filter: /.*/, namespace: "no-package-json-search" },
        () => ({
          loader: "js",
          contents: "module.exports = function findNothing() {};",
        }),
      );
    },
  };
}

/**
 * Replaces the `bindings` package, through which better-sqlite3 finds its
 * addon file when no nativeBinding option is given, with a function that
 * throws an error naming the fix. The executable has no such file, so
 * without this a forgotten option fails with a list of searched paths.
 */
export function noAddonSearch(): esbuild.Plugin {
  const contents = [
    "module.exports = function bindings() {",
    `  throw new Error(${JSON.stringify(
      "better-sqlite3 was opened without the nativeBinding option, which the single executable needs: pass nativeBindingOptions() from src/store/database.ts to new Database().",
    )});`,
    "};",
  ].join("\n");
  return {
    name: "no-addon-search",
    setup(build) {
      build.onResolve({ filter: /^bindings$/ }, (args) => {
        const fromBetterSqlite = args.importer
          .split(path.sep)
          .join("/")
          .includes("/node_modules/better-sqlite3/");
        return fromBetterSqlite
          ? { path: "bindings", namespace: "no-addon-search" }
          : undefined;
      });
      build.onLoad({ filter: /.*/, namespace: "no-addon-search" }, () => ({
        loader: "js",
        contents,
      }));
    },
  };
}
