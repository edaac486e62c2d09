import path from "node:path";
import type * as esbuild from "esbuild";

const STRING_WIDTH_NAMESPACE = "tamarin-string-width";

/**
 * Replaces every copy of the string-width package with a module that
 * answers printable ASCII itself and loads the real package only for other
 * text. The real packages build Unicode property regular expressions and an
 * Intl.Segmenter when they load, which cost about 50 ms of CPU at every
 * start of `tamarin --help` (Node.js 22 on a 2-core x86-64 VM), while help
 * text and most table cells are ASCII.
 */
export function stringWidthFastPath(root: string): esbuild.Plugin {
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
