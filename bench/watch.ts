// A watcher of a run: a step log that passes everything on to the one it wraps (the journal
// writer, or a log that drops every step) and looks at each step on the way.

import type { Event } from "../kernel/event.ts";
import { PassLog } from "../shell/steplog.ts";

export abstract class StepWatch extends PassLog {
  /** Sees each step after the inner log has it. */
  protected abstract watch(cpu: number, pid: number, intr: number, ev: Event): void;

  override step(cpu: number, pid: number, intr: number, ev: Event): void {
    super.step(cpu, pid, intr, ev);
    this.watch(cpu, pid, intr, ev);
  }
}
