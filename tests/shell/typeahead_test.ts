// `dv6 run` and `dv6 -c` type the next line when the shell reads it, at that moment of virtual
// time: the clock never jumps over idle time while a process waits for console input and the
// script still has lines. A script reads as if a fast typist had typed it: a zombie is still
// a zombie at the next line, a sleeper still sleeps, a holder still holds. Each run is also
// replayed from its journal, under rr and random schedules.

import assert from "node:assert/strict";
import { JournalReader } from "../../kernel/journal.ts";
import { replayJournal } from "../../shell/replay.ts";
import { transcript, visible } from "../helpers.ts";

// rr, and random schedules (whose starved CPUs once made a typed line's replay diverge).
const SCHEDULES = [{}, ...Array.from({ length: 12 }, (_, seed) => ({ sched: "random", seed }))];

/** Runs the script under each schedule; checks its transcript and that its journal replays. */
function typed(lines: string[], check: (out: string) => void): void {
  for (const o of SCHEDULES) {
    const t = transcript(lines, o);
    const out = visible(t.out);
    assert.deepEqual(t.end, { kind: "halt", status: 0 }, out);
    check(out);
    const r = replayJournal(new JournalReader(t.journal), () => {});
    assert.equal(r.divergence, null, `${JSON.stringify(o)}: ${JSON.stringify(r.divergence)}`);
    assert.equal(r.truncated, null);
    assert.equal(r.steps, t.m.steps);
  }
}

Deno.test("the next line comes before a background zombie is reaped: ps lists it", () => {
  typed(["fork --zombie -n 1 &", "ps"], (out) => {
    assert.match(out, /\n +\d+ +\d+ zombie +\d+ fork +-\n/, out);
  });
});

Deno.test("the next line comes while a background sleeper sleeps: a few ticks, not 1,000", () => {
  typed(["sleep 1000 &", "uptime", "pgrep -x sleep"], (out) => {
    const up = /\nup (\d+) ticks\n/.exec(out);
    assert.ok(up !== null, out);
    assert.ok(Number(up[1]) < 5, `uptime ${up[1]} ticks:\n${out}`);
    const pid = /\$ sleep 1000 &\n\[(\d+)\]\n/.exec(out)![1];
    assert.match(out, new RegExp(`\\$ pgrep -x sleep\\n${pid}\\n`), out);
  });
});

Deno.test("the next line comes while a background holder still holds its semaphore", () => {
  typed(
    [
      "ipcmk -S 1",
      "semop 0 0:+2:u --hold 5 &",
      "semop 0 0:-1",
      "echo took $?",
      "semctl 0 0 getval",
    ],
    (out) => {
      assert.match(out, /\ntook 0\n/, out);
      assert.match(out, /\$ semctl 0 0 getval\n1\n/, out);
    },
  );
});

Deno.test("the last line typed, background jobs stop with the machine, the run ends", () => {
  typed(["sleep 1000 &", "spin &", "echo last"], (out) => {
    assert.match(out, /\$ echo last\nlast\n\$ \^D\n$/, out);
  });
});
