// dv6 log: a journal's steps as readable lines, strace-like:
//   STEP  CPU  PID NAME            EVENT

import {
  type DecodedEvent,
  EV,
  type JournalReader,
  type JournalRecord,
} from "../kernel/journal.ts";
import type { Val } from "../kernel/uapi/abi.ts";
import { AT_CAS, AT_LOAD, CRIT_ENTER, CRIT_LEAVE } from "../kernel/uapi/ipc.ts";
import { SYS, SYSNAME } from "../kernel/uapi/syscall.ts";
import { UsageError } from "./status.ts";

const decoder = new TextDecoder();

export interface LogFilter {
  pid?: number;
  cpu?: number;
  /** A system call's number: only its SYSCALL and EXIT records. */
  syscall?: number;
  /** Categories (bits of CATEGORY): a step shows if it is of one of them. */
  only?: number;
  from?: number;
  to?: number;
}

// The kinds of step `dv6 log --only` picks (the option's help in shell/cli.ts lists them).
// A step can be of several: a device interrupt that takes the uart lock is intr, console and
// lock.
const CATEGORY_NAMES = ["sched", "lock", "syscall", "intr", "ipc", "fs", "proc", "console"];
const CATEGORY = Object.fromEntries(CATEGORY_NAMES.map((c, i) => [c, 1 << i])) as Record<
  string,
  number
>;

// The system calls of each category (every call is also `syscall`): file-system and
// file-descriptor calls; System V semaphores, shared memory, futexes, robust lists and robust
// POSIX semaphores; process life. sbrk, sleep, uptime and getrandom are only `syscall`.
const CALL_CATEGORY: Record<number, number> = {};
for (
  const [category, calls] of [
    ["fs", "open read write close dup pipe fstat mkdir mknod unlink link chdir flock fcntl poll"],
    [
      "ipc",
      "semget semop semctl shmopen shmunlink futexwait futexwake setrobustlist psemregister psemop",
    ],
    ["proc", "fork exec spawn exit wait kill halt getpid procs"],
  ]
) {
  for (const name of calls.split(" ")) {
    CALL_CATEGORY[SYS[name as keyof typeof SYS]] = CATEGORY[category];
  }
}

// The console's locks (the UART's transmit lock, the line discipline's, the sleep lock a
// write() holds) and the channels its readers and writers sleep on.
const CONSOLE_LOCKS = new Set(["uart", "cons", "sleep lock (console write)"]);
const CONSOLE_CHANS = new Set(["console read", "uart", "console write"]);

/** `--only`'s comma-separated categories as bits of CATEGORY; a usage error names one it
 * does not know. */
export function parseCategories(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  let bits = 0;
  for (const name of text.split(",")) {
    if (!Object.hasOwn(CATEGORY, name)) {
      throw new UsageError(
        `unknown category '${name}' for --only (categories: ${CATEGORY_NAMES.join(", ")})`,
        "log",
      );
    }
    bits |= CATEGORY[name];
  }
  return bits;
}

/** `--syscall`'s system call by name; a usage error names one that is not a call. */
export function parseSyscall(name: string | undefined): number | undefined {
  if (name === undefined) return undefined;
  if (!Object.hasOwn(SYS, name)) {
    throw new UsageError(
      `unknown system call '${name}' for --syscall (calls: ${
        SYSNAME.filter((n) => n !== undefined).join(", ")
      })`,
      "log",
    );
  }
  return SYS[name as keyof typeof SYS];
}

/** The categories of a step (bits of CATEGORY). */
function stepCategories(intr: number, ev: DecodedEvent): number {
  let c = intr === 1 ? CATEGORY.intr : intr === 2 ? CATEGORY.intr | CATEGORY.console : 0;
  switch (ev.k) {
    case EV.SWTCH:
      return c | CATEGORY.sched | (CONSOLE_CHANS.has(ev.why) ? CATEGORY.console : 0);
    case EV.WFI:
      return c | CATEGORY.sched;
    case EV.ACQUIRE:
    case EV.RELEASE:
      return c | CATEGORY.lock | (CONSOLE_LOCKS.has(ev.lock) ? CATEGORY.console : 0);
    case EV.EXIT:
      c |= CATEGORY.proc;
    /* falls through */
    case EV.SYSCALL:
      return c | CATEGORY.syscall | (CALL_CATEGORY[ev.n] ?? 0);
    case EV.ATOMIC:
      return c | CATEGORY.ipc;
    case EV.USER:
      return c;
  }
}

/** Does a step pass the filter's pid, cpu, call and categories (not its step range)? */
function stepShown(f: LogFilter, r: Extract<JournalRecord, { type: "step" }>): boolean {
  const ev = r.ev;
  return (f.pid === undefined || f.pid === r.pid) && (f.cpu === undefined || f.cpu === r.cpu) &&
    (f.syscall === undefined ||
      ((ev.k === EV.SYSCALL || ev.k === EV.EXIT) && ev.n === f.syscall)) &&
    (f.only === undefined || (stepCategories(r.intr, ev) & f.only) !== 0);
}

/** Does a record of the host (input: console; a tick: intr) pass the filter? Those belong to
 * no process, CPU or call. */
function hostShown(f: LogFilter, category: number): boolean {
  return f.pid === undefined && f.cpu === undefined && f.syscall === undefined &&
    (f.only === undefined || (f.only & category) !== 0);
}

function basename(path: unknown): string {
  const s = String(path);
  return s.slice(s.lastIndexOf("/") + 1);
}

/** A step as a line of `dv6 log`: its number, CPU, pid, process name, interrupt and event. */
export function stepLine(step: number, r: StepRecord, name: string): string {
  return `${String(step).padStart(8)} cpu${r.cpu} ${String(r.pid).padStart(4)} ${name.padEnd(12)} ${
    stepEvent(r)
  }`;
}

/** What a step did: the interrupt it took, if any, and its event. */
export function stepEvent(r: StepRecord): string {
  const intr = r.intr === 1 ? "[timer] " : r.intr === 2 ? "[device] " : "";
  return intr + describeEvent(r.ev);
}

/** The name a step gives a process, as ps would see it: a fork's child takes its parent's
 * (`name`, the name of the step's process), exec and spawn the program's. Null: none. */
export function nameChange(r: StepRecord, name: string): [number, string] | null {
  const ev = r.ev;
  if (ev.k !== EV.SYSCALL || typeof ev.r !== "number" || ev.r < 0) return null;
  if (ev.n === SYS.fork && ev.r > 0) return [ev.r, name];
  if (ev.n === SYS.exec) return [r.pid, basename(ev.a[0]).slice(0, 15)];
  if (ev.n === SYS.spawn && ev.r > 0) return [ev.r, basename(ev.a[0]).slice(0, 15)];
  return null;
}

type StepRecord = Extract<JournalRecord, { type: "step" }>;

export function printLog(reader: JournalReader, f: LogFilter): number {
  const h = reader.header;
  const lines: string[] = [
    `# dv6 journal: build ${h.build}, ${h.ncpu} cpus, nproc ${h.nproc}, sched ${h.sched}` +
    `${h.sched === "random" ? ` seed ${h.seed}` : ""}, init ${JSON.stringify(h.initArgv)}`,
  ];
  const names = new Map<number, string>([[1, "init"]]);
  let step = 0; // steps so far: the next one is step + 1 (steps count from 1, as `when` does)
  const flush = () => {
    if (lines.length > 0) console.log(lines.join("\n"));
    lines.length = 0;
  };
  for (const r of reader.records()) {
    if (r.type === "step") {
      const name = names.get(r.pid) ?? (r.pid === 0 ? "scheduler" : "?");
      if (
        (f.from === undefined || step + 1 >= f.from) && (f.to === undefined || step + 1 <= f.to) &&
        stepShown(f, r)
      ) lines.push(stepLine(step + 1, r, name));
      const change = nameChange(r, name);
      if (change !== null) names.set(change[0], change[1]);
      step++;
    } else if (r.type === "input") {
      if (hostShown(f, CATEGORY.console)) {
        lines.push(`${"".padStart(8)} input ${showVal(r.bytes, 64)}`);
      }
    } else if (r.type === "tick") {
      if (hostShown(f, CATEGORY.intr)) lines.push(`${"".padStart(8)} tick`);
    } else if (r.type === "kill") {
      // An injected kill: the host's, of one process (category proc).
      const shown = (f.pid === undefined || f.pid === r.pid) && f.cpu === undefined &&
        f.syscall === undefined && (f.only === undefined || (f.only & CATEGORY.proc) !== 0);
      if (shown) lines.push(`${"".padStart(8)} ${describe(r)}`);
    } else {
      const e = r.end;
      const more = e.kind === "panic" ? e.procdump : e.kind === "deadlock" ? e.report : "";
      lines.push(`${"".padStart(8)} ${describe(r)}${more.trimEnd().replace(/\n/g, "\n         ")}`);
    }
    if (lines.length >= 4096) flush();
  }
  flush();
  if (reader.broken !== null) {
    console.log(`dv6 log: the journal breaks after step ${step}: ${reader.broken}`);
    return 2;
  }
  return 0;
}

const INTR_NAMES = ["", "timer interrupt; ", "device interrupt; "];
const ATOMIC_NAMES = ["load", "store", "add", "cas", "xchg"];

/** Escape and shorten a value for one line of `dv6 log`, strace style. */
export function showVal(v: Val, max = 32): string {
  if (v === undefined) return "";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") {
    return JSON.stringify(v.length > max ? v.slice(0, max) : v) + (v.length > max ? "..." : "");
  }
  if (v instanceof Uint8Array) {
    const s = decoder.decode(v.subarray(0, max));
    return JSON.stringify(s) + (v.length > max ? "..." : "");
  }
  return "[" + v.map((x) => showVal(x, max)).join(", ") + "]";
}

/** A record as text (without its step number and process name). */
export function describe(r: JournalRecord): string {
  switch (r.type) {
    case "input":
      return `input ${showVal(r.bytes)} at cycle ${r.cycles} (move ${r.moves})`;
    case "tick":
      return `tick of the host's clock at cycle ${r.cycles} (move ${r.moves})`;
    case "kill":
      return `inject kill pid ${r.pid} (${r.name})`;
    case "end":
      return r.end.kind === "halt"
        ? `halt ${r.end.status}`
        : r.end.kind === "stop"
        ? "stopped by the host"
        : r.end.kind === "panic"
        ? `panic: ${r.end.message}`
        : `deadlock`;
    case "step":
      return `cpu${r.cpu} pid ${r.pid}: ${INTR_NAMES[r.intr] ?? ""}${describeEvent(r.ev)}`;
  }
}

export function describeEvent(ev: DecodedEvent): string {
  switch (ev.k) {
    case EV.ACQUIRE:
      return `acquire ${ev.lock}`;
    case EV.RELEASE:
      return `release ${ev.lock}`;
    case EV.SWTCH:
      return ev.to === 0
        ? `swtch -> scheduler${ev.why ? ` (sleep on ${ev.why})` : ""}`
        : `swtch -> pid ${ev.to}`;
    case EV.SYSCALL:
      return `${SYSNAME[ev.n] ?? `sys${ev.n}`}(${ev.a.map((x) => showVal(x)).join(", ")}) = ${
        showVal(ev.r)
      }`;
    case EV.EXIT: {
      const call = `${SYSNAME[ev.n] ?? `sys${ev.n}`}(${ev.a.map((x) => showVal(x)).join(", ")})`;
      // exit and halt enter exit(); any other call ended in a process that was killed; 0: the
      // process was killed (or faulted) outside any call.
      if (ev.n === 0) return "killed";
      return ev.n === SYS.exit || ev.n === SYS.halt ? call : `${call} = ${showVal(ev.r)} (killed)`;
    }
    case EV.ATOMIC: {
      const [op, h, i, a1, a2, mark] = ev.a;
      const args = op === AT_CAS ? `, ${a1}, ${a2}` : op === AT_LOAD ? "" : `, ${a1}`;
      const crit = mark === CRIT_ENTER
        ? " [enter critical section]"
        : mark === CRIT_LEAVE
        ? " [leave]"
        : "";
      return `atomic ${ATOMIC_NAMES[op as number] ?? op}(shm ${h}[${i}]${args}) = ${
        showVal(ev.r)
      }${crit}`;
    }
    case EV.USER:
      return "user";
    case EV.WFI:
      return "wfi";
  }
}
