// File-system system calls, as in xv6's kernel/sysfile.c. Mostly argument checking, since we
// don't trust user code, and calls into file.c, pipe.c and fs.c.

import type { Val } from "./uapi/abi.ts";
import { ERRNO } from "./uapi/errno.ts";
import type { KGen } from "./event.ts";
import {
  FD_DEVICE,
  FD_INODE,
  type File,
  filealloc,
  fileclose,
  filedup,
  fileread,
  filestat,
  filewrite,
} from "./file.ts";
import type { Inode } from "./fs.ts";
import type { Machine } from "./machine.ts";
import { NOFILE } from "./uapi/param.ts";
import { pipealloc } from "./pipe.ts";
import type { Proc } from "./proc.ts";
import { argbytes, argint, argstr, BadArg, locked, type SyscallFn } from "./syscall.ts";
import {
  O_APPEND,
  O_CREATE,
  O_NONBLOCK,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  SPAWN_DUP2,
  SPAWN_OPEN,
  type SpawnAction,
  spawnActionFromWire,
} from "./uapi/fcntl.ts";
import { T_DEVICE, T_DIR, T_FILE } from "./uapi/stat.ts";
import { SYS } from "./uapi/syscall.ts";

// Fetch the nth argument as a file descriptor and return the corresponding file.
function argfd(p: Proc, a: Val[], i: number): File {
  const f = p.file(argint(a, i));
  if (f === null) throw new BadArg();
  return f;
}

// Allocate a file descriptor for the given file: the lowest free one, or -1.
function fdalloc(p: Proc, f: File): number {
  const fd = p.ofile.indexOf(null);
  if (fd >= 0) p.ofile[fd] = f;
  return fd;
}

const sys_dup: SyscallFn = (m, p, a) => dup(m, p, argfd(p, a, 0));

function* dup(m: Machine, p: Proc, f: File): KGen<Val> {
  const fd = fdalloc(p, f);
  if (fd < 0) return -1;
  yield* filedup(m, f);
  return fd;
}

const sys_read: SyscallFn = (m, p, a) => {
  const f = argfd(p, a, 0);
  const n = argint(a, 1);
  return n < 0 ? -1 : fileread(m, f, n);
};

const sys_write: SyscallFn = (m, p, a) => filewrite(m, argfd(p, a, 0), argbytes(a, 1));

const sys_close: SyscallFn = (m, p, a) => {
  const f = argfd(p, a, 0);
  p.ofile[argint(a, 0)] = null;
  return closeCall(m, p, f);
};

function* closeCall(m: Machine, p: Proc, f: File): KGen<Val> {
  // Closing any descriptor of a file drops all the process's record locks on it (POSIX).
  if (f.ip !== null && p.lockedInodes.delete(f.ip)) yield* m.locks.releaseRecords(m, p, f.ip);
  yield* fileclose(m, f);
  return 0;
}

const sys_fstat: SyscallFn = (_m, p, a) => filestat(argfd(p, a, 0));

// An operation on the file system, atomic under its lock.
function fsop<T>(m: Machine, op: () => T): KGen<T> {
  return locked(m, m.fs.lock, op);
}

const sys_link: SyscallFn = (m, p, a) => {
  const oldPath = argstr(a, 0), newPath = argstr(a, 1);
  return fsop(m, () => m.fs.link(oldPath, newPath, p.cwd!));
};

const sys_unlink: SyscallFn = (m, p, a) => {
  const path = argstr(a, 0);
  return fsop(m, () => m.fs.unlink(path, p.cwd!));
};

const sys_open: SyscallFn = (m, p, a) => open(m, p, argstr(a, 0), argint(a, 1));

function* open(m: Machine, p: Proc, path: string, omode: number): KGen<Val> {
  const f = yield* openFile(m, p.cwd!, path, omode);
  if (f === null) return -1;
  const fd = fdalloc(p, f);
  if (fd < 0) yield* fileclose(m, f);
  return fd;
}

// Open a path (relative to cwd) as a new open file, or null.
function* openFile(m: Machine, cwd: Inode, path: string, omode: number): KGen<File | null> {
  const ip = yield* fsop(m, (): Inode | null => {
    const old = m.fs.namei(path, cwd);
    const ip = omode & O_CREATE ? m.fs.create(path, T_FILE, 0, 0, cwd) : old;
    if (ip === null || (ip.type === T_DIR && omode !== 0)) return null;
    if (ip.type === T_FILE && omode & O_TRUNC) ip.truncate();
    if (ip !== old || (ip.type === T_FILE && omode & O_TRUNC)) ip.mtime = m.ticks;
    return ip;
  });
  if (ip === null) return null;

  const f = yield* filealloc(m);
  if (f === null) return null;
  f.type = ip.type === T_DEVICE ? FD_DEVICE : FD_INODE;
  f.major = ip.major;
  f.ip = ip;
  f.off = 0;
  f.readable = !(omode & O_WRONLY);
  f.writable = (omode & O_WRONLY) !== 0 || (omode & O_RDWR) !== 0;
  f.append = (omode & O_APPEND) !== 0;
  f.nonblock = (omode & O_NONBLOCK) !== 0;
  return f;
}

// Replace fd of p with f (f's reference passes to p).
function* install(m: Machine, p: Proc, fd: number, f: File): KGen {
  const old = p.ofile[fd];
  p.ofile[fd] = f;
  if (old !== null) yield* fileclose(m, old);
}

/** Check spawn()'s file actions before anything is done: each one a SpawnAction whose
 * descriptors are in range. */
export function argactions(a: Val[], i: number): SpawnAction[] {
  const v = a[i] ?? [];
  if (!Array.isArray(v)) throw new BadArg();
  const fdOk = (fd: number) => fd >= 0 && fd < NOFILE;
  return v.map((w) => {
    const act = spawnActionFromWire(w);
    if (act === null || !fdOk(act.fd) || (act.action === SPAWN_DUP2 && !fdOk(act.newfd))) {
      throw new BadArg();
    }
    return act;
  });
}

/** Apply spawn()'s file actions to the new process np, in order, as its first acts. 0, or the
 * errno of the one that fails (ENOENT: a file that cannot be opened; EBADF: a descriptor that
 * is not open), which posix_spawn returns. */
export function* fileActions(m: Machine, np: Proc, actions: SpawnAction[]): KGen<number> {
  for (const act of actions) {
    const fd = act.fd;
    if (act.action === SPAWN_OPEN) {
      const f = yield* openFile(m, np.cwd!, act.path, act.flags);
      if (f === null) return ERRNO.ENOENT;
      yield* install(m, np, fd, f);
    } else if (act.action === SPAWN_DUP2) {
      const f = np.ofile[fd], newfd = act.newfd;
      if (f === null) return ERRNO.EBADF;
      if (fd !== newfd) yield* install(m, np, newfd, yield* filedup(m, f));
    } else {
      const f = np.ofile[fd];
      if (f === null) return ERRNO.EBADF;
      np.ofile[fd] = null;
      yield* fileclose(m, f);
    }
  }
  return 0;
}

const sys_mkdir: SyscallFn = (m, p, a) => {
  const path = argstr(a, 0);
  return fsop(m, () => m.fs.create(path, T_DIR, 0, 0, p.cwd!) === null ? -1 : 0);
};

const sys_mknod: SyscallFn = (m, p, a) => {
  const path = argstr(a, 0), major = argint(a, 1), minor = argint(a, 2);
  return fsop(m, () => m.fs.create(path, T_DEVICE, major, minor, p.cwd!) === null ? -1 : 0);
};

const sys_chdir: SyscallFn = (m, p, a) => {
  const path = argstr(a, 0);
  return fsop(m, () => {
    const ip = m.fs.namei(path, p.cwd!);
    if (ip === null || ip.type !== T_DIR) return -1;
    p.cwd = ip;
    return 0;
  });
};

const sys_pipe: SyscallFn = (m, p) => pipe(m, p);

function* pipe(m: Machine, p: Proc): KGen<Val> {
  const ends = yield* pipealloc(m);
  if (ends === null) return -1;
  const [rf, wf] = ends;
  const fd0 = fdalloc(p, rf);
  const fd1 = fd0 < 0 ? -1 : fdalloc(p, wf);
  if (fd1 < 0) {
    if (fd0 >= 0) p.ofile[fd0] = null;
    yield* fileclose(m, rf);
    yield* fileclose(m, wf);
    return -1;
  }
  return [fd0, fd1];
}

export const SYSFILE: Record<number, SyscallFn> = {
  [SYS.dup]: sys_dup,
  [SYS.read]: sys_read,
  [SYS.write]: sys_write,
  [SYS.close]: sys_close,
  [SYS.fstat]: sys_fstat,
  [SYS.link]: sys_link,
  [SYS.unlink]: sys_unlink,
  [SYS.open]: sys_open,
  [SYS.mkdir]: sys_mkdir,
  [SYS.mknod]: sys_mknod,
  [SYS.chdir]: sys_chdir,
  [SYS.pipe]: sys_pipe,
};
