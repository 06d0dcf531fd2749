// dv6 trace: a journal as a Chrome trace-event JSON file, which Perfetto's UI
// (https://ui.perfetto.dev) and chrome://tracing open. The journal is replayed and every
// verified step seen with the machine it left, so what the trace shows is the machine's own
// state, not guessed from the records.
//
// Time: `ts` is the virtual clock of the CPU that took the step, in cycles (a cycle is one
// step of one CPU), written as microseconds: 1 µs in the trace is 1 cycle, so a clock tick
// (TICK_CYCLES, 10,000 cycles) shows as 10 ms. A step at cycle t spans [t, t + 1).
//
// Tracks:
// - "dv6 machine": a thread per CPU, with a slice per process run (from the scheduler's
//   switch to it to its switch back) and the interrupts it took as instants; a thread per
//   CPU and lock lane ("cpu0 locks", "cpu0 locks 2", ...) with a slice per spinlock hold
//   (from the step after the acquire that got it, to its release; a hold goes in the first
//   lane free when it starts, so the slices of a lane never overlap); a counter per System V
//   semaphore set ("sem ID", one series per semaphore), written when a value changes; the
//   run's end (halt, panic, deadlock) as a global instant.
// - A process per dv6 process (the same pid), with a slice per system call: from its first
//   kernel step (the step in which the program left user mode for it) to its return to user
//   mode (its SYSCALL record), so a blocking call spans its sleep; arguments and result in
//   `args` (a call still going on when the journal ends is "(in a call)"). Atomics are
//   one-cycle slices; a kill is an instant ("kill by pid P" when it is sent, "kill by the host
//   (--inject)" when injected, "killed" when the process dies of it). Typed input is an
//   instant on the machine's track.

import type { JournalReader } from "../kernel/journal.ts";
import { EV, type Event, type Machine } from "../kernel/machine.ts";
import { TICK_CYCLES } from "../kernel/param.ts";
import type { Val } from "../kernel/uapi/abi.ts";
import { SYS, SYSNAME } from "../kernel/uapi/syscall.ts";
import { hostErrorText } from "./host.ts";
import { describeEvent, showVal } from "./log.ts";
import { replayForView, type ViewReplay } from "./view.ts";
import type { HostWatcher } from "./replay.ts";

/** The trace's process of the machine's tracks (pid 0 is special to Perfetto, and dv6's
 * processes keep their own pids). */
const MACHINE = 1_000_000_000;

// Where a process is, for its track: in the kernel outside any call (starting, exiting), in
// user mode (its next kernel step that is not an interrupt's starts a call), or in a call.
const KERNEL = 0, USER = 1, CALL = 2;

interface Proc {
  mode: typeof KERNEL | typeof USER | typeof CALL;
  /** The call's first step, in mode CALL. */
  callStart: number;
  /** The end of its last slice: its track's slices never overlap. */
  floor: number;
  name: string;
}

interface Hold {
  lock: string;
  start: number;
  spins: number;
}

interface CpuTracks {
  tid: number;
  /** The process running there, since when. */
  run: { pid: number; start: number } | null;
  /** The lock its last step tried to take (it is taken at the start of its next step, unless
   * that step tries again), and how many tries so far. */
  acquiring: { lock: string; spins: number } | null;
  /** The lock lanes: the hold in each (null: free), and each lane's thread. */
  lanes: (Hold | null)[];
  laneTids: number[];
}

/** Numbers appended one at a time, in a buffer that grows. */
class Column {
  buf = new Float64Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const bigger = new Float64Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.length++] = v;
  }
}

/** The trace's events, kept in columns (a million events as objects or strings would keep the
 * garbage collector busy), and turned into JSON a chunk at a time, in time order. */
class Events {
  readonly meta: string[] = [];
  private readonly ts = new Column();
  private readonly ph = new Column(); // an index in PHASES
  private readonly name = new Column(); // an index in names
  private readonly pid = new Column();
  private readonly tid = new Column();
  private readonly dur = new Column();
  /** Each event's other fields as JSON without braces ("args":{...}), by index. */
  private readonly more = new Column();
  private readonly names: string[] = []; // as JSON strings
  private readonly nameIds = new Map<string, number>();
  private readonly mores: string[] = [""];
  private readonly moreIds = new Map<string, number>([["", 0]]);

  get length(): number {
    return this.meta.length + this.ts.length;
  }

  /** An event at time ts: its phase, name, pid, tid, its duration (a slice's; -1: none) and
   * what else it has (scope, args). */
  add(ts: number, ph: string, name: string, pid: number, tid: number, dur = -1, more?: object) {
    this.ts.push(ts);
    this.ph.push(PHASES.indexOf(ph));
    let id = this.nameIds.get(name);
    if (id === undefined) {
      this.nameIds.set(name, id = this.names.length);
      this.names.push(JSON.stringify(name));
    }
    this.name.push(id);
    this.pid.push(pid);
    this.tid.push(tid);
    this.dur.push(dur);
    if (more === undefined) this.more.push(0);
    else {
      const json = JSON.stringify(more).slice(1, -1);
      let id = this.moreIds.get(json);
      if (id === undefined) {
        this.moreIds.set(json, id = this.mores.length);
        this.mores.push(json);
      }
      this.more.push(id);
    }
  }

  metadata(kind: string, pid: number, tid: number, args: object): void {
    this.meta.push(JSON.stringify({ ph: "M", name: kind, pid, tid, args }));
  }

  /** The events as JSON, chunk by chunk: the metadata, then the others in time order (those
   * of one time in the order they were added). */
  *json(): Generator<string[]> {
    yield this.meta;
    const ts = this.ts.buf;
    const order = new Uint32Array(this.ts.length).map((_, i) => i);
    order.sort((a, b) => ts[a] - ts[b] || a - b);
    for (let i = 0; i < order.length; i += 4096) {
      yield [...order.subarray(i, i + 4096)].map((j) => {
        const more = this.mores[this.more.buf[j]], dur = this.dur.buf[j];
        return `{"ph":"${PHASES[this.ph.buf[j]]}","name":${this.names[this.name.buf[j]]},` +
          `"pid":${this.pid.buf[j]},"tid":${this.tid.buf[j]},"ts":${ts[j]}` +
          (dur < 0 ? "" : `,"dur":${dur}`) + (more === "" ? "}" : `,${more}}`);
      });
    }
  }
}

const PHASES = ["X", "i", "C"];

const callName = (n: number) => SYSNAME[n] ?? `sys${n}`;

/** A system call's arguments and result for a slice's args, as `dv6 log` shows them. */
function callArgs(a: readonly Val[], r: Val): Record<string, string> {
  return { args: a.map((x) => showVal(x)).join(", "), result: showVal(r) };
}

export function writeTrace(reader: JournalReader, path: string): number {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { write: true, create: true, truncate: true });
  } catch (e) {
    console.error(`dv6: cannot write ${path}: ${hostErrorText(e)}`);
    return 2;
  }
  try {
    const { events, result: r } = traceEvents(reader);
    writeJson(file, events.json(), reader.header.build);
    const n = events.length.toLocaleString("en-US");
    console.log(`trace: ${n} events to ${path} (open it in https://ui.perfetto.dev)`);
    if (r.problem !== null) console.error(r.problem);
    return r.status;
  } finally {
    file.close();
  }
}

function writeJson(file: Deno.FsFile, chunks: Iterable<string[]>, build: string): void {
  const enc = new TextEncoder();
  const put = (s: string) => {
    const b = enc.encode(s);
    for (let off = 0; off < b.length;) off += file.writeSync(b.subarray(off));
  };
  put('{"traceEvents":[\n');
  let first = true;
  for (const chunk of chunks) {
    if (chunk.length === 0) continue;
    put((first ? "" : ",\n") + chunk.join(",\n"));
    first = false;
  }
  put(
    `\n],"displayTimeUnit":"ms","otherData":${
      JSON.stringify({
        clock: `ts is the virtual clock in cycles: 1 us = 1 cycle, a tick = ${TICK_CYCLES} cycles`,
        build,
      })
    }}\n`,
  );
}

function traceEvents(reader: JournalReader): { events: Events; result: ViewReplay } {
  const ev = new Events();
  const ncpu = reader.header.ncpu;
  let nextTid = MACHINE + 1;
  ev.metadata("process_name", MACHINE, MACHINE, { name: "dv6 machine" });
  ev.metadata("process_sort_index", MACHINE, MACHINE, { sort_index: -1 });
  const cpus: CpuTracks[] = Array.from({ length: ncpu }, (_, c) => {
    const tid = nextTid++;
    ev.metadata("thread_name", MACHINE, tid, { name: `cpu${c}` });
    ev.metadata("thread_sort_index", MACHINE, tid, { sort_index: c * 100 });
    return { tid, run: null, acquiring: null, lanes: [], laneTids: [] };
  });
  const procs = new Map<number, Proc>();
  const semVals = new Map<number, string>(); // each set's values as last written
  let now = 0; // the latest time seen

  const proc = (pid: number): Proc => {
    let p = procs.get(pid);
    if (p === undefined) {
      // Its first step is forkret's: it returns from fork (or starts) in user mode next.
      procs.set(pid, p = { mode: KERNEL, callStart: 0, floor: 0, name: "" });
      ev.metadata("process_sort_index", pid, pid, { sort_index: pid });
    }
    return p;
  };
  const slice = (pid: number, name: string, start: number, end: number, args?: object) => {
    const p = proc(pid);
    const ts = Math.max(start, p.floor);
    p.floor = Math.max(end, ts);
    ev.add(ts, "X", name, pid, pid, p.floor - ts, args && { args });
  };
  const instant = (pid: number, tid: number, name: string, ts: number, args?: object) =>
    ev.add(ts, "i", name, pid, tid, -1, { s: "t", ...(args && { args }) });

  const endRun = (c: CpuTracks, end: number, why: string) => {
    const run = c.run!;
    const name = `${procs.get(run.pid)?.name || "?"} (${run.pid})`;
    ev.add(run.start, "X", name, MACHINE, c.tid, end - run.start, {
      args: { pid: run.pid, then: why },
    });
    c.run = null;
  };
  const endHold = (c: CpuTracks, lane: number, end: number) => {
    const h = c.lanes[lane]!;
    const spins = h.spins > 1 ? { args: { spins: h.spins } } : undefined;
    ev.add(h.start, "X", h.lock, MACHINE, c.laneTids[lane], end - h.start, spins);
    c.lanes[lane] = null;
  };
  const hold = (c: CpuTracks, cpu: number, lock: string, start: number, spins: number) => {
    let lane = c.lanes.indexOf(null);
    if (lane < 0) {
      lane = c.lanes.length;
      const tid = nextTid++;
      c.lanes.push(null);
      c.laneTids.push(tid);
      ev.metadata("thread_name", MACHINE, tid, {
        name: `cpu${cpu} locks${lane === 0 ? "" : ` ${lane + 1}`}`,
      });
      ev.metadata("thread_sort_index", MACHINE, tid, { sort_index: cpu * 100 + 1 + lane });
    }
    c.lanes[lane] = { lock, start, spins };
  };

  const watch = (m: Machine, cpu: number, pid: number, intr: number, e: Event) => {
    const c = cpus[cpu], t = m.cpus[cpu].cycles;
    if (t > now) now = t;
    const k = e.k;
    // Locks: the acquire this CPU's last step tried succeeded unless this step tries again.
    const lock = k === EV.ACQUIRE || k === EV.RELEASE ? e.lk!.label : "";
    if (c.acquiring !== null) {
      if (k === EV.ACQUIRE && lock === c.acquiring.lock) c.acquiring.spins++;
      else {
        hold(c, cpu, c.acquiring.lock, t, c.acquiring.spins);
        c.acquiring = null;
      }
    }
    if (k === EV.ACQUIRE && c.acquiring === null) c.acquiring = { lock, spins: 1 };
    else if (k === EV.RELEASE) {
      const lane = c.lanes.findIndex((h) => h !== null && h.lock === lock);
      if (lane >= 0) endHold(c, lane, t + 1);
      if (lock === "sem") semCounters(m, t);
    }
    if (intr !== 0) {
      instant(MACHINE, c.tid, intr === 1 ? "timer interrupt" : "device interrupt", t);
    }
    if (k === EV.SWTCH) {
      if (pid === 0 && e.to !== null) c.run = { pid: e.to.pid, start: t };
      else if (pid !== 0 && c.run !== null) {
        endRun(c, t + 1, e.why === "" ? "yield or exit" : `sleep on ${e.why}`);
      }
    }
    if (pid === 0) return;

    // The process's track.
    const first = !procs.has(pid);
    const p = proc(pid);
    const ctx = m.cpus[cpu].current;
    if (k !== EV.SWTCH && ctx.proc !== null) p.name = ctx.proc.name;
    const callStart = p.mode === CALL ? p.callStart : t;
    switch (k) {
      case EV.SYSCALL:
        slice(pid, callName(e.n), callStart, t + 1, callArgs(e.a, e.r));
        if (e.n === SYS.kill && e.r === 0 && typeof e.a[0] === "number") {
          instant(e.a[0], e.a[0], `kill by pid ${pid}`, t);
        }
        p.mode = USER;
        break;
      case EV.EXIT:
        // exit, halt; or killed in a call (what it did stays on record), or outside any.
        if (e.n !== 0) {
          const killed = e.n === SYS.exit || e.n === SYS.halt ? "" : " (killed)";
          slice(pid, callName(e.n) + killed, callStart, t + 1, callArgs(e.a, e.r));
        }
        if (e.n !== SYS.exit && e.n !== SYS.halt) {
          instant(pid, pid, "killed", t, { record: describeEvent({ k, n: e.n, a: e.a, r: e.r }) });
        }
        p.mode = KERNEL;
        break;
      case EV.ATOMIC: {
        const op = describeEvent({ k, n: e.n, a: e.a, r: e.r });
        slice(pid, op.slice(0, op.indexOf("(")), t, t + 1, { op });
        p.mode = USER;
        break;
      }
      case EV.USER:
        p.mode = USER;
        break;
      default:
        // A kernel step in user mode starts a call, unless it is an interrupt's (its handler
        // is still on top of the stack after the step) or a switch away (the timer's).
        if (first) p.mode = USER; // forkret's step: the process returns to user mode next
        else if (p.mode === USER && k !== EV.SWTCH && ctx.stack.length === 1) {
          p.mode = CALL;
          p.callStart = t;
        }
    }
  };

  // A set's values, written when one changed (all change under the sem lock).
  const semCounters = (m: Machine, t: number) => {
    for (const id of m.sem.ids()) {
      const vals = m.sem.get(id)!.sems.map((s) => s.val);
      const key = vals.join(",");
      if (semVals.get(id) === key) continue;
      semVals.set(id, key);
      ev.add(t, "C", `sem ${id}`, MACHINE, MACHINE, -1, { args: { ...vals } });
    }
  };

  // What the host delivered between steps: typed input on the machine's track, and a kill
  // injected with --inject on its victim's (the machine's time: when it came).
  const host: HostWatcher = (r, m) => {
    const t = m.cycles;
    if (r.type === "input") {
      instant(MACHINE, MACHINE, "console input", t, { bytes: showVal(r.bytes, 64) });
    } else if (r.type === "kill") {
      instant(r.pid, r.pid, "kill by the host (--inject)", t);
    }
  };
  const result = replayForView(reader, "trace", watch, host);
  // What is still going on when the journal ends goes on to its last step.
  const end = now + 1;
  for (const c of cpus) {
    if (c.run !== null) endRun(c, end, "the end");
    for (let lane = 0; lane < c.lanes.length; lane++) {
      if (c.lanes[lane] !== null) endHold(c, lane, end);
    }
  }
  for (const [pid, p] of procs) {
    // A call that never returned: the machine stopped, or deadlocked, while it was in it.
    if (p.mode === CALL) {
      slice(pid, "(in a call)", p.callStart, end, { result: "none: the journal ends" });
    }
    ev.metadata("process_name", pid, pid, { name: p.name || "?" });
    ev.metadata("thread_name", pid, pid, { name: `${p.name || "?"} (system calls)` });
  }
  if (result.end !== null) {
    const e = result.end;
    const args = e.kind === "halt"
      ? { status: e.status }
      : e.kind === "panic"
      ? { message: e.message, procdump: e.procdump }
      : e.kind === "deadlock"
      ? { report: e.report }
      : {};
    ev.add(end, "i", e.kind, MACHINE, cpus[0].tid, -1, { s: "g", args });
  }
  return { events: ev, result };
}
