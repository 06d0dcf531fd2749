// Bad input to the IPC system calls (and getrandom, which ipcmk uses): malformed operation
// arrays (wrong shapes, strings, fractions, NaN), unknown ids, negative counts, values past
// 32767, 501 operations. Each call answers an error (Linux's errno where Linux has one; -1, a
// bad argument, as xv6 answers a bad pointer, where the call could not even be read); never a
// host exception, never a kernel panic; the machine halts normally and its journal replays.

import assert from "node:assert/strict";
import type { Val } from "../../kernel/uapi/abi.ts";
import { ERRNO } from "../../kernel/uapi/errno.ts";
import {
  F_GETLK,
  F_SETLK,
  F_UNLCK,
  F_WRLCK,
  LOCK_EX,
  O_CREATE,
  O_RDWR,
} from "../../kernel/uapi/fcntl.ts";
import {
  AT_LOAD,
  ATOMIC,
  GETVAL,
  IPC_PRIVATE,
  PSEM_POST,
  sembuf,
  SEMOPM,
  SETALL,
  SETVAL,
  SHM_CREAT,
} from "../../kernel/uapi/ipc.ts";
import { SYS } from "../../kernel/uapi/syscall.ts";
import type { Call } from "../../commands/lib/ulib.ts";
import {
  child,
  go,
  halted0,
  type Program,
  put,
  reap,
  replay,
  results,
  type Sys,
} from "../helpers.ts";

const { E2BIG, EBADF, EFBIG, EINVAL, ERANGE } = ERRNO;

/** A raw system call request, whatever its arguments. */
function* raw(n: number, ...a: Val[]): Call<Val> {
  return yield { n, a };
}

function* badInput(sys: Sys): Program {
  const id = yield* sys.semget(IPC_PRIVATE, 2, 0o600);
  // semop: operations that cannot be read.
  yield* put(sys, "ops-string", yield* raw(SYS.semop, id, "0:-1", -1));
  yield* put(sys, "ops-short", yield* raw(SYS.semop, id, [[0, -1]], -1));
  yield* put(sys, "ops-long", yield* raw(SYS.semop, id, [[0, -1, 0, 0]], -1));
  yield* put(sys, "ops-word", yield* raw(SYS.semop, id, [[0, "x", 0]], -1));
  yield* put(sys, "ops-fraction", yield* raw(SYS.semop, id, [[0, 0.5, 0]], -1));
  yield* put(sys, "ops-nan", yield* raw(SYS.semop, id, [[0, NaN, 0]], -1));
  yield* put(sys, "ops-flat", yield* raw(SYS.semop, id, [0, -1, 0], -1));
  yield* put(sys, "id-word", yield* raw(SYS.semop, "id", [[0, 1, 0]], -1));
  yield* put(sys, "timeout-word", yield* raw(SYS.semop, id, [[0, 1, 0]], "soon"));
  yield* put(sys, "no-args", yield* raw(SYS.semop));
  // semop: well-formed but wrong.
  yield* put(sys, "unknown-id", yield* sys.semop(id + 32768 * 7, [sembuf(0, 1)]));
  yield* put(sys, "negative-id", yield* sys.semop(-3, [sembuf(0, 1)]));
  yield* put(sys, "no-ops", yield* sys.semop(id, []));
  yield* put(
    sys,
    "ops-501",
    yield* sys.semop(id, Array.from({ length: SEMOPM + 1 }, () => sembuf(0, 1))),
  );
  yield* put(
    sys,
    "ops-5000",
    yield* sys.semop(id, Array.from({ length: 5000 }, () => sembuf(0, 0))),
  );
  yield* put(sys, "num-big", yield* sys.semop(id, [sembuf(65536, 1)]));
  yield* put(sys, "num-neg", yield* sys.semop(id, [sembuf(-1, 1)]));
  yield* put(sys, "op-over-short", yield* sys.semop(id, [sembuf(0, 40000)]));
  yield* put(sys, "op-under-short", yield* sys.semop(id, [sembuf(0, -40000)]));
  yield* put(sys, "op-past-semvmx", yield* sys.semop(id, [sembuf(0, 32767), sembuf(0, 1)]));
  yield* put(sys, "flags-all", yield* sys.semop(id, [sembuf(1, 1, -1)]));
  yield* put(sys, "vals", yield* sys.semctl(id, 0, 13 /* GETALL */));
  // semget.
  yield* put(sys, "semget-word", yield* raw(SYS.semget, "key", 1, 0));
  yield* put(sys, "semget-neg", yield* sys.semget(IPC_PRIVATE, -1, 0o600));
  yield* put(sys, "semget-huge", yield* sys.semget(IPC_PRIVATE, 1e12, 0o600));
  // semctl.
  yield* put(sys, "setval-word", yield* raw(SYS.semctl, id, 0, SETVAL, "7"));
  yield* put(sys, "setval-array", yield* sys.semctl(id, 0, SETVAL, [7]));
  yield* put(sys, "setval-fraction", yield* sys.semctl(id, 0, SETVAL, 1.5));
  yield* put(sys, "setval-past", yield* sys.semctl(id, 0, SETVAL, 32768));
  yield* put(sys, "setval-neg", yield* sys.semctl(id, 0, SETVAL, -1));
  yield* put(
    sys,
    "setval-num",
    yield* sys.semctl(id, 2, SETVAL, 1),
    yield* sys.semctl(id, -1, SETVAL, 1),
  );
  yield* put(sys, "setall-short", yield* sys.semctl(id, 0, SETALL, [1]));
  yield* put(sys, "setall-long", yield* sys.semctl(id, 0, SETALL, [1, 2, 3]));
  yield* put(sys, "setall-word", yield* raw(SYS.semctl, id, 0, SETALL, [1, "2"]));
  yield* put(sys, "setall-nan", yield* sys.semctl(id, 0, SETALL, [1, NaN]));
  yield* put(sys, "setall-number", yield* sys.semctl(id, 0, SETALL, 5));
  yield* put(sys, "setall-past", yield* sys.semctl(id, 0, SETALL, [1, 40000]));
  yield* put(sys, "cmd", yield* sys.semctl(id, 0, 4242), yield* sys.semctl(id, 0, -1));
  yield* put(sys, "ctl-unknown", yield* sys.semctl(id + 32768 * 7, 0, GETVAL));
  yield* put(sys, "ctl-word", yield* raw(SYS.semctl, "id", 0, GETVAL));
  yield* put(sys, "vals-after", yield* sys.semctl(id, 0, 13 /* GETALL */));
  // Shared memory, futexes, robust semaphores.
  yield* put(sys, "shm-word", yield* raw(SYS.shmopen, 5, 1, SHM_CREAT));
  yield* put(sys, "shm-neg", yield* sys.shmopen("x", -1, SHM_CREAT));
  const h = yield* sys.shmopen("x", 2, SHM_CREAT);
  yield* put(sys, "futex-index", yield* sys.futexwait(h, -1, 0), yield* sys.futexwait(h, 2, 0));
  yield* put(sys, "futex-handle", yield* sys.futexwait(999, 0, 0));
  yield* put(sys, "futexwake-neg", yield* sys.futexwake(h, 0, -5));
  yield* put(sys, "robust-list", yield* sys.setrobustlist(999));
  yield* put(
    sys,
    "psemop",
    yield* sys.psemop(h, 0, 99, true),
    yield* sys.psemop(h, 5, PSEM_POST, true),
  );
  // File locks.
  const fd = yield* sys.open("/f", O_CREATE | O_RDWR);
  yield* put(
    sys,
    "flock",
    yield* sys.flock(fd, -1),
    yield* sys.flock(-1, LOCK_EX),
    yield* sys.flock(99, LOCK_EX),
  );
  yield* put(
    sys,
    "fcntl-shape",
    yield* raw(SYS.fcntl, fd, F_SETLK, [F_WRLCK, 0]),
    yield* raw(SYS.fcntl, fd, F_SETLK, "lock"),
  );
  yield* put(sys, "fcntl-range", yield* sys.fcntl(fd, F_SETLK, [F_WRLCK, -5, 1]));
  yield* put(sys, "fcntl-fd", yield* sys.fcntl(-1, F_SETLK, [F_WRLCK, 0, 1]));
  yield* put(sys, "flock-timeout-word", yield* raw(SYS.flock, fd, LOCK_EX, "soon"));
  // getrandom.
  yield* put(sys, "getrandom-word", yield* raw(SYS.getrandom, "4"), yield* raw(SYS.getrandom));
  yield* put(sys, "getrandom-neg", yield* raw(SYS.getrandom, -1));
  // A malformed atomic instruction faults: the process is killed, like a bad address.
  const faults: Val[][] = [[AT_LOAD, 999, 0], [AT_LOAD, h, 2], [77, h, 0], [AT_LOAD, h, "0"]];
  for (const [i, a] of faults.entries()) {
    const pid = yield* child(sys, function* () {
      yield* raw(ATOMIC, ...a);
      return 0;
    });
    yield* put(sys, `atomic-fault-${i}`, yield* reap(sys, pid));
  }
  yield* put(sys, "still-here", yield* sys.semctl(id, 0, GETVAL));
  return 0;
}

Deno.test("bad input to the IPC calls: errors, no host exception, no panic; the journal replays", () => {
  const r = go(badInput, { cpus: 2 });
  assert.deepEqual(r.end, { kind: "halt", status: 0 }, r.out);
  assert.doesNotMatch(r.out, /panic|kernel bug/);
  const e = (n: number) => String(-n);
  assert.deepEqual(results(r), {
    "ops-string": "-14",
    "ops-short": "-14",
    "ops-long": "-14",
    "ops-word": "-14",
    "ops-fraction": "-14",
    "ops-nan": "-14",
    "ops-flat": "-14",
    "id-word": "-14",
    "timeout-word": "-14",
    "no-args": "-14",
    "unknown-id": e(EINVAL),
    "negative-id": e(EINVAL),
    "no-ops": e(EINVAL),
    "ops-501": e(E2BIG),
    "ops-5000": e(E2BIG),
    "num-big": e(EFBIG),
    "num-neg": e(EFBIG),
    "op-over-short": e(ERANGE),
    "op-under-short": e(ERANGE),
    "op-past-semvmx": e(ERANGE),
    "flags-all": "0",
    vals: "0,1",
    "semget-word": "-14",
    "semget-neg": e(EINVAL),
    "semget-huge": e(EINVAL),
    "setval-word": e(EINVAL),
    "setval-array": e(EINVAL),
    "setval-fraction": e(EINVAL),
    "setval-past": e(ERANGE),
    "setval-neg": e(ERANGE),
    "setval-num": `${e(EINVAL)} ${e(EINVAL)}`,
    "setall-short": e(EINVAL),
    "setall-long": e(EINVAL),
    "setall-word": e(EINVAL),
    "setall-nan": e(EINVAL),
    "setall-number": e(EINVAL),
    "setall-past": e(ERANGE),
    cmd: `${e(EINVAL)} ${e(EINVAL)}`,
    "ctl-unknown": e(EINVAL),
    "ctl-word": "-14",
    "vals-after": "0,1",
    "shm-word": "-14",
    "shm-neg": e(EINVAL),
    "futex-index": `${e(EINVAL)} ${e(EINVAL)}`,
    "futex-handle": e(EINVAL),
    "futexwake-neg": "0",
    "robust-list": e(EINVAL),
    psemop: `${e(EINVAL)} ${e(EINVAL)}`,
    flock: `${e(EINVAL)} ${e(EBADF)} ${e(EBADF)}`,
    "fcntl-shape": "-14 -14",
    "fcntl-range": e(EINVAL),
    "fcntl-fd": e(EBADF),
    "flock-timeout-word": "-14",
    "getrandom-word": "-14 -14",
    "getrandom-neg": e(EINVAL),
    "atomic-fault-0": "-1",
    "atomic-fault-1": "-1",
    "atomic-fault-2": "-1",
    "atomic-fault-3": "-1",
    "still-here": "0",
  });
  const p = replay(r.journal, { t: badInput });
  assert.equal(p.divergence, null, String(p.divergence));
  assert.deepEqual(p.end, r.end);
  assert.equal(p.steps, r.steps);
});

// Linux's fcntl() answers EINVAL for a command it does not know, and for F_GETLK asking about
// F_UNLCK; a semop whose sembuf array cannot be read fails with EFAULT.
Deno.test({
  name: "fcntl: an unknown command is EINVAL, F_GETLK of F_UNLCK is EINVAL; unreadable ops EFAULT",
  fn() {
    function* t(sys: Sys): Program {
      const fd = yield* sys.open("/f", O_CREATE | O_RDWR);
      yield* put(sys, "cmd", yield* sys.fcntl(fd, 99, [F_WRLCK, 0, 1]));
      yield* put(sys, "getlk-unlck", yield* sys.fcntl(fd, F_GETLK, [F_UNLCK, 0, 1]));
      const id = yield* sys.semget(IPC_PRIVATE, 1, 0o600);
      yield* put(sys, "efault", yield* raw(SYS.semop, id, [[0, -1]], -1));
      return 0;
    }
    const r = go(t);
    halted0(r);
    assert.deepEqual(results(r), {
      cmd: String(-EINVAL),
      "getlk-unlck": String(-EINVAL),
      efault: String(-14), // EFAULT
    });
  },
});
