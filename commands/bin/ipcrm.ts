// ipcrm -s ID... | -S KEY... | -a: util-linux's ipcrm for System V semaphore sets (dv6 has
// no System V shared memory or message queues). -s removes a set by id, -S by key (decimal,
// or hexadecimal with 0x), -a (or --all, --all=sem) every set; options may repeat. A removed
// set's waiters wake with EIDRM. Silent on success; each failure prints the kernel's error
// (`ipcrm: EINVAL (Invalid argument)` for an unknown id, `ipcrm: ENOENT (...)` for an unknown
// key), the others still go on, and the status is then 1.

import type { Program } from "../../kernel/uapi/abi.ts";
import { ERRNO } from "../../kernel/uapi/errno.ts";
import { IPC_PRIVATE, IPC_RMID, SEM_INFO } from "../../kernel/uapi/ipc.ts";
import { Getopt, type LongOption, optional_argument } from "../lib/getopt.ts";
import { int32, usage } from "../lib/libipc.ts";
import { type Call, perror } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

const USAGE = "ipcrm [-s ID] [-S KEY] [-a] ...";

/** --all, and --all=sem (util-linux's --all=shm and --all=msg: dv6 has neither). */
const LONGOPTS: LongOption[] = [{ name: "all", has_arg: optional_argument, val: "a" }];

/** A key in decimal or 0x hexadecimal, as a C int (so 0xffffffff is -1), or null. */
function key(s: string): number | null {
  if (/^0[xX][0-9a-fA-F]{1,8}$/.test(s)) return parseInt(s.slice(2), 16) | 0;
  if (/^[0-9]{1,10}$/.test(s) && Number(s) <= 0xffffffff) return Number(s) | 0;
  return null;
}

/** Removes a set: whether it went. */
function* remove(sys: Sys, id: number): Call<boolean> {
  const r = (yield* sys.semctl(id, 0, IPC_RMID)) as number;
  if (r < 0) yield* perror(sys, "ipcrm", r);
  return r >= 0;
}

export default function* ipcrm(sys: Sys, argv: string[]): Program {
  // Bad arguments are found before anything is removed.
  const todo: { id?: number; key?: number; all?: true }[] = [];
  const g = new Getopt(argv, ":s:S:a", LONGOPTS);
  for (let c; (c = g.getopt()) !== -1;) {
    const arg = g.optarg;
    if (c === "a" && (arg === null || arg === "sem")) todo.push({ all: true });
    else if (c === "s" && int32(arg!) !== null) todo.push({ id: int32(arg!)! });
    else if (c === "S" && key(arg!) !== null) todo.push({ key: key(arg!)! });
    else return yield* usage(sys, USAGE);
  }
  if (g.optind < g.argv.length) return yield* usage(sys, USAGE);

  let ok = true;
  for (const t of todo) {
    if (t.all) {
      const ids = yield* sys.semctl(0, 0, SEM_INFO);
      for (const id of Array.isArray(ids) ? ids as number[] : []) {
        ok = (yield* remove(sys, id)) && ok;
      }
    } else if (t.key !== undefined) {
      const id = t.key === IPC_PRIVATE ? -ERRNO.EINVAL : yield* sys.semget(t.key, 0, 0);
      if (id < 0) {
        yield* perror(sys, "ipcrm", id);
        ok = false;
      } else ok = (yield* remove(sys, id)) && ok;
    } else ok = (yield* remove(sys, t.id!)) && ok;
  }
  return yield* sys.exit(ok ? 0 : 1);
}
