import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { TamarinError, ExitCode } from "../errors.js";
import { makeFolder } from "../make-folder.js";
import { registerSqlFunctions } from "../sql/functions.js";
import { MIGRATIONS } from "./migrations.js";
import { loadSeaAddon } from "./native-addon.js";

export type Db = Database.Database;

export interface OpenOptions {
  /** Open without write access; the file must exist. */
  readonly readonly?: boolean;
}

/**
 * Opens the SQLite file at `file`, creating it and its folder when needed,
 * and brings its schema up to date. Read-only opens skip both. Either way
 * the connection gets Tamarin's SQL functions such as decode_key.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  try {
    return openOrThrow(file, options);
  } catch (error) {
    if (error instanceof TamarinError) throw error;
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string" || !code.startsWith("SQLITE_")) throw error;
    throw new TamarinError(
      `cannot open database ${file}: ${(error as Error).message}. Check that --db names a Tamarin database file, not a folder, in a folder you can write.`,
    );
  }
}

function openOrThrow(file: string, options: OpenOptions): Db {
  if (options.readonly) {
    if (!fs.existsSync(file)) {
      throw new TamarinError(
        `database not found: ${file}. Run "tamarin import" or "tamarin pull" first, or pass --db.`,
        ExitCode.Failure,
      );
    }
    const db = new Database(file, {
      ...nativeBindingOptions(),
      readonly: true,
      fileMustExist: true,
    });
    db.pragma("busy_timeout = 5000");
    checkVersion(db, file);
    registerSqlFunctions(db);
    return db;
  }

  const folder = path.dirname(path.resolve(file));
  try {
    makeFolder(folder);
  } catch (error) {
    throw new TamarinError(
      `cannot create the folder ${folder} for database ${file}: ${(error as Error).message}. Pass --db with a path in a folder you can write.`,
    );
  }
  const db = new Database(file, nativeBindingOptions());
  // WAL lets queries run while a pull writes. synchronous=NORMAL keeps every
  // committed transaction across a process crash; only a power cut can lose
  // the last ones, and the ledger then makes the next run redo them.
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  db.pragma("cache_size = -65536");
  // A checkpoint copies the WAL into the database and syncs both files.
  // Every 10,000 pages (about 40 MB) instead of SQLite's 1,000 keeps that
  // cost off most commits; a pull of small objects commits many times.
  db.pragma("wal_autocheckpoint = 10000");
  migrate(db, file);
  registerSqlFunctions(db);
  return db;
}

/**
 * Returns the options that point better-sqlite3 at the addon embedded in
 * the single executable, or none outside it. Every `new Database()` must
 * pass them, because the executable has no addon file where better-sqlite3
 * looks by default.
 */
export function nativeBindingOptions(): Database.Options {
  const addon = loadSeaAddon();
  if (addon === undefined) return {};
  // better-sqlite3 12 also accepts a loaded addon object as nativeBinding,
  // but @types/better-sqlite3 9.6 declares only the path form.
  return { nativeBinding: addon as unknown as string };
}

function checkVersion(db: Db, file: string): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new TamarinError(
      `database ${file} has schema version ${version}, newer than this tamarin supports (${MIGRATIONS.length}). Upgrade tamarin.`,
      ExitCode.Failure,
    );
  }
}

function migrate(db: Db, file: string): void {
  checkVersion(db, file);
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version === 0) {
    // Schema version 0 with tables in it is some other application's file:
    // adding Tamarin's tables to it would change data that is not ours.
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name LIMIT 3",
      )
      .pluck()
      .all() as string[];
    if (tables.length > 0) {
      db.close();
      throw new TamarinError(
        `${file} is not a Tamarin database: it already has tables (${tables.join(", ")}). Pass --db with a new file name.`,
      );
    }
  }
  for (let index = version; index < MIGRATIONS.length; index++) {
    const apply = db.transaction(() => {
      db.exec(MIGRATIONS[index]!);
      db.pragma(`user_version = ${index + 1}`);
    });
    apply.immediate();
  }
}
