// System V semaphores (kernel/sem.ts, the semget/semop/semctl system calls), one test per
// Linux rule of issue 4 (robust-ipc.md section 3), seen by test programs through the raw
// calls (they return -errno) and, after the run, in the machine's semaphore table.

import assert from "node:assert/strict";
import { ERRNO } from "../../kernel/uapi/errno.ts";
import {
  GETALL,
  GETNCNT,
  GETPID,
  GETVAL,
  GETZCNT,
  IPC_CREAT,
  IPC_EXCL,
  IPC_NOWAIT,
  IPC_PRIVATE,
  IPC_RMID,
  SEM_INFO,
  SEM_UNDO,
  type SemBuf,
  sembuf,
  SEMMSL,
  SETALL,
  SETVAL,
} from "../../kernel/uapi/ipc.ts";
import {
  await1,
  child,
  go,
  halted0,
  killAndReap,
  pipe,
  type Program,
  put,
  reap,
  results,
  semvals,
  signal,
  type Sys,
  waiters,
} from "../helpers.ts";
import type { Call } from "../../commands/lib/ulib.ts";

const U = SEM_UNDO, NW = IPC_NOWAIT;
const { E2BIG, EAGAIN, EEXIST, EFBIG, EIDRM, EINVAL, ENOENT, ERANGE } = ERRNO;

/** A new private set with these values (one semaphore each): its id. */
function* newSet(sys: Sys, vals: number[]): Call<number> {
  const id = yield* sys.semget(IPC_PRIVATE, vals.length, 0o600);
  if (id < 0) throw new Error(`semget: ${id}`);
  if ((yield* sys.semctl(id, 0, SETALL, vals)) !== 0) throw new Error("SETALL failed");
  return id;
}

function* getall(sys: Sys, id: number): Call<string> {
  return ((yield* sys.semctl(id, 0, GETALL)) as number[]).join(",");
}

/** A child that does `ops` (must not block), signals on `ready`, then parks on `park` until
 * it is killed. If the semop fails, the child exits at once with status 100 + errno. */
function* holder(
  sys: Sys,
  id: number,
  ops: SemBuf[],
  ready: number,
  park: number,
): Call<number> {
  return yield* child(sys, function* () {
    const r = yield* sys.semop(id, ops);
    if (r !== 0) return 100 - r;
    yield* signal(sys, ready);
    yield* await1(sys, park);
    return 99; // never signalled: not reached
  });
}

Deno.test("semget: IPC_PRIVATE, keys, IPC_CREAT and IPC_EXCL (EEXIST), ENOENT, EINVAL", () => {
  function* t(sys: Sys): Program {
    const a = yield* sys.semget(IPC_PRIVATE, 2, 0o600);
    const b = yield* sys.semget(IPC_PRIVATE, 2, IPC_CREAT | IPC_EXCL | 0o600);
    yield* put(sys, "private", a >= 0 && b >= 0 && a !== b);
    yield* put(sys, "nokey", yield* sys.semget(1234, 1, 0o600));
    const k = yield* sys.semget(1234, 3, IPC_CREAT | 0o600);
    yield* put(sys, "created", k >= 0 && k !== a && k !== b);
    yield* put(sys, "same", (yield* sys.semget(1234, 3, 0)) === k);
    yield* put(sys, "same-creat", (yield* sys.semget(1234, 2, IPC_CREAT | 0o600)) === k);
    yield* put(sys, "same-nsems0", (yield* sys.semget(1234, 0, 0)) === k);
    yield* put(sys, "excl", yield* sys.semget(1234, 3, IPC_CREAT | IPC_EXCL | 0o600));
    yield* put(sys, "bigger", yield* sys.semget(1234, 4, 0));
    yield* put(sys, "nsems0", yield* sys.semget(IPC_PRIVATE, 0, 0o600));
    yield* put(sys, "nsems-neg", yield* sys.semget(5678, -1, IPC_CREAT | 0o600));
    yield* put(sys, "nsems-max", (yield* sys.semget(IPC_PRIVATE, SEMMSL, 0o600)) >= 0);
    yield* put(sys, "nsems-over", yield* sys.semget(IPC_PRIVATE, SEMMSL + 1, 0o600));
    yield* put(sys, "initial", yield* getall(sys, k));
    // Another process finds the set by its key.
    const [r, w] = yield* pipe(sys);
    const pid = yield* child(sys, function* () {
      const id = yield* sys.semget(1234, 0, 0);
      yield* sys.write(w, id === k ? "y" : "n");
      return 0;
    });
    const buf = new Uint8Array(1);
    yield* sys.read(r, buf);
    yield* put(sys, "child-finds", String.fromCharCode(buf[0]));
    yield* reap(sys, pid);
    // After IPC_RMID the key is free again.
    yield* put(sys, "rmid", yield* sys.semctl(k, 0, IPC_RMID));
    yield* put(sys, "gone", yield* sys.semget(1234, 1, 0));
    const k2 = yield* sys.semget(1234, 1, IPC_CREAT | IPC_EXCL | 0o600);
    yield* put(sys, "recreated", k2 >= 0 && k2 !== k);
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    "private": "true",
    nokey: String(-ENOENT),
    created: "true",
    same: "true",
    "same-creat": "true",
    "same-nsems0": "true",
    excl: String(-EEXIST),
    bigger: String(-EINVAL),
    nsems0: String(-EINVAL),
    "nsems-neg": String(-EINVAL),
    "nsems-max": "true",
    "nsems-over": String(-EINVAL),
    initial: "0,0,0",
    "child-finds": "y",
    rmid: "0",
    gone: String(-ENOENT),
    recreated: "true",
  });
});

Deno.test("semop: positive ops add, negative ops take or wait, zero ops wait for zero", () => {
  function* t(sys: Sys): Program {
    const id = yield* newSet(sys, [0, 0]);
    yield* put(sys, "add", yield* sys.semop(id, [sembuf(0, 3)]), yield* getall(sys, id));
    yield* put(sys, "take", yield* sys.semop(id, [sembuf(0, -2)]), yield* getall(sys, id));
    yield* put(sys, "zero-at-0", yield* sys.semop(id, [sembuf(1, 0)]));
    // A negative op waits until the value is large enough, then takes it.
    const taker = yield* child(sys, function* () {
      return yield* sys.semop(id, [sembuf(0, -3)]);
    });
    yield* waiters(sys, id, 0, 1);
    yield* sys.semop(id, [sembuf(0, 1)]); // 2: not enough yet
    yield* sys.sleep(2);
    yield* put(sys, "still-waiting", yield* sys.semctl(id, 0, GETNCNT), yield* getall(sys, id));
    yield* sys.semop(id, [sembuf(0, 1)]); // 3: the waiter's op is done for it
    yield* put(sys, "taker", yield* reap(sys, taker), yield* getall(sys, id));
    // A zero op waits while the value is not zero.
    yield* sys.semop(id, [sembuf(1, 2)]);
    const zero = yield* child(sys, function* () {
      return yield* sys.semop(id, [sembuf(1, 0)]);
    });
    yield* waiters(sys, id, 1, 1, true);
    yield* sys.semop(id, [sembuf(1, -1)]);
    yield* sys.sleep(2);
    yield* put(sys, "zero-waiting", yield* sys.semctl(id, 1, GETZCNT));
    yield* sys.semop(id, [sembuf(1, -1)]);
    yield* put(sys, "zero", yield* reap(sys, zero), yield* getall(sys, id));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    add: "0 3,0",
    take: "0 1,0",
    "zero-at-0": "0",
    "still-waiting": "1 2,0",
    taker: "0 0,0",
    "zero-waiting": "1",
    zero: "0 0,0",
  });
});

Deno.test("semop applies the whole array atomically, or nothing", () => {
  function* t(sys: Sys): Program {
    const id = yield* newSet(sys, [1, 0, 32767]);
    // The second op would block: with IPC_NOWAIT, EAGAIN and the first is not done either.
    yield* put(sys, "nowait", yield* sys.semop(id, [sembuf(0, -1), sembuf(1, -1, NW)]));
    yield* put(sys, "nowait-vals", yield* getall(sys, id));
    // The second op would pass SEMVMX: ERANGE, and the first is not done.
    yield* put(sys, "erange", yield* sys.semop(id, [sembuf(0, -1), sembuf(2, 1)]));
    yield* put(sys, "erange-vals", yield* getall(sys, id));
    // Operations apply in array order, to the values the earlier ones left.
    yield* put(
      sys,
      "order",
      yield* sys.semop(id, [sembuf(0, 1), sembuf(0, -2), sembuf(0, 0)]),
    );
    yield* put(sys, "order-vals", yield* getall(sys, id));
    yield* put(sys, "order-bad", yield* sys.semop(id, [sembuf(0, -1, NW), sembuf(0, 1)]));
    yield* sys.semop(id, [sembuf(0, 1)]);
    // A blocked array holds nothing meanwhile: the value it would take stays for others.
    const both = yield* child(sys, function* () {
      return yield* sys.semop(id, [sembuf(0, -1), sembuf(1, -1)]);
    });
    yield* waiters(sys, id, 1, 1);
    yield* put(sys, "blocked-vals", yield* getall(sys, id));
    yield* put(sys, "other-takes", yield* sys.semop(id, [sembuf(0, -1, NW)]));
    yield* sys.semop(id, [sembuf(1, 1)]); // sem 1 is there, sem 0 is not: still blocked
    yield* sys.sleep(2);
    const ncnt = (yield* sys.semctl(id, 0, GETNCNT)) as number +
      ((yield* sys.semctl(id, 1, GETNCNT)) as number);
    yield* put(sys, "half", ncnt, yield* getall(sys, id));
    yield* sys.semop(id, [sembuf(0, 1)]); // now both: done for it, together
    yield* put(sys, "both", yield* reap(sys, both), yield* getall(sys, id));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    nowait: String(-EAGAIN),
    "nowait-vals": "1,0,32767",
    erange: String(-ERANGE),
    "erange-vals": "1,0,32767",
    order: "0",
    "order-vals": "0,0,32767",
    "order-bad": String(-EAGAIN),
    "blocked-vals": "1,0,32767",
    "other-takes": "0",
    // Still one waiter (counted once), and sem 1 untouched.
    half: "1 0,1,32767",
    both: "0 0,0,32767",
  });
});

Deno.test("semop with IPC_NOWAIT: EAGAIN instead of waiting, for negative and zero ops", () => {
  function* t(sys: Sys): Program {
    const id = yield* newSet(sys, [0, 1]);
    yield* put(sys, "neg", yield* sys.semop(id, [sembuf(0, -1, NW)]));
    yield* put(sys, "neg-undo", yield* sys.semop(id, [sembuf(0, -1, NW | U)]));
    yield* put(sys, "zero", yield* sys.semop(id, [sembuf(1, 0, NW)]));
    yield* put(sys, "counts", yield* sys.semctl(id, 0, GETNCNT), yield* sys.semctl(id, 1, GETZCNT));
    yield* put(sys, "vals", yield* getall(sys, id));
    yield* put(sys, "ok", yield* sys.semop(id, [sembuf(1, -1, NW), sembuf(1, 0, NW)]));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    neg: String(-EAGAIN),
    "neg-undo": String(-EAGAIN),
    zero: String(-EAGAIN),
    counts: "0 0",
    vals: "0,1",
    ok: "0",
  });
});

Deno.test("semtimedop: the timeout (virtual ticks) ends the wait with EAGAIN, nothing done", () => {
  function* t(sys: Sys): Program {
    const id = yield* newSet(sys, [1, 0]);
    let t0 = yield* sys.uptime();
    const r = yield* sys.semop(id, [sembuf(0, -1, U), sembuf(1, -1)], 3);
    const waited = (yield* sys.uptime()) - t0;
    yield* put(sys, "timeout", r, waited >= 3 && waited <= 4, yield* getall(sys, id));
    yield* put(sys, "ncnt-after", yield* sys.semctl(id, 1, GETNCNT));
    t0 = yield* sys.uptime();
    yield* put(sys, "zero-timeout", yield* sys.semop(id, [sembuf(1, -1)], 0));
    yield* put(sys, "zero-timeout-ticks", (yield* sys.uptime()) - t0);
    yield* put(sys, "wait-for-zero", yield* sys.semop(id, [sembuf(0, 0)], 2));
    // Satisfied before its timeout: the op is done, 0.
    const early = yield* child(sys, function* () {
      return yield* sys.semop(id, [sembuf(1, -1)], 1000);
    });
    yield* waiters(sys, id, 1, 1);
    t0 = yield* sys.uptime();
    yield* sys.semop(id, [sembuf(1, 1)]);
    yield* put(sys, "early", yield* reap(sys, early), yield* getall(sys, id));
    yield* put(sys, "early-fast", (yield* sys.uptime()) - t0 < 1000);
    // The process that undid nothing has no adjustment: its exit changes nothing (sem 0
    // stays 1, checked after the run).
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    timeout: `${-EAGAIN} true 1,0`,
    "ncnt-after": "0",
    "zero-timeout": String(-EAGAIN),
    "zero-timeout-ticks": "0",
    "wait-for-zero": String(-EAGAIN),
    early: "0 1,0",
    "early-fast": "true",
  });
});

Deno.test("SEM_UNDO: a killed holder with SEM_UNDO gives its token back, one without leaks it", () => {
  function* t(sys: Sys): Program {
    const id = yield* newSet(sys, [2]);
    const [r, w] = yield* pipe(sys);
    const [park] = yield* pipe(sys);
    const withUndo = yield* holder(sys, id, [sembuf(0, -1, U)], w, park);
    yield* await1(sys, r);
    const without = yield* holder(sys, id, [sembuf(0, -1)], w, park);
    yield* await1(sys, r);
    yield* put(sys, "held", yield* getall(sys, id));
    yield* put(sys, "kill-undo", yield* killAndReap(sys, withUndo), yield* getall(sys, id));
    yield* put(sys, "undo-pid", (yield* sys.semctl(id, 0, GETPID)) === withUndo);
    yield* put(sys, "kill-plain", yield* killAndReap(sys, without), yield* getall(sys, id));
    yield* put(sys, "id", id);
    return 0;
  }
  const r = go(t);
  halted0(r);
  const res = results(r);
  assert.deepEqual(res, {
    held: "0",
    "kill-undo": "-1 1", // killed (status -1); the token is back
    "undo-pid": "true", // sempid: the exiting process, as exit_sem sets it
    "kill-plain": "-1 1", // the second token leaked
    id: res.id,
  });
  assert.deepEqual(semvals(r, Number(res.id)), [1]);
});

Deno.test("SEM_UNDO at exit: the undo wakes the waiters it satisfies, in FIFO order", () => {
  function* t(sys: Sys): Program {
    const id = yield* newSet(sys, [1, 0]);
    const [r, w] = yield* pipe(sys);
    const [park] = yield* pipe(sys);
    const h = yield* holder(sys, id, [sembuf(0, -1, U), sembuf(1, 1, U)], w, park); // [0, 1]
    yield* await1(sys, r);
    const first = yield* child(sys, () => sys.semop(id, [sembuf(0, -1)]));
    yield* waiters(sys, id, 0, 1);
    const second = yield* child(sys, () => sys.semop(id, [sembuf(0, -1)]));
    yield* waiters(sys, id, 0, 2);
    const zero = yield* child(sys, () => sys.semop(id, [sembuf(1, 0)]));
    yield* waiters(sys, id, 1, 1, true);
    yield* put(sys, "holder", yield* killAndReap(sys, h)); // gives sem 0 back, takes sem 1
    // Woken: the oldest waiter for sem 0 (the second still waits) and the zero waiter.
    const names = new Map([[first, "first"], [second, "second"], [zero, "zero"]]);
    const woken: string[] = [];
    for (let i = 0; i < 2; i++) {
      const [pid, st] = yield* sys.wait();
      woken.push(`${names.get(pid)}:${st}`);
    }
    yield* put(sys, "woken", ...woken.sort());
    yield* put(sys, "left", yield* sys.semctl(id, 0, GETNCNT), yield* getall(sys, id));
    yield* sys.semop(id, [sembuf(0, 1)]);
    yield* put(sys, "second", yield* reap(sys, second));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    holder: "-1",
    woken: "first:0 zero:0",
    left: "1 0,0",
    second: "0",
  });
});

Deno.test("SEM_UNDO at exit: the value is clamped to 0..32767", () => {
  function* t(sys: Sys): Program {
    const id = yield* newSet(sys, [1, 0]);
    const [r, w] = yield* pipe(sys);
    const [park] = yield* pipe(sys);
    // Upper bound: the holder's +1 would take the value to 32768.
    const high = yield* holder(sys, id, [sembuf(0, -1, U)], w, park);
    yield* await1(sys, r);
    yield* put(sys, "fill", yield* sys.semop(id, [sembuf(0, 32767)]));
    yield* killAndReap(sys, high);
    yield* put(sys, "high", yield* getall(sys, id));
    // Lower bound: the poster's -1 would take the value below 0.
    const low = yield* holder(sys, id, [sembuf(1, 1, U)], w, park);
    yield* await1(sys, r);
    yield* put(sys, "drain", yield* sys.semop(id, [sembuf(1, -1)]));
    yield* killAndReap(sys, low);
    yield* put(sys, "low", yield* getall(sys, id));
    yield* put(sys, "low-pid", (yield* sys.semctl(id, 1, GETPID)) === low);
    // A waiter that the clamped undo satisfies is woken.
    const zero = yield* child(sys, function* () {
      return yield* sys.semop(id, [sembuf(0, 0)]);
    });
    const takeAll = yield* holder(sys, id, [sembuf(0, 1, U)], w, park); // 32767 + 1: ERANGE
    yield* put(sys, "over", yield* reap(sys, takeAll));
    yield* sys.semctl(id, 0, SETVAL, 0); // clears nothing anyone holds; wakes the zero waiter
    yield* put(sys, "zero", yield* reap(sys, zero));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    fill: "0",
    high: "32767,0",
    drain: "0",
    low: "32767,0",
    "low-pid": "true",
    over: String(100 + ERANGE),
    zero: "0",
  });
});

Deno.test("ERANGE past SEMVMX: semop, SETVAL, SETALL, and the adjustment's range", () => {
  function* t(sys: Sys): Program {
    const id = yield* newSet(sys, [32767, 0]);
    yield* put(sys, "op", yield* sys.semop(id, [sembuf(0, 1)]));
    yield* put(sys, "op-undo", yield* sys.semop(id, [sembuf(0, 1, U)]));
    yield* put(sys, "op-between", yield* sys.semop(id, [sembuf(0, -1), sembuf(0, 2)]));
    yield* put(sys, "op-big", yield* sys.semop(id, [sembuf(1, 32767), sembuf(1, 1)]));
    yield* put(sys, "setval-over", yield* sys.semctl(id, 0, SETVAL, 32768));
    yield* put(sys, "setval-neg", yield* sys.semctl(id, 0, SETVAL, -1));
    yield* put(sys, "setall-over", yield* sys.semctl(id, 0, SETALL, [0, 32768]));
    yield* put(sys, "setall-neg", yield* sys.semctl(id, 0, SETALL, [-1, 0]));
    yield* put(sys, "vals", yield* getall(sys, id));
    yield* put(sys, "setval-max", yield* sys.semctl(id, 1, SETVAL, 32767));
    // The adjustment stays in -32768..32767 (Linux: ERANGE when an op would leave it).
    yield* sys.semctl(id, 0, SETALL, [0, 0]);
    yield* sys.semop(id, [sembuf(0, 32767, U)]); // adj -32767
    yield* sys.semop(id, [sembuf(0, -1)]);
    yield* put(sys, "adj-min", yield* sys.semop(id, [sembuf(0, 1, U)])); // adj -32768
    yield* sys.semop(id, [sembuf(0, -1)]);
    yield* put(sys, "adj-under", yield* sys.semop(id, [sembuf(0, 1, U)])); // adj would be -32769
    yield* sys.semctl(id, 1, SETVAL, 32767);
    yield* sys.semop(id, [sembuf(1, -32767, U)]); // adj +32767
    yield* sys.semop(id, [sembuf(1, 1)]);
    yield* put(sys, "adj-over", yield* sys.semop(id, [sembuf(1, -1, U)])); // adj would be 32768
    yield* put(sys, "end", yield* getall(sys, id));
    yield* put(sys, "id", id);
    return 0; // exit: sem 0 gets -32768 (clamped at 0), sem 1 gets +32767
  }
  const r = go(t);
  halted0(r);
  const res = results(r);
  assert.deepEqual(res, {
    op: String(-ERANGE),
    "op-undo": String(-ERANGE),
    "op-between": String(-ERANGE),
    "op-big": String(-ERANGE),
    "setval-over": String(-ERANGE),
    "setval-neg": String(-ERANGE),
    "setall-over": String(-ERANGE),
    "setall-neg": String(-ERANGE),
    vals: "32767,0",
    "setval-max": "0",
    "adj-min": "0",
    "adj-under": String(-ERANGE),
    "adj-over": String(-ERANGE),
    end: "32766,1",
    id: res.id,
  });
  assert.deepEqual(semvals(r, Number(res.id)), [0, 32767]);
});

Deno.test("SETVAL and SETALL clear every process's adjustment for what they set", () => {
  function* t(sys: Sys): Program {
    const id = yield* newSet(sys, [2, 2]);
    const [r, w] = yield* pipe(sys);
    const [park] = yield* pipe(sys);
    const a = yield* holder(sys, id, [sembuf(0, -1, U), sembuf(1, -1, U)], w, park);
    yield* await1(sys, r);
    const b = yield* holder(sys, id, [sembuf(0, -1, U), sembuf(1, -1, U)], w, park);
    yield* await1(sys, r);
    yield* sys.semctl(id, 0, SETVAL, 5); // sem 0 only: both holders' sem-0 adjustment goes
    yield* killAndReap(sys, a);
    yield* killAndReap(sys, b);
    yield* put(sys, "setval", yield* getall(sys, id));
    const c = yield* holder(sys, id, [sembuf(0, -2, U), sembuf(1, -2, U)], w, park);
    yield* await1(sys, r);
    yield* sys.semop(id, [sembuf(0, -1, U)]); // this process's own adjustment too
    yield* sys.semctl(id, 0, SETALL, [4, 4]);
    yield* killAndReap(sys, c);
    yield* put(sys, "setall", yield* getall(sys, id));
    yield* put(sys, "id", id);
    return 0;
  }
  const r = go(t);
  halted0(r);
  const res = results(r);
  assert.equal(res.setval, "5,2"); // sem 1 was undone (+1 each), sem 0 kept SETVAL's 5
  assert.equal(res.setall, "4,4");
  assert.deepEqual(semvals(r, Number(res.id)), [4, 4]); // nor did this process's exit undo
});

Deno.test("ids as Linux 5.x/6.x gives them: indexes taken cyclically below 64, seq * 32768 + index", () => {
  // On Linux 6.18 (this repository's reference machine): ipcmk -S 1 twice, ipcrm of the
  // first, ipcmk -S 1 again gave three consecutive ids; a set made when the index cycle wraps
  // past 63 got 32768 + its index; SEM_INFO (ipcs) lists by index.
  function* t(sys: Sys): Program {
    const ids: number[] = [];
    for (let i = 0; i < 2; i++) ids.push(yield* sys.semget(IPC_PRIVATE, 1, 0o600));
    yield* sys.semctl(ids[0], 0, IPC_RMID);
    ids.push(yield* sys.semget(IPC_PRIVATE, 1, 0o600));
    yield* put(sys, "first", ...ids);
    // Indexes 3..63, one at a time; then the cycle wraps: index 0, seq 1.
    let last = -1;
    for (let i = 3; i < 64; i++) {
      last = yield* sys.semget(IPC_PRIVATE, 1, 0o600);
      if (i < 63) yield* sys.semctl(last, 0, IPC_RMID);
    }
    const wrapped = [];
    for (let i = 0; i < 3; i++) wrapped.push(yield* sys.semget(IPC_PRIVATE, 1, 0o600));
    yield* put(sys, "wrap", last, ...wrapped);
    yield* put(sys, "listed", (yield* sys.semctl(0, 0, SEM_INFO)) as number[]);
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    first: "0 1 2",
    // index 0 is free (set 0 was removed), 1 and 2 are taken: 32768, then 32771, 32772
    wrap: "63 32768 32771 32772",
    listed: "32768,1,2,32771,32772,63",
  });
});

Deno.test("ids: with more sets in use the cycle is longer (in_use * 3/2); ENOSPC past SEMMNI", () => {
  function* t(sys: Sys): Program {
    // 100 sets held: indexes 0..99; the cycle now runs below 150.
    for (let i = 0; i < 100; i++) yield* sys.semget(IPC_PRIVATE, 1, 0o600);
    const seen: number[] = [];
    for (let i = 0; i < 51; i++) {
      const id = yield* sys.semget(IPC_PRIVATE, 1, 0o600);
      seen.push(id);
      yield* sys.semctl(id, 0, IPC_RMID);
    }
    yield* put(sys, "cycle", seen[0], seen[49], seen[50]);
    let n = 100, r = 0;
    while ((r = yield* sys.semget(IPC_PRIVATE, 1, 0o600)) >= 0) n++;
    yield* put(sys, "full", n, r);
    return 0;
  }
  const r = go(t, { maxSteps: 20_000_000 });
  halted0(r);
  assert.deepEqual(results(r), {
    cycle: "100 149 32868", // 150 = 100 * 3/2 is past the end: back to index 100, seq 1
    full: `32000 ${-ERRNO.ENOSPC}`, // SEMMNI
  });
});

Deno.test("IPC_RMID drops the set's adjustments: a later set with the same id never gets them", () => {
  // An id comes back when the index cycle has turned 65,535 times (Linux's seq wraps at
  // INT_MAX >> 15). With 42 sets held, a cycle is 22 sets (indexes 43..63 and 0). Linux frees
  // a removed set's undo entries with it (freeary), so the new set is not undone by the old
  // holder.
  function* t(sys: Sys): Program {
    const old = yield* newSet(sys, [2]);
    const [r, w] = yield* pipe(sys);
    const [park] = yield* pipe(sys);
    const a = yield* holder(sys, old, [sembuf(0, -1, U)], w, park); // adjustment +1 on `old`
    yield* await1(sys, r);
    yield* sys.semctl(old, 0, IPC_RMID);
    for (let i = 0; i < 42; i++) yield* sys.semget(IPC_PRIVATE, 1, 0o600);
    let id = -1, made = 0;
    while (id !== old && made++ < 1_500_000) {
      id = yield* sys.semget(IPC_PRIVATE, 2, 0o600); // two semaphores: more than `old` had
      if (id !== old) yield* sys.semctl(id, 0, IPC_RMID);
    }
    yield* sys.semop(id, [sembuf(0, 6, 0), sembuf(1, 6, 0)]); // (SETALL would clear them)
    yield* killAndReap(sys, a); // its exit must not touch the new set
    yield* put(sys, "reused", id === old, made);
    yield* put(sys, "vals", yield* getall(sys, id));
    return 0;
  }
  const r = go(t, { maxSteps: 100_000_000 });
  halted0(r);
  const res = results(r);
  assert.equal(res.reused, `true ${65_535 * 22}`);
  assert.equal(res.vals, "6,6");
});

Deno.test("IPC_RMID wakes every waiter with EIDRM (-43); the id is gone", () => {
  function* t(sys: Sys): Program {
    const id = yield* sys.semget(77, 2, IPC_CREAT | 0o600);
    yield* sys.semctl(id, 1, SETVAL, 1);
    const [r, w] = yield* pipe(sys);
    const [park] = yield* pipe(sys);
    const holding = yield* holder(sys, id, [sembuf(1, -1, U)], w, park); // removed under it
    yield* await1(sys, r);
    yield* sys.semop(id, [sembuf(1, 1)]);
    const ops = [[sembuf(0, -1)], [sembuf(0, -1, U)], [sembuf(1, 0)], [
      sembuf(0, -1),
      sembuf(1, 0),
    ]];
    const kids: number[] = [];
    for (const o of ops) {
      kids.push(
        yield* child(sys, function* () {
          return -(yield* sys.semop(id, o, o.length === 1 ? -1 : 1000));
        }),
      );
    }
    yield* waiters(sys, id, 0, 3);
    yield* waiters(sys, id, 1, 1, true);
    yield* put(sys, "rmid", yield* sys.semctl(id, 0, IPC_RMID));
    const st: number[] = [];
    for (const k of kids) st.push(yield* reap(sys, k));
    yield* put(sys, "statuses", ...st);
    yield* put(sys, "semop", yield* sys.semop(id, [sembuf(0, 1)]));
    yield* put(sys, "getval", yield* sys.semctl(id, 0, GETVAL));
    yield* put(sys, "rmid-again", yield* sys.semctl(id, 0, IPC_RMID));
    yield* put(sys, "key", yield* sys.semget(77, 1, 0));
    // The holder's adjustment is for a set that no longer exists: its exit skips it.
    yield* put(sys, "holder", yield* killAndReap(sys, holding));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    rmid: "0",
    statuses: `${EIDRM} ${EIDRM} ${EIDRM} ${EIDRM}`,
    semop: String(-EINVAL),
    getval: String(-EINVAL),
    "rmid-again": String(-EINVAL),
    key: String(-ENOENT),
    holder: "-1",
  });
});

Deno.test("semctl GETVAL, GETALL, GETPID, GETNCNT, GETZCNT", () => {
  function* t(sys: Sys): Program {
    const me = yield* sys.getpid();
    const id = yield* newSet(sys, [0, 1, 5]);
    yield* put(sys, "pid-setall", (yield* sys.semctl(id, 2, GETPID)) === me);
    const blockers = [
      [sembuf(0, -1)], // ncnt 0
      [sembuf(0, -2), sembuf(2, -1)], // ncnt 0 (first op that blocks)
      [sembuf(2, -1), sembuf(0, -1)], // ncnt 0: sem 2 could go, sem 0 cannot
      [sembuf(1, 0)], // zcnt 1
      [sembuf(2, -5), sembuf(1, 0)], // zcnt 1
    ];
    const kids: number[] = [];
    for (const o of blockers) kids.push(yield* child(sys, () => sys.semop(id, o)));
    yield* waiters(sys, id, 0, 3);
    yield* waiters(sys, id, 1, 2, true);
    const counts: number[] = [];
    for (const num of [0, 1, 2]) {
      counts.push(
        (yield* sys.semctl(id, num, GETNCNT)) as number,
        (yield* sys.semctl(id, num, GETZCNT)) as number,
      );
    }
    yield* put(sys, "counts", ...counts);
    const taker = yield* child(sys, () => sys.semop(id, [sembuf(2, -1)]));
    yield* reap(sys, taker);
    yield* put(sys, "pid-op", (yield* sys.semctl(id, 2, GETPID)) === taker);
    yield* put(sys, "pid-other", (yield* sys.semctl(id, 1, GETPID)) === me);
    yield* put(sys, "getval", yield* sys.semctl(id, 2, GETVAL), yield* sys.semctl(id, 1, GETVAL));
    yield* put(sys, "getall", yield* getall(sys, id));
    yield* put(
      sys,
      "bad-num",
      yield* sys.semctl(id, 3, GETVAL),
      yield* sys.semctl(id, -1, GETNCNT),
    );
    yield* sys.semctl(id, 0, IPC_RMID);
    for (const k of kids) yield* reap(sys, k);
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    "pid-setall": "true", // Linux sets sempid on SETALL (since 4.6)
    counts: "3 0 0 2 0 0",
    "pid-op": "true",
    "pid-other": "true",
    getval: "4 1",
    getall: "0,1,4",
    "bad-num": `${-EINVAL} ${-EINVAL}`,
  });
});

Deno.test("waiters are served FIFO, and a waiter that cannot go does not hold back later ones", () => {
  function* t(sys: Sys): Program {
    const id = yield* newSet(sys, [0]);
    const kids: number[] = [];
    for (let i = 0; i < 4; i++) {
      kids.push(yield* child(sys, () => sys.semop(id, [sembuf(0, -1)])));
      yield* waiters(sys, id, 0, i + 1); // queued in this order
    }
    const served: number[] = [];
    for (let i = 0; i < 4; i++) {
      yield* sys.semop(id, [sembuf(0, 1)]);
      const [pid] = yield* sys.wait();
      served.push(kids.indexOf(pid));
    }
    yield* put(sys, "order", ...served);
    // Linux: FIFO, "not starvation protection": a big request at the head does not block a
    // small one behind it.
    const big = yield* child(sys, () => sys.semop(id, [sembuf(0, -2)]));
    yield* waiters(sys, id, 0, 1);
    const small = yield* child(sys, () => sys.semop(id, [sembuf(0, -1)]));
    yield* waiters(sys, id, 0, 2);
    yield* sys.semop(id, [sembuf(0, 1)]);
    const [first] = yield* sys.wait();
    yield* put(sys, "small-first", first === small, yield* sys.semctl(id, 0, GETNCNT));
    yield* sys.semop(id, [sembuf(0, 2)]);
    yield* put(sys, "big", yield* reap(sys, big), yield* getall(sys, id));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), { order: "0 1 2 3", "small-first": "true 1", big: "0 0" });
});

Deno.test("kill interrupts a blocked semop: the process dies with its undo applied", () => {
  function* t(sys: Sys): Program {
    const id = yield* newSet(sys, [1, 0]);
    const a = yield* child(sys, function* () {
      yield* sys.semop(id, [sembuf(0, -1, U)]); // holds a token of sem 0
      yield* sys.semop(id, [sembuf(1, -1, U)]); // blocks
      return 5; // not reached
    });
    yield* waiters(sys, id, 1, 1);
    yield* put(sys, "held", yield* getall(sys, id));
    yield* put(sys, "status", yield* killAndReap(sys, a));
    yield* put(sys, "after", yield* getall(sys, id), yield* sys.semctl(id, 1, GETNCNT));
    // The killed waiter's op is never done later.
    yield* sys.semop(id, [sembuf(1, 1)]);
    yield* sys.sleep(2);
    yield* put(sys, "later", yield* getall(sys, id));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    held: "0,0",
    status: "-1",
    after: "1,0 0",
    later: "1,1",
  });
});

Deno.test("a forked child does not inherit the adjustment; its own undo is its own", () => {
  function* t(sys: Sys): Program {
    const id = yield* newSet(sys, [2]);
    yield* sys.semop(id, [sembuf(0, -1, U)]);
    const plain = yield* child(sys, function* () {
      return 0; // its exit undoes nothing: the adjustment stayed with the parent
    });
    yield* reap(sys, plain);
    yield* put(sys, "after-child", yield* getall(sys, id));
    const own = yield* child(sys, () => sys.semop(id, [sembuf(0, -1, U)]));
    yield* reap(sys, own);
    yield* put(sys, "after-own", yield* getall(sys, id));
    yield* put(sys, "id", id);
    return 0; // the parent's exit gives its token back
  }
  const r = go(t);
  halted0(r);
  const res = results(r);
  assert.equal(res["after-child"], "1");
  assert.equal(res["after-own"], "1");
  assert.deepEqual(semvals(r, Number(res.id)), [2]);
});

Deno.test("the adjustment is kept across exec", () => {
  function* t(sys: Sys): Program {
    const id = yield* newSet(sys, [2]);
    yield* sys.semop(id, [sembuf(0, -1, U)]);
    yield* put(sys, "id", id);
    yield* sys.exec("/bin/after", ["after", String(id)]);
    return 1;
  }
  function* after(sys: Sys, argv: string[]): Program {
    yield* put(sys, "in-exec", yield* sys.semctl(Number(argv[1]), 0, GETVAL));
    return 0;
  }
  const r = go(t, { programs: { after } });
  halted0(r);
  const res = results(r);
  assert.equal(res["in-exec"], "1"); // exec did not undo it
  assert.deepEqual(semvals(r, Number(res.id)), [2]); // the exit of the new program did
});

Deno.test("E2BIG for 501 ops, EFBIG for a bad sem_num, EINVAL for unknown ids", () => {
  function* t(sys: Sys): Program {
    const id = yield* newSet(sys, [0, 0]);
    const zeros = (n: number) => Array.from({ length: n }, () => sembuf(0, 0));
    yield* put(sys, "ops501", yield* sys.semop(id, zeros(501)));
    yield* put(sys, "ops500", yield* sys.semop(id, zeros(500)));
    yield* put(sys, "ops0", yield* sys.semop(id, []));
    yield* put(sys, "num2", yield* sys.semop(id, [sembuf(2, 1)]));
    yield* put(sys, "num-later", yield* sys.semop(id, [sembuf(0, 1), sembuf(5, 1)]));
    yield* put(sys, "num-neg", yield* sys.semop(id, [sembuf(-1, 1)]));
    yield* put(sys, "vals", yield* getall(sys, id));
    yield* put(sys, "unknown", yield* sys.semop(id + 1, [sembuf(0, 1)]));
    yield* put(sys, "unknown-big", yield* sys.semop(123456789, [sembuf(0, 1)]));
    yield* put(sys, "negative-id", yield* sys.semop(-1, [sembuf(0, 1)]));
    yield* put(sys, "ctl-unknown", yield* sys.semctl(id + 1, 0, GETVAL));
    yield* put(sys, "ctl-negative", yield* sys.semctl(-5, 0, GETALL));
    yield* put(sys, "ctl-cmd", yield* sys.semctl(id, 0, 999));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    ops501: String(-E2BIG),
    ops500: "0",
    ops0: String(-EINVAL),
    num2: String(-EFBIG),
    "num-later": String(-EFBIG),
    "num-neg": String(-EFBIG),
    vals: "0,0",
    unknown: String(-EINVAL),
    "unknown-big": String(-EINVAL),
    "negative-id": String(-EINVAL),
    "ctl-unknown": String(-EINVAL),
    "ctl-negative": String(-EINVAL),
    "ctl-cmd": String(-EINVAL),
  });
});
