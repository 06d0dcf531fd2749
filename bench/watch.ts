// A watcher of a run: a step log that passes everything on to the one it wraps (the journal
// writer, or a log that drops every step) and looks at each step on the way.

import type { Event } from "../kernel/event.ts";
import type { Machine, MachineEnd, StepLog } from "../kernel/machine.ts";

export abstract class StepWatch implements StepLog {
  constructor(private readonly inner: StepLog) {}

  /** Sees each step after the inner log has it. */
  protected abstract watch(cpu: number, pid: number, intr: number, ev: Event): void;

  beforeStep(m: Machine): void {
    this.inner.beforeStep(m);
  }
  step(cpu: number, pid: number, intr: number, ev: Event): void {
    this.inner.step(cpu, pid, intr, ev);
    this.watch(cpu, pid, intr, ev);
  }
  input(moves: number, cycles: number, bytes: Uint8Array): void {
    this.inner.input(moves, cycles, bytes);
  }
  tick(moves: number, cycles: number): void {
    this.inner.tick(moves, cycles);
  }
  kill(moves: number, cycles: number, pid: number, name: string): void {
    this.inner.kill(moves, cycles, pid, name);
  }
  end(end: MachineEnd): void {
    this.inner.end(end);
  }
}
