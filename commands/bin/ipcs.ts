// ipcs [-a|-q|-m|-s] and ipcs -m|-q|-s -i ID: util-linux 2.38's ipcs, with its layout
// (columns padded to 10, trailing blanks included), its option letters and long options, its
// messages and statuses (`ipcs: id 7 not found`, status 0 as util-linux gives it; a bad ID or
// option, status 1). No output options (-t, -p, -c, -l, -u, -b, --human).
//
// Without -i it lists the System V resources of each kind asked for (all by default): dv6 has
// semaphore sets only, so the message queue and shared memory sections are always empty. Sets
// come in index order, as Linux's /proc/sysvipc/sem lists them (id order until the index
// cycle wraps: see kernel/sem.ts). The owner is root (dv6 has no users). With -s -i it details
// one semaphore set: its key, mode, size and times, then one line per semaphore with its
// value, ncount, zcount and the pid of its last operation. dv6 has no calendar: times are
// clock ticks since boot ("tick 42"), and an otime of -1 (no semop yet) is "Not set", as Linux
// prints a time that was never set.

import type { Program } from "../../kernel/uapi/abi.ts";
import type { Val } from "../../kernel/uapi/abi.ts";
import { GETALL, GETNCNT, GETPID, GETZCNT, IPC_STAT, SEM_INFO } from "../../kernel/uapi/ipc.ts";
import { Getopt, type LongOption, no_argument, required_argument } from "../lib/getopt.ts";
import { badOption, errx, EXIT_FAILURE, strtos32OrErr, warnx } from "../lib/utillinux.ts";
import type { Call } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

const PROG = "ipcs";

const LONGOPTS: LongOption[] = [
  { name: "id", has_arg: required_argument, val: "i" },
  { name: "queues", has_arg: no_argument, val: "q" },
  { name: "shmems", has_arg: no_argument, val: "m" },
  { name: "semaphores", has_arg: no_argument, val: "s" },
  { name: "all", has_arg: no_argument, val: "a" },
  { name: "help", has_arg: no_argument, val: "h" },
];

// util-linux 2.38's text for what dv6 has (none of the output options).
const HELP = `
Usage:
 ipcs [resource-option...]
 ipcs -m|-q|-s -i <id>

Show information on IPC facilities.

Options:
 -i, --id <id>  print details on resource identified by <id>
 -h, --help     display this help

Resource options:
 -m, --shmems      shared memory segments
 -q, --queues      message queues
 -s, --semaphores  semaphores
 -a, --all         all (default)

For more details see ipcs(1).
`;

/** What IPC_STAT tells of a set. */
interface SetInfo {
  id: number;
  key: number;
  mode: number;
  nsems: number;
  otime: number;
  ctime: number;
}

/** The owner of everything: dv6 has no users. */
const OWNER = "root";

/** A line of fields, each padded to its width (C's %-10s), separated by blanks. */
function row(widths: number[], ...fields: string[]): string {
  return fields.map((f, i) => f.padEnd(widths[i])).join(" ") + "\n";
}

function cols(width: number, ...fields: string[]): string {
  return row(fields.map(() => width), ...fields);
}

function hexKey(key: number): string {
  return "0x" + (key >>> 0).toString(16).padStart(8, "0");
}

/** C's %#o. */
function altOctal(n: number): string {
  return n === 0 ? "0" : "0" + n.toString(8);
}

/** A time as util-linux's %-26.24s of ctime(), or "Not set". */
function time(ticks: number, mayBeUnset: boolean): string {
  return (ticks < 0 && mayBeUnset ? "Not set" : `tick ${ticks}`).padEnd(26);
}

function* stat(sys: Sys, id: number): Call<SetInfo | number> {
  const r = yield* sys.semctl(id, 0, IPC_STAT);
  if (typeof r === "number") return r;
  const [key, mode, nsems, otime, ctime] = r as number[];
  return { id, key, mode, nsems, otime, ctime };
}

function* semaphores(sys: Sys): Call<string> {
  let out = "------ Semaphore Arrays --------\n" +
    cols(10, "key", "semid", "owner", "perms", "nsems");
  const ids = yield* sys.semctl(0, 0, SEM_INFO);
  if (!Array.isArray(ids)) return out;
  for (const id of ids as number[]) {
    const s = yield* stat(sys, id);
    if (typeof s === "number") continue; // removed meanwhile
    out += hexKey(s.key) + " " +
      cols(10, String(s.id), OWNER.slice(0, 10), (s.mode & 0o777).toString(8), String(s.nsems));
  }
  return out;
}

/** ipcs -s -i ID: the set's details, or null if there is no such set. */
function* details(sys: Sys, id: number): Call<string | null> {
  const s = yield* stat(sys, id);
  if (typeof s === "number") return null;
  const vals = yield* sys.semctl(id, 0, GETALL);
  if (!Array.isArray(vals)) return null; // removed meanwhile
  let out = `\nSemaphore Array semid=${id}\n` +
    "uid=0\t gid=0\t cuid=0\t cgid=0\n" +
    `mode=${altOctal(s.mode)}, access_perms=${altOctal(s.mode & 0o777)}\n` +
    `nsems = ${s.nsems}\n` +
    `otime = ${time(s.otime, true)}\n` +
    `ctime = ${time(s.ctime, false)}\n` +
    cols(10, "semnum", "value", "ncount", "zcount", "pid");
  for (let i = 0; i < (vals as Val[]).length; i++) {
    const n: number[] = [];
    for (const cmd of [GETNCNT, GETZCNT, GETPID]) {
      const r = yield* sys.semctl(id, i, cmd);
      if (typeof r !== "number" || r < 0) return null; // removed meanwhile
      n.push(r);
    }
    out += cols(10, String(i), String(vals[i]), String(n[0]), String(n[1]), String(n[2]));
  }
  return out + "\n";
}

export default function* ipcs(sys: Sys, argv: string[]): Program {
  let [msg, shm, sem] = [false, false, false];
  let id: number | null = null;
  const g = new Getopt(argv, "i:qmsah", LONGOPTS);
  for (let c; (c = g.getopt()) !== -1;) {
    if (c === "a") msg = shm = sem = true;
    else if (c === "q") msg = true;
    else if (c === "m") shm = true;
    else if (c === "s") sem = true;
    else if (c === "i") {
      id = yield* strtos32OrErr(sys, PROG, g.optarg!, "failed to parse id argument");
    } else if (c === "h") {
      yield* sys.write(1, HELP);
      return yield* sys.exit(0);
    } else return yield* badOption(sys, g, PROG, EXIT_FAILURE);
  }
  // Operands are ignored, as util-linux ignores them.

  if (id !== null) {
    if (Number(msg) + Number(shm) + Number(sem) !== 1) {
      return yield* errx(
        sys,
        PROG,
        EXIT_FAILURE,
        "when using an ID, a single resource must be specified",
      );
    }
    const out = sem ? yield* details(sys, id) : null; // dv6 has no queues, no segments
    if (typeof out === "string") yield* sys.write(1, out);
    else yield* warnx(sys, PROG, `id ${id} not found`);
    return yield* sys.exit(0);
  }

  if (!msg && !shm && !sem) msg = shm = sem = true;
  let out = "\n";
  if (msg) {
    out += "------ Message Queues --------\n" +
      row([10, 10, 10, 10, 12, 12], "key", "msqid", "owner", "perms", "used-bytes", "messages") +
      "\n";
  }
  if (shm) {
    out += "------ Shared Memory Segments --------\n" +
      row(
        [10, 10, 10, 10, 10, 10, 12],
        "key",
        "shmid",
        "owner",
        "perms",
        "bytes",
        "nattch",
        "status",
      ) +
      "\n";
  }
  if (sem) out += (yield* semaphores(sys)) + "\n";
  yield* sys.write(1, out);
  return yield* sys.exit(0);
}
