// The messages between the page and the machine's worker. Each names its kind in `type`; a
// later panel adds kinds here, and a side ignores the kinds it does not know.

import type { BootOptions } from "../shell/boot.ts";

/** The machine drawn as `dv6 debug` prints it: each panel is the lines its command prints. */
export interface Panels {
  cpus: string[];
  ps: string[];
  locks: string[];
  sems: string[];
  pipes: string[];
  uart: string[];
}

/** The timeline strip: one lane per CPU, one character per column of steps (a process's
 * letter, `-` its scheduler, `.` idle), and who each letter is. */
export interface Lanes {
  stepsPerColumn: number;
  /** The step of the first column (live lanes scroll: the oldest columns go). */
  firstStep: number;
  lanes: string[];
  /** "A pid 1 (init)", one per letter in the lanes. */
  legend: string[];
}

/** The page to the worker. */
export type ToWorker =
  /** Boot a machine (once per worker). `build` is the build id the page was built with. */
  | { type: "boot"; boot: BootOptions; hz: number; build: string; panels: boolean }
  /** Keys typed at the console, raw (^C, ^P, ^D included): the console's line discipline
   * echoes and edits them. */
  | { type: "keys"; bytes: Uint8Array }
  /** The journal so far, as a file `dv6 replay` verifies (it ends as a stopped run). */
  | { type: "journal"; id: number }
  /** Snapshots of the machine (the panels) on or off. */
  | { type: "panels"; on: boolean }
  /** Open a journal as the debugger (instead of a boot; once per worker). */
  | { type: "open"; bytes: Uint8Array; name: string }
  /** A `dv6 debug` command line, in an opened journal. */
  | { type: "debug"; id: number; line: string };

/** The worker to the page. */
export type FromWorker =
  /** The machine booted: its journal header's summary. */
  | { type: "booted"; ncpu: number; sched: string; seed: number; hz: number }
  /** Console output since the last message (echo included). */
  | { type: "output"; text: string }
  /** A few times a second: how far the machine is, and how fast it went. `busyMs` is the time
   * spent running steps (panels' snapshots included), so steps / busyMs is the speed. */
  | { type: "status"; steps: number; ticks: number; busyMs: number; idle: boolean }
  /** The machine as it is now (live: at most every ~250 ms, between slices; a journal: after
   * each command). */
  | { type: "snapshot"; step: number; panels: Panels; lanes: Lanes }
  /** The machine ended (halt, panic, deadlock, stop); a deadlock's report says who waits for
   * what (a panic's message the kernel printed on the console). */
  | { type: "end"; kind: string; report: string }
  /** The answer to a "journal" request. */
  | { type: "journal"; id: number; bytes: Uint8Array; steps: number }
  /** A journal opened (error: why not): its steps, its header's summary, where it stands. */
  | {
    type: "opened";
    name: string;
    error: string | null;
    total: number;
    ncpu: number;
    sched: string;
    seed: number;
    where: string;
  }
  /** A debug command's answer: what it printed (error: its complaint), where it stands now,
   * and the console as it was there. */
  | {
    type: "debugged";
    id: number;
    lines: string[];
    error: string | null;
    step: number;
    console: string;
  };
