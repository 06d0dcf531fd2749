// make's job slots: GNU make 4.3's pipe jobserver and two robust ones.
//
//   pipe     GNU make's: the top-level make with -jN puts N-1 one-byte tokens ('+') in a pipe
//            and keeps one implicit slot; recursive makes find the pipe's fds in MAKEFLAGS
//            (--jobserver-auth=R,W), take a byte before each job beyond their first and write
//            it back when the job ends. A make killed while it holds tokens takes them with
//            it: the top-level make counts the tokens at exit and says
//            `make: INTERNAL: Exiting with K jobserver tokens available; should be N!`.
//   sysvsem  the robust jobserver protocol (Zig's std.job): one System V semaphore made with
//            the job limit, announced to every descendant as ROBUST_JOBSERVER=sysvsem:ID;
//            every acquire and release is a semop with SEM_UNDO, so the kernel gives back the
//            tokens of a process killed while it holds them.
//   psem     the same with a robust POSIX semaphore (ROBUST_JOBSERVER=psem:NAME, dv6's own
//            method), taken with sem_wait_robust on its fast path.
//
// In all three every make keeps its implicit slot: its first job needs no token. The top-level
// make of a robust style makes the semaphore with N tokens and takes one for its own slot at
// once (as cargo does), so the semaphore reads N whenever nobody works, and N again at the end.
//
// A make waits for its children with wait(), which nothing but a child's exit ends. GNU make
// 4.3 waits in pselect() for the token pipe to be readable or for SIGCHLD; dv6 has no signals,
// so when a make needs a token while its jobs run, a helper child (/bin/jobtoken) waits for
// one, and its exit is the SIGCHLD: it waits until a token is there (poll() on the pipe, a
// semop that changes nothing on the semaphore) and ends; then the make takes the token itself
// without blocking (make 4.3 sets the pipe's read side O_NONBLOCK for this), so that the token
// is the make's alone, and the kernel's undo record for a semaphore is the make's own. Another
// make may take it first: then the make starts a helper again. A helper holds nothing, so a
// make that needs no more tokens kills it.

import { errnoText } from "../../kernel/uapi/errno.ts";
import { F_SETFL, O_NONBLOCK, spawnClose } from "../../kernel/uapi/fcntl.ts";
import {
  GETVAL,
  IPC_CREAT,
  IPC_NOWAIT,
  IPC_PRIVATE,
  IPC_RMID,
  SEM_UNDO,
  sembuf,
  SETVAL,
} from "../../kernel/uapi/ipc.ts";
import {
  type Psem,
  sem_create,
  sem_getvalue,
  sem_open,
  sem_post_robust,
  sem_trywait_robust,
  sem_unlink,
  sem_wait_robust,
} from "../lib/libpsem.ts";
import type { Call } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

export type Style = "pipe" | "sysvsem" | "psem";
export const STYLES: readonly Style[] = ["pipe", "sysvsem", "psem"];

/** The byte GNU make uses as a token. */
export const TOKEN = 0x2b; // '+'
/** What a token helper's exit status means when it brings no token. */
export const NO_TOKEN = 256;

/** The helper program. */
export const HELPER = "/bin/jobtoken";

export interface JobServer {
  style: Style;
  /** This make made it (the top-level make): it checks the tokens at exit and removes it. */
  owner: boolean;
  /** The job limit (for the owner). */
  limit: number;
  /** pipe: the fds. */
  r: number;
  w: number;
  /** sysvsem: the set's id; psem: the semaphore. */
  semid: number;
  psem: Psem | null;
  /** Tokens held for jobs beyond the implicit slot (pipe: the bytes read). */
  held: number[];
  /** The pid of the token helper waiting for this make, or 0. */
  helper: number;
  /** A helper could not wait for a token (the semaphore was removed, the pipe is gone): the
   * make runs one job at a time from then on. */
  broken: boolean;
}

function server(style: Style, owner: boolean, limit: number): JobServer {
  return {
    style,
    owner,
    limit,
    r: -1,
    w: -1,
    semid: -1,
    psem: null,
    held: [],
    helper: 0,
    broken: false,
  };
}

/** The environment value a robust jobserver is announced with. */
export function announce(js: JobServer): string | null {
  if (js.style === "sysvsem") return `sysvsem:${js.semid}`;
  if (js.style === "psem") return `psem:${js.psem!.name}`;
  return null;
}

/** Makes a jobserver for `limit` jobs (the top-level make), or answers why it cannot. */
export function* createJobServer(sys: Sys, style: Style, limit: number): Call<JobServer | string> {
  const js = server(style, true, limit);
  if (style === "pipe") {
    const fds = [-1, -1];
    if ((yield* sys.pipe(fds)) < 0) return "creating jobs pipe: Too many open files";
    [js.r, js.w] = fds;
    if (limit > 1) yield* sys.write(js.w, new Uint8Array(limit - 1).fill(TOKEN));
    yield* sys.fcntl(js.r, F_SETFL, O_NONBLOCK);
    return js;
  }
  if (style === "sysvsem") {
    const id = yield* sys.semget(IPC_PRIVATE, 1, IPC_CREAT | 0o777);
    if (id < 0) return `creating jobserver semaphore: ${errnoText(id)}`;
    js.semid = id;
    yield* sys.semctl(id, 0, SETVAL, limit);
    yield* sys.semop(id, [sembuf(0, -1, SEM_UNDO)]); // this make's own slot
    return js;
  }
  const pid = yield* sys.getpid();
  const s = yield* sem_create(sys, `make.${pid}`, limit, true);
  if (typeof s === "number") return `creating jobserver semaphore: ${errnoText(s)}`;
  js.psem = s;
  yield* sem_wait_robust(sys, s); // this make's own slot
  return js;
}

/** Joins the pipe jobserver of --jobserver-auth=R,W: null if its fds are not open (make then
 * warns and runs one job at a time). */
export function* joinPipe(sys: Sys, r: number, w: number): Call<JobServer | null> {
  if (r < 0 || w < 0) return null;
  for (const fd of [r, w]) {
    const d = yield* sys.dup(fd);
    if (d < 0) return null;
    yield* sys.close(d);
  }
  const js = server("pipe", false, 0);
  js.r = r;
  js.w = w;
  yield* sys.fcntl(r, F_SETFL, O_NONBLOCK);
  return js;
}

/** Joins the robust jobserver a ROBUST_JOBSERVER value names: the jobserver, or a message
 * (`format` true: the value is malformed; false: the semaphore cannot be used). */
export function* joinRobust(
  sys: Sys,
  value: string,
): Call<JobServer | { format: boolean; message: string }> {
  const colon = value.indexOf(":");
  const method = colon < 0 ? "" : value.slice(0, colon);
  const data = colon < 0 ? "" : value.slice(colon + 1);
  if (method === "sysvsem") {
    if (!/^[0-9]{1,10}$/.test(data)) return { format: true, message: value };
    const id = Number(data);
    const v = yield* sys.semctl(id, 0, GETVAL);
    if (typeof v !== "number" || v < 0) {
      return { format: false, message: `semaphore ${id}: ${errnoText(v as number)}` };
    }
    const js = server("sysvsem", false, 0);
    js.semid = id;
    return js;
  }
  if (method === "psem") {
    if (data === "" || data.includes("/")) return { format: true, message: value };
    const s = yield* sem_open(sys, data);
    if (typeof s === "number") {
      return { format: false, message: `semaphore ${data}: ${errnoText(s)}` };
    }
    const js = server("psem", false, 0);
    js.psem = s;
    return js;
  }
  return { format: true, message: value };
}

/** Takes a token without waiting: true if one was taken. */
export function* tryAcquire(sys: Sys, js: JobServer): Call<boolean> {
  if (js.style === "pipe") {
    const b = new Uint8Array(1);
    if ((yield* sys.read(js.r, b, 1)) !== 1) return false;
    js.held.push(b[0]);
    return true;
  }
  if (js.style === "sysvsem") {
    const r = yield* sys.semop(js.semid, [sembuf(0, -1, SEM_UNDO | IPC_NOWAIT)]);
    if (r < 0) return false;
  } else if ((yield* sem_trywait_robust(sys, js.psem!)) < 0) {
    return false;
  }
  js.held.push(TOKEN);
  return true;
}

/** Starts the token helper if none is running: its pid (or -1 if it cannot be started). A
 * pipe helper gets the read end only: once every make is gone, it sees the pipe hang up. */
export function* startHelper(sys: Sys, js: JobServer): Call<number> {
  if (js.helper > 0) return js.helper;
  const [args, actions] = js.style === "pipe"
    ? [["jobtoken", "pipe", String(js.r)], [spawnClose(js.w)]]
    : js.style === "sysvsem"
    ? [["jobtoken", "sysvsem", String(js.semid)], []]
    : [["jobtoken", "psem", js.psem!.name], []];
  const pid = yield* sys.spawn(HELPER, args, actions);
  js.helper = pid > 0 ? pid : 0;
  return pid;
}

/** The helper ended with `status`: 0 when a token is there to take; NO_TOKEN when the
 * jobserver is gone (the pipe hung up, the semaphore was removed), and the make goes on one job
 * at a time. A helper that was killed just ends: the make starts another if it still waits. */
export function helperDone(js: JobServer, status: number): void {
  js.helper = 0;
  if (status === NO_TOKEN) js.broken = true;
}

/** Gives back one token. */
export function* release(sys: Sys, js: JobServer): Call<void> {
  const t = js.held.pop();
  if (t === undefined) return;
  if (js.style === "pipe") yield* sys.write(js.w, Uint8Array.of(t));
  else if (js.style === "sysvsem") yield* sys.semop(js.semid, [sembuf(0, 1, SEM_UNDO)]);
  else yield* sem_post_robust(sys, js.psem!);
}

/** Stops a waiting helper (the make has no more use for a token): it holds nothing, so it is
 * killed and reaped. Only for a make whose jobs are all over (any other child could end
 * first). */
export function* stopHelper(sys: Sys, js: JobServer): Call<void> {
  if (js.helper === 0) return;
  yield* sys.kill(js.helper);
  for (;;) {
    const [pid] = yield* sys.wait();
    if (pid < 0 || pid === js.helper) break;
  }
  js.helper = 0;
}

/**
 * The owner's check at exit (GNU make's clean_jobserver): the tokens available, counting its
 * own slot. The pipe is drained to count them (its read side does not block); a robust
 * semaphore is removed.
 */
export function* finishJobServer(sys: Sys, js: JobServer): Call<number> {
  if (js.style === "pipe") {
    let count = 1; // We didn't write one for ourself, so start at 1.
    while (yield* tryAcquire(sys, js)) count++;
    js.held = [];
    yield* sys.close(js.r);
    yield* sys.close(js.w);
    return count;
  }
  if (js.style === "sysvsem") {
    yield* sys.semop(js.semid, [sembuf(0, 1, SEM_UNDO)]); // this make's own slot
    const v = yield* sys.semctl(js.semid, 0, GETVAL);
    yield* sys.semctl(js.semid, 0, IPC_RMID);
    return typeof v === "number" && v >= 0 ? v : 0;
  }
  const s = js.psem!;
  yield* sem_post_robust(sys, s);
  const v = yield* sem_getvalue(sys, s);
  yield* sem_unlink(sys, s.name);
  return v;
}
