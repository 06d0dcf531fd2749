// Races that docs/LOCKS.md's review of the lock order found, each run under random schedules
// (where they showed: rr never interleaved them) and replayed:
//   - fork (a new child's p->lock, then ftable) against the last close of a file with a
//     flock() lock (which took ftable, then flock, then every p->lock in wakeup()): the
//     machine spun for ever with no process asleep;
//   - the clock interrupt removing timeouts by index while their sleepers removed their own
//     (splice(-1, 1) dropped another sleeper's timeout: it never woke);
//   - a timeout woken without the sleeper's lock, before the sleeper was asleep (lost);
//   - two CPUs in the UART's interrupt handler at once, handing typed bytes to the console
//     out of order;
//   - an fcntl write lock turned into a read lock did not wake the readers it had blocked.

import assert from "node:assert/strict";
import type { Sys } from "../../commands/lib/usys.ts";
import type { Program } from "../../kernel/uapi/abi.ts";
import {
  F_RDLCK,
  F_SETLK,
  F_SETLKW,
  F_WRLCK,
  LOCK_SH,
  O_CREATE,
  O_RDWR,
} from "../../kernel/uapi/fcntl.ts";
import { SHM_CREAT } from "../../kernel/uapi/ipc.ts";
import { CONSOLE } from "../../kernel/uapi/param.ts";
import { replay, report, run, say } from "../helpers.ts";

const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);

/** Runs `main` as init under each random seed; each run must halt 0 within `maxSteps`, and
 * replay. Returns the console output of each. */
function underSeeds(main: (sys: Sys) => Program, maxSteps: number, ncpu = 3): string[] {
  return SEEDS.map((seed) => {
    const r = run({
      initArgv: ["init", "t"],
      programs: { t: main },
      sched: "random",
      seed,
      cpus: ncpu,
      maxSteps,
    });
    assert.deepEqual(r.end, { kind: "halt", status: 0 }, `seed ${seed}: ${r.out}`);
    const p = replay(r.journal, { t: main });
    assert.equal(p.divergence, null, `seed ${seed}: ${p.divergence?.message}`);
    return r.out;
  });
}

Deno.test("fork and the last close of a flock()ed file do not deadlock", () => {
  function* t(sys: Sys): Program {
    const kids: number[] = [];
    for (let k = 0; k < 2; k++) {
      const pid = yield* sys.fork();
      if (pid === 0) { // closers: the last close drops a flock() lock
        for (let j = 0; j < 25; j++) {
          const fd = yield* sys.open("/g", O_CREATE | O_RDWR);
          yield* sys.flock(fd, LOCK_SH);
          yield* sys.close(fd);
        }
        return yield* sys.exit(0);
      }
      kids.push(pid);
    }
    for (let k = 0; k < 2; k++) {
      const pid = yield* sys.fork();
      if (pid === 0) { // forkers: each fork dups the open files under a new child's lock
        for (let j = 0; j < 10; j++) {
          if ((yield* sys.fork()) === 0) return yield* sys.exit(0);
          yield* sys.wait();
        }
        return yield* sys.exit(0);
      }
    }
    for (let k = 0; k < 4; k++) yield* sys.wait();
    return 0;
  }
  underSeeds(t, 3_000_000);
});

Deno.test("timed sleeps: every timeout fires, whoever else comes and goes", () => {
  function* t(sys: Sys): Program {
    const h = yield* sys.shmopen("", 1, SHM_CREAT);
    if ((yield* sys.fork()) === 0) { // a futex waiter whose word nobody changes: 2-tick timeouts
      for (let j = 0; j < 100; j++) yield* sys.futexwait(h, 0, 0, 2, "Z");
      return yield* sys.exit(0);
    }
    const pollers = 3;
    for (let k = 0; k < pollers; k++) {
      if ((yield* sys.fork()) === 0) { // pollers of nothing, with 1-tick timeouts
        for (let j = 0; j < 100; j++) yield* sys.poll([], 1);
        return yield* sys.exit(0);
      }
    }
    for (let k = 0; k <= pollers; k++) yield* sys.wait();
    return 0;
  }
  underSeeds(t, 20_000_000);
});

Deno.test("typed bytes reach the console in order while other CPUs take UART interrupts", () => {
  const LINE = "abcdefghijklmnopqrstuvwxyz";
  function* t(sys: Sys): Program {
    yield* sys.mknod("/console", CONSOLE, 0);
    const fd = yield* sys.open("/console", O_RDWR);
    for (let k = 0; k < 2; k++) {
      if ((yield* sys.fork()) === 0) { // writers keep the UART interrupting
        for (let j = 0; j < 200; j++) yield* sys.write(fd, "0123456789");
        return yield* sys.exit(0);
      }
    }
    const buf = new Uint8Array(128);
    const n = yield* sys.read(fd, buf);
    yield* sys.wait();
    yield* sys.wait();
    const line = new TextDecoder().decode(buf.subarray(0, Math.max(0, n)));
    return line === LINE + "\n" ? 0 : 1; // init halts with this status
  }
  for (const seed of SEEDS) {
    const r = run({
      initArgv: ["init", "t"],
      programs: { t },
      sched: "random",
      seed,
      maxSteps: 3000,
    });
    r.m.input(new TextEncoder().encode(LINE + "\n"));
    const end = r.m.run(5_000_000);
    assert.deepEqual(end, { kind: "halt", status: 0 }, `seed ${seed}: the line came out of order`);
  }
});

Deno.test("an fcntl write lock turned into a read lock wakes the readers it blocked", () => {
  function* t(sys: Sys): Program {
    const fd = yield* sys.open("/f", O_CREATE | O_RDWR);
    yield* sys.fcntl(fd, F_SETLK, [F_WRLCK, 0, 10]);
    const pid = yield* sys.fork();
    if (pid === 0) {
      const fd2 = yield* sys.open("/f", O_RDWR);
      yield* sys.fcntl(fd2, F_SETLKW, [F_RDLCK, 0, 10]);
      yield* say(sys, "reader", yield* sys.uptime());
      return yield* sys.exit(0);
    }
    yield* sys.sleep(5); // the reader waits by now
    const at = yield* sys.uptime();
    yield* sys.fcntl(fd, F_SETLK, [F_RDLCK, 0, 10]); // the downgrade
    yield* say(sys, "downgraded", at);
    yield* sys.sleep(20);
    yield* sys.kill(pid); // a reader still waiting would be stuck: end it either way
    yield* sys.wait();
    return 0;
  }
  for (const out of underSeeds(t, 5_000_000, 2)) {
    const reader = report(out, "reader"), down = report(out, "downgraded");
    assert.ok(Number(reader[0]) <= Number(down[0]) + 2, out);
  }
});
