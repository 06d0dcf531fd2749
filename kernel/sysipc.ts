// The system calls of dv6's IPC (Linux's System V semaphores, shared memory and futexes,
// robust POSIX semaphores, file locks, file status flags, poll). Like Linux's raw calls, they
// return -errno.

import type { Val } from "./uapi/abi.ts";
import { ERRNO } from "./uapi/errno.ts";
import type { KGen } from "./event.ts";
import { FD_DEVICE, FD_INODE } from "./file.ts";
import type { Machine } from "./machine.ts";
import { poll } from "./poll.ts";
import type { Proc } from "./proc.ts";
import { psemop } from "./psem.ts";
import { removeSet, semop, setValues, waiting } from "./sem.ts";
import type { SharedObject } from "./shm.ts";
import { acquire, release } from "./spinlock.ts";
import { argint, argstr, BadArg, linux, locked, type SyscallFn } from "./syscall.ts";
import {
  F_GETFL,
  F_GETLK,
  F_SETFL,
  F_SETLK,
  F_SETLKW,
  F_UNLCK,
  O_APPEND,
  O_NONBLOCK,
  O_RDWR,
  O_WRONLY,
} from "./uapi/fcntl.ts";
import {
  GETALL,
  GETNCNT,
  GETPID,
  GETVAL,
  GETZCNT,
  IPC_RMID,
  IPC_STAT,
  PSEM_POST,
  SEM_INFO,
  type SemBuf,
  semBufFromWire,
  semBufToWire,
  SEMOPM,
  SEMVMX,
  SETALL,
  SETVAL,
} from "./uapi/ipc.ts";
import { type PollFd, pollFdFromWire, pollFdToWire } from "./uapi/poll.ts";
import { SYS } from "./uapi/syscall.ts";

/** A timeout argument in ticks (-1: none) as a deadline. */
function deadline(m: Machine, ticks: number): number {
  return ticks < 0 ? Infinity : m.ticks + ticks;
}

function argints(v: Val): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "number" && Number.isSafeInteger(x))) {
    throw new BadArg();
  }
  return v as number[];
}

const sys_semget: SyscallFn = (m, _p, a) => {
  const key = argint(a, 0), nsems = argint(a, 1), flags = argint(a, 2);
  return locked(m, m.sem.lock, () => m.sem.semget(key, nsems, flags, m.ticks));
};

const sys_semop: SyscallFn = (m, p, a) => {
  const id = argint(a, 0);
  const bufs = Array.isArray(a[1]) ? (a[1] as Val[]).map(semBufFromWire) : null;
  const timeout = argint(a, 2);
  if (bufs === null || bufs.includes(null)) throw new BadArg();
  const ops = bufs as SemBuf[];
  if (ops.length < 1 || id < 0) return -ERRNO.EINVAL;
  if (ops.length > SEMOPM) return -ERRNO.E2BIG;
  if (ops.some((o) => o.sem_num < 0 || o.sem_op < -32768 || o.sem_op > 32767)) {
    return ops.some((o) => o.sem_num < 0) ? -ERRNO.EFBIG : -ERRNO.ERANGE;
  }
  return semop(m, p, id, ops.map(semBufToWire), deadline(m, timeout));
};

const sys_semctl: SyscallFn = (m, p, a) => {
  const id = argint(a, 0), num = argint(a, 1), cmd = argint(a, 2);
  const arg = a[3];
  return semctl(m, p, id, num, cmd, arg);
};

function* semctl(m: Machine, p: Proc, id: number, num: number, cmd: number, arg: Val): KGen<Val> {
  if (cmd === SEM_INFO) return yield* locked(m, m.sem.lock, () => m.sem.ids());
  yield* acquire(m, m.sem.lock);
  const set = m.sem.get(id);
  let r: Val = -ERRNO.EINVAL;
  const one = set !== null && num >= 0 && num < set.sems.length;
  if (set === null) r = -ERRNO.EINVAL;
  else if (cmd === GETVAL) r = one ? set.sems[num].val : -ERRNO.EINVAL;
  else if (cmd === GETPID) r = one ? set.sems[num].pid : -ERRNO.EINVAL;
  else if (cmd === GETNCNT) r = one ? waiting(set, num, false) : -ERRNO.EINVAL;
  else if (cmd === GETZCNT) r = one ? waiting(set, num, true) : -ERRNO.EINVAL;
  else if (cmd === GETALL) r = set.sems.map((s) => s.val);
  else if (cmd === IPC_STAT) r = [set.key, set.mode, set.sems.length, set.otime, set.ctime];
  else if (cmd === SETVAL || cmd === SETALL) {
    const vals = cmd === SETVAL
      ? (typeof arg === "number" ? [arg] : null)
      : (Array.isArray(arg) ? arg : null);
    const nums = cmd === SETVAL ? [num] : set.sems.map((_, i) => i);
    if (vals === null || !vals.every((v) => typeof v === "number" && Number.isInteger(v))) {
      r = -ERRNO.EINVAL;
    } else if ((cmd === SETVAL && !one) || vals.length !== nums.length) r = -ERRNO.EINVAL;
    else if ((vals as number[]).some((v) => v < 0 || v > SEMVMX)) r = -ERRNO.ERANGE;
    else {
      yield* setValues(m, p, set, new Map(nums.map((n, i) => [n, vals[i] as number])));
      r = 0;
    }
  } else if (cmd === IPC_RMID) {
    yield* removeSet(m, set);
    r = 0;
  }
  yield* release(m, m.sem.lock);
  return r;
}

const sys_shmopen: SyscallFn = (m, p, a) => {
  const name = argstr(a, 0), words = argint(a, 1), flags = argint(a, 2);
  return locked(m, m.shmem.lock, () => m.shmem.open(p, name, words, flags));
};

const sys_shmunlink: SyscallFn = (m, _p, a) => {
  const name = argstr(a, 0);
  return locked(m, m.shmem.lock, () => m.shmem.unlink(name));
};

/** A word of a shared object this process has mapped, or null. */
function word(
  m: Machine,
  p: Proc,
  a: Val[],
  i: number,
): { obj: SharedObject; index: number } | null {
  const obj = m.shmem.mapped(p, argint(a, i));
  const index = argint(a, i + 1);
  return obj === null || index < 0 || index >= obj.words.length ? null : { obj, index };
}

const sys_futexwait: SyscallFn = (m, p, a) => {
  const w = word(m, p, a, 0);
  const expected = argint(a, 2), timeout = argint(a, 3);
  const label = a[4] === undefined ? "" : argstr(a, 4);
  if (w === null) return -ERRNO.EINVAL;
  return m.shmem.wait(m, p, w.obj, w.index, expected, deadline(m, timeout), label);
};

const sys_futexwake: SyscallFn = (m, p, a) => {
  const w = word(m, p, a, 0);
  const n = argint(a, 2);
  return w === null ? -ERRNO.EINVAL : m.shmem.wake(m, w.obj, w.index, n);
};

const sys_setrobustlist: SyscallFn = (m, p, a) => {
  const h = argint(a, 0);
  if (h !== 0 && m.shmem.mapped(p, h) === null) return -ERRNO.EINVAL;
  p.robustList = h;
  return 0;
};

const sys_psemregister: SyscallFn = (m, p, a) => {
  const sem = word(m, p, a, 0), adj = word(m, p, a, 2);
  if (sem === null || adj === null) return -ERRNO.EINVAL;
  // A new registration for the same semaphore (after an exec, the library starts afresh)
  // replaces the old one; what the old adjustment word held, the kernel keeps.
  const old = p.psemRegs.find((r) => r.sem.obj === sem.obj && r.sem.index === sem.index);
  if (old === undefined) p.psemRegs.push({ sem, adj });
  else if (old.adj.obj !== adj.obj || old.adj.index !== adj.index) {
    const key = `${sem.obj.handle}:${sem.index}`;
    const owed = old.adj.obj.words[old.adj.index];
    if (owed !== 0) p.psemAdj.set(key, (p.psemAdj.get(key) ?? 0) + owed);
    old.adj.obj.words[old.adj.index] = 0;
    old.adj = adj;
  }
  return 0;
};

const sys_psemop: SyscallFn = (m, p, a) => {
  const sem = word(m, p, a, 0);
  const op = argint(a, 2), robust = argint(a, 3) !== 0, timeout = argint(a, 4);
  if (sem === null || op < 0 || op > PSEM_POST) return -ERRNO.EINVAL;
  return psemop(m, p, sem, op, robust, deadline(m, timeout));
};

// The file behind a descriptor, for locking: -EBADF if none (or not a file).
function lockable(p: Proc, fd: number) {
  const f = p.file(fd);
  return f !== null && (f.type === FD_INODE || f.type === FD_DEVICE) ? f : null;
}

// flock(fd, op, timeout): dv6's timeout in ticks (-1, or left out: none) ends a wait with
// ETIMEDOUT.
const sys_flock: SyscallFn = (m, p, a) => {
  const f = lockable(p, argint(a, 0));
  const op = argint(a, 1);
  const timeout = a[2] === undefined ? -1 : argint(a, 2);
  return f === null ? -ERRNO.EBADF : m.locks.flock(m, p, f, op, deadline(m, timeout));
};

const sys_fcntl: SyscallFn = (m, p, a) => {
  const fd = argint(a, 0);
  const cmd = argint(a, 1);
  if (cmd === F_GETFL || cmd === F_SETFL) return statusFlags(p, fd, cmd, a[2]);
  const f = lockable(p, fd);
  const lk = argints(a[2]);
  if (lk.length !== 3) throw new BadArg();
  if (cmd !== F_GETLK && cmd !== F_SETLK && cmd !== F_SETLKW) return -ERRNO.EINVAL;
  if (cmd === F_GETLK && lk[0] === F_UNLCK) return -ERRNO.EINVAL;
  if (f === null) return -ERRNO.EBADF;
  return m.locks.fcntl(m, p, f, cmd, lk[0], lk[1], lk[2]);
};

// fcntl(F_GETFL): the access mode and flags; fcntl(F_SETFL, flags): sets O_APPEND and
// O_NONBLOCK (the others are ignored, as Linux ignores them). The flags belong to the open
// file, so every descriptor of it, in every process, sees the change.
function statusFlags(p: Proc, fd: number, cmd: number, arg: Val): number {
  const f = p.file(fd);
  if (cmd === F_SETFL && typeof arg !== "number") throw new BadArg();
  if (f === null) return -ERRNO.EBADF;
  if (cmd === F_GETFL) {
    const mode = f.readable && f.writable ? O_RDWR : f.writable ? O_WRONLY : 0;
    return mode | (f.append ? O_APPEND : 0) | (f.nonblock ? O_NONBLOCK : 0);
  }
  f.append = ((arg as number) & O_APPEND) !== 0;
  f.nonblock = ((arg as number) & O_NONBLOCK) !== 0;
  return 0;
}

// poll(fds, timeout): fds are PollFds, timeout in ticks (-1: none, 0: do not wait).
const sys_poll: SyscallFn = (m, p, a) => {
  const fds = Array.isArray(a[0]) ? (a[0] as Val[]).map(pollFdFromWire) : null;
  const timeout = argint(a, 1);
  if (fds === null || fds.includes(null)) throw new BadArg();
  return poll(m, p, (fds as PollFd[]).map(pollFdToWire), deadline(m, timeout));
};

export const SYSIPC: Record<number, SyscallFn> = Object.fromEntries(
  Object.entries({
    [SYS.semget]: sys_semget,
    [SYS.semop]: sys_semop,
    [SYS.semctl]: sys_semctl,
    [SYS.shmopen]: sys_shmopen,
    [SYS.shmunlink]: sys_shmunlink,
    [SYS.futexwait]: sys_futexwait,
    [SYS.futexwake]: sys_futexwake,
    [SYS.setrobustlist]: sys_setrobustlist,
    [SYS.psemregister]: sys_psemregister,
    [SYS.psemop]: sys_psemop,
    [SYS.flock]: sys_flock,
    [SYS.fcntl]: sys_fcntl,
    [SYS.poll]: sys_poll,
  }).map(([n, fn]) => [n, linux(fn)]),
);
