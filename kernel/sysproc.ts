// Process-related system calls, as in xv6's kernel/sysproc.c, plus exec and spawn. Each sys_
// function fetches its arguments, then returns the result, or the kernel path that computes
// it when that path may yield (take a lock, sleep).

import type { Image, Val } from "./uapi/abi.ts";
import { ERRNO } from "./uapi/errno.ts";
import { EV, event, type KGen } from "./event.ts";
import type { Machine } from "./machine.ts";
import { MAXARG } from "./uapi/param.ts";
import {
  exit,
  fork,
  kill,
  killed,
  type Proc,
  setImage,
  sleep,
  SLEEPING,
  spawn,
  STATE_NAMES,
  UNUSED,
  wait,
} from "./proc.ts";
import { acquire, release } from "./spinlock.ts";
import { argint, argstr, argstrs, BadArg, linux, locked, type SyscallFn } from "./syscall.ts";
import { argactions, fileActions } from "./sysfile.ts";
import { SPAWN_FOREGROUND, SPAWN_SETPGROUP, type SpawnAction } from "./uapi/fcntl.ts";
import { T_FILE } from "./uapi/stat.ts";
import { SYS } from "./uapi/syscall.ts";

function* exitCall(m: Machine, a: Val[], status: number): KGen<Val> {
  // exit never returns to user mode: the step that enters it is its record.
  yield event(EV.EXIT, { n: SYS.exit, a });
  return yield* exit(m, status);
}

const sys_exit: SyscallFn = (m, _p, a) => exitCall(m, a, argint(a, 0));
const sys_getpid: SyscallFn = (_m, p) => p.pid;
const sys_fork: SyscallFn = (m) => fork(m);
const sys_wait: SyscallFn = (m) => wait(m);

// A negative count is unsigned in xv6: the process sleeps until killed.
const sys_sleep: SyscallFn = (m, p, a) => sleepTicks(m, p, argint(a, 0) >>> 0);

function* sleepTicks(m: Machine, p: Proc, n: number): KGen<Val> {
  yield* acquire(m, m.tickslock);
  const ticks0 = m.ticks;
  while (m.ticks - ticks0 < n) {
    if (yield* killed(m, p)) {
      yield* release(m, m.tickslock);
      return -1;
    }
    yield* sleep(m, m.ticksChan, m.tickslock);
  }
  yield* release(m, m.tickslock);
  return 0;
}

const sys_kill: SyscallFn = (m, _p, a) => kill(m, argint(a, 0));

// return how many clock tick interrupts have occurred since start.
const sys_uptime: SyscallFn = (m) => locked(m, m.tickslock, () => m.ticks);

/** The program an executable path names, or null (no such file, not a program). */
function* loadProgram(m: Machine, p: Proc, path: string): KGen<Image | null> {
  const ip = yield* locked(m, m.fs.lock, () => m.fs.namei(path, p.cwd!));
  if (ip === null || ip.type !== T_FILE || ip.program === null) return null;
  return m.programs[ip.program] ?? null;
}

function execArgs(a: Val[]): [string, string[]] {
  const path = argstr(a, 0);
  const argv = argstrs(a, 1);
  if (argv.length > MAXARG) throw new BadArg();
  return [path, argv];
}

// The environment argument at a[i]: NAME=value strings; absent, the caller's own.
function argenv(p: Proc, a: Val[], i: number): readonly string[] {
  return a[i] === undefined ? p.env : argstrs(a, i);
}

// exec replaces the program; it returns argc, which the new program never sees.
const sys_exec: SyscallFn = (m, p, a) => execCall(m, p, ...execArgs(a), argenv(p, a, 2));

function* execCall(
  m: Machine,
  p: Proc,
  path: string,
  argv: string[],
  env: readonly string[],
): KGen<Val> {
  const main = yield* loadProgram(m, p, path);
  if (main === null) return -1;
  // Linux walks the robust list at execve too: the new program holds none of the old one's
  // robust mutexes, and starts with no list.
  yield* m.shmem.exitRobustList(m, p);
  p.robustList = 0;
  setImage(m, p, main, argv, path, env);
  return argv.length;
}

const sys_spawn: SyscallFn = (m, p, a) => {
  const [path, argv] = execArgs(a);
  const actions = argactions(a, 2);
  const flags = a[3] === undefined ? 0 : argint(a, 3);
  const pgroup = a[4] === undefined ? 0 : argint(a, 4);
  if (pgroup < 0) throw new BadArg();
  return spawnCall(m, p, path, argv, argenv(p, a, 5), actions, flags, pgroup);
};

function* spawnCall(
  m: Machine,
  p: Proc,
  path: string,
  argv: string[],
  env: readonly string[],
  actions: SpawnAction[],
  flags: number,
  pgroup: number,
): KGen<Val> {
  const main = yield* loadProgram(m, p, path);
  if (main === null) return -ERRNO.ENOENT;
  return yield* spawn(m, main, argv, path, env, function* (np) {
    const errno = yield* fileActions(m, np, actions);
    if (errno !== 0) return errno;
    if (flags & SPAWN_SETPGROUP) np.pgid = pgroup === 0 ? np.pid : pgroup;
    if (flags & SPAWN_FOREGROUND) m.cons.fgpgid = np.pgid;
    return 0;
  });
}

// The process table for ps, read without locks as procdump does: a snapshot, one entry per
// slot in use: [pid, ppid, pgid, state, ticks, name, what a sleeper waits for, argv, units
// the kernel gives back at its exit].
const sys_procs: SyscallFn = (m) =>
  m.procs.filter((p) => p.state !== UNUSED).map((p) => [
    p.pid,
    p.parent === null ? 0 : p.parent.pid,
    p.pgid,
    STATE_NAMES[p.state].trim(),
    p.ticks,
    p.name,
    p.state === SLEEPING ? p.chan!.what : "",
    p.argv,
    undoUnits(p),
  ]);

/** The units a process took and the kernel would give back at its exit: its SEM_UNDO
 * adjustments over every System V set, and its robust POSIX semaphores' adjustments (kept by
 * the kernel on the system-call path, in its registered words on the fast path). For a
 * semaphore jobserver: the tokens it holds. A pipe's tokens are bytes nobody keeps account of:
 * the kernel cannot tell who holds them (which is why they leak). */
function undoUnits(p: Proc): number {
  let sum = 0;
  for (const adj of p.semadj.values()) for (const a of adj) sum += a;
  for (const a of p.psemAdj.values()) sum += a;
  for (const { adj } of p.psemRegs) sum += adj.obj.words[adj.index];
  return sum;
}

/** getrandom()'s most bytes in one call: Linux gives at least 256 unless interrupted. */
const GETRANDOM_MAX = 256;

// getrandom(count): up to GETRANDOM_MAX random bytes, from the machine's generator (so a
// replay draws the same ones), or -EINVAL for a negative count (-EFAULT for one that is not a
// number: a Linux call).
const sys_getrandom: SyscallFn = linux((m, _p, a) => {
  const count = argint(a, 0);
  if (count < 0) return -ERRNO.EINVAL;
  const bytes = new Uint8Array(Math.min(count, GETRANDOM_MAX));
  for (let i = 0; i < bytes.length; i += 4) {
    const r = m.random.u32();
    for (let j = 0; j < 4 && i + j < bytes.length; j++) bytes[i + j] = (r >>> (8 * j)) & 0xff;
  }
  return bytes;
});

const sys_halt: SyscallFn = (m, _p, a) => haltCall(m, a, argint(a, 0));

function* haltCall(m: Machine, a: Val[], status: number): KGen<Val> {
  yield* m.uart.drain(m);
  m.halt(status);
  yield event(EV.EXIT, { n: SYS.halt, a });
  return undefined;
}

export const SYSPROC: Record<number, SyscallFn> = {
  [SYS.exit]: sys_exit,
  [SYS.getpid]: sys_getpid,
  [SYS.fork]: sys_fork,
  [SYS.wait]: sys_wait,
  [SYS.sleep]: sys_sleep,
  [SYS.kill]: sys_kill,
  [SYS.uptime]: sys_uptime,
  [SYS.exec]: sys_exec,
  [SYS.spawn]: sys_spawn,
  [SYS.halt]: sys_halt,
  [SYS.procs]: sys_procs,
  [SYS.getrandom]: sys_getrandom,
};
