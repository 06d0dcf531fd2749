// The robust semaphore's fast-path race with --robust-fast=pcrange (tests/seeds/psem_race.ts): no
// seed of 500 leaks, though (as the none runs of the same seeds show) a good share of them
// kill the victim inside the critical section.

import assert from "node:assert/strict";
import { raceRun } from "./psem_race.ts";

const SEEDS = 500;

Deno.test(`--robust-fast=pcrange: no seed of ${SEEDS} leaks a token`, () => {
  const leaking: number[] = [];
  for (let seed = 0; seed < SEEDS; seed++) {
    if (raceRun(seed, "pcrange").leaked !== 0) leaking.push(seed);
  }
  assert.deepEqual(leaking, []);
});

Deno.test("--robust-fast=pcrange: the seeds that leak under none are inside the window, and fixed", () => {
  // Same seed, same steps up to the victim's exit: a seed that leaks with none killed the
  // victim between its two steps. pcrange must complete each of those.
  let inWindow = 0;
  for (let seed = 0; seed < 40; seed++) {
    if (raceRun(seed, "none").leaked === 0) continue;
    inWindow++;
    assert.equal(raceRun(seed, "pcrange").leaked, 0, `seed ${seed}`);
  }
  assert.ok(inWindow >= 3, `only ${inWindow} of 40 seeds killed the victim in the window`);
});
