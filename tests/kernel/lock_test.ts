// The lock invariants of xv6.md section 10 (item 7) and sched's other checks: a kernel path that
// breaks a locking rule stops the machine with xv6's panic (a machine end of kind "panic", the
// message on the console and in the journal), never with a host exception.
//
// The faulty kernel path is a generator pushed on top of a CPU's context stack (as an interrupt
// handler is): on the scheduler's context of CPU 0, which steps first, or on init's context,
// which runs on whichever CPU schedules it, holding init's p->lock as xv6's scheduler does.

import assert from "node:assert/strict";
import type { KGen } from "../../kernel/event.ts";
import { JournalWriter } from "../../kernel/journal.ts";
import type { Machine, MachineEnd } from "../../kernel/machine.ts";
import { sched } from "../../kernel/proc.ts";
import { acquire, popOff, release } from "../../kernel/spinlock.ts";
import { PROGRAMS } from "../../commands/programs.ts";
import { headerFor, machineFrom } from "../../shell/host.ts";
import { Bytes, records } from "../helpers.ts";

type Where = "scheduler" | "init";

/** Boots a machine (init runs `echo hi`), pushes `bad` on a context, runs to the end. */
function runWith(
  where: Where,
  bad: (m: Machine) => KGen,
): { end: MachineEnd; out: string; journal: Uint8Array } {
  const header = headerFor({ initArgv: ["init", "echo", "hi"] }, "test");
  const journal = new Bytes();
  const out = new Bytes();
  const m = machineFrom(header, new JournalWriter(journal, header), out.write, PROGRAMS);
  const ctx = where === "scheduler" ? m.cpus[0].current : m.procs[0].context!;
  ctx.stack.push(bad(m));
  const end = m.run(1_000_000);
  assert.ok(end !== null, "the machine did not stop");
  return { end, out: out.text, journal: journal.bytes };
}

function assertPanic(r: { end: MachineEnd; out: string; journal: Uint8Array }, message: string) {
  assert.equal(r.end.kind, "panic", `ended with ${JSON.stringify(r.end)}`);
  assert.equal(r.end.kind === "panic" && r.end.message, message);
  assert.ok(r.out.endsWith(`panic: ${message}\n`), r.out);
  assert.ok(!r.out.includes("hi\n"), "the machine went on after the panic");
  const last = records(r.journal).at(-1)!;
  assert.equal(last.type, "end");
  assert.deepEqual(last.type === "end" && last.end, r.end);
}

Deno.test("re-acquiring a held lock is panic: acquire", async (t) => {
  await t.step("a kernel lock, in the scheduler", () => {
    assertPanic(
      runWith("scheduler", function* (m) {
        yield* acquire(m, m.tickslock);
        yield* acquire(m, m.tickslock);
      }),
      "acquire",
    );
  });
  await t.step("p->lock, which the scheduler holds while the process starts", () => {
    assertPanic(
      runWith("init", function* (m) {
        yield* acquire(m, m.myproc().lock);
      }),
      "acquire",
    );
  });
});

Deno.test("releasing a lock that is not held is panic: release", async (t) => {
  await t.step("never acquired", () => {
    assertPanic(
      runWith("scheduler", function* (m) {
        yield* release(m, m.waitLock);
      }),
      "release",
    );
  });
  await t.step("released twice", () => {
    assertPanic(
      runWith("scheduler", function* (m) {
        yield* acquire(m, m.waitLock);
        yield* release(m, m.waitLock);
        yield* release(m, m.waitLock);
      }),
      "release",
    );
  });
});

Deno.test("sched with another lock held is panic: sched locks", () => {
  assertPanic(
    runWith("init", function* (m) {
      yield* acquire(m, m.waitLock);
      yield* sched(m);
    }),
    "sched locks",
  );
});

Deno.test("sched's other checks: sched p->lock, sched running, pop_off", async (t) => {
  await t.step("sched without p->lock", () => {
    assertPanic(
      runWith("init", function* (m) {
        yield* release(m, m.myproc().lock);
        yield* sched(m);
      }),
      "sched p->lock",
    );
  });
  await t.step("sched while still RUNNING", () => {
    assertPanic(
      runWith("init", function* (m) {
        yield* sched(m);
      }),
      "sched running",
    );
  });
  await t.step("pop_off without push_off", () => {
    assertPanic(
      runWith("scheduler", function* (m) {
        yield* acquire(m, m.tickslock);
        yield* release(m, m.tickslock);
        popOff(m);
      }),
      "pop_off",
    );
  });
});

Deno.test("a host exception in kernel code is a panic too, not a crash of dv6", () => {
  const r = runWith("scheduler", function* (m) {
    yield* acquire(m, m.tickslock);
    (null as unknown as { x: number }).x;
  });
  assert.equal(r.end.kind, "panic");
  assert.match(r.end.kind === "panic" ? r.end.message : "", /^kernel bug: TypeError/);
});
