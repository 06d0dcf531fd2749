// The host's clock for a machine on it (the REPL's, the page's): a tick every 1/hz real
// seconds, whatever the machine does, each journaled where it came (Machine.tick). Host-free
// apart from performance.now(), which browsers have too.

import type { Machine } from "../kernel/machine.ts";

/** A host that fell this far behind its clock (suspended, a background tab) drops the ticks it
 * missed, rather than delivering them all at once. */
const MAX_LAG_MS = 1000;

export class HostClock {
  private readonly tickMs: number;
  private nextTickAt: number;

  constructor(hz: number) {
    this.tickMs = 1000 / hz;
    this.nextTickAt = performance.now() + this.tickMs;
  }

  /** Delivers to the machine the ticks that came by `now`. */
  tick(m: Machine, now = performance.now()): void {
    if (now - this.nextTickAt > MAX_LAG_MS) this.nextTickAt = now;
    for (; this.nextTickAt <= now; this.nextTickAt += this.tickMs) m.tick();
  }

  /** Milliseconds until the next tick (0 if it is due). */
  untilNext(now = performance.now()): number {
    return Math.max(0, this.nextTickAt - now);
  }
}
