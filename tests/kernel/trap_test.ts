// The trap path: a program that throws is killed with xv6's usertrap() message while the rest
// of the machine goes on; kill reaches a process spinning in user mode only at a timer
// interrupt, and one that makes system calls at its next kernel crossing (seen in the journal).

import assert from "node:assert/strict";
import { INTR_NONE, INTR_TIMER } from "../../kernel/machine.ts";
import { SYS } from "../../kernel/uapi/syscall.ts";
import {
  EV,
  type Program,
  report,
  reports,
  runFor as run,
  say,
  type StepRecord,
  steps,
  type Sys,
} from "../helpers.ts";

const USERTRAP =
  /usertrap\(\): unexpected scause 0x[0-9a-f]{16} pid=(\d+)\n {12}sepc=0x[0-9a-f]{16} stval=0x[0-9a-f]{16}\n/g;

function* worker(sys: Sys): Program {
  for (let i = 0; i < 5; i++) yield* sys.sleep(1);
  yield* say(sys, "worker", "done");
  return 4;
}

function* thrower(sys: Sys, argv: string[]): Program {
  yield* say(sys, "thrower", "up");
  if (argv[1] === "string") throw "not even an Error";
  throw new Error("boom");
}

// Starts a worker and three faulting processes (two exec'd, one a fork's child), then reports
// every child's exit status by pid.
function* faults(sys: Sys): Program {
  const w = yield* sys.spawn("/bin/worker", ["worker"]);
  const t1 = yield* sys.spawn("/bin/thrower", ["thrower"]);
  const t2 = yield* sys.spawn("/bin/thrower", ["thrower", "string"]);
  const f = yield* sys.fork();
  if (f === 0) {
    yield* sys.getpid();
    throw new RangeError("child fault");
  }
  yield* say(sys, "pids", w, t1, t2, f);
  for (;;) {
    const [pid, status] = yield* sys.wait();
    if (pid < 0) break;
    yield* say(sys, "exit", pid, status);
  }
  return 0;
}

Deno.test("a program that throws is killed with usertrap(), and the kernel goes on", async (t) => {
  for (const [sched, seed, cpus] of [["rr", 0, 3], ["rr", 0, 1], ["random", 9, 2]] as const) {
    await t.step(`${sched} ${seed}, ${cpus} cpus`, () => {
      const r = run({
        initArgv: ["init", "faults"],
        programs: { faults, worker, thrower },
        sched,
        seed,
        cpus,
      });
      assert.deepEqual(r.end, { kind: "halt", status: 0 }, r.out);
      const [w, t1, t2, f] = report(r, "pids").map(Number);
      const statuses = new Map(
        reports(r, "exit").map((l) => l.split(" ").map(Number) as [number, number]),
      );
      assert.deepEqual(statuses, new Map([[w, 4], [t1, -1], [t2, -1], [f, -1]]));
      // One usertrap() report for each faulting process, naming it; the worker finished.
      const trapped = [...r.out.matchAll(USERTRAP)].map((m) => Number(m[1])).sort();
      assert.deepEqual(trapped, [t1, t2, f].sort());
      assert.deepEqual(reports(r, "worker"), ["done"]);
      assert.equal(reports(r, "thrower").length, 2);
    });
  }
});

// A program that keeps state at module level is not deterministic: a fork's child, a fresh run
// fed the parent's results, takes another path and is killed as a faulting program.
let started = 0;
function* forgetful(sys: Sys): Program {
  if (started++ > 0) yield* sys.getpid(); // only in the re-run
  const pid = yield* sys.fork();
  if (pid === 0) return 0;
  const [w, status] = yield* sys.wait();
  yield* say(sys, "forgetful", w === pid ? "child" : w, status);
  return 0;
}

Deno.test("a fork child whose re-run diverges from its parent is killed, not the kernel", () => {
  started = 0;
  const r = run({ initArgv: ["init", "forgetful"], programs: { forgetful } });
  assert.deepEqual(r.end, { kind: "halt", status: 0 }, r.out);
  assert.deepEqual(report(r, "forgetful"), ["child", "-1"]);
  assert.equal([...r.out.matchAll(USERTRAP)].length, 1, r.out);
});

/** Forks a child running `kind` forever, lets it run a tick, kills it, reports its status. */
function* killer(sys: Sys, argv: string[]): Program {
  const pid = yield* sys.fork();
  if (pid === 0) {
    if (argv[1] === "spin") { for (;;) yield* sys.spin(); }
    for (;;) yield* sys.getpid();
  }
  yield* sys.sleep(1);
  const k = yield* sys.kill(pid);
  const [w, status] = yield* sys.wait();
  yield* say(sys, "killer", pid, k, w === pid ? "child" : w, status);
  return 0;
}

function killRun(kind: string, sched: "rr" | "random", seed: number, cpus: number) {
  const r = run({ initArgv: ["init", "killer", kind], programs: { killer }, sched, seed, cpus });
  assert.deepEqual(r.end, { kind: "halt", status: 0 }, r.out);
  const [victim, k, w, status] = report(r, "killer");
  assert.deepEqual([k, w, status], ["0", "child", "-1"]);
  const all = steps(r.journal);
  const killAt = all.findIndex((s) =>
    s.ev.k === EV.SYSCALL && s.ev.n === SYS.kill && s.ev.a[0] === Number(victim)
  );
  assert.ok(killAt > 0, "the kill is in the journal");
  const mine: [number, StepRecord][] = [];
  all.forEach((s, i) => {
    if (s.pid === Number(victim)) mine.push([i, s]);
  });
  // Its exit ends in a switch to the scheduler, never to run again.
  const [, last] = mine.at(-1)!;
  assert.ok(last.ev.k === EV.SWTCH && last.ev.to === 0, "the victim's last step is its exit");
  return { killAt, mine };
}

Deno.test("a process spinning in user mode is killed only at a timer interrupt", async (t) => {
  for (const [sched, seed, cpus] of [["rr", 0, 3], ["rr", 0, 2], ["random", 4, 3]] as const) {
    await t.step(`${sched} ${seed}, ${cpus} cpus`, () => {
      const { killAt, mine } = killRun("spin", sched, seed, cpus);
      // It made no system call at all...
      assert.ok(mine.every(([, s]) => s.ev.k !== EV.SYSCALL));
      // ...and left user mode for the last time through a timer interrupt after the kill,
      // into exit.
      const lastUser = mine.findLastIndex(([, s]) => s.ev.k === EV.USER);
      const [at, out] = mine[lastUser + 1];
      assert.ok(at > killAt);
      if (sched === "rr") {
        // Under rr it is running on another CPU when it is killed, and goes on computing.
        assert.ok(mine[lastUser][0] > killAt, "no user-mode step after the kill");
      }
      assert.equal(out.intr, INTR_TIMER, `left user mode at step ${at} without a timer`);
    });
  }
});

Deno.test("a process making system calls is killed at its next kernel crossing", async (t) => {
  for (const [sched, seed, cpus] of [["rr", 0, 3], ["rr", 0, 2], ["random", 4, 3]] as const) {
    await t.step(`${sched} ${seed}, ${cpus} cpus`, () => {
      const { killAt, mine } = killRun("syscalls", sched, seed, cpus);
      const after = mine.filter(([i]) => i > killAt).map(([, s]) => s);
      // No system call returns to it after the kill: it exits when it next enters the kernel
      // (its next system call, or a timer interrupt if one comes first).
      assert.ok(after.length > 0);
      assert.ok(after.every((s) => s.ev.k !== EV.SYSCALL && s.ev.k !== EV.USER));
      if (sched === "rr") {
        // Under rr it is running on another CPU when it is killed: no timer is needed.
        assert.ok(after.every((s) => s.intr === INTR_NONE), "a timer interrupt was needed");
      }
      // It was busy making system calls up to the kill.
      assert.ok(mine.filter(([i, s]) => i < killAt && s.ev.k === EV.SYSCALL).length > 10);
    });
  }
});
