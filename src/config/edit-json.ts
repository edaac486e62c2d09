import { TamarinError } from "../errors.js";
import type { BucketChange } from "./edit.js";

type JsonObject = Record<string, unknown>;

/**
 * Applies `change` to the text of a JSON config file and returns the new
 * text. Key order is kept, and the file is written back with its own
 * indentation (2 spaces when none can be seen), line ends and final newline. With
 * `packageProperty`, the config is that property of the file, as in
 * package.json, and every other property is kept.
 */
export function applyJsonChange(
  file: string,
  text: string,
  change: BucketChange,
  packageProperty?: string,
): string {
  const root = text.trim() === "" ? {} : parseJsonObject(file, text);
  let config = root;
  if (packageProperty !== undefined) {
    const existing = root[packageProperty];
    config = isObject(existing) ? existing : {};
    root[packageProperty] = config;
  }

  const buckets = Array.isArray(config.buckets) ? config.buckets : [];
  switch (change.kind) {
    case "add":
      buckets.push(withoutUndefined(change.entry));
      break;
    case "remove":
      buckets.splice(change.index, 1);
      break;
    case "set-monitor": {
      const bucket: unknown = buckets[change.index];
      if (isObject(bucket)) bucket.monitor = change.monitor;
      break;
    }
  }
  config.buckets = buckets;

  const indent = detectIndent(text);
  const json = JSON.stringify(root, null, indent);
  const newline = text.includes("\r\n") ? "\r\n" : "\n";
  const final = text === "" || text.endsWith("\n") ? newline : "";
  return json.replace(/\n/g, newline) + final;
}

/** Parses JSON text whose top level is an object. */
export function parseJsonObject(file: string, text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TamarinError(
      `invalid JSON in ${file}: ${(error as Error).message}`,
    );
  }
  if (!isObject(value)) {
    throw new TamarinError(
      `invalid config file ${file}: the top level is not a JSON object`,
    );
  }
  return value;
}

/** Returns the indentation of the first indented line, or 2 spaces. */
function detectIndent(text: string): string | number {
  const match = /^([ \t]+)\S/m.exec(text);
  return match?.[1] ?? 2;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function withoutUndefined(entry: object): JsonObject {
  return Object.fromEntries(
    Object.entries(entry).filter(([, value]) => value !== undefined),
  );
}
