import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { asciiWidth } from "../../src/build/ascii-width.js";

type StringWidth = (
  text: string,
  options?: { countAnsiEscapeCodes?: boolean },
) => number;

const require = createRequire(import.meta.url);

/** Imports the copy of string-width that `importer` resolves to. */
async function stringWidthOf(importer: string): Promise<StringWidth> {
  // Each importer's entry file sits in its package folder.
  const importerFolder = path.dirname(require.resolve(importer));
  const entry = require.resolve("string-width", { paths: [importerFolder] });
  const module = (await import(pathToFileURL(entry).href)) as {
    default: StringWidth;
  };
  return module.default;
}

const ASCII_CASES = [
  "",
  "a",
  "tamarin --help",
  "  Show help  [boolean]",
  "~!@#$%^&*()_+{}|:<>?`-=[]\\;',./\"",
  "\x1b[31mred\x1b[39m",
  "\x1b[1m\x1b[90mbold grey\x1b[39m\x1b[22m",
  "\x1b[38;5;208morange\x1b[0m",
];

const OTHER_CASES = [
  "tab\there",
  "line\nbreak",
  "café",
  "日本語",
  "👍",
  "\x1b]8;;https://example.com\x07link\x1b]8;;\x07",
  "\x1b[2Kcleared",
];

describe("asciiWidth", () => {
  const widths = new Map<string, StringWidth>();

  beforeAll(async () => {
    // The copies that cli-table3, yargs and cliui load in this lockfile.
    for (const importer of ["cli-table3", "yargs", "cliui"]) {
      widths.set(importer, await stringWidthOf(importer));
    }
  });

  for (const text of ASCII_CASES) {
    it(`matches string-width for ${JSON.stringify(text)}`, () => {
      for (const [importer, stringWidth] of widths) {
        expect(asciiWidth(text), importer).toBe(stringWidth(text));
      }
    });
  }

  for (const text of OTHER_CASES) {
    it(`defers ${JSON.stringify(text)} to string-width`, () => {
      expect(asciiWidth(text)).toBeUndefined();
    });
  }

  it("defers when escape codes count", () => {
    const text = "\x1b[31mred\x1b[39m";
    expect(asciiWidth(text, { countAnsiEscapeCodes: true })).toBeUndefined();
  });

  it("defers non-strings", () => {
    expect(asciiWidth(42)).toBeUndefined();
    expect(asciiWidth(undefined)).toBeUndefined();
  });
});
