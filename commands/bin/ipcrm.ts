// ipcrm [-s ID] [-S KEY] [-m ID] [-M KEY] [-q ID] [-Q KEY] [-a[=shm|msg|sem]] [-v] ...
// ipcrm shm|msg|sem ID...
// util-linux 2.38's ipcrm. -s removes a semaphore set by id, -S by key (decimal, 0x
// hexadecimal or 0 octal), -a (--all) every resource, or every one of a kind (--all=sem);
// options may repeat and are done in their order, -a last. dv6 has no System V shared memory
// or message queues: -m, -M, -q, -Q find none, and --all=shm or msg removes nothing. A removed
// set's waiters wake with EIDRM. The second form is util-linux's old one (it says `resource(s)
// deleted`).
//
// Messages and statuses are util-linux's: silent on success (-v says `removing semaphore id
// `7'`); each failure is one line (`ipcrm: invalid id (7)`, `ipcrm: invalid key (0x1234)`,
// `ipcrm: illegal key (0)`), the others still go on, and the status is then 1; an argument
// that is not a number stops it at once (`ipcrm: failed to parse argument: 'x'`, status 1).

import type { Program } from "../../kernel/uapi/abi.ts";
import { ERRNO } from "../../kernel/uapi/errno.ts";
import { IPC_PRIVATE, IPC_RMID, SEM_INFO } from "../../kernel/uapi/ipc.ts";
import {
  Getopt,
  type LongOption,
  no_argument,
  optional_argument,
  required_argument,
} from "../lib/getopt.ts";
import type { Call } from "../lib/ulib.ts";
import {
  badOption,
  errtryhelp,
  errx,
  EXIT_FAILURE,
  strtoint,
  strtos32OrErr,
  warnx,
} from "../lib/utillinux.ts";
import type { Sys } from "../lib/usys.ts";

const PROG = "ipcrm";

const LONGOPTS: LongOption[] = [
  { name: "shmem-id", has_arg: required_argument, val: "m" },
  { name: "shmem-key", has_arg: required_argument, val: "M" },
  { name: "queue-id", has_arg: required_argument, val: "q" },
  { name: "queue-key", has_arg: required_argument, val: "Q" },
  { name: "semaphore-id", has_arg: required_argument, val: "s" },
  { name: "semaphore-key", has_arg: required_argument, val: "S" },
  { name: "all", has_arg: optional_argument, val: "a" },
  { name: "verbose", has_arg: no_argument, val: "v" },
  { name: "help", has_arg: no_argument, val: "h" },
];

// util-linux 2.38's text, without -V.
const HELP = `
Usage:
 ipcrm [options]
 ipcrm shm|msg|sem <id>...

Remove certain IPC resources.

Options:
 -m, --shmem-id <id>        remove shared memory segment by id
 -M, --shmem-key <key>      remove shared memory segment by key
 -q, --queue-id <id>        remove message queue by id
 -Q, --queue-key <key>      remove message queue by key
 -s, --semaphore-id <id>    remove semaphore by id
 -S, --semaphore-key <key>  remove semaphore by key
 -a, --all[=shm|msg|sem]    remove all (in the specified category)
 -v, --verbose              explain what is being done

 -h, --help                 display this help

For more details see ipcrm(1).
`;

type Kind = "shm" | "msg" | "sem";

const NAMES: Record<Kind, string> = {
  shm: "shared memory segment",
  msg: "message queue",
  sem: "semaphore",
};

/** The kind an option letter names. */
function kindOf(c: string): Kind {
  const k = c.toLowerCase();
  return k === "m" ? "shm" : k === "q" ? "msg" : "sem";
}

/** remove_id: removes a resource; whether that failed (its message then said why). */
function* removeId(
  sys: Sys,
  kind: Kind,
  iskey: boolean,
  id: number,
  verbose: boolean,
): Call<boolean> {
  if (verbose) yield* sys.write(1, `removing ${NAMES[kind]} id \`${id}'\n`);
  // dv6 has semaphore sets only: no segment or queue has this id (shmctl's EINVAL).
  const r = kind === "sem" ? (yield* sys.semctl(id, 0, IPC_RMID)) as number : -ERRNO.EINVAL;
  if (r >= 0) return false;
  const what = iskey ? "key" : "id";
  if (r === -ERRNO.EINVAL) yield* warnx(sys, PROG, `invalid ${what} (${id})`);
  else if (r === -ERRNO.EIDRM) yield* warnx(sys, PROG, `already removed ${what} (${id})`);
  else if (r === -ERRNO.EACCES || r === -ERRNO.EPERM) {
    yield* warnx(sys, PROG, `permission denied for ${what} (${id})`);
  } else return yield* errx(sys, PROG, EXIT_FAILURE, `${what} failed`, r);
  return true;
}

/** key_to_id: the id of the resource with the key KEY (strtoul, base 0), or -1 (its message
 * said why). */
function* keyToId(sys: Sys, kind: Kind, s: string): Call<number> {
  const k = strtoint(s, 0, true);
  if (typeof k !== "bigint") {
    const errno = k === "range" ? ERRNO.ERANGE : undefined;
    return yield* errx(sys, PROG, EXIT_FAILURE, `failed to parse argument: '${s}'`, errno);
  }
  const key = Number(BigInt.asIntN(32, k)); // key_t
  if (key === IPC_PRIVATE) {
    yield* warnx(sys, PROG, `illegal key (${s})`);
    return -1;
  }
  const id = kind === "sem" ? yield* sys.semget(key, 0, 0) : -ERRNO.ENOENT;
  if (id >= 0) return id;
  if (id === -ERRNO.ENOENT) yield* warnx(sys, PROG, `invalid key (${s})`);
  else if (id === -ERRNO.EIDRM) yield* warnx(sys, PROG, `already removed key (${s})`);
  else if (id === -ERRNO.EACCES) yield* warnx(sys, PROG, `permission denied for key (${s})`);
  else return yield* errx(sys, PROG, EXIT_FAILURE, "key failed", id);
  return -1;
}

/** remove_all: every resource of the kind (null: of every kind); whether one failed. */
function* removeAll(sys: Sys, kind: Kind | null, verbose: boolean): Call<boolean> {
  if (kind !== null && kind !== "sem") return false; // dv6 has none
  const ids = yield* sys.semctl(0, 0, SEM_INFO);
  let failed = false;
  for (const id of Array.isArray(ids) ? ids as number[] : []) {
    failed = (yield* removeId(sys, "sem", false, id, verbose)) || failed;
  }
  return failed;
}

/** util-linux's old form: `ipcrm shm|msg|sem ID...`. */
function* deprecated(sys: Sys, kind: Kind, ids: string[]): Program {
  if (ids.length === 0) {
    yield* warnx(sys, PROG, "not enough arguments");
    return yield* errtryhelp(sys, PROG, EXIT_FAILURE);
  }
  let failed = false;
  for (const s of ids) {
    const n = strtoint(s, 10, true); // strtoul
    if (typeof n !== "bigint") {
      yield* warnx(sys, PROG, `invalid id: ${s}`);
      failed = true;
    } else {
      failed = (yield* removeId(sys, kind, false, Number(BigInt.asIntN(32, n)), false)) || failed;
    }
  }
  if (failed) return yield* sys.exit(EXIT_FAILURE);
  yield* sys.write(1, "resource(s) deleted\n");
  return yield* sys.exit(0);
}

export default function* ipcrm(sys: Sys, argv: string[]): Program {
  if (argv.length === 1) return yield* sys.exit(0);
  if (argv[1] === "shm" || argv[1] === "msg" || argv[1] === "sem") {
    return yield* deprecated(sys, argv[1], argv.slice(2));
  }
  let failed = false;
  let verbose = false;
  let all: Kind | null | undefined = undefined; // undefined: no -a; null: every kind
  const g = new Getopt(argv, "q:m:s:Q:M:S:a::vh", LONGOPTS);
  for (let c; (c = g.getopt()) !== -1;) {
    const arg = g.optarg!;
    if (c === "M" || c === "Q" || c === "S") {
      const id = yield* keyToId(sys, kindOf(c), arg);
      failed = (id < 0 || (yield* removeId(sys, kindOf(c), true, id, verbose))) || failed;
    } else if (c === "m" || c === "q" || c === "s") {
      const id = yield* strtos32OrErr(sys, PROG, arg, "failed to parse argument");
      failed = (yield* removeId(sys, kindOf(c), false, id, verbose)) || failed;
    } else if (c === "a") {
      if (g.optarg !== null && g.optarg !== "shm" && g.optarg !== "msg" && g.optarg !== "sem") {
        return yield* errx(sys, PROG, EXIT_FAILURE, `unknown argument: ${g.optarg}`);
      }
      all = g.optarg as Kind | null;
    } else if (c === "v") verbose = true;
    else if (c === "h") {
      yield* sys.write(1, HELP);
      return yield* sys.exit(0);
    } else return yield* badOption(sys, g, PROG, EXIT_FAILURE);
  }
  if (all !== undefined) failed = (yield* removeAll(sys, all, verbose)) || failed;
  if (g.optind < g.argv.length) {
    yield* warnx(sys, PROG, `unknown argument: ${g.argv[g.optind]}`);
    return yield* errtryhelp(sys, PROG, EXIT_FAILURE);
  }
  return yield* sys.exit(failed ? EXIT_FAILURE : 0);
}
