import { runBinaryBench } from "./binary.js";
import { runExportBench } from "./export.js";
import { runIngestBench } from "./ingest.js";
import { runPullBench } from "./pull.js";

/**
 * Benchmarks by name. `npm run bench` runs them all; `npm run bench --
 * ingest` runs one. Each returns Markdown for docs/benchmarks.md.
 */
const BENCHMARKS: Record<string, () => Promise<string>> = {
  ingest: runIngestBench,
  pull: runPullBench,
  export: runExportBench,
  binary: runBinaryBench,
};

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const names = requested.length > 0 ? requested : Object.keys(BENCHMARKS);
  for (const name of names) {
    const run = BENCHMARKS[name];
    if (run === undefined) {
      process.stderr.write(
        `unknown benchmark "${name}": expected one of ${Object.keys(BENCHMARKS).join(", ")}\n`,
      );
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`running the ${name} benchmark...\n`);
    process.stdout.write(`## ${name}\n\n${await run()}\n\n`);
  }
}

await main();
