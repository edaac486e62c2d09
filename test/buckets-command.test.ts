import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { makeTempDir, runCliAsync } from "./helpers/cli.js";

let dir: string;
let remove: () => void;

beforeEach(() => {
  ({ dir, remove } = makeTempDir("buckets"));
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

function read(relative: string): string {
  return fs.readFileSync(path.join(dir, relative), "utf8");
}

function tamarin(...args: string[]) {
  return runCliAsync(args, { cwd: dir });
}

describe("add", () => {
  test("creates tamarin.config.json when absent", async () => {
    const result = await tamarin(
      "buckets",
      "add",
      "shop-site",
      "--log-bucket",
      "shop-logs",
      "--log-prefix",
      "shop/",
    );
    expect(result.stderr).toContain(
      `created ${path.join(dir, "tamarin.config.json")}`,
    );
    expect(result.status).toBe(0);
    expect(read("tamarin.config.json")).toBe(
      [
        "{",
        '  "buckets": [',
        "    {",
        '      "name": "shop-site",',
        '      "logBucket": "shop-logs",',
        '      "logPrefix": "shop/",',
        '      "monitor": true',
        "    }",
        "  ]",
        "}",
        "",
      ].join("\n"),
    );
  });

  test("writes every connection option", async () => {
    const result = await tamarin(
      "buckets",
      "add",
      "shop-site",
      "--log-bucket",
      "shop-logs",
      "--region",
      "eu-west-1",
      "--endpoint",
      "http://127.0.0.1:9000",
      "--path-style",
      "--profile",
      "logs-reader",
      "--no-monitor",
    );
    expect(result.status).toBe(0);
    expect(JSON.parse(read("tamarin.config.json"))).toEqual({
      buckets: [
        {
          name: "shop-site",
          logBucket: "shop-logs",
          logPrefix: "",
          region: "eu-west-1",
          endpoint: "http://127.0.0.1:9000",
          forcePathStyle: true,
          profile: "logs-reader",
          monitor: false,
        },
      ],
    });
  });

  test("creates a YAML file named by --config", async () => {
    const result = await tamarin(
      "--config",
      "conf/tamarin.yaml",
      "buckets",
      "add",
      "shop-site",
      "--log-bucket",
      "shop-logs",
    );
    expect(result.stderr).toBe(
      `cannot write ${path.join(dir, "conf/tamarin.yaml")}: the folder ${path.join(dir, "conf")} does not exist\n`.replace(
        /^/,
        "tamarin: ",
      ),
    );
    expect(result.status).toBe(1);

    fs.mkdirSync(path.join(dir, "conf"));
    const second = await tamarin(
      "--config",
      "conf/tamarin.yaml",
      "buckets",
      "add",
      "shop-site",
      "--log-bucket",
      "shop-logs",
    );
    expect(second.status).toBe(0);
    expect(read("conf/tamarin.yaml")).toBe(
      [
        "buckets:",
        "  - name: shop-site",
        "    logBucket: shop-logs",
        '    logPrefix: ""',
        "    monitor: true",
        "",
      ].join("\n"),
    );
  });

  test("JSON keeps key order, indentation and other keys", async () => {
    const original = [
      "{",
      '    "database": "logs.db",',
      '    "buckets": [',
      '        { "name": "shop-site", "logBucket": "shop-logs" }',
      "    ],",
      '    "lookback": "3d"',
      "}",
      "",
    ].join("\n");
    write(".tamarinrc.json", original);
    const result = await tamarin(
      "buckets",
      "add",
      "blog-site",
      "--log-bucket",
      "shop-logs",
    );
    expect(result.status).toBe(0);
    expect(read(".tamarinrc.json")).toBe(
      [
        "{",
        '    "database": "logs.db",',
        '    "buckets": [',
        "        {",
        '            "name": "shop-site",',
        '            "logBucket": "shop-logs"',
        "        },",
        "        {",
        '            "name": "blog-site",',
        '            "logBucket": "shop-logs",',
        '            "logPrefix": "",',
        '            "monitor": true',
        "        }",
        "    ],",
        '    "lookback": "3d"',
        "}",
        "",
      ].join("\n"),
    );
  });

  test("package.json keeps its other fields", async () => {
    const pkg = {
      name: "site",
      version: "1.2.3",
      scripts: { build: "tsc" },
      tamarin: { concurrency: 4 },
      license: "MIT",
    };
    write("package.json", `${JSON.stringify(pkg, null, 2)}\n`);
    const result = await tamarin(
      "buckets",
      "add",
      "shop-site",
      "--log-bucket",
      "shop-logs",
    );
    expect(result.status).toBe(0);
    const written = JSON.parse(read("package.json")) as Record<string, unknown>;
    expect(Object.keys(written)).toEqual([
      "name",
      "version",
      "scripts",
      "tamarin",
      "license",
    ]);
    expect(written.tamarin).toEqual({
      concurrency: 4,
      buckets: [
        {
          name: "shop-site",
          logBucket: "shop-logs",
          logPrefix: "",
          monitor: true,
        },
      ],
    });
  });

  test("package.json named by --config gains a tamarin key", async () => {
    write("package.json", '{\n  "name": "site"\n}\n');
    const result = await tamarin(
      "--config",
      "package.json",
      "buckets",
      "add",
      "shop-site",
      "--log-bucket",
      "shop-logs",
    );
    expect(result.status).toBe(0);
    expect(JSON.parse(read("package.json"))).toEqual({
      name: "site",
      tamarin: {
        buckets: [
          {
            name: "shop-site",
            logBucket: "shop-logs",
            logPrefix: "",
            monitor: true,
          },
        ],
      },
    });
  });

  test("duplicate name suggests enable or remove", async () => {
    write(
      ".tamarinrc.json",
      JSON.stringify({
        buckets: [
          {
            name: "shop-site",
            logBucket: "shop-logs",
            logPrefix: "shop/",
            monitor: false,
          },
        ],
      }),
    );
    const before = read(".tamarinrc.json");
    const result = await tamarin(
      "buckets",
      "add",
      "shop-site",
      "--log-bucket",
      "other-logs",
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('bucket "shop-site" is already in');
    expect(result.stderr).toContain("tamarin buckets enable shop-site");
    expect(result.stderr).toContain("tamarin buckets remove shop-site");
    expect(read(".tamarinrc.json")).toBe(before);
  });

  test("shared log location is accepted", async () => {
    for (const name of ["shop-site", "blog-site"]) {
      const result = await tamarin(
        "buckets",
        "add",
        name,
        "--log-bucket",
        "all-logs",
        "--log-prefix",
        "logs/",
      );
      expect(result.status).toBe(0);
    }
    const list = await tamarin("buckets", "list", "--format", "json");
    const names = (JSON.parse(list.stdout) as { name: string }[]).map(
      (bucket) => bucket.name,
    );
    expect(names).toEqual(["shop-site", "blog-site"]);
  });

  // bucket-name.test.ts has the full rule table, and these check the CLI path.
  const invalidNames: [string, string][] = [
    ["ab", "it has 2 characters, but a bucket name has 3 to 63"],
    ["Shop-Site", 'it contains "S"'],
    ["192.168.5.4", "formatted as an IP address"],
    ["shop--x-s3", 'it ends with "--x-s3"'],
  ];
  test.each(invalidNames)("rejects bucket name %s", async (name, rule) => {
    const result = await tamarin(
      "buckets",
      "add",
      name,
      "--log-bucket",
      "shop-logs",
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`invalid bucket name "${name}": `);
    expect(result.stderr).toContain(rule);
    expect(fs.existsSync(path.join(dir, "tamarin.config.json"))).toBe(false);
  });

  test("rejects an invalid --log-bucket", async () => {
    const result = await tamarin(
      "buckets",
      "add",
      "shop-site",
      "--log-bucket",
      "Shop_Logs",
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('invalid --log-bucket "Shop_Logs"');
  });

  test("rejects an endpoint that is not a URL", async () => {
    const result = await tamarin(
      "buckets",
      "add",
      "shop-site",
      "--log-bucket",
      "shop-logs",
      "--endpoint",
      "127.0.0.1:9000",
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('invalid --endpoint "127.0.0.1:9000"');
  });

  test("accepts dotted names and digits", async () => {
    const result = await tamarin(
      "buckets",
      "add",
      "www.example.com",
      "--log-bucket",
      "123-logs",
    );
    expect(result.status).toBe(0);
  });
});

describe("YAML editing", () => {
  const original = [
    "# Tamarin settings for the shop",
    "database: logs.db   # beside this file",
    "",
    "# Buckets we watch",
    "buckets:",
    "  # the shop front",
    "  - name: shop-site",
    "    logBucket: shop-logs",
    '    logPrefix: "shop/"   # keep the slash',
    "    monitor: true",
    "",
    "  - name: blog-site",
    "    logBucket: shop-logs",
    "    logPrefix: 'blog/'",
    "# end of file",
    "",
  ].join("\n");

  beforeEach(() => {
    write(".tamarinrc.yaml", original);
  });

  test("add appends after the last item", async () => {
    const result = await tamarin(
      "buckets",
      "add",
      "news-site",
      "--log-bucket",
      "shop-logs",
      "--log-prefix",
      "news: #1/",
    );
    expect(result.status).toBe(0);
    const lines = original.split("\n");
    lines.splice(
      14,
      0,
      "  - name: news-site",
      "    logBucket: shop-logs",
      '    logPrefix: "news: #1/"',
      "    monitor: true",
    );
    expect(read(".tamarinrc.yaml")).toBe(lines.join("\n"));
  });

  test("add then remove restores the file", async () => {
    await tamarin("buckets", "add", "news-site", "--log-bucket", "shop-logs");
    const result = await tamarin("buckets", "remove", "news-site");
    expect(result.status).toBe(0);
    expect(read(".tamarinrc.yaml")).toBe(original);
  });

  test("disable then enable restores the file", async () => {
    const disabled = await tamarin("buckets", "disable", "shop-site");
    expect(disabled.status).toBe(0);
    expect(read(".tamarinrc.yaml")).toBe(
      original.replace("    monitor: true", "    monitor: false"),
    );
    const enabled = await tamarin("buckets", "enable", "shop-site");
    expect(enabled.status).toBe(0);
    expect(read(".tamarinrc.yaml")).toBe(original);
  });

  test("disable adds monitor where absent", async () => {
    const result = await tamarin("buckets", "disable", "blog-site");
    expect(result.status).toBe(0);
    expect(read(".tamarinrc.yaml")).toBe(
      original.replace(
        "    logPrefix: 'blog/'\n",
        "    logPrefix: 'blog/'\n    monitor: false\n",
      ),
    );
  });

  test("enable of a monitored bucket leaves the file alone", async () => {
    const before = fs.statSync(path.join(dir, ".tamarinrc.yaml")).mtimeMs;
    const result = await tamarin("buckets", "enable", "blog-site");
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("already has monitor: true");
    expect(fs.statSync(path.join(dir, ".tamarinrc.yaml")).mtimeMs).toBe(before);
  });

  test("remove keeps every other line", async () => {
    const result = await tamarin("buckets", "remove", "shop-site");
    expect(result.status).toBe(0);
    const lines = original.split("\n");
    lines.splice(6, 4);
    expect(read(".tamarinrc.yaml")).toBe(lines.join("\n"));
  });

  test("remove of the last item leaves an empty list", async () => {
    await tamarin("buckets", "remove", "shop-site");
    await tamarin("buckets", "remove", "blog-site");
    const list = await tamarin("buckets", "list", "--format", "json");
    expect(list.status).toBe(0);
    expect(list.stdout).toBe("[]\n");
    const added = await tamarin(
      "buckets",
      "add",
      "news-site",
      "--log-bucket",
      "shop-logs",
    );
    expect(added.status).toBe(0);
    expect(read(".tamarinrc.yaml")).toContain(
      "buckets:\n  - name: news-site\n",
    );
  });

  test("unindented sequence keeps its style", async () => {
    write(
      ".tamarinrc.yaml",
      "buckets:\n- name: shop-site\n  logBucket: shop-logs\n",
    );
    await tamarin("buckets", "add", "blog-site", "--log-bucket", "shop-logs");
    expect(read(".tamarinrc.yaml")).toBe(
      [
        "buckets:",
        "- name: shop-site",
        "  logBucket: shop-logs",
        "- name: blog-site",
        "  logBucket: shop-logs",
        '  logPrefix: ""',
        "  monitor: true",
        "",
      ].join("\n"),
    );
  });

  test("file without final newline", async () => {
    write(
      ".tamarinrc.yml",
      "buckets:\n  - name: shop-site\n    logBucket: x-logs",
    );
    fs.rmSync(path.join(dir, ".tamarinrc.yaml"));
    const result = await tamarin("buckets", "disable", "shop-site");
    expect(result.status).toBe(0);
    expect(read(".tamarinrc.yml")).toBe(
      "buckets:\n  - name: shop-site\n    logBucket: x-logs\n    monitor: false\n",
    );
  });

  test("flow-style list is edited", async () => {
    write(
      ".tamarinrc.yaml",
      "# flow style\nbuckets: [{ name: shop-site, logBucket: shop-logs }]\n",
    );
    const result = await tamarin("buckets", "disable", "shop-site");
    expect(result.status).toBe(0);
    const text = read(".tamarinrc.yaml");
    expect(text).toContain("# flow style\n");
    expect(text).toContain("monitor: false");
  });

  test("config without buckets key gains one", async () => {
    write(".tamarinrc.yaml", "# only settings\nconcurrency: 4\n");
    await tamarin("buckets", "add", "shop-site", "--log-bucket", "shop-logs");
    expect(read(".tamarinrc.yaml")).toBe(
      [
        "# only settings",
        "concurrency: 4",
        "buckets:",
        "  - name: shop-site",
        "    logBucket: shop-logs",
        '    logPrefix: ""',
        "    monitor: true",
        "",
      ].join("\n"),
    );
  });

  test("CRLF line ends are kept", async () => {
    const crlf = original.replace(/\n/g, "\r\n");
    write(".tamarinrc.yaml", crlf);
    await tamarin("buckets", "disable", "blog-site");
    expect(read(".tamarinrc.yaml")).toBe(
      crlf.replace(
        "    logPrefix: 'blog/'\r\n",
        "    logPrefix: 'blog/'\r\n    monitor: false\r\n",
      ),
    );
  });

  test("$import file is not rewritten", async () => {
    write("base.yaml", "concurrency: 2\n");
    write(".tamarinrc.yaml", "$import: base.yaml\nbuckets: []\n");
    const result = await tamarin(
      "buckets",
      "add",
      "shop-site",
      "--log-bucket",
      "shop-logs",
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("uses $import");
    expect(result.stderr).toContain('{ name: "shop-site"');
    expect(read(".tamarinrc.yaml")).toBe("$import: base.yaml\nbuckets: []\n");
  });

  test("comment-only file is edited, not replaced", async () => {
    write(".tamarinrc.yaml", "# to fill in\n");
    await tamarin("buckets", "add", "shop-site", "--log-bucket", "shop-logs");
    expect(fs.existsSync(path.join(dir, "tamarin.config.json"))).toBe(false);
    expect(read(".tamarinrc.yaml")).toMatch(/^# to fill in\nbuckets:\n/);
  });
});

describe("JSON editing", () => {
  const original = `${JSON.stringify(
    {
      buckets: [
        { name: "shop-site", logBucket: "shop-logs", monitor: true },
        { name: "blog-site", logBucket: "shop-logs" },
      ],
      concurrency: 2,
    },
    null,
    2,
  )}\n`;

  beforeEach(() => {
    write("tamarin.config.json", original);
  });

  test("disable then enable restores the file", async () => {
    await tamarin("buckets", "disable", "shop-site");
    expect(read("tamarin.config.json")).toBe(
      original.replace('"monitor": true', '"monitor": false'),
    );
    await tamarin("buckets", "enable", "shop-site");
    expect(read("tamarin.config.json")).toBe(original);
  });

  test("add then remove restores the file", async () => {
    await tamarin("buckets", "add", "news-site", "--log-bucket", "shop-logs");
    const result = await tamarin("buckets", "remove", "news-site");
    expect(result.status).toBe(0);
    expect(read("tamarin.config.json")).toBe(original);
  });

  test(".tamarinrc with JSON stays JSON", async () => {
    fs.rmSync(path.join(dir, "tamarin.config.json"));
    write(".tamarinrc", original);
    await tamarin("buckets", "disable", "shop-site");
    expect(read(".tamarinrc")).toBe(
      original.replace('"monitor": true', '"monitor": false'),
    );
  });

  test("unknown name lists the known ones", async () => {
    const result = await tamarin("buckets", "remove", "news-site");
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `tamarin: bucket "news-site" is not in ${path.join(dir, "tamarin.config.json")}. Known buckets: shop-site, blog-site.\n`,
    );
  });

  test("invalid config is not edited", async () => {
    write("tamarin.config.json", '{ "buckets": [{ "name": "shop-site" }] }\n');
    const result = await tamarin("buckets", "disable", "shop-site");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("buckets[0].logBucket is missing");
  });

  test("a symbolic link is followed", async () => {
    fs.renameSync(
      path.join(dir, "tamarin.config.json"),
      path.join(dir, "real.json"),
    );
    fs.symlinkSync("real.json", path.join(dir, "tamarin.config.json"));
    await tamarin("buckets", "disable", "shop-site");
    expect(
      fs.lstatSync(path.join(dir, "tamarin.config.json")).isSymbolicLink(),
    ).toBe(true);
    expect(read("real.json")).toContain('"monitor": false');
  });
});

describe("JavaScript config", () => {
  const original =
    "module.exports = {\n  buckets: [{ name: 'shop-site', logBucket: 'shop-logs' }],\n};\n";

  beforeEach(() => {
    write("tamarin.config.cjs", original);
  });

  test("add prints the entry to add by hand", async () => {
    const result = await tamarin(
      "buckets",
      "add",
      "blog-site",
      "--log-bucket",
      "shop-logs",
      "--log-prefix",
      "blog/",
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      [
        `tamarin: ${path.join(dir, "tamarin.config.cjs")} is a JavaScript config, which tamarin does not rewrite. Add this entry to its buckets list:`,
        '  { name: "blog-site", logBucket: "shop-logs", logPrefix: "blog/", monitor: true },',
        "",
      ].join("\n"),
    );
    expect(read("tamarin.config.cjs")).toBe(original);
  });

  test("disable says what to change", async () => {
    const result = await tamarin("buckets", "disable", "shop-site");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'Set monitor: false in the entry with name "shop-site".',
    );
    expect(read("tamarin.config.cjs")).toBe(original);
  });

  test("remove says what to delete", async () => {
    const result = await tamarin("buckets", "remove", "shop-site");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'Remove the entry with name "shop-site" from its buckets list.',
    );
  });

  test("list reads it", async () => {
    const result = await tamarin("buckets", "list", "--format", "json");
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      {
        name: "shop-site",
        log_location: "s3://shop-logs/",
        region: null,
        endpoint: null,
        monitor: true,
      },
    ]);
  });
});

describe("list", () => {
  const config = [
    "buckets:",
    "  - { name: shop-site, logBucket: shop-logs, logPrefix: shop/ }",
    "  - name: blog-site",
    "    logBucket: shop-logs",
    "    region: eu-west-1",
    "    endpoint: http://127.0.0.1:9000",
    "    monitor: false",
    "",
  ].join("\n");

  test("prints a table", async () => {
    write(".tamarinrc.yaml", config);
    const result = await tamarin("buckets", "list");
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(
      [
        "┌───────────┬──────────────────────┬───────────┬───────────────────────┬─────────┐",
        "│ name      │ log_location         │ region    │ endpoint              │ monitor │",
        "├───────────┼──────────────────────┼───────────┼───────────────────────┼─────────┤",
        "│ shop-site │ s3://shop-logs/shop/ │ NULL      │ NULL                  │ true    │",
        "│ blog-site │ s3://shop-logs/      │ eu-west-1 │ http://127.0.0.1:9000 │ false   │",
        "└───────────┴──────────────────────┴───────────┴───────────────────────┴─────────┘",
        "",
      ].join("\n"),
    );
  });

  test("prints CSV with empty unset fields", async () => {
    write(".tamarinrc.yaml", config);
    const result = await tamarin("buckets", "list", "--format", "csv");
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(
      [
        "name,log_location,region,endpoint,monitor",
        "shop-site,s3://shop-logs/shop/,,,true",
        "blog-site,s3://shop-logs/,eu-west-1,http://127.0.0.1:9000,false",
        "",
      ].join("\r\n"),
    );
  });

  test("prints TSV", async () => {
    write(".tamarinrc.yaml", config);
    const result = await tamarin("buckets", "list", "-f", "tsv");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      [
        "name\tlog_location\tregion\tendpoint\tmonitor",
        "shop-site\ts3://shop-logs/shop/\t\t\ttrue",
        "blog-site\ts3://shop-logs/\teu-west-1\thttp://127.0.0.1:9000\tfalse",
        "",
      ].join("\n"),
    );
  });

  test("prints JSON with null for unset", async () => {
    write(".tamarinrc.yaml", config);
    const result = await tamarin("buckets", "list", "--format", "json");
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(
      [
        "[",
        '{"name":"shop-site","log_location":"s3://shop-logs/shop/","region":null,"endpoint":null,"monitor":true},',
        '{"name":"blog-site","log_location":"s3://shop-logs/","region":"eu-west-1","endpoint":"http://127.0.0.1:9000","monitor":false}',
        "]",
        "",
      ].join("\n"),
    );
  });

  test("prints NDJSON", async () => {
    write(".tamarinrc.yaml", config);
    const result = await tamarin("buckets", "list", "--format", "ndjson");
    expect(result.status).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
    expect(JSON.parse(lines[0]!)).toEqual({
      name: "shop-site",
      log_location: "s3://shop-logs/shop/",
      region: null,
      endpoint: null,
      monitor: true,
    });
    expect(JSON.parse(lines[1]!)).toEqual({
      name: "blog-site",
      log_location: "s3://shop-logs/",
      region: "eu-west-1",
      endpoint: "http://127.0.0.1:9000",
      monitor: false,
    });
  });

  test("--output writes a file", async () => {
    write(".tamarinrc.yaml", config);
    const result = await tamarin(
      "buckets",
      "list",
      "--format",
      "csv",
      "--output",
      "buckets.csv",
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("");
    expect(read("buckets.csv")).toBe(
      [
        "name,log_location,region,endpoint,monitor",
        "shop-site,s3://shop-logs/shop/,,,true",
        "blog-site,s3://shop-logs/,eu-west-1,http://127.0.0.1:9000,false",
        "",
      ].join("\r\n"),
    );
  });

  test("--output in a missing folder fails", async () => {
    write(".tamarinrc.yaml", config);
    const result = await tamarin("buckets", "list", "-o", "nowhere/b.csv");
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      "tamarin: cannot write --output nowhere/b.csv",
    );
  });

  test("unknown format is a usage error", async () => {
    write(".tamarinrc.yaml", config);
    const result = await tamarin("buckets", "list", "--format", "xml");
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      'invalid --format "xml": expected table, csv, tsv, json, ndjson',
    );
  });

  test("without a config says so on stderr", async () => {
    const result = await tamarin("buckets", "list");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("no config file found");
  });

  test("without a config CSV has a header only", async () => {
    const result = await tamarin("buckets", "list", "--format", "csv");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("name,log_location,region,endpoint,monitor\r\n");
    expect(result.stderr).toBe("");
  });

  test("TAMARIN_CONFIG names the file", async () => {
    write(
      "conf/mine.json",
      JSON.stringify({ buckets: [{ name: "shop-site", logBucket: "x-logs" }] }),
    );
    const result = await runCliAsync(["buckets", "list", "--format", "json"], {
      cwd: dir,
      env: { TAMARIN_CONFIG: "conf/mine.json" },
    });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      {
        name: "shop-site",
        log_location: "s3://x-logs/",
        region: null,
        endpoint: null,
        monitor: true,
      },
    ]);
  });

  test("--config wins over TAMARIN_CONFIG", async () => {
    write(
      "a.json",
      JSON.stringify({ buckets: [{ name: "aaa", logBucket: "x-logs" }] }),
    );
    write(
      "b.json",
      JSON.stringify({ buckets: [{ name: "bbb", logBucket: "x-logs" }] }),
    );
    const result = await runCliAsync(
      ["--config", "b.json", "buckets", "list", "--format", "json"],
      { cwd: dir, env: { TAMARIN_CONFIG: "a.json" } },
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('"bbb"');
  });
});

describe("enable and disable", () => {
  test("without a config file", async () => {
    const result = await tamarin("buckets", "enable", "shop-site");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `bucket "shop-site" is not configured: no config file was found in ${dir}`,
    );
  });

  test("no subcommand is a usage error", async () => {
    const result = await tamarin("buckets");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      "name a buckets command: add, list, remove, enable, disable",
    );
  });
});

describe("database path", () => {
  test("config database is used", async () => {
    write("conf/.tamarinrc.json", '{ "database": "data/logs.db" }');
    fs.mkdirSync(path.join(dir, "conf", "sub"));
    const result = await runCliAsync(["status"], {
      cwd: path.join(dir, "conf/sub"),
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `database not found: ${path.join(dir, "conf", "data", "logs.db")}`,
    );
  });

  test("--db wins over the config", async () => {
    write(".tamarinrc.json", '{ "database": "data/logs.db" }');
    const result = await tamarin("--db", "other.db", "status");
    expect(result.stderr).toContain(
      `database not found: ${path.join(dir, "other.db")}`,
    );
  });

  test("TAMARIN_DB wins over the config", async () => {
    write(".tamarinrc.json", '{ "database": "data/logs.db" }');
    const result = await runCliAsync(["status"], {
      cwd: dir,
      env: { TAMARIN_DB: "env.db" },
    });
    expect(result.stderr).toContain(
      `database not found: ${path.join(dir, "env.db")}`,
    );
  });

  test("./tamarin.db without a config", async () => {
    const result = await tamarin("status");
    expect(result.stderr).toContain(
      `database not found: ${path.join(dir, "tamarin.db")}`,
    );
  });

  test("query and import use the config database", async () => {
    write(".tamarinrc.json", '{ "database": "data/logs.db" }');
    fs.mkdirSync(path.join(dir, "data"));
    write("one.log", "");
    const imported = await tamarin("import", "one.log");
    expect(imported.status).toBe(0);
    expect(fs.existsSync(path.join(dir, "data", "logs.db"))).toBe(true);
    const query = await tamarin(
      "query",
      "SELECT count(*) AS n FROM log_objects",
    );
    expect(query.status).toBe(0);
    expect(query.stdout).toContain("1");
  });
});
