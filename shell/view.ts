// What dv6 timeline and dv6 trace share: a replay of the journal whose every verified step a
// view sees with the machine it left, and how such a replay ends for the view.

import type { JournalReader } from "../kernel/journal.ts";
import type { MachineEnd } from "../kernel/machine.ts";
import { type HostWatcher, replayJournal, type StepWatcher } from "./replay.ts";
import { EXIT_USAGE } from "./status.ts";

export interface ViewReplay {
  /** The steps verified (the view saw each). */
  steps: number;
  /** How the run ended, if the replay reached its recorded end. */
  end: MachineEnd | null;
  /** The status the command exits with: 0, 1 when the replay diverged, 2 when the journal
   * breaks; `problem` then says so in a line for stderr. */
  status: number;
  problem: string | null;
}

/** A view's watcher throws it when it has seen all the steps it shows: the replay stops. */
export class StopView extends Error {}

/** Replays the journal (its console output goes nowhere), `watch` seeing every step, until
 * the end or until `watch` throws StopView. */
export function replayForView(
  reader: JournalReader,
  command: string,
  watch: StepWatcher,
  hostWatch?: HostWatcher,
): ViewReplay {
  let seen = 0;
  let r;
  try {
    r = replayJournal(reader, () => {}, undefined, (m, cpu, pid, intr, ev) => {
      watch(m, cpu, pid, intr, ev);
      seen = m.steps;
    }, hostWatch);
  } catch (e) {
    if (e instanceof StopView) return { steps: seen, end: null, status: 0, problem: null };
    throw e;
  }
  if (r.divergence !== null) {
    const d = r.divergence;
    return {
      steps: r.steps,
      end: null,
      status: 1,
      problem: `dv6 ${command}: the replay diverged at step ${d.step} (recorded: ${d.recorded}; ` +
        `replayed: ${d.replayed}); shown up to step ${r.steps}`,
    };
  }
  if (r.truncated !== null) {
    return {
      steps: r.steps,
      end: null,
      status: EXIT_USAGE,
      problem: `dv6 ${command}: the journal breaks after step ${r.steps}: ${r.truncated}`,
    };
  }
  return { steps: r.steps, end: r.end, status: 0, problem: null };
}

/** Lines of at most `width` characters holding `items` in order, `sep` between two on a line
 * (an item longer than the width is cut). */
export function wrap(items: readonly string[], width: number, sep = " "): string[] {
  const lines: string[] = [];
  let line = "";
  for (const item of items.map((w) => w.slice(0, width))) {
    if (line === "") line = item;
    else if (line.length + sep.length + item.length <= width) line += sep + item;
    else {
      lines.push(line);
      line = item;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/**
 * Who kept each CPU busiest in each column of a chart: steps 0..n-1 in columns of `span`; for
 * each CPU (`cpuOf`), the one (`whoOf`: a process, or what the chart calls its scheduler or
 * idleness; null for a step that does not count) that took most of the column's steps there,
 * the first to take one among equals; NaN where no step counted. [cpu][column].
 */
export function busiest(
  n: number,
  span: number,
  ncpu: number,
  cpuOf: (step: number) => number,
  whoOf: (step: number) => number | null,
): number[][] {
  const out: number[][] = Array.from({ length: ncpu }, () => []);
  for (let from = 0; from < n; from += span) {
    const counts = Array.from({ length: ncpu }, () => new Map<number, number>());
    for (let j = from; j < Math.min(n, from + span); j++) {
      const who = whoOf(j);
      if (who === null) continue;
      const c = counts[cpuOf(j)];
      c.set(who, (c.get(who) ?? 0) + 1);
    }
    counts.forEach((c, cpu) => {
      let best = NaN, most = 0;
      for (const [who, k] of c) if (k > most) best = who, most = k;
      out[cpu].push(best);
    });
  }
  return out;
}
