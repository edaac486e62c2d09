import type Database from "better-sqlite3";
import { decodeKey, urlDecode } from "./url-decode.js";

/**
 * Registers Tamarin's SQL functions on a connection:
 * - `url_decode(text)` decodes `%XX` escapes and keeps `+` as it is;
 * - `decode_key(key, operation)` returns the real object key of a record.
 * Both return a NULL or other non-text first argument unchanged. Invalid
 * escapes stay in the text as written instead of raising an error.
 */
export function registerSqlFunctions(db: Database.Database): void {
  db.function("url_decode", { deterministic: true }, (text: unknown) =>
    typeof text === "string" ? urlDecode(text) : text,
  );
  db.function(
    "decode_key",
    { deterministic: true },
    (key: unknown, operation: unknown) =>
      typeof key === "string"
        ? decodeKey(key, typeof operation === "string" ? operation : null)
        : key,
  );
}
