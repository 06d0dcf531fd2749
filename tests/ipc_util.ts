// Helpers shared by the IPC test files (not a test file itself): running one test program
// under init, and the small user-side routines the IPC tests keep using (fork a child that
// runs a body, hand-shakes over pipes, polling a semaphore's wait counts).

import assert from "node:assert/strict";
import type { Val } from "../kernel/uapi/abi.ts";
import { GETNCNT, GETZCNT } from "../kernel/uapi/ipc.ts";
import type { Call } from "../commands/lib/ulib.ts";
import { type Programs, type Run, run, type RunOptions } from "./harness.ts";
import type { Program, Sys } from "./util.ts";

export type Main = (sys: Sys, argv: string[]) => Program;

/** Runs `main` as /bin/t under init (init halts with its status), with extra programs. */
export function go(
  main: Main,
  o: Omit<RunOptions, "initArgv" | "programs"> & { argv?: string[]; programs?: Programs } = {},
): Run {
  const { argv = [], programs = {}, ...rest } = o;
  return run({
    cpus: 2,
    maxSteps: 5_000_000,
    ...rest,
    initArgv: ["init", "t", ...argv],
    programs: { t: main, ...programs },
  });
}

/** The run halted with status 0 (init's child returned 0). */
export function halted0(r: Run): void {
  assert.deepEqual(r.end, { kind: "halt", status: 0 }, `run output:\n${r.out}`);
  assert.doesNotMatch(r.out, /usertrap|panic/, "no program faulted, the kernel did not panic");
}

/** Forks a child that runs `body` (which must not block and should answer 0), signals on
 * `ready`, then parks until killed: the child's pid. A failing body exits 100 - its answer. */
export function* parked(
  sys: Sys,
  body: () => Call<number>,
  ready: number,
  park: number,
): Call<number> {
  return yield* child(sys, function* () {
    const r = yield* body();
    if (r !== 0) return 100 - r;
    yield* signal(sys, ready);
    yield* await1(sys, park);
    return 99;
  });
}

/** Forks a child that runs `body` and exits with its answer: the child's pid (in the parent). */
export function* child(sys: Sys, body: () => Call<number>): Call<number> {
  const pid = yield* sys.fork();
  if (pid !== 0) return pid;
  const status = yield* body();
  return yield* sys.exit(status);
}

/** A pipe: [read end, write end]. */
export function* pipe(sys: Sys): Call<[number, number]> {
  const fds: number[] = [];
  if ((yield* sys.pipe(fds)) !== 0) throw new Error("pipe failed");
  return [fds[0], fds[1]];
}

/** Writes one byte: "I am there". */
export function* signal(sys: Sys, fd: number): Call<void> {
  yield* sys.write(fd, "!");
}

/** Reads one byte (blocks until a `signal`, or forever if none comes and the write end stays
 * open: a process can park there until it is killed). */
export function* await1(sys: Sys, fd: number): Call<number> {
  return yield* sys.read(fd, new Uint8Array(1));
}

/** Polls until `n` semops wait on semaphore `num` of set `id` (for a decrease, or for zero). */
export function* waiters(sys: Sys, id: number, num: number, n: number, zero = false): Call<void> {
  const cmd = zero ? GETZCNT : GETNCNT;
  while ((yield* sys.semctl(id, num, cmd)) !== n) yield* sys.sleep(1);
}

/** Kills `pid` and reaps it: its exit status. */
export function* killAndReap(sys: Sys, pid: number): Call<number> {
  if ((yield* sys.kill(pid)) !== 0) throw new Error(`kill ${pid} failed`);
  return yield* reap(sys, pid);
}

/** Waits for child `pid`: its exit status (other children reaped on the way are dropped). */
export function* reap(sys: Sys, pid: number): Call<number> {
  for (;;) {
    const [w, status] = yield* sys.wait();
    if (w === pid) return status;
    if (w < 0) throw new Error(`no child ${pid}`);
  }
}

/** A test program's named result: one line "= KEY VALUE...", one write (an array value is
 * written as its elements joined by commas). */
export function* put(sys: Sys, key: string, ...vals: (Val | boolean)[]): Call<void> {
  const words = vals.map((v) => Array.isArray(v) ? v.join(",") : String(v));
  yield* sys.write(1, ["=", key, ...words].join(" ") + "\n");
}

/** The results `put` printed, by key (a key put twice keeps its last value). */
export function results(r: Run): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of r.out.split("\n")) {
    const m = /^= (\S+) ?(.*)$/.exec(line);
    if (m !== null) out[m[1]] = m[2];
  }
  return out;
}

/** A semaphore set's values in the machine, after the run. */
export function semvals(r: Run, id: number): number[] {
  const set = r.m.sem.get(id);
  if (set === null) throw new Error(`no semaphore set ${id}`);
  return set.sems.map((s) => s.val);
}
