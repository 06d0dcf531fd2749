// sh: the shell (xv6's user/sh.c), with xv6's grammar and messages (the parser is in
// shparse.ts) and what a shell user expects on top: quotes, `>>` that appends, `$?`, `#`
// comments, commands found in /bin, the builtins `cd [DIR]`, `exit [N]` and `wait`, background
// jobs that print `[PID]`, `sh FILE` and `sh -c LINE`.
//
//   sh              reads lines from fd 0, writing the prompt `$ ` to fd 2 before each one
//   sh FILE         runs FILE's lines, without prompts
//   sh -c LINE      runs LINE
//
// Each ends at the end of its input (or at `exit`) with the last command's status.
//
// Unlike xv6's sh, this one never forks: a fork re-runs the program from its exec, fed its
// recorded system-call results, so a shell that forked for every command would pay for its
// whole history each time. Every command is a spawn() whose file actions do what xv6's child
// does between fork and exec:
//   - a redirection is [SPAWN_OPEN, fd, file, flags]; as in xv6 the last one written is the
//     outermost and is applied first, so `echo x > a > b` creates b, then writes to a;
//   - a pipeline's pipes are made by the shell, each stage gets its ends with SPAWN_DUP2 and
//     closes the rest with SPAWN_CLOSE, and the shell closes its copies once the stage runs;
//   - a block `( line ) redirs` is a child shell, `/bin/sh -c line`, with the block's
//     redirections as its file actions (so a block's `$?` starts at 0).
// A builtin in a pipeline or in the background runs in a child shell as well, as in sh.
//
// Statuses: a command's exit status; 127 if it cannot be run (`exec NAME failed`); 1 if a
// redirection's file cannot be opened (`open FILE failed`) or the line does not parse. A
// pipeline's status is its last command's; a background job's is 0. A killed process ends
// with status -1, as in xv6 (kill makes it exit(-1); xv6 has no signals, so there is no
// 128+N), and `$?` shows -1.
//
// Job control: when the shell reads commands from the console (an interactive shell), each
// foreground job gets its own process group, the console's foreground group, so that ^C
// stops the whole job and the shell lives on. Its first process starts the group (pgroup 0)
// and the others join it (pgroup = the first's pid). A background job gets a group of its
// own that is not the foreground, in every shell. A shell running a FILE or -c LINE (such as
// a block's child shell) does no job control: its foreground commands stay in its own group,
// so ^C stops them together with it. The shell reaps finished background jobs quietly
// whenever it waits for a foreground job; `wait` waits for all of them.

import type { Program } from "../kernel/abi.ts";
import {
  O_RDONLY,
  O_RDWR,
  SPAWN_CLOSE,
  SPAWN_DUP2,
  SPAWN_FOREGROUND,
  SPAWN_OPEN,
  SPAWN_SETPGROUP,
  T_DEVICE,
  T_DIR,
} from "../kernel/sysnum.ts";
import { expand, type Job, ParseError, parseJobs, type Stage } from "./shparse.ts";
import { type Call, fprintf, gets, strlen } from "./ulib.ts";
import type { SpawnAction, Sys } from "./usys.ts";

/** The longest line the shell reads, in bytes. */
export const MAXLINE = 1024;

/** The status of a command that cannot be run. */
export const STATUS_NOT_FOUND = 127;

const BUILTINS = ["cd", "exit", "wait"];

/** Where fstat's answer, xv6's struct stat [dev, ino, type, nlink, size], has the type. */
const ST_TYPE = 2;

const USAGE = "usage: sh [-c LINE | FILE]\n";

/** Everything a shell process keeps, made in its main: nothing lives at module level. */
interface Shell {
  sys: Sys;
  /** `$?`: the last command's status. */
  status: number;
  /** Whether foreground jobs get their own, foreground, process group. */
  jobControl: boolean;
  /** The fd `sh FILE` reads its script from (-1 otherwise): closed in every child. */
  scriptFd: number;
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

  const shell: Shell = { sys, status: 0, jobControl: false, scriptFd: -1 };

  if (argv[1] === "-c") {
    if (argv.length !== 3) {
      yield* fprintf(sys, 2, USAGE);
      return 1;
    }
    for (const line of argv[2].split("\n")) yield* runLine(shell, line);
    return shell.status;
  }
  if (argv.length > 2 || (argv.length === 2 && argv[1].startsWith("-"))) {
    yield* fprintf(sys, 2, USAGE);
    return 1;
  }

  let fd = 0;
  if (argv.length === 2) {
    fd = yield* sys.open(argv[1], O_RDONLY);
    if (fd < 0) {
      yield* fprintf(sys, 2, "sh: cannot open %s\n", argv[1]);
      return 1;
    }
    const st = yield* sys.fstat(fd);
    if (st !== -1 && st[ST_TYPE] === T_DIR) {
      yield* fprintf(sys, 2, "sh: %s is a directory\n", argv[1]);
      return 1;
    }
    shell.scriptFd = fd;
  } else {
    const st = yield* sys.fstat(0);
    shell.jobControl = st !== -1 && st[ST_TYPE] === T_DEVICE;
  }

  for (;;) {
    if (fd === 0) yield* sys.write(2, "$ ");
    const line = yield* gets(sys, MAXLINE + 1, fd);
    if (line === "") break; // end of input
    if (complete(line) || strlen(line) < MAXLINE) {
      yield* runLine(shell, line);
      continue;
    }
    // No end of line within MAXLINE bytes: skip the rest of the line.
    let skipped = false;
    for (;;) {
      const rest = yield* gets(sys, MAXLINE + 1, fd);
      if (rest === "") break;
      skipped = true;
      if (complete(rest)) break;
    }
    if (skipped) {
      yield* fprintf(sys, 2, "sh: line too long (at most %d bytes)\n", MAXLINE);
      shell.status = 1;
    } else {
      yield* runLine(shell, line); // the input's last line, exactly MAXLINE bytes long
    }
  }
  return shell.status;
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
    shell.status = 1;
    return;
  }
  for (const job of jobs) yield* runJob(shell, job);
}

/** The redirections of a stage in the order they are applied (the last written first). */
function opensOf(shell: Shell, s: Stage): Open[] {
  return s.redirs.map((r): Open => [r.fd, expand(r.file, shell.status), r.flags]).reverse();
}

/** Runs one job: a builtin in the shell itself, or a pipeline of spawned processes. */
function* runJob(shell: Shell, job: Job): Call<void> {
  const sys = shell.sys;
  const stages = job.stages;
  const n = stages.length;

  if (n === 1 && stages[0].type === "exec") {
    const s = stages[0];
    if (s.argv.length === 0 && s.redirs.length === 0) return; // nothing at all: `$?` stays
    const name = s.argv.length > 0 ? expand(s.argv[0], shell.status) : "";
    if (!job.background && BUILTINS.includes(name)) {
      const args = s.argv.map((w) => expand(w, shell.status));
      // The builtin's redirections create or truncate their files, as in sh.
      if ((yield* openAll(sys, opensOf(shell, s))) !== 0) shell.status = 1;
      else shell.status = yield* builtin(shell, args);
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
      actions.push([SPAWN_CLOSE, p[0]]);
    }
    if (shell.scriptFd >= 0) actions.push([SPAWN_CLOSE, shell.scriptFd]);

    let opens = opensOf(shell, s);
    let path = "/bin/sh";
    let args: string[];
    if (s.type === "block") {
      args = ["sh", "-c", s.body];
    } else {
      args = s.argv.map((w) => expand(w, shell.status));
      if (BUILTINS.includes(args[0])) {
        args = ["sh", "-c", s.src]; // the child shell does the redirections too
        opens = [];
      } else if (args.length > 0) {
        path = binPath(args[0]);
      }
    }

    let pid = -1;
    let st = 0;
    if (args.length === 0) {
      st = yield* openAll(sys, opens); // only redirections: create the files, run nothing
    } else {
      for (const [fd, file, flags] of opens) actions.push([SPAWN_OPEN, fd, file, flags]);
      const flags = job.background
        ? SPAWN_SETPGROUP
        : shell.jobControl
        ? SPAWN_SETPGROUP | SPAWN_FOREGROUND
        : 0;
      pid = yield* sys.spawn(path, args, actions, flags, leader);
      if (pid < 0) st = yield* whyNot(sys, args[0], opens);
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

  if (job.background) {
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
    if (pids.delete(pid) && pid === lastPid) status = st;
  }
  shell.status = status;
}

/** File actions that make `from` the child's `to`. */
function moveFd(actions: SpawnAction[], from: number, to: number): void {
  if (from === to) return;
  actions.push([SPAWN_DUP2, from, to], [SPAWN_CLOSE, from]);
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
 * Why a spawn failed, told as xv6's child would: it applies the redirections first, so a file
 * that cannot be opened is reported as `open FILE failed` (status 1); otherwise the program
 * could not be run: `exec NAME failed` (status 127).
 */
function* whyNot(sys: Sys, name: string, opens: Open[]): Call<number> {
  if ((yield* openAll(sys, opens)) !== 0) return 1;
  yield* fprintf(sys, 2, "exec %s failed\n", name);
  return STATUS_NOT_FOUND;
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
      if (args.length > 2 || (args.length === 2 && !/^-?[0-9]+$/.test(args[1]))) {
        yield* fprintf(sys, 2, "usage: exit [N]\n");
        return 1;
      }
      return yield* sys.exit(args.length === 2 ? Number(args[1]) | 0 : shell.status);
    }
    default: {
      // wait: until no child is left.
      for (;;) {
        const [pid] = yield* sys.wait();
        if (pid < 0) return 0;
      }
    }
  }
}
