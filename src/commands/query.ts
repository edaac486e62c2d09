import Table from "cli-table3";
import type { Argv, CommandModule } from "yargs";
import { TamarinError } from "../errors.js";
import { openDatabase } from "../store/database.js";
import { databasePath, type GlobalOptions } from "./global-options.js";

interface QueryOptions extends GlobalOptions {
  readonly sql: string;
}

export const queryCommand: CommandModule<GlobalOptions, QueryOptions> = {
  command: "query <sql>",
  describe: "Run an SQL query on the database and print the rows as a table.",
  builder: (yargs: Argv<GlobalOptions>) =>
    yargs.positional("sql", {
      describe: 'SQL to run, such as "SELECT count(*) FROM log_records"',
      type: "string",
      demandOption: true,
    }) as Argv<QueryOptions>,
  handler: async (options) => {
    const db = openDatabase(await databasePath(options), { readonly: true });
    try {
      let statement;
      try {
        statement = db.prepare(options.sql);
      } catch (error) {
        throw new TamarinError(
          `SQL error: ${(error as Error).message}\n  in: ${options.sql}`,
        );
      }
      if (!statement.reader) {
        throw new TamarinError(`the statement returns no rows: ${options.sql}`);
      }
      const columns = statement.columns().map((column) => column.name);
      const table = new Table({ head: columns });
      for (const row of statement.raw().iterate() as Iterable<unknown[]>) {
        table.push(
          row.map((value) => (value === null ? "NULL" : String(value))),
        );
      }
      process.stdout.write(`${table.toString()}\n`);
    } finally {
      db.close();
    }
  },
};
