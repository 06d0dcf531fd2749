// kill [-9|-KILL|-TERM|-s SIG] PID...: xv6's user/kill.c with procps's options and messages.
// xv6 has no signals: whatever the signal, kill(pid) marks the process killed. A pid that does
// not exist (or is not a number) gets procps's message, and the exit status is then 1.

import type { Program } from "../../kernel/uapi/abi.ts";
import { Getopt } from "../lib/getopt.ts";
import { signalNumber } from "../lib/signals.ts";
import { type Call, fprintf } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

/** The signal names kill accepts (with or without "SIG"), as on Linux. */
const MAXSIG = 64;

/** A signal by number or name (1 to 64), or -1. */
function signal(s: string): number {
  const n = signalNumber(s);
  return n >= 1 && n <= MAXSIG ? n : -1;
}

function* usage(sys: Sys): Call<never> {
  yield* fprintf(sys, 2, "usage: kill pid...\n");
  return yield* sys.exit(1);
}

function* badSignal(sys: Sys, s: string): Call<never> {
  yield* fprintf(sys, 2, "kill: unknown signal: %s\n", s);
  return yield* usage(sys);
}

/** Whether `a` is getopt's -s option: `-s SIG`, or `-sSIG` with a signal. */
function dashS(a: string): boolean {
  return a === "-s" || (a.startsWith("-s") && signal(a.slice(2)) >= 0);
}

export default function* kill(sys: Sys, argv: string[]): Program {
  // Options come first (getopt in POSIX order): -s SIG, -sSIG, and -- to end them. On top of
  // getopt, as procps's kill does it, every other argument that starts with '-' (and is not
  // "-" or "--") before them is a signal: -N, -NAME, -SIGNAME.
  const g = new Getopt(argv, "+:s:");
  for (;;) {
    const a = g.argv[g.optind];
    if (a !== undefined && a.startsWith("-") && a !== "-" && a !== "--" && !dashS(a)) {
      if (signal(a.slice(1)) < 0) return yield* badSignal(sys, a.slice(1));
      g.optind++;
      continue;
    }
    const c = g.getopt();
    if (c === -1) break;
    if (c !== "s") return yield* usage(sys); // -s without a signal
    if (signal(g.optarg!) < 0) return yield* badSignal(sys, g.optarg!);
  }
  const pids = g.argv.slice(g.optind);
  if (pids.length === 0) return yield* usage(sys);

  let status = 0;
  for (const a of pids) {
    if (!/^[0-9]+$/.test(a) || Number(a) > 0x7fffffff) {
      yield* fprintf(sys, 2, "kill: failed to parse argument: '%s'\n", a);
      status = 1;
      continue;
    }
    const pid = Number(a);
    // No process has pid 0 (and no process-group kill here).
    if (pid === 0 || (yield* sys.kill(pid)) < 0) {
      yield* fprintf(sys, 2, "kill: (%d) - No such process\n", pid);
      status = 1;
    }
  }
  return yield* sys.exit(status);
}
