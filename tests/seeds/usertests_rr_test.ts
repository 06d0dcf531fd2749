// usertests and forktest, the real programs, under the rr policy on 1, 2 and 3 CPUs (and
// forktest under random too). The random usertests runs are in usertests_random_*_test.ts.

import assert from "node:assert/strict";
import { CPUS, usertestsPass } from "./usertests_cases.ts";
import { runFor } from "../helpers.ts";

for (const cpus of CPUS) {
  Deno.test(`usertests passes under rr, ${cpus} cpus`, () => {
    usertestsPass("rr", 0, cpus);
  });
}

Deno.test("forktest prints fork test and fork test OK", async (t) => {
  for (const [sched, seed] of [["rr", 0], ["random", 1], ["random", 2]] as const) {
    for (const cpus of CPUS) {
      await t.step(`${sched} ${seed}, ${cpus} cpus`, () => {
        const r = runFor({ initArgv: ["init", "forktest"], sched, seed, cpus });
        assert.equal(r.out, "fork test\nfork test OK\n");
        assert.deepEqual(r.end, { kind: "halt", status: 0 });
      });
    }
  }
});
