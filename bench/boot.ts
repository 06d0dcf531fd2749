// One benchmark run: dv6 booted with its defaults (3 CPUs, round-robin), init running a
// program, journaled to a file in the bench's temp directory (or not at all), run to its end.

import type { ProgramMain } from "../kernel/uapi/abi.ts";
import { JournalWriter } from "../kernel/journal.ts";
import type { Machine, MachineEnd, StepLog } from "../kernel/machine.ts";
import { PROGRAMS } from "../commands/programs.ts";
import type { Sys } from "../commands/lib/usys.ts";
import { FileSink, headerFor, machineFrom } from "../shell/host.ts";

export const CPUS = 3;
export const SCHED = "rr";

export interface BootOptions {
  /** init's program and its arguments. */
  argv: string[];
  /** The bench's temp directory and the build id the journal's header carries. */
  tmp: string;
  build: string;
  image?: Record<string, Uint8Array>;
  nproc?: number;
  /** CPUs (default CPUS). */
  cpus?: number;
  programs?: Readonly<Record<string, ProgramMain<Sys>>>;
  /** Journal to a file (the default), kept after the run with `keep` (for a replay). */
  journal?: boolean;
  keep?: boolean;
  /** Wraps the step log (the journal writer, or a log that drops every step): a watcher. */
  watch?: (log: StepLog) => StepLog;
  /** Takes the console output instead of `out` (which then stays empty). */
  output?: (bytes: Uint8Array) => void;
}

export interface Booted {
  m: Machine;
  end: MachineEnd | null;
  out: string;
  /** Host milliseconds from boot to the end, the journal closed. */
  ms: number;
  /** The kept journal and its size, or null and 0. */
  path: string | null;
  bytes: number;
}

/** A step log that records nothing, for a watcher of a run without a journal. */
const NO_LOG: StepLog = {
  beforeStep() {},
  step() {},
  input() {},
  tick() {},
  kill() {},
  end() {},
};

let seq = 0;

export function boot(o: BootOptions): Booted {
  const header = headerFor(
    {
      initArgv: ["init", ...o.argv],
      image: o.image,
      nproc: o.nproc,
      cpus: o.cpus ?? CPUS,
      sched: SCHED,
    },
    o.build,
  );
  const path = `${o.tmp}/${o.argv[0]}-${seq++}.log`;
  let out = "";
  const text = new TextDecoder();
  const t0 = performance.now();
  const sink = o.journal === false ? null : new FileSink(path);
  const writer = sink === null ? undefined : new JournalWriter(sink, header);
  const log = o.watch === undefined ? writer : o.watch(writer ?? NO_LOG);
  const output = o.output ?? ((b: Uint8Array) => out += text.decode(b));
  const m = machineFrom(header, log, output, o.programs ?? PROGRAMS);
  const end = m.run();
  sink?.close();
  const ms = performance.now() - t0;
  if (sink === null) return { m, end, out, ms, path: null, bytes: 0 };
  if (!o.keep) {
    Deno.removeSync(path);
    return { m, end, out, ms, path: null, bytes: 0 };
  }
  return { m, end, out, ms, path, bytes: Deno.statSync(path).size };
}
