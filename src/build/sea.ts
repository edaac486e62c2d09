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
  /** The CommonJS script that the executable runs. */
  readonly main: string;
  /** Files to embed, by asset name, for node:sea's getAsset(). */
  readonly assets: Readonly<Record<string, string>>;
  /** Folder for the blob and its configuration. */
  readonly workDir: string;
  /** Path of the executable to write. */
  readonly output: string;
  /** Run binutils `strip` on the runtime copy before injecting (ELF only). */
  readonly strip: boolean;
}

/**
 * Returns the assets for better-sqlite3's addon: the addon and its hex
 * SHA-256, which is written into `workDir`.
 */
export function addonAssets(
  addon: string,
  workDir: string,
): Record<string, string> {
  fs.mkdirSync(workDir, { recursive: true });
  const hashFile = path.join(workDir, ADDON_HASH_ASSET);
  const addonHash = createHash("sha256")
    .update(fs.readFileSync(addon))
    .digest("hex");
  fs.writeFileSync(hashFile, `${addonHash}\n`);
  return { [ADDON_ASSET]: addon, [ADDON_HASH_ASSET]: hashFile };
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
  const blob = path.join(workDir, "sea-prep.blob");
  const seaConfig = path.join(workDir, "sea-config.json");
  fs.writeFileSync(
    seaConfig,
    JSON.stringify(
      {
        main: inputs.main,
        output: blob,
        disableExperimentalSEAWarning: true,
        // Compiles the main script's top level at build time.
        useCodeCache: true,
        assets: inputs.assets,
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
