// getrandom(count): random bytes from the machine's generator (kernel/rand.ts), seeded from the
// boot seed apart from the scheduler's stream: the same seed gives the same bytes under either
// policy, a replay draws them again, another seed gives others.

import assert from "node:assert/strict";
import { ERRNO } from "../../kernel/uapi/errno.ts";
import { go, halted0, type Program, put, replay, results, type Sys } from "../helpers.ts";

function* draw(sys: Sys): Program {
  const buf = new Uint8Array(300);
  yield* put(sys, "four", yield* sys.getrandom(buf, 4), Array.from(buf.subarray(0, 4)));
  yield* put(sys, "many", yield* sys.getrandom(buf));
  yield* put(sys, "none", yield* sys.getrandom(buf, 0), yield* sys.getrandom(buf, -1));
  return 0;
}

Deno.test("getrandom: bytes from the seed, whatever the schedule; a replay draws the same", () => {
  const rr = go(draw, { seed: 7 });
  halted0(rr);
  const res = results(rr);
  assert.match(res.four, /^4 \d+,\d+,\d+,\d+$/);
  assert.equal(res.many, "256"); // at most 256 in one call
  assert.equal(res.none, `0 ${-ERRNO.EINVAL}`);
  const random = go(draw, { seed: 7, sched: "random" });
  assert.equal(results(random).four, res.four);
  assert.notEqual(results(go(draw, { seed: 8 })).four, res.four);
  const p = replay(rr.journal, { t: draw });
  assert.equal(p.divergence, null, String(p.divergence));
  assert.equal(p.out, rr.out);
});
