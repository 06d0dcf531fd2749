// The REPL's machine runs on the host's clock: time (ticks: uptime, sleep, timeouts) is the
// host's ticks, delivered by the host and journaled at the step they came; computation runs at
// the host's speed, preempted by the timer every TICK_CYCLES cycles as in `dv6 run`. Driven
// in-process, the test is the host: it decides when each tick comes (never host time).

import assert from "node:assert/strict";
import { JournalWriter } from "../../kernel/journal.ts";
import type { Machine } from "../../kernel/machine.ts";
import { headerFor, machineFrom } from "../../shell/host.ts";
import { Typist } from "../../shell/session.ts";
import { Bytes, records, replay } from "../helpers.ts";

function hostClockMachine(): { m: Machine; out: Bytes; journal: Bytes } {
  const header = headerFor({ initArgv: ["init"], options: { clock: "host" } }, "test");
  const journal = new Bytes(), out = new Bytes();
  const m = machineFrom(header, new JournalWriter({ write: journal.write }, header), out.write);
  return { m, out, journal };
}

/** Types a line when the shell reads, then runs until the shell reads again or the machine
 * can go no further without a tick (at most `steps`). */
function typeLine(m: Machine, line: string, steps = 2_000_000): void {
  while (!m.consoleReaderWaits()) assert.equal(m.run(1000), null);
  const t = new Typist();
  t.line(line);
  assert.ok(t.typeInto(m));
  for (let n = 0; n < steps && (m.stall === "steps" || !m.consoleReaderWaits()); n += 1000) {
    assert.equal(m.run(1000), null);
    if (m.stall === "time") return;
  }
}

Deno.test("on the host's clock, time is the host's ticks: computing does not make time pass", () => {
  const { m, out } = hostClockMachine();
  typeLine(m, "spin &");
  // 200,000 steps of computation (20 ticks' worth of cycles), and no tick came: time stands.
  for (let i = 0; i < 200; i++) m.run(1000);
  assert.equal(m.stall, "steps", "spin computes");
  typeLine(m, "uptime");
  assert.match(out.text, /\$ uptime\nup 0 ticks\n\$ $/);
  // ps charges a process the ticks that found it running: none came.
  typeLine(m, "ps");
  assert.match(out.text, /\n +3 +2 run +0 spin /);
  // Three ticks of the host's clock: uptime counts them; spin ran through them.
  for (let i = 0; i < 3; i++) {
    m.tick();
    m.run(1000);
  }
  typeLine(m, "uptime; ps");
  assert.match(out.text, /\$ uptime; ps\nup 3 ticks\n/);
  assert.match(out.text, /\n +3 +2 run +3 spin .*\n.*\n\$ $/);
});

Deno.test("on the host's clock, sleep waits for the host's ticks and nothing else", () => {
  const { m, out, journal } = hostClockMachine();
  typeLine(m, "sleep 3; echo woke");
  assert.equal(m.stall, "time", "nothing can run before a tick comes");
  assert.equal(m.run(), null, "the machine does not jump its clock to end the sleep");
  assert.equal(m.stall, "time");
  for (let i = 0; i < 2; i++) {
    m.tick();
    assert.equal(m.run(), null);
    assert.doesNotMatch(out.text, /\nwoke\n/, `after ${i + 1} ticks`);
  }
  m.tick();
  while (!m.consoleReaderWaits()) assert.equal(m.run(1000), null);
  assert.match(out.text, /\nwoke\n\$ $/);
  typeLine(m, "uptime");
  assert.match(out.text, /\nup 3 ticks\n\$ $/);

  // The journal has the ticks where they came; the replay is exact.
  m.stop();
  const ticks = records(journal.bytes).filter((r) => r.type === "tick");
  assert.equal(ticks.length, 3);
  const r = replay(journal.bytes);
  assert.equal(r.divergence, null, JSON.stringify(r.divergence));
  assert.equal(r.truncated, null);
  assert.equal(r.steps, m.steps);
  assert.equal(r.out, out.text);
});

Deno.test("on the host's clock, a process woken on a busy machine runs at the next timer, not the next tick", () => {
  const { m, out } = hostClockMachine();
  // Two CPUs spin; the third idles in wfi. The shell, woken by the console's interrupt on a
  // spinning CPU, is found by the idle CPU at its next timer interrupt (TICK_CYCLES cycles),
  // without any tick of the host's clock.
  typeLine(m, "spin &");
  typeLine(m, "spin &");
  typeLine(m, "echo quick", 100_000);
  assert.match(out.text, /\$ echo quick\nquick\n\$ $/);
  assert.equal(m.ticks, 0);
});
