import type Database from "better-sqlite3";
import { TamarinError } from "../errors.js";
import type { Parameters } from "./parameters.js";

type Statement = Database.Statement<unknown[], unknown>;

/**
 * Prepares one SQL statement, turning SQLite's error into a TamarinError
 * that shows SQLite's message and the statement.
 */
export function prepareStatement(
  db: Database.Database,
  sql: string,
): Statement {
  try {
    return db.prepare(sql);
  } catch (error) {
    throw sqlError(error, sql);
  }
}

/**
 * Binds `parameters` and starts reading rows as arrays of values, in column
 * order. Rows are read one at a time as the caller iterates.
 */
export function iterateRows(
  statement: Statement,
  parameters: Parameters,
): IterableIterator<unknown[]> {
  try {
    return statement.raw().iterate(parameters) as IterableIterator<unknown[]>;
  } catch (error) {
    throw sqlError(error, statement.source);
  }
}

/** Binds `parameters` and runs a statement that returns no rows. */
export function runStatement(
  statement: Statement,
  parameters: Parameters,
): Database.RunResult {
  try {
    return statement.run(parameters);
  } catch (error) {
    throw sqlError(error, statement.source);
  }
}

/**
 * Turns an error from better-sqlite3 into a TamarinError for the user:
 * SQLite errors keep SQLite's message and show the statement, and binding
 * errors name the parameter to pass. Other errors are returned unchanged.
 */
export function sqlError(error: unknown, sql: string): unknown {
  if (!(error instanceof Error)) return error;
  const statement = `\n  in: ${sql.trim()}`;
  const missing = /^Missing named parameter "(.+)"$/.exec(error.message);
  if (missing !== null) {
    return new TamarinError(
      `missing parameter "${missing[1]}": pass --param ${missing[1]}=VALUE${statement}`,
    );
  }
  if (error.message === "Too few parameter values were provided") {
    return new TamarinError(
      `the SQL uses positional parameters (?): name them instead, such as :ip, and pass --param ip=VALUE${statement}`,
    );
  }
  if (error.message === "The supplied SQL string contains no statements") {
    return new TamarinError("no SQL statement given: pass one SQL statement");
  }
  if (
    error.message === "The supplied SQL string contains more than one statement"
  ) {
    return new TamarinError(
      `the SQL contains more than one statement: run them one at a time${statement}`,
    );
  }
  if (error.name === "SqliteError") {
    return new TamarinError(`SQL error: ${error.message}${statement}`);
  }
  return error;
}
