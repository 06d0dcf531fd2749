// usertests (xv6's user/usertests.c, 2022 xv6-riscv): the process, pipe and small file-system
// tests of its quick list, in its order, with its iteration counts, messages and exit statuses.
// Each test runs in a child of the harness; it passes iff that child exits with status 0, so a
// test body that returns passes. Tests that need sbrk or user-memory addresses are left out,
// and so is the free-page count (countfree) around the run: dv6 has no sbrk.
//
// usertests [-c] [-C] [-q] [testname]
//
// One file over 600 lines on purpose: it is one xv6 file, its tests in xv6's order, and a reader
// compares it with usertests.c side by side.

import type { Program, UserStep, Val } from "../../kernel/uapi/abi.ts";
import { O_CREATE, O_RDONLY, O_RDWR, O_WRONLY } from "../../kernel/uapi/fcntl.ts";
import { Getopt } from "../lib/getopt.ts";
import { printf } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

/** A test body, like C's `void f(char *s)`; `s` is the test's name. */
export type TestFn = (sys: Sys, s: string) => Generator<UserStep, void, Val>;

export interface Test {
  name: string;
  fn: TestFn;
}

// The size of usertests.c's global `buf`: (MAXOPBLOCKS+2)*BSIZE. Each test makes its own.
const BUFSZ = (10 + 2) * 1024;

// does chdir() call iput(p->cwd) in a transaction?
function* iputtest(sys: Sys, s: string): Generator<UserStep, void, Val> {
  if ((yield* sys.mkdir("iputdir")) < 0) {
    yield* printf(sys, 1, "%s: mkdir failed\n", s);
    yield* sys.exit(1);
  }
  if ((yield* sys.chdir("iputdir")) < 0) {
    yield* printf(sys, 1, "%s: chdir iputdir failed\n", s);
    yield* sys.exit(1);
  }
  if ((yield* sys.unlink("../iputdir")) < 0) {
    yield* printf(sys, 1, "%s: unlink ../iputdir failed\n", s);
    yield* sys.exit(1);
  }
  if ((yield* sys.chdir("/")) < 0) {
    yield* printf(sys, 1, "%s: chdir / failed\n", s);
    yield* sys.exit(1);
  }
}

// does exit() call iput(p->cwd) in a transaction?
function* exitiputtest(sys: Sys, s: string): Generator<UserStep, void, Val> {
  const pid = yield* sys.fork();
  if (pid < 0) {
    yield* printf(sys, 1, "%s: fork failed\n", s);
    yield* sys.exit(1);
  }
  if (pid === 0) {
    if ((yield* sys.mkdir("iputdir")) < 0) {
      yield* printf(sys, 1, "%s: mkdir failed\n", s);
      yield* sys.exit(1);
    }
    if ((yield* sys.chdir("iputdir")) < 0) {
      yield* printf(sys, 1, "%s: child chdir failed\n", s);
      yield* sys.exit(1);
    }
    if ((yield* sys.unlink("../iputdir")) < 0) {
      yield* printf(sys, 1, "%s: unlink ../iputdir failed\n", s);
      yield* sys.exit(1);
    }
    yield* sys.exit(0);
  }
  const [, xstatus] = yield* sys.wait();
  yield* sys.exit(xstatus);
}

// does the error path in open() for attempt to write a directory call iput() in a
// transaction?
function* openiputtest(sys: Sys, s: string): Generator<UserStep, void, Val> {
  if ((yield* sys.mkdir("oidir")) < 0) {
    yield* printf(sys, 1, "%s: mkdir oidir failed\n", s);
    yield* sys.exit(1);
  }
  const pid = yield* sys.fork();
  if (pid < 0) {
    yield* printf(sys, 1, "%s: fork failed\n", s);
    yield* sys.exit(1);
  }
  if (pid === 0) {
    const fd = yield* sys.open("oidir", O_RDWR);
    if (fd >= 0) {
      yield* printf(sys, 1, "%s: open directory for write succeeded\n", s);
      yield* sys.exit(1);
    }
    yield* sys.exit(0);
  }
  yield* sys.sleep(1);
  if ((yield* sys.unlink("oidir")) !== 0) {
    yield* printf(sys, 1, "%s: unlink failed\n", s);
    yield* sys.exit(1);
  }
  const [, xstatus] = yield* sys.wait();
  yield* sys.exit(xstatus);
}

function* exectest(sys: Sys, s: string): Generator<UserStep, void, Val> {
  const echoargv = ["echo", "OK"];
  const buf = new Uint8Array(3);

  yield* sys.unlink("echo-ok");
  const pid = yield* sys.fork();
  if (pid < 0) {
    yield* printf(sys, 1, "%s: fork failed\n", s);
    yield* sys.exit(1);
  }
  if (pid === 0) {
    yield* sys.close(1);
    const fd = yield* sys.open("echo-ok", O_CREATE | O_WRONLY);
    if (fd < 0) {
      yield* printf(sys, 1, "%s: create failed\n", s);
      yield* sys.exit(1);
    }
    if (fd !== 1) {
      yield* printf(sys, 1, "%s: wrong fd\n", s);
      yield* sys.exit(1);
    }
    // dv6 keeps its programs in /bin, where xv6 keeps them in /.
    if ((yield* sys.exec("/bin/echo", echoargv)) < 0) {
      yield* printf(sys, 1, "%s: exec echo failed\n", s);
      yield* sys.exit(1);
    }
    // won't get to here
  }
  const [wpid, xstatus] = yield* sys.wait();
  if (wpid !== pid) {
    yield* printf(sys, 1, "%s: wait failed!\n", s);
  }
  if (xstatus !== 0) yield* sys.exit(xstatus);

  const fd = yield* sys.open("echo-ok", O_RDONLY);
  if (fd < 0) {
    yield* printf(sys, 1, "%s: open failed\n", s);
    yield* sys.exit(1);
  }
  if ((yield* sys.read(fd, buf, 2)) !== 2) {
    yield* printf(sys, 1, "%s: read failed\n", s);
    yield* sys.exit(1);
  }
  yield* sys.unlink("echo-ok");
  if (buf[0] === 0x4f /* O */ && buf[1] === 0x4b /* K */) {
    yield* sys.exit(0);
  } else {
    yield* printf(sys, 1, "%s: wrong output\n", s);
    yield* sys.exit(1);
  }
}

// simple fork and pipe read/write
function* pipe1(sys: Sys, s: string): Generator<UserStep, void, Val> {
  const N = 5, SZ = 1033;
  const buf = new Uint8Array(BUFSZ);
  const fds: number[] = [];

  if ((yield* sys.pipe(fds)) !== 0) {
    yield* printf(sys, 1, "%s: pipe() failed\n", s);
    yield* sys.exit(1);
  }
  const pid = yield* sys.fork();
  let seq = 0;
  if (pid === 0) {
    yield* sys.close(fds[0]);
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < SZ; i++) buf[i] = seq++;
      if ((yield* sys.write(fds[1], buf, SZ)) !== SZ) {
        yield* printf(sys, 1, "%s: pipe1 oops 1\n", s);
        yield* sys.exit(1);
      }
    }
    yield* sys.exit(0);
  } else if (pid > 0) {
    yield* sys.close(fds[1]);
    let total = 0;
    let cc = 1;
    let n: number;
    while ((n = yield* sys.read(fds[0], buf, cc)) > 0) {
      for (let i = 0; i < n; i++) {
        if ((buf[i] & 0xff) !== (seq++ & 0xff)) {
          yield* printf(sys, 1, "%s: pipe1 oops 2\n", s);
          return;
        }
      }
      total += n;
      cc = cc * 2;
      if (cc > buf.length) cc = buf.length;
    }
    if (total !== N * SZ) {
      yield* printf(sys, 1, "%s: pipe1 oops 3 total %d\n", s, total);
      yield* sys.exit(1);
    }
    yield* sys.close(fds[0]);
    const [, xstatus] = yield* sys.wait();
    yield* sys.exit(xstatus);
  } else {
    yield* printf(sys, 1, "%s: fork() failed\n", s);
    yield* sys.exit(1);
  }
}

// test if child is killed (status = -1)
function* killstatus(sys: Sys, s: string): Generator<UserStep, void, Val> {
  for (let i = 0; i < 100; i++) {
    const pid1 = yield* sys.fork();
    if (pid1 < 0) {
      yield* printf(sys, 1, "%s: fork failed\n", s);
      yield* sys.exit(1);
    }
    if (pid1 === 0) {
      for (;;) yield* sys.getpid();
    }
    yield* sys.sleep(1);
    yield* sys.kill(pid1);
    const [, xst] = yield* sys.wait();
    if (xst !== -1) {
      yield* printf(sys, 1, "%s: status should be -1\n", s);
      yield* sys.exit(1);
    }
  }
  yield* sys.exit(0);
}

// meant to be run w/ at most two CPUs
function* preempt(sys: Sys, s: string): Generator<UserStep, void, Val> {
  const buf = new Uint8Array(BUFSZ);
  const pfds: number[] = [];

  const pid1 = yield* sys.fork();
  if (pid1 < 0) {
    yield* printf(sys, 1, "%s: fork failed", s);
    yield* sys.exit(1);
  }
  if (pid1 === 0) {
    for (;;) yield* sys.spin();
  }

  const pid2 = yield* sys.fork();
  if (pid2 < 0) {
    yield* printf(sys, 1, "%s: fork failed\n", s);
    yield* sys.exit(1);
  }
  if (pid2 === 0) {
    for (;;) yield* sys.spin();
  }

  yield* sys.pipe(pfds);
  const pid3 = yield* sys.fork();
  if (pid3 < 0) {
    yield* printf(sys, 1, "%s: fork failed\n", s);
    yield* sys.exit(1);
  }
  if (pid3 === 0) {
    yield* sys.close(pfds[0]);
    if ((yield* sys.write(pfds[1], "x", 1)) !== 1) {
      yield* printf(sys, 1, "%s: preempt write error", s);
    }
    yield* sys.close(pfds[1]);
    for (;;) yield* sys.spin();
  }

  yield* sys.close(pfds[1]);
  if ((yield* sys.read(pfds[0], buf, buf.length)) !== 1) {
    yield* printf(sys, 1, "%s: preempt read error", s);
    return;
  }
  yield* sys.close(pfds[0]);
  yield* printf(sys, 1, "kill... ");
  yield* sys.kill(pid1);
  yield* sys.kill(pid2);
  yield* sys.kill(pid3);
  yield* printf(sys, 1, "wait... ");
  yield* sys.wait();
  yield* sys.wait();
  yield* sys.wait();
}

// try to find any races between exit and wait
function* exitwait(sys: Sys, s: string): Generator<UserStep, void, Val> {
  for (let i = 0; i < 100; i++) {
    const pid = yield* sys.fork();
    if (pid < 0) {
      yield* printf(sys, 1, "%s: fork failed\n", s);
      yield* sys.exit(1);
    }
    if (pid) {
      const [wpid, xstate] = yield* sys.wait();
      if (wpid !== pid) {
        yield* printf(sys, 1, "%s: wait wrong pid\n", s);
        yield* sys.exit(1);
      }
      if (i !== xstate) {
        yield* printf(sys, 1, "%s: wait wrong exit status\n", s);
        yield* sys.exit(1);
      }
    } else {
      yield* sys.exit(i);
    }
  }
}

// try to find races in the reparenting code that handles a parent exiting when it still has
// live children.
function* reparent(sys: Sys, s: string): Generator<UserStep, void, Val> {
  const masterPid = yield* sys.getpid();
  for (let i = 0; i < 200; i++) {
    const pid = yield* sys.fork();
    if (pid < 0) {
      yield* printf(sys, 1, "%s: fork failed\n", s);
      yield* sys.exit(1);
    }
    if (pid) {
      const [wpid] = yield* sys.wait();
      if (wpid !== pid) {
        yield* printf(sys, 1, "%s: wait wrong pid\n", s);
        yield* sys.exit(1);
      }
    } else {
      const pid2 = yield* sys.fork();
      if (pid2 < 0) {
        yield* sys.kill(masterPid);
        yield* sys.exit(1);
      }
      yield* sys.exit(0);
    }
  }
  yield* sys.exit(0);
}

// what if two children exit() at the same time?
function* twochildren(sys: Sys, s: string): Generator<UserStep, void, Val> {
  for (let i = 0; i < 1000; i++) {
    const pid1 = yield* sys.fork();
    if (pid1 < 0) {
      yield* printf(sys, 1, "%s: fork failed\n", s);
      yield* sys.exit(1);
    }
    if (pid1 === 0) {
      yield* sys.exit(0);
    } else {
      const pid2 = yield* sys.fork();
      if (pid2 < 0) {
        yield* printf(sys, 1, "%s: fork failed\n", s);
        yield* sys.exit(1);
      }
      if (pid2 === 0) {
        yield* sys.exit(0);
      } else {
        yield* sys.wait();
        yield* sys.wait();
      }
    }
  }
}

// concurrent forks to try to expose locking bugs.
function* forkfork(sys: Sys, s: string): Generator<UserStep, void, Val> {
  const N = 2;

  for (let i = 0; i < N; i++) {
    const pid = yield* sys.fork();
    if (pid < 0) {
      yield* printf(sys, 1, "%s: fork failed", s);
      yield* sys.exit(1);
    }
    if (pid === 0) {
      for (let j = 0; j < 200; j++) {
        const pid1 = yield* sys.fork();
        if (pid1 < 0) yield* sys.exit(1);
        if (pid1 === 0) yield* sys.exit(0);
        yield* sys.wait();
      }
      yield* sys.exit(0);
    }
  }

  for (let i = 0; i < N; i++) {
    const [, xstatus] = yield* sys.wait();
    if (xstatus !== 0) {
      yield* printf(sys, 1, "%s: fork in child failed", s);
      yield* sys.exit(1);
    }
  }
}

function* forkforkfork(sys: Sys, s: string): Generator<UserStep, void, Val> {
  yield* sys.unlink("stopforking");

  const pid = yield* sys.fork();
  if (pid < 0) {
    yield* printf(sys, 1, "%s: fork failed", s);
    yield* sys.exit(1);
  }
  if (pid === 0) {
    for (;;) {
      const fd = yield* sys.open("stopforking", 0);
      if (fd >= 0) yield* sys.exit(0);
      if ((yield* sys.fork()) < 0) {
        yield* sys.close(yield* sys.open("stopforking", O_CREATE | O_RDWR));
      }
    }
  }

  yield* sys.sleep(20); // two seconds
  yield* sys.close(yield* sys.open("stopforking", O_CREATE | O_RDWR));
  yield* sys.wait();
  yield* sys.sleep(10); // one second
}

// regression test. does reparent() violate the parent-then-child locking order when giving
// away a child to init, so that exit() deadlocks against init's wait()? also used to trigger a
// "panic: release" due to exit() releasing a different p->parent->lock than it acquired.
function* reparent2(sys: Sys, _s: string): Generator<UserStep, void, Val> {
  for (let i = 0; i < 800; i++) {
    const pid1 = yield* sys.fork();
    if (pid1 < 0) {
      yield* printf(sys, 1, "fork failed\n");
      yield* sys.exit(1);
    }
    if (pid1 === 0) {
      yield* sys.fork();
      yield* sys.fork();
      yield* sys.exit(0);
    }
    yield* sys.wait();
  }

  yield* sys.exit(0);
}

// two processes write to the same file descriptor: is the offset shared? does inode locking
// work?
function* sharedfd(sys: Sys, s: string): Generator<UserStep, void, Val> {
  const N = 1000, SZ = 10;
  const buf = new Uint8Array(SZ);

  yield* sys.unlink("sharedfd");
  let fd = yield* sys.open("sharedfd", O_CREATE | O_RDWR);
  if (fd < 0) {
    yield* printf(sys, 1, "%s: cannot open sharedfd for writing", s);
    yield* sys.exit(1);
  }
  const pid = yield* sys.fork();
  buf.fill(pid === 0 ? 0x63 /* c */ : 0x70 /* p */);
  for (let i = 0; i < N; i++) {
    if ((yield* sys.write(fd, buf, SZ)) !== SZ) {
      yield* printf(sys, 1, "%s: write sharedfd failed\n", s);
      yield* sys.exit(1);
    }
  }
  if (pid === 0) {
    yield* sys.exit(0);
  } else {
    const [, xstatus] = yield* sys.wait();
    if (xstatus !== 0) yield* sys.exit(xstatus);
  }

  yield* sys.close(fd);
  fd = yield* sys.open("sharedfd", 0);
  if (fd < 0) {
    yield* printf(sys, 1, "%s: cannot open sharedfd for reading\n", s);
    yield* sys.exit(1);
  }
  let nc = 0, np = 0;
  while ((yield* sys.read(fd, buf, SZ)) > 0) {
    for (let i = 0; i < SZ; i++) {
      if (buf[i] === 0x63) nc++;
      if (buf[i] === 0x70) np++;
    }
  }
  yield* sys.close(fd);
  yield* sys.unlink("sharedfd");
  if (nc === N * SZ && np === N * SZ) {
    yield* sys.exit(0);
  } else {
    yield* printf(sys, 1, "%s: nc/np test fails\n", s);
    yield* sys.exit(1);
  }
}

// test that fork fails gracefully. the forktest binary also does this, but it runs out of proc
// entries first. inside the bigger usertests binary, we run out of memory first.
function* forktest(sys: Sys, s: string): Generator<UserStep, void, Val> {
  const N = 1000;
  let n: number;

  for (n = 0; n < N; n++) {
    const pid = yield* sys.fork();
    if (pid < 0) break;
    if (pid === 0) yield* sys.exit(0);
  }

  if (n === 0) {
    yield* printf(sys, 1, "%s: no fork at all!\n", s);
    yield* sys.exit(1);
  }

  if (n === N) {
    yield* printf(sys, 1, "%s: fork claimed to work 1000 times!\n", s);
    yield* sys.exit(1);
  }

  for (; n > 0; n--) {
    const [pid] = yield* sys.wait();
    if (pid < 0) {
      yield* printf(sys, 1, "%s: wait stopped early\n", s);
      yield* sys.exit(1);
    }
  }

  const [pid] = yield* sys.wait();
  if (pid !== -1) {
    yield* printf(sys, 1, "%s: wait got too many\n", s);
    yield* sys.exit(1);
  }
}

/** The quick tests, in usertests.c's order (those dv6 can express). */
export const QUICKTESTS: readonly Test[] = Object.freeze([
  { name: "openiput", fn: openiputtest },
  { name: "exitiput", fn: exitiputtest },
  { name: "iput", fn: iputtest },
  { name: "exectest", fn: exectest },
  { name: "pipe1", fn: pipe1 },
  { name: "killstatus", fn: killstatus },
  { name: "preempt", fn: preempt },
  { name: "exitwait", fn: exitwait },
  { name: "reparent", fn: reparent },
  { name: "twochildren", fn: twochildren },
  { name: "forkfork", fn: forkfork },
  { name: "forkforkfork", fn: forkforkfork },
  { name: "reparent2", fn: reparent2 },
  { name: "sharedfd", fn: sharedfd },
  { name: "forktest", fn: forktest },
]);

/** The slow tests (bigdir, manywrites, ...): none yet. */
export const SLOWTESTS: readonly Test[] = Object.freeze([]);

// The hidden argument that makes usertests run one test in the process it is in.
const CHILD = "--run-test";

// Runs each test in its own process; true if the child's exit status says it passed.
// dv6: the child is spawned (a fresh usertests that runs just this test) where xv6 forks:
// a fork's child re-runs its parent's whole history, here every test before this one.
function* run(sys: Sys, s: string): Generator<UserStep, boolean, Val> {
  yield* printf(sys, 1, "test %s: ", s);
  const pid = yield* sys.spawn("/bin/usertests", ["usertests", CHILD, s]);
  if (pid < 0) {
    yield* printf(sys, 1, "runtest: fork error\n");
    yield* sys.exit(1);
  }
  const [, xstatus] = yield* sys.wait();
  if (xstatus !== 0) yield* printf(sys, 1, "FAILED\n");
  else yield* printf(sys, 1, "OK\n");
  return xstatus === 0;
}

// The number of tests run, or -1 after the first failure (unless continuous === 2).
function* runtests(
  sys: Sys,
  tests: readonly Test[],
  justone: string | null,
  continuous: number,
): Generator<UserStep, number, Val> {
  let ntests = 0;
  for (const t of tests) {
    if (justone === null || t.name === justone) {
      ntests++;
      if (!(yield* run(sys, t.name))) {
        if (continuous !== 2) {
          yield* printf(sys, 1, "SOME TESTS FAILED\n");
          return -1;
        }
      }
    }
  }
  return ntests;
}

function* drivetests(
  sys: Sys,
  quick: boolean,
  continuous: number,
  justone: string | null,
): Generator<UserStep, number, Val> {
  do {
    yield* printf(sys, 1, "usertests starting\n");
    let ntests = 0;
    let n = yield* runtests(sys, QUICKTESTS, justone, continuous);
    if (n < 0) {
      if (continuous !== 2) return 1;
    } else {
      ntests += n;
    }
    if (!quick) {
      if (justone === null) yield* printf(sys, 1, "usertests slow tests starting\n");
      n = yield* runtests(sys, SLOWTESTS, justone, continuous);
      if (n < 0) {
        if (continuous !== 2) return 1;
      } else {
        ntests += n;
      }
    }
    if (justone !== null && ntests === 0) {
      yield* printf(sys, 1, "NO TESTS EXECUTED\n");
      return 1;
    }
  } while (continuous);
  return 0;
}

export default function* usertests(sys: Sys, argv: string[]): Program {
  const test = argv[1] === CHILD ? QUICKTESTS.find((t) => t.name === argv[2]) : undefined;
  if (test !== undefined) {
    yield* test.fn(sys, test.name);
    return yield* sys.exit(0);
  }
  // One argument at most, as xv6's usertests takes them: -q, -c, -C or a test's name.
  const g = new Getopt(argv, ":qcC");
  const opts: string[] = [];
  for (let c; (c = g.getopt()) !== -1;) opts.push(c);
  const names = g.argv.slice(g.optind);
  if (
    argv.length > 2 || opts.length + names.length !== argv.length - 1 ||
    opts.some((c) => c === "?" || c === ":") || names.some((n) => n.startsWith("-"))
  ) {
    yield* printf(sys, 1, "Usage: usertests [-c] [-C] [-q] [testname]\n");
    yield* sys.exit(1);
  }
  const quick = opts[0] === "q";
  const continuous = opts[0] === "c" ? 1 : opts[0] === "C" ? 2 : 0;
  const justone = names[0] ?? null;
  if (yield* drivetests(sys, quick, continuous, justone)) {
    yield* sys.exit(1);
  }
  yield* printf(sys, 1, "ALL TESTS PASSED\n");
  yield* sys.exit(0);
}
