// Traps, as in xv6's kernel/trap.c: the path between user mode and the kernel (system calls,
// a program that faults), and the timer interrupt.
//
// A process's kernel thread runs userLoop(): it resumes the user program (user mode) until
// the program yields a system call, then handles the call in the kernel (usertrap ->
// syscall), and yields once more on its way back to user mode.

import type { SysReq, Val } from "./uapi/abi.ts";
import { EV, event, type KGen, USER_EVENT } from "./event.ts";
import type { Context, Machine } from "./machine.ts";
import type { History } from "./history.ts";
import { ptr } from "./printf.ts";
import {
  exit,
  killed,
  killedNoLock,
  type Proc,
  RUNNING,
  setkilled,
  startProgram,
  wakeup,
  yield_,
} from "./proc.ts";
import { acquire, release } from "./spinlock.ts";
import { BadArg, isKGen, syscallFn } from "./syscall.ts";
import { ATOMIC, CRIT_ENTER, CRIT_LEAVE, CRIT_NONE } from "./uapi/ipc.ts";
import { SYS } from "./uapi/syscall.ts";

// A process's kernel thread. A new process's very first scheduling by scheduler() will swtch
// here (xv6's forkret); then it loops between user mode and the kernel (usertrap, usertrapret).
export function* forkret(m: Machine, p: Proc): KGen<never> {
  // Still holding p->lock from scheduler.
  yield* release(m, p.lock);
  let ret: Val = undefined;
  if (p.forked !== null) {
    // A fork's child: re-run the program up to its fork(), which returns 0 in the child.
    if (!replayFork(m, p, p.forked)) yield* killedExit(m);
    p.forked = null;
    ret = 0;
  }
  const ctx = p.context!;
  // The step's record, reused: the journal takes it before the next step.
  const ev = event(EV.SYSCALL);
  const aev = event(EV.ATOMIC, { n: ATOMIC });
  for (;;) {
    // User mode: run the program up to its next system call.
    const req = runUser(m, p, ret);
    if (req === null) {
      // Computation that does not enter the kernel: only the timer takes the CPU from it.
      toUserMode(m, ctx);
      yield USER_EVENT;
      ctx.userMode = false;
      ret = undefined;
      continue;
    }
    if (req === FAULT) {
      yield* setkilled(m, p);
      return yield* killedExit(m);
    }
    if (typeof req === "number") return yield* exit(m, req); // returned from main
    if (req.n === ATOMIC) {
      // A user-mode instruction on shared memory: a step of its own, no kernel entry.
      const old = atomic(m, p, req.a);
      if (old === null) {
        unexpected(m, p, new Error("atomic operation on an address not mapped"), p.history.length);
        yield* setkilled(m, p);
        return yield* killedExit(m);
      }
      p.history.push(ATOMIC, old);
      aev.a = req.a;
      aev.r = ret = old;
      toUserMode(m, ctx);
      yield aev;
      ctx.userMode = false;
      continue;
    }

    // usertrap(): a system call. (killedNoLock, not xv6's killed(p): read and used in one step.)
    if (killedNoLock(p)) yield* killedExit(m);
    const n = req.n;
    p.syscall = n;
    const call = syscall(m, p, n, ev.a = Array.isArray(req.a) ? req.a : []);
    ret = isKGen(call) ? yield* call : call;
    p.syscall = 0;
    // exec replaces the history; everything else adds to it.
    if (n !== SYS.exec || ret === -1) {
      p.history.push(n, ret);
    }
    if (killedNoLock(p)) {
      // Killed in the call: it never returns to user mode, but what the call did stays on
      // record (strace's last line before "+++ killed +++"), e.g. the byte a read took.
      yield* killedExit(m, n, ev.a, ret);
    }

    // usertrapret(): back to user mode.
    ev.n = n;
    ev.r = ret;
    toUserMode(m, ctx);
    yield ev;
    ctx.userMode = false;
    if (n === SYS.exec && ret !== -1) ret = undefined; // a new program starts with nothing
  }
}

const FAULT = -0.5; // runUser's answer when the program threw

// usertrapret's sret: the process runs in user mode, with interrupts on (sstatus.SPIE), on
// whichever CPU it runs now, whatever its kernel path left them.
function toUserMode(m: Machine, ctx: Context): void {
  m.cpu.intrOn = true;
  ctx.userMode = true;
}

// A killed (or faulting) process leaves: the step that enters exit() is its record, as the
// exit call's is, so the journal shows when every killed process died. `n`, `a`, `r`: the
// system call it was killed in and what that call did (n 0: killed outside any call).
function* killedExit(m: Machine, n = 0, a: Val[] = [], r: Val = undefined): KGen<never> {
  yield event(EV.EXIT, { n, a, r });
  return yield* exit(m, -1);
}

// An atomic instruction [op, handle, index, arg1, arg2, mark]: the word's old value, or null
// if it does not address a mapped word. `mark` tracks a robust semaphore's fast-path critical
// section: entering it (the value's change) leaves an adjustment owed until leaving it.
function atomic(m: Machine, p: Proc, a: Val[]): number | null {
  const [op, h, index, a1 = 0, a2 = 0, mark = CRIT_NONE] = a;
  if (![op, h, index, a1, a2, mark].every((x) => typeof x === "number")) return null;
  const old = m.shmem.atomic(
    p,
    op as number,
    h as number,
    index as number,
    a1 as number,
    a2 as number,
  );
  if (old === null) return null;
  if (mark === CRIT_LEAVE) p.critPending = null;
  if (mark === CRIT_ENTER) {
    const reg = p.psemRegs.find((r) => r.sem.obj.handle === h && r.sem.index === index);
    const delta = reg === undefined ? 0 : reg.sem.obj.words[index as number] - old;
    if (reg !== undefined && delta !== 0) p.critPending = { adj: reg.adj, delta: -delta };
  }
  return old;
}

// Resume the program with the result of its last system call: its next request, null for a
// step of pure computation, its exit status if it returned from main, or FAULT if it threw.
function runUser(m: Machine, p: Proc, ret: Val): SysReq | null | number {
  try {
    const r = p.user!.next(ret);
    // Returning from main is exit(status), as in C's crt0.
    if (r.done) return typeof r.value === "number" ? r.value | 0 : 0;
    return r.value;
  } catch (e) {
    unexpected(m, p, e, p.history.length);
    return FAULT;
  }
}

// xv6's syscall(): the handler's answer, or the kernel path to run for it. A bad argument
// makes the call fail (-1), as a bad user pointer does in xv6.
function syscall(m: Machine, p: Proc, n: number, a: Val[]): Val | KGen<Val> {
  const fn = syscallFn(n);
  if (fn === undefined) {
    m.cons.kprint(`${p.pid} ${p.name}: unknown sys call ${n}\n`);
    return -1;
  }
  try {
    return fn(m, p, a);
  } catch (e) {
    if (e instanceof BadArg) return -1;
    throw e;
  }
}

// Feed a fresh run of the program the parent's recorded system-call results. The program
// sees exactly what the parent saw, so it reaches the same fork(); if it does not, it is not
// deterministic, and the child is killed as a faulting program.
function replayFork(m: Machine, p: Proc, h: History): boolean {
  const n = h.length;
  try {
    const user = startProgram(m, p.main!, p.argv, p.env);
    let r = user.next();
    for (let i = 0; i <= n; i++) {
      while (!r.done && r.value === null) r = user.next();
      const want = i < n ? h.num(i) : SYS.fork;
      if (r.done || r.value?.n !== want) {
        throw new Error(`fork: the child's re-run diverged from its parent at call ${i}`);
      }
      if (i < n) r = user.next(h.ret(i));
    }
    p.user = user;
    h.push(SYS.fork, 0);
    p.history = h;
    return true;
  } catch (e) {
    unexpected(m, p, e, n);
    return false;
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
  // The ticks of time a timer interrupt brings: those its CPU's clock passed since the last
  // one; on the host's clock, those that came from the host.
  const ticks = device ? 0 : m.hostClock ? m.cpu.takeHostTicks() : m.cpu.takeClockTicks();
  if (device) {
    yield* m.uart.intr(m);
    m.completeIrq();
  } else if (m.cpu.id === 0) yield* clockintr(m, ticks);
  const p = m.cpu.proc;
  if (p !== null) {
    p.ticks += ticks; // the ticks found p running: charge them to p, for ps
    if (fromUser && (yield* killed(m, p))) yield* killedExit(m);
    // give up the CPU if this is a timer interrupt.
    if (!device && p.state === RUNNING) yield* yield_(m);
  }
  // Back to what was interrupted, with interrupts on again (sret), on whichever CPU it now
  // runs (a process that yielded may come back on another).
  m.cpu.intrOn = true;
}

function* clockintr(m: Machine, ticks: number): KGen {
  if (ticks === 0) return; // dv6: on the host's clock, a timer interrupt that only preempts
  yield* acquire(m, m.tickslock);
  m.ticks += ticks;
  yield* wakeup(m, m.ticksChan);
  // dv6: sleeps with a deadline (semtimedop, futex, poll and flock timeouts). The due ones
  // leave the list in this one step (their sleepers remove their own entries when woken
  // otherwise).
  const due = m.timeouts.filter((t) => t.at <= m.ticks);
  m.timeouts = m.timeouts.filter((t) => t.at > m.ticks);
  yield* release(m, m.tickslock);
  // Each is woken holding its sleeper's condition lock, as any wakeup() must be: a sleeper
  // checks its deadline and goes to sleep under that lock, so the wakeup cannot fall between.
  for (const t of due) {
    yield* acquire(m, t.lk);
    yield* wakeup(m, t.chan);
    yield* release(m, t.lk);
  }
}
