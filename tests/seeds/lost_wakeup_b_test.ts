// The lost wakeup with the broken sleep, seeds 100..199 (0..99 are in lost_wakeup_test.ts):
// some hang `cat` of a long file in the UART writer for good, and each such run's journal
// replays to the same hang at the same step.

import { brokenSeedsHangAndReplay, SEEDS } from "./lost_wakeup.ts";

Deno.test("with the broken sleep, seeds of 100..199 hang cat in the UART writer, and replay", () => {
  brokenSeedsHangAndReplay(SEEDS.slice(100));
});
