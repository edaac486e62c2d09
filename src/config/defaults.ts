import type { TamarinConfig } from "./schema.js";

/** Values of the settings that the config file leaves out. */
export const CONFIG_DEFAULTS = {
  pullIntervalMinutes: 5,
  purgeParsedKeys: false,
  concurrency: 8,
  lookback: "2d",
} as const;

/** The config in effect when no config file is found. */
export const DEFAULT_CONFIG: TamarinConfig = {
  ...CONFIG_DEFAULTS,
  buckets: [],
};
