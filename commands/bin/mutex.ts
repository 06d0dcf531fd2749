// mutex NAME create [--robust]
// mutex NAME lock [--consistent] [--unlock] [--hold [TICKS]]
// mutex NAME unlink
// A process-shared mutex in shared memory (commands/lib/libmutex.ts), plain or robust.
//   create  makes it (EEXIST if the name is taken).
//   lock    locks it and prints what lock returned on a line of its own: 0, EOWNERDEAD (the
//           owner died holding this robust mutex: this process owns it now, inconsistent) or
//           ENOTRECOVERABLE (it was unlocked while inconsistent: it is unusable, and this
//           process does not own it; status 1). It waits while another process owns it,
//           forever if that owner of a plain mutex died. Then, in this order: --consistent
//           marks a recovered mutex consistent (pthread_mutex_consistent), --hold keeps the
//           lock (forever, or TICKS ticks) so that a user can kill the owner, --unlock
//           unlocks it (while still inconsistent, that makes it not recoverable). A process
//           that exits owning a robust mutex leaves it to the next lock with EOWNERDEAD.
//   unlink  removes the name.
// Errors as Linux prints them: `mutex: ENOENT (No such file or directory)` (no such mutex),
// `mutex: EINVAL (Invalid argument)` (--consistent on a mutex that is not robust or not
// inconsistent).

import type { Program } from "../../kernel/uapi/abi.ts";
import { ERRNO, errnoText } from "../../kernel/uapi/errno.ts";
import { Getopt, type LongOption, no_argument } from "../lib/getopt.ts";
import { fail, HOLD, hold, holdTicks, say, usage } from "../lib/libipc.ts";
import {
  mutex_consistent,
  mutex_create,
  mutex_lock,
  mutex_open,
  mutex_unlink,
  mutex_unlock,
} from "../lib/libmutex.ts";
import type { Sys } from "../lib/usys.ts";

const USAGE = "mutex NAME create [--robust] | mutex NAME lock [--consistent] [--unlock] " +
  "[--hold [TICKS]] | mutex NAME unlink";

const LONGOPTS: LongOption[] = [
  HOLD,
  { name: "robust", has_arg: no_argument, val: "robust" },
  { name: "consistent", has_arg: no_argument, val: "consistent" },
  { name: "unlock", has_arg: no_argument, val: "unlock" },
];

export default function* mutex(sys: Sys, argv: string[]): Program {
  let holdFor: number | null = null; // no --hold
  let robust = false;
  let consistent = false;
  let unlock = false;
  const g = new Getopt(argv, ":", LONGOPTS);
  for (let c; (c = g.getopt()) !== -1;) {
    if (c === "hold") holdFor = holdTicks(g);
    else if (c === "robust") robust = true;
    else if (c === "consistent") consistent = true;
    else if (c === "unlock") unlock = true;
    if ((c === "hold" && holdFor === null) || c === "?" || c === ":") {
      return yield* usage(sys, USAGE);
    }
  }
  const args = g.argv.slice(g.optind);
  if (args.length !== 2 || args[0].startsWith("-")) return yield* usage(sys, USAGE);
  const [name, cmd] = args;
  const lockOptions = consistent || unlock || holdFor !== null;

  if (cmd === "create" && !lockOptions) {
    const m = yield* mutex_create(sys, name, robust);
    if (typeof m === "number") return yield* fail(sys, "mutex", m);
    return yield* sys.exit(0);
  }
  if (cmd === "unlink" && !lockOptions && !robust) {
    const r = yield* mutex_unlink(sys, name);
    if (r < 0) return yield* fail(sys, "mutex", r);
    return yield* sys.exit(0);
  }
  if (cmd !== "lock" || robust) return yield* usage(sys, USAGE);

  const m = yield* mutex_open(sys, name);
  if (typeof m === "number") return yield* fail(sys, "mutex", m);
  const r = yield* mutex_lock(sys, m);
  if (r === 0 || r === -ERRNO.EOWNERDEAD || r === -ERRNO.ENOTRECOVERABLE) {
    yield* say(sys, 1, r === 0 ? "0" : errnoText(r).split(" ")[0]);
  }
  if (r === -ERRNO.ENOTRECOVERABLE) return yield* sys.exit(1);
  if (r < 0 && r !== -ERRNO.EOWNERDEAD) return yield* fail(sys, "mutex", r);
  if (consistent) {
    const c = yield* mutex_consistent(sys, m);
    if (c < 0) return yield* fail(sys, "mutex", c);
  }
  if (holdFor !== null) yield* hold(sys, holdFor);
  if (unlock) {
    const u = yield* mutex_unlock(sys, m);
    if (u < 0) return yield* fail(sys, "mutex", u);
  }
  return yield* sys.exit(0);
}
