// User-side system call stubs (xv6's user/usys.pl and user/user.h): each stub yields one
// request to the kernel and returns the kernel's answer, shaped as in C.
//
// A Sys is made for each process at exec, so per-process user-library state (the atexit list,
// stdio buffers) can live in it and nothing is shared between processes through module state.

import type { SysReq, UserStep, Val } from "../kernel/abi.ts";
import { SYS } from "../kernel/sysnum.ts";

type Call<T> = Generator<UserStep, T, Val>;

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

  /** fstat: [type, ino, nlink, size], or -1. */
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

  /** fork and exec in one call, like posix_spawn: the child's pid, or -1. */
  *spawn(path: string, argv: string[]): Call<number> {
    return (yield req(SYS.spawn, path, argv)) as number;
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
