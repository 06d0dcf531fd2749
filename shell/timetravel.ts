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
// `back` and short reverse jumps find one ready, and on a grid over the whole journal, so a
// far goto does too; each cursor is a whole machine, so their number is capped (MAX_CURSORS).
// A cursor verifies only the steps no cursor has verified before: over the others it only
// delivers the host's records, twice as fast.
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
  RecordDecoder,
} from "../kernel/journal.ts";
import { EV, type Event, type Machine, type MachineEnd, type StepLog } from "../kernel/machine.ts";
import { machineFrom } from "./boot.ts";
import { nameChange } from "./log.ts";

/** Live machines a timeline keeps at most (each is a whole machine: see the README). */
const MAX_CURSORS = 24;
/** The rungs of the ladder behind the current step that idle time fills (1 to 128 back). */
const LADDER_RUNGS = 8;
/** The grid over the whole journal that idle time fills: a cursor every total/GRID_SLOTS. */
const GRID_SLOTS = 8;

/** A place in the journal: a frame, and a byte offset in it. */
interface Place {
  frame: number;
  off: number;
}

/** A record the host delivered (input, a tick, a kill), where it lies, and the move it lands
 * at. */
interface HostRecord {
  r: Extract<JournalRecord, { type: "input" | "tick" | "kill" }>;
  end: Place;
}

/** The steps' records, for searches that need no machine, and where each lies in the journal
 * (for a re-run that starts verifying mid-journal). Steps count from 1. */
export class StepIndex {
  /** Steps in the journal. */
  total = 0;
  kind = new Uint8Array(1024);
  cpu = new Uint8Array(1024);
  pid = new Int32Array(1024);
  /** SYSCALL, EXIT, ATOMIC: the call's number; ACQUIRE, RELEASE: the lock's label id. */
  arg = new Int32Array(1024);
  /** Where the step's record ends in its frame. */
  endOff = new Uint32Array(1024);
  readonly labels: string[] = [];
  private readonly labelIds = new Map<string, number>();
  /** The frames (inflated) and the steps before each. */
  readonly frames: { stepsBefore: number; bytes: Uint8Array }[] = [];
  /** The host's records, in order. */
  readonly host: HostRecord[] = [];
  /** The steps after which an injected kill (--inject) had marked its victim. */
  readonly injectedKills = new Set<number>();
  /** Each process's names, as ps would see them, and the steps they were given at. */
  private readonly names = new Map<number, { step: number; name: string }[]>([
    [1, [{ step: 0, name: "init" }]],
  ]);
  /** How the recording ended, or null (cut short: `broken` says why). */
  end: MachineEnd | null = null;
  broken: string | null = null;

  constructor(reader: JournalReader) {
    for (let f = reader.nextFrame(); f !== null; f = reader.nextFrame()) {
      this.frames.push({ stepsBefore: this.total, bytes: f });
      const d = new RecordDecoder(f);
      try {
        while (!d.done) this.add(d.record(), d.pos);
      } catch (e) {
        this.broken = `bad record in frame: ${(e as Error).message}`;
        break;
      }
    }
    this.broken ??= reader.broken;
  }

  private add(r: JournalRecord, endOff: number): void {
    if (r.type === "end") this.end = r.end;
    if (r.type === "input" || r.type === "tick" || r.type === "kill") {
      this.host.push({ r, end: { frame: this.frames.length - 1, off: endOff } });
    }
    // An injected kill lands before the next step: the first machine it marked is that step's.
    if (r.type === "kill") this.injectedKills.add(this.total + 1);
    if (r.type !== "step") return;
    if (this.total + 1 >= this.kind.length) this.grow();
    const i = ++this.total;
    const ev = r.ev;
    this.kind[i] = ev.k;
    this.cpu[i] = r.cpu;
    this.pid[i] = r.pid;
    this.endOff[i] = endOff;
    const change = nameChange(r, this.nameAt(r.pid, i));
    if (change !== null) {
      const [pid, name] = change;
      this.names.set(pid, [...this.names.get(pid) ?? [], { step: i, name }]);
    }
    if (ev.k === EV.ACQUIRE || ev.k === EV.RELEASE) this.arg[i] = this.labelId(ev.lock);
    else if (ev.k === EV.SYSCALL || ev.k === EV.EXIT || ev.k === EV.ATOMIC) this.arg[i] = ev.n;
  }

  private grow(): void {
    const n = this.kind.length * 2;
    const kind = new Uint8Array(n), cpu = new Uint8Array(n);
    const pid = new Int32Array(n), arg = new Int32Array(n), endOff = new Uint32Array(n);
    kind.set(this.kind), cpu.set(this.cpu), pid.set(this.pid), arg.set(this.arg);
    endOff.set(this.endOff);
    this.kind = kind, this.cpu = cpu, this.pid = pid, this.arg = arg, this.endOff = endOff;
  }

  /** The name of process `pid` as of step `step` ("scheduler" for pid 0). */
  nameAt(pid: number, step: number): string {
    if (pid === 0) return "scheduler";
    const names = this.names.get(pid) ?? [];
    for (let i = names.length - 1; i >= 0; i--) if (names[i].step <= step) return names[i].name;
    return "?";
  }

  labelId(label: string): number {
    let id = this.labelIds.get(label);
    if (id === undefined) {
      this.labelIds.set(label, id = this.labels.length);
      this.labels.push(label);
    }
    return id;
  }

  /** The frame holding step `step`'s record. */
  frameOf(step: number): number {
    let lo = 0, hi = this.frames.length - 1;
    while (lo < hi) { // the last frame whose first step is at or before `step`
      const mid = (lo + hi + 1) >> 1;
      if (this.frames[mid].stepsBefore < step) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Where the records after step `step` start (0: the journal's start). */
  after(step: number): Place {
    return step === 0
      ? { frame: 0, off: 0 }
      : { frame: this.frameOf(step), off: this.endOff[step] };
  }

  /** The records of steps from..to (counting from 1), decoded from their frames. */
  steps(from: number, to: number): { step: number; r: Extract<JournalRecord, { type: "step" }> }[] {
    from = Math.max(1, from), to = Math.min(this.total, to);
    const out: { step: number; r: Extract<JournalRecord, { type: "step" }> }[] = [];
    if (from > to) return out;
    for (let f = this.frameOf(from); f < this.frames.length; f++) {
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

/** A live machine re-running the journal. Over steps some re-run has verified already, it
 * only delivers the host's records at their moves (a re-run twice as fast); from the first
 * step not yet verified on, it verifies each step against its record. */
class Cursor {
  readonly m: Machine;
  /** Set once it verifies (it has passed the steps verified before). */
  private v: JournalVerifier | null = null;
  /** The host's records delivered so far, while it does not verify. */
  private delivered = 0;
  private test: StepTest | null = null;
  /** Why the re-run cannot go on: the journal ended early, or diverged. */
  failed: string | null = null;

  constructor(private readonly tl: Timeline) {
    const log: StepLog = {
      beforeStep: (m) => {
        if (this.v === null && m.steps >= tl.knownUpTo) this.startVerifying();
        if (this.v !== null) this.v.beforeStep(m);
        else this.deliver(m);
      },
      step: (cpu, pid, intr, ev) => {
        this.v?.step(cpu, pid, intr, ev);
        const m = this.m;
        tl.learn(m);
        if (this.test !== null && this.test(m, m.steps, cpu, pid, ev)) m.pause();
      },
      input: () => {},
      tick: () => {},
      kill: () => {},
      end: (e) => this.v?.end(e),
    };
    this.m = machineFrom(tl.header, log, (bytes) => tl.output(this.m, bytes));
  }

  // The host's records due at this move, as the journal has them (steps already verified).
  private deliver(m: Machine): void {
    const host = this.tl.index.host;
    for (; this.delivered < host.length; this.delivered++) {
      const { r } = host[this.delivered];
      if (r.moves !== m.moves) break;
      if (r.type === "input") m.deliverInput(r.bytes);
      else if (r.type === "tick") m.deliverTick();
      else m.deliverKill(r.pid);
    }
  }

  // From here on, verify: a verifier placed after this step's record, or after the last
  // host record delivered, whichever comes later.
  private startVerifying(): void {
    const index = this.tl.index;
    let at = index.after(this.m.steps);
    const last = index.host[this.delivered - 1]?.end;
    if (
      last !== undefined && (last.frame > at.frame || last.frame === at.frame && last.off > at.off)
    ) {
      at = last;
    }
    let next = at.frame + 1;
    const v = new JournalVerifier({
      nextFrame: () => next < index.frames.length ? index.frames[next++].bytes : null,
      broken: index.broken,
    });
    if (index.frames.length > 0) v.seek(index.frames[at.frame].bytes, at.off, this.m.steps);
    this.v = v;
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
        if (!this.stuck()) this.failed = "the journal ends here";
      }
    } catch (e) {
      this.failed = e instanceof Error ? e.message : String(e);
    } finally {
      this.test = null;
    }
  }

  // The re-run waits for input: end it as the recording ended, if it ended here.
  private stuck(): boolean {
    if (this.v !== null) return this.v.stuck(this.m);
    const end = this.tl.index.end;
    if (end === null || this.m.steps !== this.tl.total) return false;
    if (end.kind === "stop") this.m.stop();
    else this.m.deadlock();
    return true;
  }
}

export class Timeline {
  readonly index: StepIndex;
  readonly header: JournalReader["header"];
  private readonly cursors: Cursor[] = [];
  private cur: Cursor;
  /** Every step up to here has been run once, and verified (by some cursor): its output and
   * ticks are known. */
  private knownSteps = 0;
  /** The console's output: its text, and where each chunk of it ends and at which step. */
  private consoleText = "";
  private readonly consoleAt: { step: number; end: number }[] = [];
  /** firstStepOfTick[t]: the first step after which the clock read t ticks or more. */
  private readonly firstStepOfTick: number[] = [0];

  constructor(reader: JournalReader) {
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

  get total(): number {
    return this.index.total;
  }

  /** Live machines (for the benchmark and the README's memory figures). */
  get live(): number {
    return this.cursors.length;
  }

  // --- what running teaches ---------------------------------------------------------------

  /** Steps re-run by all cursors so far (what moving has cost). */
  stepsRun = 0;

  /** A cursor took a step: note what is new (the clock's ticks), once. */
  learn(m: Machine): void {
    this.stepsRun++;
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
    const last = this.consoleAt[this.consoleAt.length - 1];
    if (last?.step === step) last.end = this.consoleText.length; // one entry a step
    else this.consoleAt.push({ step, end: this.consoleText.length });
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
  async goto(target: number, pause = goOn): Promise<string | null> {
    target = Math.max(0, Math.min(this.total, target));
    if (target !== this.step) {
      this.cur = this.closestBefore(target, true);
      try {
        await run(this.cur, target, null, pause);
      } finally {
        this.trim();
      }
    }
    return this.step === target ? null : this.stoppedShort();
  }

  private stoppedShort(): string {
    return `cannot go on: ${this.cur.failed ?? "the machine ended"}`;
  }

  /** Runs forward from here to step `limit`, or to the first step `live` stops at. */
  async runUntil(limit: number, live: LiveTest, pause = goOn): Promise<void> {
    live.start(this.cur.m);
    await run(this.cur, Math.min(limit, this.total), live.test, pause);
  }

  /** The last step in (from, to] where `live` stops, found by running another machine over
   * those steps (a search backward that needs the machine's state); null if none. */
  async lastHit(from: number, to: number, live: LiveTest, pause = goOn): Promise<number | null> {
    const c = this.closestBefore(from, false);
    let last: number | null = null;
    try {
      await run(c, from, null, pause);
      if (c.steps === from) {
        live.start(c.m);
        await run(c, to, (m, step, cpu, pid, ev) => {
          if (live.test(m, step, cpu, pid, ev)) last = step;
          return false;
        }, pause);
      }
    } finally {
      this.trim();
    }
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

  /** The places idle time readies cursors at, nearest first: a ladder of rungs behind the
   * current step (1, 2, 4, ... LADDER_RUNGS steps back: `back` and short reverse jumps), then
   * a grid over the whole journal (GRID_SLOTS: a far goto). A slot is served by a cursor in
   * (slot - width, slot]. */
  private slots(): { at: number; width: number }[] {
    const here = this.step, slots: { at: number; width: number }[] = [];
    for (let back = 1, i = 0; back <= here && i < LADDER_RUNGS; back *= 2, i++) {
      slots.push({ at: here - back, width: back });
    }
    const width = Math.ceil(this.total / GRID_SLOTS);
    const grid = Array.from({ length: GRID_SLOTS - 1 }, (_, i) => (i + 1) * width)
      .filter((at) => at < this.total && Math.abs(at - here) > width)
      .sort((a, b) => Math.abs(a - here) - Math.abs(b - here));
    return [...slots, ...grid.map((at) => ({ at, width }))];
  }

  /** Idle work (the interactive debugger between commands): runs one cursor up to
   * `budgetSteps` steps toward the nearest slot no cursor serves (see slots); false when
   * every slot it can fill is served. Cursors serve slots nearest first; one that serves
   * none, or a fresh one, or the one serving the farthest slot, goes to the first unserved. */
  prepare(budgetSteps: number): boolean {
    const slots = this.slots();
    const free = this.cursors.filter((c) => c !== this.cur && c.failed === null)
      .sort((a, b) => b.steps - a.steps);
    const serves: (Cursor | null)[] = slots.map((s) => {
      const i = free.findIndex((c) => c.steps <= s.at && c.steps > s.at - s.width);
      return i < 0 ? null : free.splice(i, 1)[0];
    });
    for (let i = 0; i < slots.length; i++) {
      if (serves[i] !== null) continue;
      const at = slots[i].at;
      let c: Cursor | null = free.find((c) => c.steps <= at) ?? null;
      if (c === null && this.cursors.length >= MAX_CURSORS && free.length > 0) {
        // A cursor that serves no slot and cannot reach this one makes room for a fresh one.
        this.cursors.splice(this.cursors.indexOf(free.shift()!), 1);
      }
      if (c === null && this.cursors.length < MAX_CURSORS) c = this.boot();
      for (let j = slots.length - 1; c === null && j > i; j--) {
        if (serves[j] !== null && serves[j]!.steps <= at) c = serves[j];
      }
      if (c === null) continue;
      c.run(Math.min(at, c.steps + budgetSteps));
      return true;
    }
    return false;
  }
}

/** Where a long run lets the host in, every SLICE_STEPS steps: a batch goes straight on; the
 * interactive debugger reads the keyboard there, and throws Interrupted at a Ctrl-C (the
 * cursor stays where it got). */
export type Pause = () => Promise<void>;
export class Interrupted extends Error {}
const goOn: Pause = () => Promise.resolve();
const SLICE_STEPS = 50_000;

// Runs the cursor to `target`, or to the first step `test` stops at, in slices.
async function run(c: Cursor, target: number, test: StepTest | null, pause: Pause): Promise<void> {
  let stopped = false;
  const t: StepTest | null = test === null
    ? null
    : (m, step, cpu, pid, ev) => stopped = test(m, step, cpu, pid, ev);
  while (c.steps < target && !stopped && c.failed === null && c.m.end === null) {
    c.run(Math.min(target, c.steps + SLICE_STEPS), t);
    if (c.steps < target && !stopped) await pause();
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
