// Mutual exclusion spin locks, as in xv6's kernel/spinlock.c. acquire() yields before every
// test-and-set and release() after clearing the lock, so other CPUs (and, where interrupts are
// on, interrupts) really interleave at lock operations.

import { EV, type Event, event, type KGen } from "./event.ts";
import type { Cpu, Machine } from "./machine.ts";
import { panic } from "./printf.ts";

export class Spinlock {
  locked = false;
  cpu: Cpu | null = null; // the cpu holding the lock
  readonly acquireEvent: Event;
  readonly releaseEvent: Event;

  /** `label` names this lock in the journal (xv6's name, plus an index where there are many). */
  constructor(readonly label: string) {
    this.acquireEvent = event(EV.ACQUIRE, { lk: this });
    this.releaseEvent = event(EV.RELEASE, { lk: this });
  }
}

/** Is this cpu holding the lock? Interrupts must be off. */
export function holding(m: Machine, lk: Spinlock): boolean {
  return lk.locked && lk.cpu === m.cpu;
}

export function* acquire(m: Machine, lk: Spinlock): KGen {
  pushOff(m); // disable interrupts to avoid deadlock.
  if (holding(m, lk)) panic("acquire");
  // The test-and-set is atomic: nothing runs between the test after a yield and the set.
  do yield lk.acquireEvent; while (lk.locked);
  lk.locked = true;
  lk.cpu = m.cpu;
  m.cpu.held.push(lk);
}

export function* release(m: Machine, lk: Spinlock): KGen {
  if (!holding(m, lk)) panic("release");
  const held = m.cpu.held;
  held.splice(held.lastIndexOf(lk), 1);
  lk.cpu = null;
  lk.locked = false;
  popOff(m);
  yield lk.releaseEvent;
}

// push_off/pop_off are like intr_off()/intr_on() except that they are matched:
// it takes two pop_off()s to undo two push_off()s. Also, if interrupts are initially off,
// then push_off, pop_off leaves them off.
export function pushOff(m: Machine): void {
  const c = m.cpu;
  const old = c.intrOn;
  c.intrOn = false;
  if (c.noff === 0) c.intena = old;
  c.noff += 1;
}

export function popOff(m: Machine): void {
  const c = m.cpu;
  if (c.intrOn) panic("pop_off - interruptible");
  if (c.noff < 1) panic("pop_off");
  c.noff -= 1;
  if (c.noff === 0 && c.intena) c.intrOn = true;
}
