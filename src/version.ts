import packageJson from "../package.json" with { type: "json" };

/** Tamarin's release version, read from package.json at build time. */
export const VERSION: string = packageJson.version;
