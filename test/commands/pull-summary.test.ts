import { expect, test } from "vitest";
import { formatPullSummary } from "../../src/commands/pull.js";
import { emptyPullSummary, type PullSummary } from "../../src/s3/pull.js";

/** Returns a summary of 12 objects pulled from 2 locations, with `fields` set. */
function summary(fields: Partial<PullSummary>): PullSummary {
  return {
    ...emptyPullSummary(false, 2),
    pulled: 12,
    records: 48213,
    rejects: 3,
    skipped: 40,
    notLogs: 1,
    anyLocationDone: true,
    milliseconds: 1900,
    ...fields,
  };
}

test("run with every count", () => {
  expect(formatPullSummary(summary({}))).toBe(
    "pulled 12 objects, 48,213 records, 3 rejected, 40 skipped, 1 non-log object, 0 failed from 2 locations in 1.9 s",
  );
});

test("run stopped early, one location unlisted", () => {
  expect(
    formatPullSummary(
      summary({ interrupted: true, locationsFailed: 1, purged: 5 }),
    ),
  ).toBe(
    "pulled 12 objects, 48,213 records, 3 rejected, 40 skipped, 1 non-log object, 0 failed from 2 locations in 1.9 s (5 purged, 1 location could not be listed, stopped early)",
  );
});

test("dry run with purge and unlisted location", () => {
  expect(
    formatPullSummary(
      summary({
        dryRun: true,
        wouldPull: [{ source: "s3://logs/a", size: 2048 }],
        bytes: 2048,
        notLogs: 2,
        wouldPurge: 41,
        locationsFailed: 1,
      }),
    ),
  ).toBe(
    "would pull 1 object (2.0 KiB), 40 skipped, 2 non-log objects from 2 locations in 1.9 s (a purge would then delete 41 log objects from S3, 1 location could not be listed)",
  );
});
