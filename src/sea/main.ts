// Main script of the single executable: runs the CLI bundle with the code
// cache that the build recorded. With TAMARIN_CODE_CACHE_REPORT set, it
// first prints whether V8 accepted that cache, which the smoke tests
// check: a rejected cache only slows every start, so nothing else shows it.
import { getRawAsset } from "node:sea";
import { CODE_CACHE_ASSET } from "./asset-names.js";
import { compileBundle, runBundle } from "./bundle-loader.js";

const codeCache = new Uint8Array(getRawAsset(CODE_CACHE_ASSET) as ArrayBuffer);
const script = compileBundle(codeCache);
if (process.env.TAMARIN_CODE_CACHE_REPORT !== undefined) {
  process.stderr.write(
    `code cache ${script.cachedDataRejected === true ? "rejected" : "accepted"}\n`,
  );
}
runBundle(script);
