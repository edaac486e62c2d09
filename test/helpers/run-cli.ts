import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Path of the built CLI; `npm test` builds it before vitest runs. */
export const CLI = fileURLToPath(
  new URL("../../dist/src/cli.js", import.meta.url),
);

/** Exit code and output of one CLI run. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI with node in a child process. The child gets only PATH,
 * a HOME and XDG_CONFIG_HOME inside `cwd`, and `env`, so settings of the
 * machine running the tests (a config in ~/.config/tamarin, TAMARIN_DB)
 * never reach it. The run is asynchronous, so servers in the test process
 * keep answering while it runs.
 */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliResult> {
  const home = path.join(options.cwd, ".test-home");
  fs.mkdirSync(home, { recursive: true });
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    AWS_EC2_METADATA_DISABLED: "true",
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
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
