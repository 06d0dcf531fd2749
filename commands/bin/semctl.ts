// semctl ID SEMNUM getval|setval V|getall|setall V...|getpid|getncnt|getzcnt|rmid: one
// semctl() on the System V semaphore set ID. A get... prints the bare number (getall: every
// value, separated by blanks) on one line, so that scripts can use it; the others are silent.
// SEMNUM is ignored by getall, setall and rmid (write 0). setval and setall clear every
// process's SEM_UNDO adjustment of the semaphores they set, and wake the waiters that can go;
// rmid wakes every waiter with EIDRM. Errors are the kernel's, as Linux's semctl(2) has them:
// `semctl: EINVAL (Invalid argument)` (no such set or semaphore, or setall with not one value
// per semaphore), `semctl: ERANGE (Numerical result out of range)` (a value outside 0..32767).

import type { Program } from "../../kernel/uapi/abi.ts";
import {
  GETALL,
  GETNCNT,
  GETPID,
  GETVAL,
  GETZCNT,
  IPC_RMID,
  SETALL,
  SETVAL,
} from "../../kernel/uapi/ipc.ts";
import { fail, int32, integer, say, usage } from "../lib/libipc.ts";
import type { Sys } from "../lib/usys.ts";

const USAGE = "semctl ID SEMNUM getval|setval V|getall|setall V...|getpid|getncnt|getzcnt|rmid";

const GETS: Readonly<Record<string, number>> = {
  getval: GETVAL,
  getall: GETALL,
  getpid: GETPID,
  getncnt: GETNCNT,
  getzcnt: GETZCNT,
};

export default function* semctl(sys: Sys, argv: string[]): Program {
  if (argv.length < 4) return yield* usage(sys, USAGE);
  const id = int32(argv[1]), num = int32(argv[2]);
  const cmd = argv[3];
  const vals = argv.slice(4).map(integer);
  if (id === null || num === null || vals.some((v) => v === null)) return yield* usage(sys, USAGE);
  const values = vals as number[];

  if (Object.hasOwn(GETS, cmd)) {
    if (values.length > 0) return yield* usage(sys, USAGE);
    const r = yield* sys.semctl(id, num, GETS[cmd]);
    if (typeof r === "number" && r < 0) return yield* fail(sys, "semctl", r);
    yield* say(sys, 1, Array.isArray(r) ? r.join(" ") : String(r));
    return yield* sys.exit(0);
  }
  let r: number;
  if (cmd === "setval" && values.length === 1) {
    r = (yield* sys.semctl(id, num, SETVAL, values[0])) as number;
  } else if (cmd === "setall" && values.length > 0) {
    r = (yield* sys.semctl(id, num, SETALL, values)) as number;
  } else if (cmd === "rmid" && values.length === 0) {
    r = (yield* sys.semctl(id, num, IPC_RMID)) as number;
  } else {
    return yield* usage(sys, USAGE);
  }
  if (r < 0) return yield* fail(sys, "semctl", r);
  return yield* sys.exit(0);
}
