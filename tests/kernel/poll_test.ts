// poll(2) and O_NONBLOCK (kernel/poll.ts). A pipe's read end is POLLIN with data, POLLHUP once
// every write end is closed; its write end POLLOUT with room, POLLERR once the read end is
// closed; the console POLLIN with a line; a file always ready; a closed fd POLLNVAL, a negative
// one skipped. poll waits (timeout in ticks), a kill ends the poller. O_NONBLOCK belongs to the
// open file: an empty pipe's read, or a full pipe's write, answers -EAGAIN instead of sleeping.

import assert from "node:assert/strict";
import { ERRNO } from "../../kernel/uapi/errno.ts";
import {
  F_GETFL,
  F_SETFL,
  O_APPEND,
  O_CREATE,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_WRONLY,
} from "../../kernel/uapi/fcntl.ts";
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT } from "../../kernel/uapi/poll.ts";
import { SYS } from "../../kernel/uapi/syscall.ts";
import type { Call } from "../../commands/lib/ulib.ts";
import type { PollFd } from "../../commands/lib/usys.ts";
import { PROGRAMS } from "../../commands/programs.ts";
import { headerFor, machineFrom } from "../../shell/host.ts";
import {
  child,
  decode,
  encode,
  EV,
  go,
  halted0,
  pipe,
  type Program,
  put,
  reap,
  replay,
  results,
  steps,
  type Sys,
} from "../helpers.ts";
import { describeEvent } from "../../shell/log.ts";

const { EAGAIN, EBADF } = ERRNO;

/** poll one fd: [ready count, revents]. */
function* poll1(sys: Sys, fd: number, events: number, timeout = -1): Call<[number, number]> {
  const fds: PollFd[] = [{ fd, events }];
  const n = yield* sys.poll(fds, timeout);
  return [n, fds[0].revents ?? -1];
}

/** A read of up to n bytes: the count (or -errno). */
function* readn(sys: Sys, fd: number, n = 1): Call<number> {
  return yield* sys.read(fd, new Uint8Array(n));
}

Deno.test("poll waits on an empty pipe until a writer comes; O_NONBLOCK reads then EAGAIN", () => {
  function* t(sys: Sys): Program {
    const [r, w] = yield* pipe(sys);
    const t0 = yield* sys.uptime();
    const kid = yield* child(sys, function* () {
      yield* sys.sleep(5);
      yield* sys.write(w, "x");
      return 0;
    });
    const [n, ev] = yield* poll1(sys, r, POLLIN | POLLOUT);
    yield* put(sys, "poll", n, ev, (yield* sys.uptime()) - t0 >= 5);
    yield* put(sys, "setfl", yield* sys.fcntl(r, F_SETFL, O_NONBLOCK));
    const buf = new Uint8Array(4);
    yield* put(sys, "read1", yield* sys.read(r, buf), buf[0]);
    yield* put(sys, "read2", yield* readn(sys, r)); // this process keeps a write end open
    yield* put(sys, "kid", kid, yield* reap(sys, kid));
    yield* sys.close(w);
    yield* put(sys, "eof", yield* readn(sys, r)); // no writer: end of file, not EAGAIN
    return 0;
  }
  for (const [sched, seed] of [["rr", 0], ["random", 5]] as const) {
    const r = go(t, { sched, seed });
    halted0(r);
    const res = results(r);
    const kid = Number(res.kid.split(" ")[0]);
    assert.deepEqual(res, {
      poll: `1 ${POLLIN} true`, // POLLOUT is no read end's
      setfl: "0",
      read1: `1 ${"x".charCodeAt(0)}`,
      read2: `${-EAGAIN}`,
      kid: `${kid} 0`,
      eof: "0",
    });
    const all = steps(r.journal);
    const call = (n: number, pid: number) =>
      all.findIndex((s) => s.ev.k === EV.SYSCALL && s.ev.n === n && s.pid === pid);
    const [write, poll] = [call(SYS.write, kid), call(SYS.poll, 2)];
    assert.ok(write >= 0 && poll > write, "poll returned only after the child's write");
    assert.equal(replay(r.journal, { t }).divergence, null);
  }
});

Deno.test("pipe ends: POLLHUP, POLLERR, POLLOUT until full, and a drain wakes the writer", () => {
  function* t(sys: Sys): Program {
    // The last writer's exit wakes a poller with POLLHUP (asked for or not), no POLLIN.
    const [r, w] = yield* pipe(sys);
    const kid = yield* child(sys, function* () {
      yield* sys.sleep(3);
      return 0;
    });
    yield* sys.close(w);
    yield* put(sys, "hup", yield* poll1(sys, r, POLLIN));
    yield* put(sys, "hup0", yield* poll1(sys, r, 0, 0));
    yield* reap(sys, kid);
    // Data left behind a closed write end: POLLIN and POLLHUP.
    const [r2, w2] = yield* pipe(sys);
    yield* sys.write(w2, "ab");
    yield* sys.close(w2);
    yield* put(sys, "inhup", yield* poll1(sys, r2, POLLIN, 0));
    // The read end closed: POLLERR on the write end, and POLLOUT for its room (as Linux).
    const [r3, w3] = yield* pipe(sys);
    yield* sys.close(r3);
    const [n3, ev3] = yield* poll1(sys, w3, POLLOUT, 0);
    yield* put(sys, "err", n3, ev3 === (POLLOUT | POLLERR));
    // POLLOUT while there is room; none once 512 bytes fill it; back when a reader drains.
    const [r4, w4] = yield* pipe(sys);
    yield* put(sys, "room", yield* poll1(sys, w4, POLLOUT | POLLIN, 0));
    yield* put(sys, "fill", yield* sys.write(w4, new Uint8Array(511)));
    yield* put(sys, "room1", yield* poll1(sys, w4, POLLOUT, 0));
    yield* sys.write(w4, "z");
    yield* put(sys, "full", yield* poll1(sys, w4, POLLOUT, 0));
    const t0 = yield* sys.uptime();
    const drainer = yield* child(sys, function* () {
      yield* sys.sleep(4);
      return yield* readn(sys, r4, 10);
    });
    const [n4, ev4] = yield* poll1(sys, w4, POLLOUT);
    yield* put(sys, "drained", n4, ev4, (yield* sys.uptime()) - t0 >= 4);
    yield* put(sys, "drainer", yield* reap(sys, drainer));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    hup: `1,${POLLHUP}`,
    hup0: `1,${POLLHUP}`,
    inhup: `1,${POLLIN | POLLHUP}`,
    err: "1 true",
    room: `1,${POLLOUT}`,
    fill: "511",
    room1: `1,${POLLOUT}`,
    full: "0,0",
    drained: `1 ${POLLOUT} true`,
    drainer: "10",
  });
});

Deno.test("poll's timeout in ticks; 0 does not wait; files and the console", () => {
  function* t(sys: Sys): Program {
    const [r] = yield* pipe(sys);
    for (const timeout of [5, 0, 1]) {
      const t0 = yield* sys.uptime();
      const [n, ev] = yield* poll1(sys, r, POLLIN, timeout);
      const waited = (yield* sys.uptime()) - t0; // a tick may come just before poll's start
      yield* put(sys, `t${timeout}`, n, ev, waited === timeout || waited === timeout + 1);
    }
    const f = yield* sys.open("/polled", O_CREATE | O_RDWR);
    yield* put(sys, "file", yield* poll1(sys, f, POLLIN | POLLOUT, 0));
    const ro = yield* sys.open("/polled", O_RDONLY);
    yield* put(sys, "filero", yield* poll1(sys, ro, POLLIN | POLLOUT, 0));
    // No input ever comes to the console; output always goes.
    yield* put(sys, "cons", yield* poll1(sys, 0, POLLIN, 2), yield* poll1(sys, 1, POLLOUT, 0));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    t5: "0 0 true",
    t0: "0 0 true",
    t1: "0 0 true",
    file: `1,${POLLIN | POLLOUT}`,
    filero: `1,${POLLIN}`,
    cons: `0,0 1,${POLLOUT}`,
  });
  assert.equal(r.m.timeouts.length, 0, "no timeout left behind");
});

Deno.test("the console: poll waits for a typed line, then a nonblocking read says EAGAIN", () => {
  function* t(sys: Sys): Program {
    const [n, ev] = yield* poll1(sys, 0, POLLIN);
    const buf = new Uint8Array(16);
    const got = yield* sys.read(0, buf);
    yield* sys.fcntl(0, F_SETFL, O_NONBLOCK);
    yield* put(sys, "cons", n, ev, got, yield* sys.read(0, buf));
    return 0;
  }
  let out = "";
  const h = headerFor({ initArgv: ["init", "t"] }, "test");
  const m = machineFrom(h, undefined, (b) => out += decode(b), { ...PROGRAMS, t });
  assert.equal(m.run(1_000_000), null);
  assert.equal(m.stall, "input");
  assert.ok(m.procs.some((p) => p.chan?.what === "poll"), "poll waits for the console");
  m.input(encode("hi\n"));
  assert.deepEqual(m.run(1_000_000), { kind: "halt", status: 0 });
  assert.match(out, new RegExp(`^= cons 1 ${POLLIN} 3 ${-EAGAIN}$`, "m"));
});

Deno.test("poll on several fds: only the ready ones; negative skipped; closed ones POLLNVAL", () => {
  function* t(sys: Sys): Program {
    const [r1, w1] = yield* pipe(sys);
    const [r2, w2] = yield* pipe(sys);
    yield* sys.write(w2, "y");
    const fds: PollFd[] = [
      { fd: -1, events: POLLIN },
      { fd: r1, events: POLLIN },
      { fd: r2, events: POLLIN },
      { fd: w1, events: POLLIN }, // a write end is never readable
      { fd: w2, events: POLLOUT },
    ];
    const n = yield* sys.poll(fds);
    yield* put(sys, "many", n, fds.map((f) => f.revents ?? -1));
    const d = yield* sys.dup(r1);
    yield* sys.close(d);
    const gone: PollFd[] = [d, 99, r1].map((fd) => ({ fd, events: POLLIN }));
    const n2 = yield* sys.poll(gone);
    yield* put(sys, "nval", n2, gone.map((f) => f.revents ?? -1));
    yield* put(sys, "none", yield* sys.poll([{ fd: -5, events: POLLIN }], 0));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    many: `2 0,0,${POLLIN},0,${POLLOUT}`,
    nval: `2 ${POLLNVAL},${POLLNVAL},0`,
    none: "0",
  });
});

Deno.test("kill ends a process blocked in poll (with or without a timeout)", () => {
  function* t(sys: Sys): Program {
    const [r] = yield* pipe(sys); // this process keeps the write end: nothing ever comes
    for (const timeout of [-1, 1000]) {
      const kid = yield* child(sys, function* () {
        const [n] = yield* poll1(sys, r, POLLIN, timeout);
        yield* put(sys, "kid-poll", n); // never: a killed process does not return to user mode
        return 7;
      });
      for (;;) {
        const ps = yield* sys.procs();
        if (ps.some((p) => p.pid === kid && p.waitsFor === "poll")) break;
        yield* sys.sleep(1);
      }
      const t0 = yield* sys.uptime();
      yield* put(sys, `kill${timeout}`, yield* sys.kill(kid), yield* reap(sys, kid));
      yield* put(sys, `quick${timeout}`, (yield* sys.uptime()) - t0 < 5);
    }
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    "kill-1": "0 -1",
    "quick-1": "true",
    kill1000: "0 -1",
    quick1000: "true",
  });
  assert.equal(r.m.timeouts.length, 0, "the killed poller's timeout is gone");
  // The journal keeps what the call did: each poll ends in its process's exit step, -EINTR.
  const ends = steps(r.journal).filter((s) => s.ev.k === EV.EXIT && s.ev.n === SYS.poll);
  assert.deepEqual(ends.map((s) => s.ev.k === EV.EXIT && s.ev.r), [-ERRNO.EINTR, -ERRNO.EINTR]);
  assert.ok(describeEvent(ends[0].ev).endsWith(` = ${-ERRNO.EINTR} (killed)`));
});

Deno.test("F_GETFL/F_SETFL; O_NONBLOCK is the open file's; a full pipe's write: what fit", () => {
  function* t(sys: Sys): Program {
    const [r, w] = yield* pipe(sys);
    const f = yield* sys.open("/nb", O_CREATE | O_RDWR | O_APPEND | O_NONBLOCK);
    const fl: (number | number[])[] = [];
    for (const fd of [r, w, f]) fl.push(yield* sys.fcntl(fd, F_GETFL));
    yield* put(sys, "getfl", ...fl);
    yield* put(sys, "badf", yield* sys.fcntl(42, F_GETFL), yield* sys.fcntl(42, F_SETFL, 0));
    // A child sets O_NONBLOCK on its copy of the write end: the parent's write end has it.
    const kid = yield* child(sys, function* () {
      return (yield* sys.fcntl(w, F_SETFL, O_NONBLOCK)) as number;
    });
    yield* put(sys, "kid", yield* reap(sys, kid));
    const d = yield* sys.dup(w);
    yield* put(sys, "shared", yield* sys.fcntl(w, F_GETFL), yield* sys.fcntl(d, F_GETFL));
    yield* put(sys, "w600", yield* sys.write(d, new Uint8Array(600)));
    yield* put(sys, "w1", yield* sys.write(w, "x"));
    yield* put(sys, "r100", yield* sys.read(r, new Uint8Array(100)));
    yield* put(sys, "w300", yield* sys.write(w, new Uint8Array(300)));
    yield* sys.fcntl(w, F_SETFL, 0);
    yield* put(sys, "cleared", yield* sys.fcntl(d, F_GETFL));
    return 0;
  }
  const r = go(t);
  halted0(r);
  assert.deepEqual(results(r), {
    getfl: `${O_RDONLY} ${O_WRONLY} ${O_RDWR | O_APPEND | O_NONBLOCK}`,
    badf: `${-EBADF} ${-EBADF}`,
    kid: "0",
    shared: `${O_WRONLY | O_NONBLOCK} ${O_WRONLY | O_NONBLOCK}`,
    w600: "512",
    w1: `${-EAGAIN}`,
    r100: "100",
    w300: "100",
    cleared: `${O_WRONLY}`,
  });
});

// Two processes hand a token back and forth through two pipes, 20 times, each waiting for it in
// poll (no timeout) with 12 idle fds after its pipe, which widen the gap between the look at
// the pipe and the sleep: a wakeup lost in that gap leaves both asleep for ever (a kernel that
// sleeps without checking poll's event count hangs on about 4 seeds in 10). Two watchers also
// poll the first pipe: a wakeup wakes every poller (each sees a byte, or the POLLHUP at the end).
function* pingpong(sys: Sys): Program {
  const [ra, wa] = yield* pipe(sys);
  const [rb, wb] = yield* pipe(sys);
  const [idle] = yield* pipe(sys); // its write end stays open everywhere: never ready
  const among = Array.from({ length: 12 }, () => ({ fd: idle, events: POLLIN }));
  /** Waits for a byte on fd (among the idle ones) and reads it: 0, or 1 if that failed. */
  function* take(fd: number): Call<number> {
    const n = yield* sys.poll([{ fd, events: POLLIN }, ...among]);
    return n === 1 && (yield* sys.read(fd, new Uint8Array(1))) === 1 ? 0 : 1;
  }
  const watchers: number[] = [];
  for (let i = 0; i < 2; i++) {
    watchers.push(
      yield* child(sys, function* () {
        yield* sys.close(wa);
        yield* sys.close(wb);
        const [n, ev] = yield* poll1(sys, ra, POLLIN);
        return n === 1 && (ev & (POLLIN | POLLHUP)) !== 0 ? 0 : 1;
      }),
    );
  }
  const kid = yield* child(sys, function* () {
    for (let i = 0; i < 20; i++) {
      if ((yield* take(rb)) !== 0) return 1;
      yield* sys.write(wa, "a");
    }
    return 0;
  });
  let bad = 0;
  for (let i = 0; i < 20; i++) {
    yield* sys.write(wb, "b");
    bad += yield* take(ra);
  }
  yield* sys.close(wa); // with the kid's exit, the watchers see POLLHUP if not the bytes
  for (let left = 1 + watchers.length; left > 0; left--) {
    const [pid, status] = yield* sys.wait();
    if (![kid, ...watchers].includes(pid) || status !== 0) bad++;
  }
  yield* put(sys, "pingpong", bad);
  return 0;
}

Deno.test("no lost wakeup: poll ping-pong under the random scheduler, 30 seeds", () => {
  for (let seed = 0; seed < 30; seed++) {
    const r = go(pingpong, { sched: "random", seed, cpus: 3, maxSteps: 200_000 });
    assert.deepEqual(r.end, { kind: "halt", status: 0 }, `seed ${seed}:\n${r.out}`);
    assert.deepEqual(results(r), { pingpong: "0" }, `seed ${seed}`);
    if (seed < 3) assert.equal(replay(r.journal, { t: pingpong }).divergence, null);
  }
});
