// Main script of the single executable: runs the CLI bundle with the code
// cache that the build recorded.
import { getRawAsset } from "node:sea";
import { CODE_CACHE_ASSET } from "./asset-names.js";
import { compileBundle, runBundle } from "./bundle-loader.js";

const codeCache = new Uint8Array(getRawAsset(CODE_CACHE_ASSET) as ArrayBuffer);
runBundle(compileBundle(codeCache));
