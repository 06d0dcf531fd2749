// flock [options] FILE|DIRECTORY COMMAND [ARGUMENT...]
// flock [options] FILE|DIRECTORY -c COMMAND
// flock [options] FD
// flock [options] FILE|DIRECTORY --hold [TICKS]
// util-linux 2.38's flock(1) over dv6's flock(2). It opens FILE (making it if it does not
// exist; a directory read-only), takes a lock on it (-x exclusive, the default; -s shared; -u
// unlock), waiting for it (at most -w's time; not at all with -n), then runs COMMAND (found in
// /bin) or `sh -c COMMAND` and waits for it: the lock belongs to the open file, which the
// command inherits, so it holds while the command runs (even if flock is killed) and goes when
// the last descriptor of that open file is closed. -o closes the descriptor in the command, so
// that only flock holds the lock. The status is the command's (-1 if it was killed, as dv6's
// sh shows it; util-linux gives 128 + the signal). With FD (a number) it locks that
// descriptor, which it inherited, and exits: the lock stays with the open file.
//
// dv6's differences: -w counts clock ticks, not seconds (dv6's flock(2) takes the timeout; it
// is rounded up to whole ticks); dv6's --hold (before FILE or right after it) keeps the lock
// for TICKS ticks, or until killed; no -F, --verbose, --fcntl, -V.
//
// Statuses and messages are util-linux's: a lock that -n (or -w's time) does not get exits
// with -E's CODE (1 by default) and says nothing; a usage error is 64 (EX_USAGE), a bad FD 65
// (EX_DATAERR, `flock: 9: Bad file descriptor`), a FILE that cannot be opened 66 (EX_NOINPUT,
// `flock: cannot open lock file FILE: No such file or directory`: dv6's open() gives no
// errno, and no such directory is why it fails), a COMMAND that cannot be run 69
// (EX_UNAVAILABLE, `flock: failed to execute COMMAND: No such file or directory`).

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
import { Getopt, type LongOption, no_argument, required_argument } from "../lib/getopt.ts";
import { count, HOLD, hold, holdTicks } from "../lib/libipc.ts";
import type { Call } from "../lib/ulib.ts";
import { badOption, errtryhelp, errx, strtos32OrErr } from "../lib/utillinux.ts";
import type { Sys } from "../lib/usys.ts";

const PROG = "flock";

// sysexits.h, as util-linux's flock exits.
const EX_USAGE = 64;
const EX_DATAERR = 65;
const EX_NOINPUT = 66;
const EX_UNAVAILABLE = 69;
const EX_OSERR = 71;

/** dv6's --hold keeps the lock itself: there is no command to run. */
const HOLD_ALONE = "--hold runs no command";

/** The status when -n or -w does not get the lock, unless -E says another. */
const EXIT_CONFLICT = 1;

const LONGOPTS: LongOption[] = [
  { name: "shared", has_arg: no_argument, val: "s" },
  { name: "exclusive", has_arg: no_argument, val: "x" },
  { name: "unlock", has_arg: no_argument, val: "u" },
  { name: "nonblocking", has_arg: no_argument, val: "n" },
  { name: "nb", has_arg: no_argument, val: "n" },
  { name: "timeout", has_arg: required_argument, val: "w" },
  { name: "wait", has_arg: required_argument, val: "w" },
  { name: "conflict-exit-code", has_arg: required_argument, val: "E" },
  { name: "close", has_arg: no_argument, val: "o" },
  { name: "help", has_arg: no_argument, val: "h" },
  HOLD,
];

// util-linux 2.38's text for what dv6 has, and what dv6 adds (-w's ticks, --hold).
const HELP = `
Usage:
 flock [options] <file>|<directory> <command> [<argument>...]
 flock [options] <file>|<directory> -c <command>
 flock [options] <file descriptor number>
 flock [options] <file>|<directory> --hold [<ticks>]

Manage file locks from shell scripts.

Options:
 -s, --shared             get a shared lock
 -x, --exclusive          get an exclusive lock (default)
 -u, --unlock             remove a lock
 -n, --nonblock           fail rather than wait
 -w, --timeout <secs>     wait for a limited amount of time (dv6: clock ticks)
 -E, --conflict-exit-code <number>  exit code after conflict or timeout
 -o, --close              close file descriptor before running command
 -c, --command <command>  run a single command string through the shell
     --hold [<ticks>]     dv6: keep the lock <ticks> ticks (or until killed)

 -h, --help               display this help

For more details see flock(1).
`;

/** -w's argument (strtold: decimal, a fraction, an exponent) in whole ticks, rounded up; or
 * util-linux's usage error. A negative time is setitimer's EINVAL. */
function* timeoutTicks(sys: Sys, arg: string): Call<number> {
  const num = /^[ \t\n\v\f\r]*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
  if (!num.test(arg)) return yield* errx(sys, PROG, EX_USAGE, `invalid timeout value: '${arg}'`);
  const secs = Number(arg.trim());
  if (secs < 0) return yield* errx(sys, PROG, EX_OSERR, "cannot set up timer", ERRNO.EINVAL);
  return Math.ceil(secs);
}

/** Opens FILE to lock it: made if need be, a directory read-only; or exit 66. */
function* openFile(sys: Sys, file: string): Call<number> {
  let fd = yield* sys.open(file, O_RDONLY | O_CREATE);
  if (fd < 0) fd = yield* sys.open(file, O_RDONLY);
  if (fd < 0) {
    return yield* errx(sys, PROG, EX_NOINPUT, `cannot open lock file ${file}`, ERRNO.ENOENT);
  }
  return fd;
}

export default function* flock(sys: Sys, argv: string[]): Program {
  if (argv.length < 2) {
    yield* sys.write(2, `${PROG}: not enough arguments\n`);
    return yield* errtryhelp(sys, PROG, EX_USAGE);
  }
  // Options end at FILE (what follows belongs to the command); --hold may stand among them.
  let op = LOCK_EX;
  let nb = 0;
  let close = false;
  let conflict = EXIT_CONFLICT;
  let timeout: number | null = null; // ticks
  let holdFor: number | null = null; // no --hold
  const g = new Getopt(argv, "+sexnouw:E:h", LONGOPTS);
  for (let c; (c = g.getopt()) !== -1;) {
    if (c === "s") op = LOCK_SH;
    else if (c === "x" || c === "e") op = LOCK_EX;
    else if (c === "u") op = LOCK_UN;
    else if (c === "n") nb = LOCK_NB;
    else if (c === "o") close = true;
    else if (c === "w") timeout = yield* timeoutTicks(sys, g.optarg!);
    else if (c === "E") {
      conflict = yield* strtos32OrErr(sys, PROG, g.optarg!, "invalid exit code", EX_USAGE);
      if (conflict < 0 || conflict > 255) {
        return yield* errx(sys, PROG, EX_USAGE, "exit code out of range (expected 0 to 255)");
      }
    } else if (c === "h") {
      yield* sys.write(1, HELP);
      return yield* sys.exit(0);
    } else if (c === "hold") {
      holdFor = holdTicks(g);
      if (holdFor === null) {
        return yield* errx(sys, PROG, EX_USAGE, `invalid --hold ticks: '${g.optarg}'`);
      }
    } else return yield* badOption(sys, g, PROG, EX_USAGE);
  }
  const file = g.argv[g.optind];
  const after = g.argv.slice(g.optind + 1);
  if (after[0] === "--hold" && holdFor === null) {
    holdFor = count(after[1]) ?? -1;
    after.splice(0, holdFor >= 0 ? 2 : 1);
    if (after.length > 0) return yield* errx(sys, PROG, EX_USAGE, HOLD_ALONE);
  }
  let command = after;
  if (after[0] === "-c" || after[0] === "--command") {
    if (after.length !== 2) {
      return yield* errx(sys, PROG, EX_USAGE, `${after[0]} requires exactly one command argument`);
    }
    command = ["sh", "-c", after[1]];
  }
  if (holdFor !== null && command.length > 0) return yield* errx(sys, PROG, EX_USAGE, HOLD_ALONE);

  let fd: number;
  if (command.length > 0 || holdFor !== null) fd = yield* openFile(sys, file);
  else if (file !== undefined) {
    fd = yield* strtos32OrErr(sys, PROG, file, "bad file descriptor", EX_USAGE);
  } else return yield* errx(sys, PROG, EX_USAGE, "requires file descriptor, file or directory");

  if (timeout === 0) nb = LOCK_NB; // -w 0 is -n
  const r = yield* sys.flock(fd, op | nb, timeout ?? -1);
  if (r === -ERRNO.EAGAIN || r === -ERRNO.ETIMEDOUT) return yield* sys.exit(conflict);
  if (r < 0) {
    const which = command.length > 0 || holdFor !== null ? file : String(fd);
    return yield* errx(sys, PROG, EX_DATAERR, which, r);
  }
  if (holdFor !== null) yield* hold(sys, holdFor);
  if (command.length === 0) return yield* sys.exit(0);

  const actions: SpawnAction[] = close ? [spawnClose(fd)] : [];
  const pid = yield* sys.spawn(binPath(command[0]), command, actions);
  if (pid < 0) {
    return yield* errx(sys, PROG, EX_UNAVAILABLE, `failed to execute ${command[0]}`, pid);
  }
  for (;;) {
    const [w, status] = yield* sys.wait();
    if (w === pid) return yield* sys.exit(status);
    if (w < 0) return yield* sys.exit(1);
  }
}
