// Shared memory (kernel/shm.ts): named objects, user-space atomics (each a step of its own,
// journaled as EV.ATOMIC, no kernel entry, so a process can be killed between two of them),
// futexwait/futexwake, Linux's robust futex list (FUTEX_OWNER_DIED and a wake at the owner's
// death), and the robust and plain process-shared mutexes of commands/lib/libmutex.ts built on them.

import assert from "node:assert/strict";
import { ERRNO } from "../../kernel/uapi/errno.ts";
import {
  AT_ADD,
  AT_CAS,
  AT_LOAD,
  AT_STORE,
  AT_XCHG,
  FUTEX_OWNER_DIED,
  FUTEX_TID_MASK,
  FUTEX_WAITERS,
  SHM_CREAT,
  SHM_EXCL,
} from "../../kernel/uapi/ipc.ts";
import type { Call } from "../../commands/lib/ulib.ts";
import {
  type Mutex,
  mutex_consistent,
  mutex_create,
  mutex_lock,
  mutex_open,
  mutex_unlock,
} from "../../commands/lib/libmutex.ts";
import {
  await1,
  child,
  EV,
  go,
  halted0,
  killAndReap,
  pipe,
  type Program,
  put,
  reap,
  results,
  signal,
  steps,
  type Sys,
} from "../helpers.ts";

const { EAGAIN, EEXIST, EINVAL, ENOENT, ENOTRECOVERABLE, EOWNERDEAD, ETIMEDOUT } = ERRNO;

/** Polls until process `pid` sleeps on a channel named `what`. */
function* sleepsOn(sys: Sys, pid: number, what: string): Call<void> {
  for (;;) {
    const p = (yield* sys.procs()).find((q) => q.pid === pid);
    if (p !== undefined && p.state.trim() === "sleep" && p.waitsFor === what) return;
    yield* sys.sleep(1);
  }
}

Deno.test("shared objects: named, inherited by fork, found by name, EEXIST, ENOENT, EINVAL", () => {
  function* t(sys: Sys): Program {
    const h = yield* sys.shmopen("obj", 4, SHM_CREAT);
    yield* put(sys, "again", (yield* sys.shmopen("obj", 4, 0)) === h);
    yield* put(sys, "excl", yield* sys.shmopen("obj", 4, SHM_CREAT | SHM_EXCL));
    yield* put(sys, "missing", yield* sys.shmopen("nope", 4, 0));
    yield* put(sys, "words0", yield* sys.shmopen("z", 0, SHM_CREAT));
    yield* put(sys, "words-huge", yield* sys.shmopen("z", (1 << 16) + 1, SHM_CREAT));
    const p1 = yield* sys.shmopen("", 1, SHM_CREAT), p2 = yield* sys.shmopen("", 1, SHM_CREAT);
    yield* put(sys, "private", p1 !== p2 && p1 !== h);
    yield* sys.atomic(AT_STORE, h, 2, 42);
    // A forked child has the parent's mappings; a spawned program opens the name.
    const c = yield* child(sys, function* () {
      return yield* sys.atomic(AT_ADD, h, 2, 1);
    });
    yield* put(sys, "child-saw", yield* reap(sys, c));
    const s = yield* sys.spawn("/bin/other", ["other", String(h)]);
    yield* put(sys, "spawned", yield* reap(sys, s));
    yield* put(sys, "word", yield* sys.atomic(AT_LOAD, h, 2));
    // Unlinking drops the name; whoever mapped the object keeps it.
    yield* put(sys, "unlink", yield* sys.shmunlink("obj"), yield* sys.shmunlink("obj"));
    yield* put(
      sys,
      "after-unlink",
      yield* sys.shmopen("obj", 4, 0),
      yield* sys.atomic(AT_LOAD, h, 2),
    );
    // A futex call on a handle this process has not mapped, or out of range: EINVAL.
    yield* put(sys, "futex-bad", yield* sys.futexwake(9999, 0, 1), yield* sys.futexwake(h, 4, 1));
    return 0;
  }
  function* other(sys: Sys, argv: string[]): Program {
    const h = yield* sys.shmopen("obj", 4, 0);
    if (h !== Number(argv[1])) return 1;
    yield* sys.atomic(AT_ADD, h, 2, 10);
    return 0;
  }
  const r = go(t, { programs: { other } });
  halted0(r);
  assert.deepEqual(results(r), {
    again: "true",
    excl: String(-EEXIST),
    missing: String(-ENOENT),
    words0: String(-EINVAL),
    "words-huge": String(-EINVAL),
    "private": "true",
    "child-saw": "42",
    spawned: "0",
    word: "53",
    unlink: `0 ${-ENOENT}`,
    "after-unlink": `${-ENOENT} 53`,
    "futex-bad": `${-EINVAL} ${-EINVAL}`,
  });
});

Deno.test("atomics: each is one step (EV.ATOMIC), no kernel entry, answering the old value", () => {
  function* t(sys: Sys): Program {
    const h = yield* sys.shmopen("w", 2, SHM_CREAT);
    yield* sys.getpid(); // a system call just before, and just after
    const olds = [
      yield* sys.atomic(AT_STORE, h, 0, 5),
      yield* sys.atomic(AT_ADD, h, 0, 3),
      yield* sys.atomic(AT_CAS, h, 0, 8, 20),
      yield* sys.atomic(AT_CAS, h, 0, 8, 30),
      yield* sys.atomic(AT_XCHG, h, 0, -1),
      yield* sys.atomic(AT_LOAD, h, 0),
      yield* sys.atomic(AT_ADD, h, 1, 0x7fffffff),
      yield* sys.atomic(AT_ADD, h, 1, 1),
      yield* sys.atomic(AT_LOAD, h, 1),
    ];
    yield* sys.getpid();
    yield* put(sys, "olds", ...olds);
    return 0;
  }
  const r = go(t, { cpus: 1 });
  halted0(r);
  // 32-bit words: 0x7fffffff + 1 wraps to -2^31.
  assert.equal(results(r).olds, "0 5 8 20 20 -1 0 2147483647 -2147483648");
  const all = steps(r.journal);
  const atomics = all.filter((s) => s.ev.k === EV.ATOMIC);
  const evs = atomics.map((s) => s.ev as Extract<typeof s.ev, { n: number }>);
  assert.equal(atomics.length, 9);
  const pid = atomics[0].pid;
  assert.ok(atomics.every((s) => s.pid === pid));
  assert.deepEqual(evs.map((e) => e.a[0]), [
    AT_STORE,
    AT_ADD,
    AT_CAS,
    AT_CAS,
    AT_XCHG,
    AT_LOAD,
    AT_ADD,
    AT_ADD,
    AT_LOAD,
  ]);
  assert.deepEqual(evs.map((e) => e.r), [0, 5, 8, 20, 20, -1, 0, 2147483647, -2147483648]);
  // Between the first and the last, this process took no other step: no lock, no system call.
  const first = all.indexOf(atomics[0]), last = all.indexOf(atomics[8]);
  const between = all.slice(first, last + 1).filter((s) => s.pid === pid);
  assert.equal(between.length, 9, JSON.stringify(between.map((s) => s.ev.k)));
});

Deno.test("a process can be killed between two atomics (seen across seeds)", () => {
  // The victim adds 1 to word 0, then to word 1, forever. Killed at a timer tick, it stops
  // after one of them: word 0 is word 1, or word 1 + 1.
  function* t(sys: Sys): Program {
    const h = yield* sys.shmopen("w", 2, SHM_CREAT);
    const [r, w] = yield* pipe(sys);
    const v = yield* child(sys, function* () {
      yield* signal(sys, w);
      for (;;) {
        yield* sys.atomic(AT_ADD, h, 0, 1);
        yield* sys.atomic(AT_ADD, h, 1, 1);
      }
    });
    yield* await1(sys, r);
    yield* killAndReap(sys, v);
    const a = yield* sys.atomic(AT_LOAD, h, 0), b = yield* sys.atomic(AT_LOAD, h, 1);
    yield* put(sys, "gap", a - b, a > 0);
    return 0;
  }
  const gaps = new Set<string>();
  for (let seed = 0; seed < 40 && gaps.size < 2; seed++) {
    const r = go(t, { sched: "random", seed });
    halted0(r);
    gaps.add(results(r).gap);
  }
  assert.deepEqual([...gaps].sort(), ["0 true", "1 true"]);
});

Deno.test("futexwait and futexwake: EAGAIN, ETIMEDOUT, FIFO wakes, kill, ps shows the label", () => {
  function* t(sys: Sys): Program {
    const h = yield* sys.shmopen("f", 1, SHM_CREAT);
    yield* put(sys, "mismatch", yield* sys.futexwait(h, 0, 1));
    const t0 = yield* sys.uptime();
    yield* put(sys, "timeout", yield* sys.futexwait(h, 0, 0, 2), (yield* sys.uptime()) - t0 >= 2);
    yield* put(sys, "nobody", yield* sys.futexwake(h, 0, 5));
    const kids: number[] = [];
    for (let i = 0; i < 3; i++) {
      kids.push(yield* child(sys, () => sys.futexwait(h, 0, 0, -1, `futex-test ${i}`)));
      yield* sleepsOn(sys, kids[i], `futex-test ${i}`);
    }
    yield* put(sys, "wake2", yield* sys.futexwake(h, 0, 2));
    const first = [yield* sys.wait(), yield* sys.wait()].map(([pid, st]) =>
      `${kids.indexOf(pid)}:${st}`
    ).sort();
    yield* put(sys, "woken", ...first);
    // The last one is killed while it waits.
    yield* put(sys, "killed", yield* killAndReap(sys, kids[2]));
    yield* put(sys, "wake-after", yield* sys.futexwake(h, 0, 5));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    mismatch: String(-EAGAIN),
    timeout: `${-ETIMEDOUT} true`,
    nobody: "0",
    wake2: "2",
    woken: "0:0 1:0",
    killed: "-1",
    "wake-after": "0",
  });
});

/** Takes a robust futex word by hand: CAS 0 -> pid, linked on the robust list `rl` at
 * entry `slot` (0 is list_op_pending). */
function* takeRobust(sys: Sys, rl: number, h: number, slot: number): Call<number> {
  const pid = yield* sys.getpid();
  const old = yield* sys.atomic(AT_CAS, h, 0, 0, pid);
  yield* sys.atomic(AT_STORE, rl, slot, (h << 16) | 0);
  return old;
}

/** Waits for a futex word the way glibc's lock does: set FUTEX_WAITERS, sleep while the word
 * stays; reports the word it finds when woken. */
function* waitOwner(sys: Sys, h: number, label: string): Call<number> {
  for (;;) {
    const old = yield* sys.atomic(AT_LOAD, h, 0);
    if (old === 0 || old & FUTEX_OWNER_DIED) return old;
    const want = (old | FUTEX_WAITERS) | 0;
    if (old !== want && (yield* sys.atomic(AT_CAS, h, 0, old, want)) !== old) continue;
    yield* sys.futexwait(h, 0, want, -1, label);
  }
}

Deno.test("robust list: the owner dies, its word gets FUTEX_OWNER_DIED and a waiter wakes", () => {
  function* t(sys: Sys): Program {
    const m = yield* sys.shmopen("mtx", 3, SHM_CREAT);
    const [r, w] = yield* pipe(sys);
    const [park] = yield* pipe(sys);
    const owner = yield* child(sys, function* () {
      const rl = yield* sys.shmopen("", 4, SHM_CREAT);
      if ((yield* sys.setrobustlist(rl)) !== 0) return 1;
      yield* takeRobust(sys, rl, m, 1); // word 0: linked
      const pid = yield* sys.getpid();
      yield* sys.atomic(AT_CAS, m, 1, 0, pid); // word 1: taken, only list_op_pending set
      yield* sys.atomic(AT_STORE, rl, 0, (m << 16) | 1);
      yield* sys.atomic(AT_STORE, m, 2, 12345); // word 2: not this process's: left alone
      yield* sys.atomic(AT_STORE, rl, 2, (m << 16) | 2);
      yield* signal(sys, w);
      yield* await1(sys, park);
      return 2;
    });
    yield* await1(sys, r);
    yield* put(sys, "owned", (yield* sys.atomic(AT_LOAD, m, 0)) === owner);
    const waiter = yield* child(sys, function* () {
      const word = yield* waitOwner(sys, m, "robust-test");
      yield* put(
        sys,
        "waiter-saw",
        (word & FUTEX_OWNER_DIED) !== 0,
        (word & FUTEX_WAITERS) !== 0,
        word & FUTEX_TID_MASK,
      );
      return 0;
    });
    yield* sleepsOn(sys, waiter, "robust-test");
    yield* put(sys, "waiters-bit", ((yield* sys.atomic(AT_LOAD, m, 0)) & FUTEX_WAITERS) !== 0);
    yield* put(sys, "owner", yield* killAndReap(sys, owner));
    yield* put(sys, "waiter", yield* reap(sys, waiter));
    const w1 = yield* sys.atomic(AT_LOAD, m, 1);
    yield* put(sys, "pending", w1 === FUTEX_OWNER_DIED);
    yield* put(sys, "foreign", yield* sys.atomic(AT_LOAD, m, 2));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    owned: "true",
    "waiters-bit": "true",
    owner: "-1",
    "waiter-saw": "true true 0",
    waiter: "0",
    pending: "true",
    foreign: "12345",
  });
});

Deno.test("robust list: an owner that exits normally holding the word also leaves OWNER_DIED", () => {
  function* t(sys: Sys): Program {
    const m = yield* sys.shmopen("mtx", 1, SHM_CREAT);
    const owner = yield* child(sys, function* () {
      const rl = yield* sys.shmopen("", 2, SHM_CREAT);
      yield* sys.setrobustlist(rl);
      yield* takeRobust(sys, rl, m, 1);
      return 0;
    });
    yield* put(sys, "status", yield* reap(sys, owner));
    yield* put(sys, "word", (yield* sys.atomic(AT_LOAD, m, 0)) === FUTEX_OWNER_DIED);
    // Without a robust list nothing marks the word: it keeps the dead owner's pid.
    const plain = yield* child(sys, function* () {
      yield* sys.atomic(AT_STORE, m, 0, yield* sys.getpid());
      return 0;
    });
    yield* reap(sys, plain);
    yield* put(sys, "plain", (yield* sys.atomic(AT_LOAD, m, 0)) === plain);
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), { status: "0", word: "true", plain: "true" });
});

// ---------------------------------------------------------------------------------------------
// Robust mutexes, through the user library.

function* openM(sys: Sys, name: string): Call<Mutex> {
  const m = yield* mutex_open(sys, name);
  if (typeof m === "number") throw new Error(`mutex_open ${name}: ${m}`);
  return m;
}

/** A child that locks mutex `name`, reports what lock answered, then (in order) marks it
 * consistent, parks until killed, or unlocks, as asked. */
function* locker(
  sys: Sys,
  name: string,
  tag: string,
  o: { consistent?: boolean; park?: number; ready?: number; unlock?: boolean },
): Call<number> {
  return yield* child(sys, function* () {
    const m = yield* openM(sys, name);
    const r = yield* mutex_lock(sys, m);
    yield* put(sys, tag, r);
    if (o.consistent) yield* put(sys, tag + "-consistent", yield* mutex_consistent(sys, m));
    if (o.ready !== undefined) yield* signal(sys, o.ready);
    if (o.park !== undefined) yield* await1(sys, o.park);
    if (o.unlock) yield* put(sys, tag + "-unlock", yield* mutex_unlock(sys, m));
    return 0;
  });
}

Deno.test("robust mutex: EOWNERDEAD, consistent then unlock makes it usable again", () => {
  function* t(sys: Sys): Program {
    if (typeof (yield* mutex_create(sys, "m", true)) === "number") return 1;
    const [r, w] = yield* pipe(sys);
    const [park] = yield* pipe(sys);
    const owner = yield* locker(sys, "m", "owner", { ready: w, park });
    yield* await1(sys, r);
    // A waiter sleeps on it; the owner is killed; the waiter gets it with EOWNERDEAD.
    const heir = yield* locker(sys, "m", "heir", { consistent: true, unlock: true });
    yield* sleepsOn(sys, heir, "mutex m");
    yield* killAndReap(sys, owner);
    yield* reap(sys, heir);
    const next = yield* locker(sys, "m", "next", { unlock: true });
    yield* reap(sys, next);
    // The recovered owner itself dies before consistent: the next lock gets EOWNERDEAD again.
    const again = yield* locker(sys, "m", "again", { ready: w, park });
    yield* await1(sys, r);
    yield* killAndReap(sys, again);
    const last = yield* locker(sys, "m", "last", { consistent: true, unlock: true });
    yield* reap(sys, last);
    const m = yield* openM(sys, "m");
    yield* put(sys, "consistent-not-inconsistent", yield* mutex_consistent(sys, m));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    owner: "0",
    heir: String(-EOWNERDEAD),
    "heir-consistent": "0",
    "heir-unlock": "0",
    next: "0",
    "next-unlock": "0",
    again: "0",
    last: String(-EOWNERDEAD),
    "last-consistent": "0",
    "last-unlock": "0",
    "consistent-not-inconsistent": String(-EINVAL),
  });
});

Deno.test("robust mutex: unlock without consistent makes every later lock ENOTRECOVERABLE", () => {
  function* t(sys: Sys): Program {
    if (typeof (yield* mutex_create(sys, "m", true)) === "number") return 1;
    const [r, w] = yield* pipe(sys);
    const [park] = yield* pipe(sys);
    const owner = yield* locker(sys, "m", "owner", { ready: w, park });
    yield* await1(sys, r);
    yield* killAndReap(sys, owner);
    const heir = yield* locker(sys, "m", "heir", { unlock: true });
    yield* reap(sys, heir);
    for (const tag of ["later1", "later2"]) yield* reap(sys, yield* locker(sys, "m", tag, {}));
    const m = yield* openM(sys, "m");
    yield* put(sys, "self", yield* mutex_lock(sys, m));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    owner: "0",
    heir: String(-EOWNERDEAD),
    "heir-unlock": "0",
    later1: String(-ENOTRECOVERABLE),
    later2: String(-ENOTRECOVERABLE),
    self: String(-ENOTRECOVERABLE),
  });
});

function* plainDeadlock(sys: Sys): Program {
  if (typeof (yield* mutex_create(sys, "plain", false)) === "number") return 1;
  const [r, w] = yield* pipe(sys);
  const [park] = yield* pipe(sys);
  const owner = yield* locker(sys, "plain", "owner", { ready: w, park });
  yield* await1(sys, r);
  const waiter = yield* locker(sys, "plain", "waiter", {});
  yield* sleepsOn(sys, waiter, "mutex plain");
  yield* put(sys, "pids", owner, waiter);
  yield* killAndReap(sys, owner);
  yield* reap(sys, waiter); // never returns
  return 0;
}

Deno.test("plain mutex: its owner dies, the waiter sleeps forever: a deadlock report names it", () => {
  const r = go(plainDeadlock);
  assert.equal(r.end?.kind, "deadlock", r.out);
  const report = r.end?.kind === "deadlock" ? r.end.report : "";
  const [, waiter] = results(r).pids.split(" ");
  assert.match(report, new RegExp(`pid ${waiter} \\(t\\) waits for mutex plain\\b`));
  assert.equal(results(r).waiter, undefined, "the waiter never got the lock");
});

// Issue 4 asks that the deadlock report name the dead owner.
Deno.test({
  name: "plain mutex deadlock: the report names the dead owner",
  fn() {
    const r = go(plainDeadlock);
    assert.equal(r.end?.kind, "deadlock", r.out);
    const report = r.end?.kind === "deadlock" ? r.end.report : "";
    const [owner] = results(r).pids.split(" ");
    assert.match(report, new RegExp(`\\b${owner}\\b`), report);
  },
});

// Linux walks a process's robust list at execve() too ("a process-shared robust mutex owner
// doing execve() without unlocking also triggers EOWNERDEAD", since 2.6.28), and the new
// program starts with no robust list.
function* execHolder(sys: Sys): Program {
  if (typeof (yield* mutex_create(sys, "m", true)) === "number") return 1;
  const [r, w] = yield* pipe(sys);
  const [park] = yield* pipe(sys);
  const owner = yield* child(sys, function* () {
    const m = yield* openM(sys, "m");
    if ((yield* mutex_lock(sys, m)) !== 0) return 1;
    yield* signal(sys, w);
    yield* sys.exec("/bin/parker", ["parker", String(park)]);
    return 2;
  });
  yield* await1(sys, r);
  yield* sys.sleep(2); // the owner has exec'd by now
  const heir = yield* locker(sys, "m", "heir", {});
  yield* reap(sys, heir);
  yield* killAndReap(sys, owner);
  return 0;
}

function* parker(sys: Sys, argv: string[]): Program {
  yield* await1(sys, Number(argv[1]));
  return 0;
}

Deno.test({
  name:
    "robust mutex: an owner that execs without unlocking leaves it to the next lock (EOWNERDEAD)",
  fn() {
    const r = go(execHolder, { programs: { parker } });
    halted0(r);
    assert.equal(results(r).heir, String(-EOWNERDEAD));
  },
});
