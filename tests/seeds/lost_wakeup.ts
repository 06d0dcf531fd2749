// The lost wakeup (issue 3, "The lost wakeup, for real"): `cat /demo/long.txt` fills the
// UART's 32-byte transmit ring many times over, so its writer sleeps in uartputc again and
// again. With the boot option brokenSleep the writer lets go of the ring's lock before it is
// marked SLEEPING: if the transmit-complete interrupt frees room and calls wakeup() in that
// gap, nobody is asleep yet, the wakeup is lost, and cat sleeps forever. The random policy
// finds such schedules; the correct sleep never hangs. Shared by lost_wakeup*_test.ts (not a
// test file itself).

import assert from "node:assert/strict";
import { BOOT_FILES } from "../../shell/mkfs.ts";
import { replay, type Run, run } from "../helpers.ts";

export const LONG_FILE = "/demo/long.txt";
export const LONG_TEXT = BOOT_FILES[LONG_FILE] as string;

/** The seeds the tests explore. */
export const SEEDS: readonly number[] = Array.from({ length: 200 }, (_, i) => i);

/** init runs `cat /demo/long.txt` (pid 2) and halts with its status. */
export function catLong(seed: number, brokenSleep: boolean): Run {
  return run({
    initArgv: ["init", "cat", LONG_FILE],
    sched: "random",
    seed,
    options: brokenSleep ? { brokenSleep: true } : {},
  });
}

/** Did the run hang in the UART writer? Checks that a run either printed the whole file and
 * halted with status 0, or hung: a deadlock with cat asleep on the UART, after a prefix. */
export function hung(r: Run, seed: number): boolean {
  const what = `seed ${seed}: ${JSON.stringify(r.end)}`;
  if (r.end?.kind === "halt") {
    assert.equal(r.end.status, 0, what);
    assert.equal(r.out, LONG_TEXT, what);
    return false;
  }
  assert.equal(r.end?.kind, "deadlock", what);
  if (r.end?.kind !== "deadlock") return false;
  assert.equal(
    r.end.report,
    "deadlock: no process can run, and nothing will wake one\n" +
      "  pid 1 (init) waits for wait\n" +
      "  pid 2 (cat) waits for uart\n",
    what,
  );
  assert.ok(LONG_TEXT.startsWith(r.out) && r.out.length < LONG_TEXT.length, what);
  return true;
}

/** Runs the seeds with the broken sleep; checks that each run that hangs replays from its
 * journal to the same deadlock at the same step. Returns the seeds that hang. */
export function brokenSeedsHangAndReplay(seeds: readonly number[]): number[] {
  const hangs: number[] = [];
  for (const seed of seeds) {
    const r = catLong(seed, true);
    if (!hung(r, seed)) continue;
    hangs.push(seed);
    const p = replay(r.journal);
    assert.equal(p.divergence, null, `seed ${seed}: ${p.divergence?.message}`);
    assert.equal(p.truncated, null, `seed ${seed}`);
    assert.deepEqual(p.end, r.end, `seed ${seed}`);
    assert.equal(p.steps, r.steps, `seed ${seed}`);
    assert.equal(p.out, r.out, `seed ${seed}`);
  }
  // None would mean the broken sleep no longer loses wakeups (or the random policy no longer
  // finds the gap); all, that the hang is no race any more.
  assert.ok(hangs.length >= 1, `no seed of ${seeds[0]}..${seeds.at(-1)} hangs`);
  assert.ok(hangs.length < seeds.length, "every seed hangs: not a race any more");
  return hangs;
}
