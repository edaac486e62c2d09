// The two node:assert checks that yargs's Node.js platform shim imports,
// substituted in the single executable's bundle. yargs uses them only for
// internal invariants, and loading node:assert adds several milliseconds of
// CPU to every start.

/** Throws unless `actual` and `expected` are the same (Object.is semantics). */
export function strictEqual(
  actual: unknown,
  expected: unknown,
  message?: string,
): void {
  if (!Object.is(actual, expected)) {
    throw new Error(
      message ?? `expected ${String(expected)}, got ${String(actual)}`,
    );
  }
}

/** Throws unless `actual` and `unexpected` differ (Object.is semantics). */
export function notStrictEqual(
  actual: unknown,
  unexpected: unknown,
  message?: string,
): void {
  if (Object.is(actual, unexpected)) {
    throw new Error(message ?? `expected a value other than ${String(actual)}`);
  }
}
