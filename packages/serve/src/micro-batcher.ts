/** Thrown by `submit` when the queue cannot take the rows: the server answers 503 with Retry-After. */
export class QueueFull extends Error {
  constructor(readonly queued: number, readonly limit: number) {
    super(`the prediction queue is full (${queued} rows waiting, at most ${limit})`);
  }
}

export interface MicroBatcherOptions {
  /** Rows per model call at most. 1 turns batching off. */
  maxBatch: number;
  /** How long a row may wait for others while more requests are on their way. */
  maxLatencyMs: number;
  /** Rows waiting (not yet in a model call) at most; more are refused with QueueFull. */
  maxQueue: number;
  /** Requests received but not yet submitted (their bodies are still being read or parsed). */
  arriving?: () => number;
  /** Told the size of each model call. */
  onBatch?: (rows: number) => void;
}

interface Pending<T, R> {
  readonly items: readonly T[];
  readonly results: R[];
  /** Items of this request already handed to a model call. */
  taken: number;
  /** Items whose results have come back. */
  done: number;
  readonly resolve: (results: R[]) => void;
  readonly reject: (error: unknown) => void;
  readonly since: number;
}

interface Slice<T, R> {
  readonly pending: Pending<T, R>;
  readonly start: number;
  readonly count: number;
}

/**
 * Gathers the rows of concurrent requests into one model call, up to `maxBatch` rows. A call starts at once when
 * nothing is running and no other request is on its way (so a lone request never waits); otherwise rows wait for
 * the running call, or up to `maxLatencyMs` for the requests already arriving. Each request gets its own results.
 */
export class MicroBatcher<T, R> {
  private readonly queue: Pending<T, R>[] = [];
  private queuedItems = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;

  constructor(private readonly run: (items: T[]) => Promise<R[]>, private readonly options: MicroBatcherOptions) {
    if (!(options.maxBatch >= 1) || !(options.maxQueue >= 1) || !(options.maxLatencyMs >= 0)) throw new RangeError('maxBatch and maxQueue must be >= 1, maxLatencyMs >= 0');
  }

  /** Rows waiting for a model call. */
  get queued(): number {
    return this.queuedItems;
  }

  /** Most rows one request may submit: it must fit into the queue. */
  get capacity(): number {
    return this.options.maxQueue;
  }

  submit(items: readonly T[]): Promise<R[]> {
    if (items.length === 0) return Promise.resolve([]);
    if (this.queuedItems + items.length > this.options.maxQueue) return Promise.reject(new QueueFull(this.queuedItems, this.options.maxQueue));
    return new Promise<R[]>((resolve, reject) => {
      this.queue.push({ items, results: new Array(items.length), taken: 0, done: 0, resolve, reject, since: Date.now() });
      this.queuedItems += items.length;
      this.schedule();
    });
  }

  /** Call when a request stops arriving without submitting (it failed validation): waiting for it is over. */
  poke(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    if (this.queuedItems >= this.options.maxBatch) {
      this.flushSoon();
      return;
    }
    const arriving = this.options.arriving?.() ?? 0;
    const waited = Date.now() - this.queue[0].since;
    if (arriving === 0 || waited >= this.options.maxLatencyMs) {
      this.flushSoon();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flushSoon();
    }, this.options.maxLatencyMs - waited);
  }

  /** On the next turn of the event loop, so requests parsed in this one join the call. */
  private flushSoon(): void {
    this.immediate ??= setImmediate(() => {
      this.immediate = undefined;
      void this.flush();
    });
  }

  private take(): Slice<T, R>[] {
    const slices: Slice<T, R>[] = [];
    let room = this.options.maxBatch;
    for (const pending of this.queue) {
      if (room === 0) break;
      const count = Math.min(room, pending.items.length - pending.taken);
      if (count === 0) continue;
      slices.push({ pending, start: pending.taken, count });
      pending.taken += count;
      room -= count;
    }
    while (this.queue.length > 0 && this.queue[0].taken === this.queue[0].items.length) this.queue.shift();
    return slices;
  }

  private async flush(): Promise<void> {
    if (this.running || this.queue.length === 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = true;
    const slices = this.take();
    const items = slices.flatMap((s) => s.pending.items.slice(s.start, s.start + s.count));
    this.queuedItems -= items.length;
    this.options.onBatch?.(items.length);
    try {
      const results = await this.run(items);
      if (results.length !== items.length) throw new Error(`the model call returned ${results.length} results for ${items.length} rows`);
      let offset = 0;
      for (const { pending, start, count } of slices) {
        for (let i = 0; i < count; i++) pending.results[start + i] = results[offset + i];
        offset += count;
        pending.done += count;
        if (pending.done === pending.items.length) pending.resolve(pending.results);
      }
    } catch (error) {
      this.failAll(slices, error);
    } finally {
      this.running = false;
      this.schedule();
    }
  }

  /** A failed call fails every request it held rows of, including their rows still queued. */
  private failAll(slices: readonly Slice<T, R>[], error: unknown): void {
    for (const { pending } of slices) {
      const index = this.queue.indexOf(pending);
      if (index >= 0) {
        this.queue.splice(index, 1);
        this.queuedItems -= pending.items.length - pending.taken;
      }
      pending.reject(error);
    }
  }
}
