// Sleeping locks, as in xv6's kernel/sleeplock.c: long-term locks for processes, held across
// sleeps (a console write holds one while it waits for room in the UART's ring). A waiter
// sleeps on the lock instead of spinning, so ps and the deadlock report show the lock's name.
// The wait is not interruptible, as in xv6: kill() wakes a waiter, which finds the lock still
// held and sleeps again; it dies when it next returns to user mode.

import type { KGen } from "./event.ts";
import type { Machine } from "./machine.ts";
import { type Chan, sleep, wakeup } from "./proc.ts";
import { panic } from "./printf.ts";
import { acquire, release, Spinlock } from "./spinlock.ts";

export class Sleeplock implements Chan {
  locked = false; // Is the lock held?
  readonly lk: Spinlock; // spinlock protecting this sleep lock

  // For debugging:
  pid = 0; // Process holding lock

  /** `what` is xv6's name of the lock: waiters sleep on it, and ps shows it. */
  constructor(readonly what: string) {
    this.lk = new Spinlock(`sleep lock (${what})`);
  }

  /** Who holds it, for a deadlock report. */
  explain(): string {
    return this.locked ? ` (held by pid ${this.pid})` : "";
  }
}

export function* acquiresleep(m: Machine, lk: Sleeplock): KGen {
  const pid = m.myproc().pid;
  yield* acquire(m, lk.lk);
  // dv6: its holder asking again would sleep forever (as acquire() panics for a spinlock).
  if (lk.locked && lk.pid === pid) panic("acquiresleep");
  while (lk.locked) yield* sleep(m, lk, lk.lk);
  if (lk.pid !== 0) panic("acquiresleep: free lock with a holder");
  lk.locked = true;
  lk.pid = pid;
  yield* release(m, lk.lk);
}

export function* releasesleep(m: Machine, lk: Sleeplock): KGen {
  yield* acquire(m, lk.lk);
  // dv6: only its holder lets go (xv6's callers check holdingsleep() first; this is that check,
  // made under lk.lk, for every caller).
  if (!lk.locked || lk.pid !== m.myproc().pid) panic("releasesleep");
  lk.locked = false;
  lk.pid = 0;
  yield* wakeup(m, lk);
  yield* release(m, lk.lk);
}

export function* holdingsleep(m: Machine, lk: Sleeplock): KGen<boolean> {
  yield* acquire(m, lk.lk);
  const r = lk.locked && lk.pid === m.myproc().pid;
  yield* release(m, lk.lk);
  return r;
}
