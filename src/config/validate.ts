import path from "node:path";
import type { z } from "zod";
import { TamarinError } from "../errors.js";
import {
  configSchema,
  EXPECTED_FORM,
  isSecretKey,
  KNOWN_KEYS,
  type TamarinConfig,
} from "./schema.js";

type Issue = z.core.$ZodIssue;

/**
 * Validates the parsed content of the config file `file` and fills in
 * defaults. A relative `database` is resolved against the file's folder.
 * Throws a TamarinError that lists each problem with its path in the file,
 * the value found and the form expected.
 */
export function validateConfig(raw: unknown, file: string): TamarinConfig {
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    const problems = result.error.issues.flatMap(describeIssue);
    throw new TamarinError(
      `invalid config file ${file}:\n${problems.map((line) => `  ${line}`).join("\n")}`,
    );
  }
  const { database, ...rest } = result.data;
  if (database === undefined) return rest;
  return { ...rest, database: path.resolve(path.dirname(file), database) };
}

/** Formats a path inside the config as `buckets[1].logBucket`. */
export function formatConfigPath(segments: readonly PropertyKey[]): string {
  let text = "";
  for (const segment of segments) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text === "" ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

function describeIssue(issue: Issue): string[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => describeUnknownKey(issue.path, key));
  }
  const where =
    issue.path.length === 0 ? "the file" : formatConfigPath(issue.path);
  const form = expectedForm(issue.path);
  if (issue.input === undefined) {
    return [`${where} is missing. Expected ${form}.`];
  }
  // Custom checks such as the bucket naming rules put the rule broken in
  // params.problem. Zod's own messages would only repeat the expected form.
  const detail = issue.code === "custom" ? issue.params?.problem : undefined;
  const problem = typeof detail === "string" ? `: ${detail}` : "";
  return [
    `${where}: invalid value ${showValue(issue.input)}${problem}. Expected ${form}.`,
  ];
}

function describeUnknownKey(parent: readonly PropertyKey[], key: string) {
  const where = formatConfigPath([...parent, key]);
  if (isSecretKey(key)) {
    // The value is never shown, because it may be a secret.
    return `${where}: credentials are not accepted in the config file. Remove the key, and set "profile" or the environment variables AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead.`;
  }
  const known = parent.length === 0 ? KNOWN_KEYS.top : KNOWN_KEYS.bucket;
  const guess = closestKey(key, known);
  const hint = guess === undefined ? "" : ` Did you mean "${guess}"?`;
  return `${where}: unknown key.${hint} Known keys here: ${known.join(", ")}.`;
}

function expectedForm(segments: readonly PropertyKey[]): string {
  const last = segments.at(-1);
  if (last === undefined) {
    return "an object with settings such as database and buckets";
  }
  if (typeof last === "number") {
    return "an object with at least name and logBucket";
  }
  return EXPECTED_FORM[String(last)] ?? "a valid value";
}

function showValue(value: unknown): string {
  if (typeof value === "function") return "(a function)";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Finds the known key a typo most likely meant: same letters or 2 edits. */
function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameLetters = known.find((name) => name.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  return known.find((name) => editDistance(name.toLowerCase(), lower) <= 2);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(
        Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
