// Shared memory and futexes: named objects of 32-bit words that processes map, user-space
// atomic operations on them (each a step of its own, no kernel entry: a process can be
// stopped or killed between two of them, as on a real CPU), futex waits and wakes on their
// words, and Linux's robust futex list, which the kernel walks when a process exits.

import type { Chan, KGen } from "./event.ts";
import { ERRNO } from "./uapi/errno.ts";
import type { Machine } from "./machine.ts";
import { killedNoLock, type Proc, timedSleep, UNUSED, wakeup, ZOMBIE } from "./proc.ts";
import { panic } from "./printf.ts";
import { acquire, holding, release, Spinlock } from "./spinlock.ts";
import {
  AT_ADD,
  AT_CAS,
  AT_LOAD,
  AT_STORE,
  AT_XCHG,
  FUTEX_OWNER_DIED,
  FUTEX_TID_MASK,
  FUTEX_WAITERS,
  SHM_CREAT,
  SHM_EXCL,
} from "./uapi/ipc.ts";

/** Most words one object may have. */
export const SHM_MAX_WORDS = 1 << 16;

export class SharedObject {
  readonly words: Int32Array;
  constructor(readonly handle: number, readonly name: string, nwords: number) {
    this.words = new Int32Array(nwords);
  }
}

/** One process waiting in futexwait: woken by futexwake, in FIFO order. */
class FutexWaiter implements Chan {
  woken = false;
  constructor(
    readonly what: string,
    private readonly obj: SharedObject,
    private readonly index: number,
  ) {}

  /** A lock word names its owner (the low 30 bits): is that process still there? */
  explain(procs: readonly { pid: number; state: number }[]): string {
    const word = this.obj.words[this.index];
    const owner = word & FUTEX_TID_MASK;
    if (owner === 0) return "";
    const alive = procs.some((p) => p.pid === owner && p.state !== UNUSED && p.state !== ZOMBIE);
    return ` (held by pid ${owner}, which ${alive ? "is alive" : "has exited"})`;
  }
}

export class SharedMemory {
  readonly lock = new Spinlock("shm");
  private readonly byName = new Map<string, SharedObject>();
  private readonly byHandle = new Map<number, SharedObject>();
  private readonly waiters = new Map<string, FutexWaiter[]>();
  private nextHandle = 1;

  /** `m`: the machine, for holding() (the system calls call open and unlink without it). */
  constructor(private readonly m: Machine) {}

  /** Every object, by handle (for a debugger's view). */
  objects(): SharedObject[] {
    return [...this.byHandle.values()];
  }

  /** The processes waiting on a word, oldest first (for a debugger's view). */
  waitersOn(obj: SharedObject, index: number): Proc[] {
    const queue = this.waiters.get(`${obj.handle}:${index}`) ?? [];
    return queue.flatMap((w) => this.m.procs.filter((p) => p.chan === w));
  }

  /** The words processes registered in their robust lists, as "handle:index". */
  robustWords(): Set<string> {
    const words = new Set<string>();
    for (const p of this.m.procs) {
      const list = this.byHandle.get(p.robustList);
      if (p.state === UNUSED || list === undefined) continue;
      for (const entry of list.words) {
        if (entry !== 0) words.add(`${entry >>> 16}:${entry & 0xffff}`);
      }
    }
    return words;
  }

  /** The object behind a handle, if the process has it mapped. */
  mapped(p: Proc, handle: number): SharedObject | null {
    return p.shm.has(handle) ? this.byHandle.get(handle) ?? null : null;
  }

  /** shmopen: map a named object (created if asked), or a new private one for name "". */
  open(p: Proc, name: string, nwords: number, flags: number): number {
    if (!holding(this.m, this.lock)) panic("SharedMemory.open");
    let obj = name === "" ? undefined : this.byName.get(name);
    if (obj !== undefined && flags & SHM_CREAT && flags & SHM_EXCL) return -ERRNO.EEXIST;
    if (obj === undefined) {
      if (!(flags & SHM_CREAT) && name !== "") return -ERRNO.ENOENT;
      if (nwords < 1 || nwords > SHM_MAX_WORDS) return -ERRNO.EINVAL;
      obj = new SharedObject(this.nextHandle++, name, nwords);
      // A handle names one object for good (mapped() reads byHandle without the lock).
      if (this.byHandle.has(obj.handle)) panic("SharedMemory.open: handle reused");
      this.byHandle.set(obj.handle, obj);
      if (name !== "") this.byName.set(name, obj);
    }
    p.shm.add(obj.handle);
    return obj.handle;
  }

  /** shmunlink: the name goes; processes that mapped the object keep it. */
  unlink(name: string): number {
    if (!holding(this.m, this.lock)) panic("SharedMemory.unlink");
    return this.byName.delete(name) ? 0 : -ERRNO.ENOENT;
  }

  /** A user-mode atomic instruction on a mapped word: its old value, or null for a bad
   * address (the program faults). */
  atomic(
    p: Proc,
    op: number,
    handle: number,
    index: number,
    a1: number,
    a2: number,
  ): number | null {
    const obj = this.mapped(p, handle);
    if (obj === null || !Number.isInteger(index) || index < 0 || index >= obj.words.length) {
      return null;
    }
    const w = obj.words;
    const old = w[index];
    switch (op) {
      case AT_LOAD:
        break;
      case AT_STORE:
      case AT_XCHG:
        w[index] = a1;
        break;
      case AT_ADD:
        w[index] = old + a1;
        break;
      case AT_CAS:
        if (old === (a1 | 0)) w[index] = a2;
        break;
      default:
        return null;
    }
    return old;
  }

  /** futexwait: sleep while the word holds `expected`. */
  *wait(
    m: Machine,
    p: Proc,
    obj: SharedObject,
    index: number,
    expected: number,
    deadline: number,
    label: string,
  ): KGen<number> {
    // The system call checked the word (out of range, the compare below could never hold).
    if (!(index >= 0 && index < obj.words.length)) panic("SharedMemory.wait: word out of range");
    yield* acquire(m, this.lock);
    if (obj.words[index] !== (expected | 0)) {
      yield* release(m, this.lock);
      return -ERRNO.EAGAIN;
    }
    const key = `${obj.handle}:${index}`;
    const w = new FutexWaiter(label || `futex ${obj.name || obj.handle}[${index}]`, obj, index);
    const queue = this.waiters.get(key) ?? [];
    queue.push(w);
    this.waiters.set(key, queue);
    while (!w.woken && !killedNoLock(p) && m.ticks < deadline) {
      yield* timedSleep(m, w, this.lock, deadline);
    }
    if (!w.woken) {
      // Not woken, so still queued (splice(-1, 1) would drop another waiter).
      const i = queue.indexOf(w);
      if (i < 0) panic("SharedMemory.wait: waiter not queued");
      queue.splice(i, 1);
    }
    yield* release(m, this.lock);
    // killed read again after the release, where it can only have turned true: -EINTR, not
    // -ETIMEDOUT, for a process that dies on its way out anyway.
    return w.woken ? 0 : killedNoLock(p) ? -ERRNO.EINTR : -ERRNO.ETIMEDOUT;
  }

  /** futexwake: wake up to n waiters, oldest first; how many were woken. */
  *wake(m: Machine, obj: SharedObject, index: number, n: number): KGen<number> {
    yield* acquire(m, this.lock);
    const woken = yield* this.wakeLocked(m, obj, index, n);
    yield* release(m, this.lock);
    return woken;
  }

  private *wakeLocked(m: Machine, obj: SharedObject, index: number, n: number): KGen<number> {
    if (!holding(m, this.lock)) panic("wakeLocked");
    const queue = this.waiters.get(`${obj.handle}:${index}`) ?? [];
    const chosen = queue.splice(0, Math.max(0, n));
    for (const w of chosen) {
      if (w.woken) panic("wakeLocked: waiter woken twice"); // a woken waiter leaves the queue
      w.woken = true;
      yield* wakeup(m, w);
    }
    return chosen.length;
  }

  /** A dying process's robust list (Linux's exit_robust_list): every robust futex word it
   * still owns gets FUTEX_OWNER_DIED, and one waiter is woken to take it. */
  *exitRobustList(m: Machine, p: Proc): KGen {
    const list = this.mapped(p, p.robustList);
    if (list === null) return;
    // A futex word names its owner in FUTEX_TID_MASK's bits: a pid beyond it would match
    // (and free) words another process owns.
    if ((p.pid & FUTEX_TID_MASK) !== p.pid) panic("exitRobustList: pid beyond FUTEX_TID_MASK");
    yield* acquire(m, this.lock);
    for (const entry of list.words) {
      if (entry === 0) continue;
      const obj = this.mapped(p, entry >>> 16);
      const index = entry & 0xffff;
      if (obj === null || index >= obj.words.length) continue; // untrusted: skip bad entries
      const word = obj.words[index];
      if ((word & FUTEX_TID_MASK) !== p.pid) continue;
      obj.words[index] = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
      if (word & FUTEX_WAITERS) yield* this.wakeLocked(m, obj, index, 1);
    }
    yield* release(m, this.lock);
  }
}
