// lockf [-n] FILE [STEP...] [--hold [TICKS]]: fcntl() record locks (POSIX locks) on FILE,
// which it opens read-write (making it if it does not exist). The steps run in order:
//   w:START:LEN   write (exclusive) lock on LEN bytes from START (F_SETLKW, F_WRLCK)
//   r:START:LEN   read (shared) lock (F_RDLCK)
//   u:START:LEN   unlock (F_UNLCK)
//   t:START:LEN   test (F_GETLK): prints `unlocked`, or the first lock in the way as
//                 `write|read START LEN pid PID` (LEN 0: to the end of the file)
//   sleep:TICKS   sleep
//   close         open FILE again and close that descriptor: as POSIX has it, closing any
//                 descriptor of a file drops all of the process's record locks on it
// LEN 0 means to the end of the file, however far it grows. Without steps: w:0:0, the whole
// file. A lock waits while another process holds a conflicting one, unless -n (F_SETLK).
// --hold then keeps the process alive (forever, or TICKS ticks) so that a user can kill it:
// the locks belong to the process and go when it exits, however it exits (a forked child
// does not inherit them).
//
// Errors as Linux prints them, and the status is 1: `lockf: EAGAIN (Resource temporarily
// unavailable)` (-n and a conflicting lock), `lockf: EDEADLK (Resource deadlock avoided)`
// (waiting would deadlock: the holder waits, through others, for this process), `lockf:
// EINVAL (Invalid argument)` (a negative START or LEN). A FILE that cannot be opened prints
// `lockf: cannot open FILE`. For example, a deadlock:
//   $ lockf f w:0:10 sleep:5 w:10:10 &
//   $ lockf f w:10:10 w:0:10
//   lockf: EDEADLK (Resource deadlock avoided)

import type { Program } from "../../kernel/uapi/abi.ts";
import {
  F_GETLK,
  F_RDLCK,
  F_SETLK,
  F_SETLKW,
  F_UNLCK,
  F_WRLCK,
  O_CREATE,
  O_RDWR,
} from "../../kernel/uapi/fcntl.ts";
import { Getopt } from "../lib/getopt.ts";
import { count, fail, HOLD, hold, holdTicks, integer, say, usage } from "../lib/libipc.ts";
import type { Sys } from "../lib/usys.ts";

const USAGE = "lockf [-n] FILE [w|r|u|t:START:LEN | sleep:TICKS | close]... [--hold [TICKS]]";

type Step =
  | { kind: "lock"; cmd: number; lock: number[] }
  | { kind: "sleep"; ticks: number }
  | { kind: "close" };

const TYPES: Readonly<Record<string, number>> = { w: F_WRLCK, r: F_RDLCK, u: F_UNLCK, t: F_WRLCK };

function parseStep(s: string, nb: boolean): Step | null {
  if (s === "close") return { kind: "close" };
  const sl = /^sleep:(.*)$/.exec(s);
  if (sl !== null) {
    const ticks = count(sl[1]);
    return ticks === null ? null : { kind: "sleep", ticks };
  }
  const m = /^([wrut]):([^:]+):([^:]+)$/.exec(s);
  if (m === null) return null;
  const start = integer(m[2]), len = integer(m[3]);
  if (start === null || len === null) return null;
  const cmd = m[1] === "t" ? F_GETLK : nb ? F_SETLK : F_SETLKW;
  return { kind: "lock", cmd, lock: [TYPES[m[1]], start, len] };
}

export default function* lockf(sys: Sys, argv: string[]): Program {
  let holdFor: number | null = null; // no --hold
  let nb = false;
  const g = new Getopt(argv, ":n", [HOLD]);
  for (let c; (c = g.getopt()) !== -1;) {
    if (c === "hold") holdFor = holdTicks(g);
    else if (c === "n") nb = true;
    if ((c === "hold" && holdFor === null) || c === "?" || c === ":") {
      return yield* usage(sys, USAGE);
    }
  }
  const args = g.argv.slice(g.optind);
  if (args.length < 1 || args[0].startsWith("-")) return yield* usage(sys, USAGE);
  const file = args[0];
  const steps: Step[] = [];
  for (const a of args.slice(1).length > 0 ? args.slice(1) : ["w:0:0"]) {
    const s = parseStep(a, nb);
    if (s === null) return yield* usage(sys, USAGE);
    steps.push(s);
  }

  const fd = yield* sys.open(file, O_RDWR | O_CREATE);
  if (fd < 0) {
    yield* say(sys, 2, `lockf: cannot open ${file}`);
    return yield* sys.exit(1);
  }
  for (const s of steps) {
    if (s.kind === "sleep") {
      yield* sys.sleep(s.ticks);
    } else if (s.kind === "close") {
      const other = yield* sys.open(file, O_RDWR);
      if (other >= 0) yield* sys.close(other);
    } else {
      const r = yield* sys.fcntl(fd, s.cmd, s.lock);
      if (typeof r === "number") {
        if (r < 0) return yield* fail(sys, "lockf", r);
      } else {
        const [type, start, len, pid] = r;
        yield* say(
          sys,
          1,
          type === F_UNLCK
            ? "unlocked"
            : `${type === F_WRLCK ? "write" : "read"} ${start} ${len} pid ${pid}`,
        );
      }
    }
  }
  if (holdFor !== null) yield* hold(sys, holdFor);
  return yield* sys.exit(0);
}
