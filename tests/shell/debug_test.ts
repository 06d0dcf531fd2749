// dv6 debug: each command in its batch form, checked against what the journal records and what
// the other tests know of the machine's state at that step (a SEM_UNDO holder killed, the lost
// wakeup, a plain mutex's dead owner); moving by different paths gives the same machine; and
// the command line (statuses, messages).

import assert from "node:assert/strict";
import fc from "fast-check";
import { JournalReader } from "../../kernel/journal.ts";
import { Debugger } from "../../shell/debug.ts";
import { debugHint } from "../../shell/status.ts";
import { describeEvent } from "../../shell/log.ts";
import { Timeline } from "../../shell/timetravel.ts";
import {
  dv6,
  encode,
  EV,
  indexesOf,
  joinFrames,
  run,
  splitFrames,
  steps,
  transcript,
  withTemp,
} from "../helpers.ts";

/** A debugger over a journal; `x` runs commands and returns what they print. */
function debug(journal: Uint8Array) {
  const tl = new Timeline(new JournalReader(journal));
  let out: string[] = [];
  const d = new Debugger(tl, (l) => out.push(...l.split("\n")));
  const x = async (...commands: string[]): Promise<string[]> => {
    out = [];
    for (const c of commands) await d.run(c);
    return out;
  };
  return { tl, d, x };
}

const echo = run({ initArgv: ["init", "echo", "hi", "there"] });
const recs = steps(echo.journal);

Deno.test("dv6 debug: moving", async (t) => {
  const { tl, d, x } = debug(echo.journal);
  const n = recs.length;
  await t.step("it opens at step 0 and says where it is", () => {
    assert.equal(
      d.where(),
      `step 0 of ${n.toLocaleString("en-US")}, tick 0 (the machine as it booted)`,
    );
    assert.equal(tl.step, 0);
    assert.equal(tl.machine.steps, 0);
  });
  await t.step("goto, step, back, goto end: the machine has taken that many steps", async () => {
    for (
      const [cmd, at] of [
        ["goto 40", 40],
        ["step", 41],
        ["s 5", 46],
        ["back 3", 43],
        ["b", 42],
        ["g 7", 7],
        ["goto end", n],
        ["goto 0", 0],
      ] as const
    ) {
      const [line] = await x(cmd);
      assert.equal(tl.step, at, cmd);
      assert.equal(tl.machine.steps, at, cmd);
      assert.ok(line.startsWith(`step ${at} of ${n}`), line);
    }
  });
  await t.step("where and when name the step's record: its CPU, process and event", async () => {
    await x("goto 60");
    const r = recs[59];
    const [when] = await x("when");
    assert.match(when, new RegExp(`^step 60 of ${n}, tick 0, cpu ${r.cpu}, `));
    assert.ok(d.where().endsWith(describeEvent(r.ev)), d.where());
  });
  await t.step("a step outside the journal stops at its end, and says so", async () => {
    const out = await x(`goto ${n + 50}`);
    assert.match(out[0], /outside the journal/);
    assert.equal(tl.step, n);
  });
  await t.step("next --pid and --cpu: the next step of that process or CPU", async () => {
    await x("goto 0");
    await x("next --pid 2");
    assert.equal(tl.step, recs.findIndex((r) => r.pid === 2 && r.ev.k !== EV.WFI) + 1);
    const from = tl.step;
    await x("next --cpu 2");
    assert.equal(tl.step, from + recs.slice(from).findIndex((r) => r.cpu === 2) + 1);
    await x("next");
    const pid = recs[tl.step - 1].pid;
    assert.equal(recs[tl.step - 1].cpu === 2 || pid >= 0, true);
  });
  await t.step("goto tick T: the first step at which the clock reads T", async () => {
    const r = debug(run({ initArgv: ["init", "sleep", "3"] }).journal);
    await r.x("goto tick 2");
    assert.equal(r.tl.machine.ticks, 2);
    const at = r.tl.step;
    await r.x(`goto ${at - 1}`);
    assert.equal(r.tl.machine.ticks, 1);
    await r.x("goto end", "goto tick 1");
    assert.equal(r.tl.machine.ticks, 1, "known ticks, going back");
  });
});

Deno.test("dv6 debug: breakpoints on records, both ways", async (t) => {
  const { tl, x } = debug(echo.journal);
  const writes = recs.flatMap((r, i) =>
    r.ev.k === EV.SYSCALL && r.ev.n === 16 && r.pid === 2 ? [i + 1] : []
  );
  assert.ok(writes.length >= 3, "echo writes hi, space, there, newline");
  await t.step(
    "break syscall write: continue stops at each write, reverse-continue goes back",
    async () => {
      assert.deepEqual(await x("break syscall write"), ["breakpoint 1: syscall write"]);
      for (const w of writes) {
        const out = await x("c");
        assert.equal(tl.step, w);
        assert.equal(out[0], "breakpoint 1 (syscall write)");
      }
      assert.match((await x("c"))[0], /no breakpoint stops after step/);
      assert.equal(tl.step, tl.total, "it ran to the end");
      await x("rc");
      assert.equal(tl.step, writes[writes.length - 1]);
      await x("rc");
      assert.equal(tl.step, writes[writes.length - 2]);
    },
  );
  await t.step("breaks lists them; delete removes one", async () => {
    await x("break exit 2", "break lock fs");
    assert.deepEqual(await x("breaks"), ["1  syscall write", "2  exit 2", "3  lock fs"]);
    await x("delete 1", "delete 3");
    assert.deepEqual(await x("breaks"), ["2  exit 2"]);
    await x("goto 0", "c");
    assert.equal(tl.machine.procs.find((p) => p.pid === 2)?.state, 5, "a zombie");
    await x("back");
    assert.notEqual(tl.machine.procs.find((p) => p.pid === 2)?.state, 5);
    await x("delete 2");
    await assert.rejects(() => x("c"), /no breakpoints/);
  });
  await t.step("break lock: an acquire of that lock", async () => {
    await x("goto 0", "break lock fs", "c");
    const r = recs[tl.step - 1];
    assert.equal(r.ev.k === EV.ACQUIRE && r.ev.lock, "fs");
    await x("delete 4");
  });
  await t.step("break output: the step whose output brings the text to the console", async () => {
    await x("goto 0", "break output hi there", "c");
    assert.ok(tl.console().endsWith("hi there"), JSON.stringify(tl.console()));
    assert.ok(!tl.console(tl.step - 1).includes("hi there"));
    const at = tl.step;
    await x("goto end", "rc");
    assert.equal(tl.step, at, "found again going back");
  });
});

Deno.test("dv6 debug: looking around", async (t) => {
  const { tl, x } = debug(echo.journal);
  await t.step("log N: the steps around here, as dv6 log describes them", async () => {
    await x("goto 30");
    const out = await x("log 4");
    assert.equal(out.length, 4);
    assert.deepEqual(out.map((l) => Number(/^(?:=>| {2}) *(\d+)/.exec(l)![1])), [29, 30, 31, 32]);
    assert.ok(out[1].startsWith("=>"));
    out.forEach((l, i) => assert.ok(l.endsWith(describeEvent(recs[28 + i].ev)), l));
    await x("goto end");
    const last = await x("log 1");
    assert.match(last[0], /^=> +\d+ cpu\d +1 init +halt\(0\)$/, "as dv6 log names it");
    await x("goto 0", "next --pid 2");
    assert.match(
      (await x("log 1"))[0],
      /^=> +\d+ cpu\d +2 echo /,
      "a spawned child has its program's name",
    );
  });
  await t.step("history PID: its system calls so far, with their steps", async () => {
    await x("goto end");
    const out = await x("history 2");
    const calls = recs.flatMap((r, i) =>
      r.pid === 2 && (r.ev.k === EV.SYSCALL || r.ev.k === EV.EXIT)
        ? [`${String(i + 1).padStart(9)}  ${describeEvent(r.ev)}`]
        : []
    );
    assert.deepEqual(out, calls);
    assert.ok(out.some((l) => l.endsWith(`write(1, "hi") = 2`)));
    await x(`goto ${Number(out[1].trim().split(" ")[0]) - 1}`);
    assert.deepEqual(await x("history 2"), calls.slice(0, 1), "as of this step");
  });
  await t.step("console: what the console showed as of this step", async () => {
    await x("goto end");
    assert.deepEqual(await x("console"), ["hi there"]);
    await x("goto 1");
    assert.deepEqual(await x("console"), []);
  });
  await t.step(
    "ps, cpus, files: the process table, the CPUs, a process's descriptors",
    async () => {
      await x("goto 0", "break syscall write", "c");
      const ps = await x("ps");
      assert.match(ps[0], /^PID +PPID +STATE +CPU +WAITS FOR +IN CALL +NAME/);
      const echoRow = ps.find((l) => / echo/.test(l))!;
      assert.match(echoRow, /^2 +1 +running +\d +- +- +echo/);
      const cpus = await x("cpus");
      assert.equal(cpus.length, 1 + 3);
      assert.ok(cpus.some((l) => /pid 2 \(echo\) user/.test(l)), cpus.join("\n"));
      const files = await x("files 2");
      assert.match(files[1], /^0 +device +console +rw/);
      assert.deepEqual(await x("files 99"), ["no process 99"]);
      assert.equal(tl.step > 0, true);
    },
  );
});

Deno.test("dv6 debug: a SEM_UNDO holder killed: at the step its adjustment is undone, the value is back", async () => {
  const script = [
    "ipcmk -S 1 --value 1",
    "semop 0 0:-1:u --hold &",
    "sleep 1; semctl 0 0 getval",
    "kill 4; semctl 0 0 getval",
  ];
  const t = transcript(script);
  assert.match(new TextDecoder().decode(t.out), /\$ kill 4; semctl 0 0 getval\n1\n/);
  const { tl, x } = debug(t.journal);
  await x("break kill", "c");
  const sems = await x("sems");
  assert.equal(sems[0], "semaphore set 0 (key " + sems[0].split("key ")[1]);
  // Linux's semadj: what exit adds back (+1 for a -1 taken with SEM_UNDO).
  assert.match(sems[1], /^ {2}0\.0 = 0 .*SEM_UNDO: pid 4 \(semop\) \+1 /);
  assert.deepEqual(await x("watch sem 0.0"), ["watch 2: sem 0.0"]);
  assert.deepEqual(await x("break sem 0"), ["breakpoint 3: sem 0"]); // the whole set
  const stop = await x("c");
  assert.equal(stop[0], "watch 2 (sem 0.0) = 1, breakpoint 3 (sem 0) = 1");
  assert.match((await x("sems"))[1], /^ {2}0\.0 = 1 .*SEM_UNDO: none /);
  const at = tl.step;
  await x("back");
  assert.match(
    (await x("sems"))[1],
    /^ {2}0\.0 = 0 .*SEM_UNDO: pid 4 \(semop\) \+1/,
    "the step before",
  );
  assert.ok(tl.step === at - 1);
  await x("goto end", "rc");
  assert.equal(tl.step, at, "reverse-continue finds the same change");
});

Deno.test("dv6 debug: the lost wakeup, from the deadlock back to the sleep that lost it", async () => {
  const t = transcript(["cat /demo/long.txt"], {
    sched: "random",
    seed: 2,
    options: { brokenSleep: true },
  });
  assert.equal(t.end.kind, "deadlock");
  const { tl, x } = debug(t.journal);
  const cat = Number(
    /pid (\d+) \(cat\) waits for uart/.exec(t.end.kind === "deadlock" ? t.end.report : "")![1],
  );
  await x("goto end");
  const why = await x(`why ${cat}`);
  assert.equal(why.length, 1);
  assert.match(why[0], /waits for room in the UART's transmit ring .*its wakeup was lost/);
  assert.match((await x("uart"))[2], new RegExp(`sleeping on the ring: pid ${cat} \\(cat\\)`));
  // The step where cat went to sleep: after it, nothing will wake it.
  await x(`watch proc ${cat}`, "rc");
  const r = steps(t.journal)[tl.step - 1];
  assert.equal(r.pid, cat);
  assert.equal(describeEvent(r.ev), "swtch -> scheduler (sleep on uart)");
  assert.match((await x("ps")).find((l) => l.includes(" cat"))!, /sleeping +- +uart +write +cat/);
  // The write that filled the ring: reverse-continue from there to cat's last completed write.
  await x("delete 1", `break syscall write --pid ${cat}`, "rc");
  const w = steps(t.journal)[tl.step - 1];
  assert.equal(w.pid, cat);
  assert.ok(w.ev.k === EV.SYSCALL && w.ev.n === 16 && w.ev.r === 512, describeEvent(w.ev));
  await x("break deadlock", "goto 0", "delete 2", "c");
  assert.equal(tl.step, tl.total);
});

Deno.test("dv6 debug: why names a plain mutex's dead owner", async () => {
  const t = transcript([
    "mutex p create",
    "mutex p lock --hold 100 & sleep 2; kill 4; sleep 1; mutex p lock",
  ]);
  assert.equal(t.end.kind, "deadlock");
  const { x } = debug(t.journal);
  await x("goto end");
  const ps = await x("ps");
  const waiter = ps.find((l) => /sleeping .* mutex/.test(l) && !/ sh/.test(l));
  assert.ok(waiter !== undefined, ps.join("\n"));
  const pid = Number(waiter.split(/ +/)[0]);
  const why = await x(`why ${pid}`);
  assert.match(why[0], /held by pid 4, which has exited/);
  const words = await x("sems");
  assert.ok(
    words.some((l) => /\[0\] = -2147483644 \(a lock word: owner pid 4 \(gone\), waiters\)/.test(l)),
    words.join("\n"),
  );
});

Deno.test("dv6 debug: why follows a flock holder and names a semaphore's SEM_UNDO holders", async () => {
  const t = transcript([
    "ipcmk -S 1 --value 1",
    "semop 0 0:-1:u --hold &",
    "semop 0 0:-1 &",
    "flock /demo/long.txt sleep 1000 &",
    "flock /demo/long.txt echo got &",
    "sleep 2",
  ]);
  const { x } = debug(t.journal);
  await x("goto end");
  const pidOf = async (re: RegExp) =>
    Number((await x("ps")).find((l) => re.test(l))!.split(/ +/)[0]);
  const waiter = await pidOf(/semop 0\[0\]/);
  const holder = await pidOf(/^(?!.*semop 0\[0\]).* semop( |$)/);
  assert.deepEqual((await x(`why ${waiter}`)).slice(0, 1), [
    `pid ${waiter} (semop) waits in semop on 0.0 = 0 (0:-1); held with SEM_UNDO by pid ${holder} (semop)`,
  ]);
  const flocker = await pidOf(/lock on inode/);
  const chain = await x(`why ${flocker}`);
  assert.match(
    chain[0],
    /^pid \d+ \(flock\) waits for a lock on \/demo\/long\.txt, held by pid (\d+) \(flock\), pid \d+ \(sleep\)$/,
  );
  assert.match(chain[1], /\(flock\) waits for a child to exit/);
  assert.match(chain[2], /\(sleep\) waits for the clock/);
});

Deno.test("dv6 debug: watch pipe, pipes and files along echo hi | wc", async () => {
  const t = transcript(["echo hi | wc"]);
  const { tl, x } = debug(t.journal);
  assert.deepEqual(await x("watch pipe 1"), ["watch 1: pipe 1"]);
  const made = await x("c");
  assert.equal(made[0], "watch 1 (pipe 1) = 0");
  assert.match(made[1], /: pipe\(\) = \[3, 4\]$/);
  const filled = await x("c");
  assert.equal(filled[0], "watch 1 (pipe 1) = 2", "echo wrote hi");
  const pipes = await x("pipes");
  assert.equal(pipes[0], "PIPE    BYTES  READ END (PIDS)  WRITE END (PIDS)  SLEEPING");
  assert.match(pipes[1], /^pipe#1 +2\/512 /);
  const echo = steps(t.journal)[tl.step - 1].pid;
  assert.match(
    (await x(`files ${echo}`)).find((l) => l.startsWith("1 "))!,
    /^1 +pipe +pipe#1 +-w /,
  );
  await x("break sem 0"); // no set 0 here: a value that never changes never stops
  assert.match((await x("delete 1", "c"))[0], /no breakpoint stops after step/);
});

Deno.test("dv6 debug: why goes around a cycle of flock holders and says so", async () => {
  const t = transcript([
    'flock /demo/long.txt sh -c "sleep 2; flock /demo/Makefile echo A" &',
    'flock /demo/Makefile sh -c "sleep 2; flock /demo/long.txt echo B" &',
    "sleep 5",
  ]);
  assert.equal(t.end.kind, "deadlock");
  const report = t.end.kind === "deadlock" ? t.end.report : "";
  // The crash report's hint names one of the two inner flocks, not the shell at its prompt.
  const hint = debugHint(t.end, "x.log");
  const pid = Number(/why (\d+)/.exec(hint)![1]);
  assert.match(report, new RegExp(`pid ${pid} \\(flock\\) waits for lock on inode`));
  const { x } = debug(t.journal);
  await x("goto end");
  const chain = await x(`why ${pid}`);
  assert.match(chain[0], new RegExp(`^pid ${pid} \\(flock\\) waits for a lock on /demo/`));
  assert.match(chain.at(-1)!, new RegExp(`^a cycle: pid ${pid} -> .* -> pid ${pid}: deadlock$`));
});

Deno.test("dv6 debug: a panic: break panic stops at the end", async () => {
  const r = run({ initArgv: ["init", "kill", "1"] });
  assert.equal(r.end?.kind, "panic");
  const { tl, x } = debug(r.journal);
  const out = await x("break panic", "c");
  assert.equal(tl.step, tl.total);
  assert.ok(out.includes("the recording ends here: panic"), out.join("\n"));
});

Deno.test("dv6 debug: bad commands are errors that name them", async () => {
  const { x } = debug(echo.journal);
  for (
    const [cmd, msg] of [
      ["frob", /unknown command 'frob'/],
      ["goto x", /usage: goto STEP/],
      ["break syscall nosuch", /no system call 'nosuch'/],
      ["break frob", /usage: break syscall/],
      ["watch sem 1", /usage: watch sem ID.N/],
      ["delete 9", /no breakpoint 9/],
      ["why", /usage: why PID/],
    ] as const
  ) await assert.rejects(() => x(cmd), msg, cmd);
});

Deno.test("dv6 debug: the machine at a step is the same whichever way it got there", async () => {
  const t = transcript(["cat /demo/long.txt"], {
    sched: "random",
    seed: 2,
    options: { brokenSleep: true },
  });
  const fresh = async (step: number) => {
    const { x } = debug(t.journal);
    await x(`goto ${step}`);
    return await x("ps", "cpus", "locks", "uart", "pipes", "console 3");
  };
  const { tl, x } = debug(t.journal);
  const total = tl.total;
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.oneof(
          fc.integer({ min: 0, max: total }).map((n) => `goto ${n}`),
          fc.integer({ min: 1, max: 2000 }).map((n) => `back ${n}`),
          fc.integer({ min: 1, max: 2000 }).map((n) => `step ${n}`),
          fc.constant("prepare"),
        ),
        { minLength: 1, maxLength: 6 },
      ),
      async (moves) => {
        for (const m of moves) {
          if (m === "prepare") tl.prepare(5000);
          else await x(m);
        }
        assert.deepEqual(
          await x("ps", "cpus", "locks", "uart", "pipes", "console 3"),
          await fresh(tl.step),
        );
      },
    ),
    { numRuns: 15, seed: 7 },
  );
  assert.ok(tl.live > 1, "the timeline kept machines at several steps");
});

Deno.test("dv6 debug: idle time readies machines behind the current step and over the journal", async () => {
  const t = transcript(["cat /demo/long.txt"], {
    sched: "random",
    seed: 2,
    options: { brokenSleep: true },
  });
  const { tl, x } = debug(t.journal);
  await x("goto 9000");
  for (let i = 1; i <= 8; i++) {
    while (tl.prepare(1000)); // the time a person takes to type the next command
    const before = tl.stepsRun;
    await x("back");
    assert.equal(tl.step, 9000 - i);
    assert.equal(tl.stepsRun - before, 0, `back ${i}: a machine was ready at that step`);
  }
  // A far step: a machine on the grid is at most an eighth of the journal behind it.
  while (tl.prepare(1000));
  const before = tl.stepsRun;
  await x("goto 2000");
  assert.ok(tl.stepsRun - before <= Math.ceil(tl.total / 8), `goto re-ran ${tl.stepsRun - before}`);
  // There, machines left behind at 9000 and above give way to the new ladder.
  while (tl.prepare(1000));
  for (let i = 1; i <= 3; i++) {
    const before = tl.stepsRun;
    await x("back");
    assert.ok(
      tl.stepsRun - before <= 1,
      `back ${i} from 2000 re-ran ${tl.stepsRun - before} steps`,
    );
  }
});

Deno.test("dv6 debug LOG -x: prints what the commands print; 2 for a bad command or journal", async () => {
  await withTemp(async (home) => {
    const f = `${home}/echo.log`;
    Deno.writeFileSync(f, echo.journal);
    const ok = await dv6(["debug", f, "-x", "goto 5; when; break syscall write; c"], { home });
    assert.equal(ok.code, 0, ok.err);
    const lines = ok.out.trimEnd().split("\n");
    assert.match(lines[0], /^step 0 of [\d,]+, tick 0 \(the machine as it booted\)$/);
    assert.match(lines[1], /^step 5 of /);
    assert.match(lines[2], /^step 5 of [\d,]+, tick 0, cpu \d, /);
    assert.equal(lines[3], "breakpoint 1: syscall write");
    assert.equal(lines[4], "breakpoint 1 (syscall write)");
    assert.match(lines[5], /: write\(1, "hi"\) = 2$/);
    const bad = await dv6(["debug", f, "-x", "goto 5; frob; when"], { home });
    assert.equal(bad.code, 2);
    // The journal comes from the tests' build ("test"): said once, as dv6 replay says it.
    assert.match(
      bad.err,
      /^dv6: \S+echo\.log was recorded by build test; this is build [0-9a-f]{16}\n/,
    );
    assert.equal(
      bad.err.split("\n")[1],
      "dv6 debug: frob: unknown command 'frob' (type help for the commands)",
    );
    assert.equal(
      bad.out.trimEnd().split("\n").length,
      2,
      "what came before is printed, then it stops",
    );
    // A journal whose record of a write was changed: the re-run stops at the step before it.
    const changed = echo.journal.slice();
    const { preamble, frames } = splitFrames(changed);
    const payloads = frames.map((f) => f.payload.slice());
    // write(1, "there") = 5: the result (number tag 1, zigzag 10) follows the bytes.
    const [[fi, at]] = payloads.flatMap((p, i) =>
      indexesOf(p, encode("there")).filter((o) => p[o + 5] === 1 && p[o + 6] === 10).map((
        o,
      ) => [i, o])
    );
    payloads[fi][at + 6] = 12; // = 6
    Deno.writeFileSync(`${home}/changed.log`, joinFrames(preamble, payloads));
    const write = recs.findIndex((r) =>
      r.ev.k === EV.SYSCALL && describeEvent(r.ev) === 'write(1, "there") = 5'
    ) + 1;
    const diverged = await dv6(["debug", `${home}/changed.log`, "-x", "goto end; ps"], { home });
    assert.equal(diverged.code, 2);
    assert.match(diverged.out, new RegExp(`\\nstep ${write} of .*= 6\\n$`));
    assert.equal(
      diverged.err.split("\n")[1], // after the line that says another build recorded it
      `dv6 debug: goto end: cannot go on: replay diverged at step ${write}`,
    );
    Deno.writeTextFileSync(`${home}/not.log`, "hello");
    const notJournal = await dv6(["debug", `${home}/not.log`, "-x", "when"], { home });
    assert.equal(notJournal.code, 2);
    assert.match(notJournal.err, /not a dv6 journal/);
  });
});
