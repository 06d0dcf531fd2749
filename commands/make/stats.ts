// make --stats and --timeline: what the jobs of a build did, from the job log every make of the
// build appends to (one line when a job starts, one when it ends, in the order they happened;
// the file system's lock orders the appends). Pure functions.
//
//   M PID JOB          a make (PID) started, as recursive job JOB of its parent ("-": none)
//   S ID TICK NAME     job ID (its make's pid, a dot and a number) started at clock tick TICK
//   E ID TICK          job ID ended
//   X ID TICK          recursive job ID (a sub-make) ended: the jobs of the makes under it
//                      that never ended (their make was killed) end there, as far as job
//                      slots go (their processes may run on, but nobody counts them)

/** A job of the build: when it ran and in which row (slot) of the timeline. */
export interface Span {
  id: string;
  name: string;
  start: number;
  end: number;
  row: number;
}

export interface Analysis {
  spans: Span[];
  /** The most jobs that ran at once. */
  maxAtOnce: number;
  /** Rows used (the slot each job ran in, lowest free first). */
  rows: number;
}

/** Reads a job log. Jobs that never ended (their make was killed) end where the recursive
 * job of their make ended, as soon as that clock tick began, or else at `finish`. */
export function analyze(log: string, finish: number): Analysis {
  interface Open {
    span: Span;
    /** Where it starts and ends in the log's order of events. */
    at: number;
    endAt: number;
  }
  const all: Open[] = [];
  const open = new Map<string, Open>();
  /** The makes started by each recursive job. */
  const makes = new Map<string, string[]>();
  const ticks: number[] = [];
  const lines = log.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const mm = /^M (\S+) (\S+)$/.exec(line);
    if (mm !== null) {
      makes.set(mm[2], [...makes.get(mm[2]) ?? [], mm[1]]);
      continue;
    }
    const m = /^([SEX]) (\S+) (\d+)(?: (.*))?$/.exec(line);
    if (m === null) continue;
    const [, kind, id, t, name] = m;
    const tick = Number(t);
    ticks[i] = tick;
    if (kind === "S") {
      const o = {
        span: { id, name: name ?? "", start: tick, end: finish, row: 0 },
        at: i,
        endAt: Infinity,
      };
      all.push(o);
      open.set(id, o);
    } else if (kind === "E") {
      const o = open.get(id);
      if (o !== undefined) {
        open.delete(id);
        o.span.end = tick;
        o.endAt = i;
      }
    } else {
      // The makes under this job are gone: what they left open ends when this tick began.
      const seen = new Set<string>();
      const endMake = (pid: string) => {
        if (seen.has(pid)) return;
        seen.add(pid);
        for (const o of [...open.values()]) {
          if (!o.span.id.startsWith(pid + ".")) continue;
          open.delete(o.span.id);
          o.span.end = Math.max(o.span.start, tick);
          let k = i;
          while (k > o.at + 1 && (ticks[k - 1] === undefined || ticks[k - 1] >= tick)) k--;
          o.endAt = k - 0.5;
        }
        for (const [job, pids] of makes) if (job.startsWith(pid + ".")) pids.forEach(endMake);
      };
      (makes.get(id) ?? []).forEach(endMake);
    }
  }
  // Sweep the starts and ends in order: the most at once, and a row for each job (the lowest
  // free one when it starts).
  const events: { at: number; start: boolean; o: Open }[] = [];
  for (const o of all) events.push({ at: o.at, start: true, o }, { at: o.endAt, start: false, o });
  events.sort((x, y) => x.at - y.at || Number(x.start) - Number(y.start));
  const busy: boolean[] = [];
  let running = 0, maxAtOnce = 0;
  for (const e of events) {
    if (e.start) {
      let row = busy.indexOf(false);
      if (row < 0) row = busy.length;
      busy[row] = true;
      e.o.span.row = row;
      maxAtOnce = Math.max(maxAtOnce, ++running);
    } else {
      busy[e.o.span.row] = false;
      running--;
    }
  }
  return { spans: all.map((o) => o.span), maxAtOnce, rows: busy.length };
}

/** `make: 8 jobs in 412 ticks, at most 4 at once, 3.7 on average`. */
export function statsLine(prog: string, a: Analysis, ticks: number): string {
  const work = a.spans.reduce((n, s) => n + (s.end - s.start), 0);
  const avg = ticks > 0 ? work / ticks : 0;
  return `${prog}: ${a.spans.length} jobs in ${ticks} ticks, at most ${a.maxAtOnce} at once, ` +
    `${avg.toFixed(1)} on average\n`;
}

const WIDTH = 80;
const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/**
 * The timeline: one row per job slot (at least `slots`), one column per bucket of clock ticks
 * from `start` to `finish`, each cell the letter of the job that ran in that slot for most of
 * the bucket ('.' for an idle slot), then which letter is which job. Fits 80 columns.
 */
export function timeline(
  prog: string,
  a: Analysis,
  slots: number,
  start: number,
  finish: number,
): string {
  const ticks = Math.max(1, finish - start);
  const rows = Math.max(slots, a.rows, 1);
  const label = (r: number) => `slot ${r + 1}`.padEnd(8);
  const cols = Math.min(WIDTH - label(rows - 1).length - 2, ticks);
  const per = Math.ceil(ticks / cols);
  const ncols = Math.ceil(ticks / per);
  const letter = (i: number) => LETTERS[i % LETTERS.length];
  const grid: string[][] = Array.from({ length: rows }, () => new Array(ncols).fill("."));
  const best: number[][] = Array.from({ length: rows }, () => new Array(ncols).fill(0));
  a.spans.forEach((s, i) => {
    // A job shorter than a tick still shows in the bucket it ran in.
    const from = s.start - start, to = Math.max(s.end - start, from + 1);
    for (let c = Math.floor(from / per); c < ncols && c * per < to; c++) {
      const overlap = Math.min(to, (c + 1) * per) - Math.max(from, c * per);
      if (overlap > best[s.row][c]) {
        best[s.row][c] = overlap;
        grid[s.row][c] = letter(i);
      }
    }
  });
  const out = [
    `${prog}: timeline, ${finish - start} ticks, ${per} tick${per === 1 ? "" : "s"} a column\n`,
  ];
  for (let r = 0; r < rows; r++) out.push(`${label(r)}|${grid[r].join("")}|\n`);
  let line = "";
  const legend: string[] = [];
  a.spans.slice(0, LETTERS.length).forEach((s, i) => {
    const name = s.name.length > 24 ? s.name.slice(0, 23) + "~" : s.name;
    const item = `${letter(i)}=${name}`;
    if (line !== "" && line.length + 1 + item.length > WIDTH) {
      legend.push(line + "\n");
      line = "";
    }
    line = line === "" ? item : line + " " + item;
  });
  if (a.spans.length > LETTERS.length) {
    const more = `(+${a.spans.length - LETTERS.length} more)`;
    if (line.length + 1 + more.length > WIDTH) {
      legend.push(line + "\n");
      line = more;
    } else line += " " + more;
  }
  if (line !== "") legend.push(line + "\n");
  return out.join("") + legend.join("");
}
