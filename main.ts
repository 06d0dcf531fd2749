// dv6's command line: parses options, builds a machine, hands it to the terminal or a runner.
// No kernel logic.

import { JournalError, JournalReader } from "./kernel/journal.ts";
import { printLog } from "./shell/log.ts";
import { runExec } from "./shell/exec.ts";
import { repl } from "./shell/terminal.ts";
import { type BootOptions, buildId, concat, Output } from "./shell/host.ts";
import { replayJournal } from "./shell/replay.ts";

export const EXIT_USAGE = 2;

const USAGE = `usage: dv6 [options]                          the REPL: a shell on a live machine
       dv6 run FILE [options]                 type FILE's lines into the shell (- for stdin)
       dv6 -c LINE [options]                  run one command line
       dv6 exec PROGRAM [ARGS...] [options]   run one program, exit with its status
       dv6 replay LOG                         re-run a journal, checking every step
       dv6 log LOG [--pid P] [--from STEP] [--to STEP]

options:
  --cpus N           CPUs (default 3)
  --nproc N          process table size (default 64)
  --sched rr|random  scheduling policy (default rr)
  --seed S           seed of the random policy (default 0)
  --journal LOG      record every step to LOG
  --fs DIR           copy a host directory into the file system's root
  --broken-sleep     the UART writer sleeps the lecture's broken way (lost wakeups)
  --robust-fast none|pcrange   the kernel's defence for robust semaphores' fast path
                     (pcrange, the default: complete a killed process's adjustment)
  --hz N             REPL: clock ticks per real second (default 10)
  --                 (exec) the rest are the program's arguments
`;

class UsageError extends Error {}

interface Parsed {
  positionals: string[];
  values: Map<string, string>;
  flags: Set<string>;
}

/** Splits dv6's own options (anywhere on the line) from the rest, which belongs to the program.
 * After `--`, everything is the program's. */
function parse(
  args: string[],
  known: readonly string[],
  knownFlags: readonly string[] = [],
): Parsed {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    const [name, inline] = a.startsWith("--") ? a.slice(2).split(/=(.*)/s, 2) : [null, null];
    if (name !== null && knownFlags.includes(name) && inline === undefined) {
      flags.add(name);
      continue;
    }
    if (name === null || !known.includes(name)) {
      positionals.push(a);
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`option --${name} needs a value`);
    values.set(name, value);
  }
  return { positionals, values, flags };
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

const BOOT_OPTIONS = ["cpus", "nproc", "sched", "seed", "journal", "fs", "hz", "robust-fast"];
const BOOT_FLAGS = ["broken-sleep"];

function bootOptions(p: Parsed): BootOptions {
  const sched = p.values.get("sched") ?? "rr";
  if (sched !== "rr" && sched !== "random") {
    throw new UsageError(`--sched is rr or random, not '${sched}'`);
  }
  const fs = p.values.get("fs");
  const robustFast = p.values.get("robust-fast") ?? "pcrange";
  if (robustFast !== "none" && robustFast !== "pcrange") {
    throw new UsageError(`--robust-fast is none or pcrange, not '${robustFast}'`);
  }
  const options: Record<string, string | boolean> = { robustFast };
  if (p.flags.has("broken-sleep")) options.brokenSleep = true;
  return {
    cpus: intOption(p, "cpus", 1, 64),
    nproc: intOption(p, "nproc", 2, 4096),
    sched,
    seed: intOption(p, "seed", 0, 0xffffffff),
    image: fs === undefined ? undefined : readHostDir(fs),
    options,
  };
}

/** A host directory's files, by their path inside it, for --fs. */
function readHostDir(dir: string): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const walk = (rel: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(`${dir}/${rel}`)];
    } catch (e) {
      throw new UsageError(`--fs: cannot read ${dir}/${rel}: ${(e as Error).message}`);
    }
    for (const e of entries) {
      const path = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory) walk(path);
      else if (e.isFile) files["/" + path] = Deno.readFileSync(`${dir}/${path}`);
    }
  };
  walk("");
  return files;
}

function readScript(file: string): string[] {
  let text: string;
  try {
    text = file === "-" ? new TextDecoder().decode(readAllStdin()) : Deno.readTextFileSync(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function readAllStdin(): Uint8Array {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(1 << 16);
  for (let n = Deno.stdin.readSync(buf); n !== null && n > 0; n = Deno.stdin.readSync(buf)) {
    chunks.push(buf.slice(0, n));
  }
  return concat(chunks);
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
  const build = await buildId();
  if (reader.header.build !== build) {
    console.error(
      `dv6: ${path} was recorded by build ${reader.header.build}; this is build ${build}`,
    );
  }
  const out = new Output();
  const r = replayJournal(reader, out.write);
  if (!out.atLineStart) out.write(Uint8Array.of(0x0a)); // the summary starts a line of its own
  out.flush();
  if (r.divergence !== null) {
    console.log(`replay: diverged at step ${r.divergence.step}`);
    console.log(`  recorded: ${r.divergence.recorded}`);
    console.log(`  replayed: ${r.divergence.replayed}`);
    return 1;
  }
  if (r.truncated !== null) {
    console.log(`replay: ${r.steps} steps verified; the journal breaks there: ${r.truncated}`);
    return EXIT_USAGE;
  }
  const end = r.end!;
  const how = end.kind === "panic"
    ? `, ending in the recorded panic: ${end.message}`
    : end.kind === "deadlock"
    ? ", ending in the recorded deadlock"
    : "";
  console.log(`replay: ${r.steps} steps verified${how}`);
  return 0;
}

async function main(args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  if (cmd === undefined || cmd.startsWith("--")) {
    const p = parse(args, BOOT_OPTIONS, BOOT_FLAGS);
    if (p.positionals.length > 0) throw new UsageError(`unknown argument '${p.positionals[0]}'`);
    return await repl(bootOptions(p), {
      journal: p.values.get("journal"),
      hz: intOption(p, "hz", 1, 1_000_000) ?? 10,
    });
  }
  switch (cmd) {
    case "exec": {
      const p = parse(rest, BOOT_OPTIONS, BOOT_FLAGS);
      if (p.positionals.length === 0) throw new UsageError("exec needs a PROGRAM");
      const o = bootOptions(p);
      o.initArgv = ["init", ...p.positionals];
      return await runExec(o, p.values.get("journal"));
    }
    case "run":
    case "-c": {
      const p = parse(rest, BOOT_OPTIONS, BOOT_FLAGS);
      if (p.positionals.length !== 1) {
        throw new UsageError(cmd === "run" ? "run needs one FILE" : "-c needs one LINE");
      }
      const lines = cmd === "run" ? readScript(p.positionals[0]) : [p.positionals[0]];
      const o = bootOptions(p);
      o.initArgv = ["init", "sh"];
      return await runExec(o, p.values.get("journal"), lines);
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
