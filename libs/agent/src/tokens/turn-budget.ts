/**
 * Runs long computations, written as generators that pause every few hundred microseconds of
 * work, inside one shared CPU budget per turn of the event loop: however many are in flight,
 * each turn spends at most `budgetMs` on them (round-robin, one step each in turn) before the
 * loop polls for I/O again. A burst of costly requests then slows down itself, not the
 * requests and health probes around it.
 */
export class TurnBudget {
  private readonly queue: Task[] = [];
  private scheduled = false;

  constructor(private readonly budgetMs: number) {}

  run<T>(work: Generator<void, T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve, reject } as Task);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(this.turn);
  }

  private readonly turn = (): void => {
    this.scheduled = false;
    const started = performance.now();
    do {
      const task = this.queue.shift()!;
      try {
        const step = task.work.next();
        if (step.done) task.resolve(step.value);
        else this.queue.push(task);
      } catch (error) {
        task.reject(error);
      }
    } while (this.queue.length > 0 && performance.now() - started < this.budgetMs);
    this.schedule();
  };
}

interface Task {
  work: Generator<void, unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}
