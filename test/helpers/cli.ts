import { spawn, spawnSync } from "node:child_process";
import path from "node:path";

/** Path of the built CLI; `npm test` builds it first. */
export const CLI = path.resolve(import.meta.dirname, "../../dist/src/cli.js");

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  readonly input?: string | Buffer;
}

/** Runs the built CLI to completion and returns its exit status and output. */
export function runCli(
  args: readonly string[],
  options: RunOptions = {},
): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, NO_COLOR: "1" },
    input: options.input,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

/** Runs the built CLI without waiting, for tests that kill it. */
export function startCli(args: readonly string[], options: RunOptions = {}) {
  return spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, NO_COLOR: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
}
