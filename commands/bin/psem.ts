// psem NAME create VALUE|wait|trywait|post|value|unlink [--robust] [--fast] [--timeout TICKS]
//      [--hold [TICKS]]
// One operation on the robust POSIX semaphore NAME (commands/lib/libpsem.ts):
//   create VALUE  makes it with value VALUE (sem_open with O_CREAT|O_EXCL): with --fast its
//                 operations take the fast path (user-space atomics, an adjustment word per
//                 process), else the system-call path;
//   wait          takes a token, waiting for one (with --timeout, at most TICKS ticks:
//                 sem_timedwait);
//   trywait       takes a token if there is one, else EAGAIN;
//   post          gives a token;
//   value         prints the value, a bare number on its own line;
//   unlink        removes the name.
// With --robust, wait, trywait and post are the _robust variants: the kernel undoes them when
// the process exits, however it exits (a token taken comes back). Silent on success; then
// --hold keeps the process alive (forever, or TICKS ticks) so that a user can kill it while
// it holds the token. Errors as Linux prints them: `psem: ENOENT (No such file or directory)`
// (no such semaphore), EEXIST (create: it exists), EINVAL (a VALUE outside 0..2147483647),
// EAGAIN (trywait), ETIMEDOUT (wait --timeout).

import type { Program } from "../../kernel/uapi/abi.ts";
import { Getopt, type LongOption, no_argument, required_argument } from "../lib/getopt.ts";
import { count, fail, HOLD, hold, holdTicks, integer, say, usage } from "../lib/libipc.ts";
import {
  type Psem,
  sem_create,
  sem_getvalue,
  sem_open,
  sem_post,
  sem_post_robust,
  sem_timedwait,
  sem_timedwait_robust,
  sem_trywait,
  sem_trywait_robust,
  sem_unlink,
  sem_wait,
  sem_wait_robust,
} from "../lib/libpsem.ts";
import type { Call } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

const USAGE = "psem NAME create VALUE|wait|trywait|post|value|unlink [--robust] [--fast] " +
  "[--timeout TICKS] [--hold [TICKS]]";

const LONGOPTS: LongOption[] = [
  HOLD,
  { name: "robust", has_arg: no_argument, val: "robust" },
  { name: "fast", has_arg: no_argument, val: "fast" },
  { name: "timeout", has_arg: required_argument, val: "timeout" },
];

export default function* psem(sys: Sys, argv: string[]): Program {
  let holdFor: number | null = null; // no --hold
  let robust = false;
  let fast = false;
  let timeout: number | null = -1;
  const g = new Getopt(argv, ":", LONGOPTS);
  for (let c; (c = g.getopt()) !== -1;) {
    if (c === "hold") holdFor = holdTicks(g);
    else if (c === "robust") robust = true;
    else if (c === "fast") fast = true;
    else if (c === "timeout") timeout = count(g.optarg!);
    if ((c === "hold" && holdFor === null) || timeout === null || c === "?" || c === ":") {
      return yield* usage(sys, USAGE);
    }
  }
  const args = g.argv.slice(g.optind);
  if (args.length < 2 || args[0].startsWith("-")) return yield* usage(sys, USAGE);
  const [name, cmd] = args;
  const nargs = cmd === "create" ? 3 : 2;
  if (args.length !== nargs || (timeout >= 0 && cmd !== "wait")) return yield* usage(sys, USAGE);

  let r: number;
  if (cmd === "create") {
    const value = integer(args[2]);
    if (value === null) return yield* usage(sys, USAGE);
    const s = yield* sem_create(sys, name, value, fast);
    r = typeof s === "number" ? s : 0;
  } else if (cmd === "unlink") {
    r = yield* sem_unlink(sys, name);
  } else if (["wait", "trywait", "post", "value"].includes(cmd)) {
    const s = yield* sem_open(sys, name);
    if (typeof s === "number") return yield* fail(sys, "psem", s);
    r = yield* operate(sys, s, cmd, robust, timeout);
  } else {
    return yield* usage(sys, USAGE);
  }
  if (r < 0) return yield* fail(sys, "psem", r);
  if (holdFor !== null) yield* hold(sys, holdFor);
  return yield* sys.exit(0);
}

/** wait, trywait, post or value on an open semaphore: 0 or -errno. */
function* operate(sys: Sys, s: Psem, cmd: string, robust: boolean, timeout: number): Call<number> {
  if (cmd === "value") {
    yield* say(sys, 1, String(yield* sem_getvalue(sys, s)));
    return 0;
  }
  if (cmd === "post") return yield* (robust ? sem_post_robust : sem_post)(sys, s);
  if (cmd === "trywait") return yield* (robust ? sem_trywait_robust : sem_trywait)(sys, s);
  if (timeout >= 0) {
    return yield* (robust ? sem_timedwait_robust : sem_timedwait)(sys, s, timeout);
  }
  return yield* (robust ? sem_wait_robust : sem_wait)(sys, s);
}
