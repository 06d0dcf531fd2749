// Test helpers: boot a machine with the real programs (or extra test programs), run it to its
// end, record its journal in memory, replay a journal. Everything goes through the same
// public pieces the dv6 command uses (headerFor, machineFrom, the journal).

import type { ProgramMain } from "../kernel/uapi/abi.ts";
import { JournalReader, JournalWriter } from "../kernel/journal.ts";
import type { Machine, MachineEnd } from "../kernel/machine.ts";
import { PROGRAMS } from "../commands/programs.ts";
import type { Sys } from "../commands/lib/usys.ts";
import { type BootOptions, concat, headerFor, machineFrom } from "../shell/host.ts";
import { replayJournal, type ReplayResult } from "../shell/replay.ts";

export type Programs = Readonly<Record<string, ProgramMain<Sys>>>;

export interface RunOptions extends BootOptions {
  /** Test programs, added to the real ones. */
  programs?: Programs;
  /** Stop after this many steps (a run that has not ended by then has `end === null`). */
  maxSteps?: number;
}

export interface Run {
  m: Machine;
  end: MachineEnd | null;
  /** Console output as text. */
  out: string;
  journal: Uint8Array;
  steps: number;
}

/** Collects bytes in memory (a journal sink, or console output). */
export class Bytes {
  private chunks: Uint8Array[] = [];
  readonly write = (b: Uint8Array): void => {
    this.chunks.push(b.slice());
  };
  get bytes(): Uint8Array {
    return concat(this.chunks);
  }
  get text(): string {
    return new TextDecoder().decode(this.bytes);
  }
}

/** Boots a machine running init with `initArgv` and runs it until it halts, panics or
 * deadlocks (no input ever comes). */
export function run(o: RunOptions): Run {
  const header = headerFor(o, "test");
  const journal = new Bytes();
  const out = new Bytes();
  const programs = { ...PROGRAMS, ...o.programs };
  const m = machineFrom(
    header,
    new JournalWriter({ write: journal.write }, header),
    out.write,
    programs,
  );
  let end = m.run(o.maxSteps);
  if (end === null && (o.maxSteps === undefined || m.steps < o.maxSteps)) end = m.deadlock();
  return { m, end, out: out.text, journal: journal.bytes, steps: m.steps };
}

/** Replays a journal with the same programs, checking every step. */
export function replay(journal: Uint8Array, programs?: Programs): ReplayResult & { out: string } {
  const out = new Bytes();
  const r = replayJournal(new JournalReader(journal), out.write, { ...PROGRAMS, ...programs });
  return { ...r, out: out.text };
}
