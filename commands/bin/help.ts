// help [PROGRAM...]: the programs in /bin, one line each with what it does (or only the named
// ones). It lists /bin by reading its directory entries, as ls does.

import type { Program } from "../../kernel/uapi/abi.ts";
import { O_RDONLY } from "../../kernel/uapi/fcntl.ts";
import { type Call, fprintf, readdirent } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  cat: "copy files (or the input) to the output; xv6's messages",
  echo: "print the arguments (-n: no newline); none prints nothing, as xv6's",
  env: "print the environment, or run a command in a changed one",
  exithandlers: "atexit and on_exit: the handlers run backwards at exit",
  flock: "hold a file lock (flock) while a command runs",
  fork: "fork children that run a command, become zombies or orphans",
  forktest: "fork until the process table is full, then reap every child",
  grep: "print the lines that match POSIX regular expressions (-E, -F); xv6's messages",
  halt: "stop the machine",
  help: "this list",
  init: "the first process: starts sh, reaps orphans",
  ipcmk: "make a System V semaphore set",
  ipcrm: "remove System V semaphore sets",
  ipcs: "list System V semaphore sets, or one in detail",
  jobtoken: "make's helper: waits for a job token for its make",
  kill: "kill processes",
  ln: "give a file another name",
  lockf: "take fcntl record locks on a file",
  ls: "list files: name, type, inode number, size",
  make: "build targets from a Makefile, jobs in parallel with -j",
  mkdir: "make directories",
  mutex: "create, lock and unlock a process-shared (robust) mutex",
  pgrep: "list the processes whose name matches an extended regular expression",
  pkill: "kill the processes whose name matches an extended regular expression",
  ps: "list the processes",
  psem: "robust POSIX semaphores: create, wait, post, value, unlink",
  rm: "remove files",
  semctl: "get or set System V semaphore values, remove a set",
  semop: "operate on System V semaphores (SEM_UNDO, IPC_NOWAIT)",
  sh: "the shell",
  sleep: "sleep for some clock ticks",
  spin: "burn CPU for some ticks, or until killed; -w: a number of steps",
  uptime: "clock ticks since boot",
  usertests: "xv6's kernel tests",
  wc: "count lines, words and bytes (-l, -w, -c); xv6's line without them",
};

/** The names in a directory, in directory order, without "." and "..". */
function* names(sys: Sys, path: string): Call<string[] | null> {
  const fd = yield* sys.open(path, O_RDONLY);
  if (fd < 0) return null;
  const out: string[] = [];
  for (let de; (de = yield* readdirent(sys, fd)) !== null;) {
    if (de.inum !== 0 && de.name !== "." && de.name !== "..") out.push(de.name);
  }
  yield* sys.close(fd);
  return out;
}

/** "name  description": the name padded to 10 columns. */
function line(name: string): string {
  if (!Object.hasOwn(DESCRIPTIONS, name)) return name + "\n";
  return name.padEnd(10) + " " + DESCRIPTIONS[name] + "\n";
}

export default function* help(sys: Sys, argv: string[]): Program {
  if (argv.slice(1).some((a) => a.startsWith("-"))) {
    yield* fprintf(sys, 2, "usage: help [program...]\n");
    return yield* sys.exit(1);
  }
  const bin = yield* names(sys, "/bin");
  if (bin === null) {
    yield* fprintf(sys, 2, "help: cannot open /bin\n");
    return yield* sys.exit(1);
  }
  if (argv.length === 1) {
    let out = "";
    for (const name of bin) out += line(name);
    yield* sys.write(1, out);
    return yield* sys.exit(0);
  }
  let status = 0;
  for (const name of argv.slice(1)) {
    if (bin.includes(name)) {
      yield* sys.write(1, line(name));
    } else {
      yield* fprintf(sys, 2, "help: no program %s in /bin\n", name);
      status = 1;
    }
  }
  return yield* sys.exit(status);
}
