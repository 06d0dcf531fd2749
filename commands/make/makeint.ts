// What the files of make share (GNU make's makeint.h): where a line comes from (Floc), the fatal
// error of the reader and the expander (MakeError), the state of one make process (Make) and the
// exception that ends it (Die, as GNU's fatal() ends in die()), and the requests the reader and
// the expander yield.
//
// The reader (read.ts) and the expander (expand.ts, with function.ts's functions and
// variable.ts's assignments) are generators that yield what they need from the outside world
// (the text of an included makefile, a message to print, a shell command's output, the files a
// wildcard matches) and get the answer back, so that read.ts's drive() can answer them with
// system calls while they stay pure. A request is performed once, where the expansion reaches
// it: a $(shell) runs once per evaluation and $(info) prints in order with it, as in GNU make.

import type { Database, Node } from "./file.ts";
import type { Job } from "./job.ts";
import type { JobServer } from "./jobserver.ts";
import type { Options } from "./options.ts";
import type { Vars } from "./variable.ts";
import type { Sys } from "../lib/usys.ts";

/** Where a line comes from: for messages such as `Makefile:3: *** missing separator.  Stop.` */
export interface Floc {
  file: string;
  line: number;
}

/** A fatal error: printed `FILE:LINE: *** MESSAGE.  Stop.` (or `make: *** MESSAGE.  Stop.`). */
export class MakeError extends Error {
  constructor(readonly floc: Floc | null, message: string) {
    super(message);
  }
}

/** Exit: thrown to end make with `status` after the message has been printed. */
export class Die {
  constructor(readonly status: number) {}
}

/** Everything one make process keeps, made in its main: nothing lives at module level. */
export interface Make {
  sys: Sys;
  /** `make`, or `make[1]` in a recursive make: the prefix of its messages. */
  prog: string;
  /** How it was called (argv[0]): $(MAKE). */
  name: string;
  pid: number;
  level: number;
  o: Options;
  cwd: string;
  db: Database;
  nodes: Map<string, Node>;
  /** Files that ought to exist: targets and prerequisites of explicit rules. */
  mentioned: Set<string>;
  jobs: Map<number, Job>;
  js: JobServer | null;
  /** Job slots without a jobserver: 1, N (a forced -jN) or Infinity. */
  limit: number;
  /** The pass stopped: a job is ready but no slot is free. */
  blocked: boolean;
  /** An error without -k: no new job starts. */
  stopping: boolean;
  waitingPrinted: boolean;
  failed: boolean;
  /** -q found a target to remake (make exits 1 unless something failed). */
  questioned: boolean;
  /** The pattern-specific variables of each file (null: none match it). */
  patVars: Map<string, Vars | null>;
  /** Jobs started so far (GNU's commands_started). */
  started: number;
  jobsMade: number;
  printDir: boolean;
  /** It said `Entering directory` (so it says `Leaving directory` at exit). */
  entered: boolean;
  /** -q: `Entering directory` is said before the first output (see main). */
  deferEnter: boolean;
  /** MAKEFLAGS and the environment of recipes (`envReady`: made, once the makefiles are
   * read; until then a $(shell) gets one made for it). */
  makeflags: string;
  env: string[];
  envReady: boolean;
  /** The environment is being made (a $(shell) in an exported variable gets make's own). */
  envBusy: boolean;
  /** Children reaped while a $(shell) waited for its own (wait() takes any child): their
   * [pid, status], for the job loop to handle in order. */
  reaps: [number, number][];
  /** The job log of --stats/--timeline (shared with recursive makes), and whether this make
   * made it. */
  joblog: string | null;
  joblogOwner: boolean;
  startTick: number;
  /** While make remakes an `include`d makefile it could not read: `FILE:LINE: NAME: No such
   * file or directory`, said before the first error about it (GNU's show_goal_error), once. */
  goalError: { text: string | null } | null;
}

// ---------------------------------------------------------------------------------------------
// The reader's and the expander's requests

/** A shell command's output and its status (GNU's: the exit code, or 128 + the signal). */
export interface ShellResult {
  out: string;
  status: number;
}

/** What expansion asks of the outside world. */
export type ExpandRequest =
  | { kind: "print"; fd: number; text: string } // answered with nothing
  | { kind: "shell"; cmd: string } // `/bin/sh -c cmd`: answered with a ShellResult
  | { kind: "wildcard"; pattern: string }; // answered with the names it matches (string[])

/** What the reader asks of the outside world: expansion's requests, and included files. */
export type ReadRequest =
  | { kind: "read"; path: string } // answered with the file's text, or null
  | ExpandRequest;

/** The answers to requests (each kind gets its own, above). */
export type Answer = string | null | string[] | ShellResult | undefined;

export type Expander<T> = Generator<ExpandRequest, T, Answer>;

export type Reader<T> = Generator<ReadRequest, T, Answer>;
