import path from "node:path";
import type { Loader, PublicExplorer } from "cosmiconfig";
import { TamarinError } from "../errors.js";
import { DEFAULT_CONFIG } from "./defaults.js";
import type { TamarinConfig } from "./schema.js";

export type { BucketConfig, TamarinConfig } from "./schema.js";

/** The config in effect and the file it came from, null for defaults. */
export interface LoadedConfig {
  readonly config: TamarinConfig;
  readonly file: string | null;
}

/** Options that locate the config file. */
export interface ConfigLocation {
  /**
   * Path from --config, relative to `cwd`. When undefined, the environment
   * variable TAMARIN_CONFIG is used if set.
   */
  readonly config?: string;
  /** Folder the search starts in, by default the current directory. */
  readonly cwd?: string;
}

/**
 * File names searched in each folder, in this order. package.json counts
 * only when it has a "tamarin" property.
 */
export const SEARCH_PLACES = [
  "package.json",
  ".tamarinrc",
  ".tamarinrc.json",
  ".tamarinrc.yaml",
  ".tamarinrc.yml",
  "tamarin.config.json",
  "tamarin.config.js",
  "tamarin.config.cjs",
  "tamarin.config.mjs",
] as const;

export { DEFAULT_CONFIG } from "./defaults.js";

/**
 * Loads and validates the config file: the one named by `config` or
 * TAMARIN_CONFIG, or else the first found from `cwd` upward to the home
 * folder, then in the user's config folder (on Linux
 * ~/.config/tamarin/config.json and the like). Returns the defaults with `file: null` when no file is
 * found.
 */
export async function loadConfig(
  options: ConfigLocation,
): Promise<LoadedConfig> {
  const explorer = await createExplorer();
  // Loaded here so that start-up, --help included, does not import zod.
  const { validateConfig } = await import("./validate.js");
  const cwd = options.cwd ?? process.cwd();
  const explicit = explicitPath(options);
  let result;
  if (explicit !== undefined) {
    const file = path.resolve(cwd, explicit);
    try {
      result = await explorer.load(file);
    } catch (error) {
      throw readError(error, file);
    }
    if (result === null) {
      // A package.json without a "tamarin" property.
      return { config: validateConfig({}, file), file };
    }
  } else {
    try {
      result = await explorer.search(cwd);
    } catch (error) {
      throw readError(error, null);
    }
    if (result === null) return { config: DEFAULT_CONFIG, file: null };
  }
  const raw: unknown = result.isEmpty === true ? {} : result.config;
  return {
    config: validateConfig(raw, result.filepath),
    file: result.filepath,
  };
}

/**
 * Returns the config file that commands use: the `config` or TAMARIN_CONFIG
 * path when given, whether it exists or not, else the file the search finds, else null.
 */
export async function locateConfigFile(
  options: ConfigLocation,
): Promise<string | null> {
  const cwd = options.cwd ?? process.cwd();
  const explicit = explicitPath(options);
  if (explicit !== undefined) return path.resolve(cwd, explicit);
  const explorer = await createExplorer();
  try {
    return (await explorer.search(cwd))?.filepath ?? null;
  } catch (error) {
    throw readError(error, null);
  }
}

// TAMARIN_CONFIG is read here, not through yargs' env() support, so that
// every caller of loadConfig honours it.
function explicitPath(options: ConfigLocation): string | undefined {
  const fromEnvironment = process.env.TAMARIN_CONFIG;
  if (options.config !== undefined) return options.config;
  return fromEnvironment === "" ? undefined : fromEnvironment;
}

async function createExplorer(): Promise<PublicExplorer> {
  // Loaded here so that commands which never read the config skip it.
  const { cosmiconfig, defaultLoaders } = await import("cosmiconfig");
  // A YAML file containing only comments loads as null, which cosmiconfig would
  // skip like a package.json without "tamarin". Such a file counts as found.
  const loadYaml: Loader = async (file, content) =>
    (await defaultLoaders[".yaml"](file, content)) ?? {};
  return cosmiconfig("tamarin", {
    searchPlaces: [...SEARCH_PLACES],
    searchStrategy: "global",
    // An empty config file is found and means "all defaults", so that it is
    // the file `tamarin buckets add` edits.
    ignoreEmptySearchPlaces: false,
    loaders: { ".yaml": loadYaml, ".yml": loadYaml, noExt: loadYaml },
    cache: false,
  });
}

function readError(error: unknown, explicitFile: string | null): Error {
  const { code, filepath, message } = error as {
    code?: string;
    filepath?: string;
    message?: string;
  };
  if (explicitFile !== null && code === "ENOENT") {
    return new TamarinError(
      `config file not found: ${explicitFile} (set by --config or TAMARIN_CONFIG). Check the path, or run tamarin buckets add to create it.`,
    );
  }
  if (explicitFile !== null && code === "EISDIR") {
    return new TamarinError(
      `config file ${explicitFile} is a folder. Name a file such as ${path.join(explicitFile, "tamarin.config.json")}.`,
    );
  }
  const file = filepath ?? explicitFile;
  if (file === null || message === undefined) return error as Error;
  if (message.startsWith("No loader specified")) {
    return new TamarinError(
      `unsupported config file type: ${file}. Use a .json, .yaml, .yml, .js, .cjs or .mjs file, or a .tamarinrc file containing JSON or YAML.`,
    );
  }
  return new TamarinError(`cannot read config file ${file}: ${message}`);
}
