// The process invariants of xv6.md section 10 (items 1-3, and init's exit), one test each,
// seen by test programs through their system calls, the console, procdump and the journal.

import assert from "node:assert/strict";
import { procdump } from "../../kernel/proc.ts";
import { O_CREATE, O_RDONLY, O_RDWR } from "../../kernel/uapi/fcntl.ts";
import { SYS } from "../../kernel/uapi/syscall.ts";
import {
  EV,
  type Program,
  report,
  reports,
  runFor as run,
  said,
  say,
  steps,
  type Sys,
} from "../helpers.ts";

/** Blocks forever in a pipe read (the parent keeps the write end), until killed. */
function* blockOn(sys: Sys, rfd: number): Program {
  yield* sys.read(rfd, new Uint8Array(1));
  return 9; // the write end is never written or closed: not reached
}

Deno.test("pids start at 1 and increase by 1 per fork, never reused", () => {
  function* pids(sys: Sys): Program {
    const me = yield* sys.getpid();
    const got: number[] = [];
    for (let i = 0; i < 5; i++) {
      const pid = yield* sys.fork();
      if (pid === 0) {
        yield* say(sys, "child", yield* sys.getpid());
        return yield* sys.exit(0);
      }
      got.push(pid);
      const [reaped] = yield* sys.wait(); // the slot is free again; the pid is not reused
      got.push(reaped);
    }
    got.push(yield* sys.spawn("/bin/echo", ["echo"])); // spawn takes the next pid too
    yield* sys.wait();
    yield* say(sys, "pids", me, ...got);
    return 0;
  }
  for (const cpus of [1, 3]) {
    const r = run({ initArgv: ["init", "pids"], programs: { pids }, cpus });
    assert.deepEqual(r.end, { kind: "halt", status: 0 }, r.out);
    assert.deepEqual(report(r, "pids").map(Number), [2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8]);
    assert.deepEqual(reports(r, "child").map(Number), [3, 4, 5, 6, 7]);
    // init is the first process: pid 1, in slot 0, and it made the first system call.
    assert.match(procdump(r.m), /^\n1 \S+\s+init\n/);
    const first = steps(r.journal).find((s) => s.ev.k === EV.SYSCALL)!;
    assert.equal(first.pid, 1);
  }
});

Deno.test("process slots are reused lowest index first", () => {
  // Slots: 0 init, 1 this program, 2..4 children A B C (pids 3 4 5). Free B's slot, then A's;
  // the next two forks must take slot 2 (A's) and then slot 3 (B's).
  function* slots(sys: Sys): Program {
    const fds: number[] = [];
    yield* sys.pipe(fds);
    const kids: number[] = [];
    for (let i = 0; i < 5; i++) {
      if (i === 3) {
        for (const victim of [kids[1], kids[0]]) {
          yield* sys.kill(victim);
          const [pid] = yield* sys.wait();
          yield* say(sys, "reaped", pid);
        }
      }
      const pid = yield* sys.fork();
      if (pid === 0) return yield* blockOn(sys, fds[0]);
      kids.push(pid);
    }
    yield* sys.sleep(3); // let the children block
    yield* say(sys, "kids", ...kids);
    return yield* sys.halt(0);
  }
  const r = run({ initArgv: ["init", "slots"], programs: { slots } });
  assert.deepEqual(r.end, { kind: "halt", status: 0 }, r.out);
  assert.deepEqual(reports(r, "reaped"), ["4", "3"]);
  assert.deepEqual(report(r, "kids"), ["3", "4", "5", "6", "7"]);
  // procdump lists the table in slot order, in xv6's format.
  assert.equal(
    procdump(r.m),
    "\n1 sleep  init\n2 run    slots\n6 sleep  slots\n7 sleep  slots\n5 sleep  slots\n",
  );
});

Deno.test("fork returns -1 and spawn -EAGAIN when the process table is full", async (t) => {
  // nproc 5: init and this program leave 3 slots. Zombies hold their slots.
  function* full(sys: Sys): Program {
    const got: number[] = [];
    for (let i = 0; i < 4; i++) {
      const pid = yield* sys.fork();
      if (pid === 0) return yield* sys.exit(0);
      got.push(pid);
    }
    const again = yield* sys.fork(); // still full
    const spawned = yield* sys.spawn("/bin/echo", ["echo", "no room"]);
    yield* sys.wait(); // frees one slot
    const after = yield* sys.fork(); // the failed forks used no pid
    if (after === 0) return yield* sys.exit(0);
    let reaped = 0;
    while ((yield* sys.wait())[0] > 0) reaped++;
    const nosuch = yield* sys.spawn("/bin/nosuch", ["nosuch"]);
    yield* say(sys, "full", ...got, again, spawned, after, reaped, nosuch);
    return 0;
  }
  for (const [sched, seed] of [["rr", 0], ["random", 3]] as const) {
    await t.step(`${sched} ${seed}`, () => {
      const r = run({ initArgv: ["init", "full"], programs: { full }, nproc: 5, sched, seed });
      assert.deepEqual(r.end, { kind: "halt", status: 0 }, r.out);
      // fork says -1 (xv6); spawn says -EAGAIN, and -ENOENT for no program (posix_spawn).
      assert.deepEqual(report(r, "full"), ["3", "4", "5", "-1", "-1", "-11", "6", "3", "-2"]);
      assert.ok(!r.out.includes("no room"));
    });
  }
  await t.step("forktest with a small table", () => {
    const r = run({ initArgv: ["init", "forktest"], nproc: 8 });
    assert.equal(r.out, "fork test\nfork test OK\n");
    assert.deepEqual(r.end, { kind: "halt", status: 0 });
  });
});

Deno.test("wait returns -1 when there are no children", () => {
  function* nokids(sys: Sys): Program {
    const [a, sa] = yield* sys.wait();
    const pid = yield* sys.fork();
    if (pid === 0) return yield* sys.exit(0);
    const [b] = yield* sys.wait();
    const [c] = yield* sys.wait(); // the only child is reaped
    yield* say(sys, "nokids", a, sa, b === pid ? "child" : b, c);
    return 0;
  }
  const r = run({ initArgv: ["init", "nokids"], programs: { nokids } });
  assert.deepEqual(report(r, "nokids"), ["-1", "0", "child", "-1"]);
  assert.deepEqual(r.end, { kind: "halt", status: 0 });
});

Deno.test("exit(k) gives k to the parent's wait", () => {
  const STATUSES = [0, 1, 2, 42, 127, 255, 256, 1000, 65537, -2];
  // All children are zombies together; each wait gives one pid with that child's status.
  function* statuses(sys: Sys): Program {
    const byPid: Record<number, number> = {};
    for (let i = 0; i < STATUSES.length; i++) {
      const pid = yield* sys.fork();
      if (pid === 0) {
        if (i % 2 === 0) return yield* sys.exit(STATUSES[i]);
        return STATUSES[i]; // returning from main is exit(status)
      }
      byPid[pid] = STATUSES[i];
    }
    for (;;) {
      const [pid, status] = yield* sys.wait();
      if (pid < 0) break;
      yield* say(sys, "status", byPid[pid], status);
    }
    return 0;
  }
  for (const [sched, seed, cpus] of [["rr", 0, 3], ["random", 11, 2]] as const) {
    const r = run({ initArgv: ["init", "statuses"], programs: { statuses }, sched, seed, cpus });
    const got = reports(r, "status").map((l) => l.split(" ").map(Number));
    assert.equal(got.length, STATUSES.length, r.out);
    for (const [want, status] of got) assert.equal(status, want);
    assert.deepEqual(got.map(([w]) => w).sort((a, b) => a - b), STATUSES.toSorted((a, b) => a - b));
  }
});

Deno.test("a killed child gives -1 to wait", async (t) => {
  function* victim(sys: Sys, argv: string[]): Program {
    const how = argv[1];
    const fds: number[] = [];
    yield* sys.pipe(fds);
    const pid = yield* sys.fork();
    if (pid === 0) {
      if (how === "syscalls") { for (;;) yield* sys.getpid(); }
      if (how === "spin") { for (;;) yield* sys.spin(); }
      if (how === "sleep") return (yield* sys.sleep(1_000_000)) === -1 ? 5 : 6;
      if (how === "sleep-forever") return (yield* sys.sleep(-1)) === -1 ? 5 : 6; // unsigned in xv6
      if (how === "pipe") return yield* blockOn(sys, fds[0]);
      return 7;
    }
    yield* sys.sleep(2);
    const k = yield* sys.kill(pid);
    const [w, status] = yield* sys.wait();
    yield* say(sys, "killed", k, w === pid ? "child" : w, status);
    return 0;
  }
  // How the child dies, as its one exit step in the journal says: in a call (which, and what
  // it returned), or outside any call (0: at a timer interrupt, or entering a call).
  const exits: Record<string, [number, number | undefined][]> = {
    syscalls: [[0, undefined], [SYS.getpid, 3]],
    spin: [[0, undefined]],
    sleep: [[SYS.sleep, -1]],
    "sleep-forever": [[SYS.sleep, -1]],
    pipe: [[SYS.read, -1]],
  };
  for (const how of ["syscalls", "spin", "sleep", "sleep-forever", "pipe"]) {
    await t.step(how, () => {
      const r = run({ initArgv: ["init", "victim", how], programs: { victim } });
      assert.deepEqual(report(r, "killed"), ["0", "child", "-1"], r.out);
      assert.deepEqual(r.end, { kind: "halt", status: 0 });
      const all = steps(r.journal);
      const kill = all.findIndex((s) => s.ev.k === EV.SYSCALL && s.ev.n === SYS.kill);
      const ends = all.flatMap((s, i) =>
        s.ev.k === EV.EXIT && s.pid === 3 ? [[i, s.ev.n, s.ev.r] as const] : []
      );
      assert.equal(ends.length, 1, "one exit step");
      assert.ok(ends[0][0] > kill, "after the kill");
      assert.ok(
        exits[how].some(([n, r]) => n === ends[0][1] && r === ends[0][2]),
        JSON.stringify(ends),
      );
    });
  }
});

// A child that exits at once; the parent looks at it after a while, and maybe reaps it.
function* zomb(sys: Sys, argv: string[]): Program {
  const pid = yield* sys.fork();
  if (pid === 0) return yield* sys.exit(3);
  yield* sys.sleep(3); // the child is long gone
  const k = yield* sys.kill(pid);
  if (argv[1] === "reap") {
    const [w, status] = yield* sys.wait();
    yield* say(sys, "reaped", w === pid ? "child" : w, status);
    yield* say(sys, "kill-after", yield* sys.kill(pid));
  }
  yield* say(sys, "zomb", pid, k, yield* sys.kill(9999));
  return yield* sys.halt(0);
}

Deno.test("a child stays a zombie until it is reaped", () => {
  const kept = run({ initArgv: ["init", "zomb"], programs: { zomb } });
  assert.deepEqual(kept.end, { kind: "halt", status: 0 }, kept.out);
  const [pid] = report(kept, "zomb");
  assert.ok(procdump(kept.m).includes(`\n${pid} zombie zomb\n`), procdump(kept.m));

  const reaped = run({ initArgv: ["init", "zomb", "reap"], programs: { zomb } });
  assert.deepEqual(report(reaped, "reaped"), ["child", "3"]);
  assert.equal(report(reaped, "zomb")[0], pid);
  assert.ok(!procdump(reaped.m).includes(`\n${pid} `), procdump(reaped.m));
});

Deno.test("kill returns 0 for a zombie and -1 for no such pid", () => {
  const kept = run({ initArgv: ["init", "zomb"], programs: { zomb } });
  const [pid, k, none] = report(kept, "zomb");
  assert.ok(procdump(kept.m).includes(`\n${pid} zombie zomb\n`), "the child is a zombie");
  assert.equal(k, "0", "kill of a zombie");
  assert.equal(none, "-1", "kill of a pid that never was");
  // Killing a zombie does not change the status it exited with; once reaped, its pid is gone.
  const reaped = run({ initArgv: ["init", "zomb", "reap"], programs: { zomb } });
  assert.deepEqual(report(reaped, "reaped"), ["child", "3"]);
  assert.deepEqual(report(reaped, "kill-after"), ["-1"]);
});

Deno.test("orphans are reparented to init, which reaps them silently", async (t) => {
  // The middle child leaves a grandchild that is already a zombie when it exits, and with
  // "running", one more that outlives it. The program halts the machine itself, so that its own
  // exit does not wake init: only the reparenting can.
  function* orphans(sys: Sys, argv: string[]): Program {
    const mid = yield* sys.fork();
    if (mid === 0) {
      const g1 = yield* sys.fork();
      if (g1 === 0) return yield* sys.exit(11);
      let g2 = -1;
      if (argv[1] === "running") {
        g2 = yield* sys.fork();
        if (g2 === 0) {
          yield* sys.sleep(3); // outlives its parent
          return yield* sys.exit(12);
        }
      }
      yield* sys.sleep(1); // g1 is a zombie by now
      yield* say(sys, "grandchildren", g1, g2);
      return yield* sys.exit(0);
    }
    const [w] = yield* sys.wait();
    const [none] = yield* sys.wait(); // the grandchildren are not this process's children
    yield* sys.sleep(10);
    yield* say(sys, "orphans", w === mid ? "mid" : w, none);
    return yield* sys.halt(0);
  }
  for (const variant of ["zombie", "running"]) {
    for (const [sched, seed] of [["rr", 0], ["random", 5]] as const) {
      await t.step(`${variant}, ${sched} ${seed}`, () => {
        const r = run({
          initArgv: ["init", "orphans", variant],
          programs: { orphans },
          sched,
          seed,
        });
        assert.deepEqual(r.end, { kind: "halt", status: 0 });
        const [g1, g2] = report(r, "grandchildren").map(Number);
        // Nothing but the program's own lines on the console: init reaps without a word.
        assert.equal(said(r), `grandchildren ${g1} ${g2}\norphans mid -1\n`);
        assert.equal(r.out, said(r));
        // init's wait() returned each orphan with its status; none is left in the table.
        const initWaits = steps(r.journal).filter((s) =>
          s.pid === 1 && s.ev.k === EV.SYSCALL && s.ev.n === SYS.wait
        ).map((s) => (s.ev as { r: unknown }).r);
        assert.deepEqual(initWaits, variant === "running" ? [[g1, 11], [g2, 12]] : [[g1, 11]]);
        const listed = procdump(r.m);
        assert.ok(!listed.includes(`\n${g1} `) && !listed.includes(`\n${g2} `), listed);
      });
    }
  }
});

Deno.test("init exiting is panic: init exiting", () => {
  const r = run({ initArgv: ["init", "kill", "1"] });
  assert.equal(r.end?.kind, "panic");
  assert.equal(r.end?.kind === "panic" && r.end.message, "init exiting");
  assert.ok(r.out.endsWith("panic: init exiting\n"), r.out);
  // The crash report's procdump lists init first.
  assert.match(r.end?.kind === "panic" ? r.end.procdump : "", /^\n1 \S+\s+init\n/);
});

Deno.test("a process killed while it waits in wait() exits with -1", () => {
  function* waitkill(sys: Sys): Program {
    const fds: number[] = [];
    yield* sys.pipe(fds);
    const pid = yield* sys.fork();
    if (pid === 0) {
      const c = yield* sys.fork();
      if (c === 0) {
        yield* sys.close(fds[1]);
        yield* sys.read(fds[0], new Uint8Array(1)); // EOF once the others close the write end
        return 0;
      }
      const [w] = yield* sys.wait(); // c does not exit before this process is killed
      yield* say(sys, "waited", w);
      return 1;
    }
    yield* sys.sleep(3);
    const k = yield* sys.kill(pid);
    const [w, status] = yield* sys.wait();
    yield* sys.close(fds[1]); // lets the grandchild finish
    yield* say(sys, "waitkill", k, w === pid ? "child" : w, status);
    return 0;
  }
  const r = run({ initArgv: ["init", "waitkill"], programs: { waitkill } });
  assert.deepEqual(r.end, { kind: "halt", status: 0 }, r.out);
  assert.equal(said(r), "waitkill 0 child -1\n");
});

Deno.test("sleep(n) sleeps at least n ticks of uptime", () => {
  function* clock(sys: Sys): Program {
    const t0 = yield* sys.uptime();
    const r0 = yield* sys.sleep(0);
    const t1 = yield* sys.uptime();
    const r5 = yield* sys.sleep(5);
    const t2 = yield* sys.uptime();
    const r1 = yield* sys.sleep(1);
    const t3 = yield* sys.uptime();
    yield* say(sys, "clock", r0, r5, r1, t1 - t0, t2 - t1, t3 - t2);
    return 0;
  }
  for (const [sched, seed, cpus] of [["rr", 0, 3], ["random", 2, 1]] as const) {
    const r = run({ initArgv: ["init", "clock"], programs: { clock }, sched, seed, cpus });
    const [r0, r5, r1, d0, d5, d1] = report(r, "clock").map(Number);
    assert.deepEqual([r0, r5, r1], [0, 0, 0]);
    assert.ok(d0 >= 0 && d0 <= 1, `sleep(0) took ${d0} ticks`);
    assert.ok(d5 >= 5 && d5 < 10, `sleep(5) took ${d5} ticks`);
    assert.ok(d1 >= 1 && d1 < 5, `sleep(1) took ${d1} ticks`);
  }
});

Deno.test("a fork child continues from the fork with the parent's state, after a long history", () => {
  // The child is a fresh run fed the parent's results: every value the parent computed from
  // its system calls (here, uptime readings that change as it runs) must be the same in it.
  function* history(sys: Sys): Program {
    let sum = 0, calls = 0;
    const me = yield* sys.getpid();
    calls++;
    for (const at of [4095, 4096, 4097, 8192, 9000]) {
      while (calls < at) {
        sum = (sum * 31 + (yield* sys.uptime())) % 1_000_003;
        calls++;
      }
      const pid = yield* sys.fork();
      calls++;
      if (pid === 0) {
        yield* say(sys, "child", at, sum, (yield* sys.getpid()) !== me ? "new-pid" : "same-pid");
        if (at !== 4097) return yield* sys.exit(0);
        // A fork from a fork's child: its history holds the parent's and its own calls.
        for (let i = 0; i < 100; i++) sum = (sum * 31 + (yield* sys.uptime())) % 1_000_003;
        const g = yield* sys.fork();
        yield* say(sys, g === 0 ? "grandchild" : "child-again", sum);
        if (g !== 0) yield* sys.wait();
        return yield* sys.exit(0);
      }
      yield* say(sys, "parent", at, sum);
      const [w, status] = yield* sys.wait();
      if (w !== pid || status !== 0) yield* say(sys, "bad-wait", w, status);
    }
    return 0;
  }
  for (const [sched, seed] of [["rr", 0], ["random", 21]] as const) {
    const r = run({ initArgv: ["init", "history"], programs: { history }, sched, seed });
    assert.deepEqual(r.end, { kind: "halt", status: 0 }, r.out);
    const parent = reports(r, "parent");
    assert.equal(parent.length, 5, r.out);
    assert.deepEqual(reports(r, "child"), parent.map((l) => l + " new-pid"));
    assert.ok(new Set(parent.map((l) => l.split(" ")[1])).size > 1, "uptime never changed");
    assert.deepEqual(reports(r, "grandchild"), reports(r, "child-again"));
    assert.equal(reports(r, "grandchild").length, 1);
  }
});

Deno.test("fork shares open files: one offset for parent and child", () => {
  function* shared(sys: Sys): Program {
    const fd = yield* sys.open("shared.txt", O_CREATE | O_RDWR);
    yield* sys.write(fd, "ab");
    const pid = yield* sys.fork();
    if (pid === 0) {
      yield* sys.write(fd, "cd");
      return yield* sys.exit(0);
    }
    yield* sys.wait();
    yield* sys.write(fd, "ef");
    yield* sys.close(fd);
    const fd2 = yield* sys.open("shared.txt", O_RDONLY);
    const buf = new Uint8Array(64);
    const n = yield* sys.read(fd2, buf);
    yield* say(sys, "shared", n, String.fromCharCode(...buf.subarray(0, Math.max(n, 0))));
    return 0;
  }
  const r = run({ initArgv: ["init", "shared"], programs: { shared } });
  assert.deepEqual(report(r, "shared"), ["6", "abcdef"]);
});

Deno.test("wait returns the first zombie child in table order, not the first to exit", () => {
  function* order(sys: Sys): Program {
    const kids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const pid = yield* sys.fork();
      if (pid === 0) {
        yield* sys.sleep(6 - 2 * i); // the last forked exits first
        return yield* sys.exit(10 + i);
      }
      kids.push(pid);
    }
    yield* sys.sleep(12); // all three are zombies
    const got: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [pid, status] = yield* sys.wait();
      got.push(kids.indexOf(pid), status);
    }
    yield* say(sys, "order", ...got);
    return 0;
  }
  const r = run({ initArgv: ["init", "order"], programs: { order } });
  assert.deepEqual(report(r, "order"), ["0", "10", "1", "11", "2", "12"]);
  // They did exit in the other order.
  const exits = steps(r.journal).filter((s) => s.ev.k === EV.EXIT && s.ev.n === SYS.exit);
  assert.deepEqual(exits.map((s) => s.ev.k === EV.EXIT && s.ev.a[0]), [12, 11, 10]);
});

Deno.test("exec replaces the program and names the process; a failed exec returns -1", () => {
  function* sleeper(sys: Sys, argv: string[]): Program {
    yield* say(sys, "sleeper", ...argv);
    yield* sys.sleep(1000);
    return 0;
  }
  function* execer(sys: Sys): Program {
    const bad = yield* sys.exec("/bin/nosuch", ["nosuch"]);
    yield* say(sys, "execer", bad);
    const a = yield* sys.fork();
    if (a === 0) {
      yield* sys.exec("/bin/kill", ["kill"]); // prints its usage, exits 1
      return 99; // not reached
    }
    const [, status] = yield* sys.wait();
    const b = yield* sys.fork();
    if (b === 0) {
      yield* sys.exec("/bin/sleeper", ["zzz", "x y"]);
      return 98; // not reached
    }
    yield* sys.sleep(3);
    yield* say(sys, "child", status, b);
    return yield* sys.halt(0);
  }
  const r = run({ initArgv: ["init", "execer"], programs: { execer, sleeper } });
  assert.deepEqual(report(r, "execer"), ["-1"]);
  assert.ok(r.out.includes("usage: kill pid...\n"), r.out);
  const [status, b] = report(r, "child");
  assert.equal(status, "1"); // the exec'd program's exit status
  assert.deepEqual(report(r, "sleeper"), ["zzz", "x", "y"]); // its argv
  // The process is named by the exec'd path's last component, not argv[0].
  assert.ok(procdump(r.m).includes(`\n${b} sleep  sleeper\n`), procdump(r.m));
});
