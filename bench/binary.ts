import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readPackageConfig } from "../src/build/package-config.js";
import { findRuntime } from "../src/build/runtime.js";
import { generateLogLines } from "./generate-logs.js";
import { machineLine } from "./report.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TARGET = `${process.platform}-${process.arch}`;
const RUNS = 30;
const WARMUP_RUNS = 3;
// Start time of `tamarin --help` over `node -e 0` that the binary aims for.
const TARGET_RATIO = 1.5;

interface Timing {
  readonly label: string;
  /** Wall-clock times in milliseconds, one per run. */
  readonly wallMs: number[];
  /** Mean user plus system CPU time in milliseconds, when measured. */
  readonly cpuMs: number | undefined;
}

/**
 * Measures the size of dist/tamarin-<platform>-<arch> and the start time of
 * `tamarin --help` and `tamarin query` against `node -e 0` of the same
 * Node.js runtime. Returns Markdown lines, or a line saying why it skipped.
 */
export async function runBinaryBench(): Promise<string> {
  const config = readPackageConfig(ROOT);
  const extension = process.platform === "win32" ? ".exe" : "";
  const binary = path.join(
    ROOT,
    config.outputDir,
    `${config.name}-${TARGET}${extension}`,
  );
  if (!fs.existsSync(binary)) {
    return `Skipped: ${path.relative(ROOT, binary)} does not exist; run npm run build:binary first.`;
  }
  const cacheDir = path.join(ROOT, "node_modules", ".cache", "tamarin-binary");
  const runtime = findRuntime(config, TARGET, cacheDir);

  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "tamarin-bench-"));
  try {
    // A small database for the query start time; the first import also
    // extracts the addon, so no timed run pays for that.
    const logFile = path.join(folder, "access.log");
    const lines = [...generateLogLines({ seed: 7, count: 1_000 })];
    fs.writeFileSync(logFile, `${lines.join("\n")}\n`);
    const db = path.join(folder, "bench.db");
    const env = { ...process.env, XDG_CACHE_HOME: path.join(folder, "cache") };
    execFileSync(binary, ["--db", db, "--quiet", "import", logFile], { env });

    const commands: [string, string[]][] = [
      ["node -e 0 (same Node.js runtime)", [runtime.executable, "-e", "0"]],
      ["tamarin --help", [binary, "--help"]],
      [
        'tamarin query "SELECT count(*) FROM log_records"',
        [binary, "--db", db, "query", "SELECT count(*) FROM log_records"],
      ],
    ];
    const timings = hasHyperfine()
      ? timeWithHyperfine(commands, folder, env)
      : timeInterleaved(commands, env);
    return report(binary, runtime.version, timings);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

function hasHyperfine(): boolean {
  return spawnSync("hyperfine", ["--version"]).status === 0;
}

/** Times each command with hyperfine, which also measures CPU time. */
function timeWithHyperfine(
  commands: [string, string[]][],
  folder: string,
  env: NodeJS.ProcessEnv,
): Timing[] {
  const exported = path.join(folder, "hyperfine.json");
  const args = [
    "--shell=none",
    `--warmup=${WARMUP_RUNS}`,
    `--runs=${RUNS}`,
    `--export-json=${exported}`,
    "--style=none",
  ];
  for (const [, argv] of commands) args.push(argv.map(quote).join(" "));
  execFileSync("hyperfine", args, { env, stdio: "ignore" });
  const { results } = JSON.parse(fs.readFileSync(exported, "utf8")) as {
    results: { times: number[]; user: number; system: number }[];
  };
  return results.map((result, index) => ({
    label: commands[index]![0],
    wallMs: result.times.map((seconds) => seconds * 1000),
    cpuMs: (result.user + result.system) * 1000,
  }));
}

function quote(argument: string): string {
  return /^[\w./=-]+$/.test(argument)
    ? argument
    : `"${argument.replaceAll('"', '\\"')}"`;
}

/**
 * Times each command by spawning it, one run of each in turn, so load from
 * other processes spreads evenly over all of them. Measures wall time only.
 */
function timeInterleaved(
  commands: [string, string[]][],
  env: NodeJS.ProcessEnv,
): Timing[] {
  const timings = commands.map(([label]) => ({
    label,
    wallMs: [] as number[],
    cpuMs: undefined,
  }));
  for (let run = 0; run < WARMUP_RUNS + RUNS; run++) {
    commands.forEach(([, [file, ...args]], index) => {
      const started = process.hrtime.bigint();
      spawnSync(file!, args, { env, stdio: "ignore" });
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (run >= WARMUP_RUNS) timings[index]!.wallMs.push(elapsed);
    });
  }
  return timings;
}

function report(binary: string, nodeVersion: string, timings: Timing[]) {
  const mebibytes = (fs.statSync(binary).size / 1024 ** 2).toFixed(1);
  const timer = hasHyperfine()
    ? `hyperfine, ${WARMUP_RUNS} warm-up runs and ${RUNS} runs per command`
    : `spawnSync in an interleaved loop, ${WARMUP_RUNS} warm-up runs and ${RUNS} runs per command`;
  const lines = [
    `Binary: ${path.relative(ROOT, binary)}, ${mebibytes} MiB (Node.js ${nodeVersion} with the bundle and the SQLite addon).`,
    `Machine: ${machineLine()}.`,
    `Timer: ${timer}.`,
    "",
    "| command | median | mean ± σ | CPU (user + system) |",
    "| --- | --- | --- | --- |",
  ];
  for (const timing of timings) {
    const cpu =
      timing.cpuMs === undefined ? "-" : `${timing.cpuMs.toFixed(1)} ms`;
    lines.push(
      `| \`${timing.label}\` | ${median(timing.wallMs).toFixed(1)} ms | ${mean(timing.wallMs).toFixed(1)} ± ${deviation(timing.wallMs).toFixed(1)} ms | ${cpu} |`,
    );
  }

  const [node, help] = timings;
  const wallRatio = median(help!.wallMs) / median(node!.wallMs);
  lines.push(
    "",
    `\`tamarin --help\` / \`node -e 0\`, medians: ${wallRatio.toFixed(2)} (target ≤ ${TARGET_RATIO}).`,
  );
  if (help!.cpuMs !== undefined && node!.cpuMs !== undefined) {
    lines.push(
      `Same ratio in CPU time: ${(help!.cpuMs / node!.cpuMs).toFixed(2)}.`,
    );
  }
  return lines.join("\n");
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]!
    : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function deviation(values: number[]): number {
  const average = mean(values);
  const variance =
    values.reduce((sum, value) => sum + (value - average) ** 2, 0) /
    values.length;
  return Math.sqrt(variance);
}
