import { DeleteObjectsCommand, type S3Client } from "@aws-sdk/client-s3";

/** DeleteObjects accepts at most 1,000 keys per request. */
export const DELETE_BATCH_SIZE = 1000;

/** A key that DeleteObjects did not delete, with S3's error. */
export interface PurgeFailure {
  readonly key: string;
  readonly error: unknown;
}

/**
 * Deletes log objects from a log bucket in batches of up to 1,000 keys.
 * `pullLogs` adds only keys whose rows are committed to the database, in
 * this run or an earlier one, so a purged object's records are stored.
 */
export class Purger {
  private pending: string[] = [];
  private sending: Promise<void> = Promise.resolve();
  deleted = 0;
  readonly failures: PurgeFailure[] = [];

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly batchSize: number = DELETE_BATCH_SIZE,
  ) {}

  /** Queues `key` for deletion; sends a request when a batch is full. */
  add(key: string): void {
    this.pending.push(key);
    if (this.pending.length >= this.batchSize) this.sendPending();
  }

  /** Sends the keys still queued and waits for every request. */
  async flush(): Promise<void> {
    if (this.pending.length > 0) this.sendPending();
    await this.sending;
  }

  private sendPending(): void {
    const keys = this.pending;
    this.pending = [];
    this.sending = this.sending.then(() => this.deleteBatch(keys));
  }

  private async deleteBatch(keys: readonly string[]): Promise<void> {
    try {
      const result = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const failed = new Set<string>();
      for (const error of result.Errors ?? []) {
        const key = error.Key ?? "";
        failed.add(key);
        this.failures.push({
          key,
          error: { name: error.Code, message: error.Message },
        });
      }
      this.deleted += keys.filter((key) => !failed.has(key)).length;
    } catch (error) {
      for (const key of keys) this.failures.push({ key, error });
    }
  }
}
