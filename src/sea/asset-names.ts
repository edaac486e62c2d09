// Names and format of the SEA assets that the build embeds and that
// src/sea/ reads.

/**
 * SEA asset with the CLI bundle wrapped by {@link wrapModule}, as ASCII
 * text.
 */
export const BUNDLE_ASSET = "tamarin.js";

/**
 * SEA asset with the pull's writer thread, a CommonJS script that a worker
 * thread runs from source.
 */
export const WRITER_ASSET = "writer-worker.js";

/** SEA asset with the V8 code cache of {@link BUNDLE_ASSET}. */
export const CODE_CACHE_ASSET = "tamarin.js.cache";

/**
 * Prefix of the SEA asset names of the packages bundled apart, the chunks.
 * Each chunk is a CommonJS module body as ASCII text.
 */
export const CHUNK_ASSET_PREFIX = "chunk:";

/** Parameters of a CommonJS module function, in Node.js's order. */
export const MODULE_PARAMETERS = [
  "exports",
  "require",
  "module",
  "__filename",
  "__dirname",
] as const;

/**
 * Wraps a CommonJS module body into a function expression. The wrapper
 * starts on the body's first line, so line numbers in stack traces match
 * the body's.
 */
export function wrapModule(body: string): string {
  return `(function (${MODULE_PARAMETERS.join(", ")}) {${body}\n})`;
}
