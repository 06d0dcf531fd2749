// Processes, as in xv6's kernel/proc.c: the process table, fork/exit/wait/kill, sleep/wakeup,
// the per-CPU scheduler and procdump.

import type { Image, Program } from "./abi.ts";
import { EV, event, type KGen, WFI_EVENT } from "./event.ts";
import { type File, fileclose, filedup } from "./file.ts";
import type { Inode } from "./fs.ts";
import { History } from "./history.ts";
import { Context, type Cpu, type Machine } from "./machine.ts";
import { NOFILE } from "./param.ts";
import { panic } from "./printf.ts";
import { acquire, holding, release, Spinlock } from "./spinlock.ts";
import { forkret } from "./trap.ts";

export type { Chan } from "./event.ts";
import type { Chan } from "./event.ts";

export const UNUSED = 0, USED = 1, SLEEPING = 2, RUNNABLE = 3, RUNNING = 4, ZOMBIE = 5;
export type ProcState = 0 | 1 | 2 | 3 | 4 | 5;
const STATE_NAMES = ["unused", "used", "sleep ", "runble", "run   ", "zombie"];

export class Proc implements Chan {
  readonly lock: Spinlock;

  // p->lock must be held when using these:
  state: ProcState = UNUSED;
  chan: Chan | null = null; // if non-null, sleeping on chan
  killed = false;
  xstate = 0; // exit status to be returned to parent's wait
  pid = 0;

  // wait_lock must be held when using this:
  parent: Proc | null = null;

  // these are private to the process, so p->lock need not be held.
  context: Context | null = null;
  ofile: (File | null)[] = new Array(NOFILE).fill(null);
  cwd: Inode | null = null;
  name = "";
  cycles = 0; // steps run on a CPU, for ps

  // the user program: its image, its running generator, and what it has seen since exec
  main: Image | null = null;
  argv: string[] = [];
  user: Program | null = null;
  history = new History();
  /** Set by fork: the parent's history up to the fork, which the child re-runs first. */
  forked: History | null = null;

  /** A parent waiting in wait() sleeps on itself. */
  readonly what = "wait";

  constructor(readonly slot: number) {
    this.lock = new Spinlock(`proc[${slot}]`);
  }
}

function* allocpid(m: Machine): KGen<number> {
  yield* acquire(m, m.pidLock);
  const pid = m.nextpid++;
  yield* release(m, m.pidLock);
  return pid;
}

// Look in the process table for an UNUSED proc. If found, initialize state required to run in
// the kernel, and return with p->lock held. If there are no free procs, return null.
function* allocproc(m: Machine): KGen<Proc | null> {
  for (const p of m.procs) {
    yield* acquire(m, p.lock);
    if (p.state === UNUSED) {
      p.pid = yield* allocpid(m);
      p.state = USED;
      // Set up a new context to start executing at forkret, which returns to user space.
      p.context = new Context(p, forkret(m, p));
      return p;
    }
    yield* release(m, p.lock);
  }
  return null;
}

// Free a proc structure and the data hanging from it. p->lock must be held.
export function freeproc(p: Proc): void {
  p.user = null;
  p.main = null;
  p.argv = [];
  p.history = new History();
  p.forked = null;
  p.context = null;
  p.pid = 0;
  p.parent = null;
  p.name = "";
  p.chan = null;
  p.killed = false;
  p.xstate = 0;
  p.cycles = 0;
  p.state = UNUSED;
}

/** Set up the first user process, before the machine runs: slot 0, pid 1, /init. */
export function userinit(m: Machine, argv: string[]): void {
  const p = m.procs[0];
  p.pid = m.nextpid++;
  p.context = new Context(p, forkret(m, p));
  p.cwd = m.fs.root;
  setImage(m, p, m.programs[argv[0]] ?? panic(`no program ${argv[0]}`), argv, "/" + argv[0]);
  p.state = RUNNABLE;
  m.initproc = p;
}

/** A fresh run of a program, with a user-library object of its own. */
export function startProgram(m: Machine, main: Image, argv: string[]): Program {
  return main(m.makeSys() as never, argv);
}

/** Replace a process's user image by a program (exec's commit point). */
export function setImage(
  m: Machine,
  p: Proc,
  main: Image,
  argv: string[],
  path: string,
): void {
  p.main = main;
  p.argv = argv;
  p.user = startProgram(m, main, argv);
  p.history = new History();
  p.forked = null;
  p.name = path.slice(path.lastIndexOf("/") + 1).slice(0, 15);
}

// Create a new process, copying the parent. Sets up child kernel stack to return as if from
// fork() system call.
export function* fork(m: Machine): KGen<number> {
  const p = m.myproc();
  const np = yield* allocproc(m);
  if (np === null) return -1;

  // Copy user memory from parent to child: the program and what it has seen since exec.
  np.main = p.main;
  np.argv = p.argv;
  np.forked = p.history.prefix(p.history.length);

  // increment reference counts on open file descriptors.
  for (let i = 0; i < NOFILE; i++) {
    const f = p.ofile[i];
    if (f !== null) np.ofile[i] = yield* filedup(m, f);
  }
  np.cwd = p.cwd;
  np.name = p.name;
  const pid = np.pid;
  yield* release(m, np.lock);

  yield* acquire(m, m.waitLock);
  np.parent = p;
  yield* release(m, m.waitLock);

  yield* acquire(m, np.lock);
  np.state = RUNNABLE;
  yield* release(m, np.lock);
  return pid;
}

/** fork and exec in one call (posix_spawn): the child starts `main` without re-running the
 * parent. Returns the child's pid, or -1 if the process table is full. */
export function* spawn(
  m: Machine,
  main: Image,
  argv: string[],
  path: string,
): KGen<number> {
  const p = m.myproc();
  const np = yield* allocproc(m);
  if (np === null) return -1;
  setImage(m, np, main, argv, path);
  for (let i = 0; i < NOFILE; i++) {
    const f = p.ofile[i];
    if (f !== null) np.ofile[i] = yield* filedup(m, f);
  }
  np.cwd = p.cwd;
  const pid = np.pid;
  yield* release(m, np.lock);

  yield* acquire(m, m.waitLock);
  np.parent = p;
  yield* release(m, m.waitLock);

  yield* acquire(m, np.lock);
  np.state = RUNNABLE;
  yield* release(m, np.lock);
  return pid;
}

// Pass p's abandoned children to init. Caller must hold wait_lock.
function* reparent(m: Machine, p: Proc): KGen {
  for (const pp of m.procs) {
    if (pp.parent === p) {
      pp.parent = m.initproc;
      yield* wakeup(m, m.initproc);
    }
  }
}

// Exit the current process. Does not return. An exited process remains in the zombie state
// until its parent calls wait().
export function* exit(m: Machine, status: number): KGen<never> {
  const p = m.myproc();
  if (p === m.initproc) panic("init exiting");

  // Close all open files.
  for (let fd = 0; fd < NOFILE; fd++) {
    const f = p.ofile[fd];
    if (f !== null) {
      p.ofile[fd] = null;
      yield* fileclose(m, f);
    }
  }
  p.cwd = null;

  yield* acquire(m, m.waitLock);
  // Give any children to init.
  yield* reparent(m, p);
  // Parent might be sleeping in wait().
  yield* wakeup(m, p.parent!);

  yield* acquire(m, p.lock);
  p.xstate = status;
  p.state = ZOMBIE;
  yield* release(m, m.waitLock);

  // Jump into the scheduler, never to return.
  yield* sched(m);
  panic("zombie exit");
}

// Wait for a child process to exit and return its pid and exit status.
// Return [-1, 0] if this process has no children.
export function* wait(m: Machine): KGen<[number, number]> {
  const p = m.myproc();
  yield* acquire(m, m.waitLock);
  for (;;) {
    // Scan through table looking for exited children.
    let havekids = false;
    for (const pp of m.procs) {
      if (pp.parent !== p) continue;
      // make sure the child isn't still in exit() or swtch().
      yield* acquire(m, pp.lock);
      havekids = true;
      if (pp.state === ZOMBIE) {
        // Found one.
        const pid = pp.pid;
        const status = pp.xstate;
        freeproc(pp);
        yield* release(m, pp.lock);
        yield* release(m, m.waitLock);
        return [pid, status];
      }
      yield* release(m, pp.lock);
    }
    // No point waiting if we don't have any children.
    if (!havekids || (yield* killed(m, p))) {
      yield* release(m, m.waitLock);
      return [-1, 0];
    }
    // Wait for a child to exit.
    yield* sleep(m, p, m.waitLock); //DOC: wait-sleep
  }
}

// Per-CPU process scheduler. Each CPU calls scheduler() after setting itself up. Scheduler
// never returns. It loops, doing:
//  - choose a process to run.
//  - swtch to start running that process.
//  - eventually that process transfers control via swtch back to the scheduler.
// When a whole pass finds nothing to run, the CPU waits for an interrupt (2025 xv6's wfi).
export function* scheduler(m: Machine, c: Cpu): KGen<never> {
  c.proc = null;
  for (;;) {
    // The most recent process to run may have had interrupts turned off; enable them to
    // avoid a deadlock if all processes are waiting.
    c.intrOn = true;
    let found = false;
    for (const p of m.procs) {
      yield* acquire(m, p.lock);
      if (p.state === RUNNABLE) {
        // Switch to chosen process. It is the process's job to release its lock and then
        // reacquire it before jumping back to us.
        p.state = RUNNING;
        c.proc = p;
        yield event(EV.SWTCH, { to: p });
        // Process is done running for now.
        c.proc = null;
        found = true;
      }
      yield* release(m, p.lock);
    }
    if (!found) yield WFI_EVENT;
  }
}

// Switch to scheduler. Must hold only p->lock and have changed proc->state. Saves and
// restores intena because intena is a property of this kernel thread, not this CPU.
export function* sched(m: Machine): KGen {
  const p = m.myproc();
  const c = m.cpu;
  if (!holding(m, p.lock)) panic("sched p->lock");
  if (c.noff !== 1) panic("sched locks");
  if (p.state === RUNNING) panic("sched running");
  if (c.intrOn) panic("sched interruptible");
  const intena = c.intena;
  yield event(EV.SWTCH, { why: p.state === SLEEPING ? p.chan!.what : "" });
  m.cpu.intena = intena;
}

// Give up the CPU for one scheduling round.
export function* yield_(m: Machine): KGen {
  const p = m.myproc();
  yield* acquire(m, p.lock);
  p.state = RUNNABLE;
  yield* sched(m);
  yield* release(m, p.lock);
}

// Atomically release lock and sleep on chan. Reacquires lock when awakened.
export function* sleep(m: Machine, chan: Chan, lk: Spinlock): KGen {
  const p = m.myproc();
  // Must acquire p->lock in order to change p->state and then call sched. Once we hold
  // p->lock, we can be guaranteed that we won't miss any wakeup (wakeup locks p->lock),
  // so it's okay to release lk.
  yield* acquire(m, p.lock); //DOC: sleeplock1
  yield* release(m, lk);

  // Go to sleep.
  p.chan = chan;
  p.state = SLEEPING;
  yield* sched(m);

  // Tidy up.
  p.chan = null;

  // Reacquire original lock.
  yield* release(m, p.lock);
  yield* acquire(m, lk);
}

// Wake up all processes sleeping on chan. Must be called without any p->lock.
export function* wakeup(m: Machine, chan: Chan): KGen {
  for (const p of m.procs) {
    if (p === m.cpu.proc) continue;
    yield* acquire(m, p.lock);
    if (p.state === SLEEPING && p.chan === chan) p.state = RUNNABLE;
    yield* release(m, p.lock);
  }
}

// Kill the process with the given pid. The victim won't exit until it tries to return to user
// space (see usertrap() in trap.c), or a sleep loop notices.
export function* kill(m: Machine, pid: number): KGen<number> {
  for (const p of m.procs) {
    yield* acquire(m, p.lock);
    if (p.pid === pid) {
      p.killed = true;
      // Wake process from sleep().
      if (p.state === SLEEPING) p.state = RUNNABLE;
      yield* release(m, p.lock);
      return 0;
    }
    yield* release(m, p.lock);
  }
  return -1;
}

export function* setkilled(m: Machine, p: Proc): KGen {
  yield* acquire(m, p.lock);
  p.killed = true;
  yield* release(m, p.lock);
}

export function* killed(m: Machine, p: Proc): KGen<boolean> {
  yield* acquire(m, p.lock);
  const k = p.killed;
  yield* release(m, p.lock);
  return k;
}

/** Print a process listing to console, for debugging (^P). No lock, to avoid wedging a stuck
 * machine further. */
export function procdump(m: Machine): string {
  let out = "\n";
  for (const p of m.procs) {
    if (p.state === UNUSED) continue;
    out += `${p.pid} ${STATE_NAMES[p.state] ?? "???"} ${p.name}\n`;
  }
  return out;
}
