import YAML, { isMap, isScalar, isSeq, type Document, type Node } from "yaml";
import { TamarinError } from "../errors.js";
import type { BucketChange, BucketEntry } from "./edit.js";

/**
 * Applies `change` to the text of a YAML config file and returns the new
 * text. Block-style files are edited by splicing the source text at the
 * positions the parser reports, so every line outside the change, comments
 * included, stays byte for byte. Flow-style collections (`[...]`, `{...}`)
 * are edited through the yaml Document model instead, which keeps comments
 * but may reformat spacing.
 */
export function applyYamlChange(
  file: string,
  text: string,
  change: BucketChange,
): string {
  const doc = parseYamlDocument(file, text);
  return spliceChange(doc, text, change) ?? rewriteChange(doc, change);
}

/** Parses YAML text, raising a TamarinError that names the file. */
export function parseYamlDocument(file: string, text: string): Document {
  // Merge keys (<<) are on because cosmiconfig's YAML loader reads them too.
  const doc = YAML.parseDocument(text, { merge: true });
  const error = doc.errors[0];
  if (error !== undefined) {
    throw new TamarinError(`invalid YAML in ${file}: ${error.message}`);
  }
  return doc;
}

// Returns null when the layout needs the Document model.
function spliceChange(
  doc: Document,
  text: string,
  change: BucketChange,
): string | null {
  const root = doc.contents;
  if (root !== null && !(isMap(root) && !root.flow)) return null;
  const buckets = root === null ? undefined : root.get("buckets", true);

  if (change.kind === "add") {
    if (buckets === undefined) {
      // No buckets key: append one at the end of the file.
      return insertLines(
        text,
        text.length,
        `buckets:\n${itemText(change.entry, 2)}`,
      );
    }
    if (isScalar(buckets) && buckets.value === null && buckets.source === "") {
      // "buckets:" with no value: the items go on the lines after the key.
      const lineEnd = endOfLine(text, rangeOf(buckets)[0]);
      return insertLines(text, lineEnd, itemText(change.entry, 2));
    }
    if (!isBlockSeq(buckets) || buckets.items.length === 0) return null;
    const last = buckets.items.at(-1) as Node;
    const dashColumn = columnOf(text, dashPosition(text, rangeOf(last)[0]));
    return insertLines(
      text,
      contentEnd(text, last),
      itemText(change.entry, dashColumn),
    );
  }

  if (!isBlockSeq(buckets)) return null;
  const item = buckets.items[change.index] as Node | undefined;
  if (item === undefined) return null;

  if (change.kind === "remove") {
    const start = startOfLine(text, dashPosition(text, rangeOf(item)[0]));
    return text.slice(0, start) + text.slice(contentEnd(text, item));
  }

  if (!isMap(item) || item.flow) return null;
  const value = change.monitor ? "true" : "false";
  const current = item.get("monitor", true);
  if (isScalar(current)) {
    const [start, end] = rangeOf(current);
    return text.slice(0, start) + value + text.slice(end);
  }
  const keyColumn = columnOf(text, rangeOf(item)[0]);
  return insertLines(
    text,
    contentEnd(text, item),
    `${" ".repeat(keyColumn)}monitor: ${value}\n`,
  );
}

function rewriteChange(doc: Document, change: BucketChange): string {
  switch (change.kind) {
    case "add": {
      const item = doc.createNode(change.entry);
      if (doc.get("buckets") == null) doc.set("buckets", doc.createNode([]));
      doc.addIn(["buckets"], item);
      break;
    }
    case "remove":
      doc.deleteIn(["buckets", change.index]);
      break;
    case "set-monitor":
      doc.setIn(["buckets", change.index, "monitor"], change.monitor);
      break;
  }
  return doc.toString({ lineWidth: 0 });
}

/** Formats one sequence item, with its dash at `dashColumn`. */
function itemText(entry: BucketEntry, dashColumn: number): string {
  const indent = " ".repeat(dashColumn + 2);
  const lines = Object.entries(entry)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}: ${scalarText(value)}`);
  return `${" ".repeat(dashColumn)}- ${lines.join(`\n${indent}`)}\n`;
}

function scalarText(value: string | boolean): string {
  const text = YAML.stringify(value, { lineWidth: 0 }).trimEnd();
  // A value that YAML would write as a block scalar is written as a JSON
  // string instead, which YAML reads as a double-quoted scalar.
  return text.includes("\n") ? JSON.stringify(value) : text;
}

function isBlockSeq(node: unknown): node is YAML.YAMLSeq {
  return isSeq(node) && !node.flow;
}

function rangeOf(node: Node): [number, number, number] {
  if (node.range == null) throw new Error("YAML node has no source range");
  return [node.range[0], node.range[1], node.range[2]];
}

/** Finds the "-" that introduces the sequence item starting at `position`. */
function dashPosition(text: string, position: number): number {
  let index = position - 1;
  while (index >= 0 && /\s/.test(text[index]!)) index--;
  if (text[index] !== "-") throw new Error("YAML sequence item without a dash");
  return index;
}

/**
 * Inserts whole lines, written with "\n", at `at`, ending the line before
 * them if needed.
 */
function insertLines(text: string, at: number, lines: string): string {
  // New lines end like the file's own lines, CRLF or LF.
  const newline = text.includes("\r\n") ? "\r\n" : "\n";
  const separator = at > 0 && text[at - 1] !== "\n" ? newline : "";
  const inserted = lines.replace(/\n/g, newline);
  return `${text.slice(0, at)}${separator}${inserted}${text.slice(at)}`;
}

/** Returns the offset just past the last line of `node`'s content. */
function contentEnd(text: string, node: Node): number {
  const end = rangeOf(node)[1];
  return end > 0 && text[end - 1] === "\n" ? end : endOfLine(text, end);
}

function startOfLine(text: string, position: number): number {
  return text.lastIndexOf("\n", position - 1) + 1;
}

/** Returns the offset after the newline that ends the line at `position`. */
function endOfLine(text: string, position: number): number {
  const newline = text.indexOf("\n", position);
  return newline === -1 ? text.length : newline + 1;
}

function columnOf(text: string, position: number): number {
  return position - startOfLine(text, position);
}
