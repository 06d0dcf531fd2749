// What the worker sends the page to draw the machine: the panels (the text `dv6 debug`'s
// commands print, from kernel/inspect.ts: the page and the CLI agree) and the timeline strip,
// one lane per CPU. A live machine's lanes grow as it runs, a column sampled every
// LIVE_STEPS_PER_COLUMN steps; a journal's are drawn from its step index, whole.

import { EV, inspect, type Machine } from "../kernel/machine.ts";
import type { StepIndex } from "../shell/timetravel.ts";
import { busiest } from "../shell/view.ts";
import type { Lanes, Panels } from "./protocol.ts";

/** A live lane's column: what each CPU runs once every this many steps. */
export const LIVE_STEPS_PER_COLUMN = 2_000;
/** Columns a live lane keeps (the oldest go), and a journal's lanes have at most. */
export const LANE_COLUMNS = 60;

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** In a lane: the CPU's scheduler runs, or the CPU idles (waits for an interrupt). */
const SCHEDULER = "-", IDLE = ".";

/** Process `pid`'s letter in the lanes (pids past 52 share letters; the legend tells). */
export function letterOf(pid: number): string {
  return LETTERS[(pid - 1) % LETTERS.length];
}

export function panelsOf(m: Machine): Panels {
  return {
    cpus: inspect.cpus(m),
    ps: inspect.ps(m),
    locks: inspect.locks(m),
    sems: inspect.sems(m),
    pipes: inspect.pipes(m),
    uart: inspect.uart(m),
  };
}

function legend(lanes: string[], nameOf: (pid: number) => string): string[] {
  const pids = new Set<number>();
  for (const lane of lanes) {
    for (const ch of lane) if (ch !== SCHEDULER && ch !== IDLE) pids.add(LETTERS.indexOf(ch) + 1);
  }
  return [...pids].sort((a, b) => a - b).map((pid) =>
    `${letterOf(pid)} pid ${pid} (${nameOf(pid)})`
  );
}

/** A live machine's lanes, sampled between the worker's slices. */
export class LiveLanes {
  private readonly lanes: string[][];
  /** The step each column was sampled at. */
  private readonly columnSteps: number[] = [];
  private nextColumnAt = LIVE_STEPS_PER_COLUMN;
  /** The last name each pid was seen running under. */
  private readonly names = new Map<number, string>();

  constructor(ncpu: number) {
    this.lanes = Array.from({ length: ncpu }, () => []);
  }

  /** A column, if the machine has gone another LIVE_STEPS_PER_COLUMN steps since the last. */
  sample(m: Machine): void {
    if (m.steps < this.nextColumnAt) return;
    this.nextColumnAt = m.steps - m.steps % LIVE_STEPS_PER_COLUMN + LIVE_STEPS_PER_COLUMN;
    const full = this.columnSteps.length === LANE_COLUMNS;
    if (full) this.columnSteps.shift();
    this.columnSteps.push(m.steps);
    m.cpus.forEach((c, i) => {
      const p = c.current.proc;
      if (p !== null) this.names.set(p.pid, p.name);
      if (full) this.lanes[i].shift();
      this.lanes[i].push(p !== null ? letterOf(p.pid) : c.wfi ? IDLE : SCHEDULER);
    });
  }

  get(): Lanes {
    const lanes = this.lanes.map((l) => l.join(""));
    return {
      stepsPerColumn: LIVE_STEPS_PER_COLUMN,
      firstStep: this.columnSteps[0] ?? 0,
      lanes,
      legend: legend(lanes, (pid) => this.names.get(pid) ?? "?"),
    };
  }
}

/** A journal's lanes from its step index: each column, on each CPU, who took most of its
 * steps there (its scheduler, idle, or a process). */
export function indexLanes(index: StepIndex, ncpu: number): Lanes {
  const per = Math.max(1, Math.ceil(index.total / LANE_COLUMNS));
  // Steps count from 1 in the index: step j of the chart is the index's j + 1.
  const most = busiest(
    index.total,
    per,
    ncpu,
    (j) => index.cpu[j + 1],
    (j) => index.kind[j + 1] === EV.WFI ? -1 : index.pid[j + 1],
  );
  const lanes = most.map((cols) =>
    cols.map((who) =>
      Number.isNaN(who) || who === -1 ? IDLE : who === 0 ? SCHEDULER : letterOf(who)
    ).join("")
  );
  return {
    stepsPerColumn: per,
    firstStep: 0,
    lanes,
    legend: legend(lanes, (pid) => index.nameAt(pid, index.total)),
  };
}
