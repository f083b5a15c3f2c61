/**
 * Loads values by key in batches: keys asked for during one turn of the event loop, and those queued
 * while `maxInFlight` loads run, go out together; a key already queued (not yet sent) is shared.
 */
export class BatchLoader<V> {
  private queue: string[] = [];
  private readonly waiting = new Map<string, { promise: Promise<V | undefined>; resolve(v: V | undefined): void; reject(e: unknown): void }>();
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly load: (keys: string[]) => Promise<Map<string, V>>,
    private readonly maxBatch: number,
    private readonly maxInFlight: number,
  ) {}

  get(key: string): Promise<V | undefined> {
    let entry = this.waiting.get(key);
    if (!entry) {
      let resolve!: (v: V | undefined) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<V | undefined>((res, rej) => ((resolve = res), (reject = rej)));
      this.waiting.set(key, (entry = { promise, resolve, reject }));
      this.queue.push(key);
      this.schedule();
    }
    return entry.promise;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || !this.queue.length) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length) {
      const keys = this.queue.splice(0, this.maxBatch);
      const entries = keys.map((k) => this.waiting.get(k)!);
      for (const k of keys) this.waiting.delete(k);
      this.inFlight++;
      this.load(keys).then(
        (values) => entries.forEach((e, i) => e.resolve(values.get(keys[i]!))),
        (err: unknown) => entries.forEach((e) => e.reject(err)),
      ).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }
}
