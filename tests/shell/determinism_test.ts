// --check-determinism (madsim's CHECK_DETERMINISM): the same command twice in one process, two
// machines, two journals compared record by record. Run here on the demos (the golden `dv6 run`
// sessions, the make demo in its three jobserver styles, the lost wakeup's seeds), so that a
// nondeterminism that creeps in is caught at its step; and on a test program that smuggles the
// host's clock into the machine, which the check must catch, naming the step.

import assert from "node:assert/strict";
import { EV } from "../../kernel/journal.ts";
import { SYS } from "../../kernel/uapi/syscall.ts";
import { PROGRAMS } from "../../commands/programs.ts";
import { isDeepStrictEqual } from "node:util";
import { compareJournals, comparisonLine } from "../../shell/determinism.ts";
import { MemorySink, runAgain, runOnce } from "../../shell/exec.ts";
import { type BootOptions, headerFor } from "../../shell/host.ts";
import { parseInjection } from "../../shell/inject.ts";
import { dv6, type Program, type Programs, records, steps, type Sys } from "../helpers.ts";
import { catLong, LONG_FILE } from "../seeds/lost_wakeup.ts";

/** Runs the command twice, as --check-determinism does: the comparison's line, and the first
 * run's journal. */
function twice(
  o: BootOptions,
  script?: readonly string[],
  programs?: Programs,
): { line: string; journal: Uint8Array } {
  const header = headerFor(o, "test");
  const first = new MemorySink();
  runOnce(header, first, () => {}, script, o.inject, programs);
  const journal = first.bytes;
  return { line: comparisonLine(runAgain(header, journal, script, o.inject, programs)), journal };
}

function assertIdentical(o: BootOptions, script?: readonly string[]): { journal: Uint8Array } {
  const { line, journal } = twice(o, script);
  const n = steps(journal).length.toLocaleString("en-US");
  assert.equal(line, `check-determinism: 2 runs, ${n} steps, identical`);
  return { journal };
}

const TRANSCRIPTS = new URL("./transcripts/", import.meta.url);

Deno.test("check-determinism: the golden dv6 run sessions, under rr and a random seed", async (t) => {
  const names = [...Deno.readDirSync(TRANSCRIPTS)].filter((e) => e.name.endsWith(".sh"))
    .map((e) => e.name).sort();
  assert.ok(names.length >= 8);
  for (const name of names) {
    await t.step(name, () => {
      const lines = Deno.readTextFileSync(new URL(name, TRANSCRIPTS)).split("\n");
      if (lines.at(-1) === "") lines.pop();
      assertIdentical({ initArgv: ["init", "sh"] }, lines);
      assertIdentical({ initArgv: ["init", "sh"], sched: "random", seed: 5 }, lines);
    });
  }
});

Deno.test("check-determinism: the make demo, each jobserver style", async (t) => {
  for (const style of ["pipe", "sysvsem", "psem"]) {
    await t.step(style, () => {
      const line = `cd /demo; make -j4 -k --timeline --jobserver-style=${style}`;
      assertIdentical({ initArgv: ["init", "sh", "-c", line] });
      assertIdentical({ initArgv: ["init", "sh", "-c", line], sched: "random", seed: 11 });
    });
  }
});

Deno.test("check-determinism: the lost wakeup's seeds, hung or not, and an injected kill", () => {
  const hung = [];
  for (let seed = 0; seed < 8; seed++) {
    const o = {
      initArgv: ["init", "cat", LONG_FILE],
      sched: "random",
      seed,
      options: { brokenSleep: true },
    };
    assertIdentical(o);
    if (catLong(seed, true).end?.kind === "deadlock") hung.push(seed);
  }
  assert.ok(hung.length > 0 && hung.length < 8, `hung: ${hung}`);
  const inject = [parseInjection("kill:cat@300", "-c")];
  const { journal } = assertIdentical({
    initArgv: ["init", "sh", "-c", "cat /demo/long.txt | wc"],
    inject,
  });
  assert.equal(records(journal).filter((r) => r.type === "kill").length, 1);
});

// A test program that smuggles the host's clock into the machine: the first run to reach it
// sets a deadline 50 ms of host time ahead and calls getpid() until it has passed; the second
// run comes after the first one ended, past the deadline, and calls nothing. (The deadline is
// set once so that the runs differ whatever the host's speed: an honest program sees nothing
// but its system calls' results.)
let deadline = 0;
function* hostTime(sys: Sys): Program {
  if (deadline === 0) deadline = performance.now() + 50;
  while (performance.now() < deadline) yield* sys.getpid();
  return 0;
}

Deno.test("check-determinism: a program that reads the host's clock is caught at its step", () => {
  const programs = { ...PROGRAMS, t: hostTime };
  const { line, journal } = twice({ initArgv: ["init", "t"] }, undefined, programs);
  // Where the first run's t made its first call, the second's had returned from main.
  const step =
    steps(journal).findIndex((s) => s.pid === 2 && s.ev.k === EV.SYSCALL && s.ev.n === SYS.getpid) +
    1;
  assert.ok(step > 0);
  assert.match(
    line,
    new RegExp(
      `^check-determinism: the two runs differ at step ${step}: ` +
        `first: cpu(\\d) pid 2: getpid\\(\\) = 2, second: cpu\\1 pid 2: (?!getpid)`,
    ),
  );
});

Deno.test("check-determinism: what differs is named at its step, or after it between steps", () => {
  // Not the same command twice (a check never sees this): two seeds; a run without a kill and
  // one with it.
  const journal = (o: BootOptions, script?: string[]) => {
    const sink = new MemorySink();
    runOnce(headerFor(o, "test"), sink, () => {}, script, o.inject);
    return sink.bytes;
  };
  const sh = { initArgv: ["init", "sh"], sched: "random" };
  const a = journal({ ...sh, seed: 1 }, ["echo hi"]), b = journal({ ...sh, seed: 2 }, ["echo hi"]);
  const [x, y] = [steps(a), steps(b)];
  const first = x.findIndex((r, i) => !isDeepStrictEqual(r, y[i])) + 1;
  assert.ok(first >= 1);
  assert.match(
    comparisonLine(compareJournals(a, b)),
    new RegExp(`^check-determinism: the two runs differ at step ${first}: first: cpu\\d pid `),
  );

  const sleeper = { initArgv: ["init", "sh", "-c", "sleep 100"] };
  const killed = journal({ ...sleeper, inject: [parseInjection("kill:sleep@400", "-c")] });
  assert.match(
    comparisonLine(compareJournals(killed, journal(sleeper))),
    /^check-determinism: the two runs differ after step 400: first: inject kill pid 3 \(sleep\), second: cpu\d pid \d+: .+$/,
  );
});

Deno.test("dv6 run/exec --check-determinism: the check's line on stderr, the command's own status", async () => {
  const home = await Deno.makeTempDir({ prefix: "dv6-determinism-" });
  try {
    const script = `${home}/s.sh`;
    Deno.writeTextFileSync(script, "echo hi | wc\nfalse\n");
    const plain = await dv6(["run", script], { home });
    const r = await dv6(["run", script, "--check-determinism"], { home });
    assert.equal(r.out, plain.out);
    assert.equal(r.code, plain.code);
    assert.match(r.err, /^check-determinism: 2 runs, [\d,]+ steps, identical\n$/);
    // After exec's PROGRAM too; make -k's status 2 stays the status.
    const m = await dv6(
      ["exec", "sh", "-c", "cd /demo; make -j4 -k", "--check-determinism"],
      { home },
    );
    assert.equal(m.code, 2);
    assert.match(m.out, /make: INTERNAL: Exiting with 2 jobserver tokens available; should be 4!/);
    assert.match(m.err, /^check-determinism: 2 runs, [\d,]+ steps, identical\n$/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
