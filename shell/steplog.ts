// A step log that passes everything on to the one it wraps (a journal's writer or verifier, or
// a log that drops every step): what a host puts between the machine and its journal to look at
// the steps on their way (a watcher, the --inject injector) extends it.

import type { Event, Machine, MachineEnd, StepLog } from "../kernel/machine.ts";

export class PassLog implements StepLog {
  constructor(protected readonly inner: StepLog) {}

  beforeStep(m: Machine): void {
    this.inner.beforeStep(m);
  }
  step(cpu: number, pid: number, intr: number, ev: Event): void {
    this.inner.step(cpu, pid, intr, ev);
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
