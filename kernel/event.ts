// What a step did: every kernel path yields one of these at an interleaving point, and the
// machine hands it to the journal as the step's record.

import type { Val } from "./uapi/abi.ts";
import type { Context } from "./machine.ts";

// Kinds of step record. Values are part of the journal format: append, never renumber.
export const EV = {
  ACQUIRE: 1, // about to test-and-set a spinlock (one per spin)
  RELEASE: 2, // released a spinlock
  SWTCH: 3, // switched this CPU to another context (a process or its scheduler)
  SYSCALL: 4, // a system call returned to user mode
  USER: 5, // a step of user-mode computation
  WFI: 6, // an idle CPU waits for an interrupt
  EXIT: 7, // a process entered exit() (the exit or halt call; killed, in a call or not)
  ATOMIC: 8, // a user-mode atomic instruction on shared memory
} as const;

/** A sleep channel: anything a process can wait for. `what` is shown by ps and dv6 log. */
export interface Chan {
  readonly what: string;
  /** More for a deadlock report, if the channel knows it (a futex word's owner). */
  explain?(procs: readonly { pid: number; state: number }[]): string;
}

/**
 * A step's event. Every event has every field (those its kind does not use stay empty), so
 * that the machine and the journal see one object shape on their hot path.
 */
export interface Event {
  k: number;
  /** ACQUIRE, RELEASE: the lock. */
  lk: { readonly label: string } | null;
  /** SWTCH: the context switched to; null means this CPU's scheduler. */
  to: { readonly pid: number; readonly context: Context | null; readonly readyAt: number } | null;
  /** SWTCH: why a process gave up the CPU: the channel it sleeps on, or "" (yield, exit). */
  why: string;
  /** SYSCALL, EXIT: the call's number, arguments and result; ATOMIC: the same for the
   * instruction (n is ATOMIC, a its operands, r the word's old value). */
  n: number;
  a: Val[];
  r: Val;
}

const NO_ARGS: Val[] = [];

export function event(k: number, fields: Partial<Event> = {}): Event {
  return {
    k,
    lk: fields.lk ?? null,
    to: fields.to ?? null,
    why: fields.why ?? "",
    n: fields.n ?? 0,
    a: fields.a ?? NO_ARGS,
    r: fields.r,
  };
}

/** A kernel path: a generator that yields at every interleaving point. */
export type KGen<T = void> = Generator<Event, T, void>;

export const USER_EVENT = event(EV.USER);
export const WFI_EVENT = event(EV.WFI);
