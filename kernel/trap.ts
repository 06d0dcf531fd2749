// Traps, as in xv6's kernel/trap.c: the path between user mode and the kernel (system calls,
// a program that faults), and the timer interrupt.
//
// A process's kernel thread runs userLoop(): it resumes the user program (user mode) until
// the program yields a system call, then handles the call in the kernel (usertrap ->
// syscall), and yields once more on its way back to user mode.

import type { Val } from "./abi.ts";
import { EV, type KGen, USER_EVENT } from "./event.ts";
import type { Machine } from "./machine.ts";
import { ptr } from "./printf.ts";
import {
  exit,
  type History,
  killed,
  type Proc,
  RUNNING,
  setkilled,
  startProgram,
  wakeup,
  yield_,
} from "./proc.ts";
import { acquire, release } from "./spinlock.ts";
import { syscall } from "./syscall.ts";
import { SYS } from "./sysnum.ts";

// A fork child's very first scheduling by scheduler() will swtch to forkret.
export function* forkret(m: Machine, p: Proc): KGen<never> {
  // Still holding p->lock from scheduler.
  yield* release(m, p.lock);
  let ret: Val = undefined;
  if (p.forked !== null) {
    // A fork's child: re-run the program up to its fork(), which returns 0 in the child.
    if (!replayFork(m, p, p.forked.history, p.forked.calls)) yield* exit(m, -1);
    p.forked = null;
    ret = 0;
  }
  return yield* userLoop(m, p, ret);
}

// Feed a fresh run of the program the parent's recorded system-call results. The program
// sees exactly what the parent saw, so it reaches the same fork(); if it does not, it is not
// deterministic, and the child is killed as a faulting program.
function replayFork(m: Machine, p: Proc, parent: History, n: number): boolean {
  const nums = parent.nums.slice(0, n);
  const rets = parent.rets.slice(0, n);
  try {
    const user = startProgram(m, p.main!, p.argv);
    let r = user.next();
    for (let i = 0; i <= n; i++) {
      while (!r.done && r.value === null) r = user.next();
      const want = i < n ? nums[i] : SYS.fork;
      if (r.done || r.value!.n !== want) {
        throw new Error(`fork: the child's re-run diverged from its parent at call ${i}`);
      }
      if (i < n) r = user.next(rets[i]);
    }
    p.user = user;
    nums.push(SYS.fork);
    rets.push(0);
    p.history = { nums, rets };
    return true;
  } catch (e) {
    unexpected(m, p, e, n);
    return false;
  }
}

function* userLoop(m: Machine, p: Proc, ret: Val): KGen<never> {
  const ctx = p.context!;
  for (;;) {
    // User mode: run the program up to its next system call.
    let r;
    try {
      r = p.user!.next(ret);
    } catch (e) {
      unexpected(m, p, e, p.history.nums.length);
      yield* setkilled(m, p);
      return yield* exit(m, -1);
    }
    if (r.done) {
      // Returning from main is exit(status), as in C's crt0.
      return yield* exit(m, typeof r.value === "number" ? r.value : 0);
    }
    const req = r.value;
    if (req === null) {
      // Computation that does not enter the kernel: only the timer takes the CPU from it.
      ctx.userMode = true;
      yield USER_EVENT;
      ctx.userMode = false;
      ret = undefined;
      continue;
    }

    // usertrap(): a system call.
    if (p.killed) yield* exit(m, -1);
    const n = req.n;
    const a = Array.isArray(req.a) ? req.a : [];
    ret = yield* syscall(m, p, n, a);
    // exec replaces the history; everything else adds to it.
    if (n !== SYS.exec || ret === -1) {
      p.history.nums.push(n);
      p.history.rets.push(ret);
    }
    if (p.killed) yield* exit(m, -1);

    // usertrapret(): back to user mode.
    ctx.userMode = true;
    yield { k: EV.SYSCALL, n, a, r: ret };
    ctx.userMode = false;
    if (n === SYS.exec && ret !== -1) ret = undefined; // a new program starts with nothing
  }
}

// A program threw: xv6's message for an unexpected trap, then the kernel kills it.
function unexpected(m: Machine, p: Proc, e: unknown, pc: number): void {
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  m.cons.kprint(
    `usertrap(): unexpected scause ${ptr(2)} pid=${p.pid}\n` +
      `            sepc=${ptr(pc)} stval=${ptr(0)}\n` +
      `            ${what}\n`,
  );
}

// An interrupt, pushed on top of whatever the CPU was running (its scheduler, or a process
// in user mode or in the kernel with interrupts on): the console device, or the timer.
export function* devintr(m: Machine, fromUser: boolean, device: boolean): KGen {
  if (device) yield* m.cons.intr(m);
  else if (m.cpu.id === 0) yield* clockintr(m);
  const p = m.cpu.proc;
  if (p === null) return;
  if (fromUser && (yield* killed(m, p))) yield* exit(m, -1);
  // give up the CPU if this is a timer interrupt.
  if (!device && p.state === RUNNING) yield* yield_(m);
}

function* clockintr(m: Machine): KGen {
  yield* acquire(m, m.tickslock);
  m.ticks++;
  yield* wakeup(m, m.ticksChan);
  yield* release(m, m.tickslock);
}
