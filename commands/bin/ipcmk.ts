// ipcmk -S NSEMS [-p MODE] [--value VALUE]: util-linux 2.38's ipcmk for System V semaphores
// (dv6 has no System V shared memory or message queues: no -M, -Q). It makes a set of NSEMS
// semaphores with a random key, as util-linux does (getrandom(): the machine's seeded
// generator, so a replay makes the same key), and permissions MODE (octal, 0644 by default),
// and prints `Semaphore id: ID`.
//
// dv6's --value (a long option: util-linux's -V is --version) sets every semaphore of the new
// set to VALUE (semctl SETALL); if that fails, the set is removed.
//
// Messages and statuses are util-linux's: `ipcmk: create semaphore failed: Invalid argument`
// for NSEMS outside 1..32000, `ipcmk: failed to parse elements: 'x'`, `ipcmk: failed to parse
// mode: Success` (as util-linux 2.38.1 words it), `ipcmk: bad usage` without -S; status 1.

import type { Program } from "../../kernel/uapi/abi.ts";
import { IPC_CREAT, IPC_EXCL, IPC_RMID, SETALL } from "../../kernel/uapi/ipc.ts";
import { Getopt, type LongOption, no_argument, required_argument } from "../lib/getopt.ts";
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

const PROG = "ipcmk";

const LONGOPTS: LongOption[] = [
  { name: "semaphore", has_arg: required_argument, val: "S" },
  { name: "mode", has_arg: required_argument, val: "p" },
  { name: "value", has_arg: required_argument, val: "value" },
  { name: "help", has_arg: no_argument, val: "h" },
];

// util-linux 2.38's text for what dv6 has, and dv6's --value.
const HELP = `
Usage:
 ipcmk [options]

Create various IPC resources.

Options:
 -S, --semaphore <number> create semaphore array with <number> elements
 -p, --mode <mode>        permission for the resource (default is 0644)
     --value <number>     dv6: every semaphore's initial value (default 0)

 -h, --help               display this help

For more details see ipcmk(1).
`;

/** A key as util-linux makes one: four random bytes, as a C int. */
function* randomKey(sys: Sys): Call<number> {
  const b = new Uint8Array(4);
  yield* sys.getrandom(b);
  return new DataView(b.buffer).getInt32(0, true);
}

export default function* ipcmk(sys: Sys, argv: string[]): Program {
  let nsems: number | null = null;
  let value: number | null = null;
  let mode = 0o644;
  const g = new Getopt(argv, "hS:p:", LONGOPTS);
  for (let c; (c = g.getopt()) !== -1;) {
    const arg = g.optarg!;
    if (c === "S") nsems = yield* strtos32OrErr(sys, PROG, arg, "failed to parse elements");
    else if (c === "value") value = yield* strtos32OrErr(sys, PROG, arg, "failed to parse value");
    else if (c === "p") {
      const m = strtoint(arg, 8, true);
      // strtoul's result as util-linux keeps it (an int); its message names no reason.
      if (typeof m !== "bigint") {
        return yield* errx(sys, PROG, EXIT_FAILURE, "failed to parse mode", 0);
      }
      mode = Number(BigInt.asIntN(32, m));
    } else if (c === "h") {
      yield* sys.write(1, HELP);
      return yield* sys.exit(0);
    } else return yield* badOption(sys, g, PROG, EXIT_FAILURE);
  }
  if (nsems === null) {
    yield* warnx(sys, PROG, "bad usage");
    return yield* errtryhelp(sys, PROG, EXIT_FAILURE);
  }

  // With --value, a set that has the key already is not this one to set (or remove).
  const excl = value === null ? 0 : IPC_EXCL;
  const id = yield* sys.semget(yield* randomKey(sys), nsems, mode | IPC_CREAT | excl);
  if (id < 0) return yield* errx(sys, PROG, EXIT_FAILURE, "create semaphore failed", id);
  if (value !== null) {
    const r = (yield* sys.semctl(id, 0, SETALL, new Array<number>(nsems).fill(value))) as number;
    if (r < 0) {
      yield* sys.semctl(id, 0, IPC_RMID);
      return yield* errx(sys, PROG, EXIT_FAILURE, "set semaphore values failed", r);
    }
  }
  yield* sys.write(1, `Semaphore id: ${id}\n`);
  return yield* sys.exit(0);
}
