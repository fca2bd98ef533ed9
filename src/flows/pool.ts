/** Runs at most `size` tasks at once; `run` waits for a free slot, so a reader cannot outrun the writers. */
export class Pool {
  private active = new Set<Promise<void>>();
  private firstError: unknown;

  constructor(private readonly size: number) {}

  async run(task: () => Promise<void>): Promise<void> {
    while (this.active.size >= this.size) await Promise.race(this.active);
    const p: Promise<void> = task()
      .catch((e: unknown) => {
        this.firstError ??= e;
      })
      .finally(() => this.active.delete(p));
    this.active.add(p);
  }

  /** Waits for everything started; the first error a task threw, if any, is returned (not thrown). */
  async drain(): Promise<unknown> {
    while (this.active.size) await Promise.race(this.active);
    return this.firstError;
  }
}
