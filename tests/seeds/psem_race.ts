// The robust POSIX semaphore's fast path, by hand, and a process that kills it at a random
// moment (not a test file: psem_race_none_test.ts and psem_race_pcrange_test.ts explore seeds
// with it).
//
// The victim registers its adjustment word (psemregister), then takes tokens forever the
// fast way: a CAS decrement of the value marked CRIT_ENTER, then AT_ADD +1 on its adjustment
// word marked CRIT_LEAVE. Its parent kills it once it runs; it dies at the next timer tick,
// wherever it is. At exit the kernel adds the adjustment word to the value: every token the
// victim took comes back, unless it died between the two steps: with --robust-fast=none that
// token leaks (the value ends one low); with pcrange the kernel completes the adjustment.

import {
  AT_ADD,
  AT_CAS,
  AT_LOAD,
  AT_STORE,
  CRIT_ENTER,
  CRIT_LEAVE,
  SHM_CREAT,
} from "../../kernel/uapi/ipc.ts";
import {
  await1,
  child,
  go,
  halted0,
  killAndReap,
  pipe,
  type Program,
  put,
  results,
  type Run,
  signal,
  type Sys,
} from "../helpers.ts";

/** The semaphore's value at the start: more than the victim can take before it dies. */
export const START = 1_000_000;

export function* race(sys: Sys): Program {
  const sem = yield* sys.shmopen("psem:race", 1, SHM_CREAT);
  yield* sys.atomic(AT_STORE, sem, 0, START);
  const [r, w] = yield* pipe(sys);
  const victim = yield* child(sys, function* () {
    const adj = yield* sys.shmopen("", 1, SHM_CREAT);
    if ((yield* sys.psemregister(sem, 0, adj, 0)) !== 0) return 1;
    yield* signal(sys, w);
    for (;;) {
      const v = yield* sys.atomic(AT_LOAD, sem, 0);
      if (v <= 0) continue;
      if ((yield* sys.atomic(AT_CAS, sem, 0, v, v - 1, CRIT_ENTER)) === v) {
        yield* sys.atomic(AT_ADD, adj, 0, 1, 0, CRIT_LEAVE);
      }
    }
  });
  yield* await1(sys, r);
  yield* put(sys, "victim", yield* killAndReap(sys, victim));
  yield* put(sys, "value", yield* sys.atomic(AT_LOAD, sem, 0));
  return 0;
}

export const PROGRAMS = { t: race };

/** One run of the race: the run, and how many tokens leaked (the value's shortfall). */
export function raceRun(seed: number, robustFast: "none" | "pcrange"): { r: Run; leaked: number } {
  const r = go(race, { sched: "random", seed, cpus: 2, options: { robustFast } });
  halted0(r);
  const res = results(r);
  if (res.victim !== "-1") throw new Error(`seed ${seed}: the victim was not killed:\n${r.out}`);
  return { r, leaked: START - Number(res.value) };
}
