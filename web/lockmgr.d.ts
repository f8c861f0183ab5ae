// Types of the lockmgr WebAssembly module: the loader and the globals.

/** Frees the lock. Idempotent: later calls do nothing. */
export type Release = () => void;

export interface LockOptions {
  /** Abort while waiting: rejects with signal.reason; ignored once granted. */
  signal?: AbortSignal;
  /** Milliseconds to wait at most; then rejects with a DOMException named "TimeoutError". */
  timeout?: number;
}

export interface Busy {
  key: string;
  /** How long it has held (held) or waited (pending), in milliseconds. */
  ms: number;
}

/**
 * Keys are strings compared exactly (never coerced); a key that is not a
 * string is a TypeError, one longer than 64 KiB in UTF-8 a RangeError.
 */
export interface LockManager {
  /** Queue for key now; resolves with the release function once granted (FIFO). */
  acquire(key: string, options?: LockOptions): Promise<Release>;
  /**
   * Run fn once the lock on key is granted (never synchronously); resolves
   * with fn's value or rejects with what fn threw, after releasing.
   * Not reentrant: withLock(k) inside withLock(k) waits forever unless it
   * has a timeout or signal.
   */
  withLock<T>(key: string, fn: () => T | PromiseLike<T>, options?: LockOptions): Promise<Awaited<T>>;
  /** Take the lock only if nobody holds it or waits; never queues. */
  tryAcquire(key: string): Release | null;
  isLocked(key: string): boolean;
  /** Holder plus waiters; 0 when free. */
  getQueueLength(key: string): number;
  /** Every busy key; pending in FIFO order per key. */
  query(): { held: Busy[]; pending: Busy[] };
  /** Diagnostics. jsRefs counts the JS values Go keeps alive: always 0, the module has no syscall/js. */
  stats(): { keys: number; waiters: number; goHeapBytes: number; jsRefs: number };
}

/** Load the module once per page and resolve with globalThis.lockManager. */
export function load(wasmURL?: string | URL): Promise<LockManager>;

/** Stop the Go program: pending requests reject, later calls fail fast. */
export function shutdown(): void;

declare global {
  var lockManager: LockManager;
  var withLock: LockManager['withLock'];
}
