// Processes, as in xv6's kernel/proc.c: the process table, fork/exit/wait/kill, sleep/wakeup,
// the per-CPU scheduler and procdump.

import type { Image, Program } from "./uapi/abi.ts";
import { EV, event, type KGen, WFI_EVENT } from "./event.ts";
import { type File, fileclose, filedup } from "./file.ts";
import type { Inode } from "./fs.ts";
import { ERRNO } from "./uapi/errno.ts";
import { History } from "./history.ts";
import { exitPsem, type PsemReg, type Word } from "./psem.ts";
import { exitSem } from "./sem.ts";
import { Context, type Cpu, type Machine } from "./machine.ts";
import { NOFILE } from "./uapi/param.ts";
import { panic } from "./printf.ts";
import { acquire, holding, release, Spinlock } from "./spinlock.ts";
import { forkret } from "./trap.ts";

export type { Chan } from "./event.ts";
import type { Chan } from "./event.ts";

export const UNUSED = 0, USED = 1, SLEEPING = 2, RUNNABLE = 3, RUNNING = 4, ZOMBIE = 5;
export type ProcState = 0 | 1 | 2 | 3 | 4 | 5;
export const STATE_NAMES = ["unused", "used", "sleep ", "runble", "run   ", "zombie"];

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
  pgid = 0; // process group: ^C at the console kills the foreground group
  ticks = 0; // timer ticks that found this process running, for ps
  /** The system call it is in (0: none), for a debugger's ps. */
  syscall = 0;
  /** When it last became RUNNABLE, in the clock of the CPU that made it so: no CPU runs it
   * at an earlier time of its own (see the top of machine.ts). */
  readyAt = 0;

  // the user program: its image, its running generator, and what it has seen since exec
  main: Image | null = null;
  argv: string[] = [];
  env: readonly string[] = []; // NAME=value strings, given at exec, passed on by fork and spawn
  user: Program | null = null;
  history = new History();
  /** Set by fork: the parent's history up to the fork, which the child re-runs first. */
  forked: History | null = null;

  // IPC state (not inherited by fork, except the shared memory it has mapped)
  semadj = new Map<number, number[]>(); // SEM_UNDO adjustments, by semaphore set id
  shm = new Set<number>(); // handles of the shared objects it has mapped
  robustList = 0; // the shared object holding its robust futex list (0: none)
  psemRegs: PsemReg[] = []; // robust semaphores' fast-path adjustment words
  psemAdj = new Map<string, number>(); // the system-call path's adjustments, by "handle:index"
  /** Inside a robust semaphore's fast-path critical section: the adjustment still owed. */
  critPending: { adj: Word; delta: number } | null = null;
  lockedInodes = new Set<Inode>(); // files it holds fcntl record locks on

  /** A parent waiting in wait() sleeps on itself. */
  readonly what = "wait";

  constructor(readonly slot: number) {
    this.lock = new Spinlock(`proc[${slot}]`);
  }

  /** The open file behind descriptor fd, or null (a number out of range, or nothing open). */
  file(fd: number): File | null {
    return fd >= 0 && fd < NOFILE ? this.ofile[fd] : null;
  }
}

/** A process that has not exited. */
function isLive(p: Proc): boolean {
  return p.state !== UNUSED && p.state !== ZOMBIE;
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
  p.env = [];
  p.history = new History();
  p.forked = null;
  p.context = null;
  p.pid = 0;
  p.parent = null;
  p.name = "";
  p.chan = null;
  p.killed = false;
  p.xstate = 0;
  p.pgid = 0;
  p.ticks = 0;
  p.semadj = new Map();
  p.shm = new Set();
  p.robustList = 0;
  p.psemRegs = [];
  p.psemAdj = new Map();
  p.critPending = null;
  p.lockedInodes = new Set();
  p.state = UNUSED;
}

/** Set up the first user process, before the machine runs: slot 0, pid 1, /init. */
export function userinit(m: Machine, argv: string[]): void {
  const p = m.procs[0];
  p.pid = m.nextpid++;
  p.pgid = p.pid;
  p.context = new Context(p, forkret(m, p));
  p.cwd = m.fs.root;
  const main = m.programs[argv[0]] ?? panic(`no program ${argv[0]}`);
  setImage(m, p, main, argv, "/" + argv[0], []);
  p.state = RUNNABLE;
  m.initproc = p;
}

/** A fresh run of a program, with a user-library object of its own. */
export function startProgram(
  m: Machine,
  main: Image,
  argv: string[],
  env: readonly string[],
): Program {
  return main(m.makeSys(env) as never, argv);
}

/** Replace a process's user image by a program (exec's commit point). */
export function setImage(
  m: Machine,
  p: Proc,
  main: Image,
  argv: string[],
  path: string,
  env: readonly string[],
): void {
  p.main = main;
  p.argv = argv;
  p.env = env;
  p.user = startProgram(m, main, argv, env);
  p.history = new History();
  p.forked = null;
  p.name = path.slice(path.lastIndexOf("/") + 1).slice(0, 15);
}

// A new child of the current process: it shares the parent's open files, cwd and process
// group, `init` gives it its program (and may fail with an errno: then the child is freed),
// and it becomes RUNNABLE. Returns the child's pid, -EAGAIN when the process table is full
// (as Linux's fork), or -errno from `init`.
function* makeChild(m: Machine, init: (np: Proc) => KGen<number>): KGen<number> {
  const p = m.myproc();
  const np = yield* allocproc(m);
  if (np === null) return -ERRNO.EAGAIN;

  // increment reference counts on open file descriptors.
  for (let i = 0; i < NOFILE; i++) {
    const f = p.ofile[i];
    if (f !== null) np.ofile[i] = yield* filedup(m, f);
  }
  np.cwd = p.cwd;
  np.name = p.name;
  np.pgid = p.pgid;
  np.env = p.env;
  np.shm = new Set(p.shm); // shared mappings are inherited; SEM_UNDO and robust lists are not
  const pid = np.pid;
  yield* release(m, np.lock);

  const errno = yield* init(np);
  if (errno !== 0) {
    yield* closeFiles(m, np);
    yield* acquire(m, np.lock);
    freeproc(np);
    yield* release(m, np.lock);
    return -errno;
  }

  yield* acquire(m, m.waitLock);
  np.parent = p;
  yield* release(m, m.waitLock);

  yield* acquire(m, np.lock);
  makeRunnable(m, np);
  yield* release(m, np.lock);
  return pid;
}

// Create a new process, copying the parent: its program and what the program has seen since
// exec, which the child re-runs up to this fork before its first step. -1 if it cannot (xv6).
export function* fork(m: Machine): KGen<number> {
  const p = m.myproc();
  // deno-lint-ignore require-yield
  const pid = yield* makeChild(m, function* (np) {
    np.main = p.main;
    np.argv = p.argv;
    np.forked = p.history.prefix(p.history.length);
    return 0;
  });
  return pid < 0 ? -1 : pid;
}

/** fork and exec in one call (posix_spawn): the child starts `main` without re-running the
 * parent; `setup` then adjusts it (file actions, process group) before it runs, and may fail
 * with an errno. Returns the child's pid, or -errno (EAGAIN: the process table is full). */
export function spawn(
  m: Machine,
  main: Image,
  argv: string[],
  path: string,
  env: readonly string[],
  setup: (np: Proc) => KGen<number>,
): KGen<number> {
  return makeChild(m, function* (np) {
    setImage(m, np, main, argv, path, env);
    return yield* setup(np);
  });
}

// Close all of p's open files.
function* closeFiles(m: Machine, p: Proc): KGen {
  for (let fd = 0; fd < NOFILE; fd++) {
    const f = p.ofile[fd];
    if (f !== null) {
      p.ofile[fd] = null;
      yield* fileclose(m, f);
    }
  }
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

  // dv6: give back what the process holds that the kernel can undo (Linux's
  // exit_robust_list, exit_sem; the proposed robust semaphores; fcntl record locks).
  yield* m.shmem.exitRobustList(m, p);
  yield* exitSem(m, p);
  yield* exitPsem(m, p);
  for (const ip of p.lockedInodes) yield* m.locks.releaseRecords(m, p, ip);
  p.lockedInodes.clear();

  // Close all open files.
  yield* closeFiles(m, p);
  p.cwd = null;

  yield* acquire(m, m.waitLock);
  // Give any children to init.
  yield* reparent(m, p);
  // Parent might be sleeping in wait().
  yield* wakeup(m, p.parent!);

  yield* acquire(m, p.lock);
  p.xstate = status;
  p.state = ZOMBIE;
  // dv6: the console's foreground group ends with its last process.
  if (p.pgid === m.cons.fgpgid && !m.procs.some((q) => q.pgid === p.pgid && isLive(q))) {
    m.cons.fgpgid = 0;
  }
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
      if (p.state === UNUSED) continue; // dv6: see wakeup()
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
  makeRunnable(m, p);
  yield* sched(m);
  yield* release(m, p.lock);
}

/** sleep() with a deadline in ticks (Infinity: none): the clock interrupt wakes the sleeper
 * at the deadline. The caller re-checks its condition and the clock, as after any sleep. */
export function* timedSleep(m: Machine, chan: Chan, lk: Spinlock, deadline: number): KGen {
  if (deadline === Infinity) return yield* sleep(m, chan, lk);
  const t = { chan, lk, at: deadline };
  m.timeouts.push(t);
  yield* sleep(m, chan, lk);
  const i = m.timeouts.indexOf(t);
  if (i >= 0) m.timeouts.splice(i, 1);
}

// Atomically release lock and sleep on chan. Reacquires lock when awakened.
export function sleep(m: Machine, chan: Chan, lk: Spinlock): KGen {
  return sleepOn(m, chan, lk, true);
}

// The lecture's broken sleep (boot option --broken-sleep): it lets go of the condition lock
// before taking p->lock, so a wakeup() that runs in the gap finds nobody asleep, and is lost.
export function brokenSleep(m: Machine, chan: Chan, lk: Spinlock): KGen {
  return sleepOn(m, chan, lk, false);
}

function* sleepOn(m: Machine, chan: Chan, lk: Spinlock, handOff: boolean): KGen {
  const p = m.myproc();
  if (handOff) {
    // Must acquire p->lock in order to change p->state and then call sched. Once we hold
    // p->lock, we can be guaranteed that we won't miss any wakeup (wakeup locks p->lock),
    // so it's okay to release lk.
    yield* acquire(m, p.lock); //DOC: sleeplock1
    yield* release(m, lk);
  } else {
    yield* release(m, lk);
    yield* acquire(m, p.lock);
  }

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

// p may run again, from time `at` on: by default the time of the CPU that makes it RUNNABLE.
// Caller holds p->lock.
function makeRunnable(m: Machine, p: Proc, at = m.cpu.cycles): void {
  p.state = RUNNABLE;
  p.readyAt = at;
}

// Wake up all processes sleeping on chan. Must be called without any p->lock.
// dv6: an UNUSED slot holds no sleeper (nor a runnable process, for the scheduler), so both
// skip it without taking its lock: a slot allocated just after the test is one the scan could
// have passed anyway. This saves two steps per empty slot and changes no outcome.
export function* wakeup(m: Machine, chan: Chan): KGen {
  for (const p of m.procs) {
    if (p === m.cpu.proc || p.state === UNUSED) continue;
    yield* acquire(m, p.lock);
    if (p.state === SLEEPING && p.chan === chan) makeRunnable(m, p);
    yield* release(m, p.lock);
  }
}

// Kill the process with the given pid. The victim won't exit until it tries to return to user
// space (see usertrap() in trap.c), or a sleep loop notices.
export function* kill(m: Machine, pid: number): KGen<number> {
  for (const p of m.procs) {
    yield* acquire(m, p.lock);
    if (p.pid === pid) {
      markKilled(m, p);
      yield* release(m, p.lock);
      return 0;
    }
    yield* release(m, p.lock);
  }
  return -1;
}

// What kill() does to its victim: mark it killed, and wake it from sleep() (at time `at`).
// Caller holds p->lock.
function markKilled(m: Machine, p: Proc, at = m.cpu.cycles): void {
  p.killed = true;
  if (p.state === SLEEPING) makeRunnable(m, p, at);
}

/**
 * dv6: kill() from outside the machine, between two steps (the host's --inject): what kill()
 * does to p, at the machine's time. Returns false, having done nothing, while a CPU holds
 * p->lock: kill() would spin on it, so the kill lands after a later step, once it is free.
 *
 * A victim running in user mode also has its CPU interrupted, as Linux's kill() kicks a running
 * target with an inter-processor interrupt (xv6's would leave it running until its next trap,
 * up to a tick later): it traps at its CPU's next step (under rr; the random policy may let
 * it run a few instructions more) and dies there, before its next instruction, wherever the
 * injection put it. The timer's is this machine's only such interrupt: its handler brings no
 * tick that has not come (devintr counts those the clock passed) and, the victim killed,
 * kills it before it would yield.
 */
export function killFromHost(m: Machine, p: Proc): boolean {
  if (p.lock.locked) return false;
  markKilled(m, p, m.cycles);
  for (const c of m.cpus) {
    if (c.proc === p && c.current === p.context && c.current.userMode) c.timerPending = true;
  }
  return true;
}

/** Kill every process of a process group (^C at the console). */
export function* killpg(m: Machine, pgid: number): KGen {
  for (const p of m.procs) {
    if (p.state === UNUSED) continue;
    yield* acquire(m, p.lock);
    if (p.pgid === pgid && p.state !== ZOMBIE) markKilled(m, p);
    yield* release(m, p.lock);
  }
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

/**
 * p.killed read without p->lock, where xv6 would call killed(p). Safe in the simulator, and
 * used instead of killed() because taking p->lock adds two steps and would move every
 * schedule: a step is atomic (no other CPU or interrupt runs until the next yield), so a plain
 * read with no yield between it and its use cannot race; and for a live process `killed` only
 * goes from false to true (kill, killpg, setkilled), so a stale read is at worst "not yet
 * killed", the same window xv6 leaves between killed(p) and sleep(). Callers use the value in
 * the step they read it in; piperead and SharedMemory.wait also read it once more after a
 * release, and say why that is harmless (docs/LOCKS.md, "p.killed without p.lock").
 */
export function killedNoLock(p: Proc): boolean {
  return p.killed;
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
