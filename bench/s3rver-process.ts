import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";

/** An s3rver running in a child process. */
export interface S3rverProcess {
  readonly endpoint: string;
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
    close: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
