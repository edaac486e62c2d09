// postject 1.0.0-alpha.6 ships no type declarations; this covers the one
// function the build calls (see node_modules/postject/dist/api.js).
declare module "postject" {
  export interface InjectOptions {
    /** Mach-O segment for the resource; default "__POSTJECT". */
    readonly machoSegmentName?: string;
    /** Replace a resource of the same name instead of failing. */
    readonly overwrite?: boolean;
    /** Fuse string whose last character marks the injection. */
    readonly sentinelFuse?: string;
  }

  /** Injects `data` as resource `resourceName` into executable `filename`. */
  export function inject(
    filename: string,
    resourceName: string,
    data: Buffer,
    options?: InjectOptions,
  ): Promise<void>;
}
