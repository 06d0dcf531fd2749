// deno task bench, figure 14: time travel (dv6 debug) over a usertests journal (about 1.5
// million steps) and a 10-million-step one (`spin -w`), each against the replay of the same
// journal in the same run:
//   - opening (the index of every step's record), and the first `goto end`, which verifies;
//   - the worst goto: from the first steps to the step before the end, with no machine between;
//   - goto a step, seeded at random, as a batch (-x) runs it: no idle time between commands;
//   - back 1, five times, at the journal's middle, in a batch;
//   - the same two after the idle time an interactive session has between commands (the
//     ladder and grid of machines: shell/timetravel.ts), spent until it is all ready;
//   - the debugger's peak memory on the 10-million-step journal with every machine ready.
// `deno task bench:debug` runs it alone; `--child JOURNAL` is the measured process for the
// memory figure.

import { JournalReader } from "../kernel/journal.ts";
import { Timeline } from "../shell/timetravel.ts";
import { replayJournal } from "../shell/replay.ts";
import { boot } from "./boot.ts";
import { num, peakRss, ratio, type Row, runAlone, Table } from "./table.ts";

interface Sizes {
  /** Steps of the spin journal; usertests's tests (all of them, or a quick one). */
  spinSteps: number;
  usertests: string[];
  gotos: number;
}

const FULL: Sizes = { spinSteps: 10_000_000, usertests: [], gotos: 5 };
const QUICK: Sizes = { spinSteps: 200_000, usertests: ["forktest"], gotos: 2 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A seeded generator of steps (so the runs goto the same steps). */
function steps(total: number, n: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return 1 + (x % total);
  });
}

async function timed(f: () => unknown): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

/** Idle time, spent until every machine the debugger readies is ready. */
function prepareAll(tl: Timeline): void {
  while (tl.prepare(Infinity));
}

async function journalFigures(table: Table, what: string, bytes: Uint8Array, gotos: number) {
  let replayMs = Infinity, replaySteps = 0;
  for (let i = 0; i < 2; i++) {
    replayMs = Math.min(
      replayMs,
      await timed(() => replaySteps = replayJournal(new JournalReader(bytes), () => {}).steps),
    );
  }
  table.section(`${what}: ${num(replaySteps)} steps, replay ${num(replayMs)} ms`);
  const row = (label: string, ms: number, target = "") =>
    table.row(label, num(ms, 1), `ms; ${ratio(ms / replayMs)} of the replay${target}`);
  let tl!: Timeline;
  row(
    "open (index every step)",
    await timed(() => tl = new Timeline(new JournalReader(bytes))),
  );
  row("first goto end (verifies every step)", await timed(() => tl.goto(tl.total)));
  await tl.goto(1);
  row(
    "goto the step before the end from step 1: the worst",
    await timed(() => tl.goto(tl.total - 1)),
  );
  const targets = steps(tl.total, gotos, 7);
  const batch: number[] = [];
  for (const s of targets) batch.push(await timed(() => tl.goto(s)));
  const mid = Math.floor(tl.total / 2);
  await tl.goto(mid);
  const backs: number[] = [];
  for (let i = 1; i <= 5; i++) backs.push(await timed(() => tl.goto(mid - i)));
  row(`goto a step, batch: median of ${gotos}`, median(batch), "; target 500 (1M), 3,000 (10M)");
  row("back 1 at the middle, batch: median of 5", median(backs), "; target 100");
  const idle = await timed(() => prepareAll(tl));
  const readyGotos: number[] = [];
  for (const s of targets) {
    readyGotos.push(await timed(() => tl.goto(s)));
    prepareAll(tl);
  }
  await tl.goto(mid);
  prepareAll(tl);
  const readyBacks: number[] = [];
  for (let i = 1; i <= 5; i++) readyBacks.push(await timed(() => tl.goto(mid - i)));
  row(`goto a step, machines ready: median of ${gotos}`, median(readyGotos));
  row("back 1 at the middle, machines ready: median of 5", median(readyBacks));
  table.row("idle time to ready them, first", num(idle), `ms (${tl.live} live machines)`);
}

export async function debugFigures(quick: boolean, tmp: string, build: string, first = 14) {
  const S = quick ? QUICK : FULL;
  const table = new Table();
  table.section(`${first}. time travel: dv6 debug, against the replay of the same journal`);
  const ut = boot({ argv: ["usertests", ...S.usertests], tmp, build, keep: true });
  const spin = boot({ argv: ["spin", "-w", String(S.spinSteps)], tmp, build, keep: true });
  for (const [name, b] of [["usertests", ut], [`spin -w ${num(S.spinSteps)}`, spin]] as const) {
    if (b.end?.kind !== "halt" || b.end.status !== 0) throw new Error(`${name}: ${b.out}`);
    await journalFigures(table, name, Deno.readFileSync(b.path!), S.gotos);
  }
  const main = new URL(import.meta.url).pathname;
  const rss = await peakRss([Deno.execPath(), "run", "-A", main, "--child", spin.path!], tmp);
  table.row(
    `spin journal, every machine ready: peak RSS`,
    rss === null ? "skipped" : `${num(rss / 2 ** 20)} MiB`,
    rss === null ? "(no python3 here)" : "(target under 1,024 MiB)",
  );
  for (const b of [ut, spin]) Deno.removeSync(b.path!);
  return table.rows as Row[];
}

if (import.meta.main) {
  if (Deno.args[0] === "--child") {
    const bytes = Deno.readFileSync(Deno.args[1]);
    const tl = new Timeline(new JournalReader(bytes));
    await tl.goto(tl.total);
    await tl.goto(Math.floor(tl.total / 2));
    prepareAll(tl);
  } else {
    await runAlone(
      "debug",
      Deno.args,
      debugFigures,
      (quick) => `dv6 time-travel bench${quick ? " --quick" : ""}`,
    );
  }
}
