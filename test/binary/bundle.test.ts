import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Metafile } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleCli, checkLazyPackages } from "../../src/build/bundle.js";
import { readPackageConfig } from "../../src/build/package-config.js";
import { runCli } from "../helpers/cli.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

type Edge = [
  string,
  "import-statement" | "require-call" | "dynamic-import",
  "external"?,
];

/**
 * Builds a metafile whose inputs import each other as `edges` lists; an
 * edge marked "external" names a module left out of the bundle.
 */
function metafileOf(edges: Record<string, Edge[]>): Metafile {
  const inputs: Metafile["inputs"] = {};
  for (const [input, imports] of Object.entries(edges)) {
    inputs[input] = {
      bytes: 1,
      imports: imports.map(([target, kind, external]) => ({
        path: target,
        kind,
        ...(external && { external: true }),
      })),
    };
  }
  return { inputs, outputs: {} };
}

const SDK = "node_modules/@aws-sdk/client-s3/dist-es/index.js";

describe("checkLazyPackages", () => {
  it("accepts a package reached only by import()", () => {
    const metafile = metafileOf({
      "src/cli.ts": [["src/commands/pull.ts", "import-statement"]],
      "src/commands/pull.ts": [[SDK, "dynamic-import"]],
      [SDK]: [],
    });
    expect(() =>
      checkLazyPackages(metafile, "src/cli.ts", ["@aws-sdk/"]),
    ).not.toThrow();
  });

  it("rejects a package reached by a static import", () => {
    const metafile = metafileOf({
      "src/cli.ts": [["src/commands/pull.ts", "import-statement"]],
      "src/commands/pull.ts": [[SDK, "import-statement"]],
      [SDK]: [],
    });
    expect(() =>
      checkLazyPackages(metafile, "src/cli.ts", ["@aws-sdk/"]),
    ).toThrow(`src/cli.ts\n  -> src/commands/pull.ts\n  -> ${SDK}`);
  });

  it("rejects a static import behind a dynamic one's sibling", () => {
    const metafile = metafileOf({
      "src/cli.ts": [
        ["src/lazy.ts", "dynamic-import"],
        ["src/eager.ts", "import-statement"],
      ],
      "src/lazy.ts": [[SDK, "import-statement"]],
      "src/eager.ts": [[SDK, "import-statement"]],
      [SDK]: [],
    });
    expect(() =>
      checkLazyPackages(metafile, "src/cli.ts", ["@aws-sdk/"]),
    ).toThrow(/src\/eager\.ts/);
  });
});

describe("checkLazyPackages with chunks", () => {
  it("accepts a chunk reached only by import()", () => {
    const metafile = metafileOf({
      "src/cli.ts": [["src/config/load.ts", "import-statement"]],
      "src/config/load.ts": [["cosmiconfig", "dynamic-import", "external"]],
    });
    expect(() =>
      checkLazyPackages(metafile, "src/cli.ts", ["cosmiconfig/"]),
    ).not.toThrow();
  });

  it("rejects a chunk imported statically", () => {
    const metafile = metafileOf({
      "src/cli.ts": [["src/config/schema.ts", "import-statement"]],
      "src/config/schema.ts": [["zod", "import-statement", "external"]],
    });
    expect(() => checkLazyPackages(metafile, "src/cli.ts", ["zod/"])).toThrow(
      "src/cli.ts\n  -> src/config/schema.ts\n  -> zod",
    );
  });

  it("matches whole package names only", () => {
    const metafile = metafileOf({
      "src/cli.ts": [["zodiac", "import-statement", "external"]],
    });
    expect(() =>
      checkLazyPackages(metafile, "src/cli.ts", ["zod/"]),
    ).not.toThrow();
  });
});

describe("bundleCli", () => {
  let work: string;
  let bundle: string;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "tamarin-bundle-"));
    bundle = path.join(work, "tamarin.cjs");
    const config = readPackageConfig(ROOT);
    await bundleCli(ROOT, config, config.nodeVersion, bundle);
  });

  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("writes ASCII without a hashbang line", () => {
    const text = fs.readFileSync(bundle, "latin1");
    expect(text.startsWith("#!")).toBe(false);
    // eslint-disable-next-line no-control-regex -- the range is the point
    expect(text.search(/[^\x00-\x7f]/)).toBe(-1);
  });

  it("leaves the chunk packages out", () => {
    const text = fs.readFileSync(bundle, "latin1");
    for (const name of readPackageConfig(ROOT).chunks) {
      expect(text).toContain(`require(${JSON.stringify(name)})`);
    }
    // A name from zod's source, which a bundled copy would contain.
    expect(text).not.toContain("$ZodType");
  });

  it("prints the same help as the JavaScript CLI", () => {
    const bundled = spawnSync(process.execPath, [bundle, "--help"], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    const script = runCli(["--help"]);
    expect(bundled.stderr).toBe("");
    expect(bundled.stdout).toBe(script.stdout);
  });

  it("creates no Intl.Segmenter for ASCII help", () => {
    // Each real string-width copy creates a segmenter when it loads; the
    // fast path loads none of them for ASCII text.
    const counter = path.join(work, "count-segmenters.cjs");
    fs.writeFileSync(
      counter,
      [
        "let count = 0;",
        "const Original = Intl.Segmenter;",
        "Intl.Segmenter = class extends Original {",
        "  constructor(...args) { super(...args); count++; }",
        "};",
        'process.on("exit", () => process.stderr.write(`segmenters: ${count}\\n`));',
      ].join("\n"),
    );
    const bundled = spawnSync(
      process.execPath,
      ["--require", counter, bundle, "--help"],
      { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
    );
    expect(bundled.status).toBe(0);
    expect(bundled.stderr).toBe("segmenters: 0\n");
  });
});
