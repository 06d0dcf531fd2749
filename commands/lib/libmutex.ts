// Process-shared mutexes, plain or robust, as glibc builds pthread mutexes on Linux's futexes
// and robust futex lists.
//
// A mutex is the shared object "mutex:NAME" of three words: [owner, state, robust].
// - owner: 0 when free, else the owner's pid in the low 30 bits (FUTEX_TID_MASK), with
//   FUTEX_WAITERS when someone may sleep on it (then unlock wakes one) and, for a robust
//   mutex, FUTEX_OWNER_DIED when the kernel found the owner dead.
// - state: CONSISTENT, INCONSISTENT (taken from a dead owner, not yet made consistent) or
//   NOTRECOVERABLE (unlocked while inconsistent: every later lock fails).
// - robust: 1 for a robust mutex.
//
// A robust mutex is on its owner's robust list while held: a private shared object of this
// process registered with setrobustlist, word 0 being list_op_pending and the others the
// entries (handle << 16 | index of the owner word, 0 for a free slot). When the process dies,
// however it dies, the kernel sets FUTEX_OWNER_DIED on each word it still owns and wakes a
// waiter, which then gets EOWNERDEAD. list_op_pending covers the window between taking (or
// releasing) the word and linking (or unlinking) the entry, as Linux's robust-futex ABI has it.
//
// A plain mutex whose owner dies stays locked: its waiters sleep forever (label "mutex NAME").
//
// Every function answers 0 or -errno, as pthread_mutex_* answer 0 or an error number.

import { ERRNO } from "../../kernel/uapi/errno.ts";
import {
  AT_CAS,
  AT_LOAD,
  AT_STORE,
  AT_XCHG,
  FUTEX_OWNER_DIED,
  FUTEX_TID_MASK,
  FUTEX_WAITERS,
  SHM_CREAT,
  SHM_EXCL,
} from "../../kernel/uapi/ipc.ts";
import type { Call } from "./ulib.ts";
import type { Sys } from "./usys.ts";

/** The words of a mutex's shared object. */
export const MUTEX_OWNER = 0, MUTEX_STATE = 1, MUTEX_ROBUST = 2;
const MUTEX_WORDS = 3;

/** The `state` word. */
export const CONSISTENT = 0, INCONSISTENT = 1, NOTRECOVERABLE = 2;

/** Words of a robust list: list_op_pending, then the entries. */
const ROBUST_LIST_WORDS = 256;

/** An open mutex (C's pthread_mutex_t * in shared memory). */
export interface Mutex {
  readonly name: string;
  readonly handle: number;
  readonly robust: boolean;
}

/** This process's pid and robust list. */
interface MutexState {
  pid: number;
  /** The robust list's private object (0: not made yet) and a copy of its words. */
  list: number;
  entries: number[];
}

/** The shared object's name for a mutex name. */
export function mutexObject(name: string): string {
  return "mutex:" + name;
}

/** Makes a new mutex (pthread_mutex_init with PTHREAD_PROCESS_SHARED, and
 * PTHREAD_MUTEX_ROBUST if `robust`): EEXIST if the name is taken. */
export function* mutex_create(sys: Sys, name: string, robust: boolean): Call<Mutex | number> {
  const handle = yield* sys.shmopen(mutexObject(name), MUTEX_WORDS, SHM_CREAT | SHM_EXCL);
  if (handle < 0) return handle;
  if (robust) yield* sys.atomic(AT_STORE, handle, MUTEX_ROBUST, 1);
  return { name, handle, robust };
}

/** An existing mutex: ENOENT if there is none. */
export function* mutex_open(sys: Sys, name: string): Call<Mutex | number> {
  const handle = yield* sys.shmopen(mutexObject(name), MUTEX_WORDS, 0);
  if (handle < 0) return handle;
  const robust = (yield* sys.atomic(AT_LOAD, handle, MUTEX_ROBUST)) !== 0;
  return { name, handle, robust };
}

/** The name goes; processes that have the mutex open keep using it. */
export function mutex_unlink(sys: Sys, name: string): Call<number> {
  return sys.shmunlink(mutexObject(name));
}

function* state(sys: Sys): Call<MutexState> {
  let st = sys.libState.get("mutex") as MutexState | undefined;
  if (st === undefined) {
    st = { pid: yield* sys.getpid(), list: 0, entries: [] };
    sys.libState.set("mutex", st);
  }
  return st;
}

/** The robust list, registered with the kernel the first time: its handle, or -errno. */
function* robustList(sys: Sys, st: MutexState): Call<number> {
  if (st.list !== 0) return st.list;
  const h = yield* sys.shmopen("", ROBUST_LIST_WORDS, SHM_CREAT);
  if (h < 0) return h;
  const r = yield* sys.setrobustlist(h);
  if (r < 0) return r;
  st.list = h;
  st.entries = new Array<number>(ROBUST_LIST_WORDS).fill(0);
  return h;
}

/** A mutex's entry on a robust list: its owner word. */
function entry(m: Mutex): number {
  return (m.handle << 16) | MUTEX_OWNER;
}

function* setPending(sys: Sys, st: MutexState, e: number): Call<void> {
  yield* sys.atomic(AT_STORE, st.list, 0, e);
}

/** Links a held robust mutex into the list. */
function* enqueue(sys: Sys, st: MutexState, e: number): Call<void> {
  const slot = st.entries.indexOf(0, 1);
  st.entries[slot] = e;
  yield* sys.atomic(AT_STORE, st.list, slot, e);
}

/** Unlinks it. */
function* dequeue(sys: Sys, st: MutexState, e: number): Call<void> {
  const slot = st.entries.indexOf(e, 1);
  if (slot < 0) return;
  st.entries[slot] = 0;
  yield* sys.atomic(AT_STORE, st.list, slot, 0);
}

/** Frees the owner word, waking a sleeper if there may be one. */
function* release(sys: Sys, m: Mutex): Call<void> {
  const prev = yield* sys.atomic(AT_XCHG, m.handle, MUTEX_OWNER, 0);
  if (prev & FUTEX_WAITERS) yield* sys.futexwake(m.handle, MUTEX_OWNER, 1);
}

/**
 * pthread_mutex_lock: 0 when this process owns the mutex; -EOWNERDEAD when it owns a robust
 * mutex whose previous owner died (the protected state may be inconsistent: call
 * mutex_consistent before mutex_unlock, or it becomes unusable); -ENOTRECOVERABLE (not
 * owning it) once a robust mutex was unlocked while inconsistent; -EDEADLK if this process
 * owns it already. Sleeps while another process owns it, forever if that owner of a plain
 * mutex died.
 */
export function* mutex_lock(sys: Sys, m: Mutex): Call<number> {
  const st = yield* state(sys);
  const pid = st.pid;
  const h = m.handle;
  const e = entry(m);
  if (m.robust) {
    const r = yield* robustList(sys, st);
    if (r < 0) return r;
    if (st.entries.indexOf(0, 1) < 0) return -ERRNO.ENOMEM; // the list is full
    yield* setPending(sys, st, e);
  }
  let old = yield* sys.atomic(AT_CAS, h, MUTEX_OWNER, 0, pid);
  while (old !== 0) {
    if (m.robust && old & FUTEX_OWNER_DIED) {
      // The owner died: take the mutex over, keeping the waiters bit.
      const mine = (pid | (old & FUTEX_WAITERS)) | 0;
      const seen = yield* sys.atomic(AT_CAS, h, MUTEX_OWNER, old, mine);
      if (seen !== old) {
        old = seen;
        continue;
      }
      yield* sys.atomic(AT_STORE, h, MUTEX_STATE, INCONSISTENT);
      yield* enqueue(sys, st, e);
      yield* setPending(sys, st, 0);
      return -ERRNO.EOWNERDEAD;
    }
    if ((old & FUTEX_TID_MASK) === pid) {
      if (m.robust) yield* setPending(sys, st, 0);
      return -ERRNO.EDEADLK;
    }
    // Say that someone sleeps on it, then sleep while it stays so.
    const waiting = (old | FUTEX_WAITERS) | 0;
    if (waiting !== old) {
      const seen = yield* sys.atomic(AT_CAS, h, MUTEX_OWNER, old, waiting);
      if (seen !== old) {
        old = seen;
        continue;
      }
    }
    yield* sys.futexwait(h, MUTEX_OWNER, waiting, -1, "mutex " + m.name);
    // Others may still sleep: take it with the waiters bit, so that unlock wakes the next.
    old = yield* sys.atomic(AT_CAS, h, MUTEX_OWNER, 0, (pid | FUTEX_WAITERS) | 0);
  }
  if (!m.robust) return 0;
  if ((yield* sys.atomic(AT_LOAD, h, MUTEX_STATE)) === NOTRECOVERABLE) {
    yield* release(sys, m);
    yield* setPending(sys, st, 0);
    return -ERRNO.ENOTRECOVERABLE;
  }
  yield* enqueue(sys, st, e);
  yield* setPending(sys, st, 0);
  return 0;
}

/**
 * pthread_mutex_unlock: 0, or -EPERM if this process does not own the mutex. Unlocking a
 * robust mutex that is still inconsistent makes it not recoverable.
 */
export function* mutex_unlock(sys: Sys, m: Mutex): Call<number> {
  const st = yield* state(sys);
  const h = m.handle;
  const owner = yield* sys.atomic(AT_LOAD, h, MUTEX_OWNER);
  if (owner === 0 || (owner & FUTEX_TID_MASK) !== st.pid) return -ERRNO.EPERM;
  if (!m.robust) {
    yield* release(sys, m);
    return 0;
  }
  const e = entry(m);
  if ((yield* sys.atomic(AT_LOAD, h, MUTEX_STATE)) === INCONSISTENT) {
    yield* sys.atomic(AT_STORE, h, MUTEX_STATE, NOTRECOVERABLE);
  }
  yield* setPending(sys, st, e);
  yield* dequeue(sys, st, e);
  yield* release(sys, m);
  yield* setPending(sys, st, 0);
  return 0;
}

/** pthread_mutex_consistent: a robust mutex taken with EOWNERDEAD is usable again once its
 * owner unlocks it. -EINVAL if the mutex is not robust or not inconsistent. */
export function* mutex_consistent(sys: Sys, m: Mutex): Call<number> {
  if (!m.robust) return -ERRNO.EINVAL;
  if ((yield* sys.atomic(AT_LOAD, m.handle, MUTEX_STATE)) !== INCONSISTENT) return -ERRNO.EINVAL;
  yield* sys.atomic(AT_STORE, m.handle, MUTEX_STATE, CONSISTENT);
  return 0;
}
