import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import cliProgress from "cli-progress";
import { ExitCode, TamarinError } from "../errors.js";
import { formatCount, plural } from "../format.js";
import { readLineBatches } from "../parse/line-reader.js";
import { openDatabase } from "../store/database.js";
import { Ingestor, isUnchanged, type ObjectIdentity } from "../store/ingest.js";
import {
  createLogger,
  databasePath,
  showProgress,
  STDIN_ARGUMENT,
} from "./global-options.js";
import {
  formatImportSummary,
  type ImportOptions,
  type ImportSummary,
} from "./import.js";

/** A file to import, or stdin. */
interface Input {
  readonly display: string;
  readonly file: string | null;
  readonly size: number | null;
  readonly mtime: Date | null;
}

/**
 * Imports the files, folders and stdin named by `tamarin import` and
 * returns the exit code.
 */
export async function runImport(options: ImportOptions): Promise<number> {
  const logger = createLogger(options);
  const started = Date.now();

  // Find the inputs.
  const inputs: Input[] = [];
  let failed = 0;
  const stdinCount = options.paths.filter(
    (argument) => argument === STDIN_ARGUMENT,
  ).length;
  if (stdinCount > 1) {
    throw new TamarinError(
      `- (stdin) is named ${stdinCount} times; stdin can be read once. Name it once.`,
      ExitCode.Usage,
    );
  }
  for (const argument of options.paths) {
    try {
      inputs.push(...listInputs(argument));
    } catch (error) {
      logger.error(errorMessage(error));
      failed++;
    }
  }

  // Open the database.
  const db = openDatabase(await databasePath(options));
  const ingestor = new Ingestor(db);
  const summary: ImportSummary = {
    imported: 0,
    replaced: 0,
    skipped: 0,
    failed,
    records: 0,
    rejects: 0,
  };

  // Import each input in turn, continuing past failures.
  const progress = showProgress(options)
    ? new ImportProgress(
        inputs.reduce((sum, input) => sum + (input.size ?? 0), 0),
      )
    : null;
  try {
    for (const input of inputs) {
      try {
        const result = await importInput(ingestor, input, options, progress);
        progress?.finishObject();
        summary[result.status]++;
        if (result.status !== "skipped") {
          summary.records += result.records;
          summary.rejects += result.rejects;
        }
        logger.debug(
          `${result.status} ${input.display}: ${plural(result.records, "record")}, ${result.rejects} rejected`,
        );
      } catch (error) {
        summary.failed++;
        progress?.finishObject(false);
        progress?.interrupt();
        logger.error(
          `failed to import ${input.display}: ${errorMessage(error)}`,
        );
      }
    }
  } finally {
    progress?.stop();
    db.close();
  }

  // Report.
  logger.info(formatImportSummary(summary, Date.now() - started));
  if (summary.failed === 0) return ExitCode.Success;
  const stored = summary.imported + summary.replaced + summary.skipped;
  return stored > 0 ? ExitCode.Partial : ExitCode.Failure;
}

function listInputs(argument: string): Input[] {
  if (argument === STDIN_ARGUMENT) {
    return [{ display: "stdin", file: null, size: null, mtime: null }];
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(argument);
  } catch {
    throw new TamarinError(
      `path not found: ${argument}. Check the path, or pass - to read stdin.`,
    );
  }
  // Files are known by their real path, so that a file reached through a
  // symbolic link is the same object as the file itself.
  if (stat.isFile()) {
    return [fileInput(fs.realpathSync(argument), stat)];
  }
  if (!stat.isDirectory()) {
    throw new TamarinError(`not a file or folder: ${argument}`);
  }
  const entries = fs.readdirSync(fs.realpathSync(argument), {
    recursive: true,
    withFileTypes: true,
  });
  const files = new Set<string>();
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile()) files.add(file);
    else if (entry.isSymbolicLink()) {
      const target = linkedFile(file);
      if (target !== null) files.add(target);
    }
  }
  return [...files].sort().map((file) => fileInput(file, fs.statSync(file)));
}

/**
 * Returns the real path of the file a symbolic link points to, or null
 * when it points to a folder or nowhere. Linked folders are not followed,
 * which keeps a link loop from listing forever.
 */
function linkedFile(link: string): string | null {
  try {
    const target = fs.realpathSync(link);
    return fs.statSync(target).isFile() ? target : null;
  } catch {
    return null;
  }
}

function fileInput(file: string, stat: fs.Stats): Input {
  return { display: file, file, size: stat.size, mtime: stat.mtime };
}

async function importInput(
  ingestor: Ingestor,
  input: Input,
  options: ImportOptions,
  progress: ImportProgress | null,
) {
  const onBytes = (bytes: number) => progress?.addBytes(bytes);
  const onProgress = (records: number, rejects: number) =>
    progress?.setObjectCounts(records, rejects);
  if (input.file !== null) {
    const identity: ObjectIdentity = {
      source: input.file,
      size: input.size,
      etag: null,
      lastModified: input.mtime ? utcMillis(input.mtime) : null,
    };

    // An unchanged file is skipped without being read.
    const existing = ingestor.find(identity.source);
    if (existing && !options.force && isUnchanged(existing, identity)) {
      onBytes(input.size ?? 0);
      return {
        status: "skipped" as const,
        records: existing.records,
        rejects: existing.rejects,
      };
    }
    const stream = fs.createReadStream(input.file, {
      highWaterMark: 256 * 1024,
    });
    return ingestor.ingest(identity, readLineBatches(stream, { onBytes }), {
      force: options.force,
      onProgress,
    });
  }

  // stdin has no name, so the hash of its content identifies it: the same
  // logs piped in twice, plain or gzip, are stored once. The ledger's size
  // is the bytes read, before gunzip.
  const hash = createHash("sha256");
  let size = 0;
  return ingestor.ingest(
    {
      source: `stdin:reading:${process.pid}:${Date.now()}`,
      size: null,
      etag: null,
      lastModified: null,
    },
    readLineBatches(process.stdin, {
      onBytes: (bytes) => {
        size += bytes;
        onBytes(bytes);
      },
      onContent: (chunk) => hash.update(chunk),
    }),
    {
      force: options.force,
      onProgress,
      finalIdentity: () => ({
        source: `stdin:sha256:${hash.digest("hex")}`,
        size,
        etag: null,
        lastModified: null,
      }),
    },
  );
}

function utcMillis(date: Date): string {
  return date.toISOString().slice(0, 23).replace("T", " ");
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A byte-based progress bar on stderr, with the running record count. */
class ImportProgress {
  private readonly bar: cliProgress.SingleBar;
  private bytes = 0;
  // Counts of the objects already finished, and of the one being read.
  private doneRecords = 0;
  private doneRejects = 0;
  private objectRecords = 0;
  private objectRejects = 0;

  constructor(private readonly totalBytes: number) {
    this.bar = new cliProgress.SingleBar(
      {
        format:
          "importing [{bar}] {percentage}% | {read_mib}/{total_mib} MiB | {records} records | {rejects} rejected",
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(Math.max(totalBytes, 1), 0, this.payload());
  }

  addBytes(bytes: number): void {
    this.bytes += bytes;
    this.bar.update(this.bytes, this.payload());
  }

  setObjectCounts(records: number, rejects: number): void {
    this.objectRecords = records;
    this.objectRejects = rejects;
    this.bar.update(this.bytes, this.payload());
  }

  /**
   * Adds the current object's counts to the total when it is finished, or
   * drops them when its transaction rolled back.
   */
  finishObject(stored = true): void {
    if (stored) {
      this.doneRecords += this.objectRecords;
      this.doneRejects += this.objectRejects;
    }
    this.objectRecords = 0;
    this.objectRejects = 0;
  }

  /** Moves the bar off the current line so that an error message reads cleanly. */
  interrupt(): void {
    process.stderr.write("\n");
  }

  stop(): void {
    this.bar.stop();
  }

  private payload() {
    return {
      read_mib: (this.bytes / 1048576).toFixed(1),
      total_mib: (this.totalBytes / 1048576).toFixed(1),
      records: formatCount(this.doneRecords + this.objectRecords),
      rejects: formatCount(this.doneRejects + this.objectRejects),
    };
  }
}
