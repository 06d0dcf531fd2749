// dv6's command line, read: which command, its operands, and dv6's options, which may stand
// anywhere on the line. For `exec`, what follows PROGRAM is the program's, except dv6's boot
// options (--cpus and the rest), and everything after `--` is the program's. The usages are
// made from the same tables. Nothing here touches the host.

import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./status.ts";

/** dv6's version (`dv6 --version` adds the build id, which tells builds apart). */
export const VERSION = "0.1.0";

export { UsageError } from "./status.ts";

interface OptionSpec {
  /** What the value stands for; undefined for an option that takes none. */
  arg?: string;
  short?: string;
  help: string;
}

const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  cpus: { arg: "N", help: "CPUs (default 3)" },
  nproc: { arg: "N", help: "process table size (default 64)" },
  sched: { arg: "rr|random", help: "scheduling policy (default rr)" },
  seed: { arg: "S", help: "seed of the random policy (default 0)" },
  journal: { arg: "LOG", help: "record every step to LOG" },
  fs: { arg: "DIR", help: "copy a host directory into the file system's root" },
  "broken-sleep": { help: "the UART writer sleeps the lecture's broken way (lost wakeups)" },
  "robust-fast": {
    arg: "none|pcrange",
    help: "the kernel's defence for robust semaphores' fast path\n" +
      "(pcrange, the default: complete a killed process's adjustment)",
  },
  inject: {
    arg: "kill:WHO@STEP",
    help: "kill process WHO (a pid, or the newest process of that\n" +
      "name) after step STEP; journaled; may be repeated",
  },
  "check-determinism": {
    help: "run it twice in this process and report the first step\nwhere the two journals differ",
  },
  hz: { arg: "N", help: "clock ticks per real second (default 10)" },
  pid: { arg: "P", help: "only the steps of process P" },
  cpu: { arg: "C", help: "only the steps of CPU C" },
  syscall: { arg: "NAME", help: "only the steps of system call NAME" },
  only: {
    arg: "CATS",
    help: "only these kinds of step, comma-separated: sched, lock,\n" +
      "syscall, intr, ipc, fs, proc, console",
  },
  from: { arg: "STEP", help: "from step STEP on" },
  to: { arg: "STEP", help: "up to step STEP" },
  width: { arg: "COLS", help: "the chart's width in columns (default 80)" },
  output: { arg: "FILE", short: "o", help: "write to FILE" },
  commands: {
    arg: "CMDS",
    short: "x",
    help: "run these debugger commands (separated by ;), print\nwhat they print, and exit",
  },
  help: { short: "h", help: "print this usage" },
  version: { help: "print dv6's version and build id" },
};

/** The options that make a machine: dv6's own even after exec's PROGRAM. */
const BOOT = [
  "cpus",
  "nproc",
  "sched",
  "seed",
  "journal",
  "fs",
  "broken-sleep",
  "robust-fast",
  "inject",
];

/** The options that may be given more than once (each value counts). */
const REPEATABLE = ["inject"];

interface CommandSpec {
  synopsis: string;
  about: string;
  /** What it is called in a message. */
  name: string;
  /** Its operand: one, or for a variadic command one and any number of arguments. */
  operand?: string;
  variadic?: boolean;
  options: readonly string[];
  /** More to say in its own usage. */
  notes?: string;
}

const COMMANDS = {
  repl: {
    synopsis: "dv6 [options]",
    about: "the REPL: a shell on a live machine",
    name: "the REPL",
    options: [...BOOT, "hz"],
  },
  run: {
    synopsis: "dv6 run FILE [options]",
    about: "type FILE's lines into the shell (- for stdin)",
    name: "run",
    operand: "FILE",
    options: [...BOOT, "check-determinism"],
  },
  "-c": {
    synopsis: "dv6 -c LINE [options]",
    about: "run one command line",
    name: "-c",
    operand: "LINE",
    options: [...BOOT, "check-determinism"],
  },
  exec: {
    synopsis: "dv6 exec PROGRAM [ARGS...] [options]",
    about: "run one program, exit with its status",
    name: "exec",
    operand: "PROGRAM",
    variadic: true,
    options: [...BOOT, "check-determinism"],
    notes: "After exec's PROGRAM, the options dv6 does not know are the program's, and so are\n" +
      "--help and everything after --: `dv6 exec echo -- --cpus 2` prints --cpus 2.",
  },
  replay: {
    synopsis: "dv6 replay LOG",
    about: "re-run a journal, checking every step",
    name: "replay",
    operand: "LOG",
    options: [],
  },
  log: {
    synopsis: "dv6 log LOG [options]",
    about: "the journal's steps, strace-like",
    name: "log",
    operand: "LOG",
    options: ["only", "pid", "cpu", "syscall", "from", "to"],
    notes: "--only's categories (a step of several shows if one of them is asked for):\n" +
      "  sched    context switches (swtch), idle CPUs (wfi)\n" +
      "  lock     spinlock acquires (each spin) and releases\n" +
      "  syscall  every system call's return, and exits (killed ones too)\n" +
      "  intr     steps that took an interrupt ([timer], [device]); the host's ticks\n" +
      "  ipc      semget semop semctl shmopen shmunlink futexwait futexwake\n" +
      "           setrobustlist psemregister psemop, and atomics\n" +
      "  fs       open read write close dup pipe fstat mkdir mknod unlink link chdir\n" +
      "           flock fcntl poll\n" +
      "  proc     fork exec spawn exit wait kill halt getpid procs, and exits\n" +
      "  console  the host's input, device interrupts, the uart, cons and console\n" +
      "           write locks, sleeps on the console (not read/write calls: fs)",
  },
  debug: {
    synopsis: "dv6 debug LOG [-x CMDS]",
    about: "go to any step of a journal and look around",
    name: "debug",
    operand: "LOG",
    options: ["commands"],
    notes: "Type `help` at its prompt for its commands.",
  },
  timeline: {
    synopsis: "dv6 timeline LOG [options]",
    about: "a chart of who ran where, step by step",
    name: "timeline",
    operand: "LOG",
    options: ["from", "to", "width"],
  },
  trace: {
    synopsis: "dv6 trace LOG -o FILE.json",
    about: "the journal as a trace for Perfetto's UI",
    name: "trace",
    operand: "LOG",
    options: ["output"],
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

const commandNames = Object.keys(COMMANDS) as CommandName[];

/** What the command line asks for. */
export type CommandLine =
  | { kind: "help"; command?: CommandName }
  | { kind: "version" }
  | {
    kind: "command";
    command: CommandName;
    /** The operand; for exec, PROGRAM and its arguments. */
    operands: string[];
    /** The options given with a value (the last, if given twice), and those without. */
    values: ReadonlyMap<string, string>;
    /** Every value of an option that may be given more than once, in order. */
    lists: ReadonlyMap<string, readonly string[]>;
    flags: ReadonlySet<string>;
  };

const PARSE_OPTIONS: ParseArgsConfig["options"] = Object.fromEntries(
  Object.entries(OPTIONS).map(([name, o]) => [
    name,
    { type: o.arg === undefined ? "boolean" : "string", ...(o.short && { short: o.short }) },
  ]),
);

type Token = NonNullable<ReturnType<typeof parseArgs>["tokens"]>[number];
type OptionToken = Extract<Token, { kind: "option" }>;

export function parseCommandLine(args: string[]): CommandLine {
  const { tokens } = parseArgs({
    args,
    options: PARSE_OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const { command, operands, given } = split(args, tokens);
  const where = command === "help" ? undefined : command;
  for (const t of given) {
    if (!(t.name in OPTIONS)) throw new UsageError(`unknown option '${t.rawName}'`, where);
  }
  const asked = new Set(given.map((t) => t.name));
  if (asked.has("version")) return { kind: "version" };
  if (command === "help") {
    if (operands.length > 1) throw new UsageError("help takes one COMMAND");
    const topic = operands.length === 0 ? "help" : commandNamed(operands[0]);
    return { kind: "help", command: topic === "help" ? undefined : topic };
  }
  if (asked.has("help")) return { kind: "help", command };

  const name = command ?? "repl";
  const spec: CommandSpec = COMMANDS[name];
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const flags = new Set<string>();
  for (const t of given) {
    if (!spec.options.includes(t.name)) {
      throw new UsageError(`${spec.name} takes no option '${t.rawName}'`, name);
    }
    if (OPTIONS[t.name].arg === undefined) {
      if (t.value !== undefined) throw new UsageError(`option --${t.name} takes no value`, name);
      flags.add(t.name);
    } else {
      if (t.value === undefined) throw new UsageError(`option --${t.name} needs a value`, name);
      values.set(t.name, t.value);
      const given = REPEATABLE.includes(t.name) ? lists.get(t.name) ?? [] : [];
      lists.set(t.name, [...given, t.value]);
    }
  }
  if (
    spec.operand !== undefined && (spec.variadic ? operands.length === 0 : operands.length !== 1)
  ) {
    throw new UsageError(`${spec.name} needs ${spec.variadic ? "a" : "one"} ${spec.operand}`, name);
  }
  return { kind: "command", command: name, operands, values, lists, flags };
}

/** The command (undefined: the REPL), its operands, and the options given. */
function split(args: string[], tokens: Token[]) {
  let command: CommandName | "help" | undefined;
  const operands: string[] = [];
  const given: OptionToken[] = [];
  for (const t of tokens) {
    if (t.kind === "positional") {
      if (command === undefined) command = commandNamed(t.value);
      else if (command === "exec") {
        return { command, operands: programArgs(args, tokens, t.index, given), given };
      } else operands.push(t.value);
    } else if (t.kind === "option") {
      if (t.rawName !== "-c") given.push(t);
      else if (command === undefined) command = "-c";
      else if (command === "help") operands.push("-c"); // dv6 help -c
      else given.push(t);
    }
  }
  return { command, operands, given };
}

/** exec's PROGRAM (at args[program]) and its arguments: what follows it but exec's own
 * options (dv6's boot options, --check-determinism: added to `given`) and the first `--`. */
function programArgs(
  args: string[],
  tokens: Token[],
  program: number,
  given: OptionToken[],
): string[] {
  const dv6s = new Set<number>(); // the indexes in args that are dv6's
  for (const t of tokens) {
    if (t.index <= program) continue;
    if (t.kind === "option-terminator") {
      dv6s.add(t.index);
      break;
    }
    if (t.kind === "option" && COMMANDS.exec.options.includes(t.name)) {
      given.push(t);
      dv6s.add(t.index);
      if (t.value !== undefined && !t.inlineValue) dv6s.add(t.index + 1);
    }
  }
  return args.slice(program).filter((_, i) => !dv6s.has(program + i));
}

function commandNamed(word: string): CommandName | "help" {
  if (word === "help" || (word !== "repl" && (commandNames as string[]).includes(word))) {
    return word as CommandName | "help";
  }
  throw new UsageError(`unknown command '${word}'`);
}

/** The usage of one command, or with none, dv6's: every command, every option. */
export function usage(command?: CommandName): string {
  if (command !== undefined) {
    const spec: CommandSpec = COMMANDS[command];
    return [
      `usage: ${spec.synopsis}`,
      spec.about,
      "",
      "options:",
      ...[...spec.options, "help"].map(optionLine),
      ...(spec.notes === undefined ? [] : ["", spec.notes]),
    ].join("\n");
  }
  const lines = commandNames.map((c, i) =>
    `${i === 0 ? "usage: " : "       "}${COMMANDS[c].synopsis.padEnd(38)} ${COMMANDS[c].about}`
  );
  return [
    ...lines,
    "       dv6 help [COMMAND]                     the usage of dv6, or of one command",
    "",
    "options (anywhere on the line; each command takes those its own usage lists):",
    ...Object.keys(OPTIONS).map(optionLine),
    "",
    COMMANDS.exec.notes,
  ].join("\n");
}

/** Where an option's help text starts in a usage. */
const HELP_COLUMN = 21;

function optionLine(name: string): string {
  const o = OPTIONS[name];
  const names = `${o.short === undefined ? "" : `-${o.short}, `}--${name}` +
    (o.arg === undefined ? "" : ` ${o.arg}`);
  const help = o.help.split("\n").map((l) => " ".repeat(HELP_COLUMN) + l);
  const inline = `  ${names}`.length < HELP_COLUMN; // else the help starts on the next line
  return (inline ? [`  ${names}`.padEnd(HELP_COLUMN) + help.shift()!.trim(), ...help] : [
    `  ${names}`,
    ...help,
  ]).join("\n");
}
