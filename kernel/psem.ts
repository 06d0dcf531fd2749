// Robust POSIX semaphores, the API proposed for SerenityOS (#26463): a semaphore is a word
// in shared memory; the _robust operations are undone by the kernel when the process exits.
//
// Two implementations, chosen per semaphore by the user library:
// - the system-call path (psemop): the kernel changes the value and keeps the adjustment;
// - the fast path: user-space atomics change the value, then an adjustment word that the
//   process registered with the kernel (psemregister). A process killed between the two
//   steps leaks a token, unless the kernel's defence (boot option --robust-fast=pcrange) sees
//   at exit that it stopped inside the critical section and completes the adjustment.

import { ERRNO } from "./uapi/errno.ts";
import type { KGen } from "./event.ts";
import type { Machine } from "./machine.ts";
import type { Proc } from "./proc.ts";
import type { SharedObject } from "./shm.ts";
import { panic } from "./printf.ts";
import { acquire, release } from "./spinlock.ts";
import { PSEM_POST, PSEM_TRYWAIT } from "./uapi/ipc.ts";

/** The largest value a semaphore can hold (SEM_VALUE_MAX). */
export const SEM_VALUE_MAX = 0x7fffffff;

/** A word of a shared object. */
export interface Word {
  obj: SharedObject;
  index: number;
}

// A Word the kernel keeps (sys_psemregister and sys_psemop check them; psemop's keys are
// built from them) addresses a word of its object: out of range, a typed array's read is
// undefined and its write does nothing, silently.
function wordok(w: Word, fn: string): void {
  if (!(Number.isInteger(w.index) && w.index >= 0 && w.index < w.obj.words.length)) {
    panic(`${fn}: word out of range`);
  }
}

/** A fast-path registration: a semaphore's value word and this process's adjustment word. */
export interface PsemReg {
  sem: Word;
  adj: Word;
}

/** psemop: the system-call path. 0 or -errno. */
export function* psemop(
  m: Machine,
  p: Proc,
  sem: Word,
  op: number,
  robust: boolean,
  deadline: number,
): KGen<number> {
  const shm = m.shmem;
  wordok(sem, "psemop");
  const key = `${sem.obj.handle}:${sem.index}`;
  for (;;) {
    yield* acquire(m, shm.lock);
    const w = sem.obj.words;
    let r: number | null = null;
    if (op === PSEM_POST) {
      if (w[sem.index] === SEM_VALUE_MAX) r = -ERRNO.ERANGE; // EOVERFLOW in POSIX
      else {
        w[sem.index]++;
        if (robust) p.psemAdj.set(key, (p.psemAdj.get(key) ?? 0) - 1);
        r = 0;
      }
    } else if (w[sem.index] > 0) {
      w[sem.index]--;
      if (robust) p.psemAdj.set(key, (p.psemAdj.get(key) ?? 0) + 1);
      r = 0;
    } else if (op === PSEM_TRYWAIT) r = -ERRNO.EAGAIN;
    yield* release(m, shm.lock);
    if (r !== null) {
      if (op === PSEM_POST) yield* shm.wake(m, sem.obj, sem.index, 1);
      return r;
    }
    const label = `psem ${sem.obj.name.replace(/^psem:/, "")}`;
    const s = yield* shm.wait(m, p, sem.obj, sem.index, 0, deadline, label);
    if (s === -ERRNO.EINTR || s === -ERRNO.ETIMEDOUT) return s;
  }
}

/** At exit: complete an interrupted fast path (pcrange), then undo every robust operation:
 * the value gets the adjustment back (never below 0), and waiters are woken. */
export function* exitPsem(m: Machine, p: Proc): KGen {
  if (p.psemRegs.length === 0 && p.psemAdj.size === 0) return;
  const shm = m.shmem;
  const undo: { sem: Word; delta: number }[] = [];
  yield* acquire(m, shm.lock);
  if (p.critPending !== null && m.robustFast === "pcrange") {
    const { adj, delta } = p.critPending;
    wordok(adj, "exitPsem");
    adj.obj.words[adj.index] += delta;
  }
  p.critPending = null;
  for (const { sem, adj } of p.psemRegs) {
    wordok(sem, "exitPsem");
    wordok(adj, "exitPsem");
    undo.push({ sem, delta: adj.obj.words[adj.index] });
    adj.obj.words[adj.index] = 0;
  }
  for (const [key, delta] of p.psemAdj) {
    const [h, i] = key.split(":").map(Number);
    // psemop made the key from a checked word, and counts whole operations.
    if (!Number.isSafeInteger(delta)) panic("exitPsem: adjustment not an integer");
    const obj = shm.mapped(p, h);
    if (obj !== null) undo.push({ sem: { obj, index: i }, delta });
  }
  for (const { sem, delta } of undo) {
    wordok(sem, "exitPsem");
    const w = sem.obj.words;
    w[sem.index] = Math.max(0, w[sem.index] + delta);
  }
  p.psemRegs = [];
  p.psemAdj.clear();
  yield* release(m, shm.lock);
  for (const { sem, delta } of undo) if (delta > 0) yield* shm.wake(m, sem.obj, sem.index, delta);
}
