// Scheduling policies: which CPU takes the next step, and whether a pending interrupt is taken
// first. The machine asks the policy at every step; a policy decides only from the machine's
// state and the seeded PRNG, so the same seed makes the same run.

import type { Cpu } from "./machine.ts";
import { Rand } from "./rand.ts";

export interface Policy {
  readonly name: string;
  /** The index of the CPU to step next, or -1 when none may step now (every CPU waits for an
   * interrupt, or the policy holds back those that do not until wakeAt()). */
  pick(cpus: readonly Cpu[], cycles: number): number;
  /** When a CPU the policy holds back may step again (Infinity: it holds none back). */
  wakeAt(): number;
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

  wakeAt(): number {
    return Infinity;
  }
}

// How often (one step in STARVE_ONE_IN) the random policy starves a CPU, and for how long:
// 16 << k cycles, k uniform in [0, STARVE_LEVELS), so 16 to 8192 cycles.
const STARVE_ONE_IN = 500;
const STARVE_LEVELS = 10;

/**
 * Every choice drawn from the seeded PRNG: any CPU that is not idle, interrupts at random.
 * Like rr's chaos mode, it also starves a CPU now and then for a random while (as a hypervisor
 * deschedules a virtual CPU: it does not step, and the clock goes on): a process stopped
 * between two instructions for a long time is what exposes races such as a lost wakeup, which
 * uniform choices almost never show.
 */
export class RandomPolicy implements Policy {
  readonly name = "random";
  private readonly rand: Rand;
  private readonly ready: number[] = [];
  private readonly fed: number[] = [];
  private readonly starvedUntil: number[] = [];
  private wake = Infinity;

  constructor(readonly seed: number) {
    this.rand = new Rand(seed);
  }

  pick(cpus: readonly Cpu[], cycles: number): number {
    const { ready, fed, rand } = this;
    ready.length = 0;
    fed.length = 0;
    for (let j = 0; j < cpus.length; j++) {
      if (cpus[j].wfi) continue;
      ready.push(j);
      if (!((this.starvedUntil[j] ?? 0) > cycles)) fed.push(j);
    }
    if (fed.length > 0 && rand.below(STARVE_ONE_IN) === 0) {
      const k = rand.below(fed.length);
      this.starvedUntil[fed[k]] = cycles + (16 << rand.below(STARVE_LEVELS));
      fed.splice(k, 1);
    }
    if (fed.length === 0) {
      this.wake = Math.min(...ready.map((j) => this.starvedUntil[j]));
      return -1;
    }
    return fed.length === 1 ? fed[0] : fed[rand.below(fed.length)];
  }

  wakeAt(): number {
    return this.wake;
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
