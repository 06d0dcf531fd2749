// Scheduling policies: which CPU takes the next step, and whether a pending interrupt is taken
// first. The machine asks the policy at every step; a policy decides only from the machine's
// state and the seeded PRNG, so the same seed makes the same run.

import type { Cpu } from "./machine.ts";
import { Rand } from "./rand.ts";

export interface Policy {
  readonly name: string;
  /** The index of the CPU to step next, or -1 when every CPU waits for an interrupt. */
  pick(cpus: readonly Cpu[]): number;
  /** Is the pending interrupt of this CPU (whose interrupts are on) taken before its step? */
  takeInterrupt(c: Cpu): boolean;
}

/** Round-robin over the CPUs that are not idle; interrupts are taken as soon as possible. */
export class RoundRobin implements Policy {
  readonly name = "rr";
  private last = -1;

  pick(cpus: readonly Cpu[]): number {
    const n = cpus.length;
    for (let i = 1; i <= n; i++) {
      const j = (this.last + i) % n;
      if (!cpus[j].wfi) return (this.last = j);
    }
    return -1;
  }

  takeInterrupt(): boolean {
    return true;
  }
}

/** Every choice drawn from the seeded PRNG: any CPU that is not idle, interrupts at random. */
export class RandomPolicy implements Policy {
  readonly name = "random";
  private readonly rand: Rand;
  private readonly ready: number[] = [];

  constructor(readonly seed: number) {
    this.rand = new Rand(seed);
  }

  pick(cpus: readonly Cpu[]): number {
    const ready = this.ready;
    ready.length = 0;
    for (let j = 0; j < cpus.length; j++) if (!cpus[j].wfi) ready.push(j);
    if (ready.length === 0) return -1;
    return ready.length === 1 ? ready[0] : ready[this.rand.below(ready.length)];
  }

  takeInterrupt(): boolean {
    return (this.rand.u32() & 1) === 0;
  }
}

export function makePolicy(name: string, seed: number): Policy {
  if (name === "rr") return new RoundRobin();
  if (name === "random") return new RandomPolicy(seed);
  throw new Error(`unknown scheduling policy '${name}' (rr or random)`);
}
