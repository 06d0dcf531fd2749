// Process-related system calls, as in xv6's kernel/sysproc.c, plus exec and spawn.

import type { Val } from "./abi.ts";
import { EV, type KGen } from "./event.ts";
import type { Machine } from "./machine.ts";
import { MAXARG } from "./param.ts";
import { exit, fork, kill, killed, type Proc, setImage, sleep, spawn, wait } from "./proc.ts";
import { acquire, release } from "./spinlock.ts";
import { argint, argstr, argstrs, BadArg, type SyscallFn } from "./syscall.ts";
import { SYS, T_FILE } from "./sysnum.ts";

function* sys_exit(m: Machine, _p: Proc, a: Val[]): KGen<Val> {
  const status = argint(a, 0);
  // exit never returns to user mode: the step that enters it is its record.
  yield { k: EV.EXIT, n: SYS.exit, a, r: undefined };
  return yield* exit(m, status);
}

function* sys_getpid(_m: Machine, p: Proc): KGen<Val> {
  return p.pid;
}

function* sys_fork(m: Machine): KGen<Val> {
  return yield* fork(m);
}

function* sys_wait(m: Machine): KGen<Val> {
  return yield* wait(m);
}

function* sys_sleep(m: Machine, p: Proc, a: Val[]): KGen<Val> {
  // A negative count is unsigned in xv6: the process sleeps until killed.
  const n = argint(a, 0) >>> 0;
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

function* sys_kill(m: Machine, _p: Proc, a: Val[]): KGen<Val> {
  return yield* kill(m, argint(a, 0));
}

// return how many clock tick interrupts have occurred since start.
function* sys_uptime(m: Machine): KGen<Val> {
  yield* acquire(m, m.tickslock);
  const xticks = m.ticks;
  yield* release(m, m.tickslock);
  return xticks;
}

/** The program an executable path names, or null (no such file, not a program). */
function* loadProgram(m: Machine, p: Proc, path: string) {
  yield* acquire(m, m.fs.lock);
  const ip = m.fs.namei(path, p.cwd!);
  yield* release(m, m.fs.lock);
  if (ip === null || ip.type !== T_FILE || ip.program === null) return null;
  return m.programs[ip.program] ?? null;
}

function execArgs(a: Val[]): [string, string[]] {
  const path = argstr(a, 0);
  const argv = argstrs(a, 1);
  if (argv.length > MAXARG) throw new BadArg();
  return [path, argv];
}

// exec replaces the program; it returns argc, which the new program never sees.
function* sys_exec(m: Machine, p: Proc, a: Val[]): KGen<Val> {
  const [path, argv] = execArgs(a);
  const main = yield* loadProgram(m, p, path);
  if (main === null) return -1;
  setImage(m, p, main, argv, path);
  return argv.length;
}

function* sys_spawn(m: Machine, p: Proc, a: Val[]): KGen<Val> {
  const [path, argv] = execArgs(a);
  const main = yield* loadProgram(m, p, path);
  if (main === null) return -1;
  return yield* spawn(m, main, argv, path);
}

function* sys_halt(m: Machine, _p: Proc, a: Val[]): KGen<Val> {
  const status = argint(a, 0);
  m.halt(status);
  yield { k: EV.EXIT, n: SYS.halt, a, r: undefined };
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
};
