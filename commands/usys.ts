// User-side system call stubs (xv6's user/usys.pl and user/user.h): each stub yields one
// request to the kernel and returns the kernel's answer, shaped as in C.
//
// A Sys is made for each process at exec, so per-process user-library state (the atexit list,
// stdio buffers) can live in it and nothing is shared between processes through module state.

import type { SysReq, UserStep, Val } from "../kernel/abi.ts";
import { SYS } from "../kernel/sysnum.ts";

type Call<T> = Generator<UserStep, T, Val>;

/** A spawn() file action: [SPAWN_OPEN, fd, path, flags], [SPAWN_DUP2, fd, newfd] or
 * [SPAWN_CLOSE, fd]. */
export type SpawnAction = (number | string)[];

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
}

const encoder = new TextEncoder();

function req(n: number, ...a: Val[]): SysReq {
  return { n, a };
}

export class Sys {
  *fork(): Call<number> {
    return (yield req(SYS.fork)) as number;
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

  /** Reads up to n bytes into buf; returns the count, 0 at end of file, -1 on error. */
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

  /** Replaces the program; returns -1 only if it fails. */
  *exec(path: string, argv: string[]): Call<number> {
    return (yield req(SYS.exec, path, argv)) as number;
  }

  /** fstat: [dev, ino, type, nlink, size] (xv6's struct stat), or -1. */
  *fstat(fd: number): Call<number[] | -1> {
    return (yield req(SYS.fstat, fd)) as number[] | -1;
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
   * fork and exec in one call, like posix_spawn: the child's pid, or -1 if the program cannot
   * be run or a file action fails (then no child is made). The child gets the caller's open
   * files, then `actions` are applied to its fds in order (see SPAWN_OPEN, SPAWN_DUP2,
   * SPAWN_CLOSE in kernel/sysnum.ts). With SPAWN_SETPGROUP in `flags` the child joins process
   * group `pgroup` (0: a new group whose id is the child's pid); with SPAWN_FOREGROUND its group
   * becomes the console's foreground group, which ^C kills (until the group's last process
   * exits, when the console has no foreground group again).
   */
  *spawn(
    path: string,
    argv: string[],
    actions: SpawnAction[] = [],
    flags = 0,
    pgroup = 0,
  ): Call<number> {
    return (yield req(SYS.spawn, path, argv, actions, flags, pgroup)) as number;
  }

  /** The process table, for ps: one ProcInfo per process in use, in table order. */
  *procs(): Call<ProcInfo[]> {
    const r = (yield req(SYS.procs)) as Val[];
    return r.map((v) => {
      const [pid, ppid, pgid, state, ticks, name, waitsFor] = v as [
        number,
        number,
        number,
        string,
        number,
        string,
        string,
      ];
      return { pid, ppid, pgid, state, ticks, name, waitsFor };
    });
  }

  /** Stops the machine; the host exits with `status`. */
  *halt(status: number): Call<never> {
    yield req(SYS.halt, status);
    throw new Error("halt returned");
  }

  /** One step of user-mode computation that does not enter the kernel. */
  *spin(): Call<void> {
    yield null;
  }
}
