// Robust POSIX semaphores, the API proposed for SerenityOS (#26463): named semaphores in
// shared memory whose `_robust` operations the kernel undoes when the process exits, however
// it exits.
//
// A semaphore is the shared object "psem:NAME" of three words: [value, waiters, impl].
// `impl`, chosen when the semaphore is made, says how every process operates on it:
//   - IMPL_SYSCALL: each operation is a system call (psemop); for a robust one the kernel
//     keeps this process's adjustment and adds it back to the value at exit.
//   - IMPL_FAST: user-space atomics on the value word (a CAS loop to take a token, an add to
//     give one), futexwait/futexwake when it must sleep or wake (`waiters` counts the
//     sleepers, so that a post wakes only when someone sleeps). A robust operation then
//     changes this process's adjustment word, which it registered with the kernel
//     (psemregister) and which the kernel adds to the value at exit. The value's change
//     carries CRIT_ENTER, the adjustment's CRIT_LEAVE: a process killed between the two
//     leaks a token (--robust-fast=none), or the kernel completes the adjustment
//     (--robust-fast=pcrange).
//
// Like the raw system calls, every function answers 0 (or a value) on success and -errno on
// failure (EAGAIN for trywait, ETIMEDOUT, ENOENT, EEXIST, EINVAL, ...), not -1 and errno.
//
// Per-process state (the adjustment words) lives in sys.libState, which a forked child does
// not inherit: the child holds none of its parent's tokens.

import { ERRNO } from "../../kernel/uapi/errno.ts";
import {
  AT_ADD,
  AT_CAS,
  AT_LOAD,
  AT_STORE,
  CRIT_ENTER,
  CRIT_LEAVE,
  CRIT_NONE,
  PSEM_POST,
  PSEM_TRYWAIT,
  PSEM_WAIT,
  SHM_CREAT,
  SHM_EXCL,
} from "../../kernel/uapi/ipc.ts";
import type { Call } from "./ulib.ts";
import type { Sys } from "./usys.ts";

/** The words of a semaphore's shared object. */
export const PSEM_VALUE = 0, PSEM_WAITERS = 1, PSEM_IMPL = 2;
const PSEM_WORDS = 3;

/** `impl`: the system-call path, or the fast path. */
export const IMPL_SYSCALL = 0, IMPL_FAST = 1;

/** SEM_VALUE_MAX. */
export const SEM_VALUE_MAX = 0x7fffffff;

/** Adjustment words per private shared object (a process gets another when it needs more). */
const ADJ_WORDS = 64;

/** An open semaphore (C's sem_t *). */
export interface Psem {
  readonly name: string;
  /** Its shared object, the same handle in every process. */
  readonly handle: number;
  /** The fast path (else the system-call path). */
  readonly fast: boolean;
}

/** A word of a shared object. */
interface Word {
  handle: number;
  index: number;
}

/** This process's fast-path adjustment words. */
interface PsemState {
  /** The private object words are being taken from, and the next free one. */
  handle: number;
  next: number;
  /** The adjustment word of each semaphore (by handle), registered with the kernel. */
  adj: Map<number, Word>;
}

/** The shared object's name for a semaphore name. */
export function psemObject(name: string): string {
  return "psem:" + name;
}

/** sem_open(name, O_CREAT | O_EXCL, value): makes a new semaphore, with the fast path if
 * `fast`. EEXIST if it exists; EINVAL for a value outside 0..SEM_VALUE_MAX. */
export function* sem_create(
  sys: Sys,
  name: string,
  value: number,
  fast = false,
): Call<Psem | number> {
  if (!Number.isInteger(value) || value < 0 || value > SEM_VALUE_MAX) return -ERRNO.EINVAL;
  const handle = yield* sys.shmopen(psemObject(name), PSEM_WORDS, SHM_CREAT | SHM_EXCL);
  if (handle < 0) return handle;
  // impl before value: a process that opens it meanwhile and sleeps on value 0 is woken below.
  yield* sys.atomic(AT_STORE, handle, PSEM_IMPL, fast ? IMPL_FAST : IMPL_SYSCALL);
  yield* sys.atomic(AT_STORE, handle, PSEM_VALUE, value);
  if (value > 0) yield* sys.futexwake(handle, PSEM_VALUE, value);
  return { name, handle, fast };
}

/** sem_open(name, 0): an existing semaphore; ENOENT if there is none. */
export function* sem_open(sys: Sys, name: string): Call<Psem | number> {
  const handle = yield* sys.shmopen(psemObject(name), PSEM_WORDS, 0);
  if (handle < 0) return handle;
  const impl = yield* sys.atomic(AT_LOAD, handle, PSEM_IMPL);
  return { name, handle, fast: impl === IMPL_FAST };
}

/** sem_unlink(name): the name goes; processes that have it open keep using it. */
export function sem_unlink(sys: Sys, name: string): Call<number> {
  return sys.shmunlink(psemObject(name));
}

/** sem_getvalue. */
export function sem_getvalue(sys: Sys, s: Psem): Call<number> {
  return sys.atomic(AT_LOAD, s.handle, PSEM_VALUE);
}

export function sem_wait(sys: Sys, s: Psem): Call<number> {
  return take(sys, s, false, false, -1);
}

export function sem_trywait(sys: Sys, s: Psem): Call<number> {
  return take(sys, s, false, true, -1);
}

/** sem_timedwait, with a relative timeout in clock ticks: -ETIMEDOUT when it runs out. */
export function sem_timedwait(sys: Sys, s: Psem, ticks: number): Call<number> {
  return take(sys, s, false, false, Math.max(0, ticks));
}

export function sem_post(sys: Sys, s: Psem): Call<number> {
  return give(sys, s, false);
}

/** sem_wait, undone by the kernel when the process exits (the token comes back). */
export function sem_wait_robust(sys: Sys, s: Psem): Call<number> {
  return take(sys, s, true, false, -1);
}

export function sem_trywait_robust(sys: Sys, s: Psem): Call<number> {
  return take(sys, s, true, true, -1);
}

export function sem_timedwait_robust(sys: Sys, s: Psem, ticks: number): Call<number> {
  return take(sys, s, true, false, Math.max(0, ticks));
}

/** sem_post, undone by the kernel when the process exits (the value gives the token back,
 * never going below 0). */
export function sem_post_robust(sys: Sys, s: Psem): Call<number> {
  return give(sys, s, true);
}

/** This process's adjustment word for a semaphore: registered with the kernel the first time
 * (in a private shared object of its own), or -errno. */
function* adjWord(sys: Sys, s: Psem): Call<Word | number> {
  let st = sys.libState.get("psem") as PsemState | undefined;
  if (st === undefined) {
    st = { handle: 0, next: ADJ_WORDS, adj: new Map() };
    sys.libState.set("psem", st);
  }
  const known = st.adj.get(s.handle);
  if (known !== undefined) return known;
  if (st.next >= ADJ_WORDS) {
    const h = yield* sys.shmopen("", ADJ_WORDS, SHM_CREAT);
    if (h < 0) return h;
    st.handle = h;
    st.next = 0;
  }
  const w = { handle: st.handle, index: st.next++ };
  const r = yield* sys.psemregister(s.handle, PSEM_VALUE, w.handle, w.index);
  if (r < 0) return r;
  st.adj.set(s.handle, w);
  return w;
}

/** wait, trywait or timedwait (`ticks` >= 0), robust or not. */
function* take(sys: Sys, s: Psem, robust: boolean, trywait: boolean, ticks: number): Call<number> {
  if (!s.fast) {
    const op = trywait ? PSEM_TRYWAIT : PSEM_WAIT;
    return yield* sys.psemop(s.handle, PSEM_VALUE, op, robust, ticks);
  }
  let adj: Word | null = null;
  if (robust) {
    const w = yield* adjWord(sys, s);
    if (typeof w === "number") return w;
    adj = w;
  }
  const h = s.handle;
  let deadline = -1; // the clock tick the wait ends at; found when it first has to sleep
  let v = yield* sys.atomic(AT_LOAD, h, PSEM_VALUE);
  for (;;) {
    if (v > 0) {
      // Take a token: the critical section of a robust wait starts when this CAS succeeds.
      const old = yield* sys.atomic(
        AT_CAS,
        h,
        PSEM_VALUE,
        v,
        v - 1,
        robust ? CRIT_ENTER : CRIT_NONE,
      );
      if (old === v) break;
      v = old;
      continue;
    }
    if (trywait) return -ERRNO.EAGAIN;
    let timeout = -1;
    if (ticks >= 0) {
      const now = yield* sys.uptime();
      if (deadline < 0) deadline = now + ticks;
      if (now >= deadline) return -ERRNO.ETIMEDOUT;
      timeout = deadline - now;
    }
    yield* sys.atomic(AT_ADD, h, PSEM_WAITERS, 1);
    const r = yield* sys.futexwait(h, PSEM_VALUE, 0, timeout, "psem " + s.name);
    yield* sys.atomic(AT_ADD, h, PSEM_WAITERS, -1);
    if (r === -ERRNO.EINTR) return r;
    v = yield* sys.atomic(AT_LOAD, h, PSEM_VALUE);
  }
  if (adj !== null) yield* sys.atomic(AT_ADD, adj.handle, adj.index, 1, 0, CRIT_LEAVE);
  return 0;
}

/** post, robust or not. */
function* give(sys: Sys, s: Psem, robust: boolean): Call<number> {
  if (!s.fast) return yield* sys.psemop(s.handle, PSEM_VALUE, PSEM_POST, robust, -1);
  let adj: Word | null = null;
  if (robust) {
    const w = yield* adjWord(sys, s);
    if (typeof w === "number") return w;
    adj = w;
  }
  const h = s.handle;
  yield* sys.atomic(AT_ADD, h, PSEM_VALUE, 1, 0, robust ? CRIT_ENTER : CRIT_NONE);
  if (adj !== null) yield* sys.atomic(AT_ADD, adj.handle, adj.index, -1, 0, CRIT_LEAVE);
  if ((yield* sys.atomic(AT_LOAD, h, PSEM_WAITERS)) > 0) yield* sys.futexwake(h, PSEM_VALUE, 1);
  return 0;
}
