import fs from "node:fs";
import type { Argv, CommandModule } from "yargs";
import { ExitCode, TamarinError } from "../errors.js";
import { plural } from "../format.js";
import {
  withOutputOptions,
  withRawOption,
  type OutputOptions,
  type RawOption,
} from "../output/options.js";
import { parseParameters } from "../sql/parameters.js";
import {
  iterateRows,
  prepareStatement,
  runStatement,
  sqlError,
} from "../sql/statement.js";
import { databasePath, type GlobalOptions } from "./global-options.js";

interface QueryOptions extends GlobalOptions, OutputOptions, RawOption {
  readonly sql?: string;
  readonly file?: string;
  readonly param: string[];
  readonly write: boolean;
}

export const queryCommand: CommandModule<GlobalOptions, QueryOptions> = {
  command: "query [sql]",
  describe:
    "Run one SQL statement on the database and print its rows. The SQL comes from the argument, from --file, or from stdin when neither is given. The database is opened read-only unless --write is given. SQL functions: url_decode(text) decodes %XX escapes and keeps + as is; decode_key(key, operation) returns the real object key, decoding twice or once as S3 encoded it for that operation.",
  builder: (yargs: Argv<GlobalOptions>) =>
    withRawOption(
      withOutputOptions(
        yargs
          .positional("sql", {
            describe:
              'SQL to run, such as "SELECT remote_ip, sum(bytes_sent) FROM log_records GROUP BY 1 ORDER BY 2 DESC LIMIT 10"',
            type: "string",
          })
          .option("file", {
            describe: "Read the SQL from this file",
            type: "string",
            requiresArg: true,
          })
          .option("param", {
            alias: "p",
            describe:
              "Bind a named parameter, as name=value; the SQL refers to it as :name, @name or $name. A plain integer such as 404 is bound as an INTEGER, anything else as TEXT. Repeatable.",
            type: "string",
            array: true,
            // One value per --param, so that --param a=1 "SELECT :a" keeps the SQL.
            nargs: 1,
            default: [],
            requiresArg: true,
          })
          .option("write", {
            describe:
              "Allow statements that change the database (INSERT, UPDATE, DELETE, CREATE...); prints the number of rows changed",
            type: "boolean",
            default: false,
          })
          .example(
            '$0 query "SELECT count(*) FROM log_records WHERE http_status = :status" --param status=404',
            "Count the 404 responses",
          )
          .example(
            "$0 query --file top-ips.sql --format csv --output top-ips.csv",
            "Run a query from a file and save its rows as CSV",
          ) as Argv<GlobalOptions>,
      ),
    ) as Argv<QueryOptions>,
  handler: async (options) => {
    // Load the database and output code only when a query runs, so that
    // --help and the other commands start without it.
    const { createRowWriter, writeRows } =
      await import("../output/row-writer.js");
    const { openDatabase } = await import("../store/database.js");

    // Read the SQL and the parameters.
    const sql = await readSql(options);
    if (sql.trim() === "") {
      throw new TamarinError(
        'the SQL given is empty: pass a statement, such as tamarin query "SELECT count(*) FROM log_records"',
        ExitCode.Usage,
      );
    }
    const parameters = parseParameters(options.param);

    // Open the database and prepare the statement.
    const file = await databasePath(options);
    if (options.write && !fs.existsSync(file)) {
      throw new TamarinError(
        `database not found: ${file}. Run "tamarin import" or "tamarin pull" first, or pass --db.`,
      );
    }
    const db = openDatabase(file, { readonly: !options.write });
    try {
      const statement = prepareStatement(db, sql);
      if (!statement.readonly && !options.write) {
        throw new TamarinError(
          `the statement would change the database, which is opened read-only: pass --write to allow it\n  in: ${sql.trim()}`,
        );
      }

      // A statement without result columns, such as UPDATE, reports its changes.
      if (!statement.reader) {
        const result = runStatement(statement, parameters);
        process.stdout.write(`${plural(result.changes, "row")} changed\n`);
        return;
      }

      // Stream the rows. Integers come as BigInt, so that one beyond 2^53
      // is written exactly; every output format writes a BigInt's digits.
      statement.safeIntegers(true);
      const rows = iterateRows(statement, parameters);
      let writer;
      try {
        writer = createRowWriter({
          format: options.format,
          output: options.output,
          raw: options.raw,
          columns: statement.columns().map((column) => column.name),
        });
      } catch (error) {
        rows.return?.();
        throw error;
      }
      try {
        await writeRows(writer, rows);
      } catch (error) {
        throw sqlError(error, sql);
      }
    } finally {
      db.close();
    }
  },
};

/** Returns the SQL from the argument, --file or stdin, in that order. */
async function readSql(options: QueryOptions): Promise<string> {
  if (options.sql !== undefined && options.file !== undefined) {
    throw new TamarinError(
      "both an SQL argument and --file were given: pass one of them",
      ExitCode.Usage,
    );
  }
  if (options.sql !== undefined) return options.sql;
  if (options.file !== undefined) {
    try {
      return fs.readFileSync(options.file, "utf8");
    } catch (error) {
      throw new TamarinError(
        `cannot read --file ${options.file}: ${(error as Error).message}`,
      );
    }
  }
  if (process.stdin.isTTY) {
    throw new TamarinError(
      'no SQL given: pass it as an argument, such as tamarin query "SELECT count(*) FROM log_records", or with --file, or on stdin',
      ExitCode.Usage,
    );
  }
  let sql = "";
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) sql += chunk as string;
  return sql;
}
