// System call dispatch, as in xv6's kernel/syscall.c, with argument fetching: a program can
// pass anything, so every argument is checked and a bad one makes the call return -1 (as a
// bad user pointer does in xv6).

import type { Val } from "./abi.ts";
import type { KGen } from "./event.ts";
import type { Machine } from "./machine.ts";
import type { Proc } from "./proc.ts";
import { SYSFILE } from "./sysfile.ts";
import { SYSPROC } from "./sysproc.ts";

export type SyscallFn = (m: Machine, p: Proc, a: Val[]) => KGen<Val>;

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

const syscalls: Record<number, SyscallFn> = { ...SYSPROC, ...SYSFILE };

export function* syscall(m: Machine, p: Proc, n: number, a: Val[]): KGen<Val> {
  const fn = syscalls[n];
  if (fn === undefined) {
    m.cons.kprint(`${p.pid} ${p.name}: unknown sys call ${n}\n`);
    return -1;
  }
  try {
    // Arguments are checked before the call's first yield, so a BadArg never leaves a lock held.
    return yield* fn(m, p, a);
  } catch (e) {
    if (e instanceof BadArg) return -1;
    throw e;
  }
}
