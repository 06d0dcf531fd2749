// User-side system call stubs (xv6's user/usys.pl and user/user.h): each stub yields one
// request to the kernel and returns the kernel's answer, shaped as in C.
//
// A Sys is made for each process at exec, so per-process user-library state (the atexit list,
// stdio buffers) can live in it and nothing is shared between processes through module state.

import type { Call, SysReq, Val } from "../../kernel/uapi/abi.ts";
import { type SpawnAction, spawnActionToWire } from "../../kernel/uapi/fcntl.ts";
import { ATOMIC, type SemBuf, semBufToWire } from "../../kernel/uapi/ipc.ts";
import { type PollFd, pollFdToWire } from "../../kernel/uapi/poll.ts";
import { type Stat, statFromWire } from "../../kernel/uapi/stat.ts";
import { SYS } from "../../kernel/uapi/syscall.ts";

/** The types of the stubs' arguments (kernel/uapi/ has them), for the programs that import
 * them with Sys. */
export type { PollFd, SemBuf, SpawnAction, Stat };

/** One process as ps sees it. `state` is "sleep", "runble", "run", "zombie" or "used";
 * `waitsFor` is what a sleeper waits for ("wait", "ticks", "pipe read", "console read", ...). */
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  ticks: number;
  name: string;
  waitsFor: string;
  /** The arguments it was started with (pgrep -f matches them). */
  argv: string[];
  /** The semaphore units it took that the kernel gives back at its exit: SEM_UNDO adjustments
   * and robust POSIX semaphores' (a sysvsem or psem jobserver's tokens it holds). */
  undo: number;
}

const encoder = new TextEncoder();

function req(n: number, ...a: Val[]): SysReq {
  return { n, a };
}

/** An exit handler as ulib's exit() runs it: atexit's and on_exit's, with exit's status. */
export type ExitHandler = (status: number) => Call<void>;

export class Sys {
  /** The environment: NAME=value strings, as exec gave them. */
  constructor(readonly env: readonly string[] = []) {}

  /** ulib's atexit/on_exit list, in order of registration (exit() runs it backwards). A
   * forked child inherits it, as it inherits the parent's memory. */
  readonly exitHandlers: ExitHandler[] = [];

  /** Per-process state of the user libraries (libpsem's adjustment words, libmutex's robust
   * list), by library. A forked child starts without it (fork() clears it, as a
   * pthread_atfork child handler would): the kernel does not give a child its parent's
   * registrations, and the child holds none of its parent's tokens or mutexes. */
  readonly libState = new Map<string, unknown>();

  *fork(): Call<number> {
    const pid = (yield req(SYS.fork)) as number;
    if (pid === 0) this.libState.clear();
    return pid;
  }

  *exit(status: number): Call<never> {
    yield req(SYS.exit, status);
    throw new Error("exit returned");
  }

  /** Waits for a child to exit: `[pid, status]`, or `[-1, 0]` with no children. */
  *wait(): Call<[number, number]> {
    return (yield req(SYS.wait)) as [number, number];
  }

  /** Makes a pipe; on success fds[0] is the read end, fds[1] the write end. */
  *pipe(fds: number[]): Call<number> {
    const r = yield req(SYS.pipe);
    if (typeof r === "number") return r;
    fds[0] = (r as number[])[0];
    fds[1] = (r as number[])[1];
    return 0;
  }

  /** Reads up to n bytes into buf; returns the count, 0 at end of file, -1 on error (or
   * -EAGAIN when an O_NONBLOCK file has nothing). */
  *read(fd: number, buf: Uint8Array, n: number = buf.length): Call<number> {
    const r = yield req(SYS.read, fd, Math.min(n, buf.length));
    if (typeof r === "number") return r;
    buf.set(r as Uint8Array);
    return (r as Uint8Array).length;
  }

  *write(fd: number, data: Uint8Array | string, n?: number): Call<number> {
    let bytes = typeof data === "string" ? encoder.encode(data) : data;
    if (n !== undefined) bytes = bytes.subarray(0, n);
    return (yield req(SYS.write, fd, bytes)) as number;
  }

  *kill(pid: number): Call<number> {
    return (yield req(SYS.kill, pid)) as number;
  }

  /** Replaces the program (with `env`, or this process's environment); returns -1 only if
   * it fails. */
  *exec(path: string, argv: string[], env: readonly string[] = this.env): Call<number> {
    return (yield req(SYS.exec, path, argv, [...env])) as number;
  }

  /** fstat: the file's Stat (xv6's struct stat, and the last modification in clock ticks),
   * or -1. */
  *fstat(fd: number): Call<Stat | -1> {
    const r = yield req(SYS.fstat, fd);
    return typeof r === "number" ? -1 : statFromWire(r);
  }

  *chdir(path: string): Call<number> {
    return (yield req(SYS.chdir, path)) as number;
  }

  *dup(fd: number): Call<number> {
    return (yield req(SYS.dup, fd)) as number;
  }

  *getpid(): Call<number> {
    return (yield req(SYS.getpid)) as number;
  }

  *sleep(ticks: number): Call<number> {
    return (yield req(SYS.sleep, ticks)) as number;
  }

  *uptime(): Call<number> {
    return (yield req(SYS.uptime)) as number;
  }

  /** getrandom(buf, count): fills buf with up to `count` random bytes (at most 256 in one
   * call); how many, or -errno. */
  *getrandom(buf: Uint8Array, count: number = buf.length): Call<number> {
    const r = yield req(SYS.getrandom, Math.min(count, buf.length));
    if (typeof r === "number") return r;
    buf.set(r as Uint8Array);
    return (r as Uint8Array).length;
  }

  *open(path: string, flags: number): Call<number> {
    return (yield req(SYS.open, path, flags)) as number;
  }

  *mknod(path: string, major: number, minor: number): Call<number> {
    return (yield req(SYS.mknod, path, major, minor)) as number;
  }

  *unlink(path: string): Call<number> {
    return (yield req(SYS.unlink, path)) as number;
  }

  *link(oldPath: string, newPath: string): Call<number> {
    return (yield req(SYS.link, oldPath, newPath)) as number;
  }

  *mkdir(path: string): Call<number> {
    return (yield req(SYS.mkdir, path)) as number;
  }

  *close(fd: number): Call<number> {
    return (yield req(SYS.close, fd)) as number;
  }

  /**
   * fork and exec in one call, like posix_spawn: the child's pid, or -errno and no child:
   * -EAGAIN when the process table is full, -ENOENT when `path` is no program or a file
   * action's file cannot be opened, -EBADF when a file action names a closed fd. The child
   * gets the caller's open files, then `actions` are applied to its fds in order (spawnOpen,
   * spawnDup2 and spawnClose in kernel/uapi/fcntl.ts make them). With SPAWN_SETPGROUP in `flags` the child joins process
   * group `pgroup` (0: a new group whose id is the child's pid); with SPAWN_FOREGROUND its group
   * becomes the console's foreground group, which ^C kills (until the group's last process
   * exits, when the console has no foreground group again).
   */
  *spawn(
    path: string,
    argv: string[],
    actions: readonly SpawnAction[] = [],
    flags = 0,
    pgroup = 0,
    env: readonly string[] = this.env,
  ): Call<number> {
    const wire = actions.map(spawnActionToWire);
    return (yield req(SYS.spawn, path, argv, wire, flags, pgroup, [...env])) as number;
  }

  /** The process table, for ps: one ProcInfo per process in use, in table order. */
  *procs(): Call<ProcInfo[]> {
    const r = (yield req(SYS.procs)) as Val[];
    return r.map((v) => {
      const [pid, ppid, pgid, state, ticks, name, waitsFor, argv, undo] = v as [
        number,
        number,
        number,
        string,
        number,
        string,
        string,
        string[],
        number | undefined,
      ];
      return { pid, ppid, pgid, state, ticks, name, waitsFor, argv, undo: undo ?? 0 };
    });
  }

  /** Stops the machine; the host exits with `status`. */
  *halt(status: number): Call<never> {
    yield req(SYS.halt, status);
    throw new Error("halt returned");
  }

  // System V semaphores, with Linux's semantics: errors come back as -errno.

  /** semget(key, nsems, semflg): the set's id. */
  *semget(key: number, nsems: number, flags: number): Call<number> {
    return (yield req(SYS.semget, key, nsems, flags)) as number;
  }

  /** semop, or semtimedop with a timeout in ticks. */
  *semop(id: number, ops: readonly SemBuf[], timeoutTicks = -1): Call<number> {
    return (yield req(SYS.semop, id, ops.map(semBufToWire), timeoutTicks)) as number;
  }

  /** semctl: GETALL and SEM_INFO answer an array, IPC_STAT [key, mode, nsems, otime, ctime];
   * SETALL takes an array. */
  *semctl(id: number, semnum: number, cmd: number, arg: number | number[] = 0): Call<Val> {
    return yield req(SYS.semctl, id, semnum, cmd, arg);
  }

  // Shared memory and futexes.

  /** A named shared object of `words` 32-bit words, mapped into this process: its handle
   * (the same for every process), or -errno. An empty name makes a private one. */
  *shmopen(name: string, words: number, flags: number): Call<number> {
    return (yield req(SYS.shmopen, name, words, flags)) as number;
  }

  *shmunlink(name: string): Call<number> {
    return (yield req(SYS.shmunlink, name)) as number;
  }

  /** Sleep while word `index` of `handle` holds `expected`: 0 when woken, -EAGAIN if it did
   * not hold it, -ETIMEDOUT, or -EINTR. `label` names the wait for ps and deadlock reports. */
  *futexwait(handle: number, index: number, expected: number, timeoutTicks = -1, label = ""): Call<
    number
  > {
    return (yield req(SYS.futexwait, handle, index, expected, timeoutTicks, label)) as number;
  }

  /** Wake up to n waiters on a word: how many were woken. */
  *futexwake(handle: number, index: number, n: number): Call<number> {
    return (yield req(SYS.futexwake, handle, index, n)) as number;
  }

  /** Register this process's robust list: words of `handle`, [0] list_op_pending, then one
   * entry per held robust mutex (handle << 16 | index, 0 when free). */
  *setrobustlist(handle: number): Call<number> {
    return (yield req(SYS.setrobustlist, handle)) as number;
  }

  /** Register the fast path of a robust semaphore: its value word and this process's
   * adjustment word, which the kernel adds to the value when the process exits. */
  *psemregister(semHandle: number, semIndex: number, adjHandle: number, adjIndex: number): Call<
    number
  > {
    return (yield req(SYS.psemregister, semHandle, semIndex, adjHandle, adjIndex)) as number;
  }

  /** The system-call path of a POSIX semaphore (PSEM_WAIT, PSEM_TRYWAIT, PSEM_POST); with
   * `robust` the kernel undoes its effect when the process exits. */
  *psemop(handle: number, index: number, op: number, robust: boolean, timeoutTicks = -1): Call<
    number
  > {
    return (yield req(SYS.psemop, handle, index, op, robust ? 1 : 0, timeoutTicks)) as number;
  }

  // File locks.

  /** flock(fd, op): 0 or -errno. dv6's `timeoutTicks` bounds a wait (-1: none): past it the
   * call fails with ETIMEDOUT (Linux's flock has no timeout; flock(1) sets a timer). */
  *flock(fd: number, op: number, timeoutTicks = -1): Call<number> {
    return (yield req(SYS.flock, fd, op, timeoutTicks)) as number;
  }

  /** fcntl: record locks (F_GETLK, F_SETLK, F_SETLKW with [type, start, len]; F_GETLK
   * answers [type, start, len, pid]), or the file status flags (F_GETFL; F_SETFL with the
   * flags: O_APPEND, O_NONBLOCK). */
  *fcntl(fd: number, cmd: number, arg: number[] | number = 0): Call<number | number[]> {
    return (yield req(SYS.fcntl, fd, cmd, arg)) as number | number[];
  }

  /** poll: waits until one of `fds` is ready or `timeoutTicks` pass (-1: no timeout, 0: do not
   * wait); fills each one's `revents` and answers how many are ready (0 at the timeout), or
   * -errno. */
  *poll(fds: PollFd[], timeoutTicks = -1): Call<number> {
    const r = yield req(SYS.poll, fds.map(pollFdToWire), timeoutTicks);
    if (typeof r === "number") return r;
    (r as number[]).forEach((ev, i) => fds[i].revents = ev);
    return (r as number[]).filter((ev) => ev !== 0).length;
  }

  /** A user-space atomic operation on a shared word (AT_LOAD, AT_STORE, AT_ADD, AT_CAS,
   * AT_XCHG): one step, no kernel entry; it answers the word's old value. */
  *atomic(op: number, handle: number, index: number, arg1 = 0, arg2 = 0, mark = 0): Call<number> {
    return (yield req(ATOMIC, op, handle, index, arg1, arg2, mark)) as number;
  }

  /** One step of user-mode computation that does not enter the kernel. */
  *spin(): Call<void> {
    yield null;
  }
}
