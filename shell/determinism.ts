// --check-determinism (madsim's CHECK_DETERMINISM): the same command run twice in one process,
// two machines, two journals; this compares them record by record and names the first step
// where they differ, each side as `dv6 log` describes it. A dv6 run depends on nothing but its
// journal's header and the host's input, so any difference is a nondeterminism that crept in
// (host time, a Map's order, state kept between runs): caught at its step.

import { isDeepStrictEqual } from "node:util";
import { JournalReader, type JournalRecord } from "../kernel/journal.ts";
import { describe } from "./log.ts";

export interface Comparison {
  /** Steps the two journals have in common. */
  steps: number;
  /** The first record that differs (the other side: the record at the same place, or the end of
   * its journal), each as `dv6 log` describes it; or null if the journals are the same. */
  difference: { record: "step" | "between steps"; first: string; second: string } | null;
}

/** Compares two journals of the same command, record by record. */
export function compareJournals(a: Uint8Array, b: Uint8Array): Comparison {
  const first = new JournalReader(a), second = new JournalReader(b);
  const ra = first.records(), rb = second.records();
  let steps = 0;
  for (;;) {
    const x = ra.next(), y = rb.next();
    if (x.done && y.done) return { steps, difference: null };
    const p = x.done ? undefined : x.value, q = y.done ? undefined : y.value;
    if (p === undefined || q === undefined || !isDeepStrictEqual(p, q)) {
      const record = (p ?? q)!.type === "step" ? "step" : "between steps";
      return { steps, difference: { record, first: side(p, first), second: side(q, second) } };
    }
    if (p.type === "step") steps++;
  }
}

function side(r: JournalRecord | undefined, reader: JournalReader): string {
  if (r !== undefined) return describe(r);
  return `(end of journal${reader.broken === null ? "" : `: ${reader.broken}`})`;
}

/** The line --check-determinism prints: where the runs differ (steps count from 1; input, a
 * tick, a kill or the end comes after a step), or that they do not. */
export function comparisonLine(c: Comparison): string {
  const d = c.difference;
  if (d === null) {
    return `check-determinism: 2 runs, ${c.steps.toLocaleString("en-US")} steps, identical`;
  }
  const where = d.record === "step" ? `at step ${c.steps + 1}` : `after step ${c.steps}`;
  return `check-determinism: the two runs differ ${where}: first: ${d.first}, second: ${d.second}`;
}
