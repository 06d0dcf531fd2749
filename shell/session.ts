// Typing into a running machine: who is reading the console, whether the shell waits at its
// prompt, and `dv6 run` / `dv6 -c`, which type a script's lines one at a time, each when the
// machine waits for console input, and print the transcript (what a terminal would show).

import type { Machine, MachineEnd } from "../kernel/machine.ts";
import { SLEEPING } from "../kernel/machine.ts";

const encoder = new TextEncoder();
const EOF = Uint8Array.of(4); // ^D
/** At most this much typed input goes to the UART at once: the console keeps 128 bytes, and
 * drops what comes while its buffer is full, so a long line is typed a piece at a time. */
const TYPE_CHUNK_BYTES = 64;

/** A line typed into the console as the machine reads it, a piece at a time. */
export class Typist {
  private pending = new Uint8Array(0);

  get typing(): boolean {
    return this.pending.length > 0;
  }

  /** Start typing a line (its newline included). */
  line(text: string): void {
    this.pending = encoder.encode(text + "\n");
  }

  /** Type the next piece, if the machine waits for console input. */
  typeInto(m: Machine): boolean {
    if (this.pending.length === 0 || !m.consoleReaderWaits()) return false;
    m.input(this.pending.subarray(0, TYPE_CHUNK_BYTES));
    this.pending = this.pending.subarray(TYPE_CHUNK_BYTES);
    return true;
  }
}
/** How many steps the machine runs between two looks at whether it waits for typing. */
const SLICE_STEPS = 20_000;
/** After the script ends, how many ^Ds a program that keeps reading gets before dv6 stops. */
const MAX_EOFS = 16;

/** Is the shell at its prompt: a console reader, and no foreground job? */
export function atPrompt(m: Machine): boolean {
  return m.cons.fgpgid === 0 && m.consoleReaderWaits();
}

/** Processes blocked on something other than console input (or their children: a process
 * in wait() sleeps on itself). */
function blockedElsewhere(m: Machine): boolean {
  return m.procs.some((p) => p.state === SLEEPING && p.chan !== m.cons.readChan && p.chan !== p);
}

/**
 * Runs a machine whose init runs the shell, typing `lines` as the machine asks for them. When
 * the script is used up, a ^D ends the shell (and with it the run, with the last command's
 * status; background jobs stop with the machine) unless, with nothing left to run, processes
 * remain blocked on something other than console input: then the run ends in a deadlock report.
 */
export function typeScript(m: Machine, lines: readonly string[]): MachineEnd {
  const typist = new Typist();
  let next = 0, eofs = 0;
  for (;;) {
    // In slices, so that a line is typed when the shell reads, even while background jobs
    // keep the machine busy; while lines remain, the clock does not jump past a reader.
    m.hostTyping = typist.typing || next < lines.length;
    const end = m.run(SLICE_STEPS);
    if (end !== null) return end;
    const busy = m.stall === "steps";
    if (!m.consoleReaderWaits()) {
      if (busy) continue;
      return m.deadlock(); // nobody will ever read what we type
    }
    // A typist types once what was written is out (the prompt, a job's last line): a key's
    // echo would otherwise land in the middle of it.
    if (busy && m.consoleSending()) continue;
    if (!typist.typing && next < lines.length) typist.line(lines[next++]);
    if (typist.typeInto(m)) continue;
    // The script is used up. A program reading the console gets end of file; at the prompt,
    // so does the shell, which ends the run, background jobs or not (a job that holds forever
    // would keep it going for good). Processes blocked for good make it a deadlock.
    if (!busy && atPrompt(m) && blockedElsewhere(m)) return m.deadlock();
    else if (++eofs > MAX_EOFS) return m.deadlock();
    else m.input(EOF);
  }
}
