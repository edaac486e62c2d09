// Main script of the build's first, throwaway executable. It runs the CLI
// bundle like src/sea/main.ts and, when the process exits, writes the
// bundle's code cache, which then contains every function that the run
// compiled. Environment: TAMARIN_CODE_CACHE_OUT (required) names the file
// to write, and TAMARIN_CODE_CACHE_IN an earlier cache to start from, so
// that several runs add up.
import fs from "node:fs";
import { compileBundle, runBundle } from "./bundle-loader.js";

const input = process.env.TAMARIN_CODE_CACHE_IN;
const output = process.env.TAMARIN_CODE_CACHE_OUT;
if (output === undefined) {
  throw new Error(
    "missing TAMARIN_CODE_CACHE_OUT: set it to the file for the code cache",
  );
}

const script = compileBundle(
  input === undefined ? undefined : fs.readFileSync(input),
);
if (script.cachedDataRejected === true) {
  throw new Error(
    `V8 rejected the code cache ${input}: it was recorded by another Node.js build or with other V8 flags`,
  );
}
process.on("exit", () => {
  fs.writeFileSync(output, script.createCachedData());
});
runBundle(script);
