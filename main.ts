// dv6's command line: parses options, builds a machine, hands it to a runner. No kernel logic.
//
//   dv6 exec PROGRAM [ARGS...] [options]   run one program as init's child, exit with its status
//   dv6 replay LOG                         re-run a journal, checking every step
//   dv6 log LOG [--pid P] [--from S] [--to S]   print a journal's steps

import { Divergence, JournalError, JournalReader, JournalVerifier } from "./kernel/journal.ts";
import { printLog } from "./shell/log.ts";
import { runExec } from "./shell/exec.ts";
import { type BootOptions, machineFrom, Output } from "./shell/host.ts";
import { buildId } from "./shell/host.ts";

export const EXIT_USAGE = 2;

const USAGE = `usage: dv6 exec PROGRAM [ARGS...] [options]
       dv6 replay LOG
       dv6 log LOG [--pid P] [--from STEP] [--to STEP]

options:
  --cpus N           CPUs (default 3)
  --nproc N          process table size (default 64)
  --sched rr|random  scheduling policy (default rr)
  --seed S           seed of the random policy (default 0)
  --journal LOG      record every step to LOG
  --                 the rest are the program's arguments
`;

class UsageError extends Error {}

interface Parsed {
  positionals: string[];
  values: Map<string, string>;
}

/** Splits dv6's own options (anywhere on the line) from the rest, which belongs to the program.
 * After `--`, everything is the program's. */
function parse(args: string[], known: readonly string[]): Parsed {
  const values = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    const [name, inline] = a.startsWith("--") ? a.slice(2).split(/=(.*)/s, 2) : [null, null];
    if (name === null || !known.includes(name)) {
      positionals.push(a);
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`option --${name} needs a value`);
    values.set(name, value);
  }
  return { positionals, values };
}

function intOption(p: Parsed, name: string, min: number, max: number): number | undefined {
  const v = p.values.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || n < min || n > max) {
    throw new UsageError(`--${name} takes a whole number from ${min} to ${max}, not '${v}'`);
  }
  return n;
}

const BOOT_OPTIONS = ["cpus", "nproc", "sched", "seed", "journal"];

function bootOptions(p: Parsed): BootOptions {
  const sched = p.values.get("sched") ?? "rr";
  if (sched !== "rr" && sched !== "random") {
    throw new UsageError(`--sched is rr or random, not '${sched}'`);
  }
  return {
    cpus: intOption(p, "cpus", 1, 64),
    nproc: intOption(p, "nproc", 2, 4096),
    sched,
    seed: intOption(p, "seed", 0, 0xffffffff),
  };
}

function readJournal(path: string): JournalReader {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch (e) {
    throw new JournalError(`cannot read ${path}: ${(e as Error).message}`);
  }
  return new JournalReader(bytes);
}

async function replay(path: string): Promise<number> {
  const reader = readJournal(path);
  const h = reader.header;
  const build = await buildId();
  if (h.build !== build) {
    console.error(`dv6: ${path} was recorded by build ${h.build}; this is build ${build}`);
  }
  const v = new JournalVerifier(reader);
  const out = new Output();
  const m = machineFrom(h, v, out.write);
  try {
    while (m.end === null) {
      if (m.run() !== null) break;
      // Nothing can run and no input is due: the recording ended here too, or was cut short.
      if (v.exhausted) break;
      m.deadlock();
    }
  } catch (e) {
    out.flush();
    if (!(e instanceof Divergence)) throw e;
    if (v.exhausted) return truncated(v.steps, reader);
    console.log(`replay: diverged at step ${e.step}`);
    console.log(`  recorded: ${e.recorded}`);
    console.log(`  replayed: ${e.replayed}`);
    return 1;
  }
  out.flush();
  if (m.end === null || v.ended === null) return truncated(v.steps, reader);
  const how = m.end.kind === "halt"
    ? ""
    : m.end.kind === "panic"
    ? `, ending in the recorded panic: ${m.end.message}`
    : ", ending in the recorded deadlock";
  console.log(`replay: ${v.steps} steps verified${how}`);
  return 0;
}

function truncated(steps: number, reader: JournalReader): number {
  const why = reader.broken ?? "it ends without an end record (cut short)";
  console.log(`replay: ${steps} steps verified; the journal breaks there: ${why}`);
  return EXIT_USAGE;
}

async function main(args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  switch (cmd) {
    case "exec": {
      const p = parse(rest, BOOT_OPTIONS);
      if (p.positionals.length === 0) throw new UsageError("exec needs a PROGRAM");
      const o = bootOptions(p);
      o.initArgv = ["init", ...p.positionals];
      return await runExec(o, p.values.get("journal"));
    }
    case "replay": {
      const p = parse(rest, []);
      if (p.positionals.length !== 1) throw new UsageError("replay needs one LOG");
      return await replay(p.positionals[0]);
    }
    case "log": {
      const p = parse(rest, ["pid", "from", "to"]);
      if (p.positionals.length !== 1) throw new UsageError("log needs one LOG");
      return printLog(readJournal(p.positionals[0]), {
        pid: intOption(p, "pid", 0, Number.MAX_SAFE_INTEGER),
        from: intOption(p, "from", 0, Number.MAX_SAFE_INTEGER),
        to: intOption(p, "to", 0, Number.MAX_SAFE_INTEGER),
      });
    }
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return 0;
    default:
      throw new UsageError(cmd === undefined ? "a command is needed" : `unknown command '${cmd}'`);
  }
}

if (import.meta.main) {
  let status: number;
  try {
    status = await main(Deno.args);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`dv6: ${e.message}\n${USAGE}`);
      status = EXIT_USAGE;
    } else if (e instanceof JournalError) {
      console.error(`dv6: ${e.message}`);
      status = EXIT_USAGE;
    } else throw e;
  }
  Deno.exit(status);
}
