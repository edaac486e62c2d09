import type { Argv, CommandModule } from "yargs";
import { withOutputOptions, type OutputOptions } from "../output/options.js";
import type { GlobalOptions } from "./global-options.js";

interface SchemaOptions extends GlobalOptions, OutputOptions {}

export const schemaCommand: CommandModule<GlobalOptions, SchemaOptions> = {
  command: "schema",
  describe:
    "List every table and column of the database with its type and meaning. Needs no database file.",
  builder: (yargs: Argv<GlobalOptions>) => withOutputOptions(yargs),
  handler: async (options) => {
    // Loaded here, so that --help and the other commands start without
    // SQLite and the output code.
    const { createRowWriter, writeRows } =
      await import("../output/row-writer.js");
    const { describeSchema } = await import("../sql/schema.js");
    const columns = describeSchema();
    const writer = createRowWriter({
      format: options.format,
      output: options.output,
      columns: ["table", "column", "type", "description"],
    });
    await writeRows(
      writer,
      columns.map((column) => [
        column.table,
        column.column,
        column.type,
        column.description,
      ]),
    );
  },
};
