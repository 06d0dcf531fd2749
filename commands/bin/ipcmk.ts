// ipcmk -S NSEMS [-V VALUE] [-p MODE]: util-linux's ipcmk for System V semaphores (dv6 has
// no System V shared memory or message queues). It makes a set of NSEMS semaphores with
// permissions MODE (octal, 0644 by default) and prints `Semaphore id: ID`. dv6's own -V sets
// every semaphore of the new set to VALUE (semctl SETALL); if that fails, the set is removed.
//
// util-linux picks a random key; a dv6 program has no randomness of its own, so the set is
// made with IPC_PRIVATE (key 0x00000000 in ipcs) and is found by its id. Errors are the
// kernel's, as Linux prints them: `ipcmk: EINVAL (Invalid argument)` for NSEMS outside
// 1..32000, `ipcmk: ERANGE (Numerical result out of range)` for a VALUE outside 0..32767.

import type { Program } from "../../kernel/uapi/abi.ts";
import { IPC_CREAT, IPC_PRIVATE, IPC_RMID, SETALL } from "../../kernel/uapi/ipc.ts";
import { Getopt } from "../lib/getopt.ts";
import { fail, integer, say, usage } from "../lib/libipc.ts";
import type { Sys } from "../lib/usys.ts";

const USAGE = "ipcmk -S NSEMS [-V VALUE] [-p MODE]";

export default function* ipcmk(sys: Sys, argv: string[]): Program {
  let nsems: number | null = null;
  let value: number | null = null;
  let mode = 0o644;
  const g = new Getopt(argv, ":S:V:p:");
  for (let c; (c = g.getopt()) !== -1;) {
    const arg = g.optarg ?? "";
    if (c === "S") {
      nsems = integer(arg);
      if (nsems === null) return yield* usage(sys, USAGE);
    } else if (c === "V") {
      value = integer(arg);
      if (value === null) return yield* usage(sys, USAGE);
    } else if (c === "p" && /^[0-7]{1,4}$/.test(arg)) {
      mode = parseInt(arg, 8);
    } else {
      return yield* usage(sys, USAGE);
    }
  }
  if (nsems === null || g.optind < g.argv.length) return yield* usage(sys, USAGE);

  const id = yield* sys.semget(IPC_PRIVATE, nsems, IPC_CREAT | (mode & 0o777));
  if (id < 0) return yield* fail(sys, "ipcmk", id);
  if (value !== null) {
    const r = (yield* sys.semctl(id, 0, SETALL, new Array<number>(nsems).fill(value))) as number;
    if (r < 0) {
      yield* sys.semctl(id, 0, IPC_RMID);
      return yield* fail(sys, "ipcmk", r);
    }
  }
  yield* say(sys, 1, `Semaphore id: ${id}`);
  return yield* sys.exit(0);
}
