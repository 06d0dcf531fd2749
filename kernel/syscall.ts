// System calls by number, as in xv6's kernel/syscall.c, and argument fetching: a program can
// pass anything, so every argument is checked and a bad one makes the call return -1 (as a
// bad user pointer does in xv6).

import type { Val } from "./uapi/abi.ts";
import { ERRNO } from "./uapi/errno.ts";
import type { KGen } from "./event.ts";
import type { Machine } from "./machine.ts";
import type { Proc } from "./proc.ts";
import { acquire, release, type Spinlock } from "./spinlock.ts";
import { SYSFILE } from "./sysfile.ts";
import { SYSIPC } from "./sysipc.ts";
import { SYSPROC } from "./sysproc.ts";

/**
 * A system call's handler (xv6's sys_*): it fetches its arguments (a bad one throws BadArg)
 * and returns the result, or the kernel path that computes it when that may yield.
 */
export type SyscallFn = (m: Machine, p: Proc, a: Val[]) => Val | KGen<Val>;

/** Does a handler's answer need running? (Results are plain values: none has a next().) */
export function isKGen(r: Val | KGen<Val>): r is KGen<Val> {
  return typeof r === "object" && typeof (r as { next?: unknown }).next === "function";
}

/** Run op under a spinlock: one atomic kernel operation between two interleaving points. */
export function* locked<T>(m: Machine, lk: Spinlock, op: () => T): KGen<T> {
  yield* acquire(m, lk);
  const r = op();
  yield* release(m, lk);
  return r;
}

/** A bad argument: the call returns -1. */
export class BadArg extends Error {}

export function argint(a: Val[], i: number): number {
  const v = a[i];
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw new BadArg();
  return v;
}

export function argstr(a: Val[], i: number): string {
  const v = a[i];
  if (typeof v !== "string") throw new BadArg();
  return v;
}

export function argbytes(a: Val[], i: number): Uint8Array {
  const v = a[i];
  if (!(v instanceof Uint8Array)) throw new BadArg();
  return v;
}

export function argstrs(a: Val[], i: number): string[] {
  const v = a[i];
  if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) throw new BadArg();
  return v as string[];
}

/** For the calls dv6 takes from Linux: an argument that cannot be read is Linux's EFAULT (xv6's
 * calls answer -1). */
export function linux(fn: SyscallFn): SyscallFn {
  return (m, p, a) => {
    try {
      return fn(m, p, a);
    } catch (e) {
      if (e instanceof BadArg) return -ERRNO.EFAULT;
      throw e;
    }
  };
}

// The system calls by number (xv6's syscalls[]), made at the first call rather than when this
// module loads: sysproc, sysfile and sysipc import the helpers above from here, so whichever
// of these modules loads first, the others' tables may not exist yet at that moment (ES
// modules, unlike C's linker, have an evaluation order).
let syscalls: Record<number, SyscallFn> | null = null;

/** The handler of system call `n` (trap.ts dispatches through it), or undefined. */
export function syscallFn(n: number): SyscallFn | undefined {
  syscalls ??= { ...SYSPROC, ...SYSFILE, ...SYSIPC };
  return syscalls[n];
}
