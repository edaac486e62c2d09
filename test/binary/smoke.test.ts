import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { logObject } from "../helpers/log-lines.js";
import { startS3, type TestS3 } from "../helpers/s3rver.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TARGET = `${process.platform}-${process.arch}`;
const BINARY = path.join(
  ROOT,
  "dist",
  `tamarin-${TARGET}${process.platform === "win32" ? ".exe" : ""}`,
);
const BUILT = fs.existsSync(BINARY);
const DEMO_FIXTURES = path.join(ROOT, "fixtures", "demo");
const VERSION = (
  JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    version: string;
  }
).version;

interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let work: string;
/** Environment with no Node.js on PATH and private home, cache and temp. */
let isolatedEnv: Record<string, string>;

interface RunOptions {
  /** Variables added to `isolatedEnv`. */
  readonly env?: Record<string, string>;
  /** Working folder; the test folder by default. */
  readonly cwd?: string;
}

/**
 * Runs the binary with `isolatedEnv`. The run is asynchronous, so an
 * s3rver in this process keeps serving requests while it runs.
 */
function runBinary(
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(BINARY, args, {
      cwd: options.cwd ?? work,
      env: { ...isolatedEnv, ...options.env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      stdout += text;
    });
    child.stderr.setEncoding("utf8").on("data", (text: string) => {
      stderr += text;
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    // An empty stdin, so a command that reads it never waits.
    child.stdin.end();
  });
}

/** Returns the single value of a one-row, one-column query table. */
function tableValue(table: string): string {
  const dataRow = table.split("\n").find((line, index) => {
    return index > 2 && line.startsWith("│");
  });
  return (dataRow ?? "").replaceAll("│", "").trim();
}

describe.skipIf(!BUILT)(
  BUILT
    ? `binary dist/tamarin-${TARGET}`
    : `binary (skipped: dist/tamarin-${TARGET} is missing; run npm run build:binary)`,
  () => {
    beforeAll(() => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), "tamarin-binary-"));
      const emptyBin = path.join(work, "bin");
      for (const folder of ["bin", "home", "cache", "tmp", "logs"]) {
        fs.mkdirSync(path.join(work, folder));
      }
      isolatedEnv = {
        PATH: emptyBin,
        HOME: path.join(work, "home"),
        XDG_CACHE_HOME: path.join(work, "cache"),
        TMPDIR: path.join(work, "tmp"),
        XDG_CONFIG_HOME: path.join(work, "home", ".config"),
        AWS_EC2_METADATA_DISABLED: "true",
        NO_COLOR: "1",
        // Windows processes expect these; sockets fail without SystemRoot.
        ...(process.env.SystemRoot && { SystemRoot: process.env.SystemRoot }),
        ...(process.env.windir && { windir: process.env.windir }),
      };
      for (let index = 0; index < 3; index++) {
        fs.writeFileSync(
          path.join(work, "logs", `2019-02-06-0${index}-00-00-EXAMPLE${index}`),
          logObject(index, 200, 50),
        );
      }
    });

    afterAll(() => {
      fs.rmSync(work, { recursive: true, force: true });
    });

    it("prints the package version", async () => {
      const result = await runBinary(["--version"]);
      expect(result.stderr).toBe("");
      expect(result.stdout.trim()).toBe(VERSION);
      expect(result.status).toBe(0);
    });

    it("starts with the recorded code cache", async () => {
      const result = await runBinary(["--version"], {
        env: { TAMARIN_CODE_CACHE_REPORT: "1" },
      });
      expect(result.stderr).toBe("code cache accepted\n");
      expect(result.status).toBe(0);
    });

    it("prints the same help as the JavaScript CLI", async () => {
      const binary = await runBinary(["--help"]);
      const script = runCli(["--help"]);
      expect(binary.status).toBe(0);
      expect(binary.stdout).toBe(script.stdout);
    });

    it("imports log files and queries them", async () => {
      const db = path.join(work, "logs.db");
      const imported = await runBinary(["--db", db, "import", "logs"]);
      expect(imported.stderr).toMatch(
        /^imported 3 objects, 588 records, 12 rejected/,
      );
      expect(imported.status).toBe(0);

      const counted = await runBinary([
        "--db",
        db,
        "query",
        "SELECT count(*) AS n FROM log_records",
      ]);
      expect(counted.status).toBe(0);
      expect(tableValue(counted.stdout)).toBe("588");
    });

    it("prints the same query table as the JavaScript CLI", async () => {
      const db = path.join(work, "logs.db");
      const sql =
        "SELECT remote_ip, count(*) AS requests FROM log_records GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5";
      // The table's column widths come from the bundle's string width code.
      const plain = { FORCE_COLOR: "0" };
      const binary = await runBinary(["--db", db, "query", sql], {
        env: plain,
      });
      const script = runCli(["--db", db, "query", sql], { env: plain });
      expect(binary.status).toBe(0);
      expect(binary.stdout).toContain("192.0.2.");
      expect(binary.stdout).toBe(script.stdout);
    });

    it("exports the same CSV as the JavaScript CLI", async () => {
      const db = path.join(work, "logs.db");
      const args = ["--db", db, "export", "--format", "csv"];
      const binary = await runBinary(args);
      const script = runCli(args);
      expect(binary.status).toBe(0);
      expect(binary.stdout.split("\r\n")).toHaveLength(588 + 2);
      expect(binary.stdout).toBe(script.stdout);
    });

    it("exports NDJSON to a gzip file", async () => {
      const db = path.join(work, "logs.db");
      const file = path.join(work, "export.ndjson.gz");
      const args = ["--db", db, "export", "--format", "ndjson"];
      const result = await runBinary([...args, "--output", file]);
      expect(result.status).toBe(0);
      const lines = gunzipSync(fs.readFileSync(file))
        .toString("utf8")
        .trimEnd()
        .split("\n");
      expect(lines).toHaveLength(588);
      expect(JSON.parse(lines[0]!)).toHaveProperty("bucket");
    });

    it("prints the same schema as the JavaScript CLI", async () => {
      const binary = await runBinary(["schema"], { env: { FORCE_COLOR: "0" } });
      const script = runCli(["schema"], { env: { FORCE_COLOR: "0" } });
      expect(binary.status).toBe(0);
      expect(binary.stdout).toContain("log_records");
      expect(binary.stdout).toBe(script.stdout);
    });

    it("reports an SQL error with exit code 1", async () => {
      const db = path.join(work, "logs.db");
      const result = await runBinary(["--db", db, "query", "SELECT nope FROM"]);
      expect(result.stderr).toMatch(/^tamarin: SQL error/);
      expect(result.status).toBe(1);
    });

    it("shows status of the imported database", async () => {
      const db = path.join(work, "logs.db");
      const result = await runBinary(["--db", db, "status"]);
      expect(result.stdout).toMatch(/records:\s+588/);
      expect(result.status).toBe(0);
    });

    it("imports a gzip log file", async () => {
      const db = path.join(work, "gzip.db");
      const file = path.join(work, "access.log.gz");
      fs.writeFileSync(file, gzipSync(logObject(9, 30)));
      const imported = await runBinary(["--db", db, "import", file]);
      expect(imported.stderr).toMatch(/^imported 1 object, 30 records/);
      expect(imported.status).toBe(0);
    });

    it("rejects an unknown command with exit code 2", async () => {
      const result = await runBinary(["frobnicate"]);
      expect(result.stderr).toMatch(/^tamarin: unknown command "frobnicate"/);
      expect(result.status).toBe(2);
    });

    it.skipIf(!fs.existsSync(DEMO_FIXTURES))(
      "imports the demo fixtures like the JavaScript CLI",
      async () => {
        const binaryDb = path.join(work, "demo-binary.db");
        const scriptDb = path.join(work, "demo-script.db");
        const sql = "SELECT count(*) FROM log_records";
        const binaryImport = await runBinary([
          "--db",
          binaryDb,
          "import",
          DEMO_FIXTURES,
        ]);
        expect(binaryImport.status).toBe(0);
        const scriptImport = runCli([
          "--db",
          scriptDb,
          "import",
          DEMO_FIXTURES,
        ]);
        expect(scriptImport.status).toBe(0);
        // Both runs get FORCE_COLOR=0, so neither colours its table.
        const plain = { FORCE_COLOR: "0" };
        const binary = await runBinary(["--db", binaryDb, "query", sql], {
          env: plain,
        });
        const script = runCli(["--db", scriptDb, "query", sql], { env: plain });
        expect(Number(tableValue(binary.stdout))).toBeGreaterThan(0);
        expect(binary.stdout).toBe(script.stdout);
      },
    );

    it("extracts the addon once into XDG_CACHE_HOME", () => {
      const folder = path.join(work, "cache", "tamarin");
      const files = fs.readdirSync(folder);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^better_sqlite3-[0-9a-f]{16}\.node$/);
    });

    it.skipIf(process.platform === "win32")(
      "falls back to the temp folder",
      async () => {
        // A regular file where the cache folder should be makes every
        // mkdir under it fail, even for root.
        const blocker = path.join(work, "not-a-folder");
        fs.writeFileSync(blocker, "");
        const db = path.join(work, "fallback.db");
        const result = await runBinary(["--db", db, "import", "logs"], {
          env: { HOME: blocker, XDG_CACHE_HOME: path.join(blocker, "cache") },
        });
        expect(result.stderr).toMatch(/^imported 3 objects/);
        expect(result.status).toBe(0);
        const uid = process.getuid!();
        const fallback = path.join(work, "tmp", `tamarin-${uid}`);
        expect(fs.readdirSync(fallback)).toEqual(
          fs.readdirSync(path.join(work, "cache", "tamarin")),
        );
      },
    );

    it.skipIf(process.platform === "win32")(
      "fails when no folder accepts the addon",
      async () => {
        const blocker = path.join(work, "blocker-file");
        fs.writeFileSync(blocker, "");
        const result = await runBinary(
          ["--db", path.join(work, "none.db"), "import", "logs"],
          {
            env: {
              HOME: blocker,
              XDG_CACHE_HOME: path.join(blocker, "cache"),
              TMPDIR: blocker,
            },
          },
        );
        expect(result.stderr).toMatch(
          /^tamarin: failed to extract and load the SQLite addon/,
        );
        expect(result.status).toBe(1);
      },
    );

    it("adds and lists a configured bucket", async () => {
      const folder = path.join(work, "configured");
      fs.mkdirSync(folder);
      const args = ["buckets", "add", "site", "--log-bucket", "site-logs"];
      const added = await runBinary(args, { cwd: folder });
      expect(added.status).toBe(0);
      expect(fs.existsSync(path.join(folder, "tamarin.config.json"))).toBe(
        true,
      );

      const listed = await runBinary(["buckets", "list"], { cwd: folder });
      expect(listed.stdout).toContain("s3://site-logs/");
      expect(listed.status).toBe(0);
    });

    it("loads an ES module config file", async () => {
      // The binary has no file-based require(); import() must still work.
      const folder = path.join(work, "module-config");
      fs.mkdirSync(folder);
      fs.writeFileSync(
        path.join(folder, "tamarin.config.mjs"),
        'export default { buckets: [{ name: "site", logBucket: "mjs-logs" }] };\n',
      );
      const listed = await runBinary(["buckets", "list"], { cwd: folder });
      expect(listed.stderr).toBe("");
      expect(listed.stdout).toContain("s3://mjs-logs/");
      expect(listed.status).toBe(0);
    });

    it("edits a YAML config file", async () => {
      // Reading the file loads the cosmiconfig chunk, and editing it the
      // yaml chunk.
      const folder = path.join(work, "yaml-config");
      fs.mkdirSync(folder);
      const file = path.join(folder, ".tamarinrc.yaml");
      fs.writeFileSync(
        file,
        "# Buckets to pull\nbuckets:\n  - name: site\n    logBucket: yaml-logs\n",
      );
      const args = ["buckets", "add", "shop", "--log-bucket", "shop-logs"];
      const added = await runBinary(args, { cwd: folder });
      expect(added.status).toBe(0);
      const edited = fs.readFileSync(file, "utf8");
      expect(edited).toContain("# Buckets to pull\n");
      expect(edited).toContain("logBucket: shop-logs");

      const listed = await runBinary(["buckets", "list"], { cwd: folder });
      expect(listed.stderr).toBe("");
      expect(listed.stdout).toContain("s3://yaml-logs/");
      expect(listed.stdout).toContain("s3://shop-logs/");
      expect(listed.status).toBe(0);
    });

    describe("against s3rver", () => {
      let s3: TestS3;
      let folder: string;

      beforeAll(async () => {
        s3 = await startS3(["shop-site", "smoke-logs"]);
        folder = path.join(work, "s3");
        fs.mkdirSync(folder);

        // Three log objects of 100 lines, 2 of them malformed each.
        for (let index = 0; index < 3; index++) {
          await s3.client.send(
            new PutObjectCommand({
              Bucket: "smoke-logs",
              Key: `access/2019-02-06-0${index}-00-00-EXAMPLE${index}`,
              Body: logObject(index, 100, 50),
            }),
          );
        }
        const config = {
          buckets: [
            {
              name: "awsexamplebucket1",
              logBucket: "smoke-logs",
              logPrefix: "access/",
              endpoint: s3.endpoint,
              region: "us-east-1",
              forcePathStyle: true,
              requestChecksumCalculation: "WHEN_REQUIRED",
              responseChecksumValidation: "WHEN_REQUIRED",
            },
          ],
        };
        fs.writeFileSync(
          path.join(folder, "tamarin.config.json"),
          JSON.stringify(config),
        );
      });

      afterAll(async () => {
        await s3.close();
      });

      it("reads bucket logging with the SDK", async () => {
        // s3rver returns a GetBucketLogging response that the SDK reads as
        // "logging disabled", so this run fails after a signed request.
        const args = ["buckets", "add", "shop-site"];
        args.push("--endpoint", s3.endpoint, "--path-style");
        const result = await runBinary(args, { env: s3.env, cwd: folder });
        expect(result.stderr).toContain(
          'server access logging is not enabled on bucket "shop-site"',
        );
        expect(result.status).toBe(1);
      });

      it("pulls the log objects once", async () => {
        const db = path.join(folder, "pulled.db");
        const args = ["--db", db, "pull", "--once"];
        const pulled = await runBinary(args, { env: s3.env, cwd: folder });
        expect(pulled.stderr).toMatch(
          /^pulled 3 objects, 294 records, 6 rejected, 0 skipped/,
        );
        expect(pulled.status).toBe(0);

        const sql = "SELECT count(*) FROM log_records";
        const counted = await runBinary(["--db", db, "query", sql]);
        expect(tableValue(counted.stdout)).toBe("294");
      });

      it("skips the pulled objects on the next pull", async () => {
        const db = path.join(folder, "pulled.db");
        const args = ["--db", db, "pull", "--once", "--json"];
        const again = await runBinary(args, { env: s3.env, cwd: folder });
        expect(again.status).toBe(0);
        expect(JSON.parse(again.stdout)).toMatchObject({
          pulled: 0,
          skipped: 3,
        });
      });
    });
  },
);
