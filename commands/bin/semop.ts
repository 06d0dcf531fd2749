// semop ID OP... [--timeout TICKS] [--hold [TICKS]]: one semop() (semtimedop() with
// --timeout) on the System V semaphore set ID, with every OP in the one call, so that they
// happen atomically, all or none. An OP is SEMNUM:DELTA[:FLAGS]: DELTA > 0 adds, DELTA < 0
// takes (waiting until it can), 0 waits for zero; FLAGS are letters, u for SEM_UNDO (the
// kernel undoes the operation when the process exits) and n for IPC_NOWAIT (EAGAIN instead of
// waiting). xCOUNT repeats an operation COUNT times in the call (exec takes 32 arguments at
// most), e.g. `semop 0 0:1x501` for a call of 501 operations, which fails with E2BIG.
//
// Silent on success; then --hold keeps the process alive (forever, or TICKS ticks) so that a
// user can kill it while it holds what it took. An error is the kernel's, as Linux's semop(2)
// has it: `semop: EAGAIN (Resource temporarily unavailable)` (IPC_NOWAIT, or the timeout),
// EIDRM (the set was removed while waiting), ERANGE (a value or adjustment past 32767), EFBIG
// (no such semaphore), E2BIG (more than 500 operations), EINVAL (no such set). An OP that is
// not SEMNUM:DELTA[:FLAGS][xCOUNT] gets `semop: invalid operation 'OP'` and the usage line.

import type { Program } from "../../kernel/uapi/abi.ts";
import { IPC_NOWAIT, SEM_UNDO, type SemBuf, sembuf, SEMOPM } from "../../kernel/uapi/ipc.ts";
import { Getopt, type LongOption, required_argument } from "../lib/getopt.ts";
import { count, fail, HOLD, hold, holdTicks, int32, integer, say, usage } from "../lib/libipc.ts";
import type { Sys } from "../lib/usys.ts";

const USAGE = "semop ID SEMNUM:DELTA[:FLAGS][xCOUNT]... [--timeout TICKS] [--hold [TICKS]] " +
  "(FLAGS: u SEM_UNDO, n IPC_NOWAIT)";

/** The operation of SEMNUM:DELTA[:FLAGS][xCOUNT] and its COUNT, or null. */
function parseOp(s: string): { op: SemBuf; times: number } | null {
  const m = /^([^:x]+):([^:x]+)(?::([un]*))?(?:x([0-9]+))?$/.exec(s);
  if (m === null) return null;
  const num = integer(m[1]), delta = integer(m[2]);
  const times = m[4] === undefined ? 1 : count(m[4]);
  if (num === null || delta === null || times === null) return null;
  let flags = 0;
  for (const c of m[3] ?? "") flags |= c === "u" ? SEM_UNDO : IPC_NOWAIT;
  return { op: sembuf(num, delta, flags), times };
}

const LONGOPTS: LongOption[] = [
  HOLD,
  { name: "timeout", has_arg: required_argument, val: "timeout" },
];

export default function* semop(sys: Sys, argv: string[]): Program {
  let holdFor: number | null = null; // no --hold
  let timeout: number | null = -1;
  const g = new Getopt(argv, ":", LONGOPTS);
  for (let c; (c = g.getopt()) !== -1;) {
    if (c === "hold") holdFor = holdTicks(g);
    else if (c === "timeout") timeout = count(g.optarg!);
    if ((c === "hold" && holdFor === null) || timeout === null || c === "?" || c === ":") {
      return yield* usage(sys, USAGE);
    }
  }
  const args = g.argv.slice(g.optind);
  if (args.length < 2) return yield* usage(sys, USAGE);
  const id = int32(args[0]);
  if (id === null) return yield* usage(sys, USAGE);
  const ops: SemBuf[] = [];
  for (const a of args.slice(1)) {
    const op = parseOp(a);
    if (op === null) {
      yield* say(sys, 2, `semop: invalid operation '${a}'`);
      return yield* usage(sys, USAGE);
    }
    // Past SEMOPM operations the kernel says E2BIG, however many more there are.
    for (let i = 0; i < op.times && ops.length <= SEMOPM; i++) ops.push(op.op);
  }

  const r = yield* sys.semop(id, ops, timeout);
  if (r < 0) return yield* fail(sys, "semop", r);
  if (holdFor !== null) yield* hold(sys, holdFor);
  return yield* sys.exit(0);
}
