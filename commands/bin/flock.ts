// flock [-s|-x|-u] [-n] [-o] [-E CODE] FILE [COMMAND [ARGS...]]
// flock [-s|-x|-u] [-n] [-o] [-E CODE] FILE -c COMMAND_LINE
// flock [-s|-x|-u] [-n] [-E CODE] FD
// flock [-s|-x] [-n] [-E CODE] FILE --hold [TICKS]
// util-linux's flock(1) over dv6's flock(2). It opens FILE (making it if it does not exist),
// takes a lock on it (-x exclusive, the default; -s shared; -u unlock), waiting for it unless
// -n, then runs COMMAND (found in /bin) or `sh -c COMMAND_LINE` and waits for it: the lock
// belongs to the open file, which the command inherits, so it holds while the command runs
// (even if flock is killed) and goes when the last descriptor of that open file is closed.
// -o closes the descriptor in the command, so that only flock holds the lock. The status is
// the command's (-1 if it was killed, as dv6's sh shows it).
// With FD (a number) it locks that descriptor, which it inherited, and exits: the lock stays
// with the open file. dv6's --hold (before FILE or right after it) keeps the lock for TICKS
// ticks, or until killed.
//
// Errors: a lock that -n cannot take prints `flock: EAGAIN (Resource temporarily unavailable)`
// (EWOULDBLOCK) and exits with CODE (1 by default; util-linux says nothing there, dv6's
// commands name their errors); a bad FD prints `flock: EBADF (Bad file descriptor)`; a FILE
// that cannot be opened prints `flock: cannot open lock file FILE`; a COMMAND that cannot be
// run prints `flock: failed to execute COMMAND` and exits 127; the others exit 1.

import type { Program } from "../../kernel/uapi/abi.ts";
import { ERRNO } from "../../kernel/uapi/errno.ts";
import {
  LOCK_EX,
  LOCK_NB,
  LOCK_SH,
  LOCK_UN,
  O_CREATE,
  O_RDONLY,
  type SpawnAction,
  spawnClose,
} from "../../kernel/uapi/fcntl.ts";
import { binPath } from "./init.ts";
import { EXIT_ENOENT } from "../lib/exitstatus.ts";
import { Getopt, type LongOption, no_argument, required_argument } from "../lib/getopt.ts";
import { count, HOLD, hold, holdTicks, int32, say, usage } from "../lib/libipc.ts";
import { perror } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

const USAGE = "flock [-s|-x|-u] [-n] [-o] [-E CODE] FILE|FD [COMMAND [ARGS...] | -c LINE | " +
  "--hold [TICKS]]";

const LONGOPTS: LongOption[] = [
  { name: "shared", has_arg: no_argument, val: "s" },
  { name: "exclusive", has_arg: no_argument, val: "x" },
  { name: "unlock", has_arg: no_argument, val: "u" },
  { name: "nonblock", has_arg: no_argument, val: "n" },
  { name: "nb", has_arg: no_argument, val: "n" },
  { name: "close", has_arg: no_argument, val: "o" },
  { name: "conflict-exit-code", has_arg: required_argument, val: "E" },
  HOLD,
];

/** The status when -n finds the lock taken, unless -E says another (util-linux's default). */
const EXIT_CONFLICT = 1;

export default function* flock(sys: Sys, argv: string[]): Program {
  // Options end at FILE (what follows belongs to the command); --hold may stand among them.
  let op = LOCK_EX;
  let nb = 0;
  let close = false;
  let conflict = EXIT_CONFLICT;
  let holdFor: number | null = null; // no --hold
  const g = new Getopt(argv, "+:sxeunoE:", LONGOPTS);
  for (let c; (c = g.getopt()) !== -1;) {
    if (c === "s") op = LOCK_SH;
    else if (c === "x" || c === "e") op = LOCK_EX;
    else if (c === "u") op = LOCK_UN;
    else if (c === "n") nb = LOCK_NB;
    else if (c === "o") close = true;
    else if (c === "E") {
      const code = count(g.optarg!);
      if (code === null || code > 255) return yield* usage(sys, USAGE);
      conflict = code;
    } else if (c === "hold") {
      holdFor = holdTicks(g);
      if (holdFor === null) return yield* usage(sys, USAGE);
    } else return yield* usage(sys, USAGE);
  }
  const file = g.argv[g.optind];
  const after = g.argv.slice(g.optind + 1);
  if (file === undefined) return yield* usage(sys, USAGE);
  if (after[0] === "--hold" && holdFor === null) {
    holdFor = count(after[1]) ?? -1;
    after.splice(0, holdFor >= 0 ? 2 : 1);
    if (after.length > 0) return yield* usage(sys, USAGE);
  }
  let command = after;
  if (after[0] === "-c" || after[0] === "--command") {
    if (after.length !== 2) return yield* usage(sys, USAGE);
    command = ["sh", "-c", after[1]];
  }
  if (holdFor !== null && command.length > 0) return yield* usage(sys, USAGE);

  // FD, or FILE opened (made if need be; a directory read-only).
  let fd: number;
  const n = int32(file);
  if (command.length === 0 && holdFor === null && n !== null) {
    fd = n;
  } else {
    fd = yield* sys.open(file, O_RDONLY | O_CREATE);
    if (fd < 0) fd = yield* sys.open(file, O_RDONLY);
    if (fd < 0) {
      yield* say(sys, 2, `flock: cannot open lock file ${file}`);
      return yield* sys.exit(1);
    }
  }

  const r = yield* sys.flock(fd, op | nb);
  if (r < 0) {
    yield* perror(sys, "flock", r);
    return yield* sys.exit(r === -ERRNO.EAGAIN ? conflict : 1);
  }
  if (holdFor !== null) yield* hold(sys, holdFor);
  if (command.length === 0) return yield* sys.exit(0);

  const actions: SpawnAction[] = close ? [spawnClose(fd)] : [];
  const pid = yield* sys.spawn(binPath(command[0]), command, actions);
  if (pid < 0) {
    yield* say(sys, 2, `flock: failed to execute ${command[0]}`);
    return yield* sys.exit(EXIT_ENOENT);
  }
  for (;;) {
    const [w, status] = yield* sys.wait();
    if (w === pid) return yield* sys.exit(status);
    if (w < 0) return yield* sys.exit(1);
  }
}
