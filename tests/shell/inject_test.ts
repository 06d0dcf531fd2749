// --inject kill:WHO@STEP: a kill put at an exact step. Each test finds its STEP in the journal
// of the same command without the injection (as a user finds it with `dv6 log`), then runs the
// command again with it: the kill lands after that step, is journaled there, and the journal
// replays without the flag.

import assert from "node:assert/strict";
import { EV } from "../../kernel/journal.ts";
import { CRIT_ENTER, CRIT_LEAVE } from "../../kernel/uapi/ipc.ts";
import { SYS } from "../../kernel/uapi/syscall.ts";
import { MemorySink, runOnce } from "../../shell/exec.ts";
import { type BootOptions, headerFor } from "../../shell/host.ts";
import { parseInjection } from "../../shell/inject.ts";
import type { Val } from "../../kernel/uapi/abi.ts";
import { Bytes, dv6, records, replay, type StepRecord, steps } from "../helpers.ts";

interface Injected {
  out: string;
  journal: Uint8Array;
  warnings: string[];
}

/** `dv6 run` of `script` (or init running `argv`) with these --inject values, in-process. */
function injected(
  o: Omit<BootOptions, "inject"> & { script?: string[]; inject?: string[] },
): Injected {
  const { script, inject = [], ...boot } = o;
  const header = headerFor(
    script === undefined ? boot : { ...boot, initArgv: ["init", "sh"] },
    "test",
  );
  const sink = new MemorySink(), out = new Bytes();
  const ran = runOnce(header, sink, out.write, script, inject.map((v) => parseInjection(v, "run")));
  return { out: out.text, journal: sink.bytes, warnings: ran.warnings };
}

/** The step number (from 1) of the first step record that `match` accepts. */
function stepOf(journal: Uint8Array, match: (r: StepRecord) => boolean): number {
  const i = steps(journal).findIndex(match);
  assert.ok(i >= 0, "no such step");
  return i + 1;
}

/** The processes spawned to run `prog`, in order: the spawn's step, the pid, the argv. */
function spawns(journal: Uint8Array, prog: string): { step: number; pid: number; argv: Val }[] {
  const found: { step: number; pid: number; argv: Val }[] = [];
  steps(journal).forEach((s, i) => {
    if (s.ev.k === EV.SYSCALL && s.ev.n === SYS.spawn && s.ev.a[0] === `/bin/${prog}`) {
      found.push({ step: i + 1, pid: s.ev.r as number, argv: s.ev.a[1] });
    }
  });
  return found;
}

/** The journal's records around the kills: each kill with the number of steps before it. */
function kills(journal: Uint8Array): { after: number; pid: number; name: string }[] {
  const found: { after: number; pid: number; name: string }[] = [];
  let n = 0;
  for (const r of records(journal)) {
    if (r.type === "step") n++;
    else if (r.type === "kill") found.push({ after: n, pid: r.pid, name: r.name });
  }
  return found;
}

/** The step (from 1) at which `pid` entered exit(), or -1; `killed`: only if it was killed
 * (it did not call exit). */
function exitAt(journal: Uint8Array, pid: number, killed = true): number {
  const i = steps(journal).findIndex((s) =>
    s.pid === pid && s.ev.k === EV.EXIT && !(killed && s.ev.n === SYS.exit)
  );
  return i < 0 ? -1 : i + 1;
}

/** The journal replays without the flag, to the same end, every step verified. */
function replaysAlone(r: Injected): void {
  const p = replay(r.journal);
  assert.equal(p.divergence, null, p.divergence?.recorded);
  assert.equal(p.truncated, null);
  assert.equal(p.steps, steps(r.journal).length);
  assert.equal(p.out, r.out);
}

// The robust semaphore's fast path takes a token in two user-space steps: the value's CAS
// (CRIT_ENTER), then the adjustment word's add (CRIT_LEAVE). A seed search once found a
// schedule whose kill fell between them (tests/seeds/psem_race*.ts); an injection puts it there.
Deno.test("--inject reproduces the psem fast-path leak at the step the journal names, on rr", () => {
  const line = "psem s create 1 --fast; psem s wait --robust --hold & sleep 1; psem s value";
  const plain = injected({ script: [line], options: { robustFast: "none" } });
  const [, { pid: holder }, value] = spawns(plain.journal, "psem"); // create, wait, value
  const enter = stepOf(
    plain.journal,
    (s) => s.pid === holder && s.ev.k === EV.ATOMIC && s.ev.a[5] === CRIT_ENTER,
  );
  const leave = (j: Uint8Array) =>
    steps(j).some((s) => s.pid === holder && s.ev.k === EV.ATOMIC && s.ev.a[5] === CRIT_LEAVE);
  assert.ok(leave(plain.journal));
  const values = (r: Injected) => r.out.split("\n").filter((l) => /^\d+$/.test(l));
  assert.deepEqual(values(plain), ["0"], "the holder holds the token");
  assert.deepEqual(value.argv, ["psem", "s", "value"]);

  for (const [robustFast, left] of [["none", "0"], ["pcrange", "1"]] as const) {
    const inject = [`kill:psem@${enter}`];
    const r = injected({ script: [line], options: { robustFast }, inject });
    assert.deepEqual(kills(r.journal), [{ after: enter, pid: holder, name: "psem" }]);
    // It dies inside the critical section: its adjustment never made, before anyone reads.
    const died = exitAt(r.journal, holder);
    assert.ok(died > enter && !leave(r.journal), robustFast);
    assert.ok(died < spawns(r.journal, "psem")[2].step);
    // none: the token is gone with it; pcrange: the kernel completed the adjustment at exit.
    assert.deepEqual(values(r), [left], robustFast);
    replaysAlone(r);
  }
});

Deno.test("--inject kill:semop@STEP: a SEM_UNDO holder killed while it holds, the value comes back", () => {
  const script = [
    "ipcmk -S 1 --value 1",
    "semop 0 0:-1:u --hold &",
    "semctl 0 0 getval",
    "sleep 1",
    "semctl 0 0 getval",
  ];
  const plain = injected({ script });
  const values = (r: Injected) => r.out.split("\n").filter((l) => /^\d+$/.test(l));
  assert.deepEqual(values(plain), ["0", "0"]);
  // After the first getval: the holder sleeps in --hold, its token taken with SEM_UNDO.
  const [semctl] = spawns(plain.journal, "semctl");
  const getval = stepOf(plain.journal, (s) => s.pid === semctl.pid && s.ev.k === EV.SYSCALL);
  const r = injected({ script, inject: [`kill:semop@${getval}`] });
  const [{ pid: holder }] = spawns(r.journal, "semop");
  assert.deepEqual(kills(r.journal), [{ after: getval, pid: holder, name: "semop" }]);
  assert.ok(exitAt(r.journal, holder) > getval);
  assert.deepEqual(values(r), ["0", "1"]);
  assert.deepEqual(r.warnings, []);
  replaysAlone(r);
});

Deno.test("--inject: a kill that finds its victim's p->lock held lands once the lock is free", () => {
  const script = ["sleep 50 &", "echo x"];
  const plain = injected({ script });
  const all = steps(plain.journal);
  const [{ pid: victim }] = spawns(plain.journal, "sleep");
  // The scheduler switches to the victim holding its p->lock (taken in that very step), which
  // the victim lets go of at its CPU's next step.
  const b = stepOf(plain.journal, (s) => s.ev.k === EV.SWTCH && s.ev.to === victim);
  const cpu = all[b - 1].cpu;
  const lock = all.slice(0, b - 1).findLast((s) => s.cpu === cpu && s.ev.k === EV.ACQUIRE);
  assert.ok(lock !== undefined && lock.ev.k === EV.ACQUIRE && /^proc\[\d+\]$/.test(lock.ev.lock));
  const c = b + 1 + all.slice(b).findIndex((s) => s.cpu === cpu);
  assert.deepEqual(all[c - 1].ev, { k: EV.RELEASE, lock: lock.ev.lock });
  assert.ok(c > b + 1, "other CPUs step between the two");

  const r = injected({ script, inject: [`kill:${victim}@${b}`] });
  assert.deepEqual(kills(r.journal), [{ after: c, pid: victim, name: "sleep" }]);
  assert.ok(exitAt(r.journal, victim) > c);
  replaysAlone(r);
});

Deno.test("--inject: several kills at one step land in the order given; a missing target warns", () => {
  const script = ["sleep 50 & sleep 50 & sleep 1; echo done"];
  const plain = injected({ script });
  const [{ pid: a }, { pid: b }, third] = spawns(plain.journal, "sleep");
  // Both sleep 50s are there: the step that spawns sleep 1.
  const at = third.step;
  const total = steps(plain.journal).length;
  const inject = [
    `kill:${b}@${at}`,
    "kill:nosuch@5",
    `kill:${a}@${at}`,
    "kill:99@7",
    `kill:sh@${total + 10}`,
  ];
  const r = injected({ script, inject });
  assert.deepEqual(kills(r.journal), [
    { after: at, pid: b, name: "sleep" },
    { after: at, pid: a, name: "sleep" },
  ]);
  assert.ok(exitAt(r.journal, a) > at && exitAt(r.journal, b) > at);
  assert.deepEqual(r.warnings, [
    "dv6: --inject kill:nosuch@5: no process named nosuch at step 5",
    "dv6: --inject kill:99@7: no process with pid 99 at step 7",
    `dv6: --inject kill:sh@${total + 10}: the run ended after ${steps(r.journal).length} steps`,
  ]);
  replaysAlone(r);
});

Deno.test("--inject kill:NAME picks the newest live process of that name", () => {
  const script = ["sleep 50 & sleep 50 & sleep 1; echo done"];
  const plain = injected({ script });
  const sleeps = spawns(plain.journal, "sleep").map((s) => s.pid);
  // sleep 1's first system call: the two sleep 50s sleep, and sleep 1 is the newest.
  const at = stepOf(plain.journal, (s) => s.pid === sleeps[2] && s.ev.k === EV.SYSCALL);
  for (const pid of sleeps) {
    const exited = exitAt(plain.journal, pid, false);
    assert.ok(exited === -1 || exited > at, `${pid} lives`);
  }
  const r = injected({ script, inject: [`kill:sleep@${at}`] });
  assert.deepEqual(kills(r.journal), [{ after: at, pid: sleeps[2], name: "sleep" }]);
});

Deno.test("dv6 --inject: bad values are usage errors; the journal replays and logs without the flag", async (t) => {
  const home = await Deno.makeTempDir({ prefix: "dv6-inject-" });
  try {
    await t.step("a bad value: status 2, the value named", async () => {
      for (const bad of ["kill:make", "kill:@5", "stop:3@5", "kill:3@0", "kill:3@x", "kill:3@-1"]) {
        const r = await dv6(["-c", "echo hi", "--inject", bad], { home });
        assert.equal(r.code, 2, bad);
        assert.equal(
          r.err.split("\n")[0],
          `dv6: --inject takes kill:PID@STEP or kill:NAME@STEP (STEP from 1), not '${bad}'`,
        );
        assert.equal(r.out, "");
      }
    });
    await t.step("exec: a kill, a warning; replay and log need no flag", async () => {
      const log = `${home}/hold.log`;
      const r = await dv6(["exec", "echo", "hi", "--inject", "kill:nosuch@3"], { home });
      assert.deepEqual([r.code, r.out], [0, "hi\n"]);
      assert.equal(r.err, "dv6: --inject kill:nosuch@3: no process named nosuch at step 3\n");
      const k = await dv6(
        ["-c", "sleep 100 & sleep 1", "--inject", "kill:sleep@300", "--journal", log],
        { home },
      );
      assert.equal(k.code, 0, k.err);
      assert.equal(k.err, "");
      const p = await dv6(["replay", log], { home });
      assert.equal(p.code, 0, p.out + p.err);
      assert.match(p.out, /replay: \d+ steps verified\n$/);
      // dv6 debug's re-runs deliver the kill too, also over steps verified before.
      const d = await dv6(["debug", log, "-x", "goto end; goto 5; goto 301; ps"], { home });
      assert.equal(d.code, 0, d.out + d.err);
      assert.match(d.out, /\n3 +2 .* sleep +killed\n/);
      // break kill stops where the injected kill has marked its victim: after step 300.
      const b = await dv6(["debug", log, "-x", "break kill; c; when; ps"], { home });
      assert.equal(b.code, 0, b.out + b.err);
      assert.match(b.out, /\nbreakpoint 1 \(kill\)\nstep 301 of /);
      assert.match(b.out, /\n3 +2 .* sleep +killed\n/);
      const l = await dv6(["log", log], { home });
      assert.match(l.out, /\n {9}inject kill pid 3 \(sleep\)\n/);
      assert.match(
        l.out,
        /\n +\d+ cpu\d +3 sleep +(\[timer\] )?sleep\(100\) = -1 \(killed\)\n|\n +\d+ cpu\d +3 sleep +(\[timer\] )?killed\n/,
      );
    });
    await t.step(
      "the REPL: kill init after step 1, the kernel panics; the crash log replays",
      async () => {
        const log = `${home}/repl.log`;
        const r = await dv6(["--inject", "kill:init@1", "--journal", log], { home, stdin: "" });
        assert.equal(r.code, 3, r.out + r.err);
        assert.match(r.out, /panic: init exiting/);
        const p = await dv6(["replay", log], { home });
        assert.match(
          p.out,
          /\nreplay: \d+ steps verified, ending in the recorded panic: init exiting\n/,
        );
      },
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
