import Database from "better-sqlite3";
import { ExitCode, TamarinError } from "../errors.js";
import { nativeBindingOptions } from "./database.js";

/** A held lock; `release` gives it up. */
export interface PullLock {
  readonly file: string;
  release(): void;
}

/**
 * Takes the pull lock of the database `dbFile`, or throws a TamarinError
 * with exit code 4 when another process holds it.
 *
 * The lock is an exclusive transaction on the side file `<db>.pull-lock`.
 * SQLite holds it with an OS file lock, which the kernel drops when the
 * process ends, however it ends, so a killed pull never blocks the next.
 */
export function acquirePullLock(dbFile: string): PullLock {
  const file = `${dbFile}.pull-lock`;
  const db = new Database(file, nativeBindingOptions());
  try {
    db.pragma("busy_timeout = 0");
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === "SQLITE_BUSY") {
      throw new TamarinError(
        `another tamarin pull is running on ${dbFile} (it has locked ${file}): wait for it to finish, or stop it`,
        ExitCode.Locked,
      );
    }
    throw error;
  }
  return {
    file,
    release() {
      if (db.inTransaction) db.exec("ROLLBACK");
      db.close();
    },
  };
}
