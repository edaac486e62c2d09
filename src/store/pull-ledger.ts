import type { Statement } from "better-sqlite3";
import type { Db } from "./database.js";
import type { LedgerEntry } from "./ingest.js";

/**
 * Largest code point: its UTF-8 form sorts after every other character, so
 * `prefix + MAX_CHAR` bounds a range of sources that start with `prefix`.
 */
const MAX_CHAR = String.fromCodePoint(0x10ffff);

/** First year searched for simple-layout keys: S3 opened in 2006. */
const FIRST_LOG_YEAR = 2006;

/**
 * Read-only queries on the `log_objects` ledger that `pull` uses to decide
 * where listing starts. Sources are `s3://<logBucket>/<key>`, compared as
 * SQLite's BINARY text, which is S3's UTF-8 byte order.
 */
export class PullLedger {
  private readonly findStatement: Statement<[string], LedgerEntry>;
  private readonly lastInRange: Statement<[string, string], { source: string }>;

  constructor(db: Db) {
    this.findStatement = db.prepare(
      "SELECT * FROM log_objects WHERE source = ?",
    );
    this.lastInRange = db.prepare(
      "SELECT source FROM log_objects WHERE source >= ? AND source < ? ORDER BY source DESC LIMIT 1",
    );
  }

  /** Returns the ledger row for `source`, if that object was ingested. */
  find(source: string): LedgerEntry | undefined {
    return this.findStatement.get(source);
  }

  /** Returns the greatest source that starts with `prefix`, if any. */
  lastWithPrefix(prefix: string): string | undefined {
    return this.lastInRange.get(prefix, prefix + MAX_CHAR)?.source;
  }

  /**
   * Returns the greatest simple-layout source directly under `base`
   * (`s3://<logBucket>/<logPrefix>`), that is the newest by key time.
   *
   * Partitioned keys under the same prefix start with a 12-digit account
   * ID, which can sort anywhere among `YYYY-` names. Searching one year at a
   * time, in the range `YYYY-` to `YYYY.`, skips them: `.` follows `-` in
   * byte order, and account IDs have a digit where the `-` is.
   */
  lastSimpleSource(base: string, now: Date = new Date()): string | undefined {
    for (let year = now.getUTCFullYear() + 1; year >= FIRST_LOG_YEAR; year--) {
      const row = this.lastInRange.get(`${base}${year}-`, `${base}${year}.`);
      if (row) return row.source;
    }
    return undefined;
  }
}
