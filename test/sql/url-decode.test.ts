import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { decodeKey, formDecode, urlDecode } from "../../src/sql/url-decode.js";
import { openDatabase, type Db } from "../../src/store/database.js";
import {
  createTempFolder,
  type TempFolder,
} from "../helpers/sample-database.js";

describe("urlDecode", () => {
  test.each([
    ["plain/key.txt", "plain/key.txt"],
    ["a%20b", "a b"],
    ["a+b", "a+b"],
    ["%3D%3d", "=="],
    ["caf%C3%A9", "café"],
    ["%E6%97%A5%E6%9C%AC", "日本"],
    ["%F0%9F%A6%8E", "🦎"],
    ["100%", "100%"],
    ["%Z1", "%Z1"],
    ["%4", "%4"],
    ["%", "%"],
    ["%FF", "%FF"],
    ["%C3", "%C3"],
    ["%C3%28", "%C3("],
    ["%C0%AF", "%C0%AF"],
    ["%ED%A0%80", "%ED%A0%80"],
    ["ok%FFok%41", "ok%FFokA"],
    ["%25252F", "%252F"],
  ])("decodes %j as %j", (input, expected) => {
    expect(urlDecode(input)).toBe(expected);
  });
});

describe("formDecode", () => {
  test("turns plus into space", () => {
    expect(formDecode("Screen+Shot+2024.png")).toBe("Screen Shot 2024.png");
  });

  test("keeps an encoded plus", () => {
    expect(formDecode("a%2Bb")).toBe("a+b");
  });
});

describe("decodeKey", () => {
  test.each([
    ["foo-%2525Y", "REST.GET.OBJECT", "foo-%Y"],
    ["foo-%2525Y", "WEBSITE.GET.OBJECT", "foo-%Y"],
    ["foo-%2525Y", "BATCH.DELETE.OBJECT", "foo-%25Y"],
    ["foo-%2525Y", "S3.EXPIRE.OBJECT", "foo-%25Y"],
    ["a%253Db", "REST.PUT.OBJECT", "a=b"],
    ["Screen+Shot.png", "BATCH.DELETE.OBJECT", "Screen Shot.png"],
    ["a%2Bb", "BATCH.DELETE.OBJECT", "a+b"],
    ["a%252Bb", "REST.GET.OBJECT", "a+b"],
    ["a%2Bb", "REST.GET.OBJECT", "a b"],
    ["photos/%25C3%25A9t%25C3%25A9.jpg", "REST.GET.OBJECT", "photos/été.jpg"],
    ["broken-%25ZZ", "REST.GET.OBJECT", "broken-%ZZ"],
  ])("decodes %j for %s as %j", (key, operation, expected) => {
    expect(decodeKey(key, operation)).toBe(expected);
  });

  test("decodes twice without an operation", () => {
    expect(decodeKey("a%253Db", null)).toBe("a=b");
  });
});

describe("SQL functions", () => {
  let folder: TempFolder;
  let db: Db;

  beforeAll(() => {
    folder = createTempFolder();
    db = openDatabase(folder.file("functions.db"));
  });

  afterAll(() => {
    db.close();
    folder.remove();
  });

  test("url_decode and decode_key run in SQL", () => {
    const row = db
      .prepare(
        "SELECT url_decode('a%20b+c') AS url, decode_key('foo-%2525Y', 'REST.GET.OBJECT') AS twice, decode_key('foo-%2525Y', 'S3.EXPIRE.OBJECT') AS once",
      )
      .get();
    expect(row).toEqual({ url: "a b+c", twice: "foo-%Y", once: "foo-%25Y" });
  });

  test("NULL in gives NULL out", () => {
    const row = db
      .prepare(
        "SELECT url_decode(NULL) AS url, decode_key(NULL, 'REST.GET.OBJECT') AS key",
      )
      .get();
    expect(row).toEqual({ url: null, key: null });
  });

  test("functions are deterministic", () => {
    // SQLite accepts only deterministic functions in an index expression.
    db.exec("CREATE TABLE keys (key TEXT, operation TEXT)");
    expect(() =>
      db.exec(
        "CREATE INDEX keys_decoded ON keys (decode_key(key, operation), url_decode(key))",
      ),
    ).not.toThrow();
  });

  test("read-only connections have the functions", () => {
    const readOnly = openDatabase(folder.file("functions.db"), {
      readonly: true,
    });
    try {
      expect(readOnly.prepare("SELECT url_decode('%41')").pluck().get()).toBe(
        "A",
      );
    } finally {
      readOnly.close();
    }
  });
});
