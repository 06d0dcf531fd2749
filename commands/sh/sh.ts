// sh: the shell (xv6's user/sh.c), with xv6's grammar and messages (the parser is in
// parse.ts) and what a shell user expects on top, done as POSIX sh (dash) does it: `&&` and
// `||`, quotes, `>>` that appends, `$?`, `#` comments, syntax errors, commands found in /bin,
// the builtins `cd [DIR]`, `exit [N]`, `wait`, `export` and `unset`, shell variables and the
// environment, background jobs that print `[PID]`, `sh FILE` and `sh -c LINE`.
//
//   sh              reads lines from fd 0, writing the prompt `$ ` to fd 2 before each one
//   sh FILE         runs FILE's lines, without prompts
//   sh -c LINE      runs LINE
//
// Each ends at the end of its input (or at `exit`) with the last command's status. `sh -c`
// runs LINE's lines one after the other, and `sh FILE` FILE's; as in sh, a newline inside
// quotes, after a backslash or after `|`, `&&` or `||` does not end a line there (at the
// console, where xv6's sh reads whole lines, it does). A line with a syntax error runs not at
// all: sh prints one line saying what is wrong and sets `$?` to 2; as in sh, a shell that is
// not interactive (sh FILE, sh -c) then ends, with status 2. So does it on a bad `exit`
// (`sh: exit: Illegal number: abc`).
//
// Variables: the shell starts with its environment (NAME=value strings given at exec) as
// exported variables. `NAME=value` alone sets a shell variable (exported still, if it was);
// `export NAME[=value]...` exports variables, and every command the shell starts gets the
// exported ones as its environment (`export` alone lists them, as `export NAME='value'`
// lines); `unset NAME...` removes them; `NAME=value COMMAND ARGS` gives the assignment to
// COMMAND's environment only. `$NAME` and `${NAME}` expand as shparse.ts says. A child shell
// (a block, a builtin in a pipeline) gets the exported variables in its environment and the
// others as a first line of assignments, so it sees every variable, as a subshell does.
//
// Unlike xv6's sh, this one never forks: a fork re-runs the program from its exec, fed its
// recorded system-call results, so a shell that forked for every command would pay for its
// whole history each time. Every command is a spawn() whose file actions do what xv6's child
// does between fork and exec:
//   - a redirection is spawnOpen(fd, file, flags), in the order written, so that of several
//     for one fd the last one wins, as in every Unix shell: `echo x > a > b` creates a, empty,
//     and writes to b (xv6's sh applies the last one first, and writes to a);
//   - a pipeline's pipes are made by the shell, each stage gets its ends with spawnDup2 and
//     closes the rest with spawnClose, and the shell closes its copies once the stage runs;
//   - a block `( line ) redirs` is a child shell, `/bin/sh -c line`, with the block's
//     redirections as its file actions (so a block's `$?` starts at 0).
// A builtin in a pipeline or in the background runs in a child shell as well, as in sh, and
// so does an and-or list in the background (`a && b &` runs as `(a && b) &`).
//
// Statuses, 0 to 255 as in every shell: a command's exit status, its low 8 bits (as
// WEXITSTATUS takes them: `exit 300` gives 44), but for a killed one; 127 if it cannot be run
// (`exec NAME failed`); 126 if the process table is full (`sh: fork: EAGAIN (Resource
// temporarily unavailable)`); 1 if a redirection's file cannot be opened (`open FILE failed`);
// 2 if the line does not parse. A pipeline's status is its last command's; an and-or list's
// the last one's that ran; a background job's is 0. A killed process ends with status -1, as
// in xv6 (kill makes it exit(-1); xv6 has no signals, so there is no 128+N): `$?` shows -1,
// and a shell whose last command was killed ends with -1 in turn, so that make, which runs
// each recipe line as `sh -c LINE`, sees the line killed, as GNU make sees a signal through
// dash (which execs a -c line's last command).
//
// Job control: when the shell reads commands from the console (an interactive shell), each
// foreground job gets its own process group, the console's foreground group, so that ^C
// stops the whole job and the shell lives on. Its first process starts the group (pgroup 0)
// and the others join it (pgroup = the first's pid). A background job gets a group of its
// own that is not the foreground, in every shell. A shell running a FILE or -c LINE (such as
// a block's child shell) does no job control: its foreground commands stay in its own group,
// so ^C stops them together with it. The shell reaps finished background jobs quietly
// whenever it waits for a foreground job; `wait` waits for all of them.

import type { Program } from "../../kernel/uapi/abi.ts";
import { ERRNO } from "../../kernel/uapi/errno.ts";
import {
  O_RDONLY,
  O_RDWR,
  SPAWN_FOREGROUND,
  SPAWN_SETPGROUP,
  type SpawnAction,
  spawnClose,
  spawnDup2,
  spawnOpen,
} from "../../kernel/uapi/fcntl.ts";
import { T_DEVICE, T_DIR } from "../../kernel/uapi/stat.ts";
import {
  type Assign,
  type ExecCmd,
  expand,
  fields,
  isAssignment,
  isEmpty,
  isName,
  type Job,
  type Lookup,
  ParseError,
  parseJobs,
  splitLines,
  type Stage,
  unfinished,
} from "./parse.ts";
import { EXIT_CANNOT_INVOKE, EXIT_ENOENT, EXIT_SHELL_ERROR } from "../lib/exitstatus.ts";
import { Getopt } from "../lib/getopt.ts";
import { type Call, fprintf, gets, perror, strlen } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

/** The longest line the shell reads, in bytes. */
export const MAXLINE = 1024;

const BUILTINS = ["cd", "exit", "wait", "export", "unset"];

/** The status of a killed process (xv6's kill makes it exit(-1)). */
const KILLED = -1;

/** The builtins before which assignments set shell variables (sh's special builtins). */
const SPECIAL = ["exit", "export", "unset"];

const USAGE = "usage: sh [-c LINE | FILE]\n";

/** Everything a shell process keeps, made in its main: nothing lives at module level. */
interface Shell {
  sys: Sys;
  /** `$?`: the last command's status. */
  status: number;
  /** Whether it reads commands from the console: then foreground jobs get their own,
   * foreground, process group, and a syntax error does not end the shell. */
  interactive: boolean;
  /** The fd `sh FILE` reads its script from (-1 otherwise): closed in every child. */
  scriptFd: number;
  /** The shell's variables, in the order they were made (the environment's order). */
  vars: Map<string, Var>;
}

/** A shell variable: `value` undefined when exported but never set (`export NAME`). */
interface Var {
  value: string | undefined;
  exported: boolean;
}

/** One redirection ready to apply: open `file` with `flags` as `fd`. */
type Open = [fd: number, file: string, flags: number];

/** Where a command name is found: as written if it has a '/', else in /bin. */
function binPath(name: string): string {
  return name.includes("/") ? name : "/bin/" + name;
}

export default function* sh(sys: Sys, argv: string[]): Program {
  // Ensure that three file descriptors are open.
  for (;;) {
    const fd = yield* sys.open("/console", O_RDWR);
    if (fd < 0) break;
    if (fd >= 3) {
      yield* sys.close(fd);
      break;
    }
  }

  const shell: Shell = { sys, status: 0, interactive: false, scriptFd: -1, vars: new Map() };
  for (const e of sys.env) {
    const eq = e.indexOf("=");
    if (eq > 0 && isName(e.slice(0, eq))) {
      shell.vars.set(e.slice(0, eq), { value: e.slice(eq + 1), exported: true });
    }
  }

  // sh -c LINE, or sh [FILE] ("-" is not a FILE).
  let line: string | null = null;
  const g = new Getopt(argv, "+:c:");
  for (let c; (c = g.getopt()) !== -1;) {
    if (c !== "c" || line !== null) {
      yield* fprintf(sys, 2, USAGE);
      return 1;
    }
    line = g.optarg!;
  }
  const operands = g.argv.slice(g.optind);
  if (operands.length > (line === null ? 1 : 0) || operands[0] === "-") {
    yield* fprintf(sys, 2, USAGE);
    return 1;
  }
  if (line !== null) {
    for (const l of splitLines(line)) yield* runLine(shell, l);
    return shell.status;
  }

  let fd = 0;
  if (operands.length === 1) {
    const file = operands[0];
    fd = yield* sys.open(file, O_RDONLY);
    if (fd < 0) {
      yield* fprintf(sys, 2, "sh: cannot open %s\n", file);
      return 1;
    }
    const st = yield* sys.fstat(fd);
    if (st !== -1 && st.type === T_DIR) {
      yield* fprintf(sys, 2, "sh: %s is a directory\n", file);
      return 1;
    }
    shell.scriptFd = fd;
  } else {
    const st = yield* sys.fstat(0);
    shell.interactive = st !== -1 && st.type === T_DEVICE;
  }

  for (;;) {
    if (fd === 0) yield* sys.write(2, "$ ");
    let line = yield* readLine(shell, fd);
    // A script's line goes on on the next one after `|`, `&&` or `||`, in quotes or after a
    // backslash, as in sh; a line typed at the console is whole, as in xv6.
    while (line !== null && !shell.interactive && unfinished(line)) {
      const more = yield* readLine(shell, fd);
      if (more === null) break; // the parser says what is missing
      line += more;
    }
    if (line === null) break; // end of input
    yield* runLine(shell, line);
  }
  return shell.status;
}

/** Reads a line from fd, its end of line included; null at the end of input. A line longer
 * than MAXLINE is skipped, with a message and status 1, and read as an empty line. */
function* readLine(shell: Shell, fd: number): Call<string | null> {
  const sys = shell.sys;
  const line = yield* gets(sys, MAXLINE + 1, fd);
  if (line === "") return null;
  if (complete(line) || strlen(line) < MAXLINE) return line;
  // No end of line within MAXLINE bytes: skip the rest of the line.
  let skipped = false;
  for (;;) {
    const rest = yield* gets(sys, MAXLINE + 1, fd);
    if (rest === "") break;
    skipped = true;
    if (complete(rest)) break;
  }
  if (!skipped) return line; // the input's last line, exactly MAXLINE bytes long
  yield* fprintf(sys, 2, "sh: line too long (at most %d bytes)\n", MAXLINE);
  shell.status = 1;
  return "\n";
}

function complete(line: string): boolean {
  return line.endsWith("\n") || line.endsWith("\r");
}

/** Parses a line and runs its jobs one after the other. */
function* runLine(shell: Shell, line: string): Call<void> {
  let jobs: Job[];
  try {
    jobs = parseJobs(line);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    yield* fprintf(shell.sys, 2, "%s\n", e.message);
    shell.status = yield* shellError(shell);
    return;
  }
  for (const job of jobs) yield* runJob(shell, job);
}

/** The status of an error of the shell's own (a syntax error, a bad `exit`): 2, as in sh,
 * which ends a shell that is not interactive (POSIX's "shall exit"). */
function* shellError(shell: Shell): Call<number> {
  if (!shell.interactive) yield* shell.sys.exit(EXIT_SHELL_ERROR);
  return EXIT_SHELL_ERROR;
}

/** A shell variable's value (undefined: unset). */
function lookup(shell: Shell): Lookup {
  return (name) => shell.vars.get(name)?.value;
}

/** Sets a shell variable, keeping its export flag. */
function setVar(shell: Shell, name: string, value: string): void {
  const v = shell.vars.get(name);
  if (v !== undefined) v.value = value;
  else shell.vars.set(name, { value, exported: false });
}

/** A command's assignments, expanded left to right (each sees the ones before it). */
function assignments(shell: Shell, assigns: Assign[]): [string, string][] {
  const done = new Map<string, string>();
  const look: Lookup = (name) => done.has(name) ? done.get(name) : shell.vars.get(name)?.value;
  for (const a of assigns) done.set(a.name, expand(a.value, shell.status, look));
  return [...done];
}

/** The environment of a command: the exported variables, with `extra` set on top. */
function environ(shell: Shell, extra: [string, string][] = []): string[] {
  const env = new Map<string, string>();
  for (const [name, v] of shell.vars) {
    if (v.exported && v.value !== undefined) env.set(name, v.value);
  }
  for (const [name, value] of extra) env.set(name, value);
  return [...env].map(([name, value]) => name + "=" + value);
}

/** A command's words once expanded and split. After `export`, a NAME=value word stays one
 * word, as an assignment does (sh's declaration utilities). */
function argsOf(shell: Shell, s: ExecCmd): string[] {
  const look = lookup(shell);
  const args: string[] = [];
  for (const w of s.argv) {
    if (args[0] === "export" && isAssignment(w)) args.push(expand(w, shell.status, look));
    else args.push(...fields(w, shell.status, look));
  }
  return args;
}

/** `s` quoted for the shell: it reads back as one word, whatever is in it. */
function quote(s: string): string {
  return "'" + s.replaceAll("'", "'\\''") + "'";
}

/** A child shell's text: `line`, after a line that sets the variables that are not exported
 * (the exported ones reach the child through its environment). */
function withVars(shell: Shell, line: string): string {
  const sets: string[] = [];
  for (const [name, v] of shell.vars) {
    if (!v.exported && v.value !== undefined) sets.push(name + "=" + quote(v.value));
  }
  return sets.length === 0 ? line : sets.join(" ") + "\n" + line;
}

/** The redirections of a stage, in the order written (and applied). */
function opensOf(shell: Shell, s: Stage): Open[] {
  const look = lookup(shell);
  return s.redirs.map((r): Open => [r.fd, expand(r.file, shell.status, look), r.flags]);
}

/** Runs one job: its pipelines in turn, each after `&&` only if `$?` is 0 and after `||`
 * only if it is not (a pipeline skipped leaves `$?` as it was). */
function* runJob(shell: Shell, job: Job): Call<void> {
  for (const p of job.pipelines) {
    const skip = (p.op === "&&" && shell.status !== 0) || (p.op === "||" && shell.status === 0);
    if (!skip) yield* runPipeline(shell, p.stages, job.background);
  }
}

/** Runs one pipeline: a builtin in the shell itself, or spawned processes. */
function* runPipeline(shell: Shell, stages: Stage[], background: boolean): Call<void> {
  const sys = shell.sys;
  const n = stages.length;

  if (n === 1 && stages[0].type === "exec") {
    const s = stages[0];
    if (isEmpty(s)) return; // nothing at all: `$?` stays
    const args = background ? [] : argsOf(shell, s);
    if (!background && (args.length === 0 || BUILTINS.includes(args[0]))) {
      // Assignments alone set shell variables, and so they do before a special builtin; the
      // redirections create or truncate their files, as in sh.
      const sets = assignments(shell, s.assigns);
      if ((yield* openAll(sys, opensOf(shell, s))) !== 0) {
        shell.status = 1;
        return;
      }
      if (args.length === 0 || SPECIAL.includes(args[0])) {
        for (const [name, value] of sets) setVar(shell, name, value);
      }
      shell.status = args.length === 0 ? 0 : yield* builtin(shell, args);
      return;
    }
  }

  const pids = new Set<number>();
  let leader = 0; // the pid of the job's first process: its process group
  let lastPid = -1; // the last stage's process, if it started
  let status = 0; // the last stage's status, if it did not start
  let prevRead = -1; // the read end of the pipe from the stage before
  for (let i = 0; i < n; i++) {
    const s = stages[i];
    const p = [-1, -1];
    if (i + 1 < n && (yield* sys.pipe(p)) < 0) {
      yield* fprintf(sys, 2, "pipe failed\n");
      status = 1;
      break;
    }
    const actions: SpawnAction[] = [];
    if (prevRead >= 0) moveFd(actions, prevRead, 0);
    if (p[1] >= 0) {
      moveFd(actions, p[1], 1);
      actions.push(spawnClose(p[0]));
    }
    if (shell.scriptFd >= 0) actions.push(spawnClose(shell.scriptFd));

    let opens = opensOf(shell, s);
    let path = "/bin/sh";
    let args: string[];
    let env: string[];
    if (s.type === "block") {
      args = ["sh", "-c", withVars(shell, s.body)];
      env = environ(shell);
    } else {
      args = argsOf(shell, s);
      env = environ(shell);
      if (args.length > 0 && BUILTINS.includes(args[0])) {
        // the child shell does the assignments and the redirections too
        args = ["sh", "-c", withVars(shell, s.src)];
        opens = [];
      } else if (args.length > 0) {
        path = binPath(args[0]);
        env = environ(shell, assignments(shell, s.assigns));
      }
    }

    let pid = -1;
    let st = 0;
    if (args.length === 0) {
      st = yield* openAll(sys, opens); // only redirections: create the files, run nothing
    } else {
      for (const [fd, file, flags] of opens) actions.push(spawnOpen(fd, file, flags));
      const flags = background
        ? SPAWN_SETPGROUP
        : shell.interactive
        ? SPAWN_SETPGROUP | SPAWN_FOREGROUND
        : 0;
      pid = yield* sys.spawn(path, args, actions, flags, leader, env);
      if (pid < 0) st = yield* whyNot(sys, args[0], pid, opens);
    }
    if (pid > 0) {
      pids.add(pid);
      if (leader === 0) leader = pid;
    }
    if (i + 1 === n) {
      lastPid = pid;
      status = st;
    }

    if (prevRead >= 0) yield* sys.close(prevRead);
    if (p[1] >= 0) yield* sys.close(p[1]);
    prevRead = p[0];
  }
  if (prevRead >= 0) yield* sys.close(prevRead); // only after a failed pipe()

  if (background) {
    if (leader > 0) {
      yield* fprintf(sys, 2, "[%d]\n", leader);
      status = 0;
    }
    shell.status = status;
    return;
  }
  // Wait for the job's processes; other children reaped on the way are background jobs that
  // finished, reaped quietly.
  while (pids.size > 0) {
    const [pid, st] = yield* sys.wait();
    if (pid < 0) break;
    if (pids.delete(pid) && pid === lastPid) status = exitStatus(st);
  }
  shell.status = status;
}

/** A child's status as `$?` holds it: its low 8 bits, as WEXITSTATUS takes them, or -1 for a
 * killed one. */
function exitStatus(st: number): number {
  return st === KILLED ? KILLED : st & 0xff;
}

/** File actions that make `from` the child's `to`. */
function moveFd(actions: SpawnAction[], from: number, to: number): void {
  if (from === to) return;
  actions.push(spawnDup2(from, to), spawnClose(from));
}

/** Opens (creating or truncating) and closes each file, in order: 0, or 1 after printing
 * `open FILE failed` for the first that cannot be opened. */
function* openAll(sys: Sys, opens: Open[]): Call<number> {
  for (const [, file, flags] of opens) {
    const fd = yield* sys.open(file, flags);
    if (fd < 0) {
      yield* fprintf(sys, 2, "open %s failed\n", file);
      return 1;
    }
    yield* sys.close(fd);
  }
  return 0;
}

/**
 * Why a spawn failed (it returns -errno, as posix_spawn): no free process slot is the fork
 * half failing, `sh: fork: EAGAIN (...)`, as bash says it (status 126, as bash gives);
 * otherwise xv6's child would have applied the redirections first, so a file that cannot be
 * opened is reported as `open FILE failed` (status 1), and a program that cannot be run as
 * xv6's sh reports a failed exec, `exec NAME failed` (status 127).
 */
function* whyNot(sys: Sys, name: string, err: number, opens: Open[]): Call<number> {
  if (err === -ERRNO.EAGAIN) {
    yield* perror(sys, "sh: fork", err);
    return EXIT_CANNOT_INVOKE; // bash's status when it cannot fork
  }
  if ((yield* openAll(sys, opens)) !== 0) return 1;
  yield* fprintf(sys, 2, "exec %s failed\n", name);
  return EXIT_ENOENT;
}

/** Runs a builtin in the shell itself; returns its status (`exit` does not return). */
function* builtin(shell: Shell, args: string[]): Call<number> {
  const sys = shell.sys;
  switch (args[0]) {
    case "cd": {
      if (args.length > 2) {
        yield* fprintf(sys, 2, "usage: cd [DIR]\n");
        return 1;
      }
      const dir = args[1] ?? "/";
      if ((yield* sys.chdir(dir)) < 0) {
        yield* fprintf(sys, 2, "cannot cd %s\n", dir);
        return 1;
      }
      return 0;
    }
    case "exit": {
      // As dash: N is 0 to INT_MAX, and the status its low 8 bits; words after N are ignored.
      if (args.length === 1) return yield* sys.exit(shell.status);
      const n = exitNumber(args[1]);
      if (n < 0) {
        yield* fprintf(sys, 2, "sh: exit: Illegal number: %s\n", args[1]);
        return yield* shellError(shell);
      }
      return yield* sys.exit(n & 0xff);
    }
    case "export":
      return yield* exportVars(shell, args);
    case "unset":
      return yield* unsetVars(shell, args);
    default: {
      // wait: until no child is left.
      for (;;) {
        const [pid] = yield* sys.wait();
        if (pid < 0) return 0;
      }
    }
  }
}

/** The largest number dash takes as a status (its number(): INT_MAX). */
const INT_MAX = 2147483647;

/** A number as dash's number() reads it: strtoimax in base 10 (C's isspace blanks around
 * it, a sign, digits). */
const NUMBER = /^[ \t\n\v\f\r]*[+-]?[0-9]+[ \t\n\v\f\r]*$/;

/** `exit`'s N as dash reads it (0 <= N <= INT_MAX), or -1. */
function exitNumber(s: string): number {
  if (!NUMBER.test(s)) return -1;
  const n = Number(s.trim());
  return n >= 0 && n <= INT_MAX ? n : -1; // -0 is 0
}

/** export [-p] [NAME[=VALUE]...]: marks variables exported (setting those with a value);
 * with no NAME (or -p), lists the exported ones. */
function* exportVars(shell: Shell, args: string[]): Call<number> {
  const sys = shell.sys;
  let names = args.slice(1);
  if (names[0] === "--") names = names.slice(1);
  else if (names.length === 1 && names[0] === "-p") names = [];
  if (names.some((a) => a.startsWith("-"))) {
    yield* fprintf(sys, 2, "usage: export [-p] [NAME[=VALUE]...]\n");
    return 1;
  }
  if (names.length === 0) {
    let out = "";
    for (const name of [...shell.vars.keys()].sort()) {
      const v = shell.vars.get(name)!;
      if (!v.exported) continue;
      out += "export " + name + (v.value === undefined ? "" : "=" + quote(v.value)) + "\n";
    }
    if (out !== "") yield* sys.write(1, out);
    return 0;
  }
  let status = 0;
  for (const a of names) {
    const eq = a.indexOf("=");
    const name = eq < 0 ? a : a.slice(0, eq);
    if (!isName(name)) {
      yield* fprintf(sys, 2, "export: %s: bad variable name\n", a);
      status = 1;
      continue;
    }
    const v = shell.vars.get(name);
    const value = eq < 0 ? v?.value : a.slice(eq + 1);
    if (v !== undefined) {
      v.value = value;
      v.exported = true;
    } else {
      shell.vars.set(name, { value, exported: true });
    }
  }
  return status;
}

/** unset [-v] NAME...: removes shell variables (exported or not). */
function* unsetVars(shell: Shell, args: string[]): Call<number> {
  const sys = shell.sys;
  let names = args.slice(1);
  if (names[0] === "-v" || names[0] === "--") names = names.slice(1);
  if (names.some((a) => a.startsWith("-"))) {
    yield* fprintf(sys, 2, "usage: unset [-v] NAME...\n");
    return 1;
  }
  let status = 0;
  for (const name of names) {
    if (!isName(name)) {
      yield* fprintf(sys, 2, "unset: %s: bad variable name\n", name);
      status = 1;
      continue;
    }
    shell.vars.delete(name);
  }
  return status;
}
