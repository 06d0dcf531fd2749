// dv6 exec, run and -c: boot, let init run one program (for run and -c: the shell, typed
// into), halt when it exits. The run is always journaled: to --journal LOG, or to a session
// file that is kept as a crash log only if the kernel panics or deadlocks.

import { JournalWriter } from "../kernel/journal.ts";
import { typeScript } from "./session.ts";
import { exitStatus, reportCrash } from "./status.ts";
import {
  type BootOptions,
  buildId,
  dataFile,
  FileSink,
  headerFor,
  machineFrom,
  Output,
} from "./host.ts";

export async function runExec(
  o: BootOptions,
  journal: string | undefined,
  script?: readonly string[],
): Promise<number> {
  const header = headerFor(o, await buildId());
  const sink = new FileSink(journal ?? dataFile("session"));
  const out = new Output();
  const m = machineFrom(header, new JournalWriter(sink, header), out.write);
  // Without a script no input will come: a machine that waits for it is stuck.
  const end = script === undefined ? m.run() ?? m.deadlock() : typeScript(m, script);
  if (script !== undefined && !out.atLineStart) out.write(Uint8Array.of(0x0a)); // after the last prompt
  out.flush();
  sink.close();
  if (end.kind === "halt") {
    if (journal === undefined) Deno.removeSync(sink.path);
  } else {
    if (end.kind === "deadlock") console.log((out.atLineStart ? "" : "\n") + end.report.trimEnd());
    reportCrash(end, journal ?? keepAsCrashLog(sink.path));
  }
  return exitStatus(end);
}

function keepAsCrashLog(path: string): string {
  const crash = dataFile("crash");
  Deno.renameSync(path, crash);
  return crash;
}
