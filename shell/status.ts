// dv6's own exit statuses (README, "Exit statuses"); otherwise dv6 exits with the program's.

import type { MachineEnd } from "../kernel/machine.ts";
import type { CommandName } from "./cli.ts";

/** A bad command line (cli.ts): its message, and whose usage goes with it. Here, apart from
 * the parser, so that modules the page bundles (log.ts) need not import it. */
export class UsageError extends Error {
  /** `command`: whose usage goes with the message (dv6's when undefined). */
  constructor(message: string, readonly command?: CommandName) {
    super(message);
  }
}

/** A usage error, a host file that cannot be used, or a journal that cannot be replayed. */
export const EXIT_USAGE = 2;
/** The kernel panicked. */
export const EXIT_PANIC = 3;
/** Nothing could run any more, and nothing would wake anything. */
export const EXIT_DEADLOCK = 4;

/** The status dv6 exits with when the machine ended so: init's program's status (as an exit
 * status, 0..255), 0 when the host stopped it, or a panic's or a deadlock's. */
export function exitStatus(end: MachineEnd): number {
  switch (end.kind) {
    case "halt":
      return end.status & 0xff;
    case "stop":
      return 0;
    case "panic":
      return EXIT_PANIC;
    case "deadlock":
      return EXIT_DEADLOCK;
  }
}

/** Says, on stderr, what ended the machine and where its crash log is to replay. */
export function reportCrash(end: MachineEnd, crashLog: string): void {
  console.error(
    `dv6: ${end.kind === "panic" ? "kernel panic" : "deadlock"}; crash log: ${crashLog}`,
  );
  console.error(`dv6: replay it with: dv6 replay ${crashLog}`);
  console.error(`dv6: look around where it ended: ${debugHint(end, crashLog)}`);
}

/** The dv6 debug command that opens a crash log where the machine ended: at a deadlock, why
 * the first process blocked on something other than its children or the console waits; at a
 * panic, the process table and the steps before it. */
export function debugHint(end: MachineEnd, log: string): string {
  let commands = "goto end; ps; log 20";
  if (end.kind === "deadlock") {
    const waits = [...end.report.matchAll(/pid (\d+) \(.*\) waits for (.*)/g)];
    // Not a parent waiting for its children, nor a shell waiting for a line: what they wait
    // for is further down the chain.
    const blocked = waits.find((w) => w[2] !== "wait" && w[2] !== "console read") ?? waits[0];
    if (blocked !== undefined) commands = `goto end; why ${blocked[1]}`;
  }
  return `dv6 debug ${log} -x "${commands}"`;
}
