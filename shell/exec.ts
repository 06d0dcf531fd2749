// dv6 exec, run and -c: boot, let init run one program (for run and -c: the shell, typed
// into), halt when it exits. The run is always journaled: to --journal LOG, or to a session
// file that is kept as a crash log only if the kernel panics or deadlocks. --inject kills
// processes at given steps (shell/inject.ts); --check-determinism runs it all a second time
// and compares the journals (shell/determinism.ts).

import { type JournalHeader, JournalWriter, type Sink } from "../kernel/journal.ts";
import type { Machine, MachineEnd } from "../kernel/machine.ts";
import type { ProgramMain } from "../kernel/uapi/abi.ts";
import type { Sys } from "../commands/lib/usys.ts";
import { PROGRAMS } from "../commands/programs.ts";
import { typeScript } from "./session.ts";
import { exitStatus, reportCrash } from "./status.ts";
import { compareJournals, type Comparison, comparisonLine } from "./determinism.ts";
import { type Injection, Injector } from "./inject.ts";
import {
  type BootOptions,
  buildId,
  concat,
  dataFile,
  FileSink,
  headerFor,
  machineFrom,
  Output,
} from "./host.ts";

export interface Ran {
  m: Machine;
  end: MachineEnd;
  /** The injections that did not land, as warnings to print. */
  warnings: string[];
}

/** One run of the machine `header` describes, journaled to `sink`: init's program to its end,
 * or, with a `script`, the shell typed into as `dv6 run` types. */
export function runOnce(
  header: JournalHeader,
  sink: Sink,
  output: (bytes: Uint8Array, echo: boolean) => void,
  script?: readonly string[],
  inject: readonly Injection[] = [],
  programs: Readonly<Record<string, ProgramMain<Sys>>> = PROGRAMS,
): Ran {
  const writer = new JournalWriter(sink, header);
  const injector = inject.length === 0 ? null : new Injector(writer, inject);
  const m = machineFrom(header, injector ?? writer, output, programs);
  // Without a script no input will come: a machine that waits for it is stuck.
  const end = script === undefined ? m.run() ?? m.deadlock() : typeScript(m, script);
  return { m, end, warnings: injector?.report(m) ?? [] };
}

/** A journal kept in memory. */
export class MemorySink implements Sink {
  private readonly chunks: Uint8Array[] = [];
  write(bytes: Uint8Array): void {
    this.chunks.push(bytes.slice());
  }
  get bytes(): Uint8Array {
    return concat(this.chunks);
  }
}

export async function runExec(
  o: BootOptions,
  journal: string | undefined,
  script?: readonly string[],
  checkDeterminism = false,
): Promise<number> {
  const header = headerFor(o, await buildId());
  const file = new FileSink(journal ?? dataFile("session"));
  // --check-determinism keeps a copy of the first run's journal for the comparison.
  const first = checkDeterminism ? new MemorySink() : null;
  const sink: Sink = first === null ? file : {
    write(bytes) {
      file.write(bytes);
      first.write(bytes);
    },
  };
  const out = new Output();
  const { end, warnings } = runOnce(header, sink, out.write, script, o.inject);
  if (script !== undefined && !out.atLineStart) out.write(Uint8Array.of(0x0a)); // after the last prompt
  out.flush();
  file.close();
  if (end.kind === "halt") {
    if (journal === undefined) Deno.removeSync(file.path);
  } else {
    if (end.kind === "deadlock") console.log((out.atLineStart ? "" : "\n") + end.report.trimEnd());
    reportCrash(end, journal ?? keepAsCrashLog(file.path));
  }
  for (const w of warnings) console.error(w);
  if (first !== null) {
    const c = runAgain(header, first.bytes, script, o.inject);
    console.error(comparisonLine(c));
    if (c.difference !== null) return 1;
  }
  return exitStatus(end);
}

/** --check-determinism: runs the command of `header` (and `script`, `inject`) once more, on a
 * machine of its own, and compares that run's journal with the first run's. */
export function runAgain(
  header: JournalHeader,
  first: Uint8Array,
  script?: readonly string[],
  inject?: readonly Injection[],
  programs?: Readonly<Record<string, ProgramMain<Sys>>>,
): Comparison {
  const second = new MemorySink();
  runOnce(header, second, () => {}, script, inject, programs);
  return compareJournals(first, second.bytes);
}

function keepAsCrashLog(path: string): string {
  const crash = dataFile("crash");
  Deno.renameSync(path, crash);
  return crash;
}
