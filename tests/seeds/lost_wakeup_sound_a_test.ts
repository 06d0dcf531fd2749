// The correct sleep never loses the UART writer's wakeup: under the random policy, seeds
// 0..99 (the other half is in lost_wakeup_sound_b_test.ts, so that --parallel shares them)
// all print the whole long file and halt. (The broken sleep hangs: lost_wakeup_test.ts.)

import assert from "node:assert/strict";
import { catLong, hung, SEEDS } from "./lost_wakeup.ts";

Deno.test("with the correct sleep, no seed of 0..99 hangs cat in the UART writer", () => {
  for (const seed of SEEDS.slice(0, 100)) {
    assert.equal(hung(catLong(seed, false), seed), false, `seed ${seed} hangs`);
  }
});
