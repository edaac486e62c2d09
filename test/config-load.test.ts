import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { DEFAULT_CONFIG, loadConfig } from "../src/config/load.js";
import { TamarinError } from "../src/errors.js";
import { makeTempDir } from "./helpers/cli.js";

let dir: string;
let remove: () => void;

beforeEach(() => {
  ({ dir, remove } = makeTempDir("config"));
  // The search ends in the user's config folder, so point that into the test.
  process.env.XDG_CONFIG_HOME = path.join(dir, "xdg");
  delete process.env.TAMARIN_CONFIG;
});

afterEach(() => {
  remove();
});

function write(relative: string, text: string): string {
  const file = path.join(dir, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

async function loadError(options: {
  config?: string;
  cwd?: string;
}): Promise<TamarinError> {
  const error: unknown = await loadConfig({ cwd: dir, ...options }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TamarinError);
  return error as TamarinError;
}

const BUCKET = { name: "shop-site", logBucket: "shop-logs" };

describe("file forms", () => {
  const forms: [string, string][] = [
    [".tamarinrc", "concurrency: 3\n"],
    [".tamarinrc.json", '{ "concurrency": 3 }\n'],
    [".tamarinrc.yaml", "concurrency: 3\n"],
    [".tamarinrc.yml", "concurrency: 3\n"],
    ["tamarin.config.json", '{ "concurrency": 3 }\n'],
    ["tamarin.config.js", "module.exports = { concurrency: 3 };\n"],
    ["tamarin.config.cjs", "module.exports = { concurrency: 3 };\n"],
    ["tamarin.config.mjs", "export default { concurrency: 3 };\n"],
    [
      "package.json",
      '{ "name": "site", "version": "1.0.0", "tamarin": { "concurrency": 3 } }\n',
    ],
  ];
  test.each(forms)("%s is found", async (name, text) => {
    const file = write(name, text);
    const loaded = await loadConfig({ cwd: dir });
    expect(loaded.file).toBe(file);
    expect(loaded.config.concurrency).toBe(3);
  });
});

test("package.json without tamarin is skipped", async () => {
  write("package.json", '{ "name": "site" }\n');
  const loaded = await loadConfig({ cwd: dir });
  expect(loaded.file).toBeNull();
});

test("search goes upward from a subfolder", async () => {
  const file = write(".tamarinrc.json", '{ "concurrency": 5 }');
  const sub = path.join(dir, "a", "b");
  fs.mkdirSync(sub, { recursive: true });
  const loaded = await loadConfig({ cwd: sub });
  expect(loaded.file).toBe(file);
  expect(loaded.config.concurrency).toBe(5);
});

test("nearest file wins over a parent's", async () => {
  write(".tamarinrc.json", '{ "concurrency": 5 }');
  const nearer = write("a/tamarin.config.json", '{ "concurrency": 6 }');
  const loaded = await loadConfig({ cwd: path.join(dir, "a") });
  expect(loaded.file).toBe(nearer);
  expect(loaded.config.concurrency).toBe(6);
});

test("user config folder is searched last", async () => {
  const file = write("xdg/tamarin/config.yaml", "concurrency: 9\n");
  fs.mkdirSync(path.join(dir, "project"));
  const loaded = await loadConfig({ cwd: path.join(dir, "project") });
  expect(loaded.file).toBe(file);
  expect(loaded.config.concurrency).toBe(9);
});

test("--config overrides the search", async () => {
  write(".tamarinrc.json", '{ "concurrency": 5 }');
  const other = write("elsewhere/my-config.yaml", "concurrency: 7\n");
  const loaded = await loadConfig({
    cwd: dir,
    config: "elsewhere/my-config.yaml",
  });
  expect(loaded.file).toBe(other);
  expect(loaded.config.concurrency).toBe(7);
});

test("TAMARIN_CONFIG overrides the search", async () => {
  write(".tamarinrc.json", '{ "concurrency": 5 }');
  const other = write("elsewhere/env.json", '{ "concurrency": 11 }');
  process.env.TAMARIN_CONFIG = other;
  const loaded = await loadConfig({ cwd: dir });
  expect(loaded.file).toBe(other);
  expect(loaded.config.concurrency).toBe(11);
});

test("--config wins over TAMARIN_CONFIG", async () => {
  process.env.TAMARIN_CONFIG = write("env.json", '{ "concurrency": 11 }');
  const flag = write("flag.json", '{ "concurrency": 12 }');
  const loaded = await loadConfig({ cwd: dir, config: "flag.json" });
  expect(loaded.file).toBe(flag);
  expect(loaded.config.concurrency).toBe(12);
});

test("--config to a missing file fails", async () => {
  const error = await loadError({ config: "nope.json" });
  expect(error.message).toContain(path.join(dir, "nope.json"));
  expect(error.message).toContain("config file not found");
});

test("--config to a package.json without tamarin", async () => {
  const file = write("package.json", '{ "name": "site" }\n');
  const loaded = await loadConfig({ cwd: dir, config: "package.json" });
  expect(loaded.file).toBe(file);
  expect(loaded.config).toEqual(DEFAULT_CONFIG);
});

test("defaults without a config file", async () => {
  const loaded = await loadConfig({ cwd: dir });
  expect(loaded.file).toBeNull();
  expect(loaded.config).toEqual({
    pullIntervalMinutes: 5,
    purgeParsedKeys: false,
    concurrency: 8,
    lookback: "2d",
    buckets: [],
  });
});

test("empty file gives defaults", async () => {
  const file = write(".tamarinrc.yaml", "# nothing yet\n");
  const loaded = await loadConfig({ cwd: dir });
  expect(loaded.file).toBe(file);
  expect(loaded.config).toEqual(DEFAULT_CONFIG);
});

test("bucket defaults are filled in", async () => {
  write(".tamarinrc.json", JSON.stringify({ buckets: [BUCKET] }));
  const { config } = await loadConfig({ cwd: dir });
  expect(config.buckets).toEqual([
    { name: "shop-site", logBucket: "shop-logs", logPrefix: "", monitor: true },
  ]);
});

test("all bucket settings are read", async () => {
  const bucket = {
    name: "shop-site",
    logBucket: "shop-logs",
    logPrefix: "shop/",
    region: "eu-west-1",
    endpoint: "http://127.0.0.1:9000",
    forcePathStyle: true,
    profile: "logs-reader",
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_SUPPORTED",
    monitor: false,
  };
  write(".tamarinrc.json", JSON.stringify({ buckets: [bucket] }));
  const { config } = await loadConfig({ cwd: dir });
  expect(config.buckets).toEqual([bucket]);
});

test("several buckets may share a log location", async () => {
  write(
    ".tamarinrc.json",
    JSON.stringify({
      buckets: [
        { name: "shop-site", logBucket: "all-logs", logPrefix: "logs/" },
        { name: "blog-site", logBucket: "all-logs", logPrefix: "logs/" },
      ],
    }),
  );
  const { config } = await loadConfig({ cwd: dir });
  expect(config.buckets).toHaveLength(2);
});

test("empty buckets key in YAML means none", async () => {
  write(".tamarinrc.yaml", "concurrency: 2\nbuckets:\n");
  const { config } = await loadConfig({ cwd: dir });
  expect(config.buckets).toEqual([]);
});

describe("database path", () => {
  test("relative path is resolved from the config folder", async () => {
    write("conf/.tamarinrc.json", '{ "database": "data/logs.db" }');
    fs.mkdirSync(path.join(dir, "conf", "sub"));
    const { config } = await loadConfig({ cwd: path.join(dir, "conf/sub") });
    expect(config.database).toBe(path.join(dir, "conf", "data", "logs.db"));
  });

  test("absolute path is kept", async () => {
    write(".tamarinrc.json", '{ "database": "/var/lib/tamarin/logs.db" }');
    const { config } = await loadConfig({ cwd: dir });
    expect(config.database).toBe("/var/lib/tamarin/logs.db");
  });

  test("unset without a database key", async () => {
    write(".tamarinrc.json", "{}");
    const { config } = await loadConfig({ cwd: dir });
    expect(config.database).toBeUndefined();
  });
});

describe("validation errors", () => {
  // Each case: file content, then text the error must contain. Every
  // message names the path in the file, the value and the expected form.
  const cases: [string, unknown, string[]][] = [
    [
      "bad log bucket",
      { buckets: [BUCKET, { name: "blog-site", logBucket: "My_Logs" }] },
      [
        'buckets[1].logBucket: invalid value "My_Logs"',
        'it contains "M"',
        "Expected an S3 bucket name",
      ],
    ],
    [
      "missing log bucket",
      { buckets: [{ name: "shop-site" }] },
      ["buckets[0].logBucket is missing", "Expected an S3 bucket name"],
    ],
    [
      "short bucket name",
      { buckets: [{ name: "ab", logBucket: "shop-logs" }] },
      ['buckets[0].name: invalid value "ab"', "3 to 63"],
    ],
    [
      "concurrency out of range",
      { concurrency: 65 },
      ["concurrency: invalid value 65", "Expected an integer from 1 to 64"],
    ],
    [
      "concurrency not an integer",
      { concurrency: 2.5 },
      ["concurrency: invalid value 2.5", "an integer from 1 to 64"],
    ],
    [
      "zero pull interval",
      { pullIntervalMinutes: 0 },
      ["pullIntervalMinutes: invalid value 0", "greater than 0"],
    ],
    [
      "string pull interval",
      { pullIntervalMinutes: "5" },
      ['pullIntervalMinutes: invalid value "5"', "a number of minutes"],
    ],
    [
      "bad lookback",
      { lookback: "two days" },
      ['lookback: invalid value "two days"', 'such as "2d"'],
    ],
    [
      "purge as a string",
      { purgeParsedKeys: "yes" },
      ['purgeParsedKeys: invalid value "yes"', "Expected true or false"],
    ],
    [
      "endpoint without scheme",
      { buckets: [{ ...BUCKET, endpoint: "127.0.0.1:9000" }] },
      ['buckets[0].endpoint: invalid value "127.0.0.1:9000"', "http or https"],
    ],
    [
      "uppercase region",
      { buckets: [{ ...BUCKET, region: "EU-West-1" }] },
      ['buckets[0].region: invalid value "EU-West-1"', "eu-west-1"],
    ],
    [
      "bad checksum mode",
      { buckets: [{ ...BUCKET, requestChecksumCalculation: "NEVER" }] },
      [
        'buckets[0].requestChecksumCalculation: invalid value "NEVER"',
        '"WHEN_SUPPORTED" or "WHEN_REQUIRED"',
      ],
    ],
    [
      "bucket that is not an object",
      { buckets: ["shop-site"] },
      ['buckets[0]: invalid value "shop-site"', "at least name and logBucket"],
    ],
    [
      "buckets not a list",
      { buckets: { name: "shop-site" } },
      ["buckets: invalid value", "a list of buckets"],
    ],
    [
      "duplicate bucket",
      { buckets: [BUCKET, BUCKET] },
      [
        'buckets[1].name: invalid value "shop-site"',
        "already listed at buckets[0]",
      ],
    ],
    [
      "typo in a bucket key",
      { buckets: [{ ...BUCKET, logprefix: "x/" }] },
      ["buckets[0].logprefix: unknown key", 'Did you mean "logPrefix"?'],
    ],
    [
      "unknown top-level key",
      { concurrancy: 4 },
      ["concurrancy: unknown key", 'Did you mean "concurrency"?'],
    ],
    [
      "top level not an object",
      ["shop-site"],
      ["the file: invalid value", "an object with settings"],
    ],
  ];
  test.each(cases)("%s", async (_name, content, expected) => {
    const file = write(".tamarinrc.json", JSON.stringify(content));
    const error = await loadError({});
    expect(error.message).toContain(`invalid config file ${file}`);
    for (const text of expected) expect(error.message).toContain(text);
  });

  test("every problem is listed", async () => {
    write(
      ".tamarinrc.json",
      JSON.stringify({ concurrency: 0, lookback: "x", buckets: [{}] }),
    );
    const error = await loadError({});
    expect(error.message).toContain("concurrency:");
    expect(error.message).toContain("lookback:");
    expect(error.message).toContain("buckets[0].name is missing");
    expect(error.message).toContain("buckets[0].logBucket is missing");
  });

  test("credentials are rejected without echoing them", async () => {
    write(
      ".tamarinrc.yaml",
      [
        "buckets:",
        "  - name: shop-site",
        "    logBucket: shop-logs",
        "    secretAccessKey: wJalrXUtnFEMI-K7MDENG",
        "aws_access_key_id: AKIAIOSFODNN7EXAMPLE",
        "",
      ].join("\n"),
    );
    const error = await loadError({});
    expect(error.message).toContain("buckets[0].secretAccessKey:");
    expect(error.message).toContain("aws_access_key_id:");
    expect(error.message).toContain("credentials are not accepted");
    expect(error.message).toContain('"profile"');
    expect(error.message).not.toContain("wJalrXUtnFEMI");
    expect(error.message).not.toContain("AKIAIOSFODNN7EXAMPLE");
  });

  test("YAML syntax error names the file", async () => {
    const file = write(".tamarinrc.yaml", "buckets: [\n");
    const error = await loadError({});
    expect(error.message).toContain(`cannot read config file ${file}`);
  });

  test("JSON syntax error names the file", async () => {
    const file = write("tamarin.config.json", '{ "concurrency": 3, }');
    const error = await loadError({});
    expect(error.message).toContain(`cannot read config file ${file}`);
  });

  test("unsupported extension with --config", async () => {
    write("tamarin.toml", "concurrency = 3\n");
    const error = await loadError({ config: "tamarin.toml" });
    expect(error.message).toContain("unsupported config file type");
    expect(error.message).toContain("tamarin.toml");
  });

  test("invalid JS config names the file and path", async () => {
    const file = write(
      "tamarin.config.mjs",
      "export default { buckets: [{ name: 'shop-site', logBucket: 'x' }] };\n",
    );
    const error = await loadError({});
    expect(error.message).toContain(`invalid config file ${file}`);
    expect(error.message).toContain('buckets[0].logBucket: invalid value "x"');
  });
});
