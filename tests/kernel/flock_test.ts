// File locks (kernel/flock.ts): flock() locks belong to the open file (shared through dup and
// fork, released when its last descriptor closes); fcntl() record locks belong to the process
// (dropped when it closes any descriptor of the file, released at exit however it dies, not
// inherited by fork; F_GETLK names the holder; EDEADLK when waiting would deadlock).
//
// Other processes look at the locks through probes: a child that opens the file afresh and
// tries a lock without waiting, then exits with what it found.

import assert from "node:assert/strict";
import { ERRNO } from "../../kernel/uapi/errno.ts";
import {
  F_GETLK,
  F_RDLCK,
  F_SETLK,
  F_SETLKW,
  F_UNLCK,
  F_WRLCK,
  LOCK_EX,
  LOCK_NB,
  LOCK_SH,
  LOCK_UN,
  O_CREATE,
  O_RDONLY,
  O_RDWR,
} from "../../kernel/uapi/fcntl.ts";
import type { Call } from "../../commands/lib/ulib.ts";
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
  signal,
  type Sys,
} from "../helpers.ts";

const { EAGAIN, EBADF, EDEADLK, EINVAL, ETIMEDOUT } = ERRNO;
const F = "/lockme";

function* openF(sys: Sys, flags = O_RDWR): Call<number> {
  const fd = yield* sys.open(F, flags | O_CREATE);
  if (fd < 0) throw new Error(`open ${F}: ${fd}`);
  return fd;
}

/** fcntl for a lock that is set (not F_GETLK): 0 or -errno. */
function* setlk(sys: Sys, fd: number, cmd: number, lock: number[]): Call<number> {
  return (yield* sys.fcntl(fd, cmd, lock)) as number;
}

/** Can another open file take an exclusive flock now? 0, or -EAGAIN. */
function* flockProbe(sys: Sys): Call<number> {
  const pid = yield* child(sys, function* () {
    const fd = yield* openF(sys);
    return -(yield* sys.flock(fd, LOCK_EX | LOCK_NB));
  });
  return -(yield* reap(sys, pid));
}

/** Polls flockProbe until the lock is free: how many polls it took (at most 100). */
function* flockFreed(sys: Sys): Call<number> {
  for (let i = 1; i <= 100; i++) {
    if ((yield* flockProbe(sys)) === 0) return i;
    yield* sys.sleep(1);
  }
  return -1;
}

/** F_GETLK from another process over [start, start+len): the holder's pid, or 0 if free. */
function* holderOf(sys: Sys, start = 0, len = 0): Call<number> {
  const pid = yield* child(sys, function* () {
    const fd = yield* openF(sys);
    const r = yield* sys.fcntl(fd, F_GETLK, [F_WRLCK, start, len]);
    return Array.isArray(r) ? (r[0] === F_UNLCK ? 0 : r[3]) : 1000 - r;
  });
  return yield* reap(sys, pid);
}

// ---------------------------------------------------------------------------------------------
// flock

Deno.test("flock: LOCK_NB gives EAGAIN; shared locks coexist; separate opens conflict", () => {
  function* t(sys: Sys): Program {
    const a = yield* openF(sys), b = yield* openF(sys), c = yield* openF(sys, O_RDONLY);
    yield* put(sys, "sh", yield* sys.flock(a, LOCK_SH), yield* sys.flock(c, LOCK_SH | LOCK_NB));
    yield* put(sys, "ex-nb", yield* sys.flock(b, LOCK_EX | LOCK_NB));
    yield* put(sys, "probe-sh", yield* flockProbe(sys));
    yield* put(sys, "unlock", yield* sys.flock(a, LOCK_UN), yield* sys.flock(c, LOCK_UN));
    yield* put(sys, "ex", yield* sys.flock(b, LOCK_EX | LOCK_NB));
    // The same process, another open file: it conflicts with itself.
    yield* put(sys, "self", yield* sys.flock(a, LOCK_SH | LOCK_NB));
    // Converting keeps the lock with the open file; relocking is allowed.
    yield* put(
      sys,
      "convert",
      yield* sys.flock(b, LOCK_SH),
      yield* sys.flock(a, LOCK_SH | LOCK_NB),
    );
    // A blocked flock waits until the holder lets go.
    const waiter = yield* child(sys, function* () {
      const fd = yield* openF(sys);
      return -(yield* sys.flock(fd, LOCK_EX));
    });
    yield* sys.sleep(3);
    yield* sys.flock(a, LOCK_UN);
    yield* sys.flock(b, LOCK_UN);
    yield* put(sys, "waiter", yield* reap(sys, waiter));
    // Bad calls.
    yield* put(
      sys,
      "bad",
      yield* sys.flock(a, 0),
      yield* sys.flock(a, LOCK_SH | LOCK_EX),
      yield* sys.flock(13, LOCK_EX),
    );
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    sh: "0 0",
    "ex-nb": String(-EAGAIN),
    "probe-sh": String(-EAGAIN),
    unlock: "0 0",
    ex: "0",
    self: String(-EAGAIN),
    convert: "0 0",
    waiter: "0",
    bad: `${-EINVAL} ${-EINVAL} ${-EBADF}`,
  });
});

Deno.test("flock with a timeout (dv6's): ETIMEDOUT once the ticks pass; the lock if it comes first", () => {
  function* t(sys: Sys): Program {
    const a = yield* openF(sys);
    yield* sys.flock(a, LOCK_EX);
    const timed = (ticks: number) =>
      child(sys, function* () {
        const fd = yield* openF(sys);
        const t0 = yield* sys.uptime();
        const r = yield* sys.flock(fd, LOCK_EX, ticks);
        yield* put(sys, `waited-${ticks}`, r, (yield* sys.uptime()) - t0);
        return 0;
      });
    yield* reap(sys, yield* timed(5));
    yield* reap(sys, yield* timed(0));
    const patient = yield* timed(50);
    yield* sys.sleep(3);
    yield* sys.flock(a, LOCK_UN);
    yield* reap(sys, patient);
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    "waited-5": `${-ETIMEDOUT} 5`,
    "waited-0": `${-ETIMEDOUT} 0`,
    "waited-50": "0 3",
  });
});

Deno.test("flock: owned by the open file: released when its last descriptor closes", () => {
  function* t(sys: Sys): Program {
    const fd = yield* openF(sys);
    const fd2 = yield* sys.dup(fd);
    yield* put(sys, "lock", yield* sys.flock(fd, LOCK_EX));
    yield* put(sys, "dup-relock", yield* sys.flock(fd2, LOCK_EX | LOCK_NB)); // same lock
    yield* sys.close(fd);
    yield* put(sys, "one-closed", yield* flockProbe(sys));
    yield* sys.close(fd2);
    yield* put(sys, "all-closed", yield* flockProbe(sys));
    // LOCK_UN through any descriptor of the open file releases it.
    const g = yield* openF(sys);
    const g2 = yield* sys.dup(g);
    yield* sys.flock(g, LOCK_EX);
    yield* sys.flock(g2, LOCK_UN);
    yield* put(sys, "un-via-dup", yield* flockProbe(sys));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    lock: "0",
    "dup-relock": "0",
    "one-closed": String(-EAGAIN),
    "all-closed": "0",
    "un-via-dup": "0",
  });
});

Deno.test("flock survives in a forked child after the parent dies; goes when the child does", () => {
  function* t(sys: Sys): Program {
    yield* sys.close(yield* openF(sys));
    const [r, w] = yield* pipe(sys);
    const [park] = yield* pipe(sys);
    const parent = yield* child(sys, function* () {
      const fd = yield* openF(sys);
      if ((yield* sys.flock(fd, LOCK_EX)) !== 0) return 1;
      const kid = yield* child(sys, function* () {
        yield* await1(sys, park);
        return 99;
      });
      yield* sys.write(w, String(kid).padStart(8));
      yield* await1(sys, park);
      return 99;
    });
    const buf = new Uint8Array(8);
    yield* sys.read(r, buf);
    const kid = Number(new TextDecoder().decode(buf));
    yield* put(sys, "held", yield* flockProbe(sys));
    yield* put(sys, "parent-killed", yield* killAndReap(sys, parent));
    yield* put(sys, "child-holds", yield* flockProbe(sys));
    yield* put(sys, "kill-child", yield* sys.kill(kid)); // init reaps it
    yield* put(sys, "freed", (yield* flockFreed(sys)) > 0);
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    held: String(-EAGAIN),
    "parent-killed": "-1",
    "child-holds": String(-EAGAIN),
    "kill-child": "0",
    freed: "true",
  });
});

Deno.test("flock is released at exit however the process dies (exit, kill, fault)", () => {
  function* t(sys: Sys): Program {
    const [r, w] = yield* pipe(sys);
    const [park] = yield* pipe(sys);
    const lock = function* (): Call<number> {
      return yield* sys.flock(yield* openF(sys), LOCK_EX);
    };
    const exits = yield* child(sys, function* () {
      yield* lock();
      return 7;
    });
    yield* put(sys, "exit", yield* reap(sys, exits), yield* flockProbe(sys));
    const killed = yield* parked(sys, lock, w, park);
    yield* await1(sys, r);
    yield* put(sys, "kill", yield* killAndReap(sys, killed), yield* flockProbe(sys));
    const faults = yield* child(sys, function* () {
      yield* lock();
      throw new Error("segfault");
    });
    yield* put(sys, "fault", yield* reap(sys, faults), yield* flockProbe(sys));
    return 0;
  }
  const r = go(t);
  assert.deepEqual(r.end, { kind: "halt", status: 0 }, r.out);
  assert.match(r.out, /usertrap\(\).*\n.*\n.*segfault/); // the faulting child was killed
  assert.deepEqual(results(r), { exit: "7 0", kill: "-1 0", fault: "-1 0" });
});

// ---------------------------------------------------------------------------------------------
// fcntl record locks

Deno.test("fcntl: F_SETLK conflicts (EAGAIN), shared read locks, ranges, F_GETLK names the holder", () => {
  function* t(sys: Sys): Program {
    const me = yield* sys.getpid();
    const fd = yield* openF(sys);
    yield* put(sys, "wr", yield* sys.fcntl(fd, F_SETLK, [F_WRLCK, 10, 5])); // [10, 15)
    yield* put(sys, "rd", yield* sys.fcntl(fd, F_SETLK, [F_RDLCK, 100, 0])); // [100, end)
    const look = yield* child(sys, function* () {
      const g = yield* openF(sys);
      const q = (l: number[]) => sys.fcntl(g, F_GETLK, l);
      yield* put(sys, "getlk-wr", yield* q([F_RDLCK, 0, 12]));
      yield* put(sys, "getlk-free", yield* q([F_WRLCK, 15, 85]));
      yield* put(sys, "getlk-rd", yield* q([F_WRLCK, 1000, 1]));
      yield* put(sys, "getlk-rd-rd", yield* q([F_RDLCK, 1000, 1]));
      yield* put(sys, "setlk", yield* sys.fcntl(g, F_SETLK, [F_WRLCK, 14, 1]));
      yield* put(sys, "setlk-rd", yield* sys.fcntl(g, F_SETLK, [F_RDLCK, 200, 10]));
      yield* put(sys, "setlk-free", yield* sys.fcntl(g, F_SETLK, [F_WRLCK, 15, 85]));
      return 0;
    });
    yield* reap(sys, look);
    yield* put(sys, "me", me);
    // Unlocking the middle of a range splits it.
    yield* sys.fcntl(fd, F_SETLK, [F_UNLCK, 11, 3]);
    yield* put(
      sys,
      "split",
      yield* holderOf(sys, 10, 1),
      yield* holderOf(sys, 11, 3),
      yield* holderOf(sys, 14, 1),
    );
    // Bad calls.
    yield* put(sys, "bad-type", yield* sys.fcntl(fd, F_SETLK, [7, 0, 1]));
    yield* put(
      sys,
      "bad-range",
      yield* sys.fcntl(fd, F_SETLK, [F_WRLCK, -1, 1]),
      yield* sys.fcntl(fd, F_SETLK, [F_WRLCK, 0, -1]),
    );
    const ro = yield* openF(sys, O_RDONLY);
    yield* put(sys, "wr-on-rdonly", yield* sys.fcntl(ro, F_SETLK, [F_WRLCK, 0, 1]));
    yield* put(sys, "bad-fd", yield* sys.fcntl(15, F_SETLK, [F_WRLCK, 0, 1]));
    return 0;
  }
  const r = go(t);
  halted0(r);
  const res = results(r);
  const me = res.me;
  assert.deepEqual(res, {
    wr: "0",
    rd: "0",
    "getlk-wr": `${F_WRLCK},10,5,${me}`,
    "getlk-free": `${F_UNLCK},15,85,0`,
    "getlk-rd": `${F_RDLCK},100,0,${me}`,
    "getlk-rd-rd": `${F_UNLCK},1000,1,0`,
    setlk: String(-EAGAIN),
    "setlk-rd": "0",
    "setlk-free": "0",
    me,
    split: `${me} 0 ${me}`,
    "bad-type": String(-EINVAL),
    "bad-range": `${-EINVAL} ${-EINVAL}`,
    "wr-on-rdonly": String(-EBADF),
    "bad-fd": String(-EBADF),
  });
});

Deno.test("fcntl locks are dropped when the process closes another descriptor of the file", () => {
  function* t(sys: Sys): Program {
    const me = yield* sys.getpid();
    const fd = yield* openF(sys);
    yield* sys.fcntl(fd, F_SETLK, [F_WRLCK, 0, 0]);
    const other = yield* openF(sys, O_RDONLY);
    yield* put(sys, "held", (yield* holderOf(sys)) === me);
    yield* sys.close(other); // not the descriptor the lock was taken through
    yield* put(sys, "after-close", yield* holderOf(sys));
    // A dup'ed descriptor, closed: the same.
    yield* sys.fcntl(fd, F_SETLK, [F_WRLCK, 0, 0]);
    yield* sys.close(yield* sys.dup(fd));
    yield* put(sys, "after-dup-close", yield* holderOf(sys));
    // Closing a descriptor of another file changes nothing.
    yield* sys.fcntl(fd, F_SETLK, [F_WRLCK, 0, 0]);
    yield* sys.close(yield* sys.open("/other", O_CREATE | O_RDWR));
    yield* put(sys, "other-file", (yield* holderOf(sys)) === me);
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    held: "true",
    "after-close": "0",
    "after-dup-close": "0",
    "other-file": "true",
  });
});

Deno.test("fcntl locks are released at exit however the process dies", () => {
  function* t(sys: Sys): Program {
    const [r, w] = yield* pipe(sys);
    const [park] = yield* pipe(sys);
    const lock = function* (): Call<number> {
      return yield* setlk(sys, yield* openF(sys), F_SETLK, [F_WRLCK, 0, 10]);
    };
    const exits = yield* child(sys, function* () {
      yield* lock();
      return 3;
    });
    yield* put(sys, "exit", yield* reap(sys, exits), yield* holderOf(sys));
    const killed = yield* parked(sys, lock, w, park);
    yield* await1(sys, r);
    yield* put(sys, "held", (yield* holderOf(sys)) === killed);
    yield* put(sys, "kill", yield* killAndReap(sys, killed), yield* holderOf(sys));
    const faults = yield* child(sys, function* () {
      yield* lock();
      throw new Error("segfault");
    });
    yield* put(sys, "fault", yield* reap(sys, faults), yield* holderOf(sys));
    // Killed while it waits in F_SETLKW for another range, holding this one.
    const blocker = yield* parked(
      sys,
      function* () {
        return yield* setlk(sys, yield* openF(sys), F_SETLK, [F_WRLCK, 50, 1]);
      },
      w,
      park,
    );
    yield* await1(sys, r);
    const waiting = yield* child(sys, function* () {
      const g = yield* openF(sys);
      yield* sys.fcntl(g, F_SETLK, [F_WRLCK, 0, 10]);
      yield* sys.fcntl(g, F_SETLKW, [F_WRLCK, 50, 1]); // blocks
      return 5;
    });
    while ((yield* holderOf(sys, 0, 10)) !== waiting) yield* sys.sleep(1);
    yield* sys.sleep(3);
    yield* put(sys, "kill-waiting", yield* killAndReap(sys, waiting), yield* holderOf(sys, 0, 10));
    yield* killAndReap(sys, blocker);
    return 0;
  }
  const r = go(t);
  assert.deepEqual(r.end, { kind: "halt", status: 0 }, r.out);
  assert.deepEqual(results(r), {
    exit: "3 0",
    held: "true",
    kill: "-1 0",
    fault: "-1 0",
    "kill-waiting": "-1 0",
  });
});

Deno.test("fcntl locks are not inherited by fork; a child's exit leaves the parent's", () => {
  function* t(sys: Sys): Program {
    const me = yield* sys.getpid();
    const fd = yield* openF(sys);
    yield* sys.fcntl(fd, F_SETLK, [F_WRLCK, 0, 10]);
    const kid = yield* child(sys, function* () {
      // Through the inherited descriptor: the parent's lock is not the child's.
      const r = yield* sys.fcntl(fd, F_GETLK, [F_WRLCK, 0, 1]);
      yield* put(sys, "child-sees", Array.isArray(r) && r[3] === me);
      yield* put(sys, "child-setlk", yield* sys.fcntl(fd, F_SETLK, [F_WRLCK, 5, 1]));
      yield* put(sys, "child-unlock", yield* sys.fcntl(fd, F_SETLK, [F_UNLCK, 0, 10]));
      yield* sys.close(fd); // its close drops its own locks only
      return 0;
    });
    yield* reap(sys, kid);
    yield* put(sys, "parent-holds", (yield* holderOf(sys, 0, 10)) === me);
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    "child-sees": "true",
    "child-setlk": String(-EAGAIN),
    "child-unlock": "0",
    "parent-holds": "true",
  });
});

Deno.test("fcntl F_SETLKW: waits for the holder; EDEADLK when waiting would deadlock", () => {
  function* t(sys: Sys): Program {
    const [r, w] = yield* pipe(sys);
    const [park] = yield* pipe(sys);
    const fd = yield* openF(sys);
    yield* sys.fcntl(fd, F_SETLK, [F_WRLCK, 0, 1]); // this process holds byte 0
    const b = yield* child(sys, function* () {
      const g = yield* openF(sys);
      yield* sys.fcntl(g, F_SETLK, [F_WRLCK, 1, 1]); // B holds byte 1
      yield* signal(sys, w);
      const got = yield* sys.fcntl(g, F_SETLKW, [F_WRLCK, 0, 1]); // waits for A
      yield* put(sys, "b-got", got);
      return 0;
    });
    yield* await1(sys, r);
    while ((yield* holderOf(sys, 1, 1)) !== b) yield* sys.sleep(1);
    yield* sys.sleep(3); // B is asleep in F_SETLKW, waiting for this process
    yield* put(sys, "deadlk", yield* sys.fcntl(fd, F_SETLKW, [F_WRLCK, 1, 1]));
    // Not every wait is a deadlock: a waiter for C's byte 2 waits, and gets it when C dies.
    const c = yield* parked(
      sys,
      function* () {
        const g = yield* openF(sys);
        return yield* setlk(sys, g, F_SETLK, [F_WRLCK, 2, 1]);
      },
      w,
      park,
    );
    yield* await1(sys, r);
    const c2 = yield* child(sys, function* () {
      const g = yield* openF(sys);
      return yield* setlk(sys, g, F_SETLKW, [F_WRLCK, 2, 1]);
    });
    yield* sys.sleep(3);
    yield* killAndReap(sys, c);
    yield* put(sys, "c2", yield* reap(sys, c2));
    yield* sys.fcntl(fd, F_SETLK, [F_UNLCK, 0, 1]); // B gets byte 0
    yield* reap(sys, b);
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), { deadlk: String(-EDEADLK), c2: "0", "b-got": "0" });
});
