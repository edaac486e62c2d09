import fs from "node:fs";
import path from "node:path";

/**
 * Creates `folder` and its missing parents, as `mkdir -p` does. Node's own
 * `mkdirSync(folder, { recursive: true })` loops forever on Node 20 and 22
 * when a parent refuses new entries with ENOENT, as /proc does, so each
 * level is made here in turn and the first failure is thrown.
 */
export function makeFolder(folder: string, mode?: number): void {
  const missing: string[] = [];
  let current = path.resolve(folder);
  while (!fs.existsSync(current)) {
    missing.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const level of missing.reverse()) {
    try {
      fs.mkdirSync(level, { mode });
    } catch (error) {
      // Another process may have made it meanwhile.
      if ((error as { code?: string }).code !== "EEXIST") throw error;
    }
  }
}
