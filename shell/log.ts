// dv6 log: a journal's steps as readable lines, strace-like:
//   STEP  CPU  PID NAME            EVENT

import { EV } from "../kernel/event.ts";
import { describe, describeEvent, type JournalReader, showVal } from "../kernel/journal.ts";
import { SYS } from "../kernel/sysnum.ts";

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
  let step = 0;
  const flush = () => {
    if (lines.length > 0) console.log(lines.join("\n"));
    lines.length = 0;
  };
  for (const r of reader.records()) {
    if (r.type === "step") {
      const { cpu, pid, ev } = r;
      const name = names.get(pid) ?? (pid === 0 ? "scheduler" : "?");
      if (
        (f.pid === undefined || f.pid === pid) && (f.from === undefined || step >= f.from) &&
        (f.to === undefined || step <= f.to)
      ) {
        const intr = r.intr === 1 ? "[timer] " : r.intr === 2 ? "[device] " : "";
        lines.push(
          `${String(step).padStart(8)} cpu${cpu} ${String(pid).padStart(4)} ${
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
