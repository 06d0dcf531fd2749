// forktest (xv6's user/forktest.c): forks until the process table is full, then waits for
// every child. It prints with one write() per message, not printf.

import type { Program } from "../../kernel/uapi/abi.ts";
import type { Call } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

const N = 1000;

function* print(sys: Sys, s: string): Call<void> {
  yield* sys.write(1, s);
}

function* forktest(sys: Sys): Call<void> {
  let n: number;

  yield* print(sys, "fork test\n");

  for (n = 0; n < N; n++) {
    const pid = yield* sys.fork();
    if (pid < 0) break;
    if (pid === 0) yield* sys.exit(0);
  }

  if (n === N) {
    yield* print(sys, "fork claimed to work N times!\n");
    yield* sys.exit(1);
  }

  for (; n > 0; n--) {
    const [pid] = yield* sys.wait();
    if (pid < 0) {
      yield* print(sys, "wait stopped early\n");
      yield* sys.exit(1);
    }
  }

  const [pid] = yield* sys.wait();
  if (pid !== -1) {
    yield* print(sys, "wait got too many\n");
    yield* sys.exit(1);
  }

  yield* print(sys, "fork test OK\n");
}

export default function* main(sys: Sys, _argv: string[]): Program {
  yield* forktest(sys);
  yield* sys.exit(0);
}
