// Boot options to a journal header, and a header to a machine: the one way every host (the
// CLI, a replay, the debugger, the page's worker) builds a machine. Host-free: it touches no
// host API, so the browser build bundles it as it is (and concat, for the journal's bytes).

import type { Injection } from "./inject.ts";
import { FORMAT, type JournalHeader } from "../kernel/journal.ts";
import { Machine, type StepLog } from "../kernel/machine.ts";
import type { ProgramMain } from "../kernel/uapi/abi.ts";
import { NCPU, NPROC } from "../kernel/param.ts";
import { PROGRAMS } from "../commands/programs.ts";
import { Sys } from "../commands/lib/usys.ts";
import { BOOT_FILES } from "./mkfs.ts";

export interface BootOptions {
  cpus?: number;
  nproc?: number;
  sched?: string;
  seed?: number;
  initArgv?: string[];
  image?: Record<string, Uint8Array>;
  options?: Record<string, string | number | boolean>;
  /** --inject: kills at given steps. Not in the header: the journal records each kill. */
  inject?: readonly Injection[];
}

export function headerFor(o: BootOptions, build: string): JournalHeader {
  const image: Record<string, string> = {};
  for (const [path, bytes] of Object.entries(o.image ?? {})) image[path] = toBase64(bytes);
  return {
    format: FORMAT,
    build,
    ncpu: o.cpus ?? NCPU,
    nproc: o.nproc ?? NPROC,
    sched: o.sched ?? "rr",
    seed: o.seed ?? 0,
    initArgv: o.initArgv ?? ["init"],
    image,
    options: o.options ?? {},
  };
}

/** The machine a header describes: the same header always boots the same machine. */
export function machineFrom(
  h: JournalHeader,
  log: StepLog | undefined,
  output?: (bytes: Uint8Array, echo: boolean) => void,
  programs: Readonly<Record<string, ProgramMain<Sys>>> = PROGRAMS,
): Machine {
  // The boot image: mkfs's files, then the header's (--fs), which may replace them.
  const image: Record<string, string | Uint8Array> = { ...BOOT_FILES };
  for (const [path, b64] of Object.entries(h.image)) image[path] = fromBase64(b64);
  return new Machine({
    ncpu: h.ncpu,
    nproc: h.nproc,
    sched: h.sched,
    seed: h.seed,
    programs,
    makeSys: (env) => new Sys(env),
    image,
    initArgv: h.initArgv,
    options: {
      brokenSleep: h.options.brokenSleep === true,
      robustFast: h.options.robustFast === "none" ? "none" : "pcrange",
      hostClock: h.options.clock === "host",
    },
    output,
    log,
  });
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

/** The chunks as one array. */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  return all;
}
