// The simulated machine: CPUs, virtual time, the step loop and the kernel's global state
// (what xv6 keeps in C globals lives in fields of the Machine).
//
// A step is one resumption of one CPU's current context up to its next yield; the step's
// event goes to the journal. Time is kept as a conservative discrete-event simulation:
// - Each CPU has its own clock: a step costs the CPU that takes it one cycle, and each CPU's
//   timer interrupts it every TICK_CYCLES cycles of its own clock. N busy CPUs do N times
//   the work of one in the same time.
// - The machine's time (`cycles`) is the earliest clock of a CPU that is not idle. Timed
//   events (the UART finishing a byte, an idle CPU's timer) happen in time order: none is
//   taken after a CPU has stepped past it, and when every CPU is idle the time jumps to the
//   next one. An idle CPU's clock stands still; woken, it catches up to the time of its waker.
// - A process made RUNNABLE at time t by one CPU runs on no CPU before t (a lagging CPU that
//   picks it catches up). A CPU spinning on a lock spends its own cycles.
// - The policy picks which CPU steps: `rr` the earliest (round-robin among equals); `random`
//   any within SKEW cycles of the earliest, and it sometimes steals time from a CPU (a
//   hypervisor descheduling a vCPU), which lets the others run ahead of it.
// The `ticks` of the clock are CPU 0's: its timer interrupt counts the ticks its clock passed.
//
// A machine on the host's clock (the REPL) takes its ticks from the host instead: one every
// 1/hz real seconds, journaled at the moment it came; it interrupts every CPU, and CPU 0's
// timer interrupt counts the ticks that came. Each CPU's cycle timer still interrupts it, to
// preempt and to wake an idle CPU. So computation runs at the host's speed while `sleep 10`
// still takes a real second, and a replay is exact.
//
// The host's input and ticks land between steps at a `moves` count (steps plus the clock's
// jumps to a timed event), which the journal records: a replay delivers them at the same one.

import type { Image } from "./uapi/abi.ts";
import { Console } from "./console.ts";
import { EV, type Event, type KGen } from "./event.ts";
import { type Device, FileTable } from "./file.ts";
import { FileSystem, type FsImage } from "./fs.ts";
import { NCPU, NPROC, TICK_CYCLES } from "./param.ts";
import { CONSOLE } from "./uapi/param.ts";
import { makePolicy, type Policy } from "./policy.ts";
import { KernelPanic } from "./printf.ts";
import { Rand } from "./rand.ts";
import {
  type Chan,
  killFromHost,
  Proc,
  procdump,
  RUNNABLE,
  scheduler,
  SLEEPING,
  UNUSED,
  userinit,
  ZOMBIE,
} from "./proc.ts";
import { LockTable } from "./flock.ts";
import { PollTable } from "./poll.ts";
import { SemTable } from "./sem.ts";
import { SharedMemory } from "./shm.ts";
import { Spinlock } from "./spinlock.ts";
import { Uart } from "./uart.ts";
import { devintr } from "./trap.ts";

/** A CPU's execution context: a stack of kernel generators (a trap handler sits on top of the
 * code it interrupted), owned by a process or by the CPU's scheduler. */
// What the host side (shell/) may know of the kernel beyond the Machine: the process states
// it shows, the boot image's type.
export {
  type Proc,
  RUNNABLE,
  RUNNING,
  SLEEPING,
  STATE_NAMES,
  UNUSED,
  USED,
  ZOMBIE,
} from "./proc.ts";
export type { FsImage } from "./fs.ts";
export type { Event } from "./event.ts";
export { EV } from "./event.ts";
/** What a debugger sees of a stopped machine. */
export * as inspect from "./inspect.ts";

export class Context {
  readonly stack: KGen[] = [];
  /** True while the owning process is in user mode (between two kernel entries). */
  userMode = false;
  constructor(readonly proc: Proc | null, main: KGen) {
    this.stack.push(main);
  }
}

export const INTR_NONE = 0, INTR_TIMER = 1, INTR_DEVICE = 2;

export class Cpu {
  /** This CPU's clock: the cycles of the steps it took, plus the time it caught up on. */
  cycles = 0;
  /** When its timer next interrupts it, on its own clock. */
  nextTickAt = TICK_CYCLES;
  /** The ticks of its clock that its timer interrupts have counted. */
  private clockTicks = 0;
  proc: Proc | null = null; // the process running on this cpu, or null
  noff = 0; // depth of push_off() nesting
  intena = false; // were interrupts enabled before push_off()?
  intrOn = false; // the interrupt-enable bit (sstatus.SIE)
  timerPending = false;
  wfi = false; // idle, waiting for an interrupt
  /** The spinlocks it holds, in the order taken (for a debugger: xv6 keeps only noff). */
  readonly held: Spinlock[] = [];
  /** What its last step did (an ACQUIRE: it is spinning on that lock, or about to take it). */
  lastEvent: Event | null = null;
  /** Ticks of the host's clock that came since this CPU's last timer interrupt. */
  private hostTicks = 0;
  readonly schedCtx: Context;
  current: Context;

  constructor(readonly id: number, m: Machine) {
    this.schedCtx = new Context(null, scheduler(m, this));
    this.current = this.schedCtx;
  }

  /** A tick of the host's clock came at time t: the timer interrupts this CPU. */
  hostTick(t: number): void {
    this.hostTicks++;
    this.timerPending = true;
    this.wake(t);
  }

  /** The timer interrupt takes the host's ticks that came (on the host's clock). */
  takeHostTicks(): number {
    const n = this.hostTicks;
    this.hostTicks = 0;
    return n;
  }

  /** The timer interrupt takes the ticks this CPU's clock passed since the last one took
   * them (several, after the CPU caught up on time or had interrupts off). */
  takeClockTicks(): number {
    const now = Math.floor(this.cycles / TICK_CYCLES);
    const n = now - this.clockTicks;
    this.clockTicks = now;
    return n;
  }

  // The timer's interrupt is due: pending, and the next one a tick later on this clock.
  timer(): void {
    this.timerPending = true;
    this.wfi = false;
    this.nextTickAt = this.cycles - (this.cycles % TICK_CYCLES) + TICK_CYCLES;
  }

  /** An interrupt wakes this CPU at time `t`: an idle CPU's clock catches up to it. */
  wake(t: number): void {
    if (this.cycles < t) this.cycles = t;
    this.wfi = false;
    if (this.cycles >= this.nextTickAt) this.timer();
  }
}

/** Where the journal goes: a writer when recording, a verifier when replaying. */
export interface StepLog {
  /** Called before every step; a replay delivers the recorded input due at this step. */
  beforeStep(m: Machine): void;
  /** `intr`: the interrupt taken at the start of the step (INTR_NONE, INTR_TIMER, INTR_DEVICE). */
  step(cpu: number, pid: number, intr: number, ev: Event): void;
  input(moves: number, cycles: number, bytes: Uint8Array): void;
  /** A tick of the host's clock, delivered before the next step. */
  tick(moves: number, cycles: number): void;
  /** The host killed process `pid` (named `name`) before the next step (--inject). */
  kill(moves: number, cycles: number, pid: number, name: string): void;
  end(end: MachineEnd): void;
}

export type MachineEnd =
  | { kind: "halt"; status: number }
  | { kind: "stop" }
  | { kind: "panic"; message: string; procdump: string }
  | { kind: "deadlock"; report: string };

export interface KernelOptions {
  /** Replace the UART writer's sleep() with the lecture's broken version. */
  brokenSleep?: boolean;
  /** none: a process killed inside a robust semaphore's fast path leaks a token; pcrange: the
   * kernel completes the adjustment at exit. Default pcrange. */
  robustFast?: "none" | "pcrange";
  /** Ticks come from the host's clock (tick()), not from counting cycles. */
  hostClock?: boolean;
}

export interface MachineConfig {
  ncpu?: number;
  nproc?: number;
  sched?: string; // "rr" | "random"
  seed?: number;
  programs: Readonly<Record<string, Image>>;
  /** The boot image's files besides /bin (the host's mkfs makes them). */
  image?: FsImage;
  /** argv of init: ["init"] starts the shell; ["init", PROG, ...] runs PROG and halts. */
  initArgv?: string[];
  /** Makes the per-process user-library object handed to each program at exec, holding
   * the program's environment. */
  makeSys: (env: readonly string[]) => unknown;
  /** Where console output goes (the host's terminal or a transcript); `echo` marks the echo
   * of typed input, which a host that shows the typing itself (the REPL) leaves out. */
  output?: (bytes: Uint8Array, echo: boolean) => void;
  /** Kernel boot options (the journal header keeps them). */
  options?: KernelOptions;
  log?: StepLog;
}

export class Machine {
  readonly cpus: Cpu[] = [];
  readonly policy: Policy;
  readonly programs: Readonly<Record<string, Image>>;
  readonly makeSys: (env: readonly string[]) => unknown;
  readonly output: (bytes: Uint8Array, echo: boolean) => void;
  log: StepLog | null;

  /** The cpu being stepped (xv6's mycpu()). */
  cpu!: Cpu;
  /** The machine's time: the earliest clock of a busy CPU (see the top of this file). */
  cycles = 0;
  steps = 0;
  /** Steps plus the clock's jumps to timed events: where the host's input lands. */
  moves = 0;
  /** Time is the host's ticks (see the top of this file). */
  readonly hostClock: boolean;
  end: MachineEnd | null = null;
  private stepLimit = Infinity; // where the current run() stops (see pause)
  /** Why the last run() stopped short of an end. */
  stall: "input" | "time" | "steps" | null = null;
  /** The host has typing ready for the console (a script's next line, a line typed ahead at
   * the REPL): while a process waits for console input, the clock must not jump, or the line
   * would arrive after idle time no typist would have let pass. */
  hostTyping = false;
  /** Bytes of console input that arrived at the UART (see consoleReaderWaits). */
  private inputBytes = 0;
  irqPending = false; // a device interrupt waits for a hart to claim it
  irqClaimed = false; // a hart handles the device interrupt and has not completed it

  // proc.c
  readonly procs: Proc[] = [];
  initproc!: Proc;
  nextpid = 1;
  readonly pidLock = new Spinlock("pid_lock");
  // helps ensure that wakeups of wait()ing parents are not lost; helps obey the memory model
  // when using p->parent. Must be acquired before any p->lock.
  readonly waitLock = new Spinlock("wait_lock");

  // trap.c
  readonly tickslock = new Spinlock("time");
  ticks = 0;
  readonly ticksChan: Chan = { what: "ticks" };
  /** Sleeps with a deadline, which clockintr ends (see timedSleep). */
  timeouts: { chan: Chan; lk: Spinlock; at: number }[] = [];

  readonly ftable = new FileTable();
  readonly sem = new SemTable(this);
  readonly shmem = new SharedMemory(this);
  readonly locks = new LockTable();
  /** The kernel's defence for the robust semaphores' fast path (boot option --robust-fast). */
  readonly robustFast: "none" | "pcrange";
  /** getrandom()'s generator: from the seed, apart from the scheduler's stream. */
  readonly random: Rand;
  readonly fs: FileSystem;
  readonly uart: Uart;
  readonly cons: Console;
  /** Device drivers by major number (xv6's devsw). */
  readonly devsw: Device[] = [];
  readonly polls = new PollTable();
  pipesMade = 0; // names pipes' locks in the journal

  constructor(cfg: MachineConfig) {
    this.policy = makePolicy(cfg.sched ?? "rr", cfg.seed ?? 0);
    this.random = new Rand((cfg.seed ?? 0) ^ 0x6a09e667);
    this.programs = cfg.programs;
    this.makeSys = cfg.makeSys;
    this.output = cfg.output ?? (() => {});
    this.log = cfg.log ?? null;
    this.fs = new FileSystem(Object.keys(cfg.programs), cfg.image ?? {});
    this.uart = new Uart(this, cfg.options?.brokenSleep ?? false);
    this.robustFast = cfg.options?.robustFast ?? "pcrange";
    this.hostClock = cfg.options?.hostClock ?? false;
    this.cons = new Console(this);
    this.devsw[CONSOLE] = this.cons;
    const nproc = cfg.nproc ?? NPROC;
    for (let i = 0; i < nproc; i++) this.procs.push(new Proc(i));
    const ncpu = cfg.ncpu ?? NCPU;
    for (let i = 0; i < ncpu; i++) this.cpus.push(new Cpu(i, this));
    this.cpu = this.cpus[0];
    userinit(this, cfg.initArgv ?? ["init"]);
  }

  /** xv6's myproc(). */
  myproc(): Proc {
    return this.cpu.proc!;
  }

  /**
   * Runs until the machine ends (halt, panic), or stops short: nothing can run without input
   * from the host (`stall` "input": every CPU idle, nothing waits for the clock or a device;
   * or `hostTyping` and a process reads the console), nothing can run before the host's clock
   * ticks (`stall` "time"), or `maxSteps` steps were taken (`stall` "steps"). Returns the end,
   * or null when it stopped short.
   */
  run(maxSteps = Infinity): MachineEnd | null {
    this.stepLimit = this.steps + maxSteps;
    this.stall = null;
    while (this.end === null) {
      if (this.steps >= this.stepLimit) this.stall = "steps";
      else if (this.step()) continue;
      return null;
    }
    return this.end;
  }

  /** Ends the current run() after the step being taken (a debugger's breakpoint). */
  pause(): void {
    this.stepLimit = this.steps;
  }

  /** One step, or the clock's jump to the next timed event. Returns false if nothing can
   * run until the host delivers input or a tick. */
  step(): boolean {
    this.log?.beforeStep(this);
    if (this.end !== null) return true;
    // The machine's time, and the earliest timed event: the UART, or an idle CPU's timer.
    const cpus = this.cpus;
    let now = Infinity, eventAt = this.uart.txDoneAt;
    for (let j = 0; j < cpus.length; j++) {
      const c = cpus[j];
      if (!c.wfi) {
        if (c.cycles < now) now = c.cycles;
      } else if (c.nextTickAt < eventAt) eventAt = c.nextTickAt;
    }
    if (now === Infinity) return this.idle();
    if (eventAt <= now) {
      this.advance(eventAt);
      return true;
    }
    this.cycles = now;
    const i = this.policy.pick(cpus, now);
    if (i < 0) return true; // the policy stole time from the CPU it had: pick again
    const c = cpus[i];
    this.cpu = c;
    const ctx = c.current;
    const pid = ctx.proc === null ? 0 : ctx.proc.pid;
    let intr = INTR_NONE;
    const device = this.irqPending && !this.irqClaimed;
    if (c.intrOn && (device || c.timerPending) && this.policy.takeInterrupt(c)) {
      // A device interrupt goes first: the PLIC hands it to the hart that claims it, and to
      // no other until that hart completes it (so no two CPUs are in uartintr at once).
      if (device) {
        this.irqPending = false;
        this.irqClaimed = true;
        intr = INTR_DEVICE;
      } else {
        c.timerPending = false;
        intr = INTR_TIMER;
      }
      // A trap turns interrupts off (sstatus.SIE) until the handler returns (devintr).
      c.intrOn = false;
      ctx.stack.push(devintr(this, ctx.userMode, intr === INTR_DEVICE));
    }
    let ev: Event;
    try {
      ev = resume(ctx);
    } catch (e) {
      this.crash(e);
      return true;
    }
    if (ev.k === EV.SWTCH) {
      if (ev.to === null) c.current = c.schedCtx;
      else {
        c.current = ev.to.context!;
        // A process never runs before the time it became runnable (its waker's clock).
        if (c.cycles < ev.to.readyAt) c.cycles = ev.to.readyAt;
      }
    } else if (ev.k === EV.WFI) {
      // wfi returns at once if an interrupt is pending for this CPU.
      c.wfi = !c.timerPending && !(this.irqPending && !this.irqClaimed);
    }
    c.lastEvent = ev;
    this.steps++;
    this.moves++;
    try {
      this.log?.step(i, pid, intr, ev);
    } catch (e) {
      // A record the journal cannot encode (it asserts that every packed field fits) is a
      // kernel panic, even in a step that halted: the journal never holds a wrong record.
      // (A replay's Divergence goes on to its host.)
      if (!(e instanceof KernelPanic)) throw e;
      this.end = null;
      this.crash(e);
      return true;
    }
    if (this.end !== null) this.log?.end(this.end); // halted during this step
    if (++c.cycles >= c.nextTickAt) c.timer();
    return true;
  }

  /** Host input for the console (a typed byte, a script line): it arrives in the device's
   * receive buffer and raises a device interrupt. Journaled, so a replay delivers it at the
   * same move. */
  input(bytes: Uint8Array): void {
    this.log?.input(this.moves, this.cycles, bytes);
    this.deliverInput(bytes);
  }

  /** A tick of the host's clock (a machine on it: the REPL). Journaled, so a replay delivers
   * it at the same move. */
  tick(): void {
    if (!this.hostClock) throw new Error("tick(): this machine counts its own ticks");
    this.log?.tick(this.moves, this.cycles);
    this.deliverTick();
  }

  /** The host kills process `pid` now, between two steps, as kill() would (--inject: a fault
   * put at an exact step). Journaled, so a replay kills it at the same move. Returns false,
   * with nothing done or journaled, if no live process has that pid, or if the kill cannot
   * land yet (its p->lock is held: see killFromHost); the host may try again after a step. */
  injectKill(pid: number): boolean {
    const name = this.deliverKill(pid);
    if (name !== null) this.log?.kill(this.moves, this.cycles, pid, name);
    return name !== null;
  }

  /** A kill the host injected arrives (from the journal, in a replay): the name of the
   * process killed, or null if it could not land (the replay diverged). */
  deliverKill(pid: number): string | null {
    const p = this.liveProc(pid);
    return p !== null && killFromHost(this, p) ? p.name : null;
  }

  /** The process with this pid, if it has not exited. */
  liveProc(pid: number): Proc | null {
    for (const p of this.procs) {
      if (p.pid === pid && p.state !== UNUSED && p.state !== ZOMBIE) return p;
    }
    return null;
  }

  /** The host's tick arrives (from the host, or from the journal in a replay). */
  deliverTick(): void {
    for (const c of this.cpus) c.hostTick(this.cycles);
  }

  /** Input arrives at the device (from the host, or from the journal in a replay). */
  deliverInput(bytes: Uint8Array): void {
    this.inputBytes += bytes.length;
    this.deviceInterrupt(this.cycles, () => this.uart.receive(bytes));
  }

  // The UART changes state at time t (a byte received, a byte sent) and raises its
  // interrupt, which wakes the idle CPUs.
  private deviceInterrupt(t: number, change: () => void): void {
    change();
    this.irqPending = true;
    for (const c of this.cpus) if (c.wfi) c.wake(t);
  }

  /** The hart that claimed the device interrupt is done with it (xv6's plic_complete): one
   * that came meanwhile can go to a hart now, at this hart's time. */
  completeIrq(): void {
    this.irqClaimed = false;
    if (this.irqPending) { for (const c of this.cpus) if (c.wfi) c.wake(this.cpu.cycles); }
  }

  /** Stops the machine at the end of this step (the halt system call). */
  halt(status: number): void {
    if (this.end === null) this.end = { kind: "halt", status };
  }

  // Stops the machine between steps.
  private finish(end: MachineEnd): void {
    if (this.end !== null) return;
    this.end = end;
    this.log?.end(end);
  }

  // The clock reaches the timed events due at time t (never earlier than now): the UART
  // finishes a byte; idle CPUs whose timer is due wake.
  private advance(t: number): void {
    if (t > this.cycles) this.cycles = t;
    this.moves++;
    if (this.uart.txDoneAt <= t) {
      this.deviceInterrupt(this.cycles, () => this.uart.transmitted());
    }
    for (const c of this.cpus) if (c.wfi && c.nextTickAt <= t) c.wake(this.cycles);
  }

  // No CPU is busy: the clock jumps to the next timed event (the UART finishing a byte, a
  // timer if anything waits for a tick or a runnable process for an idle CPU to find). With
  // no such event the machine needs input from the host, or (on the host's clock) its tick.
  private idle(): boolean {
    // A typist types once the prompt is out (the UART sends nothing) and the machine rests.
    if (this.hostTyping && !this.consoleSending() && this.consoleReaderWaits()) {
      this.stall = "input";
      return false;
    }
    const needsTick = this.timeouts.length > 0 ||
      this.procs.some((p) => p.state === SLEEPING && p.chan === this.ticksChan);
    const runnable = this.procs.some((p) => p.state === RUNNABLE);
    const timerDue = runnable || (!this.hostClock && needsTick);
    const t = Math.min(
      this.uart.txDoneAt,
      timerDue ? Math.min(...this.cpus.map((c) => c.nextTickAt)) : Infinity,
    );
    if (t === Infinity) {
      this.stall = needsTick ? "time" : "input";
      return false;
    }
    this.advance(t);
    return true;
  }

  /** Is the UART still sending output (a typist waits until what was written is out)? */
  consoleSending(): boolean {
    return this.uart.txDoneAt !== Infinity;
  }

  /** Does a process wait for console input: asleep in consoleread, with every byte that
   * arrived already dealt with by the console (else it is about to be woken)? */
  consoleReaderWaits(): boolean {
    return this.cons.handledBytes === this.inputBytes &&
      this.procs.some((p) => p.state === SLEEPING && p.chan === this.cons.readChan);
  }

  /** The host stops the machine (the REPL's :quit, or its input ended). */
  stop(): MachineEnd {
    this.finish({ kind: "stop" });
    return this.end!;
  }

  /** Stops a machine that can never run again (called by the host when no input will come). */
  deadlock(): MachineEnd {
    this.finish({ kind: "deadlock", report: deadlockReport(this) });
    return this.end!;
  }

  private crash(e: unknown): void {
    const message = e instanceof KernelPanic
      ? e.message
      : `kernel bug: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
    this.cons.kprint(`panic: ${message}\n`);
    this.finish({ kind: "panic", message, procdump: procdump(this) });
  }
}

function resume(ctx: Context): Event {
  const stack = ctx.stack;
  for (;;) {
    const r = stack[stack.length - 1].next();
    if (!r.done) return r.value;
    // A trap handler finished: the code it interrupted continues in the same step.
    stack.pop();
    if (stack.length === 0) throw new KernelPanic("context returned");
  }
}

/** Who waits for what, when nothing can run any more. */
export function deadlockReport(m: Machine): string {
  const lines = ["deadlock: no process can run, and nothing will wake one"];
  for (const p of m.procs) {
    if (p.state === SLEEPING) {
      const more = p.chan!.explain?.(m.procs) ?? "";
      lines.push(`  pid ${p.pid} (${p.name}) waits for ${p.chan!.what}${more}`);
    } else if (p.state === ZOMBIE) lines.push(`  pid ${p.pid} (${p.name}) is a zombie`);
  }
  return lines.join("\n") + "\n";
}
