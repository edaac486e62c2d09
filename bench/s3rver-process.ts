import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";

/** An s3rver running in a child process. */
export interface S3rverProcess {
  readonly endpoint: string;
  /** CPU time the server has used so far, in seconds, or null off Linux. */
  cpuSeconds(): number | null;
  close(): Promise<void>;
}

const SERVER_SCRIPT = path.resolve(import.meta.dirname, "s3rver-main.js");

/**
 * Starts s3rver on 127.0.0.1 in its own process, serving `directory`, so
 * that its CPU time is not charged to the client being measured: a real S3
 * endpoint runs elsewhere too.
 */
export async function startS3rverProcess(
  directory: string,
): Promise<S3rverProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--openssl-legacy-provider", SERVER_SCRIPT, directory],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) =>
      reject(new Error(`s3rver exited with code ${code} before listening`)),
    );
    lines.once("line", (line) => resolve(Number(line)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    cpuSeconds: () => processCpuSeconds(child.pid),
    close: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Reads a process's user and system CPU time from /proc, in seconds. */
function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses: utime and
    // stime are the 12th and 13th, in clock ticks of 10 ms on Linux.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
