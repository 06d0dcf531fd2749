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

const decoder = new TextDecoder();

export interface LogFilter {
  pid?: number;
  from?: number;
  to?: number;
}

function basename(path: unknown): string {
  const s = String(path);
  return s.slice(s.lastIndexOf("/") + 1);
}

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
      const { cpu, pid, ev } = r;
      const name = names.get(pid) ?? (pid === 0 ? "scheduler" : "?");
      if (
        (f.pid === undefined || f.pid === pid) && (f.from === undefined || step + 1 >= f.from) &&
        (f.to === undefined || step + 1 <= f.to)
      ) {
        const intr = r.intr === 1 ? "[timer] " : r.intr === 2 ? "[device] " : "";
        lines.push(
          `${String(step + 1).padStart(8)} cpu${cpu} ${String(pid).padStart(4)} ${
            name.padEnd(12)
          } ${intr}${describeEvent(ev)}`,
        );
      }
      // Follow process names, as ps would see them.
      if (ev.k === EV.SYSCALL && typeof ev.r === "number" && ev.r >= 0) {
        if (ev.n === SYS.fork && ev.r > 0) names.set(ev.r, name);
        if (ev.n === SYS.exec) names.set(pid, basename(ev.a[0]).slice(0, 15));
        if (ev.n === SYS.spawn && ev.r > 0) names.set(ev.r, basename(ev.a[0]).slice(0, 15));
      }
      step++;
    } else if (r.type === "input") {
      if (f.pid === undefined) lines.push(`${"".padStart(8)} input ${showVal(r.bytes, 64)}`);
    } else if (r.type === "tick") {
      if (f.pid === undefined) lines.push(`${"".padStart(8)} tick`);
    } else if (r.type === "kill") {
      if (f.pid === undefined || f.pid === r.pid) lines.push(`${"".padStart(8)} ${describe(r)}`);
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
