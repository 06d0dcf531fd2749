// fork [-n N] [--zombie] [--orphan] [-- COMMAND ARGS...]: a demonstration of fork(), wait(),
// zombies and orphans. It forks N children (1 by default); each runs COMMAND (/bin/COMMAND
// without a slash) if one is given, else exits at once. Then the parent
//   - by default, waits for every child and says how each ended;
//   - with --zombie, leaves them unreaped for ZOMBIE_TICKS ticks (ps shows them as zombies; kill
//     cannot remove them), then reaps them;
//   - with --orphan, exits at once: the children (which then sleep ORPHAN_TICKS ticks before
//     exiting, unless they run a command) outlive it, and init adopts and reaps them.

import type { Program } from "../../kernel/uapi/abi.ts";
import { binPath } from "./init.ts";
import { Getopt, type LongOption, no_argument } from "../lib/getopt.ts";
import { type Call, fprintf } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

const ZOMBIE_TICKS = 50;
const ORPHAN_TICKS = 50;

interface Options {
  n: number;
  zombie: boolean;
  orphan: boolean;
  command: string[];
}

const LONGOPTS: LongOption[] = [
  { name: "zombie", has_arg: no_argument, val: "zombie" },
  { name: "orphan", has_arg: no_argument, val: "orphan" },
];

/** The options, or null if they are bad. */
function parse(argv: string[]): Options | null {
  const o: Options = { n: 1, zombie: false, orphan: false, command: [] };
  const g = new Getopt(argv, "+:n:", LONGOPTS);
  for (let c; (c = g.getopt()) !== -1;) {
    if (c === "n" && /^[0-9]+$/.test(g.optarg!)) {
      o.n = Number(g.optarg);
      if (o.n < 1 || o.n > 1000) return null;
    } else if (c === "zombie") {
      o.zombie = true;
    } else if (c === "orphan") {
      o.orphan = true;
    } else {
      return null;
    }
  }
  // A COMMAND comes after "--", and there must be one if "--" is there.
  const afterDashes = g.optind > 1 && g.argv[g.optind - 1] === "--";
  o.command = g.argv.slice(g.optind);
  if (afterDashes !== (o.command.length > 0)) return null;
  return o.zombie && o.orphan ? null : o;
}

/** One line, in one write. */
function* say(sys: Sys, fd: number, s: string): Call<void> {
  yield* sys.write(fd, s + "\n");
}

function* child(sys: Sys, o: Options): Call<never> {
  if (o.command.length > 0) {
    yield* sys.exec(binPath(o.command[0]), o.command);
    yield* say(sys, 2, `fork: exec ${o.command[0]} failed`);
    return yield* sys.exit(1);
  }
  if (o.orphan) yield* sys.sleep(ORPHAN_TICKS);
  return yield* sys.exit(0);
}

function* reap(sys: Sys, pids: number[]): Call<void> {
  const left = new Set(pids);
  while (left.size > 0) {
    const [pid, status] = yield* sys.wait();
    if (pid < 0) break;
    left.delete(pid);
    yield* say(sys, 1, `fork: child ${pid} exited with status ${status}`);
  }
}

export default function* fork(sys: Sys, argv: string[]): Program {
  const o = parse(argv);
  if (o === null) {
    yield* fprintf(sys, 2, "usage: fork [-n N] [--zombie] [--orphan] [-- COMMAND ARGS...]\n");
    return yield* sys.exit(1);
  }

  const pids: number[] = [];
  let status = 0;
  for (let i = 0; i < o.n; i++) {
    const pid = yield* sys.fork();
    if (pid === 0) return yield* child(sys, o);
    if (pid < 0) {
      yield* say(sys, 2, "fork: fork failed");
      status = 1;
      break;
    }
    pids.push(pid);
    yield* say(sys, 1, `fork: child ${pid}`);
  }
  if (pids.length === 0) return yield* sys.exit(status);

  if (o.orphan) {
    yield* say(sys, 1, "fork: exiting at once: init adopts the orphans and reaps them");
    return yield* sys.exit(status);
  }
  if (o.zombie) {
    yield* say(
      sys,
      1,
      `fork: not reaping for ${ZOMBIE_TICKS} ticks: a child that exits is a zombie`,
    );
    yield* sys.sleep(ZOMBIE_TICKS);
  }
  yield* reap(sys, pids);
  return yield* sys.exit(status);
}
