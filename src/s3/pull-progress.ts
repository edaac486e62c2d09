import { Writable } from "node:stream";
import cliProgress from "cli-progress";
import { formatCount } from "../format.js";
import type { LocationProgress, ProgressSink } from "./pull.js";

/**
 * Progress bars on stderr, one per log location: objects done of those
 * listed so far, and records stored per second.
 */
export class PullProgressBars implements ProgressSink {
  private readonly bars = new cliProgress.MultiBar(
    {
      format: "{location} [{bar}] {value}/{total} objects | {rate} records/s",
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      // The total grows while listing goes on.
      etaBuffer: 1,
    },
    cliProgress.Presets.shades_classic,
  );

  /**
   * A stream for the logger: lines written to it print above the bars
   * instead of through them.
   */
  readonly logStream = new Writable({
    write: (chunk: Buffer, _encoding, callback) => {
      this.bars.log(chunk.toString());
      callback();
    },
  });

  startLocation(url: string): LocationProgress {
    const started = Date.now();
    let bar: cliProgress.SingleBar | null = null;
    let total = 0;
    let done = 0;
    let records = 0;
    const update = () => {
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      bar?.update(done, {
        location: url,
        rate: formatCount(Math.round(records / seconds)),
      });
    };
    return {
      addListed: (count) => {
        total += count;
        // A bar appears once there is something to pull, because cli-progress
        // draws a bar with a total of 0 as full.
        if (bar === null && total > 0) {
          bar = this.bars.create(total, 0, { location: url, rate: "0" });
        }
        bar?.setTotal(total);
        update();
      },
      objectDone(objectRecords) {
        done++;
        records += objectRecords;
        update();
      },
    };
  }

  stop(): void {
    this.bars.stop();
  }
}
