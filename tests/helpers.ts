// The tests' helpers, one module (not a test file itself): booting a machine in-process and
// replaying its journal; what test programs report and the journal's records; transcripts as
// `dv6 run` prints them; the IPC tests' user-side routines; and dv6 as a subprocess, run as
// `deno task start` runs it.

import assert from "node:assert/strict";
import { crc32, inflateRawSync } from "node:zlib";
import type { Call } from "../commands/lib/ulib.ts";
import type { Sys } from "../commands/lib/usys.ts";
import { PROGRAMS } from "../commands/programs.ts";
import { EV } from "../kernel/event.ts";
import { frame, JournalReader, type JournalRecord, JournalWriter } from "../kernel/journal.ts";
import type { Machine, MachineEnd } from "../kernel/machine.ts";
import type { Program, ProgramMain, Val } from "../kernel/uapi/abi.ts";
import { GETNCNT, GETZCNT } from "../kernel/uapi/ipc.ts";
import { SYS } from "../kernel/uapi/syscall.ts";
import { type BootOptions, concat, headerFor, machineFrom } from "../shell/host.ts";
import { replayJournal, type ReplayResult } from "../shell/replay.ts";
import { typeScript } from "../shell/session.ts";

// ---- harness -------------------------------------------------------------------------------------

export type Programs = Readonly<Record<string, ProgramMain<Sys>>>;

export interface RunOptions extends BootOptions {
  /** Test programs, added to the real ones. */
  programs?: Programs;
  /** Stop after this many steps (a run that has not ended by then has `end === null`). */
  maxSteps?: number;
}

export interface Run {
  m: Machine;
  end: MachineEnd | null;
  /** Console output as text. */
  out: string;
  journal: Uint8Array;
  steps: number;
}

/** Collects bytes in memory (a journal sink, or console output). */
export class Bytes {
  private chunks: Uint8Array[] = [];
  readonly write = (b: Uint8Array): void => {
    this.chunks.push(b.slice());
  };
  get bytes(): Uint8Array {
    return concat(this.chunks);
  }
  get text(): string {
    return new TextDecoder().decode(this.bytes);
  }
}

/** Boots a machine running init with `initArgv` and runs it until it halts, panics or
 * deadlocks (no input ever comes). */
export function run(o: RunOptions): Run {
  const header = headerFor(o, "test");
  const journal = new Bytes();
  const out = new Bytes();
  const programs = { ...PROGRAMS, ...o.programs };
  const m = machineFrom(
    header,
    new JournalWriter({ write: journal.write }, header),
    out.write,
    programs,
  );
  let end = m.run(o.maxSteps);
  if (end === null && (o.maxSteps === undefined || m.steps < o.maxSteps)) end = m.deadlock();
  return { m, end, out: out.text, journal: journal.bytes, steps: m.steps };
}

/** Replays a journal with the same programs, checking every step. */
export function replay(journal: Uint8Array, programs?: Programs): ReplayResult & { out: string } {
  const out = new Bytes();
  const r = replayJournal(new JournalReader(journal), out.write, { ...PROGRAMS, ...programs });
  return { ...r, out: out.text };
}

// ---- util ----------------------------------------------------------------------------------------

export type { Program, Sys };

/** A test program's report: one line, one write() (so lines from several processes never mix). */
export function* say(sys: Sys, ...parts: (string | number)[]): Call<void> {
  yield* sys.write(1, parts.join(" ") + "\n");
}

/**
 * What processes wrote to fd 1, one write() after another, from the journal's records: a
 * write()'s record holds its bytes whole, so a one-write report line stays a line here (as on
 * the console, which puts each write() through the UART whole).
 */
export function said(r: { journal: Uint8Array }): string {
  const dec = new TextDecoder();
  return steps(r.journal).filter((s) =>
    s.ev.k === EV.SYSCALL && s.ev.n === SYS.write && s.ev.a[0] === 1 &&
    s.ev.a[1] instanceof Uint8Array
  ).map((s) => dec.decode((s.ev as { a: Uint8Array[] }).a[1])).join("");
}

/** The lines that start with `tag ` (a test program's reports), without the tag: lines of
 * console output, or of what a run's processes wrote (said). */
export function reports(from: string | { journal: Uint8Array }, tag: string): string[] {
  return (typeof from === "string" ? from : said(from)).split("\n").filter((l) =>
    l.startsWith(tag + " ")
  ).map((l) => l.slice(tag.length + 1));
}

/** The single report tagged `tag`, split into words. */
export function report(from: string | { journal: Uint8Array }, tag: string): string[] {
  const r = reports(from, tag);
  if (r.length !== 1) {
    const text = typeof from === "string" ? from : said(from);
    throw new Error(`expected one '${tag}' report, got ${r.length} in:\n${text}`);
  }
  return r[0].split(" ");
}

/** The pids of a procdump listing, in table order, with their state and name. */
export function parseProcdump(dump: string): { pid: number; state: string; name: string }[] {
  return dump.split("\n").filter((l) => l !== "").map((l) => {
    const m = /^(\d+) (.{6}) (.*)$/.exec(l);
    if (m === null) throw new Error(`not a procdump line: '${l}'`);
    return { pid: Number(m[1]), state: m[2].trim(), name: m[3] };
  });
}

/** Every record of a journal, in order. */
export function records(journal: Uint8Array): JournalRecord[] {
  const reader = new JournalReader(journal);
  const all = [...reader.records()];
  if (reader.broken !== null) throw new Error(`journal broken: ${reader.broken}`);
  return all;
}

export type StepRecord = Extract<JournalRecord, { type: "step" }>;

/** The step records of a journal, so that index i is step i. */
export function steps(journal: Uint8Array): StepRecord[] {
  return records(journal).filter((r): r is StepRecord => r.type === "step");
}

export { EV };

/** A journal split into its 5-byte preamble and its frames (byte offset, inflated payload). */
export interface Frames {
  preamble: Uint8Array;
  frames: { at: number; payload: Uint8Array }[];
}

/** Splits a journal into frames by the documented layout: "DV6J", a format byte, then frames
 * of [u32 LE length][u32 LE crc32][raw-deflate payload]. */
export function splitFrames(journal: Uint8Array): Frames {
  const dv = new DataView(journal.buffer, journal.byteOffset, journal.byteLength);
  const frames: Frames["frames"] = [];
  let off = 5;
  while (off < journal.length) {
    const len = dv.getUint32(off, true);
    const sum = dv.getUint32(off + 4, true);
    const z = journal.subarray(off + 8, off + 8 + len);
    if (z.length !== len || crc32(z) !== sum) throw new Error(`bad frame at ${off}`);
    frames.push({ at: off, payload: new Uint8Array(inflateRawSync(z)) });
    off += 8 + len;
  }
  return { preamble: journal.slice(0, 5), frames };
}

/** Puts a journal back together from a preamble and frame payloads. */
export function joinFrames(preamble: Uint8Array, payloads: Uint8Array[]): Uint8Array {
  const parts = [preamble, ...payloads.map(frame)];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Where `needle` occurs in `hay`. */
export function indexesOf(hay: Uint8Array, needle: Uint8Array): number[] {
  const at: number[] = [];
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    at.push(i);
  }
  return at;
}

export const encode = (s: string): Uint8Array => new TextEncoder().encode(s);
export const decode = (b: Uint8Array): string => new TextDecoder().decode(b);

/** The journal header (the first frame's JSON). */
export function headerOf(journal: Uint8Array): Record<string, unknown> {
  return JSON.parse(decode(splitFrames(journal).frames[0].payload));
}

/** The harness's run, bounded: a kernel bug that makes a run go on forever fails the test
 * (its `end` is null) instead of hanging the suite. */
export function runFor(o: RunOptions): Run {
  return run({ maxSteps: 20_000_000, ...o });
}

// ---- transcript ----------------------------------------------------------------------------------

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface Transcript {
  /** What `dv6 run` prints on stdout. */
  out: Uint8Array;
  end: MachineEnd;
  m: Machine;
  /** The run's journal. */
  journal: Uint8Array;
}

/** Types `lines` into a machine booted with `o` (init running sh), as `dv6 run` does. */
export function transcript(lines: readonly string[], o: BootOptions = {}): Transcript {
  const out = new Bytes();
  const journal = new Bytes();
  const header = headerFor({ ...o, initArgv: ["init", "sh"] }, "test");
  const m = machineFrom(header, new JournalWriter({ write: journal.write }, header), out.write);
  const end = typeScript(m, lines);
  let bytes = out.bytes;
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) {
    bytes = concat([bytes, encoder.encode("\n")]);
  }
  if (end.kind === "deadlock") bytes = concat([bytes, encoder.encode(end.report.trimEnd() + "\n")]);
  return { out: bytes, end, m, journal: journal.bytes };
}

/** Bytes as text with control characters shown as ^X, for messages. */
export function visible(b: Uint8Array): string {
  return decoder.decode(b).replace(/[^\n\t\x20-\x7e\x80-\uffff]/g, (c) => {
    const n = c.charCodeAt(0);
    return n === 0x7f ? "^?" : "^" + String.fromCharCode(n + 64);
  });
}

export function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (actual.length === expected.length && actual.every((b, i) => b === expected[i])) return;
  assert.equal(visible(actual), visible(expected), what);
  assert.fail(`${what}: the bytes differ (but not as text)`);
}

/** The exit status `dv6 run` gives this end. */
export { exitStatus } from "../shell/status.ts";

// ---- ipc_util ------------------------------------------------------------------------------------

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

/** The results `put` printed, by key (a key put twice keeps its last value). Read from the
 * write() records, not the console, where the kernel's own messages (a faulting program's
 * usertrap lines) can come out in the middle of a line still in the UART's ring, as on xv6. */
export function results(r: Run): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of said(r).split("\n")) {
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

// ---- dv6 as a subprocess ---------------------------------------------------------------------

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** The permission flags of `deno task start` (deno.json): what a user's dv6 runs with. */
export const START_FLAGS: string[] = (() => {
  const config = JSON.parse(Deno.readTextFileSync(new URL("../deno.json", import.meta.url)));
  const task: string = config.tasks.start;
  const words = task.split(/\s+/);
  if (words[0] !== "deno" || words[1] !== "run" || words.at(-1) !== "main.ts") {
    throw new Error(`the start task is not 'deno run FLAGS main.ts': ${task}`);
  }
  return words.slice(2, -1);
})();

/** `main.ts ARGS` run as `deno task start` runs it, with its permission flags. */
export function dv6Command(args: string[] = []): string[] {
  return [Deno.execPath(), "run", ...START_FLAGS, MAIN, ...args];
}

export interface Dv6Run {
  code: number;
  out: string;
  err: string;
}

/** Runs dv6 with `args` to its exit, its data in `home`; `stdin`, if given, is its input (else
 * none). A hang fails the test after five minutes instead of stalling the suite. */
export async function dv6(
  args: string[],
  o: { home: string; stdin?: string | Uint8Array; cwd?: string },
): Promise<Dv6Run> {
  const [cmd, ...rest] = dv6Command(args);
  const child = new Deno.Command(cmd, {
    args: rest,
    cwd: o.cwd,
    env: { DV6_HOME: o.home, NO_COLOR: "1" },
    stdin: o.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(300_000),
  }).spawn();
  if (o.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(typeof o.stdin === "string" ? encoder.encode(o.stdin) : o.stdin);
    await w.close();
  }
  const r = await child.output();
  return { code: r.code, out: decoder.decode(r.stdout), err: decoder.decode(r.stderr) };
}

/** A temporary directory for a test, removed afterwards. */
export async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "dv6-cli-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** No host stack trace, no uncaught error: what a user must never see. */
export function assertClean(r: Dv6Run): void {
  const all = r.out + r.err;
  for (const bad of ["error: Uncaught", "at file://", "    at ", "Stack backtrace"]) {
    assert.ok(!all.includes(bad), `'${bad}' in the output:\n${all}`);
  }
}

// ---- the real tools on the host --------------------------------------------------------------

/** The first line a host program prints with `args` (its `--version`, say), or "" where it
 * does not run: the tests that hold a dv6 program against the real one skip that part then. */
export function hostFirstLine(prog: string, args: string[]): string {
  try {
    const p = new Deno.Command(prog, { args, stdout: "piped", stderr: "null" }).outputSync();
    return decoder.decode(p.stdout).split("\n")[0];
  } catch {
    return "";
  }
}

/** `script` in the host's sh, in a fresh temporary directory holding `files` (paths relative to
 * it), with a clean environment (PATH, LC_ALL=C): what it printed to stdout, with the
 * directory's path written as /w, and its status. The real tools' side of a comparison. */
export function hostSh(
  files: Record<string, string | Uint8Array>,
  script: string,
): { out: string; status: number } {
  const dir = Deno.makeTempDirSync({ prefix: "dv6host" });
  try {
    for (const [p, c] of Object.entries(files)) {
      const path = `${dir}/${p}`;
      Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      Deno.writeFileSync(path, typeof c === "string" ? encoder.encode(c) : c);
    }
    const p = new Deno.Command("sh", {
      args: ["-c", script],
      cwd: dir,
      clearEnv: true,
      env: { PATH: "/usr/local/bin:/usr/bin:/bin", LC_ALL: "C" },
      stdout: "piped",
      stderr: "piped",
    }).outputSync();
    const out = decoder.decode(p.stdout).replaceAll(Deno.realPathSync(dir), "/w")
      .replaceAll(dir, "/w");
    return { out, status: p.code };
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}
