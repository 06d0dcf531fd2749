// The kernel's invariant assertions (TigerBeetle's style, xv6's wording): a kernel path that
// runs without the lock it needs, or finds a state its code relies on broken, stops the machine
// with a panic naming the function (a machine end of kind "panic", the message on the console
// and in the journal), never with a host exception, a hang, or silently wrong state.
//
// As in lock_test.ts, the faulty kernel path is a generator pushed on top of a CPU's context
// stack: on CPU 0's scheduler context (which steps first, with no process), or on init's
// context (which runs with init as myproc(), holding init's p->lock as xv6's scheduler does).
// Some tests drive a real kernel path step by step and break its state between two of its
// steps, as another CPU could.

import assert from "node:assert/strict";
import { EV, type Event, event, type KGen } from "../../kernel/event.ts";
import { FD_INODE, File } from "../../kernel/file.ts";
import { JournalWriter } from "../../kernel/journal.ts";
import type { Machine, MachineEnd } from "../../kernel/machine.ts";
import { KernelPanic } from "../../kernel/printf.ts";
import { Pipe, pipewrite } from "../../kernel/pipe.ts";
import { poll } from "../../kernel/poll.ts";
import { exitSem, semop, semopLocked, setValues } from "../../kernel/sem.ts";
import { acquiresleep, releasesleep } from "../../kernel/sleeplock.ts";
import { acquire, release } from "../../kernel/spinlock.ts";
import { F_GETLK, F_RDLCK, F_WRLCK, LOCK_SH } from "../../kernel/uapi/fcntl.ts";
import { IPC_PRIVATE, SEMAEM, SEMVMX } from "../../kernel/uapi/ipc.ts";
import { PIPESIZE } from "../../kernel/uapi/param.ts";
import { PROGRAMS } from "../../commands/programs.ts";
import { headerFor, machineFrom } from "../../shell/host.ts";
import { Bytes, records, replay, run } from "../helpers.ts";

type Where = "scheduler" | "init";
type Result = { end: MachineEnd; out: string; journal: Uint8Array };

/** Boots a machine (init runs `echo hi`), pushes `bad` on a context, runs to the end. */
function runWith(where: Where, bad: (m: Machine) => KGen): Result {
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

/** The machine stopped with `panic: message`, said so on the console, went no further, and
 * its journal ends with that end (the crash log). */
function assertPanic(r: Result, message: string): void {
  assert.equal(r.end.kind, "panic", `ended with ${JSON.stringify(r.end)}`);
  assert.equal(r.end.kind === "panic" && r.end.message, message);
  assert.ok(r.out.endsWith(`panic: ${message}\n`), r.out);
  assert.ok(!r.out.includes("hi\n"), "the machine went on after the panic");
  const last = records(r.journal).at(-1)!;
  assert.equal(last.type, "end");
  assert.deepEqual(last.type === "end" && last.end, r.end);
}

/** Runs kernel path `g` to its end, passing its steps on, and calls `meddle` with each step's
 * event before passing it on (the path is then stopped at that yield: another CPU's moment). */
function* driving<T>(g: KGen<T>, meddle: (ev: Event) => void): KGen<T> {
  for (let r = g.next();; r = g.next()) {
    if (r.done) return r.value;
    meddle(r.value);
    yield r.value;
  }
}

/** A new System V set of one semaphore, made under the sem lock as sys_semget does. */
function* newSet(m: Machine): KGen<number> {
  yield* acquire(m, m.sem.lock);
  const id = m.sem.semget(IPC_PRIVATE, 1, 0o600, m.ticks);
  yield* release(m, m.sem.lock);
  return id;
}

Deno.test("System V semaphores: the sem lock, values and adjustments", async (t) => {
  await t.step("semopLocked without the sem lock is panic: semopLocked", () => {
    assertPanic(
      runWith("scheduler", function* (m) {
        const id = yield* newSet(m);
        yield* acquire(m, m.sem.lock);
        const set = m.sem.get(id)!;
        yield* release(m, m.sem.lock);
        yield* semopLocked(m, m.procs[0], set, [[0, 1, 0]], Infinity);
      }),
      "semopLocked",
    );
  });
  await t.step("semget without the sem lock is panic: SemTable.semget", () => {
    assertPanic(
      runWith("scheduler", function* (m) {
        m.sem.semget(IPC_PRIVATE, 1, 0o600, m.ticks);
      }),
      "SemTable.semget",
    );
  });
  await t.step("SETVAL without the sem lock is panic: setValues", () => {
    assertPanic(
      runWith("scheduler", function* (m) {
        const id = yield* newSet(m);
        yield* acquire(m, m.sem.lock);
        const set = m.sem.get(id)!;
        yield* release(m, m.sem.lock);
        yield* setValues(m, m.procs[0], set, new Map([[0, 1]]));
      }),
      "setValues",
    );
  });
  await t.step("a value outside 0..SEMVMX is panic: attempt: semval out of range", () => {
    assertPanic(
      runWith("scheduler", function* (m) {
        const id = yield* newSet(m);
        yield* acquire(m, m.sem.lock);
        m.sem.get(id)!.sems[0].val = SEMVMX + 1; // as a bad SETVAL would leave it
        yield* release(m, m.sem.lock);
        // (unchecked, V would then fail with ERANGE forever, and P would go through)
        yield* semop(m, m.procs[0], id, [[0, -1, 0]], Infinity);
      }),
      "attempt: semval out of range",
    );
  });
  await t.step("an undo adjustment out of range at exit is panic: exitSem", () => {
    assertPanic(
      runWith("scheduler", function* (m) {
        const id = yield* newSet(m);
        const p = m.procs[0];
        p.semadj.set(id, [SEMAEM + 1]); // no semop leaves this: attempt() answers ERANGE
        yield* exitSem(m, p);
      }),
      "exitSem: semadj out of range",
    );
  });
});

Deno.test("shared memory: open without the shm lock is panic: SharedMemory.open", () => {
  assertPanic(
    runWith("scheduler", function* (m) {
      m.shmem.open(m.procs[0], "", 1, 0);
    }),
    "SharedMemory.open",
  );
});

Deno.test("poll: the event count going back is panic: poll: seq went backwards", () => {
  // poll() reads seq, lets go of the poll lock to look at the files, and sleeps only if seq
  // has not moved. A seq that went back to what it read would lose a wakeup.
  assertPanic(
    runWith("scheduler", function* (m) {
      m.polls.seq = 5;
      let released = false;
      yield* driving(poll(m, m.procs[0], [], Infinity), (ev) => {
        if (!released && ev.k === EV.RELEASE && ev.lk === m.polls.lock) {
          released = true;
          m.polls.seq = 0;
        }
      });
    }),
    "poll: seq went backwards",
  );
});

Deno.test("pipe: counters past the ring are panic: pipewrite: ring counters", () => {
  // Unchecked, a write into a pipe whose nwrite is past nread + PIPESIZE finds it neither full
  // nor with room, and loops without ever yielding: the host would hang.
  assertPanic(
    runWith("init", function* (m) {
      const pi = new Pipe(99);
      pi.nwrite = PIPESIZE + 1;
      yield* pipewrite(m, pi, Uint8Array.of(1));
    }),
    "pipewrite: ring counters",
  );
});

Deno.test("console: input indices out of order are panic: consoleintr", () => {
  // Unchecked, ^U with the edit index behind the write index erases backwards for ever.
  assertPanic(
    runWith("scheduler", function* (m) {
      (m.cons as unknown as { e: number }).e = -1;
      yield* m.cons.intr(m, 0x15); // ^U
    }),
    "consoleintr: input buffer indices",
  );
});

Deno.test("sleep locks: only the holder lets go, the holder does not take it again", async (t) => {
  await t.step("releasesleep by a process that does not hold it", () => {
    assertPanic(
      runWith("init", function* (m) {
        yield* releasesleep(m, m.cons.writeLock);
      }),
      "releasesleep",
    );
  });
  await t.step("acquiresleep by its holder (it would sleep for ever)", () => {
    assertPanic(
      runWith("init", function* (m) {
        yield* acquiresleep(m, m.cons.writeLock);
        yield* acquiresleep(m, m.cons.writeLock);
      }),
      "acquiresleep",
    );
  });
});

/** A file of the root directory, open for reading and writing, as open() makes one. */
function openFile(m: Machine): File {
  return Object.assign(new File(), {
    ref: 1,
    type: FD_INODE,
    readable: true,
    writable: true,
    ip: m.fs.root,
  });
}

Deno.test("file locks: the flock lock, owners, entries", async (t) => {
  await t.step("the inode's lock list without the flock lock is panic: LockTable.locks", () => {
    assertPanic(
      runWith("scheduler", function* (m) {
        m.locks.locks(m, m.fs.root);
      }),
      "LockTable.locks",
    );
  });
  await t.step("a flock() lock whose file was freed is panic: flock lock with no owner", () => {
    assertPanic(
      runWith("scheduler", function* (m) {
        yield* acquire(m, m.locks.lock);
        m.locks.locks(m, m.fs.root).flocks.push({ file: new File(), exclusive: false });
        yield* release(m, m.locks.lock);
        yield* m.locks.flock(m, m.procs[0], openFile(m), LOCK_SH);
      }),
      "flock: flock lock with no owner",
    );
  });
  await t.step("a record lock of an exited process is panic: record lock with no owner", () => {
    assertPanic(
      runWith("scheduler", function* (m) {
        const gone = m.procs[7]; // an UNUSED slot
        yield* acquire(m, m.locks.lock);
        m.locks.locks(m, m.fs.root).records.push({
          proc: gone,
          type: F_WRLCK,
          start: 0,
          end: Infinity,
        });
        yield* release(m, m.locks.lock);
        yield* m.locks.fcntl(m, m.procs[0], openFile(m), F_GETLK, F_RDLCK, 0, 0);
      }),
      "fcntl: record lock with no owner",
    );
  });
  await t.step("closeFile finding its lock gone is panic, not another file's lock lost", () => {
    // closeFile looks for the file's lock before it takes the flock lock; were the entry gone
    // by then, splice(findIndex() = -1, 1) would remove the last lock of the list, another's.
    assertPanic(
      runWith("scheduler", function* (m) {
        const f = openFile(m), other = openFile(m);
        yield* acquire(m, m.locks.lock);
        const l = m.locks.locks(m, m.fs.root);
        l.flocks.push({ file: f, exclusive: false }, { file: other, exclusive: false });
        yield* release(m, m.locks.lock);
        yield* driving(m.locks.closeFile(m, f), (ev) => {
          if (ev.k === EV.ACQUIRE && ev.lk === m.locks.lock && l.flocks[0]?.file === f) {
            l.flocks.shift();
          }
        });
      }),
      "closeFile: flock lock gone",
    );
  });
});

Deno.test("journal: a field that does not fit is a panic, never a wrong record", async (t) => {
  await t.step("a machine with 257 CPUs panics at CPU 256's first step", () => {
    // Unchecked, CPU 256 was written as CPU 0: dv6 log showed the wrong CPU, silently.
    const r = run({ initArgv: ["init", "echo", "hi"], cpus: 257, sched: "rr" });
    const message = "journal: cpu 256 does not fit in a byte";
    assertPanic({ ...r, end: r.end! }, message);
    const steps = records(r.journal).filter((x) => x.type === "step");
    assert.equal(steps.length, 256, "CPUs 0 to 255 took a step each, all recorded");
    assert.ok(steps.every((s, i) => s.type === "step" && s.cpu === i));
    const again = replay(r.journal);
    assert.equal(again.divergence, null);
    assert.deepEqual(again.end, r.end);
  });

  await t.step("an interrupt number, an event kind, a bad field: nothing half-written", () => {
    const header = headerFor({}, "test");
    const journal = new Bytes();
    const w = new JournalWriter(journal, header);
    const syscall = (a: unknown[]) => event(EV.SYSCALL, { n: 1, a: a as never, r: 0 });
    w.step(0, 1, 0, syscall(["defined before"]));
    assert.throws(() => w.step(0, 1, 8, event(EV.USER)), {
      name: "KernelPanic",
      message: "journal: interrupt 8 does not fit in 3 bits",
    });
    assert.throws(() => w.step(0, 1, 0, event(16)), {
      name: "KernelPanic",
      message: "journal: event kind 16 does not fit in 5 bits below 16",
    });
    assert.throws(() => w.step(0, -1, 0, event(EV.USER)), KernelPanic);
    // A record that fails after it defined a string: the string goes with it.
    assert.throws(() => w.step(0, 1, 0, syscall(["fresh", true])), KernelPanic);
    w.step(0, 1, 0, syscall(["fresh", "defined before"]));
    w.end({ kind: "halt", status: 0 });
    const all = records(journal.bytes);
    assert.deepEqual(all.map((x) => x.type), ["step", "step", "end"]);
    const second = all[1];
    assert.deepEqual(second.type === "step" && second.ev, {
      k: EV.SYSCALL,
      n: 1,
      a: ["fresh", "defined before"],
      r: 0,
    });
  });
});
