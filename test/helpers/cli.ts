import { spawn, spawnSync, type ChildProcessByStdio } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";

/** Path of the built CLI; `npm test` builds it before vitest runs. */
export const CLI = path.resolve(import.meta.dirname, "../../dist/src/cli.js");

/** Exit status and output of one CLI run; status is null when a signal ended it. */
export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Working folder of the child; the test process's folder when undefined. */
  readonly cwd?: string;
  /** Variables added to the child's environment, overriding the defaults. */
  readonly env?: Record<string, string>;
  /** Text written to the child's stdin, which is then closed. */
  readonly input?: string | Buffer;
}

/**
 * Runs the built CLI to completion and returns its exit status and output.
 * It blocks the test process, so use {@link runCliAsync} when a server in
 * this process must answer the CLI.
 */
export function runCli(
  args: readonly string[],
  options: RunOptions = {},
): CliResult {
  const { env, cleanup } = childEnvironment(options);
  let result;
  try {
    result = spawnSync(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env,
      input: options.input ?? "",
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    });
  } finally {
    cleanup();
  }
  if (result.error !== undefined) throw result.error;
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

/**
 * Runs the built CLI in a child process and resolves with its exit status
 * and output. The test process keeps running meanwhile, so servers in it
 * (s3rver, fault proxies) keep answering.
 */
export function runCliAsync(
  args: readonly string[],
  options: RunOptions = {},
): Promise<CliResult> {
  const { env, cleanup } = childEnvironment(options);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => {
      cleanup();
      reject(error);
    });
    child.on("close", (status) => {
      cleanup();
      resolve({
        status,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      });
    });
    child.stdin.end(options.input ?? "");
  });
}

/**
 * Starts the built CLI without waiting, for tests that kill it. Only stderr
 * is piped; stdin and stdout are discarded.
 */
export function startCli(
  args: readonly string[],
  options: Omit<RunOptions, "input"> = {},
): ChildProcessByStdio<null, null, Readable> {
  const { env, cleanup } = childEnvironment(options);
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.once("close", cleanup);
  child.once("error", cleanup);
  return child;
}

/** Creates an empty temporary folder, removed by the returned function. */
export function makeTempDir(prefix: string): {
  dir: string;
  remove: () => void;
} {
  const dir = fs.realpathSync(
    fs.mkdtempSync(path.join(os.tmpdir(), `tamarin-${prefix}-`)),
  );
  return {
    dir,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Environment of one child, and the removal of its HOME when that is temporary. */
interface ChildEnvironment {
  readonly env: NodeJS.ProcessEnv;
  readonly cleanup: () => void;
}

/**
 * Creates the child's environment: only PATH, a HOME and XDG_CONFIG_HOME of
 * its own, NO_COLOR and the AWS settings that keep the SDK quiet and off the
 * network, then `options.env`. Settings of the machine running the tests,
 * such as a config in ~/.config/tamarin or TAMARIN_DB, never reach the CLI.
 * HOME is `.test-home` in `cwd`, or a temporary folder that `cleanup`
 * removes when there is no `cwd`.
 */
function childEnvironment(options: RunOptions): ChildEnvironment {
  let home: string;
  let cleanup = () => {};
  if (options.cwd === undefined) {
    ({ dir: home, remove: cleanup } = makeTempDir("cli-home"));
  } else {
    home = path.join(options.cwd, ".test-home");
    fs.mkdirSync(home, { recursive: true });
  }
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    NO_COLOR: "1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    AWS_EC2_METADATA_DISABLED: "true",
    ...options.env,
  };
  return { env, cleanup };
}
