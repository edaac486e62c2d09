import fs from "node:fs";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import {
  readLineBatches,
  type LineBatch,
  type ReadLinesOptions,
} from "../../src/parse/line-reader.js";
import { CASES } from "./fixture-records.js";

/** Reads `chunks` as a stream, one chunk per read, and collects the batches. */
async function readBatches(
  chunks: readonly (Buffer | string)[],
  options?: ReadLinesOptions,
): Promise<LineBatch[]> {
  return collect(Readable.from(chunks, { objectMode: true }), options);
}

async function collect(
  source: Readable,
  options?: ReadLinesOptions,
): Promise<LineBatch[]> {
  const batches: LineBatch[] = [];
  for await (const batch of readLineBatches(source, options)) {
    batches.push(batch);
  }
  return batches;
}

/** Flattens batches to [lineNumber, line] pairs. */
function numbered(batches: readonly LineBatch[]): [number, string][] {
  return batches.flatMap((batch) =>
    batch.lines.map(
      (line, index) =>
        [batch.firstLineNumber + index, line] as [number, string],
    ),
  );
}

async function readLines(
  chunks: readonly (Buffer | string)[],
  options?: ReadLinesOptions,
): Promise<string[]> {
  return numbered(await readBatches(chunks, options)).map(([, line]) => line);
}

/** Splits `bytes` into chunks of `size` bytes. */
function chunksOf(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) {
    chunks.push(bytes.subarray(start, start + size));
  }
  return chunks;
}

describe("readLineBatches line endings", () => {
  test("LF lines", async () => {
    expect(await readLines([Buffer.from("a\nb\nc\n")])).toEqual([
      "a",
      "b",
      "c",
    ]);
  });

  test("CRLF lines", async () => {
    expect(await readLines([Buffer.from("a\r\nb\r\n")])).toEqual(["a", "b"]);
  });

  test("CRLF split across chunks", async () => {
    const lines = await readLines([Buffer.from("a\r"), Buffer.from("\nb\r\n")]);
    expect(lines).toEqual(["a", "b"]);
  });

  test("mixed LF and CRLF", async () => {
    expect(await readLines([Buffer.from("a\nb\r\nc\n")])).toEqual([
      "a",
      "b",
      "c",
    ]);
  });

  test("CR inside a line kept", async () => {
    expect(await readLines([Buffer.from("a\rb\n")])).toEqual(["a\rb"]);
  });

  test("last line without newline", async () => {
    expect(await readLines([Buffer.from("a\nb")])).toEqual(["a", "b"]);
  });

  test("last line ending in CR only", async () => {
    expect(await readLines([Buffer.from("a\nb\r")])).toEqual(["a", "b"]);
  });

  test("empty lines kept with their numbers", async () => {
    const batches = await readBatches([Buffer.from("a\n\n\r\nb\n")]);
    expect(numbered(batches)).toEqual([
      [1, "a"],
      [2, ""],
      [3, ""],
      [4, "b"],
    ]);
  });

  test("fixture with CRLF endings", async () => {
    const batches = await collect(fs.createReadStream(CASES + "crlf.log"));
    const lines = numbered(batches).map(([, line]) => line);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line.endsWith("\r")).toBe(false);
      expect(line.endsWith("TLSv1.3 - -")).toBe(true);
    }
  });

  test("fixture without final newline", async () => {
    const stream = fs.createReadStream(CASES + "no-final-newline.log");
    const lines = numbered(await collect(stream));
    expect(lines).toHaveLength(2);
    expect(lines[1]![0]).toBe(2);
    expect(lines[1]![1].endsWith("TLSv1.3 - -")).toBe(true);
  });
});

describe("readLineBatches empty input", () => {
  test("no chunks", async () => {
    expect(await readBatches([])).toEqual([]);
  });

  test("one empty chunk", async () => {
    expect(await readBatches([Buffer.alloc(0)])).toEqual([]);
  });

  test("a lone newline", async () => {
    expect(await readBatches([Buffer.from("\n")])).toEqual([
      { firstLineNumber: 1, lines: [""] },
    ]);
  });

  test("empty gzip", async () => {
    expect(await readBatches([gzipSync(Buffer.alloc(0))])).toEqual([]);
  });
});

describe("readLineBatches gzip", () => {
  const text = "first line\nsecond line\nthird line\n";
  const expected = ["first line", "second line", "third line"];

  test("gzip in one chunk", async () => {
    expect(await readLines([gzipSync(text)])).toEqual(expected);
  });

  test("gzip in one-byte chunks", async () => {
    expect(await readLines(chunksOf(gzipSync(text), 1))).toEqual(expected);
  });

  test("gzip after an empty first chunk", async () => {
    const lines = await readLines([Buffer.alloc(0), gzipSync(text)]);
    expect(lines).toEqual(expected);
  });

  test("two concatenated gzip members", async () => {
    const bytes = Buffer.concat([gzipSync("a\nb\n"), gzipSync("c\n")]);
    expect(await readLines([bytes])).toEqual(["a", "b", "c"]);
  });

  test("gzip content in a .log file", async () => {
    const stream = fs.createReadStream(CASES + "gzip-content.log");
    const lines = numbered(await collect(stream));
    expect(lines.map(([number]) => number)).toEqual([1, 2]);
    expect(lines[0]![1]).toContain(" G1A2B3C4DEXAMPLE REST.GET.OBJECT a.txt ");
    expect(lines[1]![1]).toContain(" G2A2B3C4DEXAMPLE REST.GET.OBJECT b.txt ");
  });

  test("plain text in a .gz file", async () => {
    const stream = fs.createReadStream(CASES + "plain-content.gz");
    const lines = numbered(await collect(stream));
    expect(lines).toHaveLength(1);
    expect(lines[0]![1]).toContain(" P1A2B3C4DEXAMPLE REST.GET.OBJECT a.txt ");
  });

  test("truncated gzip fails", async () => {
    const bytes = gzipSync(text);
    const truncated = bytes.subarray(0, bytes.length - 8);
    await expect(readBatches([truncated])).rejects.toThrow(
      "unexpected end of file",
    );
  });

  test("corrupt gzip fails", async () => {
    const bytes = Buffer.from(gzipSync(text));
    bytes.fill(0xff, 10, 20);
    await expect(readBatches([bytes])).rejects.toThrow();
  });

  test("onBytes counts compressed bytes", async () => {
    const bytes = gzipSync(text.repeat(100));
    let total = 0;
    await readBatches(chunksOf(bytes, 7), {
      onBytes: (count) => (total += count),
    });
    expect(total).toBe(bytes.length);
  });

  test.each([
    ["gzip", (content: Buffer) => gzipSync(content)],
    ["plain", (content: Buffer) => content],
  ])("onContent sees %s content decoded", async (_label, encode) => {
    const content = Buffer.from(text.repeat(100));
    const seen: Buffer[] = [];
    await readBatches(chunksOf(encode(content), 7), {
      onContent: (chunk) => seen.push(Buffer.from(chunk)),
    });
    expect(Buffer.concat(seen).equals(content)).toBe(true);
  });
});

describe("readLineBatches UTF-8", () => {
  test("invalid bytes become U+FFFD", async () => {
    const bytes = Buffer.from([0x61, 0xc3, 0x28, 0x62, 0xff, 0x0a]);
    expect(await readLines([bytes])).toEqual(["a\uFFFD(b\uFFFD"]);
  });

  test("lone lead byte at the end", async () => {
    expect(await readLines([Buffer.from([0x61, 0xe2, 0x82])])).toEqual([
      "a\uFFFD",
    ]);
  });

  test("two-byte character split across chunks", async () => {
    const bytes = Buffer.from("café\n");
    const lines = await readLines([bytes.subarray(0, 4), bytes.subarray(4)]);
    expect(lines).toEqual(["café"]);
  });

  test("four-byte character split into single bytes", async () => {
    const lines = await readLines(chunksOf(Buffer.from("a😀b\n"), 1));
    expect(lines).toEqual(["a😀b"]);
  });

  test("fixture with invalid UTF-8", async () => {
    const stream = fs.createReadStream(CASES + "invalid-utf8.log");
    const lines = numbered(await collect(stream)).map(([, line]) => line);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('"Agent-\uFFFD(x)"');
    expect(lines[1]).toContain('"GET /a.txt?x=\uFFFD\u007F HTTP/1.1"');
    expect(lines[2]).toContain("小米 13) 😀");
  });

  test("string chunks", async () => {
    expect(await readLines(["a\nb", "c\n"])).toEqual(["a", "bc"]);
  });
});

describe("readLineBatches long lines", () => {
  test("line longer than maxLineLength cut", async () => {
    const lines = await readLines([Buffer.from("abcdefghij\nxy\n")], {
      maxLineLength: 4,
    });
    expect(lines).toEqual(["abcd", "xy"]);
  });

  test("long line cut across chunks", async () => {
    const batches = await readBatches(
      [Buffer.from("abc"), Buffer.from("defgh"), Buffer.from("ij\nk\n")],
      { maxLineLength: 5 },
    );
    expect(numbered(batches)).toEqual([
      [1, "abcde"],
      [2, "k"],
    ]);
  });

  test("long last line without newline cut", async () => {
    const lines = await readLines([Buffer.from("a\n"), Buffer.from("bcdefg")], {
      maxLineLength: 3,
    });
    expect(lines).toEqual(["a", "bcd"]);
  });

  test("line of exactly maxLineLength kept", async () => {
    const lines = await readLines([Buffer.from("abcd\n")], {
      maxLineLength: 4,
    });
    expect(lines).toEqual(["abcd"]);
  });

  test("50 MB without newline cut to 1 MiB", async () => {
    const chunkSize = 1 << 20;
    const chunkCount = 50;
    let produced = 0;
    // Chunks are made on demand, so the stream never holds the 50 MB.
    const source = new Readable({
      read() {
        if (produced === chunkCount) {
          this.push("\nafter\n");
          this.push(null);
          return;
        }
        const letter = String.fromCharCode(97 + (produced % 26));
        this.push(Buffer.alloc(chunkSize, letter));
        produced++;
      },
    });
    const lines = numbered(await collect(source));
    expect(produced).toBe(chunkCount);
    expect(lines).toHaveLength(2);
    const [number, line] = lines[0]!;
    expect(number).toBe(1);
    expect(line).toHaveLength(1 << 20);
    expect(line).toBe("a".repeat(1 << 20));
    expect(lines[1]).toEqual([2, "after"]);
  });
});

describe("readLineBatches line numbers", () => {
  test("numbers continue across batches", async () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i + 1}`).join(
      "\n",
    );
    const batches = await readBatches(chunksOf(Buffer.from(text), 97));
    expect(batches.length).toBeGreaterThan(10);
    const lines = numbered(batches);
    expect(lines).toHaveLength(1000);
    for (const [number, line] of lines) {
      expect(line).toBe(`line ${number}`);
    }
  });

  test("each batch starts after the previous one", async () => {
    const batches = await readBatches([
      Buffer.from("a\nb\nc"),
      Buffer.from("d\ne\n"),
      Buffer.from("f"),
    ]);
    expect(batches).toEqual([
      { firstLineNumber: 1, lines: ["a", "b"] },
      { firstLineNumber: 3, lines: ["cd", "e"] },
      { firstLineNumber: 5, lines: ["f"] },
    ]);
  });

  test("chunk without newline yields no batch", async () => {
    const batches = await readBatches([
      Buffer.from("ab"),
      Buffer.from("cd"),
      Buffer.from("e\n"),
    ]);
    expect(batches).toEqual([{ firstLineNumber: 1, lines: ["abcde"] }]);
  });

  test("onBytes counts every plain byte", async () => {
    let total = 0;
    await readBatches([Buffer.from("ab\n"), Buffer.from("cde\n")], {
      onBytes: (count) => (total += count),
    });
    expect(total).toBe(7);
  });
});
