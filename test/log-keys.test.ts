import { expect, test } from "vitest";
import {
  parseLogKey,
  partitionedStartAfter,
  simpleStartAfter,
} from "../src/s3/log-keys.js";
import { groupLocations } from "../src/s3/locations.js";

test("simple key parsed with its time", () => {
  expect(
    parseLogKey("logs/", "logs/2013-11-01-21-32-16-E568B2907131C0C0"),
  ).toEqual({
    layout: "simple",
    time: new Date("2013-11-01T21:32:16Z"),
  });
});

test("simple key without a slash after the prefix", () => {
  expect(
    parseLogKey("logs", "logs2013-11-01-21-32-16-E568B2907131C0C0")?.layout,
  ).toBe("simple");
});

test("partitioned key parsed with its folder", () => {
  expect(
    parseLogKey(
      "logs/",
      "logs/123456789012/us-east-1/site/2024/05/01/2024-05-01-00-00-00-0123456789ABCDEF",
    ),
  ).toEqual({
    layout: "partitioned",
    time: new Date("2024-05-01T00:00:00Z"),
    folder: "123456789012/us-east-1/site/",
  });
});

test.each([
  ["other prefix", "other/2013-11-01-21-32-16-E568B2907131C0C0"],
  ["no unique part", "logs/2013-11-01-21-32-16"],
  ["impossible date", "logs/2013-02-30-21-32-16-E568B2907131C0C0"],
  ["hour 24", "logs/2013-11-01-24-00-00-E568B2907131C0C0"],
  ["text file", "logs/README.txt"],
  ["nested simple name", "logs/x/2013-11-01-21-32-16-E568B2907131C0C0"],
  [
    "short account",
    "logs/12345/us-east-1/site/2024/05/01/2024-05-01-00-00-00-AB",
  ],
  [
    "day folder differs",
    "logs/123456789012/us-east-1/site/2024/05/02/2024-05-01-00-00-00-AB",
  ],
  ["file in bucket folder", "logs/123456789012/us-east-1/site/notes.txt"],
])("not a log key: %s", (_case, key) => {
  expect(parseLogKey("logs/", key)).toBeNull();
});

test("simple StartAfter includes keys of that second", () => {
  const startAfter = simpleStartAfter(
    "logs/",
    new Date("2024-05-01T10:20:30.900Z"),
  );
  expect(startAfter).toBe("logs/2024-05-01-10-20-30");
  expect("logs/2024-05-01-10-20-30-0000000000000000" > startAfter).toBe(true);
  expect("logs/2024-05-01-10-20-29-FFFFFFFFFFFFFFFF" > startAfter).toBe(false);
});

test("partitioned StartAfter starts at the day folder", () => {
  const folder = "logs/123456789012/us-east-1/site/";
  const startAfter = partitionedStartAfter(
    folder,
    new Date("2024-05-01T23:00:00Z"),
  );
  expect(startAfter).toBe(`${folder}2024/05/01/`);
  expect(`${folder}2024/05/01/2024-05-01-00-00-00-AB` > startAfter).toBe(true);
  expect(`${folder}2024/04/30/2024-04-30-00-00-00-AB` > startAfter).toBe(false);
});

test("locations group buckets sharing a prefix", () => {
  const base = { logBucket: "logs", logPrefix: "a/", monitor: true };
  const { locations, unknown } = groupLocations(
    [
      { ...base, name: "one" },
      { ...base, name: "two", region: "us-east-1" },
      { ...base, name: "three", region: "eu-west-1" },
      { ...base, name: "four", logPrefix: "b/" },
      { ...base, name: "five", monitor: false },
    ],
    [],
    "us-east-1",
  );
  expect(unknown).toEqual([]);
  expect(locations.map((location) => location.buckets)).toEqual([
    ["one", "two"],
    ["three"],
    ["four"],
  ]);
});

test("locations limited to named buckets", () => {
  const base = { logBucket: "logs", logPrefix: "a/", monitor: true };
  const { locations, unknown } = groupLocations(
    [
      { ...base, name: "one" },
      { ...base, name: "two" },
      { ...base, name: "three", logPrefix: "c/" },
    ],
    ["two", "missing"],
    "us-east-1",
  );
  expect(locations.map((location) => location.buckets)).toEqual([
    ["one", "two"],
  ]);
  expect(unknown).toEqual(["missing"]);
});
