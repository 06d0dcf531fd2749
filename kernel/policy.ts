// Scheduling policies: which CPU takes the next step, and whether a pending interrupt is taken
// first. The machine asks the policy at every step; a policy decides only from the machine's
// state and the seeded PRNG, so the same seed makes the same run.

import type { Cpu } from "./machine.ts";
import { Rand } from "./rand.ts";

export interface Policy {
  readonly name: string;
  /** The index of the CPU to step next among those not idle, whose earliest clock is `now`;
   * or -1 when the policy stole time from the one it had picked (the machine asks again). */
  pick(cpus: readonly Cpu[], now: number): number;
  /** Is the pending interrupt of this CPU (whose interrupts are on) taken before its step? */
  takeInterrupt(c: Cpu): boolean;
}

/** The CPUs in time order: the earliest clock steps, round-robin among CPUs at the same time;
 * interrupts are taken as soon as possible. */
export class RoundRobin implements Policy {
  readonly name = "rr";
  private last = -1;

  pick(cpus: readonly Cpu[], now: number): number {
    const n = cpus.length;
    for (let i = 1; i <= n; i++) {
      const j = (this.last + i) % n;
      if (!cpus[j].wfi && cpus[j].cycles === now) return (this.last = j);
    }
    throw new Error("rr: no CPU at the machine's time"); // the machine computed `now` from them
  }

  takeInterrupt(): boolean {
    return true;
  }
}

// How far (in cycles) the random policy lets a CPU run ahead of the earliest busy one.
const SKEW_CYCLES = 64;
// How often (one step in STARVE_ONE_IN) the random policy starves a CPU, and for how long:
// 16 << k cycles, k uniform in [0, STARVE_LEVELS), so 16 to 8192 cycles.
const STARVE_ONE_IN = 500;
const STARVE_LEVELS = 10;

/**
 * Every choice drawn from the seeded PRNG: any busy CPU within SKEW_CYCLES of the earliest,
 * interrupts at random. Like rr's chaos mode, it also starves a CPU now and then for a random
 * while (as a hypervisor deschedules a virtual CPU: its clock jumps ahead with no work done, so
 * the others run that long before it steps again): a process stopped between two
 * instructions for a long time is what exposes races such as a lost wakeup, which uniform
 * choices almost never show.
 */
export class RandomPolicy implements Policy {
  readonly name = "random";
  private readonly rand: Rand;
  private readonly ready: number[] = [];

  constructor(readonly seed: number) {
    this.rand = new Rand(seed);
  }

  pick(cpus: readonly Cpu[], now: number): number {
    const { ready, rand } = this;
    ready.length = 0;
    for (let j = 0; j < cpus.length; j++) {
      if (!cpus[j].wfi && cpus[j].cycles <= now + SKEW_CYCLES) ready.push(j);
    }
    const j = ready.length === 1 ? ready[0] : ready[rand.below(ready.length)];
    if (rand.below(STARVE_ONE_IN) === 0) {
      cpus[j].cycles += 16 << rand.below(STARVE_LEVELS);
      return -1;
    }
    return j;
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
