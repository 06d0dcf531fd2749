// deno run -A bench/make.ts [--quick]: the make -j figures (issue 5).
//
//   1. Fixed work in parallel: 12 jobs each `spin -w 100000`, -j1 against -jN on N CPUs
//      (N = 3 and 8): the -jN makespan against a third (an eighth) of the -j1 one. Each CPU
//      has its own clock, so N CPUs do N times the work of one (target: at most 1.2).
//   2. N independent jobs (N = 1,000 and 10,000), each an `echo`, from a generated Makefile in
//      the boot image, built with -j8 under each jobserver style (pipe, sysvsem, psem),
//      journaled to a file: host milliseconds per job at both sizes (it must stay flat) and
//      the virtual makespan (make --stats, in ticks) against the ideal, jobs x job length /
//      min(8, CPUs), the job length being the makespan of the same build under -j1 divided by
//      the jobs. The same builds with jobs `echo $@; sleep 1` (a job that waits, as a compiler
//      waits for the disk) are the ones where the slots, and so the jobserver, decide it.
//   3. The same 1,000 jobs (`echo; sleep 1`) as a sub-make of 500 and then 500 jobs of the
//      top-level make; the sub-make kills itself halfway (a `pkill -n -x make` job in the
//      middle of its jobs) while it holds tokens: the makespan under pipe (the tokens the
//      sub-make held are lost for the rest of the build) against sysvsem (they come back).
//
// As bench/main.ts: `--quick` shrinks everything for the smoke test. One run per figure (the
// virtual figures are deterministic; the host ones are per job over many jobs).

import { boot, CPUS, SCHED } from "./boot.ts";
import { num, ratio, type Row, runAlone, Table } from "./table.ts";

interface Sizes {
  /** The two build sizes of figure 1. */
  jobs: [number, number];
  /** The jobs of figure 2 (half in the sub-make). */
  killJobs: number;
  /** Figure 1: its jobs, and the steps each computes. */
  spinJobs: number;
  spinSteps: number;
}

const FULL: Sizes = { jobs: [1_000, 10_000], killJobs: 1_000, spinJobs: 12, spinSteps: 100_000 };
const QUICK: Sizes = { jobs: [40, 80], killJobs: 80, spinJobs: 12, spinSteps: 10_000 };

const SLOTS = 8;
const STYLES = ["pipe", "sysvsem", "psem"] as const;
type Style = typeof STYLES[number];

const encoder = new TextEncoder();

interface Built {
  /** Host milliseconds of the run (boot to halt). */
  ms: number;
  /** make --stats: jobs, makespan in ticks, most at once. */
  jobs: number;
  ticks: number;
  atOnce: number;
  out: string;
}

/** Boots dv6 with `files` under /w, runs `cmd` there with the shell, journaled to a file. */
function build(
  files: Record<string, string>,
  cmd: string,
  tmp: string,
  buildId: string,
  cpus = CPUS,
): Built {
  const image: Record<string, Uint8Array> = {};
  for (const [p, c] of Object.entries(files)) image[`/w/${p}`] = encoder.encode(c);
  const { end, out, ms } = boot({
    argv: ["sh", "-c", `cd /w; ${cmd}`],
    image,
    tmp,
    build: buildId,
    cpus,
  });
  const stats = /make: (\d+) jobs in (\d+) ticks, at most (\d+) at once/.exec(out);
  if (end?.kind !== "halt" || stats === null) {
    throw new Error(`bench build '${cmd}' failed: ${JSON.stringify(end)}\n${out.slice(-2000)}`);
  }
  return { ms, jobs: Number(stats[1]), ticks: Number(stats[2]), atOnce: Number(stats[3]), out };
}

function names(prefix: string, n: number): string {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`).join(" ");
}

/** N independent jobs running `recipe`. */
function flat(n: number, recipe: string): Record<string, string> {
  const all = names("j", n);
  return { Makefile: `all: ${all}\n${all}:\n\t@${recipe}\n` };
}

function makeCmd(jobs: number, style: Style, extra = ""): string {
  return `make -s -j${jobs} --jobserver-style=${style} --stats${extra}`;
}

const ECHO = "echo $@";
const SLEEPY = "echo $@; sleep 1";

export function makeFigures(
  quick: boolean,
  tmp: string,
  buildId: string,
  first = 1,
): Promise<Row[]> {
  const S = quick ? QUICK : FULL;
  const table = new Table();

  // 1: fixed work, spread over the CPUs.
  table.section(
    `${first}. make -jN on N CPUs, ${S.spinJobs} jobs each \`spin -w ${num(S.spinSteps)}\``,
  );
  const spins = flat(S.spinJobs, `spin -w ${S.spinSteps}`);
  for (const cpus of [3, 8]) {
    const serial = build(spins, makeCmd(1, "pipe"), tmp, buildId, cpus);
    const par = build(spins, makeCmd(cpus, "pipe"), tmp, buildId, cpus);
    // The jobs run in rounds of `cpus`: the last round may leave CPUs idle.
    const best = Math.ceil(S.spinJobs / cpus) / (S.spinJobs / cpus);
    table.row(
      `--cpus ${cpus}: makespan -j${cpus} / (-j1 / ${cpus})`,
      ratio(par.ticks / (serial.ticks / cpus)),
      `(-j1 ${num(serial.ticks)} ticks, -j${cpus} ${num(par.ticks)}; target <= 1.2; ` +
        `in rounds of ${cpus} jobs at best ${ratio(best)})`,
    );
  }

  // 2: every size and style, for both kinds of job.
  for (const [kind, recipe] of [["echo", ECHO], ["echo; sleep 1", SLEEPY]] as const) {
    table.section(
      `${first + 1}${kind === "echo" ? "a" : "b"}. make -j${SLOTS}, independent jobs, each ` +
        `\`${recipe}\``,
    );
    const perJob: Record<string, number[]> = {};
    for (const n of S.jobs) {
      const files = flat(n, recipe);
      const serial = build(files, makeCmd(1, "pipe"), tmp, buildId);
      const length = serial.ticks / n;
      // Jobs that wait gain from every slot; jobs that compute from every CPU at most.
      const ideal = (n * length) / (kind === "echo" ? Math.min(SLOTS, CPUS) : SLOTS);
      table.row(
        `${num(n)} jobs, -j1: makespan, ticks`,
        num(serial.ticks),
        `(job length ${num(length, 4)} ticks; ideal at -j${SLOTS}: ${num(ideal, 1)} ticks)`,
      );
      for (const style of STYLES) {
        const b = build(files, makeCmd(SLOTS, style), tmp, buildId);
        if (b.jobs !== n) throw new Error(`${style}: ${b.jobs} jobs, not ${n}`);
        (perJob[style] ??= []).push(b.ms / n);
        table.row(
          `${num(n)} jobs, ${style}: host ms per job`,
          num(b.ms / n, 3),
          `(${num(b.ms)} ms in all)`,
        );
        table.row(
          `${num(n)} jobs, ${style}: makespan / ideal`,
          ratio(b.ticks / ideal),
          `(${num(b.ticks)} ticks, at most ${b.atOnce} at once; ` +
            (kind === "echo" ? `compute only: ideal divides by ${CPUS} CPUs)` : "target <= 1.05)"),
        );
      }
    }
    for (const style of STYLES) {
      const [small, large] = perJob[style];
      table.row(
        `${style}: ratio host ms per job, ${num(S.jobs[1])} / ${num(S.jobs[0])} jobs`,
        ratio(large / small),
        "(flat: about 1)",
      );
    }
  }

  // 3: a sub-make killed halfway through its jobs.
  const half = S.killJobs / 2;
  const sub = names("s", half / 2) + " killer " + names("s", half).split(" ").slice(half / 2)
    .join(" ");
  const top = names("t", half);
  const files = {
    Makefile: `all: ${top}\n${top}: sub\n\t@${SLEEPY}\nsub:\n\t-+@$(MAKE) -s -f sub.mk\n`,
    "sub.mk": `all: ${sub}\nkiller:\n\t@pkill -n -x make\n${names("s", half)}:\n\t@${SLEEPY}\n`,
  };
  table.section(
    `${first + 2}. make -j${SLOTS} -k, ${num(S.killJobs)} jobs, a sub-make killed halfway`,
  );
  table.row(
    "the build",
    "",
    `(a sub-make of ${num(half)} jobs, then ${num(half)} jobs of the top-level make, ` +
      `each \`${SLEEPY}\`)`,
  );
  const killed: Record<string, Built> = {};
  for (const style of ["pipe", "sysvsem"] as const) {
    const b = build(files, makeCmd(SLOTS, style, " -k"), tmp, buildId);
    killed[style] = b;
    const leak = /Exiting with (\d+) jobserver tokens available; should be (\d+)!/.exec(b.out);
    table.row(
      `${style}: makespan, ticks`,
      num(b.ticks),
      `(${num(b.jobs)} jobs; ` +
        (leak === null ? "no tokens lost)" : `${Number(leak[2]) - Number(leak[1])} tokens lost)`),
    );
  }
  table.row(
    "ratio makespan pipe / sysvsem",
    ratio(killed.pipe.ticks / killed.sysvsem.ticks),
    "(what the leak costs)",
  );
  return Promise.resolve(table.rows);
}

if (import.meta.main) {
  await runAlone(
    "make",
    Deno.args,
    makeFigures,
    (quick) => `dv6 make bench${quick ? " --quick" : ""}: ${CPUS} CPUs, ${SCHED}`,
  );
}
