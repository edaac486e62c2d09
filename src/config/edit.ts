import fs from "node:fs";
import path from "node:path";
import { TamarinError } from "../errors.js";
import { applyJsonChange, parseJsonObject } from "./edit-json.js";
import { applyYamlChange, parseYamlDocument } from "./edit-yaml.js";
import { DEFAULT_CONFIG } from "./defaults.js";
import { loadConfig, locateConfigFile, type ConfigLocation } from "./load.js";
import { logLocation } from "./log-location.js";
import type { BucketConfig, TamarinConfig } from "./schema.js";
import { validateConfig } from "./validate.js";

/** A bucket entry as `buckets add` writes it, keys in file order. */
export interface BucketEntry {
  readonly name: string;
  readonly logBucket: string;
  readonly logPrefix: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly forcePathStyle?: boolean;
  readonly profile?: string;
  readonly monitor: boolean;
}

/** One edit of the buckets list. `index` is the entry's position in it. */
export type BucketChange =
  | { readonly kind: "add"; readonly entry: BucketEntry }
  | { readonly kind: "remove"; readonly index: number }
  | {
      readonly kind: "set-monitor";
      readonly index: number;
      readonly monitor: boolean;
    };

/** Format of a config file, which decides how it is read and rewritten. */
export type ConfigFileFormat = "json" | "yaml" | "package-json" | "javascript";

/** File that `buckets add` creates when no config file is found. */
export const NEW_CONFIG_FILE = "tamarin.config.json";

const PACKAGE_PROPERTY = "tamarin";

/**
 * Edits the buckets list of the config file in place. Each change is
 * checked by parsing and validating the new text before it replaces the
 * file, so a failed edit leaves the file as it was.
 */
export class ConfigEditor {
  private constructor(
    /** The config file, which `add` creates if it does not exist. */
    readonly file: string,
    private exists: boolean,
    private current: TamarinConfig,
    /** Folder the search started in, when it found no file. */
    private readonly searchedFrom: string | null,
  ) {}

  /** Finds and loads the config file as `loadConfig` does. */
  static async open(location: ConfigLocation): Promise<ConfigEditor> {
    const cwd = location.cwd ?? process.cwd();
    const found = await locateConfigFile(location);
    const file = found ?? path.join(cwd, NEW_CONFIG_FILE);
    const exists = fs.existsSync(file);
    const { config } = exists
      ? await loadConfig({ config: file, cwd })
      : { config: DEFAULT_CONFIG };
    return new ConfigEditor(file, exists, config, found === null ? cwd : null);
  }

  get config(): TamarinConfig {
    return this.current;
  }

  /** Tells whether the config file exists yet. */
  get fileExists(): boolean {
    return this.exists;
  }

  /** Raises unless a bucket named `name` can be added. */
  checkNewName(name: string): void {
    const existing = this.current.buckets.find(
      (bucket) => bucket.name === name,
    );
    if (existing === undefined) return;
    const advice = existing.monitor
      ? `Run tamarin buckets remove ${name} first to add it with new settings.`
      : `Run tamarin buckets enable ${name} to monitor it again, or tamarin buckets remove ${name} first to add it with new settings.`;
    throw new TamarinError(
      `bucket "${name}" is already in ${this.file} (logs in ${logLocation(existing)}, monitor: ${existing.monitor}). ${advice}`,
    );
  }

  /** Appends `entry` to the buckets list, creating the file if needed. */
  add(entry: BucketEntry): void {
    this.checkNewName(entry.name);
    this.apply(
      { kind: "add", entry },
      `Add this entry to its buckets list:\n  ${javascriptLiteral(entry)}`,
    );
  }

  /** Removes the bucket named `name` and returns its entry. */
  remove(name: string): BucketConfig {
    const index = this.indexOf(name);
    const removed = this.current.buckets[index]!;
    this.apply(
      { kind: "remove", index },
      `Remove the entry with name "${name}" from its buckets list.`,
    );
    return removed;
  }

  /**
   * Sets `monitor` on the bucket named `name`. Returns false, leaving the
   * file alone, when the bucket already has that value.
   */
  setMonitor(name: string, monitor: boolean): boolean {
    const index = this.indexOf(name);
    if (this.current.buckets[index]!.monitor === monitor) return false;
    this.apply(
      { kind: "set-monitor", index, monitor },
      `Set monitor: ${monitor} in the entry with name "${name}".`,
    );
    return true;
  }

  private indexOf(name: string): number {
    const index = this.current.buckets.findIndex(
      (bucket) => bucket.name === name,
    );
    if (index !== -1) return index;
    if (!this.exists) {
      const where =
        this.searchedFrom === null
          ? `${this.file} does not exist`
          : `no config file was found in ${this.searchedFrom} or its parent folders`;
      throw new TamarinError(
        `bucket "${name}" is not configured: ${where}. Add buckets with tamarin buckets add.`,
      );
    }
    const names = this.current.buckets.map((bucket) => bucket.name);
    const known =
      names.length === 0
        ? "It lists no buckets."
        : `Known buckets: ${names.join(", ")}.`;
    throw new TamarinError(`bucket "${name}" is not in ${this.file}. ${known}`);
  }

  private apply(change: BucketChange, byHand: string): void {
    const text = this.exists ? fs.readFileSync(this.file, "utf8") : "";
    const format = configFileFormat(this.file, text);
    if (format === "javascript") {
      throw new TamarinError(
        `${this.file} is a JavaScript config, which tamarin does not rewrite. ${byHand}`,
      );
    }
    if (hasImport(parseConfigText(this.file, format, text))) {
      throw new TamarinError(
        `${this.file} uses $import, so tamarin does not rewrite it. ${byHand}`,
      );
    }

    // Make the new text, and check that it contains exactly the change.
    const updated =
      format === "yaml"
        ? applyYamlChange(this.file, text, change)
        : applyJsonChange(
            this.file,
            text,
            change,
            format === "package-json" ? PACKAGE_PROPERTY : undefined,
          );
    const next = validateConfig(
      parseConfigText(this.file, format, updated) ?? {},
      this.file,
    );
    if (canonical(next) !== canonical(expectedConfig(this.current, change))) {
      throw new TamarinError(
        `could not edit ${this.file} safely, so it is unchanged. ${byHand}`,
      );
    }

    writeFileAtomically(this.file, updated);
    this.exists = true;
    this.current = next;
  }
}

/** Tells how a config file is edited, from its name and text. */
export function configFileFormat(file: string, text: string): ConfigFileFormat {
  const extension = path.extname(file);
  if (path.basename(file) === "package.json") return "package-json";
  if ([".js", ".cjs", ".mjs", ".ts", ".cts", ".mts"].includes(extension)) {
    return "javascript";
  }
  if (extension === ".json") return "json";
  if (extension === ".yaml" || extension === ".yml") return "yaml";
  if (extension === "") {
    // A file without extension, such as .tamarinrc, may contain JSON or
    // YAML. JSON is edited as JSON so that it stays JSON.
    return text.trimStart().startsWith("{") ? "json" : "yaml";
  }
  throw new TamarinError(
    `unsupported config file type: ${file}. Use a .json, .yaml, .yml, .js, .cjs or .mjs file, or a .tamarinrc file containing JSON or YAML.`,
  );
}

/** Parses config text to plain data, or to the "tamarin" property of package.json. */
function parseConfigText(
  file: string,
  format: Exclude<ConfigFileFormat, "javascript">,
  text: string,
): unknown {
  if (text.trim() === "") return undefined;
  if (format === "yaml") return parseYamlDocument(file, text).toJS();
  const root = parseJsonObject(file, text);
  return format === "package-json" ? root[PACKAGE_PROPERTY] : root;
}

function hasImport(raw: unknown): boolean {
  return typeof raw === "object" && raw !== null && "$import" in raw;
}

function expectedConfig(
  config: TamarinConfig,
  change: BucketChange,
): TamarinConfig {
  const buckets = [...config.buckets];
  switch (change.kind) {
    case "add":
      buckets.push(change.entry);
      break;
    case "remove":
      buckets.splice(change.index, 1);
      break;
    case "set-monitor":
      buckets[change.index] = {
        ...buckets[change.index]!,
        monitor: change.monitor,
      };
      break;
  }
  return { ...config, buckets };
}

/** Serializes a value as JSON with sorted keys and no undefined values. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner !== "object" || inner === null || Array.isArray(inner)) {
      return inner;
    }
    return Object.fromEntries(
      Object.entries(inner)
        .filter(([, field]) => field !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
}

function javascriptLiteral(entry: BucketEntry): string {
  const fields = Object.entries(entry)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
  return `{ ${fields.join(", ")} },`;
}

/**
 * Replaces `file` by writing a temporary file beside it and renaming it, so
 * a crash never leaves half a config. A symbolic link is followed, and the
 * file's permissions are kept.
 */
function writeFileAtomically(file: string, text: string): void {
  const target = fs.existsSync(file) ? fs.realpathSync(file) : file;
  const mode = fs.existsSync(target) ? fs.statSync(target).mode : 0o644;
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, text);
    fs.chmodSync(temporary, mode & 0o7777);
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    const code = (error as { code?: string }).code;
    if (code === "ENOENT") {
      throw new TamarinError(
        `cannot write ${file}: the folder ${path.dirname(target)} does not exist`,
      );
    }
    throw new TamarinError(`cannot write ${file}: ${(error as Error).message}`);
  }
}
