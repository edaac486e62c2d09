/**
 * Runs async tasks with at most `limit` in flight. `submit` resolves once
 * the task has started, so a producer that awaits it waits while the pool
 * is full. `drain` waits for every task. Tasks are expected to handle their
 * own errors, so `drain` rethrows the first rejection as a bug.
 */
export class TaskPool {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`pool limit must be a positive integer: ${limit}`);
    }
  }

  /** Starts `task` as soon as fewer than `limit` tasks are running. */
  async submit(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) {
      await Promise.race(this.running);
    }
    const promise: Promise<void> = task()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => {
        this.running.delete(promise);
      });
    this.running.add(promise);
  }

  /** Waits until no task is running. */
  async drain(): Promise<void> {
    while (this.running.size > 0) {
      await Promise.race(this.running);
    }
    if (this.failure !== null) throw this.failure.error;
  }
}
