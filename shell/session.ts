// Typing into a running machine: who is reading the console, whether the shell waits at its
// prompt, and `dv6 run` / `dv6 -c`, which type a script's lines one at a time, each when the
// machine waits for console input, and print the transcript (what a terminal would show).

import type { Machine, MachineEnd } from "../kernel/machine.ts";
import { SLEEPING } from "../kernel/proc.ts";

const encoder = new TextEncoder();
const EOF = Uint8Array.of(4); // ^D
/** After the script ends, how many ^Ds a program that keeps reading gets before dv6 stops. */
const MAX_EOFS = 16;

/** Does a process wait for console input? */
export function consoleReader(m: Machine): boolean {
  return m.procs.some((p) => p.state === SLEEPING && p.chan === m.cons.readChan);
}

/** Is the shell at its prompt: a console reader, and no foreground job? */
export function atPrompt(m: Machine): boolean {
  return m.cons.fgpgid === 0 && consoleReader(m);
}

/** Processes blocked on something other than console input (or their children: a process
 * in wait() sleeps on itself). */
function blockedElsewhere(m: Machine): boolean {
  return m.procs.some((p) => p.state === SLEEPING && p.chan !== m.cons.readChan && p.chan !== p);
}

/**
 * Runs a machine whose init runs the shell, typing `lines` as the machine asks for them. When
 * the script is used up, a ^D ends the shell (and with it the run, with the last command's
 * status) unless processes remain blocked on something other than console input: then the
 * run ends in a deadlock report.
 */
export function typeScript(m: Machine, lines: readonly string[]): MachineEnd {
  let next = 0, eofs = 0;
  for (;;) {
    const end = m.run();
    if (end !== null) return end;
    if (!consoleReader(m)) return m.deadlock(); // nobody will ever read what we type
    if (next < lines.length) m.input(encoder.encode(lines[next++] + "\n"));
    else if (atPrompt(m) && blockedElsewhere(m)) return m.deadlock();
    else if (++eofs > MAX_EOFS) return m.deadlock();
    else m.input(EOF);
  }
}
