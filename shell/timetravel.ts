// Time travel over a journal: the machine at any step, re-executed and verified, and the
// searches a debugger makes over the steps (dv6 debug and, later, the page's scrubber).
//
// How it moves. A machine cannot be copied (its programs and kernel paths are generators), so
// every machine state is reached by re-running the journal forward, verifying each step, from
// a fresh boot or from a machine already further along. The Timeline keeps several live
// machines ("cursors") at staggered steps: going to step N takes the cursor furthest along
// that is not past N and runs it forward; going back consumes a cursor behind the current
// one, since a cursor only moves forward. The interactive debugger spends its idle time
// booting cursors at a ladder of steps behind the current one (1, 2, 4, ... steps back), so
// `back` and short reverse jumps find one ready; each cursor is a whole machine, so their
// number is capped (MAX_CURSORS).
//
// What it knows without running: an index of every step's record (kind, cpu, pid, call,
// lock), built in one pass over the journal when it opens, answers the breakpoints on
// records (a system call, a lock, an exit, a kill) in both directions without executing.
// What it learns by running: the console's output and the clock's ticks at each step, kept
// as cursors first pass them.

import {
  frameRecords,
  type JournalReader,
  type JournalRecord,
  JournalVerifier,
} from "../kernel/journal.ts";
import { EV, type Event, type Machine, type MachineEnd, type StepLog } from "../kernel/machine.ts";
import { JournalReader as Reader } from "../kernel/journal.ts";
import { machineFrom } from "./host.ts";

/** Live machines a timeline keeps at most (each is a whole machine: see the README). */
export const MAX_CURSORS = 12;

/** The steps' records, for searches that need no machine. Steps count from 1. */
export class StepIndex {
  /** Steps in the journal. */
  total = 0;
  kind = new Uint8Array(1024);
  cpu = new Uint8Array(1024);
  pid = new Int32Array(1024);
  /** SYSCALL, EXIT, ATOMIC: the call's number; ACQUIRE, RELEASE: the lock's label id. */
  arg = new Int32Array(1024);
  readonly labels: string[] = [];
  private readonly labelIds = new Map<string, number>();
  /** The frames (inflated) and the steps before each. */
  private readonly frames: { stepsBefore: number; bytes: Uint8Array }[] = [];
  /** How the recording ended, or null (cut short: `broken` says why). */
  end: MachineEnd | null = null;
  broken: string | null = null;

  constructor(reader: JournalReader) {
    for (let f = reader.nextFrame(); f !== null; f = reader.nextFrame()) {
      this.frames.push({ stepsBefore: this.total, bytes: f });
      try {
        for (const r of frameRecords(f)) this.add(r);
      } catch (e) {
        this.broken = `bad record in frame: ${(e as Error).message}`;
        break;
      }
    }
    this.broken ??= reader.broken;
  }

  private add(r: JournalRecord): void {
    if (r.type === "end") this.end = r.end;
    if (r.type !== "step") return;
    if (this.total + 1 >= this.kind.length) this.grow();
    const i = ++this.total;
    const ev = r.ev;
    this.kind[i] = ev.k;
    this.cpu[i] = r.cpu;
    this.pid[i] = r.pid;
    if (ev.k === EV.ACQUIRE || ev.k === EV.RELEASE) this.arg[i] = this.labelId(ev.lock);
    else if (ev.k === EV.SYSCALL || ev.k === EV.EXIT || ev.k === EV.ATOMIC) this.arg[i] = ev.n;
  }

  private grow(): void {
    const n = this.kind.length * 2;
    const kind = new Uint8Array(n), cpu = new Uint8Array(n);
    const pid = new Int32Array(n), arg = new Int32Array(n);
    kind.set(this.kind), cpu.set(this.cpu), pid.set(this.pid), arg.set(this.arg);
    this.kind = kind, this.cpu = cpu, this.pid = pid, this.arg = arg;
  }

  labelId(label: string): number {
    let id = this.labelIds.get(label);
    if (id === undefined) {
      this.labelIds.set(label, id = this.labels.length);
      this.labels.push(label);
    }
    return id;
  }

  /** The records of steps from..to (counting from 1), decoded from their frames. */
  steps(from: number, to: number): { step: number; r: Extract<JournalRecord, { type: "step" }> }[] {
    from = Math.max(1, from), to = Math.min(this.total, to);
    const out: { step: number; r: Extract<JournalRecord, { type: "step" }> }[] = [];
    if (from > to) return out;
    let lo = 0, hi = this.frames.length - 1;
    while (lo < hi) { // the last frame whose first step is at or before `from`
      const mid = (lo + hi + 1) >> 1;
      if (this.frames[mid].stepsBefore < from) lo = mid;
      else hi = mid - 1;
    }
    for (let f = lo; f < this.frames.length; f++) {
      let step = this.frames[f].stepsBefore;
      for (const r of frameRecords(this.frames[f].bytes)) {
        if (r.type !== "step") continue;
        if (++step > to) return out;
        if (step >= from) out.push({ step, r });
      }
    }
    return out;
  }
}

/** A test of one step, made after it: true where a run stops. `m` is the machine after it. */
export type StepTest = (m: Machine, step: number, cpu: number, pid: number, ev: Event) => boolean;

/** A test that follows the machine's state: `start` sees the machine where a run starts (a
 * watch notes the value there), `test` each step after. */
export interface LiveTest {
  start(m: Machine): void;
  test: StepTest;
}

/** A live machine re-running the journal, each step verified against its record. */
class Cursor {
  readonly m: Machine;
  private readonly v: JournalVerifier;
  private test: StepTest | null = null;
  /** Why the re-run cannot go on: the journal ended early, or diverged. */
  failed: string | null = null;

  constructor(tl: Timeline) {
    const reader = new Reader(tl.bytes);
    const v = this.v = new JournalVerifier(reader);
    const log: StepLog = {
      beforeStep: (m) => v.beforeStep(m),
      step: (cpu, pid, intr, ev) => {
        v.step(cpu, pid, intr, ev);
        const m = this.m;
        tl.learn(m);
        if (this.test !== null && this.test(m, m.steps, cpu, pid, ev)) m.pause();
      },
      input: () => {},
      tick: () => {},
      kill: () => {},
      end: (e) => v.end(e),
    };
    this.m = machineFrom(reader.header, log, (bytes) => tl.output(this.m, bytes));
  }

  get steps(): number {
    return this.m.steps;
  }

  /** Runs to step `target`, or to the first step `test` stops at. It stops short where the
   * machine ends, or the re-run cannot go on (`failed`). */
  run(target: number, test: StepTest | null = null): void {
    this.test = test;
    try {
      while (this.m.steps < target && this.failed === null && this.m.end === null) {
        if (this.m.run(target - this.m.steps) !== null) return;
        if (this.m.stall === "steps") return; // at the target, or a test stopped it
        // Nothing can run before input: the recording ended here too (or was cut short).
        if (!this.v.stuck(this.m)) this.failed = "the journal ends here";
      }
    } catch (e) {
      this.failed = e instanceof Error ? e.message : String(e);
    } finally {
      this.test = null;
    }
  }
}

export class Timeline {
  readonly index: StepIndex;
  readonly header: JournalReader["header"];
  private readonly cursors: Cursor[] = [];
  private cur: Cursor;
  /** Every step up to here has been run once (by some cursor): its output and ticks are known. */
  private knownSteps = 0;
  /** The console's output: its text, and where each chunk of it ends and at which step. */
  private consoleText = "";
  private readonly consoleAt: { step: number; end: number }[] = [];
  /** firstStepOfTick[t]: the first step after which the clock read t ticks or more. */
  private readonly firstStepOfTick: number[] = [0];

  constructor(readonly bytes: Uint8Array, reader: JournalReader) {
    this.header = reader.header;
    this.index = new StepIndex(reader);
    this.cur = this.boot();
  }

  private boot(): Cursor {
    const c = new Cursor(this);
    this.cursors.push(c);
    return c;
  }

  /** The machine at the current step. */
  get machine(): Machine {
    return this.cur.m;
  }

  /** The current step: the machine has taken this many steps (0: as it booted). */
  get step(): number {
    return this.cur.steps;
  }

  /** Why the machine cannot go on from here, if it cannot. */
  get failed(): string | null {
    return this.cur.failed;
  }

  get total(): number {
    return this.index.total;
  }

  /** Live machines (for the benchmark and the README's memory figures). */
  get live(): number {
    return this.cursors.length;
  }

  // --- what running teaches ---------------------------------------------------------------

  /** A cursor took a step: note what is new (the clock's ticks), once. */
  learn(m: Machine): void {
    if (m.steps <= this.knownSteps) return;
    this.knownSteps = m.steps;
    while (this.firstStepOfTick.length <= m.ticks) this.firstStepOfTick.push(m.steps);
  }

  /** A cursor's machine wrote to the console: note it once. Output comes during a step (or
   * a timed event just before it): it belongs to the step being taken. */
  output(m: Machine, bytes: Uint8Array): void {
    const step = m.steps + 1;
    if (step <= this.knownSteps) return;
    this.consoleText += decoder.decode(bytes, { stream: true });
    this.consoleAt.push({ step, end: this.consoleText.length });
  }

  /** The console's text as of step `step` (all output up to and during it). */
  console(step = this.step): string {
    return this.consoleText.slice(0, this.consoleEnd(step));
  }

  private consoleEnd(step: number): number {
    let lo = 0, hi = this.consoleAt.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.consoleAt[mid].step <= step) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : this.consoleAt[lo - 1].end;
  }

  /** Among the steps already run: the next step after `from` (dir 1) at which the console
   * comes to contain another `text`, or the last such step before `from` (dir -1). */
  outputHit(text: string, dir: 1 | -1, from: number): number | null {
    if (dir < 0) {
      const i = this.console(from - 1).lastIndexOf(text);
      return i < 0 ? null : this.stepOfOffset(i + text.length);
    }
    const i = this.consoleText.indexOf(text, Math.max(0, this.consoleEnd(from) - text.length + 1));
    return i < 0 ? null : this.stepOfOffset(i + text.length);
  }

  // The step whose output brought the console's text to `end` characters.
  private stepOfOffset(end: number): number {
    let lo = 0, hi = this.consoleAt.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.consoleAt[mid].end >= end) hi = mid;
      else lo = mid + 1;
    }
    return this.consoleAt[lo].step;
  }

  /** The first step at which the clock reads `ticks`, if a machine has run that far. */
  stepOfTick(ticks: number): number | null {
    return ticks < this.firstStepOfTick.length ? this.firstStepOfTick[ticks] : null;
  }

  /** Steps run at least once: what outputHit and stepOfTick know about. */
  get knownUpTo(): number {
    return this.knownSteps;
  }

  // --- moving ------------------------------------------------------------------------------

  /** Goes to step `target` (0: the machine as it booted). Returns why it stopped short. */
  goto(target: number): string | null {
    target = Math.max(0, Math.min(this.total, target));
    if (target !== this.step) {
      this.cur = this.closestBefore(target, true);
      this.cur.run(target);
      this.trim();
    }
    return this.step === target ? null : this.stoppedShort();
  }

  private stoppedShort(): string {
    return `stopped at step ${this.step}: ${this.cur.failed ?? "the machine ended"}`;
  }

  /** Runs forward from here to step `limit`, or to the first step `live` stops at. */
  runUntil(limit: number, live: LiveTest): void {
    live.start(this.cur.m);
    this.cur.run(Math.min(limit, this.total), live.test);
  }

  /** The last step in (from, to] where `live` stops, found by running another machine over
   * those steps (a search backward that needs the machine's state); null if none. */
  lastHit(from: number, to: number, live: LiveTest): number | null {
    const c = this.closestBefore(from, false);
    c.run(from);
    let last: number | null = null;
    if (c.steps === from) {
      live.start(c.m);
      c.run(to, (m, step, cpu, pid, ev) => {
        if (live.test(m, step, cpu, pid, ev)) last = step;
        return false;
      });
    }
    this.trim();
    return last;
  }

  /** The cursor to run to `target`: the live one furthest along but not past it (the
   * current one only if `mayTakeCurrent`), or a fresh boot. */
  private closestBefore(target: number, mayTakeCurrent: boolean): Cursor {
    let best: Cursor | null = null;
    for (const c of this.cursors) {
      if (c.failed !== null || c.steps > target || c.m.end !== null && c.steps < target) continue;
      if (c === this.cur && !mayTakeCurrent) continue;
      if (best === null || c.steps > best.steps) best = c;
    }
    return best ?? this.boot();
  }

  // Keep at most MAX_CURSORS: drop the failed ones, then the ones closest to the cursor
  // behind them, so that those left stay spread out.
  private trim(): void {
    for (let i = this.cursors.length - 1; i >= 0; i--) {
      if (this.cursors[i] !== this.cur && this.cursors[i].failed !== null) {
        this.cursors.splice(i, 1);
      }
    }
    while (this.cursors.length > MAX_CURSORS) {
      const others = this.cursors.filter((c) => c !== this.cur).sort((a, b) => a.steps - b.steps);
      let drop = others[others.length - 1], gap = Infinity;
      for (let i = 1; i < others.length; i++) {
        const g = others[i].steps - others[i - 1].steps;
        if (g < gap) gap = g, drop = others[i];
      }
      this.cursors.splice(this.cursors.indexOf(drop), 1);
    }
  }

  /** Idle work (the interactive debugger between commands): a cursor at each rung of a ladder
   * behind the current step (1, 2, 4, 8, ... steps back), so that going back finds one ready.
   * Runs one cursor up to `budgetSteps` steps toward the nearest empty rung; false when
   * every rung it can fill is filled. */
  prepare(budgetSteps: number): boolean {
    const here = this.step;
    const others = () => this.cursors.filter((c) => c !== this.cur && c.failed === null);
    for (let back = 1, rungs = 0; back <= here && rungs < MAX_CURSORS - 1; back *= 2, rungs++) {
      const slot = here - back, below = here - 2 * back;
      if (others().some((c) => c.steps <= slot && c.steps > below)) continue;
      // A cursor below the rung that serves no rung of its own, or a fresh one.
      const spare = others().filter((c) => c.steps <= below && !this.servesRung(c, here))
        .sort((a, b) => b.steps - a.steps)[0];
      const c = spare ?? (this.cursors.length < MAX_CURSORS ? this.boot() : null);
      if (c === null) return false;
      c.run(Math.min(slot, c.steps + budgetSteps));
      return true;
    }
    return false;
  }

  // Is `c` the cursor that serves a rung of the ladder behind `here`?
  private servesRung(c: Cursor, here: number): boolean {
    for (let back = 1; back <= here; back *= 2) {
      const slot = here - back, below = here - 2 * back;
      if (c.steps <= slot && c.steps > below) {
        return !this.cursors.some((o) =>
          o !== c && o !== this.cur && o.failed === null && o.steps <= slot && o.steps > c.steps
        );
      }
    }
    return false;
  }
}

const decoder = new TextDecoder();

/** A test of a step's record, answered from the index without a machine. */
export type RecordTest = (i: StepIndex, step: number) => boolean;

/** The nearest step after `from` (dir 1) or before it (dir -1) whose record passes `test`. */
export function searchIndex(
  i: StepIndex,
  from: number,
  dir: 1 | -1,
  test: RecordTest,
): number | null {
  for (let s = from + dir; s >= 1 && s <= i.total; s += dir) if (test(i, s)) return s;
  return null;
}
