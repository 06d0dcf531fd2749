// Pipes, xv6.md section 10 item 4: a pipe holds 512 bytes; a writer blocks when it is full and
// a reader when it is empty while a write end is open; EOF once every write end is closed; a
// write with no reader returns -1; kill interrupts a blocked read or write.

import assert from "node:assert/strict";
import { SYS } from "../../kernel/uapi/syscall.ts";
import {
  EV,
  type Program,
  report,
  runFor as run,
  say,
  type StepRecord,
  steps,
  type Sys,
} from "../helpers.ts";

/** Index of the first step record that matches. */
function stepOf(all: StepRecord[], pred: (s: StepRecord) => boolean): number {
  const i = all.findIndex(pred);
  assert.ok(i >= 0, "no such step in the journal");
  return i;
}

const isCall = (s: StepRecord, n: number, pid?: number) =>
  s.ev.k === EV.SYSCALL && s.ev.n === n && (pid === undefined || s.pid === pid);

/** The pid the program (pid 2) got from its first fork. */
const childOf = (all: StepRecord[]) =>
  (all[stepOf(all, (s) => isCall(s, SYS.fork, 2))].ev as { r: number }).r;

Deno.test("a pipe holds 512 bytes; a writer blocks when it is full", () => {
  function* full(sys: Sys): Program {
    const fds: number[] = [];
    yield* sys.pipe(fds);
    const pid = yield* sys.fork();
    if (pid === 0) {
      const a = yield* sys.write(fds[1], new Uint8Array(512).fill(1)); // fits
      const b = yield* sys.write(fds[1], Uint8Array.of(2)); // waits for the reader
      return a === 512 && b === 1 ? 0 : 1;
    }
    yield* sys.sleep(5); // the child has long filled the pipe
    const buf = new Uint8Array(600);
    const n1 = yield* sys.read(fds[0], buf);
    const n2 = yield* sys.read(fds[0], buf);
    const [, status] = yield* sys.wait();
    yield* say(sys, "full", n1, n2, buf[0], status);
    return 0;
  }
  for (const [sched, seed] of [["rr", 0], ["random", 13]] as const) {
    const r = run({ initArgv: ["init", "full"], programs: { full }, sched, seed });
    assert.deepEqual(report(r, "full"), ["512", "1", "2", "0"]);
    const all = steps(r.journal);
    const child = childOf(all);
    const writes = all.flatMap((s, i) => isCall(s, SYS.write, child) ? [i] : []);
    const firstRead = stepOf(all, (s) => isCall(s, SYS.read, 2));
    assert.ok(writes[0] < firstRead, "the first 512 bytes waited for a reader");
    assert.ok(writes[1] > firstRead, "the 513th byte went in before the reader took any");
  }
});

Deno.test("a reader blocks on an empty pipe until EOF, when the last write end closes", () => {
  function* eof(sys: Sys): Program {
    const fds: number[] = [];
    yield* sys.pipe(fds);
    const pid = yield* sys.fork();
    if (pid === 0) {
      yield* sys.close(fds[0]);
      const dup = yield* sys.dup(fds[1]); // two write ends in this process
      yield* sys.sleep(3);
      yield* sys.write(dup, "hi");
      yield* sys.close(fds[1]);
      yield* sys.sleep(3);
      return yield* sys.exit(0); // closes the other write end
    }
    yield* sys.close(fds[1]);
    const buf = new Uint8Array(16);
    const n1 = yield* sys.read(fds[0], buf);
    const n2 = yield* sys.read(fds[0], buf);
    yield* say(sys, "eof", n1, n2);
    return 0;
  }
  const r = run({ initArgv: ["init", "eof"], programs: { eof } });
  assert.deepEqual(report(r, "eof"), ["2", "0"]);
  const all = steps(r.journal);
  // The reads return only after the data came, and EOF only after the child's exit.
  const child = childOf(all);
  const childWrite = stepOf(all, (s) => isCall(s, SYS.write, child));
  const reads = all.flatMap((s, i) => isCall(s, SYS.read, 2) ? [i] : []);
  const childExit = stepOf(all, (s) => s.pid === child && s.ev.k === EV.EXIT);
  assert.ok(reads[0] > childWrite && reads[1] > childExit);
});

Deno.test("a write to a pipe with no reader returns -1", () => {
  function* noreader(sys: Sys): Program {
    const fds: number[] = [];
    yield* sys.pipe(fds);
    yield* sys.close(fds[0]);
    const n = yield* sys.write(fds[1], "x");
    yield* say(sys, "noreader", n);
    return 0;
  }
  const r = run({ initArgv: ["init", "noreader"], programs: { noreader } });
  assert.deepEqual(report(r, "noreader"), ["-1"]);
  assert.deepEqual(r.end, { kind: "halt", status: 0 }); // no signal: it goes on
});

Deno.test("kill interrupts a blocked pipe write; the writer exits with -1", () => {
  function* stuck(sys: Sys): Program {
    const fds: number[] = [];
    yield* sys.pipe(fds);
    const pid = yield* sys.fork();
    if (pid === 0) {
      yield* sys.write(fds[1], new Uint8Array(2000)); // nobody reads
      return 7;
    }
    yield* sys.sleep(3);
    const k = yield* sys.kill(pid);
    const [, status] = yield* sys.wait();
    yield* say(sys, "stuck", k, status);
    return 0;
  }
  const r = run({ initArgv: ["init", "stuck"], programs: { stuck } });
  assert.deepEqual(report(r, "stuck"), ["0", "-1"]);
});
