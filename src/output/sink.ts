import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Writable } from "node:stream";
import zlib from "node:zlib";
import { TamarinError } from "../errors.js";

/**
 * Raised by {@link Sink.write} once the reader of stdout has gone, as when
 * the output is piped into `head`. Commands stop reading rows and exit 0.
 */
export class BrokenPipeError extends Error {
  constructor() {
    super("stdout was closed by its reader");
    this.name = "BrokenPipeError";
  }
}

/** Destination of formatted text: stdout, or a file that may be gzip-compressed. */
export interface Sink {
  /** Terminal width when the output is a terminal, else null. */
  readonly terminalColumns: number | null;
  /**
   * Writes text or UTF-8 bytes, returning a promise when the caller must
   * wait for the output to drain before writing more.
   */
  write(data: string | Uint8Array): Promise<void> | undefined;
  /** Flushes the output and, for a file, moves it into place. */
  finish(): Promise<void>;
  /** Stops writing and deletes an unfinished file. */
  abort(): Promise<void>;
}

/**
 * Opens the destination named by `--output`: stdout for undefined or `-`,
 * else a file, gzip-compressed when the name ends in `.gz`. A file is written
 * under a temporary name beside it and renamed when finished, so a failed or
 * interrupted export never leaves a truncated file under the requested name.
 */
export function openSink(output: string | undefined): Sink {
  if (output === undefined || output === "-") {
    return new StdoutSink(process.stdout);
  }
  return new FileSink(output);
}

class StdoutSink implements Sink {
  readonly terminalColumns: number | null;
  private broken = false;
  private failure: Error | null = null;

  constructor(private readonly stream: NodeJS.WriteStream) {
    this.terminalColumns = stream.isTTY ? stream.columns || 80 : null;
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") this.broken = true;
      else this.failure = error;
    });
  }

  write(data: string | Uint8Array): Promise<void> | undefined {
    this.check();
    if (this.stream.write(data)) return undefined;
    return waitForDrain(this.stream).catch(() => this.fail());
  }

  async finish(): Promise<void> {
    if (this.stream.writableNeedDrain) {
      await waitForDrain(this.stream).catch(() => this.fail());
    }
    this.check();
  }

  async abort(): Promise<void> {}

  private check(): void {
    if (this.broken) throw new BrokenPipeError();
    if (this.failure !== null) {
      throw new TamarinError(
        `failed to write to stdout: ${this.failure.message}`,
      );
    }
  }

  /** Raises the recorded failure; a stdout closed without one counts as a broken pipe. */
  private fail(): never {
    this.check();
    throw new BrokenPipeError();
  }
}

class FileSink implements Sink {
  readonly terminalColumns = null;
  private readonly temporary: string;
  private readonly input: Writable;
  private readonly done: Promise<void>;
  private failure: Error | null = null;

  constructor(private readonly file: string) {
    // Checked first: the rename at the end would fail only after the whole
    // output had been written.
    if (fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()) {
      throw new TamarinError(
        `cannot write --output ${file}: it is a folder. Name a file inside it, such as ${path.join(file, "out.csv")}.`,
      );
    }
    this.temporary = path.join(
      path.dirname(file),
      `.${path.basename(file)}.${process.pid}.tmp`,
    );
    let fd: number;
    try {
      fd = fs.openSync(this.temporary, "w");
    } catch (error) {
      throw new TamarinError(
        `cannot write --output ${file}: ${(error as Error).message}. Check that the folder exists and is writable.`,
      );
    }
    const fileStream = fs.createWriteStream(this.temporary, {
      fd,
      highWaterMark: 1024 * 1024,
    });
    const recordFailure = (error: Error) => {
      this.failure ??= error;
    };
    fileStream.on("error", recordFailure);
    if (file.endsWith(".gz")) {
      const gzip = zlib.createGzip();
      gzip.on("error", recordFailure);
      this.input = gzip;
      this.done = pipeline(gzip, fileStream);
    } else {
      this.input = fileStream;
      this.done = new Promise((resolve, reject) => {
        fileStream.on("error", reject);
        fileStream.on("close", resolve);
      });
    }
    // The failure is raised by the next write or by finish(), so the
    // rejection needs no handler of its own.
    this.done.catch(() => undefined);
  }

  write(data: string | Uint8Array): Promise<void> | undefined {
    this.check();
    if (this.input.write(data)) return undefined;
    return waitForDrain(this.input).catch(() => this.fail());
  }

  async finish(): Promise<void> {
    this.check();
    this.input.end();
    await this.done.catch(() => this.fail());
    fs.renameSync(this.temporary, this.file);
  }

  async abort(): Promise<void> {
    this.input.destroy();
    await this.done.catch(() => undefined);
    fs.rmSync(this.temporary, { force: true });
  }

  private check(): void {
    if (this.failure !== null) {
      throw new TamarinError(
        `failed to write --output ${this.file}: ${this.failure.message}`,
      );
    }
  }

  private fail(): never {
    this.check();
    throw new TamarinError(
      `failed to write --output ${this.file}: the file was closed`,
    );
  }
}

/**
 * Waits for `drain`, and rejects instead of waiting forever when the stream
 * fails or closes first.
 */
function waitForDrain(stream: Writable): Promise<void> {
  if (stream.destroyed) return Promise.reject(new Error("stream destroyed"));
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.off("drain", onDrain);
      stream.off("error", onEnd);
      stream.off("close", onEnd);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onEnd = () => {
      cleanup();
      reject(new Error("stream closed before draining"));
    };
    stream.on("drain", onDrain);
    stream.on("error", onEnd);
    stream.on("close", onEnd);
  });
}
