// The robust semaphore's fast-path race with --robust-fast=none (tests/seeds/psem_race.ts): some
// seed leaks a token, and its journal replays the leak step for step.

import assert from "node:assert/strict";
import { replay, results } from "../helpers.ts";
import { PROGRAMS, raceRun, START } from "./psem_race.ts";

Deno.test("--robust-fast=none: some seed leaks a token; its journal replays the leak", () => {
  let found: ReturnType<typeof raceRun> | null = null;
  let seed = 0;
  const outcomes: number[] = [];
  for (; seed < 200 && found === null; seed++) {
    const run = raceRun(seed, "none");
    outcomes.push(run.leaked);
    if (run.leaked !== 0) found = run;
  }
  assert.ok(found !== null, `no leak in ${seed} seeds`);
  assert.equal(found.leaked, 1, "one token: the one taken between the two steps");
  assert.ok(outcomes.slice(0, -1).every((l) => l === 0));
  // The journal replays the same run: every step matches, the same end, the same leak.
  const p = replay(found.r.journal, PROGRAMS);
  assert.equal(p.divergence, null);
  assert.equal(p.truncated, null);
  assert.deepEqual(p.end, found.r.end);
  assert.equal(p.steps, found.r.steps);
  assert.equal(p.out, found.r.out);
  assert.equal(Number(results({ ...found.r, out: p.out }).value), START - 1);
  // The same seed with pcrange takes the same steps up to the victim's exit, and the kernel
  // completes the adjustment: nothing leaks.
  const fixed = raceRun(seed - 1, "pcrange");
  assert.equal(fixed.leaked, 0);
});

Deno.test("--robust-fast=none: the leak is not rare (several seeds of 60 leak, never more than one token)", () => {
  let leaks = 0;
  for (let seed = 1000; seed < 1060; seed++) {
    const { leaked } = raceRun(seed, "none");
    assert.ok(leaked === 0 || leaked === 1, `seed ${seed} leaked ${leaked}`);
    leaks += leaked;
  }
  assert.ok(leaks >= 3, `${leaks} leaks`);
});
