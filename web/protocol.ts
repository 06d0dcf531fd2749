// The messages between the page and the machine's worker. Each names its kind in `type`; a
// later panel (the machine drawn live, a journal opened as a debugger) adds kinds here, and a
// side ignores the kinds it does not know.

import type { BootOptions } from "../shell/boot.ts";

/** The page to the worker. */
export type ToWorker =
  /** Boot a machine (once per worker). `build` is the build id the page was built with. */
  | { type: "boot"; boot: BootOptions; hz: number; build: string }
  /** Keys typed at the console, raw (^C, ^P, ^D included): the console's line discipline
   * echoes and edits them. */
  | { type: "keys"; bytes: Uint8Array }
  /** The journal so far, as a file `dv6 replay` verifies (it ends as a stopped run). */
  | { type: "journal"; id: number };

/** The worker to the page. */
export type FromWorker =
  /** The machine booted: its journal header's summary. */
  | { type: "booted"; ncpu: number; sched: string; seed: number; hz: number }
  /** Console output since the last message (echo included). */
  | { type: "output"; text: string }
  /** A few times a second: how far the machine is, and how fast it went. `busyMs` is the time
   * spent running steps, so steps / busyMs is the machine's speed. */
  | { type: "status"; steps: number; ticks: number; busyMs: number; idle: boolean }
  /** The machine ended (halt, panic, deadlock, stop); a deadlock's report says who waits for
   * what (a panic's message the kernel printed on the console). */
  | { type: "end"; kind: string; report: string }
  /** The answer to a "journal" request. */
  | { type: "journal"; id: number; bytes: Uint8Array; steps: number };
