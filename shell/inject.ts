// --inject kill:WHO@STEP: a fault put at an exact step, where a lesson needs it (sys161's doom
// counter, FoundationDB's BUGGIFY): "kill the make holding 3 tokens here", "kill the mutex owner
// inside its critical section".
//
// After step STEP (steps count from 1, as `dv6 log` numbers them), before the next one, the
// host has the kernel kill WHO: a pid, or a name (the newest live process of that name at that
// moment: the highest pid, since pids only grow). The kill is the kernel's own (Machine.
// injectKill: kill()'s effect, then the victim's exit as any killed process's: SEM_UNDO, robust
// lists, the robust semaphores' adjustments) and is journaled where it landed, so a replay
// needs no flag. A kill that finds its victim's p->lock held lands after a later step, once it
// is free, as kill() would spin on it. A target that is not there at STEP (no live process of
// that pid or name), or a STEP the run never reaches, journals nothing: the host warns at the
// end. Several injections may be given, at the same step or others; they land in step order,
// those of one step in the order given.

import type { Machine, StepLog } from "../kernel/machine.ts";
import { UNUSED, ZOMBIE } from "../kernel/machine.ts";
import type { CommandName } from "./cli.ts";
import { UsageError } from "./status.ts";
import { PassLog } from "./steplog.ts";

export interface Injection {
  /** The option's value, as given (for messages). */
  readonly spec: string;
  /** The victim: a pid, or a process name. */
  readonly pid?: number;
  readonly name?: string;
  /** It lands after this step (counting from 1). */
  readonly step: number;
}

/** `kill:PID@STEP` or `kill:NAME@STEP`; anything else is a usage error naming the value. */
export function parseInjection(spec: string, command: CommandName): Injection {
  const m = /^kill:(.+)@(\d+)$/.exec(spec);
  const step = m === null ? NaN : Number(m[2]);
  if (m === null || !Number.isSafeInteger(step) || step < 1) {
    throw new UsageError(
      `--inject takes kill:PID@STEP or kill:NAME@STEP (STEP from 1), not '${spec}'`,
      command,
    );
  }
  const who = m[1];
  return /^\d+$/.test(who) ? { spec, pid: Number(who), step } : { spec, name: who, step };
}

/**
 * The host's side of the injections: a step log wrapped around the journal's writer that, before
 * each step, lands the kills that are due. Once all have landed (or were given up), it takes
 * itself out of the machine's way: the step loop runs as if it had never been there.
 */
export class Injector extends PassLog {
  /** The injections in step order (the sort is stable: one step's in the order given). */
  private readonly due: Injection[];
  private next = 0;
  /** Due, their victim found, waiting for its p->lock to be free. */
  private pending: { inj: Injection; pid: number }[] = [];
  /** What did not land, and why: for the host to print at the end. */
  private readonly warnings: string[] = [];

  constructor(inner: StepLog, injections: readonly Injection[]) {
    super(inner);
    this.due = [...injections].sort((a, b) => a.step - b.step);
  }

  override beforeStep(m: Machine): void {
    this.inner.beforeStep(m);
    if (m.end !== null) return;
    while (this.next < this.due.length && this.due[this.next].step <= m.steps) {
      const inj = this.due[this.next++];
      const pid = victim(m, inj);
      if (pid !== null) this.pending.push({ inj, pid });
      else {
        const who = inj.pid !== undefined ? `with pid ${inj.pid}` : `named ${inj.name}`;
        this.warn(inj, `no process ${who} at step ${inj.step}`);
      }
    }
    if (this.pending.length > 0) this.pending = this.pending.filter((k) => !this.land(m, k));
    if (this.next === this.due.length && this.pending.length === 0) m.log = this.inner;
  }

  // Has the kill landed (or become impossible: its victim exited while it waited)?
  private land(m: Machine, k: { inj: Injection; pid: number }): boolean {
    if (m.injectKill(k.pid)) return true;
    if (m.liveProc(k.pid) !== null) return false; // its p->lock is held: after the next step
    this.warn(k.inj, `pid ${k.pid} exited at step ${m.steps}, before its lock was free`);
    return true;
  }

  private warn(inj: Injection, why: string): void {
    this.warnings.push(`dv6: --inject ${inj.spec}: ${why}`);
  }

  /** The warnings of the run that ended in `m`: injections that did not land, in step order. */
  report(m: Machine): string[] {
    const lost = [...this.pending.map((k) => k.inj), ...this.due.slice(this.next)];
    return [
      ...this.warnings,
      ...lost.map((inj) => `dv6: --inject ${inj.spec}: the run ended after ${m.steps} steps`),
    ];
  }
}

// The pid the injection kills at this moment, or null if there is no such live process.
function victim(m: Machine, inj: Injection): number | null {
  if (inj.pid !== undefined) return m.liveProc(inj.pid)?.pid ?? null;
  let newest: number | null = null;
  for (const p of m.procs) {
    if (p.state === UNUSED || p.state === ZOMBIE || p.name !== inj.name) continue;
    if (newest === null || p.pid > newest) newest = p.pid;
  }
  return newest;
}
