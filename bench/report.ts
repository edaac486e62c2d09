import { spawnSync } from "node:child_process";
import os from "node:os";

/** A count of items processed in a measured time. */
export interface Measurement {
  readonly count: number;
  readonly seconds: number;
  /** CPU time (user and system) of this process, all threads, in seconds. */
  readonly cpuSeconds?: number;
}

/**
 * Runs `work`, which returns how many items it processed, and times it in
 * wall-clock and CPU time.
 */
export async function measure(
  work: () => Promise<number> | number,
): Promise<Measurement> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const count = await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  return { count, seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** Returns the measurement with the highest rate. */
export function fastest<T extends Measurement>(measurements: readonly T[]): T {
  return measurements.reduce((best, next) =>
    next.count / next.seconds > best.count / best.seconds ? next : best,
  );
}

/** Formats items per second with thousands separators. */
export function rate(measurement: Measurement): string {
  return Math.round(measurement.count / measurement.seconds).toLocaleString(
    "en-US",
  );
}

/** Formats the rate of `measurement` divided by the rate of `baseline`. */
export function ratio(measurement: Measurement, baseline: Measurement): string {
  const value =
    measurement.count /
    measurement.seconds /
    (baseline.count / baseline.seconds);
  return value.toFixed(2);
}

/** Describes this machine: CPU model, core count, memory, Node version. */
export function machineLine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)} at the start`;
}

/** The outcome of a child process run by `runWithPeakRss`. */
export interface ChildRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
  /** Peak resident set size of the child, in MiB. */
  readonly peakRssMiB: number;
}

// Preloaded into the child: prints its peak RSS (kB) on exit, to stderr.
const REPORT_PEAK_RSS =
  'data:text/javascript,process.on("exit",()=>process.stderr.write("\\ntamarin-bench-peak-rss-kb="+process.resourceUsage().maxRSS+"\\n"))';

/**
 * Runs a Node.js script in a child process and returns its output, wall
 * time and peak RSS, which the child reports itself as it exits.
 */
export function runWithPeakRss(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): ChildRun {
  const started = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    ["--import", REPORT_PEAK_RSS, ...args],
    {
      encoding: "utf8",
      env: options.env ?? process.env,
      cwd: options.cwd,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const match = /tamarin-bench-peak-rss-kb=(\d+)/.exec(result.stderr);
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr.replace(/\ntamarin-bench-peak-rss-kb=\d+\n/, ""),
    seconds,
    peakRssMiB: match ? Number(match[1]) / 1024 : Number.NaN,
  };
}
