// deno task bench: the kernel core's figures (issue 2) and the live system's (issue 3).
//
//   1. step throughput: 1,000,000 getpid() calls journaled to a file, against a bare loop
//      resuming a generator as many times, in the same run;
//   2. replay of that journal with verification;
//   3. journal bytes per step on disk;
//   4. fork+exit+wait round trips with 10 and 10,000 system calls of history, and
//      spawn+wait round trips;
// and for the live system:
//   5. pipe throughput: `cat` of a 1 MiB file through `| wc`, and a 64 KiB file through the
//      UART's 32-byte ring to the console;
//   6. a 10,000-line script session (echo, pipes, background jobs) typed by typeScript, as
//      `dv6 run` types it: host seconds per 1,000 commands at its start and at its end;
//   7. cold start: `dv6 -c "echo hi"` as a new process, whole-process wall time;
//   6b. peak host memory (RSS) of `dv6 run` sessions of 10,000 and 100,000 lines: a long session
//      must not grow (every process used to keep its whole system-call history);
// then the robust-IPC figures (8, 9: bench/ipc.ts), make -j's (10 to 12: bench/make.ts), the
// REPL's (13: bench/repl.ts), time travel's (14: bench/debug.ts) and the page's (15:
// bench/web.ts, skipped without Chromium).
//
// Each figure is the best of several repetitions (the host is shared and noisy), and every
// ratio is computed from figures of this one run. `--quick` shrinks sizes and repetitions so a
// test can smoke-run the whole thing in seconds.

import { ipcFigures } from "./ipc.ts";
import { makeFigures } from "./make.ts";
import { replFigures } from "./repl.ts";
import { debugFigures } from "./debug.ts";
import { webFigures } from "./web.ts";
import { boot, CPUS, SCHED } from "./boot.ts";
import { num, peakRss, printRows, ratio, Table } from "./table.ts";
import { JournalReader, JournalVerifier, JournalWriter } from "../kernel/journal.ts";
import type { MachineEnd } from "../kernel/machine.ts";
import { buildId, FileSink, headerFor, machineFrom } from "../shell/host.ts";
import { typeScript } from "../shell/session.ts";
import { BENCH_PROGRAMS, MarkerWatch } from "./programs.ts";

interface Sizes {
  reps: number;
  getpids: number;
  forkHistories: [number, number];
  forkRounds: number;
  spawnRounds: number;
  /** Bytes of the file piped through `cat | wc`, and of the one sent to the console. */
  pipeBytes: number;
  uartBytes: number;
  /** Lines of the script session, lines per timed block, repetitions of the session. */
  sessionLines: number;
  sessionBlock: number;
  sessionReps: number;
  /** dv6 processes started for the cold start. */
  coldStarts: number;
  /** Lines of the two `dv6 run` sessions whose peak memory is compared. */
  rssLines: [number, number];
}

const FULL: Sizes = {
  reps: 5,
  getpids: 1_000_000,
  forkHistories: [10, 10_000],
  forkRounds: 200,
  spawnRounds: 200,
  pipeBytes: 1 << 20,
  uartBytes: 64 << 10,
  sessionLines: 10_000,
  sessionBlock: 1_000,
  sessionReps: 3,
  coldStarts: 5,
  rssLines: [10_000, 100_000],
};

const QUICK: Sizes = {
  reps: 1,
  getpids: 20_000,
  forkHistories: [10, 1_000],
  forkRounds: 10,
  spawnRounds: 10,
  pipeBytes: 64 << 10,
  uartBytes: 4 << 10,
  sessionLines: 300,
  sessionBlock: 100,
  sessionReps: 1,
  coldStarts: 1,
  rssLines: [100, 1_000],
};

/** The target for getpid-rate / bare-rate. */
const TARGET_RATIO = 0.1;

let build = "bench";
let tmp = "";
let journalSeq = 0;

interface Recorded {
  ms: number;
  steps: number;
  path: string;
  bytes: number;
  /** Time inside marker windows and their count (fork and spawn loops). */
  markedMs: number;
  windows: number;
}

/** Boots init running `argv`, journaling to a fresh file in the temp dir (or nowhere, with
 * `journal` false), and runs it to its end. Fails unless the program exits 0. `markers` adds
 * the MarkerWatch (one more check per step), for the runs timed between markers. */
function record(argv: string[], markers = false, journal = true): Recorded {
  let watch: MarkerWatch | null = null;
  const r = boot({
    argv,
    tmp,
    build,
    programs: BENCH_PROGRAMS,
    journal,
    keep: true,
    watch: markers && journal ? (log) => (watch = new MarkerWatch(log)) : undefined,
  });
  expectHalt0(argv, r.end, r.out);
  if (journal && r.bytes === 0) throw new Error(`empty journal ${r.path}`);
  const w = watch as MarkerWatch | null;
  return {
    ms: r.ms,
    steps: r.m.steps,
    path: r.path ?? "",
    bytes: r.bytes,
    markedMs: w?.ms ?? 0,
    windows: w?.windows ?? 0,
  };
}

function expectHalt0(argv: string[], end: MachineEnd | null, out: string): void {
  if (end?.kind === "halt" && end.status === 0) return;
  const how = end === null ? "stopped without an end" : JSON.stringify(end);
  throw new Error(`bench run '${argv.join(" ")}' failed: ${how}\n${out}`);
}

/** Replays a journal with verification; returns the time and the steps verified. */
function replay(path: string, expectSteps: number): { ms: number; steps: number } {
  const bytes = Deno.readFileSync(path);
  const t0 = performance.now();
  const reader = new JournalReader(bytes);
  const v = new JournalVerifier(reader);
  const m = machineFrom(reader.header, v, undefined, BENCH_PROGRAMS);
  const end = m.run();
  const ms = performance.now() - t0;
  if (end === null || v.ended === null || v.steps !== expectSteps) {
    throw new Error(
      `replay of ${path} verified ${v.steps} of ${expectSteps} steps (end: ${
        JSON.stringify(end)
      }, journal: ${reader.broken ?? "intact"})`,
    );
  }
  return { ms, steps: v.steps };
}

function* bareGenerator(n: number): Generator<number, number, undefined> {
  for (let i = 0; i < n; i++) yield i;
  return n;
}

/** n resumptions of a bare generator by a for loop; returns milliseconds. */
function bareLoop(n: number): number {
  const t0 = performance.now();
  const g = bareGenerator(n);
  let sum = 0;
  for (let r = g.next(); !r.done; r = g.next()) sum += r.value;
  const ms = performance.now() - t0;
  if (sum !== (n * (n - 1)) / 2) throw new Error("bare loop miscounted");
  return ms;
}

/** Best (largest) of the rates. */
function best(xs: number[]): number {
  return Math.max(...xs);
}

function perSec(count: number, ms: number): number {
  return count / (ms / 1000);
}

// ---- the live system -----------------------------------------------------------------------

/** A text file of `size` bytes: lines of 63 letters and a newline (so wc can check it). */
function textFile(size: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = i % 64 === 63 ? 0x0a : 0x61 + (i % 26);
  return b;
}

/** Boots init running `argv` with `image` in the file system, journaled to a file, and times
 * the run to its end (not the boot). Fails unless it halts with status 0 printing `expect`
 * (or, for a number, that many bytes). */
function timedRun(
  argv: string[],
  image: Record<string, Uint8Array>,
  expect: string | number,
): { ms: number; steps: number } {
  let bytes = 0;
  const count = (b: Uint8Array) => bytes += b.length;
  const r = boot({
    argv,
    image,
    tmp,
    build,
    programs: BENCH_PROGRAMS,
    output: typeof expect === "number" ? count : undefined,
  });
  expectHalt0(argv, r.end, r.out);
  if (typeof expect === "number" ? bytes !== expect : r.out !== expect) {
    throw new Error(`bench run '${argv.join(" ")}' printed ${bytes} bytes: ${r.out.slice(0, 200)}`);
  }
  return { ms: r.ms, steps: r.m.steps };
}

/** The session's lines: echo, pipes and background jobs, in turn. */
function sessionLine(i: number): string {
  switch (i % 5) {
    case 0:
      return `echo line ${i}`;
    case 1:
      return "echo a b c | wc";
    case 2:
      return `echo job ${i} &`;
    case 3:
      return "cat /README | grep the | wc";
    default:
      return "ls /demo | grep long | wc";
  }
}

/**
 * Types a `lines`-line session into a shell with typeScript, as `dv6 run` does (journaled to a
 * file, the transcript counted and dropped), and returns the host milliseconds of each block
 * of `block` lines: from the typing of its first line to the typing of the next block's (the
 * last block ends with the run). typeScript reads the lines through a proxy that notes when it
 * takes each block's first line.
 */
function timedSession(lines: number, block: number): { blockMs: number[]; steps: number } {
  const header = headerFor({ initArgv: ["init", "sh"], cpus: CPUS, sched: SCHED }, build);
  const path = `${tmp}/j${journalSeq++}.log`;
  const sink = new FileSink(path);
  let bytes = 0;
  const m = machineFrom(header, new JournalWriter(sink, header), (b) => {
    bytes += b.length;
  }, BENCH_PROGRAMS);
  const script = Array.from({ length: lines }, (_, i) => sessionLine(i));
  const marks: number[] = [];
  const watched = new Proxy(script, {
    get(target, key, receiver) {
      if (typeof key === "string" && /^\d+$/.test(key) && Number(key) % block === 0) {
        marks.push(performance.now());
      }
      return Reflect.get(target, key, receiver);
    },
  });
  const end = typeScript(m, watched);
  marks.push(performance.now());
  sink.close();
  Deno.removeSync(path);
  expectHalt0(["sh", `(${lines}-line session)`], end, `${bytes} bytes of transcript`);
  if (marks.length !== Math.ceil(lines / block) + 1) {
    throw new Error(`the session typed ${marks.length - 1} blocks, not ${lines / block}`);
  }
  return { blockMs: marks.slice(1).map((t, i) => t - marks[i]), steps: m.steps };
}

/** Starts `dv6 -c "echo hi"` as a new process and times it to its exit. */
async function coldStart(): Promise<number> {
  const main = new URL("../main.ts", import.meta.url).pathname;
  const t0 = performance.now();
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, "-c", "echo hi"],
    env: { DV6_HOME: tmp },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const ms = performance.now() - t0;
  const out = new TextDecoder().decode(stdout);
  if (code !== 0 || out !== "$ echo hi\nhi\n$ \x04\n") {
    throw new Error(`dv6 -c "echo hi" exited ${code}: ${JSON.stringify(out)}`);
  }
  return ms;
}

/** Peak host memory (RSS, bytes) of `dv6 run` typing `lines` lines of `echo line N | wc`,
 * journaled to a file, or null without python3 (see peakRss). */
async function sessionRss(lines: number): Promise<number | null> {
  const main = new URL("../main.ts", import.meta.url).pathname;
  const script = `${tmp}/rss-${lines}.sh`;
  Deno.writeTextFileSync(
    script,
    Array.from({ length: lines }, (_, i) => `echo line ${i} | wc\n`).join(""),
  );
  const dv6 = [Deno.execPath(), "run", "-A", main, "run", script, "--journal", `${script}.log`];
  try {
    return await peakRss(dv6, tmp);
  } finally {
    Deno.removeSync(script);
    Deno.removeSync(`${script}.log`);
  }
}

/** Best (smallest) of the times. */
function least(xs: number[]): number {
  return Math.min(...xs);
}

function kib(bytes: number): string {
  return bytes >= 1 << 20 ? `${num(bytes / (1 << 20))} MiB` : `${num(bytes / 1024)} KiB`;
}

// ---- output --------------------------------------------------------------------------------

const table = new Table();

// ---- the figures ---------------------------------------------------------------------------

async function main(args: string[]): Promise<void> {
  const quick = args.includes("--quick");
  const unknown = args.filter((a) => a !== "--quick");
  if (unknown.length > 0) throw new Error(`usage: bench/main.ts [--quick] (not ${unknown})`);
  const S = quick ? QUICK : FULL;
  build = await buildId();
  tmp = await Deno.makeTempDir({ prefix: "dv6-bench-" });
  const started = performance.now();
  try {
    // 1 and 2: getpid throughput against the bare loop, interleaved repetition by
    // repetition so that both see the same host; then replay of each journal.
    const getpidRates: number[] = [], stepRates: number[] = [], bareRates: number[] = [];
    const replayRates: number[] = [], unjournaledRates: number[] = [];
    let bytesPerStep = 0, steps = 0, fileBytes = 0;
    for (let rep = 0; rep < S.reps; rep++) {
      bareRates.push(perSec(S.getpids, bareLoop(S.getpids)));
      const r = record(["getpids", String(S.getpids)]);
      getpidRates.push(perSec(S.getpids, r.ms));
      stepRates.push(perSec(r.steps, r.ms));
      const p = replay(r.path, r.steps);
      replayRates.push(perSec(p.steps, p.ms));
      steps = r.steps;
      fileBytes = r.bytes;
      bytesPerStep = r.bytes / r.steps;
      Deno.removeSync(r.path);
      const bare = record(["getpids", String(S.getpids)], false, false);
      unjournaledRates.push(perSec(S.getpids, bare.ms));
    }
    const getpidRate = best(getpidRates), stepRate = best(stepRates), bareRate = best(bareRates);
    const replayRate = best(replayRates);

    // 4: fork round trips at two history lengths, spawn round trips.
    const forkRates: number[] = [];
    for (const history of S.forkHistories) {
      const rates: number[] = [];
      for (let rep = 0; rep < S.reps; rep++) {
        const r = record(["forkloop", String(history), String(S.forkRounds)], true);
        if (r.windows !== S.forkRounds) {
          throw new Error(`forkloop timed ${r.windows} round trips, not ${S.forkRounds}`);
        }
        rates.push(perSec(S.forkRounds, r.markedMs));
        Deno.removeSync(r.path);
      }
      forkRates.push(best(rates));
    }
    const spawnRates: number[] = [];
    for (let rep = 0; rep < S.reps; rep++) {
      const r = record(["spawnloop", String(S.spawnRounds)], true);
      if (r.windows !== 1) throw new Error(`spawnloop timed ${r.windows} windows, not 1`);
      spawnRates.push(perSec(S.spawnRounds, r.markedMs));
      Deno.removeSync(r.path);
    }
    const spawnRate = best(spawnRates);

    // 5: pipe throughput, then the UART.
    const pipeRates: number[] = [], uartRates: number[] = [];
    const pipeFile = textFile(S.pipeBytes), uartFile = textFile(S.uartBytes);
    const lines = S.pipeBytes / 64;
    let pipeSteps = 0, uartSteps = 0;
    for (let rep = 0; rep < S.reps; rep++) {
      const p = timedRun(
        ["sh", "-c", "cat /big | wc"],
        { "/big": pipeFile },
        `${lines} ${lines} ${S.pipeBytes} \n`,
      );
      pipeRates.push(perSec(S.pipeBytes, p.ms));
      pipeSteps = p.steps;
      const u = timedRun(["cat", "/big"], { "/big": uartFile }, S.uartBytes);
      uartRates.push(perSec(S.uartBytes, u.ms));
      uartSteps = u.steps;
    }
    const pipeRate = best(pipeRates), uartRate = best(uartRates);

    // 6: the script session, block by block.
    const firstMs: number[] = [], lastMs: number[] = [];
    let sessionSteps = 0;
    for (let rep = 0; rep < S.sessionReps; rep++) {
      const r = timedSession(S.sessionLines, S.sessionBlock);
      firstMs.push(r.blockMs[0]);
      lastMs.push(r.blockMs[r.blockMs.length - 1]);
      sessionSteps = r.steps;
    }
    const perThousand = 1000 / S.sessionBlock / 1000; // block ms -> seconds per 1,000 commands
    const first = least(firstMs) * perThousand, last = least(lastMs) * perThousand;

    // 6b: peak memory of a short and a long session.
    const [rssSmall, rssLarge] = [
      await sessionRss(S.rssLines[0]),
      await sessionRss(S.rssLines[1]),
    ];

    // 7: cold start, one process after the other.
    const coldMs: number[] = [];
    for (let rep = 0; rep < S.coldStarts; rep++) coldMs.push(await coldStart());

    const [h0, h1] = S.forkHistories;
    const r1 = getpidRate / bareRate;
    console.log(
      `dv6 bench${quick ? " --quick" : ""}: best of ${S.reps}; ${CPUS} CPUs, ${SCHED}; ` +
        `deno ${Deno.version.deno}, v8 ${Deno.version.v8}; build ${build}`,
    );
    table.section(`1. step throughput (${num(S.getpids)} getpid() calls, journaled to a file)`);
    table.row("getpid calls/s", num(getpidRate));
    table.row("machine steps/s", num(stepRate), `(${num(steps)} steps per run)`);
    table.row("bare generator resumes/s", num(bareRate), `(${num(S.getpids)} resumes)`);
    table.row(
      "ratio getpid-rate / bare-rate",
      ratio(r1),
      `target >= ${TARGET_RATIO}: ${r1 >= TARGET_RATIO ? "met" : "NOT met"}`,
    );
    table.row(
      "for reference: getpid calls/s, no journal",
      num(best(unjournaledRates)),
      `(ratio to bare ${ratio(best(unjournaledRates) / bareRate)})`,
    );
    table.section("2. replay with verification (JournalVerifier over the file)");
    table.row("replay steps/s", num(replayRate));
    table.row("ratio replay-rate / record-rate (steps)", ratio(replayRate / stepRate));
    table.section("3. journal bytes per step on disk");
    table.row(
      "bytes per step",
      num(bytesPerStep, 3),
      `(${num(fileBytes)} bytes / ${num(steps)} steps)`,
    );
    table.section(`4. fork and spawn (${num(S.forkRounds)} round trips per run)`);
    table.row(`fork+exit+wait round trips/s, ${num(h0)} calls of history`, num(forkRates[0]));
    table.row(`fork+exit+wait round trips/s, ${num(h1)} calls of history`, num(forkRates[1]));
    table.row(
      `ratio fork rate ${num(h1)} / ${num(h0)} history`,
      ratio(forkRates[1] / forkRates[0]),
      "(the cost of re-running the history)",
    );
    table.row("spawn+wait round trips/s", num(spawnRate), `(${num(S.spawnRounds)} per run)`);
    table.row(`ratio spawn rate / fork rate (${num(h0)} history)`, ratio(spawnRate / forkRates[0]));
    table.section("5. pipe throughput (journaled to a file)");
    table.row(
      "cat FILE | wc: simulated bytes per host second",
      num(pipeRate),
      `(${kib(S.pipeBytes)}, ${num(pipeSteps)} steps)`,
    );
    table.row(
      "cat FILE to the console (UART): bytes per host second",
      num(uartRate),
      `(${kib(S.uartBytes)}, ${num(uartSteps)} steps)`,
    );
    table.row("ratio UART rate / pipe rate", ratio(uartRate / pipeRate));
    table.section(
      `6. script session: ${num(S.sessionLines)} lines of echo, pipes, background jobs`,
    );
    table.row(
      "host seconds per 1,000 commands, first block",
      first.toFixed(3),
      `(blocks of ${num(S.sessionBlock)} lines)`,
    );
    table.row("host seconds per 1,000 commands, last block", last.toFixed(3));
    table.row(
      "ratio last block / first block",
      ratio(last / first),
      `(> 1: the cost grows with history; best of ${S.sessionReps})`,
    );
    table.row(
      "machine steps per command",
      num(sessionSteps / S.sessionLines),
      `(${num(sessionSteps)} steps)`,
    );
    table.section("6b. peak host memory (RSS) of `dv6 run`, lines of `echo line N | wc`");
    if (rssSmall === null || rssLarge === null) {
      table.row("peak RSS", "skipped", "(no python3 here)");
    } else {
      table.row(`${num(S.rssLines[0])} lines: peak RSS`, kib(rssSmall), "(target < 200 MiB)");
      table.row(`${num(S.rssLines[1])} lines: peak RSS`, kib(rssLarge));
      table.row(
        `ratio ${num(S.rssLines[1])} / ${num(S.rssLines[0])} lines`,
        ratio(rssLarge / rssSmall),
        "(target <= 1.5)",
      );
    }
    table.section(`7. cold start: dv6 -c "echo hi" as a new process`);
    table.row(
      "whole-process wall time, ms",
      num(least(coldMs)),
      `(best of ${S.coldStarts}: deno run -A main.ts -c "echo hi")`,
    );
    // 8 and 9: the robust-IPC figures (bench/ipc.ts, also `deno task bench:ipc` alone);
    // 10 and 11: make -j's (bench/make.ts, also `deno task bench:make` alone).
    const ipc = await ipcFigures(quick, tmp, build, 8);
    const make = await makeFigures(quick, tmp, build, 10);
    const repl = await replFigures(quick, tmp, build, 13);
    const debug = await debugFigures(quick, tmp, build, 14);
    const web = await webFigures(quick, tmp, build, 15);
    printRows([...table.rows, ...ipc, ...make, ...repl, ...debug, ...web]);
    console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) await main(Deno.args);
