// Robust POSIX semaphores (kernel/psem.ts): the system-call path (psemop), whose robust
// operations the kernel undoes at exit, and the fast path of commands/lib/libpsem.ts (user-space
// atomics and a registered adjustment word). The fast path's race is explored seed by seed
// in psem_race_none_test.ts and psem_race_pcrange_test.ts.

import assert from "node:assert/strict";
import { ERRNO } from "../../kernel/uapi/errno.ts";
import {
  AT_LOAD,
  AT_STORE,
  PSEM_POST,
  PSEM_TRYWAIT,
  PSEM_WAIT,
  SHM_CREAT,
} from "../../kernel/uapi/ipc.ts";
import type { Call } from "../../commands/lib/ulib.ts";
import {
  type Psem,
  sem_create,
  sem_getvalue,
  sem_open,
  sem_post,
  sem_post_robust,
  sem_timedwait_robust,
  sem_trywait_robust,
  sem_wait,
  sem_wait_robust,
} from "../../commands/lib/libpsem.ts";
import {
  await1,
  child,
  go,
  halted0,
  killAndReap,
  parked,
  pipe,
  type Program,
  put,
  reap,
  results,
  type Sys,
} from "../helpers.ts";

const { EAGAIN, EINVAL, ETIMEDOUT } = ERRNO;

Deno.test("psemop, system-call path: the kernel undoes a killed holder's robust wait and post", () => {
  function* t(sys: Sys): Program {
    const h = yield* sys.shmopen("psem:s", 1, SHM_CREAT);
    yield* sys.atomic(AT_STORE, h, 0, 2);
    const val = () => sys.atomic(AT_LOAD, h, 0);
    const [r, w] = yield* pipe(sys);
    const [park] = yield* pipe(sys);
    const robust = yield* parked(sys, () => sys.psemop(h, 0, PSEM_WAIT, true), w, park);
    yield* await1(sys, r);
    const plain = yield* parked(sys, () => sys.psemop(h, 0, PSEM_WAIT, false), w, park);
    yield* await1(sys, r);
    yield* put(sys, "held", yield* val());
    yield* killAndReap(sys, robust);
    yield* put(sys, "robust-killed", yield* val());
    yield* killAndReap(sys, plain);
    yield* put(sys, "plain-killed", yield* val()); // leaked
    // A robust post is undone too: the value goes back down...
    const poster = yield* parked(sys, () => sys.psemop(h, 0, PSEM_POST, true), w, park);
    yield* await1(sys, r);
    yield* put(sys, "posted", yield* val());
    yield* killAndReap(sys, poster);
    yield* put(sys, "post-undone", yield* val());
    // ...never below 0.
    const poster2 = yield* parked(sys, () => sys.psemop(h, 0, PSEM_POST, true), w, park);
    yield* await1(sys, r);
    yield* sys.psemop(h, 0, PSEM_TRYWAIT, false);
    yield* sys.psemop(h, 0, PSEM_TRYWAIT, false);
    yield* killAndReap(sys, poster2);
    yield* put(sys, "floor", yield* val());
    // Wait and post in the same process cancel out: its exit changes nothing.
    yield* sys.psemop(h, 0, PSEM_POST, false);
    const both = yield* child(sys, function* () {
      yield* sys.psemop(h, 0, PSEM_WAIT, true);
      return yield* sys.psemop(h, 0, PSEM_POST, true);
    });
    yield* reap(sys, both);
    yield* put(sys, "balanced", yield* val());
    // A robust wait whose process simply exits gives the token back as well.
    const exits = yield* child(sys, () => sys.psemop(h, 0, PSEM_WAIT, true));
    yield* put(sys, "exits", yield* reap(sys, exits), yield* val());
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    held: "0",
    "robust-killed": "1",
    "plain-killed": "1",
    posted: "2",
    "post-undone": "1",
    floor: "0",
    balanced: "1",
    exits: "0 1",
  });
});

Deno.test("psemop: trywait EAGAIN, timeout ETIMEDOUT, a waiter woken by post, kill, EINVAL", () => {
  function* t(sys: Sys): Program {
    const h = yield* sys.shmopen("psem:s", 2, SHM_CREAT);
    yield* put(sys, "trywait", yield* sys.psemop(h, 0, PSEM_TRYWAIT, true));
    const t0 = yield* sys.uptime();
    const timed = yield* sys.psemop(h, 0, PSEM_WAIT, true, 3);
    yield* put(sys, "timedwait", timed, (yield* sys.uptime()) - t0 >= 3);
    const waiter = yield* child(sys, () => sys.psemop(h, 0, PSEM_WAIT, true));
    for (;;) {
      const p = (yield* sys.procs()).find((q) => q.pid === waiter);
      if (p?.waitsFor === "psem s") break;
      yield* sys.sleep(1);
    }
    yield* sys.psemop(h, 0, PSEM_POST, false);
    yield* put(sys, "woken", yield* reap(sys, waiter), yield* sys.atomic(AT_LOAD, h, 0));
    yield* sys.atomic(AT_STORE, h, 0, 0);
    const killed = yield* child(sys, () => sys.psemop(h, 0, PSEM_WAIT, true));
    yield* sys.sleep(2);
    yield* put(sys, "killed", yield* killAndReap(sys, killed), yield* sys.atomic(AT_LOAD, h, 0));
    yield* put(sys, "bad-op", yield* sys.psemop(h, 0, 7, true), yield* sys.psemop(h, 0, -1, true));
    yield* put(sys, "bad-word", yield* sys.psemop(h, 2, PSEM_POST, true));
    yield* put(sys, "bad-handle", yield* sys.psemop(4242, 0, PSEM_POST, true));
    yield* put(sys, "bad-register", yield* sys.psemregister(h, 0, 4242, 0));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    trywait: String(-EAGAIN),
    timedwait: `${-ETIMEDOUT} true`,
    woken: "0 1", // it took the token, exited, and its robust wait was undone
    killed: "-1 0",
    "bad-op": `${-EINVAL} ${-EINVAL}`,
    "bad-word": String(-EINVAL),
    "bad-handle": String(-EINVAL),
    "bad-register": String(-EINVAL),
  });
});

for (const robustFast of ["none", "pcrange"] as const) {
  Deno.test(`libpsem fast path (--robust-fast=${robustFast}): killed outside the window, the token comes back`, () => {
    function* t(sys: Sys): Program {
      const s = yield* sem_create(sys, "f", 3, true);
      if (typeof s === "number") return 1;
      const open = function* (): Call<Psem> {
        const o = yield* sem_open(sys, "f");
        if (typeof o === "number") throw new Error(`sem_open: ${o}`);
        return o;
      };
      const [r, w] = yield* pipe(sys);
      const [park] = yield* pipe(sys);
      const robust = yield* parked(
        sys,
        function* () {
          return yield* sem_wait_robust(sys, yield* open());
        },
        w,
        park,
      );
      yield* await1(sys, r);
      const plain = yield* parked(
        sys,
        function* () {
          return yield* sem_wait(sys, yield* open());
        },
        w,
        park,
      );
      yield* await1(sys, r);
      const two = yield* parked(
        sys,
        function* () {
          const o = yield* open();
          const a = yield* sem_trywait_robust(sys, o);
          return a !== 0 ? a : yield* sem_timedwait_robust(sys, o, 5);
        },
        w,
        park,
      );
      yield* put(sys, "two", yield* reap(sys, two)); // got one, timed out on the second
      yield* put(sys, "held", yield* sem_getvalue(sys, s));
      yield* killAndReap(sys, robust);
      yield* put(sys, "robust-killed", yield* sem_getvalue(sys, s));
      yield* killAndReap(sys, plain);
      yield* put(sys, "plain-killed", yield* sem_getvalue(sys, s));
      // A fast robust post, killed: undone.
      const poster = yield* parked(
        sys,
        function* () {
          return yield* sem_post_robust(sys, yield* open());
        },
        w,
        park,
      );
      yield* await1(sys, r);
      yield* put(sys, "posted", yield* sem_getvalue(sys, s));
      yield* killAndReap(sys, poster);
      yield* put(sys, "post-undone", yield* sem_getvalue(sys, s));
      // A fast wait that sleeps is woken by a post.
      yield* sem_wait(sys, s);
      yield* sem_wait(sys, s);
      const sleeper = yield* child(sys, function* () {
        return yield* sem_wait_robust(sys, yield* open());
      });
      yield* sys.sleep(3);
      yield* sem_post(sys, s);
      yield* put(sys, "sleeper", yield* reap(sys, sleeper), yield* sem_getvalue(sys, s));
      return 0;
    }
    const r = go(t, { options: { robustFast } });
    halted0(r);
    assert.deepEqual(results(r), {
      two: String(100 + ETIMEDOUT),
      held: "1",
      "robust-killed": "2",
      "plain-killed": "2",
      posted: "3",
      "post-undone": "2",
      sleeper: "0 1",
    });
  });
}
