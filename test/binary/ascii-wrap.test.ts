import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { asciiWrap, type WrapOptions } from "../../src/build/ascii-wrap.js";

type WrapAnsi = (text: string, columns: number, options?: object) => string;

const require = createRequire(import.meta.url);

/** Imports the copy of wrap-ansi that cliui, and so yargs, loads. */
async function cliuiWrapAnsi(): Promise<WrapAnsi> {
  const yargsFolder = path.dirname(require.resolve("yargs"));
  const cliui = require.resolve("cliui", { paths: [yargsFolder] });
  const entry = require.resolve("wrap-ansi", {
    paths: [path.dirname(cliui)],
  });
  const module = (await import(pathToFileURL(entry).href)) as {
    default: WrapAnsi;
  };
  return module.default;
}

/**
 * Returns a repeatable pseudo-random number generator for `seed`: a linear
 * congruential generator with the constants of Numerical Recipes.
 */
function randomNumbers(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

// Pieces of text that reach each branch: short and long words, runs of
// spaces, leading and trailing spaces, and both line endings.
const PIECES = [
  "a",
  "to",
  "help",
  "[boolean]",
  "--no-progress",
  "abcdefghijklmnopqrstuvwxyz0123456789",
  " ",
  " ",
  " ",
  "   ",
  "\n",
  "\r\n",
];

const OPTIONS: (WrapOptions | undefined)[] = [
  undefined,
  {},
  { hard: true },
  { hard: false },
];

describe("asciiWrap", () => {
  let wrapAnsi: WrapAnsi;

  beforeAll(async () => {
    wrapAnsi = await cliuiWrapAnsi();
  });

  it("matches wrap-ansi on generated text", () => {
    const random = randomNumbers(20240501);
    for (let run = 0; run < 5000; run++) {
      const count = Math.floor(random() * 12);
      let text = "";
      for (let index = 0; index < count; index++) {
        text += PIECES[Math.floor(random() * PIECES.length)];
      }
      const columns = 1 + Math.floor(random() * 30);
      const options = OPTIONS[run % OPTIONS.length];
      const context = JSON.stringify({ text, columns, options });
      expect(asciiWrap(text, columns, options), context).toBe(
        wrapAnsi(text, columns, options),
      );
    }
  });

  it("matches wrap-ansi on a help line", () => {
    const text =
      "  --progress  Draw progress bars on a terminal (--no-progress turns them off)  [boolean] [default: true]";
    for (const columns of [20, 40, 79, 100, 200]) {
      expect(asciiWrap(text, columns, { hard: true })).toBe(
        wrapAnsi(text, columns, { hard: true }),
      );
    }
  });

  it("defers text that is not printable ASCII", () => {
    for (const text of ["tab\there", "café", "\x1b[31mred\x1b[39m", "a\rb"]) {
      expect(asciiWrap(text, 10, { hard: true }), text).toBeUndefined();
    }
  });

  it("defers other widths and options", () => {
    expect(asciiWrap("a b", 0)).toBeUndefined();
    expect(asciiWrap("a b", 2.5)).toBeUndefined();
    expect(
      asciiWrap("a b", 10, { trim: false } as WrapOptions),
    ).toBeUndefined();
    expect(asciiWrap(42, 10)).toBeUndefined();
  });
});
