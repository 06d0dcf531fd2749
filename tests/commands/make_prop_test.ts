// A property test (fast-check) of make -j's jobservers: random build graphs (up to 40
// targets: recipes that sleep a few ticks, fail, or run a sub-make of their own jobs) built
// with `make -k -jN --stats` while a test program, `chaos`, kills random processes of the
// build (the top-level make's descendants: sub-makes, token helpers, shells, sleeps) at random
// moments (a random number of ticks, then a random number of system calls: step-sized
// precision). The kills go through the kill system call from inside the machine, so a run is
// one journal, deterministic for its fast-check values. The shell of a recursive line is
// never the victim: its sub-make would go on as an orphan in the slot its parent gives back
// when it sees the shell die, N + 1 jobs at once (GNU make does the same), and would still
// hold its tokens when the top-level make counts them.
//
// Under sysvsem: the number of jobs holding a slot at once never exceeds N, and the
// semaphore's value before the top-level make removes it is N: every token is back. Jobs are
// counted at step precision from the job log every make of the build shares (its appends are
// in the journal): a job holds its slot from its start record to its end record, or, if its
// make was killed first, to the step that make entered exit() (its tokens go back as it dies,
// though its processes may run on, as under GNU make).
//
// Under pipe: never more than N jobs at once either, and the tokens missing at the end
// (`make: INTERNAL: Exiting with K jobserver tokens available; should be N!`: N - K, or 0
// without that line) equal the tokens the killed processes held. A token is held by the make
// that read it from the jobserver pipe until it writes it back (the token helper only waits
// for one to be there). Counted from the journal: reads of one byte from, and writes to, the
// pipe the top-level make created.
//
// FC_SEED=N fixes fast-check's seed (it prints the seed of a failure).

import assert from "node:assert/strict";
import fc from "fast-check";
import { GETVAL, IPC_RMID } from "../../kernel/uapi/ipc.ts";
import { SYS } from "../../kernel/uapi/syscall.ts";
import { TOKEN } from "../../commands/make/jobserver.ts";
import { EV, type Program, records, run, type Sys } from "../helpers.ts";

const encoder = new TextEncoder();

/** chaos D1,G1,I1[,D2,G2,I2...]: for each triple, sleeps D ticks, makes G getpid calls, then
 * kills the I-th (modulo their number) living descendant of the top-level make (the make whose
 * parent is chaos's parent, the shell), if there is one. */
export function* chaos(sys: Sys, argv: string[]): Program {
  const me = yield* sys.getpid();
  const shell = (yield* sys.procs()).find((p) => p.pid === me)?.ppid ?? -1;
  const args = (argv[1] ?? "").split(",").filter((a) => a !== "").map(Number);
  for (let i = 0; i + 2 < args.length; i += 3) {
    const [d, g, which] = args.slice(i, i + 3);
    if (d > 0) yield* sys.sleep(d);
    for (let k = 0; k < g; k++) yield* sys.getpid();
    const procs = (yield* sys.procs()).filter((p) => p.state !== "zombie");
    const top = procs.find((p) => p.ppid === shell && p.name === "make");
    if (top === undefined) break;
    const below: typeof procs = [];
    const frontier = [top.pid];
    while (frontier.length > 0) {
      const pid = frontier.shift()!;
      for (const p of procs) {
        if (p.ppid === pid) {
          below.push(p);
          frontier.push(p.pid);
        }
      }
    }
    // Not the shell of a recursive line: its sub-make would go on as an orphan, in the slot
    // its parent gives back when it sees the shell die (N + 1 jobs at once, as under GNU make).
    const victims = below.filter((v) =>
      !(v.name === "sh" && v.argv.some((a) => a.includes("make")))
    );
    if (victims.length === 0) continue;
    const victim = victims[which % victims.length];
    yield* sys.kill(victim.pid);
  }
  return 0;
}

// ---- random builds -------------------------------------------------------------------------

type Recipe =
  | { k: "sleep"; ticks: number }
  | { k: "fail" }
  | { k: "sub"; jobs: number[] };

interface Target {
  recipe: Recipe;
  /** Prerequisites: indexes of later targets (so the graph has no cycle). */
  deps: number[];
}

const recipeArb: fc.Arbitrary<Recipe> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 4 }).map((ticks) => ({ k: "sleep", ticks })) },
  { weight: 1, arbitrary: fc.constant({ k: "fail" }) },
  {
    weight: 2,
    arbitrary: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 6 }).map(
      (jobs) => ({ k: "sub", jobs }),
    ),
  },
) as fc.Arbitrary<Recipe>;

const buildArb = fc.array(
  fc.record({ recipe: recipeArb, deps: fc.array(fc.nat(40), { maxLength: 3 }) }),
  { minLength: 1, maxLength: 16 },
).map((ts): Target[] =>
  ts.map((t, i) => ({
    recipe: t.recipe,
    deps: [...new Set(t.deps.map((d) => i + 1 + d).filter((d) => d < ts.length))],
  }))
).filter((ts) =>
  // Up to 40 targets in all, the sub-makes' jobs counted.
  ts.reduce((n, t) => n + 1 + (t.recipe.k === "sub" ? t.recipe.jobs.length : 0), 0) <= 40
);

const killsArb = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 300 }), fc.nat(50)),
  { minLength: 1, maxLength: 3 },
);

/** The Makefile and sub-makefiles of a build. */
function files(ts: Target[]): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  const lines = [`all: ${ts.map((_, i) => `t${i}`).join(" ")}`];
  ts.forEach((t, i) => {
    lines.push(`t${i}: ${t.deps.map((d) => `t${d}`).join(" ")}`.trimEnd());
    const r = t.recipe;
    if (r.k === "sleep") lines.push(`\t@sleep ${r.ticks}`);
    else if (r.k === "fail") lines.push("\t@exit 1");
    else {
      lines.push(`\t+@$(MAKE) -s -f sub${i}.mk`);
      const sub = [`all: ${r.jobs.map((_, j) => `s${j}`).join(" ")}`];
      r.jobs.forEach((ticks, j) => sub.push(`s${j}:`, `\t@sleep ${ticks}`));
      out[`/w/sub${i}.mk`] = encoder.encode(sub.join("\n") + "\n");
    }
  });
  out["/w/Makefile"] = encoder.encode(lines.join("\n") + "\n");
  return out;
}

/** The scheduler: rr, or random with a seed (more interleavings around each kill). */
const schedArb = fc.option(fc.nat(1_000_000), { freq: 2 });

function build(
  style: string,
  n: number,
  ts: Target[],
  kills: [number, number, number][],
  seed: number | null,
) {
  const cmd = `cd /w; make -k -s -j${n} --jobserver-style=${style} --stats & ` +
    `chaos ${kills.flat().join(",")}; wait`;
  const r = run({
    initArgv: ["init", "sh", "-c", cmd],
    image: files(ts),
    programs: { chaos },
    maxSteps: 20_000_000,
    ...(seed === null ? {} : { sched: "random" as const, seed }),
  });
  assert.equal(r.end?.kind, "halt", `${cmd}: ${JSON.stringify(r.end)}\n${r.out}`);
  // Both styles: never more than N jobs hold a slot, and --stats counts every job.
  const slots = slotsAtOnce(r.journal);
  assert.ok(slots.most <= n, r.out);
  assert.equal(statsJobs(r.out), slots.jobs, r.out);
  return r;
}

/** The jobs the job log saw start, and the most holding a slot at once, at step precision (see
 * the top of the file). */
function slotsAtOnce(journal: Uint8Array): { jobs: number; most: number } {
  const logs = new Map<number, number>(); // pid -> fd of the job log it has open
  const exitStep = new Map<number, number>(); // pid -> the step it entered exit()
  const jobs = new Map<string, { start: number; end: number | null }>();
  const decoder = new TextDecoder();
  let step = 0;
  for (const rec of records(journal)) {
    if (rec.type !== "step") continue;
    step++;
    const ev = rec.ev;
    if (ev.k === EV.EXIT && !exitStep.has(rec.pid)) exitStep.set(rec.pid, step);
    if (ev.k !== EV.SYSCALL && ev.k !== EV.EXIT) continue;
    if (ev.n === SYS.open && /^\/tmp\/make\.\d+\.jobs$/.test(String(ev.a[0]))) {
      logs.set(rec.pid, ev.r as number);
    }
    if (ev.n !== SYS.write || logs.get(rec.pid) !== ev.a[0] || (ev.r as number) <= 0) continue;
    const line = decoder.decode(ev.a[1] as Uint8Array);
    const m = /^([SE]) (\d+\.\d+) /.exec(line);
    if (m?.[1] === "S") jobs.set(m[2], { start: step, end: null });
    else if (m?.[1] === "E") jobs.get(m[2])!.end = step;
  }
  const events: [number, number][] = [];
  for (const [id, j] of jobs) {
    const end = j.end ?? exitStep.get(Number(id.split(".")[0]));
    assert.ok(end !== undefined, `job ${id} never ended, and its make never exited`);
    events.push([j.start, 1], [end, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0, most = 0;
  for (const [, d] of events) most = Math.max(most, running += d);
  return { jobs: jobs.size, most };
}

/** make --stats' count of jobs (the top-level make's line, the last one printed). */
function statsJobs(out: string): number {
  const all = [...out.matchAll(/make: (\d+) jobs in \d+ ticks, at most \d+ at once/g)];
  assert.ok(all.length > 0, `no --stats line:\n${out}`);
  return Number(all[all.length - 1][1]);
}

/** The pids chaos killed, from the journal (its kill calls that succeeded). */
function killedBy(journal: Uint8Array): Set<number> {
  let pid = -1;
  const killed = new Set<number>();
  for (const rec of records(journal)) {
    if (rec.type !== "step" || rec.ev.k !== EV.SYSCALL) continue;
    const ev = rec.ev;
    if (ev.n === SYS.spawn && ev.a[0] === "/bin/chaos") pid = ev.r as number;
    if (ev.n === SYS.kill && rec.pid === pid && ev.r === 0) killed.add(ev.a[0] as number);
  }
  return killed;
}

const RUNS = Number(Deno.env.get("FC_RUNS") ?? 50);
const seed = Deno.env.get("FC_SEED");
const params = { numRuns: RUNS, ...(seed === undefined ? {} : { seed: Number(seed) }) };

Deno.test("make property: sysvsem never runs more than N jobs and gets every token back", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 6 }),
      buildArb,
      killsArb,
      schedArb,
      (n, ts, kills, seed) => {
        const r = build("sysvsem", n, ts, kills, seed);
        const killed = killedBy(r.journal);
        // Tokens each process holds (taken with SEM_UNDO and not given back; a killed process's
        // come back when it dies), and the processes reaped by wait().
        const held = new Map<number, number>();
        const reaped = new Set<number>();
        let created = -1, last = -1, removed = false, top = -1, orphans = 0;
        for (const rec of records(r.journal)) {
          if (rec.type !== "step") continue;
          const ev = rec.ev;
          if (ev.k !== EV.SYSCALL) continue;
          if (ev.n === SYS.wait && Array.isArray(ev.r)) reaped.add(ev.r[0] as number);
          if (ev.n === SYS.semget && created < 0) {
            created = ev.r as number;
            top = rec.pid;
          }
          if (ev.n === SYS.semop && ev.a[0] === created) {
            const ops = ev.a[1] as number[][];
            // One operation with SEM_UNDO takes (-1, when it succeeds) or gives back (+1) a
            // token; the helper's wait (-1 and +1 at once) changes nothing.
            if (ops.length === 1 && (ops[0][1] > 0 || ev.r === 0)) {
              held.set(rec.pid, (held.get(rec.pid) ?? 0) - ops[0][1]);
            }
          }
          if (ev.n === SYS.semctl && ev.a[0] === created && ev.a[2] === GETVAL) {
            last = ev.r as number;
            // Processes of the build still holding tokens then: sub-makes whose recipe shell
            // was killed (the orphan goes on with its jobs, as under GNU make). A make that has
            // ended on its own holds none (checked below).
            orphans = 0;
            for (const [pid, h] of held) if (pid !== top && !killed.has(pid)) orphans += h;
          }
          if (ev.n === SYS.semctl && ev.a[0] === created && ev.a[2] === IPC_RMID) removed = true;
        }
        assert.ok(created >= 0, "a semaphore was made");
        assert.ok(removed, "the top-level make removes it");
        assert.equal(last + orphans, n, `every token back (${orphans} held by orphans):\n${r.out}`);
        // Every make that ended on its own gave back every token it took (an orphan that ends
        // after the semaphore was removed tries to; one may still run when the machine halts).
        assert.ok(reaped.has(top), "the top-level make exits");
        for (const [pid, h] of held) {
          if (reaped.has(pid) && !killed.has(pid)) assert.equal(h, 0, `pid ${pid}`);
        }
        if (orphans === 0) assert.ok(!r.out.includes("INTERNAL"), r.out);
      },
    ),
    params,
  );
});

/** Tokens each process of a pipe-jobserver build holds at the end: bytes '+' it read from the
 * jobserver pipe (the top-level make's first pipe) less those it wrote to it. A read in which
 * its process was killed counts too: it took the byte with it (the journal records such a call
 * as the process's exit step). */
function pipeTokens(journal: Uint8Array): Map<number, number> {
  let rfd = -1, wfd = -1;
  const held = new Map<number, number>();
  const add = (pid: number, d: number) => held.set(pid, (held.get(pid) ?? 0) + d);
  const count = (b: Uint8Array, n: number) => b.subarray(0, n).filter((x) => x === TOKEN).length;
  for (const rec of records(journal)) {
    if (rec.type !== "step" || (rec.ev.k !== EV.SYSCALL && rec.ev.k !== EV.EXIT)) continue;
    const ev = rec.ev;
    if (ev.n === SYS.pipe && rfd < 0 && ev.k === EV.SYSCALL) [rfd, wfd] = ev.r as number[];
    if (ev.n === SYS.read && ev.a[0] === rfd && ev.r instanceof Uint8Array) {
      add(rec.pid, count(ev.r, ev.r.length));
    }
    if (ev.n === SYS.write && ev.a[0] === wfd && ev.a[1] instanceof Uint8Array) {
      add(rec.pid, -count(ev.a[1], Math.max(0, ev.r as number)));
    }
  }
  return held;
}

Deno.test("make property: pipe runs at most N jobs and loses exactly the tokens the killed held", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 6 }),
      buildArb,
      killsArb,
      schedArb,
      (n, ts, kills, seed) => {
        const r = build("pipe", n, ts, kills, seed);
        const leak =
          /make: INTERNAL: Exiting with (\d+) jobserver tokens available; should be (\d+)!/
            .exec(r.out);
        if (leak !== null) assert.equal(Number(leak[2]), n);
        const missing = leak === null ? 0 : n - Number(leak[1]);
        const held = pipeTokens(r.journal);
        let lost = 0;
        for (const pid of killedBy(r.journal)) lost += held.get(pid) ?? 0;
        assert.equal(missing, lost, `${JSON.stringify([...held])}\n${r.out}`);
      },
    ),
    params,
  );
});
