// System V IPC, shared memory, futexes, robust POSIX semaphores and user-space atomics:
// Linux's values where Linux has them (sys/ipc.h, sys/sem.h, linux/futex.h).

import type { Val } from "./abi.ts";

// System V IPC (Linux's values).
export const IPC_PRIVATE = 0;
export const IPC_CREAT = 0o1000;
export const IPC_EXCL = 0o2000;
export const IPC_NOWAIT = 0o4000;
export const SEM_UNDO = 0x1000;
export const IPC_RMID = 0;
export const IPC_SET = 1;
export const IPC_STAT = 2;
export const GETPID = 11;
export const GETVAL = 12;
export const GETALL = 13;
export const GETNCNT = 14;
export const GETZCNT = 15;
export const SETVAL = 16;
export const SETALL = 17;
export const SEM_INFO = 19; // dv6: the ids of every semaphore set, for ipcs
export const SEMVMX = 32767; // semaphore maximum value
export const SEMAEM = SEMVMX; // adjust on exit max value
export const SEMOPM = 500; // max number of operations per semop call
export const SEMMSL = 32000; // max semaphores per set
export const SEMMNI = 32000; // max semaphore sets

/** One operation of a semop() call, as Linux's struct sembuf. */
export interface SemBuf {
  /** The semaphore's index in the set. */
  sem_num: number;
  /** > 0 adds, < 0 takes (waiting until it can), 0 waits for zero. */
  sem_op: number;
  /** IPC_NOWAIT, SEM_UNDO. */
  sem_flg: number;
}

/** A SemBuf as C writes one, `{sem_num, sem_op, sem_flg}`. */
export function sembuf(sem_num: number, sem_op: number, sem_flg = 0): SemBuf {
  return { sem_num, sem_op, sem_flg };
}

/** A SemBuf on the wire, and in the journal. */
export type SemBufWire = [sem_num: number, sem_op: number, sem_flg: number];

export function semBufToWire(b: SemBuf): SemBufWire {
  return [b.sem_num, b.sem_op, b.sem_flg];
}

/** An operation read from the wire, or null if it is not three integers. */
export function semBufFromWire(v: Val): SemBuf | null {
  if (!Array.isArray(v) || v.length !== 3 || !v.every(isInteger)) return null;
  const [sem_num, sem_op, sem_flg] = v as SemBufWire;
  return { sem_num, sem_op, sem_flg };
}

function isInteger(x: Val): boolean {
  return typeof x === "number" && Number.isSafeInteger(x);
}

// User-space atomic operations on shared memory words (a step each, no kernel entry): a
// program yields { n: ATOMIC, a: [op, handle, index, arg1, arg2, mark] }.
export const ATOMIC = -1;
export const AT_LOAD = 0, AT_STORE = 1, AT_ADD = 2, AT_CAS = 3, AT_XCHG = 4;
// `mark` tells the kernel where the program counter is, for --robust-fast=pcrange: the
// robust semaphore's fast path begins its critical section with its decrement (CRIT_ENTER)
// and ends it with the adjustment's increment (CRIT_LEAVE).
export const CRIT_NONE = 0, CRIT_ENTER = 1, CRIT_LEAVE = 2;

// shmopen() flags.
export const SHM_CREAT = 1;
export const SHM_EXCL = 2;

// Robust futex words (Linux's): the owner's pid in the low 30 bits.
export const FUTEX_WAITERS = 0x80000000;
export const FUTEX_OWNER_DIED = 0x40000000;
export const FUTEX_TID_MASK = 0x3fffffff;

// psemop() operations.
export const PSEM_WAIT = 0, PSEM_TRYWAIT = 1, PSEM_POST = 2;
