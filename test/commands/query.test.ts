import { spawn } from "node:child_process";
import fs from "node:fs";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CLI, runCliAsync } from "../helpers/cli.js";
import {
  createSampleDatabase,
  createTempFolder,
  insertRecords,
  type TempFolder,
} from "../helpers/sample-database.js";
import { openDatabase } from "../../src/store/database.js";

let folder: TempFolder;
let db: string;

beforeAll(() => {
  folder = createTempFolder();
  db = folder.file("sample.db");
  createSampleDatabase(db);
});

afterAll(() => folder.remove());

function query(args: string[], input?: string) {
  return runCliAsync(["--db", db, "query", ...args], { input });
}

describe("read-only by default", () => {
  test("rejects a write without --write", async () => {
    const result = await query(["DELETE FROM log_records"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("--write");
    expect(result.stderr).toContain("DELETE FROM log_records");
    expect(result.stdout).toBe("");
    const count = await query([
      "SELECT count(*) FROM log_records",
      "-f",
      "csv",
    ]);
    expect(count.stdout).toBe("count(*)\r\n5\r\n");
  });

  test("runs a write with --write and prints the changes", async () => {
    const copy = folder.file("writable.db");
    fs.copyFileSync(db, copy);
    const result = await runCliAsync([
      "--db",
      copy,
      "query",
      "--write",
      "DELETE FROM log_records WHERE bucket = :bucket",
      "--param",
      "bucket=assets",
    ]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("2 rows changed\n");
    const left = openDatabase(copy, { readonly: true });
    try {
      expect(
        left.prepare("SELECT count(*) FROM log_records").pluck().get(),
      ).toBe(3);
    } finally {
      left.close();
    }
  });

  test("rejects --write on a missing database", async () => {
    const result = await runCliAsync([
      "--db",
      folder.file("missing.db"),
      "query",
      "--write",
      "SELECT 1",
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("database not found");
    expect(fs.existsSync(folder.file("missing.db"))).toBe(false);
  });
});

describe("parameters", () => {
  test("binds a text parameter", async () => {
    const result = await query([
      "SELECT count(*) AS n FROM log_records WHERE remote_ip = :ip",
      "--param",
      "ip=198.51.100.7",
      "-f",
      "csv",
    ]);
    expect(result.stdout).toBe("n\r\n2\r\n");
  });

  test("binds injection text as a value", async () => {
    const result = await query([
      "SELECT count(*) AS n FROM log_records WHERE bucket = $bucket",
      "--param",
      "bucket=x' OR '1'='1",
      "-f",
      "csv",
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("n\r\n0\r\n");
  });

  test("binds a plain integer as INTEGER", async () => {
    // count(*) has no affinity, so TEXT '1' would never equal it.
    const result = await query([
      "SELECT bucket FROM log_records GROUP BY bucket HAVING count(*) > @min ORDER BY bucket",
      "-p",
      "min=2",
      "-f",
      "csv",
    ]);
    expect(result.stdout).toBe("bucket\r\nwww\r\n");
  });

  test("--param before the SQL", async () => {
    const result = await query([
      "--param",
      "a=1",
      "-p",
      "b=x",
      "SELECT :a AS a, :b AS b",
      "-f",
      "csv",
    ]);
    expect(result.stdout).toBe("a,b\r\n1,x\r\n");
    expect(result.status).toBe(0);
  });

  test("binds a zero-padded number as TEXT", async () => {
    const result = await query([
      "SELECT typeof(:a) AS a, typeof(:b) AS b, typeof(:c) AS c",
      "-p",
      "a=007",
      "-p",
      "b=-12",
      "-p",
      "c=1.5",
      "-f",
      "csv",
    ]);
    expect(result.stdout).toBe("a,b,c\r\ntext,integer,text\r\n");
  });

  test("names a missing parameter", async () => {
    const result = await query(["SELECT :status AS s"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('missing parameter "status"');
    expect(result.stderr).toContain("--param status=VALUE");
  });

  test("rejects a malformed --param", async () => {
    const result = await query(["SELECT 1", "--param", "novalue"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('invalid --param "novalue"');
  });

  test.each(["csv", "tsv", "json", "ndjson", "table"])(
    "writes integers beyond 2^53 exactly as %s",
    async (format) => {
      const result = await query([
        "SELECT 9007199254740993 AS big, -5 AS small",
        "--format",
        format,
      ]);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain("9007199254740993");
      expect(result.stdout).toContain("-5");
    },
  );

  test("rejects empty SQL as usage", async () => {
    const result = await query(["  "]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("the SQL given is empty");
  });

  test("explains positional parameters", async () => {
    const result = await query(["SELECT ?"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("positional parameters");
  });
});

describe("SQL errors", () => {
  test("show SQLite's message and the statement", async () => {
    const result = await query(["SELECT nonsense FROM log_records"]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "tamarin: SQL error: no such column: nonsense\n  in: SELECT nonsense FROM log_records\n",
    );
  });

  test("raised while reading rows exit 1", async () => {
    const result = await query([
      "SELECT abs(-9223372036854775807 - 1) FROM log_records",
      "-f",
      "csv",
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("SQL error: integer overflow");
  });

  test("reject two statements", async () => {
    const result = await query(["SELECT 1; SELECT 2"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("more than one statement");
  });
});

describe("SQL sources", () => {
  test("reads --file", async () => {
    const file = folder.file("count.sql");
    fs.writeFileSync(
      file,
      "-- count\nSELECT count(*) AS n FROM log_records;\n",
    );
    const result = await query(["--file", file, "-f", "csv"]);
    expect(result.stdout).toBe("n\r\n5\r\n");
  });

  test("reads stdin", async () => {
    const result = await query(
      ["-f", "ndjson"],
      "SELECT count(*) AS n FROM log_records",
    );
    expect(result.stdout).toBe('{"n":5}\n');
  });

  test("rejects an argument and --file together", async () => {
    const result = await query(["SELECT 1", "--file", "x.sql"]);
    expect(result.status).toBe(2);
  });

  test("rejects empty SQL on stdin", async () => {
    const result = await query([], "  \n");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("the SQL given is empty");
  });

  test("rejects SQL of comments only", async () => {
    const result = await query(["/* nothing but a comment */"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("no SQL statement given");
  });
});

describe("output", () => {
  test("writes a gzip file", async () => {
    const file = folder.file("rows.csv.gz");
    const result = await query([
      "SELECT bucket, key FROM log_records ORDER BY line_number LIMIT 2",
      "-f",
      "csv",
      "-o",
      file,
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    const text = zlib.gunzipSync(fs.readFileSync(file)).toString("utf8");
    expect(text).toBe(
      "bucket,key\r\nwww,photos/%25C3%25A9t%25C3%25A9/%25E6%2597%25A5%25E6%259C%25AC.jpg\r\nwww,reports/2024+Q1/sum%253Dtotal.csv\r\n",
    );
    expect(
      fs.readdirSync(folder.path).filter((name) => name.endsWith(".tmp")),
    ).toEqual([]);
  });

  test("reports an unwritable --output", async () => {
    const result = await query([
      "SELECT 1",
      "-o",
      folder.file("no/such/folder/out.csv"),
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("cannot write --output");
  });

  test("rejects a folder as --output", async () => {
    const result = await query(["SELECT 1", "-o", folder.path]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("it is a folder");
    expect(result.stderr).not.toContain("unexpected error");
  });

  test("prints no colour codes into a pipe", async () => {
    const result = await query(["SELECT 1 AS one"]);
    expect(result.stdout).not.toContain("\u001b[");
    expect(result.stdout).toContain("│ one │");
  });

  test("caps a table at 1,000 rows with a note", async () => {
    const result = await query([
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 5000) SELECT i FROM n",
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("│ 1000 │");
    expect(result.stdout).not.toContain("│ 1001 │");
    expect(result.stderr).toContain("first 1,000 rows");
    expect(result.stderr).toContain("--format csv");
  });

  test("renames duplicate columns in JSON", async () => {
    const result = await query(["SELECT 1 AS a, 2 AS a", "-f", "json"]);
    expect(result.stdout).toBe('[\n{"a":1,"a_2":2}\n]\n');
  });

  test("stops quietly when the reader closes stdout", async () => {
    const big = folder.file("big.db");
    const records = Array.from({ length: 20000 }, (_, index) => ({
      line_number: index,
      user_agent: `agent ${index}`,
    }));
    createSampleDatabase(big, []);
    const handle = openDatabase(big);
    insertRecords(handle, "s3://logs/big", records);
    handle.close();

    // Read one chunk, then close the pipe as `head` does.
    const child = spawn(
      process.execPath,
      [CLI, "--db", big, "query", "SELECT * FROM log_records", "-f", "csv"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once("data", () => child.stdout.destroy());
    const status = await new Promise((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(status).toBe(0);
  });
});
