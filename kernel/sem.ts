// System V semaphores, with Linux's semantics (ipc/sem.c): semget, semop/semtimedop and
// semctl. A semop applies all its operations atomically or none; a blocked semop waits in the
// set's FIFO queue, and whoever changes the set performs the waiters' operations for them;
// SEM_UNDO keeps a per-process adjustment that exit applies, clamped to 0..SEMVMX.

import type { Chan, KGen } from "./event.ts";
import { ERRNO } from "./uapi/errno.ts";
import type { Machine } from "./machine.ts";
import { killedNoLock, type Proc, timedSleep, wakeup } from "./proc.ts";
import { panic } from "./printf.ts";
import { acquire, holding, release, Spinlock } from "./spinlock.ts";
import {
  IPC_CREAT,
  IPC_EXCL,
  IPC_NOWAIT,
  IPC_PRIVATE,
  SEM_UNDO,
  SEMAEM,
  SEMMNI,
  SEMMSL,
  SEMVMX,
} from "./uapi/ipc.ts";

interface Sem {
  val: number; // semval
  pid: number; // sempid: the last process to change it
}

/** A semop waiting in a set's queue. */
interface Waiter extends Chan {
  proc: Proc;
  ops: number[][];
  /** The semaphore it first blocked on, and whether it waits for zero (for ncnt, zcnt). */
  num: number;
  zero: boolean;
  /** Set when the operation is done for it (0) or fails (-errno). */
  status: number | null;
}

export class SemSet {
  readonly sems: Sem[];
  readonly queue: Waiter[] = [];
  otime = -1; // last semop, in ticks (-1: never)
  ctime: number; // last change by semctl
  constructor(
    readonly id: number,
    readonly key: number,
    readonly mode: number,
    nsems: number,
    now: number,
  ) {
    this.sems = Array.from({ length: nsems }, () => ({ val: 0, pid: 0 }));
    this.ctime = now;
  }
}

// A SEM_UNDO adjustment's range (Linux's check in perform_atomic_semop).
function adjok(a: number): boolean {
  return a >= -SEMAEM - 1 && a <= SEMAEM;
}

// A semaphore's value, as every path that sets one keeps it.
function valok(v: number): boolean {
  return v >= 0 && v <= SEMVMX;
}

// Linux's ipc ids (ipc/util.c, ipc_idr_alloc): a set's id is seq * IPCMNI + its index in
// the table. Indexes are handed out cyclically (idr_alloc_cyclic), from just past the last
// one, among the first max(in_use * 3/2, IPC_MIN_CYCLE) slots; seq goes up each time the
// index wraps around. So sets made, one removed, another made are 0, 1, 2, and an id comes
// back only after 65,535 turns of the cycle.
const IPCMNI = 32768; // indexes per seq (1 << IPCMNI_SHIFT)
const IPC_MIN_CYCLE = 64; // RADIX_TREE_MAP_SIZE
const IPCID_SEQ_MAX = 0x7fffffff >> 15; // INT_MAX >> IPCMNI_SHIFT

export class SemTable {
  readonly lock = new Spinlock("sem");
  private readonly slots: (SemSet | null)[] = [];
  private inUse = 0;
  private seq = 0;
  private lastIdx = -1; // the index the last set got
  private nextIdx = 0; // where the cyclic search starts (the idr's idr_next)

  /** `m`: the machine, for holding() (the system calls call these without passing it). */
  constructor(private readonly m: Machine) {}

  // get and ids assert nothing: the kernel calls them under the lock, and the host reads a
  // stopped machine's sets through them too (tests, as procdump reads the process table).
  get(id: number): SemSet | null {
    const s = this.slots[id % IPCMNI];
    return s !== undefined && s !== null && s.id === id ? s : null;
  }

  /** The sets' ids, in index order (as /proc/sysvipc/sem lists them). */
  ids(): number[] {
    return this.slots.filter((s) => s !== null).map((s) => s!.id);
  }

  /** semget(key, nsems, semflg): the set's id, or -errno. */
  semget(key: number, nsems: number, flags: number, now: number): number {
    if (!holding(this.m, this.lock)) panic("SemTable.semget");
    if (key !== IPC_PRIVATE) {
      const old = this.slots.find((s) => s !== null && s.key === key);
      if (old) {
        if (flags & IPC_CREAT && flags & IPC_EXCL) return -ERRNO.EEXIST;
        if (nsems > old.sems.length) return -ERRNO.EINVAL;
        return old.id;
      }
      if (!(flags & IPC_CREAT)) return -ERRNO.ENOENT;
    }
    if (nsems < 1 || nsems > SEMMSL) return -ERRNO.EINVAL;
    if (this.inUse >= SEMMNI) return -ERRNO.ENOSPC;
    const idx = this.allocIdx();
    if (idx < 0) return -ERRNO.ENOSPC;
    if (idx <= this.lastIdx) this.seq = this.seq + 1 >= IPCID_SEQ_MAX ? 0 : this.seq + 1;
    this.lastIdx = idx;
    const id = this.seq * IPCMNI + idx;
    this.slots[idx] = new SemSet(id, key, flags & 0o777, nsems, now);
    this.inUse++;
    return id;
  }

  // idr_alloc_cyclic(0, max): the first free index from nextIdx below max, else from 0; -1.
  private allocIdx(): number {
    const max = Math.min(Math.max(Math.floor(this.inUse * 3 / 2), IPC_MIN_CYCLE), IPCMNI);
    const free = (from: number) => {
      for (let i = from; i < max; i++) if ((this.slots[i] ?? null) === null) return i;
      return -1;
    };
    let idx = free(this.nextIdx);
    if (idx < 0 && this.nextIdx > 0) idx = free(0);
    if (idx >= 0) this.nextIdx = idx + 1;
    return idx;
  }

  remove(set: SemSet): void {
    if (!holding(this.m, this.lock)) panic("SemTable.remove");
    if (this.slots[set.id % IPCMNI] !== set) panic("SemTable.remove: set not in its slot");
    this.slots[set.id % IPCMNI] = null;
    this.inUse--;
  }
}

/** Would these operations go through now? The new values, -errno, or "block" (with the
 * semaphore it blocks on). Nothing is changed. */
function attempt(
  m: Machine,
  set: SemSet,
  ops: number[][],
  adj: number[] | undefined,
): { vals: Map<number, number> } | { error: number } | {
  block: number;
  zero: boolean;
  nowait: boolean;
} {
  if (!holding(m, m.sem.lock)) panic("attempt");
  const vals = new Map<number, number>();
  const adjs = new Map<number, number>();
  for (const [num, op, flg] of ops) {
    // semop checked every num against the set (EFBIG); a set never changes its size.
    if (!(num >= 0 && num < set.sems.length)) panic("attempt: semaphore number");
    const v = vals.get(num) ?? set.sems[num].val;
    if (!valok(v)) panic("attempt: semval out of range");
    if (op === 0) {
      if (v !== 0) return { block: num, zero: true, nowait: (flg & IPC_NOWAIT) !== 0 };
      continue;
    }
    if (v + op < 0) return { block: num, zero: false, nowait: (flg & IPC_NOWAIT) !== 0 };
    if (v + op > SEMVMX) return { error: -ERRNO.ERANGE };
    if (flg & SEM_UNDO) {
      const a = (adjs.get(num) ?? adj?.[num] ?? 0) - op;
      if (!adjok(a)) return { error: -ERRNO.ERANGE };
      adjs.set(num, a);
    }
    vals.set(num, v + op);
  }
  return { vals };
}

function commit(
  m: Machine,
  set: SemSet,
  p: Proc,
  ops: number[][],
  vals: Map<number, number>,
): void {
  if (!holding(m, m.sem.lock)) panic("commit");
  for (const [num, v] of vals) {
    if (!valok(v)) panic("commit: semval out of range");
    set.sems[num].val = v;
  }
  for (const [num, op, flg] of ops) {
    set.sems[num].pid = p.pid;
    if (flg & SEM_UNDO && op !== 0) {
      let adj = p.semadj.get(set.id);
      if (adj === undefined) p.semadj.set(set.id, adj = new Array(set.sems.length).fill(0));
      adj[num] -= op;
      // attempt() refused what would leave the range (ERANGE), in the same step.
      if (!adjok(adj[num])) panic("commit: semadj out of range");
    }
  }
  set.otime = m.ticks;
}

// Linux's update_queue: after a change, perform every queued operation that can now go
// through, oldest first (FIFO, without starvation protection), and wake its process.
function* updateQueue(m: Machine, set: SemSet): KGen {
  if (!holding(m, m.sem.lock)) panic("updateQueue");
  for (let i = 0; i < set.queue.length;) {
    const w = set.queue[i];
    // A queued operation is pending: whoever settles it takes it off the queue.
    if (w.status !== null) panic("updateQueue: settled waiter still queued");
    const r = attempt(m, set, w.ops, w.proc.semadj.get(set.id));
    if ("block" in r) {
      i++;
      continue;
    }
    set.queue.splice(i, 1);
    if ("vals" in r) commit(m, set, w.proc, w.ops, r.vals);
    w.status = "vals" in r ? 0 : r.error;
    yield* wakeup(m, w);
    i = 0; // values changed: older waiters may go through now
  }
}

/** semop/semtimedop: 0 or -errno. `deadline` in ticks (Infinity: none). */
export function* semop(
  m: Machine,
  p: Proc,
  id: number,
  ops: number[][],
  deadline: number,
): KGen<number> {
  const t = m.sem;
  yield* acquire(m, t.lock);
  const set = t.get(id);
  let r: number;
  if (set === null) r = -ERRNO.EINVAL;
  else if (ops.some(([num]) => num >= set.sems.length)) r = -ERRNO.EFBIG;
  else r = yield* semopLocked(m, p, set, ops, deadline);
  yield* release(m, t.lock);
  return r;
}

/** semop's work, with the sem lock held (exported for tests of its assertion). */
export function* semopLocked(
  m: Machine,
  p: Proc,
  set: SemSet,
  ops: number[][],
  deadline: number,
): KGen<number> {
  if (!holding(m, m.sem.lock)) panic("semopLocked");
  const r = attempt(m, set, ops, p.semadj.get(set.id));
  if ("error" in r) return r.error;
  if ("vals" in r) {
    commit(m, set, p, ops, r.vals);
    yield* updateQueue(m, set);
    return 0;
  }
  if (r.nowait) return -ERRNO.EAGAIN;
  const w: Waiter = {
    what: `semop ${set.id}[${r.block}]`,
    proc: p,
    ops,
    num: r.block,
    zero: r.zero,
    status: null,
  };
  set.queue.push(w);
  while (w.status === null && !killedNoLock(p) && m.ticks < deadline) {
    yield* timedSleep(m, w, m.sem.lock, deadline);
  }
  if (w.status !== null) return w.status;
  // Not settled, so still queued (splice(-1, 1) would take another waiter's place).
  const i = set.queue.indexOf(w);
  if (i < 0) panic("semopLocked: unsettled waiter not queued");
  set.queue.splice(i, 1);
  return killedNoLock(p) ? -ERRNO.EINTR : -ERRNO.EAGAIN; // semtimedop's timeout is EAGAIN
}

/** semncnt or semzcnt: queued operations that first blocked on this semaphore. */
export function waiting(set: SemSet, num: number, zero: boolean): number {
  return set.queue.filter((w) => w.num === num && w.zero === zero).length;
}

/** SETVAL/SETALL: new values; every process's adjustment for them is cleared. */
export function* setValues(m: Machine, p: Proc, set: SemSet, vals: Map<number, number>): KGen {
  if (!holding(m, m.sem.lock)) panic("setValues");
  for (const [num, v] of vals) {
    if (!valok(v)) panic("setValues: semval out of range"); // semctl answers ERANGE first
    set.sems[num].val = v;
    set.sems[num].pid = p.pid;
    for (const q of m.procs) {
      const adj = q.semadj.get(set.id);
      if (adj) adj[num] = 0;
    }
  }
  set.ctime = m.ticks;
  yield* updateQueue(m, set);
}

/** IPC_RMID: the set goes; every waiter wakes with EIDRM. */
export function* removeSet(m: Machine, set: SemSet): KGen {
  if (!holding(m, m.sem.lock)) panic("removeSet");
  m.sem.remove(set);
  // Its adjustments go with it (Linux's freeary): ids come back (see SemTable), and a new set
  // with this id must not be undone by an old holder's exit.
  for (const q of m.procs) q.semadj.delete(set.id);
  for (const w of set.queue.splice(0)) {
    if (w.status !== null) panic("removeSet: settled waiter still queued");
    w.status = -ERRNO.EIDRM;
    yield* wakeup(m, w);
  }
}

/** exit_sem: apply the exiting process's adjustments, clamped to 0..SEMVMX, and wake. */
export function* exitSem(m: Machine, p: Proc): KGen {
  if (p.semadj.size === 0) return;
  yield* acquire(m, m.sem.lock);
  for (const [id, adj] of p.semadj) {
    const set = m.sem.get(id);
    if (set === null) continue; // removed since
    adj.forEach((a, num) => {
      if (a === 0) return;
      if (!adjok(a)) panic("exitSem: semadj out of range");
      const s = set.sems[num];
      s.val = Math.min(SEMVMX, Math.max(0, s.val + a));
      s.pid = p.pid;
    });
    yield* updateQueue(m, set);
  }
  p.semadj.clear();
  yield* release(m, m.sem.lock);
}
