import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { inject } from "postject";
import { ADDON_ASSET, ADDON_HASH_ASSET } from "../store/native-addon.js";
import type { Runtime } from "./runtime.js";

// The fuse string that Node.js searches its own binary for; postject flips
// its last character to mark that a blob was injected.
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

/** Inputs of one single executable application. */
export interface SeaInputs {
  readonly runtime: Runtime;
  /** The CommonJS bundle to run. */
  readonly bundle: string;
  /** better_sqlite3.node compiled for the runtime. */
  readonly addon: string;
  /** Folder for the blob and its configuration. */
  readonly workDir: string;
  /** Path of the executable to write. */
  readonly output: string;
  /** Run binutils `strip` on the runtime copy before injecting (ELF only). */
  readonly strip: boolean;
}

/**
 * Makes a single executable application: writes the preparation blob with
 * the runtime itself (a blob only works in the Node.js version that made
 * it), copies the runtime, injects the blob with postject and, on macOS,
 * signs the result ad hoc. Follows the steps of the Node.js documentation
 * on single executable applications (read for v20.18).
 */
export async function makeExecutable(inputs: SeaInputs): Promise<void> {
  const { runtime, workDir, output } = inputs;
  fs.mkdirSync(workDir, { recursive: true });

  // Write the blob.
  const hashFile = path.join(workDir, ADDON_HASH_ASSET);
  const addonHash = createHash("sha256")
    .update(fs.readFileSync(inputs.addon))
    .digest("hex");
  fs.writeFileSync(hashFile, `${addonHash}\n`);
  const blob = path.join(workDir, "sea-prep.blob");
  const seaConfig = path.join(workDir, "sea-config.json");
  fs.writeFileSync(
    seaConfig,
    JSON.stringify(
      {
        main: inputs.bundle,
        output: blob,
        disableExperimentalSEAWarning: true,
        // Compiles the bundle's top level at build time. The Node.js 20 docs
        // say import() then fails in the main script, but with 22.23.5 the
        // smoke test loads a tamarin.config.mjs through import().
        useCodeCache: true,
        assets: { [ADDON_ASSET]: inputs.addon, [ADDON_HASH_ASSET]: hashFile },
      },
      null,
      2,
    ),
  );
  execFileSync(runtime.executable, ["--experimental-sea-config", seaConfig], {
    stdio: ["ignore", "ignore", "inherit"],
  });

  // Copy the runtime next to the output, then rename it into place at the
  // end, so a failed build leaves no half-made executable behind.
  fs.mkdirSync(path.dirname(output), { recursive: true });
  const partial = `${output}.partial`;
  fs.copyFileSync(runtime.executable, partial);
  fs.chmodSync(partial, 0o755);
  if (inputs.strip) execFileSync("strip", ["--strip-all", partial]);
  if (process.platform === "darwin") {
    execFileSync("codesign", ["--remove-signature", partial]);
  }

  // Inject the blob.
  await inject(partial, "NODE_SEA_BLOB", fs.readFileSync(blob), {
    sentinelFuse: SEA_FUSE,
    ...(process.platform === "darwin" && { machoSegmentName: "NODE_SEA" }),
  });
  if (process.platform === "darwin") {
    execFileSync("codesign", ["--sign", "-", partial]);
  }
  // NOTE: Windows executables stay unsigned: Node.js documents signtool
  // signing as optional, and an unsigned executable runs.
  fs.renameSync(partial, output);
}
