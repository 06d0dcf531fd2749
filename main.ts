// dv6's command line: reads it (shell/cli.ts), builds a machine, hands it to the terminal or a
// runner. No kernel logic.

import { JournalError, JournalReader } from "./kernel/journal.ts";
import { parseCategories, parseSyscall, printLog } from "./shell/log.ts";
import { debugJournal } from "./shell/debug.ts";
import { printTimeline } from "./shell/timeline.ts";
import { writeTrace } from "./shell/trace.ts";
import { runExec } from "./shell/exec.ts";
import { parseInjection } from "./shell/inject.ts";
import { repl } from "./shell/terminal.ts";
import { type BootOptions, buildId, hostErrorText, Output } from "./shell/host.ts";
import { replayJournal } from "./shell/replay.ts";
import { debugHint, EXIT_USAGE } from "./shell/status.ts";
import { type CommandLine, parseCommandLine, usage, UsageError, VERSION } from "./shell/cli.ts";

/** A host file that cannot be used: one line, no usage. */
class HostError extends Error {
  constructor(what: string, e: unknown) {
    super(`${what}: ${hostErrorText(e)}`);
  }
}

/** What `read` returns; if it fails, a HostError that says `what` could not be done. */
function onHost<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw new HostError(what, e);
  }
}

type Command = Extract<CommandLine, { kind: "command" }>;

function intOption(c: Command, name: string, min: number, max: number): number | undefined {
  const v = c.values.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || n < min || n > max) {
    throw new UsageError(
      `--${name} takes a whole number from ${min} to ${max}, not '${v}'`,
      c.command,
    );
  }
  return n;
}

function bootOptions(c: Command): BootOptions {
  const sched = c.values.get("sched") ?? "rr";
  if (sched !== "rr" && sched !== "random") {
    throw new UsageError(`--sched is rr or random, not '${sched}'`, c.command);
  }
  const fs = c.values.get("fs");
  const robustFast = c.values.get("robust-fast") ?? "pcrange";
  if (robustFast !== "none" && robustFast !== "pcrange") {
    throw new UsageError(`--robust-fast is none or pcrange, not '${robustFast}'`, c.command);
  }
  const options: Record<string, string | boolean> = { robustFast };
  if (c.flags.has("broken-sleep")) options.brokenSleep = true;
  return {
    inject: c.lists.get("inject")?.map((v) => parseInjection(v, c.command)),
    cpus: intOption(c, "cpus", 1, 64),
    nproc: intOption(c, "nproc", 2, 4096),
    sched,
    seed: intOption(c, "seed", 0, 0xffffffff),
    image: fs === undefined ? undefined : readHostDir(fs),
    options,
  };
}

/** A host directory's files, by their path inside it, for --fs. */
function readHostDir(dir: string): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const walk = (rel: string) => {
    const path = rel === "" ? dir : `${dir}/${rel}`;
    for (const e of onHost(`--fs: cannot read ${path}`, () => [...Deno.readDirSync(path)])) {
      const name = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory) walk(name);
      else if (e.isFile) {
        const file = `${dir}/${name}`;
        files["/" + name] = onHost(`--fs: cannot read ${file}`, () => Deno.readFileSync(file));
      }
    }
  };
  walk("");
  return files;
}

/** A script's lines (- for stdin), without their line ends: \n, or a DOS file's \r\n. */
async function readScript(file: string): Promise<string[]> {
  let text: string;
  try {
    text = file === "-"
      ? await new Response(Deno.stdin.readable).text()
      : await Deno.readTextFile(file);
  } catch (e) {
    throw new HostError(`cannot read ${file}`, e);
  }
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function readJournal(path: string): JournalReader {
  return new JournalReader(onHost(`cannot read ${path}`, () => Deno.readFileSync(path)));
}

/** A journal to re-run: one line on stderr if another build recorded it (its re-run may
 * diverge where the code differs). */
async function readJournalToRun(path: string): Promise<JournalReader> {
  const reader = readJournal(path);
  const build = await buildId();
  if (reader.header.build !== build) {
    console.error(
      `dv6: ${path} was recorded by build ${reader.header.build}; this is build ${build}`,
    );
  }
  return reader;
}

async function replay(path: string): Promise<number> {
  const reader = await readJournalToRun(path);
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
  if (end.kind === "panic" || end.kind === "deadlock") {
    console.log(`replay: to look around where it ended: ${debugHint(end, path)}`);
  }
  return 0;
}

async function main(args: string[]): Promise<number> {
  const line = parseCommandLine(args);
  if (line.kind === "version") {
    console.log(`dv6 ${VERSION} (build ${await buildId()})`);
    return 0;
  }
  if (line.kind === "help") {
    console.log(usage(line.command));
    return 0;
  }
  const [operand] = line.operands;
  switch (line.command) {
    case "repl":
      return await repl(bootOptions(line), {
        journal: line.values.get("journal"),
        hz: intOption(line, "hz", 1, 1_000_000) ?? 10,
      });
    case "exec": {
      const o = bootOptions(line);
      o.initArgv = ["init", ...line.operands];
      return await runExec(
        o,
        line.values.get("journal"),
        undefined,
        line.flags.has("check-determinism"),
      );
    }
    case "run":
    case "-c": {
      const o = bootOptions(line);
      const lines = line.command === "run" ? await readScript(operand) : [operand];
      o.initArgv = ["init", "sh"];
      return await runExec(
        o,
        line.values.get("journal"),
        lines,
        line.flags.has("check-determinism"),
      );
    }
    case "replay":
      return await replay(operand);
    case "log":
      return printLog(readJournal(operand), {
        pid: intOption(line, "pid", 0, Number.MAX_SAFE_INTEGER),
        cpu: intOption(line, "cpu", 0, 255),
        syscall: parseSyscall(line.values.get("syscall")),
        only: parseCategories(line.values.get("only")),
        from: intOption(line, "from", 0, Number.MAX_SAFE_INTEGER),
        to: intOption(line, "to", 0, Number.MAX_SAFE_INTEGER),
      });
    case "debug":
      return await debugJournal(await readJournalToRun(operand), line.values.get("commands"));
    case "timeline":
      return printTimeline(await readJournalToRun(operand), {
        from: intOption(line, "from", 0, Number.MAX_SAFE_INTEGER),
        to: intOption(line, "to", 0, Number.MAX_SAFE_INTEGER),
        width: intOption(line, "width", 20, 100_000) ?? 80,
      });
    case "trace": {
      const out = line.values.get("output");
      if (out === undefined) throw new UsageError("trace needs -o FILE.json", "trace");
      return writeTrace(await readJournalToRun(operand), out);
    }
  }
}

if (import.meta.main) {
  let status: number;
  try {
    status = await main(Deno.args);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`dv6: ${e.message}\n${usage(e.command)}`);
      status = EXIT_USAGE;
    } else if (e instanceof HostError || e instanceof JournalError) {
      console.error(`dv6: ${e.message}`);
      status = EXIT_USAGE;
    } else throw e;
  }
  Deno.exit(status);
}
