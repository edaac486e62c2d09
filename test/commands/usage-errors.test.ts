import { expect, test } from "vitest";
import { describeUsageError } from "../../src/commands/usage-errors.js";

test.each([
  [
    "mistyped command",
    "Unknown argument: expor",
    ["expor"],
    'unknown command "expor"; did you mean export? Commands: import, pull, status, query, export, schema, buckets.\nRun tamarin --help for usage.',
  ],
  [
    "unrelated command",
    "Unknown argument: frobnicate",
    ["--db", "x.db", "frobnicate"],
    'unknown command "frobnicate". Commands: import, pull, status, query, export, schema, buckets.\nRun tamarin --help for usage.',
  ],
  [
    "mistyped subcommand",
    "Unknown arguments: lsit, extra",
    ["buckets", "lsit", "extra"],
    'unknown buckets command "lsit"; did you mean list? Commands: add, list, remove, enable, disable.\nRun tamarin buckets --help for usage.',
  ],
  [
    "unknown option",
    "Unknown argument: formt",
    ["export", "--formt=csv"],
    "unknown option --formt\nRun tamarin export --help for usage.",
  ],
  [
    "extra argument",
    "Unknown argument: b",
    ["query", "a", "b"],
    'unexpected argument "b"\nRun tamarin query --help for usage.',
  ],
  [
    "missing name",
    "Not enough non-option arguments: got 0, need at least 1",
    ["--config", "add", "buckets", "add"],
    "missing argument: tamarin buckets add <name> [--log-bucket <bucket>]\nRun tamarin buckets add --help for usage.",
  ],
  [
    "invalid choice",
    'Invalid values:\n  Argument: format, Given: "xml", Choices: "csv", "tsv"',
    ["export", "--format", "xml"],
    'invalid --format "xml": expected csv, tsv\nRun tamarin export --help for usage.',
  ],
  [
    "option without value",
    "Not enough arguments following: logBucket",
    ["buckets", "add", "x", "--log-bucket"],
    "missing value for --log-bucket\nRun tamarin buckets add --help for usage.",
  ],
  [
    "unknown option in both cases",
    "Unknown arguments: log-bukcet, logBukcet",
    ["buckets", "add", "x", "--log-bukcet", "y"],
    "unknown option --log-bukcet\nRun tamarin buckets add --help for usage.",
  ],
  [
    "misspelled flag takes the path",
    "Not enough non-option arguments: got 0, need at least 1",
    ["import", "--forc", "logs/"],
    'missing argument: tamarin import <path...> (--forc took "logs/" as its value; check its spelling)\nRun tamarin import --help for usage.',
  ],
  [
    "misspelled flag takes the command",
    "name a command",
    ["--bogus", "status"],
    'name a command: import, pull, status, query, export, schema, buckets (--bogus took "status" as its value; check its spelling)\nRun tamarin status --help for usage.',
  ],
  [
    "global options take no blame",
    "Not enough non-option arguments: got 0, need at least 1",
    ["--db", "x.db", "-v", "import"],
    "missing argument: tamarin import <path...>\nRun tamarin import --help for usage.",
  ],
  [
    "no command",
    "name a command",
    [],
    "name a command: import, pull, status, query, export, schema, buckets\nRun tamarin --help for usage.",
  ],
  [
    "other parser message",
    "Arguments a and b are mutually exclusive",
    ["export"],
    "Arguments a and b are mutually exclusive\nRun tamarin export --help for usage.",
  ],
])("%s", (_label, message, args, expected) => {
  expect(describeUsageError(message, args)).toBe(expected);
});
