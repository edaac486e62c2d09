import path from "node:path";
import { loadConfig, type LoadedConfig } from "../config/load.js";
import { Logger, type Verbosity } from "../log.js";

/** Options every command accepts, as parsed by yargs. */
export interface GlobalOptions {
  readonly db?: string;
  readonly config?: string;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
  readonly progress?: boolean;
}

export const DEFAULT_DATABASE = "tamarin.db";

/**
 * Chooses the SQLite file: --db, else TAMARIN_DB, else the config file's
 * `database`, else ./tamarin.db. The config is loaded only when neither
 * --db nor TAMARIN_DB is set and `loaded` is not passed in.
 */
export async function databasePath(
  options: GlobalOptions,
  loaded?: LoadedConfig,
): Promise<string> {
  // TAMARIN_DB is read here rather than through yargs' env() support, which
  // would turn every other TAMARIN_* variable into an unknown option.
  const given = options.db ?? process.env.TAMARIN_DB;
  if (given !== undefined && given !== "") return path.resolve(given);
  const { config } = loaded ?? (await loadConfig({ config: options.config }));
  return config.database ?? path.resolve(DEFAULT_DATABASE);
}

export function createLogger(options: GlobalOptions): Logger {
  let verbosity: Verbosity = "normal";
  if (options.quiet) verbosity = "quiet";
  else if (options.verbose) verbosity = "verbose";
  return new Logger(verbosity);
}

/**
 * Tells whether to draw progress bars: only on a terminal, and not with
 * --no-progress or --quiet. Cron and pipes get one summary line instead.
 */
export function showProgress(options: GlobalOptions): boolean {
  return (
    options.progress !== false &&
    !options.quiet &&
    process.stderr.isTTY === true
  );
}
