// dv6 timeline: a journal as a text chart, in the spirit of OSTEP's x86.py columns and
// TigerBeetle's VOPR lines. Each column stands for a span of steps: a row per CPU says which
// process ran there, a row per process which state it was in. The states are the machine's,
// from a replay of the journal, not guessed from its records.

import type { JournalReader } from "../kernel/journal.ts";
import { type Machine, RUNNABLE, RUNNING, SLEEPING, UNUSED, ZOMBIE } from "../kernel/machine.ts";
import { busiest, replayForView, StopView, wrap } from "./view.ts";

export interface TimelineOptions {
  from?: number;
  to?: number;
  /** The chart's width: no line of the output is longer. */
  width: number;
}

/** The letters of the processes in the CPU rows, in the order they first appear there. */
const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/** The cell of a process the letters ran out for. */
const NO_LETTER = "+";

const STATE_CELL: Record<number, string> = {
  [RUNNING]: "R",
  [RUNNABLE]: "r",
  [SLEEPING]: "s",
  [ZOMBIE]: "z",
};

/** Ints appended one at a time, in a buffer that grows. */
class Ints {
  buf = new Int32Array(1 << 16);
  length = 0;
  push(...vs: number[]): void {
    for (const v of vs) {
      if (this.length === this.buf.length) {
        const bigger = new Int32Array(this.buf.length * 2);
        bigger.set(this.buf);
        this.buf = bigger;
      }
      this.buf[this.length++] = v;
    }
  }
}

export function printTimeline(reader: JournalReader, o: TimelineOptions): number {
  const from = Math.max(1, o.from ?? 1), to = o.to ?? Infinity;
  // Each step of the range: pid * 256 + cpu (the journal's CPU is a byte).
  const who = new Ints();
  // Every change of a process's state up to `to`: step, pid, state (UNUSED once reaped).
  const changes = new Ints();
  const names = new Map<number, string>();
  const nproc = reader.header.nproc;
  const slotPid = new Int32Array(nproc), slotState = new Int8Array(nproc);
  const slotName: string[] = new Array(nproc).fill("");
  const r = replayForView(reader, "timeline", (m: Machine, cpu: number, pid: number) => {
    const step = m.steps;
    if (step > to) throw new StopView();
    if (step >= from) who.push(pid * 256 + cpu);
    const procs = m.procs;
    for (let i = 0; i < procs.length; i++) {
      const p = procs[i];
      if (p.pid !== slotPid[i]) {
        if (slotPid[i] !== 0) changes.push(step, slotPid[i], UNUSED);
        slotPid[i] = p.pid;
        slotState[i] = UNUSED;
      }
      if (p.state !== slotState[i]) {
        slotState[i] = p.state;
        if (p.pid !== 0) changes.push(step, p.pid, p.state);
      }
      if (p.name !== slotName[i]) {
        slotName[i] = p.name;
        if (p.pid !== 0 && p.name !== "") names.set(p.pid, p.name);
      }
    }
  });
  if (who.length === 0) {
    console.error(
      `dv6 timeline: no steps from ${from} to ${o.to ?? "the end"} (the journal has ${r.steps})`,
    );
    return 2;
  }
  console.log(chart(who, changes, names, from, reader.header.ncpu, o.width).join("\n"));
  if (r.problem !== null) console.error(r.problem);
  return r.status;
}

function chart(
  who: Ints,
  changes: Ints,
  names: ReadonlyMap<number, string>,
  first: number,
  ncpu: number,
  width: number,
): string[] {
  const n = who.length, last = first + n - 1;
  const labelWidth = width >= 60 ? 16 : 8;
  const span = Math.ceil(n / (width - labelWidth - 2)); // steps a column
  const ncols = Math.ceil(n / span);
  const row = (label: string, cells: string) =>
    `${label.slice(0, labelWidth - 1).padEnd(labelWidth)}|${cells}|`;

  // The CPU rows: in each column, the process that ran most of its steps on that CPU.
  const letters = new Map<number, string>();
  const letter = (pid: number) => {
    let l = letters.get(pid);
    if (l === undefined) letters.set(pid, l = LETTERS[letters.size] ?? NO_LETTER);
    return l;
  };
  const most = busiest(n, span, ncpu, (j) => who.buf[j] & 255, (j) => who.buf[j] >> 8 || null);
  const cpuCells: string[][] = Array.from({ length: ncpu }, () => []);
  for (let c = 0; c < ncols; c++) { // letters in the order the columns show them
    most.forEach((cols, cpu) => cpuCells[cpu].push(Number.isNaN(cols[c]) ? "." : letter(cols[c])));
  }
  const ran = new Map<number, Uint8Array>(); // the columns in which each process ran
  for (let j = 0; j < n; j++) {
    const pid = who.buf[j] >> 8;
    if (pid === 0) continue; // a scheduler's step, busy or idle
    let cols = ran.get(pid);
    if (cols === undefined) ran.set(pid, cols = new Uint8Array(ncols));
    cols[Math.floor(j / span)] = 1;
  }

  // The process rows: R in a column it ran in, else its state at the column's end.
  const rows = new Map<number, string[]>();
  const state = new Map<number, number>();
  let k = 0;
  for (let c = 0; c < ncols; c++) {
    const end = Math.min(last, first + (c + 1) * span - 1);
    for (; k < changes.length && changes.buf[k] <= end; k += 3) {
      state.set(changes.buf[k + 1], changes.buf[k + 2]);
    }
    for (const [pid, s] of state) {
      const ranHere = ran.get(pid)?.[c] === 1;
      if (s === UNUSED && !ranHere) continue;
      let cells = rows.get(pid);
      if (cells === undefined) rows.set(pid, cells = new Array(c).fill("."));
      cells.push(ranHere ? "R" : STATE_CELL[s] ?? ".");
    }
    for (const cells of rows.values()) if (cells.length === c) cells.push(".");
  }

  // The ruler: a column's first step, every ten columns, where the number fits.
  const ruler = new Array(ncols).fill(" ");
  for (let c = 0; c < ncols; c += 10) {
    const mark = String(first + c * span);
    if (c + mark.length <= Math.min(ncols, c + 10)) ruler.splice(c, mark.length, ...mark);
  }
  const name = (pid: number) => names.get(pid) ?? "?";
  const pidLabel = (pid: number) =>
    `${String(pid).padStart(labelWidth >= 16 ? 4 : 3)} ${name(pid)}`;
  const words = (text: string) => wrap(text.split(" "), width);
  const others = [...letters.values()].includes(NO_LETTER) ? [`${NO_LETTER}=others`] : [];
  return [
    ...words(
      `timeline of steps ${first}..${last}: ${span} step${span === 1 ? "" : "s"} a column`,
    ),
    `${"step".padEnd(labelWidth)} ${ruler.join("")}`,
    ...cpuCells.map((cells, cpu) => row(`cpu${cpu}`, cells.join(""))),
    ...wrap(
      [...letters].filter(([, l]) => l !== NO_LETTER).map(([pid, l]) => `${l}=${pid} ${name(pid)}`)
        .concat(others),
      width,
      "  ",
    ),
    ...words(
      "cpu rows: the process that ran most of the column's steps on that CPU (. none: " +
        "idle, or in its scheduler)",
    ),
    ...[...rows].sort(([a], [b]) => a - b).map(([pid, cells]) =>
      row(pidLabel(pid), cells.join(""))
    ),
    ...words(
      "process rows: R ran in the column, else its state at the column's end: r runnable, " +
        "s sleeping, z zombie, . not there",
    ),
  ];
}
