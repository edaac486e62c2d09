/** Verbosity chosen by --quiet and --verbose. */
export type Verbosity = "quiet" | "normal" | "verbose";

/**
 * Writes messages for people to stderr, so that stdout carries only data.
 * Errors are always written; other messages follow the verbosity.
 */
export class Logger {
  constructor(
    readonly verbosity: Verbosity = "normal",
    private readonly stream: NodeJS.WritableStream = process.stderr,
  ) {}

  /** Writes an error message, whatever the verbosity. */
  error(message: string): void {
    this.stream.write(`tamarin: ${message}\n`);
  }

  /** Writes a warning, unless --quiet. */
  warn(message: string): void {
    if (this.verbosity !== "quiet")
      this.stream.write(`tamarin: warning: ${message}\n`);
  }

  /** Writes a normal message such as a run summary, unless --quiet. */
  info(message: string): void {
    if (this.verbosity !== "quiet") this.stream.write(`${message}\n`);
  }

  /** Writes a detail shown only with --verbose. */
  debug(message: string): void {
    if (this.verbosity === "verbose") this.stream.write(`${message}\n`);
  }
}
