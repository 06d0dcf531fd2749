// ps: the process table, one line per process after a header, in table order (columns as
// procps's `ps -o pid,ppid,stat,time,comm,wchan`, simplified): pid, parent's pid, state,
// ticks used, name, and what a sleeper waits for ("-" for the others). When some process holds
// semaphore units the kernel will give back at its exit (taken with SEM_UNDO, or from a robust
// POSIX semaphore: a sysvsem or psem jobserver's tokens), a TOKENS column after TICKS says how
// many each holds. A pipe jobserver's tokens are bytes that no kernel keeps account of: ps
// cannot show them, which is the very reason a killed holder takes them with it.

import type { Program } from "../../kernel/uapi/abi.ts";
import { fprintf } from "../lib/ulib.ts";
import type { ProcInfo, Sys } from "../lib/usys.ts";

function line(
  pid: string,
  ppid: string,
  state: string,
  ticks: string,
  name: string,
  wchan: string,
  tokens: string | null,
) {
  return pid.padStart(5) + " " + ppid.padStart(5) + " " + state.padEnd(6) + " " +
    ticks.padStart(6) + " " + (tokens === null ? "" : tokens.padStart(6) + " ") +
    name.padEnd(15) + " " + wchan + "\n";
}

function format(procs: readonly ProcInfo[]): string {
  // TOKENS only when some process holds units the kernel gives back (a jobserver's tokens).
  const tokens = procs.some((p) => p.undo !== 0);
  let out = line("PID", "PPID", "STATE", "TICKS", "NAME", "WCHAN", tokens ? "TOKENS" : null);
  for (const p of procs) {
    const state = p.state.trim();
    const wchan = state === "sleep" && p.waitsFor !== "" ? p.waitsFor : "-";
    out += line(
      String(p.pid),
      String(p.ppid),
      state,
      String(p.ticks),
      p.name,
      wchan,
      tokens ? String(p.undo) : null,
    );
  }
  return out;
}

export default function* ps(sys: Sys, argv: string[]): Program {
  if (argv.length > 1) {
    yield* fprintf(sys, 2, "usage: ps\n");
    return yield* sys.exit(1);
  }
  const procs = yield* sys.procs();
  yield* sys.write(1, format(procs));
  return yield* sys.exit(0);
}
