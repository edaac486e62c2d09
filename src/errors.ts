/** Process exit codes; README.md lists them for users. */
export const ExitCode = {
  Success: 0,
  /** The command failed: bad config, unreadable input, SQL error. */
  Failure: 1,
  /** Invalid command-line usage. */
  Usage: 2,
  /** Some objects failed and the others were stored. */
  Partial: 3,
  /** Another pull holds the database. */
  Locked: 4,
  /**
   * `pull --once` stopped on SIGINT or SIGTERM after the objects in flight;
   * the objects it did not reach are pulled by the next run.
   */
  Interrupted: 5,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error whose message is written for the user: it names the value at
 * fault and what to do. The CLI prints it once, without a stack trace.
 */
export class TamarinError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.Failure,
  ) {
    super(message);
    this.name = "TamarinError";
  }
}
