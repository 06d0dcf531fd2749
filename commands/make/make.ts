// make [options] [target...] [VAR=value...]: GNU make's everyday subset, with GNU make 4.3's
// messages and exit statuses (makeparse.ts reads the makefiles; jobserver.ts has the job slots).
//
//   -f FILE      read FILE (default: GNUmakefile, makefile or Makefile)
//   -C DIR       change to DIR first (then `make: Entering directory 'DIR'`)
//   -j [N]       N jobs at once (no N: no limit); -k keep going; -n print, do not run;
//   -s           silent; -B remake everything; -i ignore errors; -w / --no-print-directory
//   -q           question: run no recipe; the status says whether all is up to date (0, or 1)
//   -t           touch the targets to be remade instead of running their recipes
//   --jobserver-style=pipe|sysvsem|psem    how -jN shares its slots with recursive makes
//   --stats      at exit: `make: 8 jobs in 412 ticks, at most 4 at once, 3.7 on average`
//   --timeline   at exit: which job ran in which slot, an ASCII chart
//
// A target is remade when it does not exist, is phony, or a prerequisite is newer (the file
// system's modification times, in clock ticks) or was remade. Each recipe line runs as
// `/bin/sh -c LINE`, one after the other; jobs of different targets run in parallel under -j.
// A line with $(MAKE) or `+` is recursive: it runs under -n too and, with the pipe jobserver,
// is the only kind of line that gets the jobserver's fds. Recursive makes get MAKELEVEL and
// MAKEFLAGS and say `make[1]: Entering directory '...'`.
//
// Statuses: 0, or 2 after an error (under -q: 1 when something is to be remade). A recipe line's process killed (status -1, as dv6's kill
// makes it) is reported as `Killed`, as GNU make reports SIGKILL.
//
// Being split along GNU make's source files; moved out so far: glob.ts, options.ts, makeint.ts,
// output.ts, expand.ts, function.ts, variable.ts, file.ts, implicit.ts, read.ts.

import type { Program } from "../../kernel/uapi/abi.ts";
import {
  O_APPEND,
  O_CREATE,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  SPAWN_CLOSE,
} from "../../kernel/uapi/fcntl.ts";
import { type Automatic, expand, type ExpandCtx } from "./expand.ts";
import {
  DONE,
  mtimeOf,
  newDatabase,
  newNode,
  type Node,
  node,
  type RecipeLine,
  RUNNING,
  VISIT_FAIL,
  VISIT_OK,
  VISIT_PENDING,
} from "./file.ts";
import { words } from "./function.ts";
import { patternCandidates } from "./implicit.ts";
import {
  createJobServer,
  finishJobServer,
  helperDone,
  joinPipe,
  joinRobust,
  release,
  startHelper,
  stopHelper,
  tryAcquire,
} from "./jobserver.ts";
import { Die, type Floc, type Make } from "./makeint.ts";
import { defaultOptions, makeflags, parseOptions, splitMakeflags, USAGE } from "./options.ts";
import { enter, error, fatal, message } from "./output.ts";
import { type Command, isRecursive, parseCommand } from "./parse.ts";
import { drive, readFile, readMakefiles } from "./read.ts";
import { analyze, statsLine, timeline } from "./stats.ts";
import { assign, exportedEnv, scope, setVar, type Vars } from "./variable.ts";
import { type Call, readdirent, stat } from "../lib/ulib.ts";
import type { SpawnAction, Sys } from "../lib/usys.ts";

// ---------------------------------------------------------------------------------------------
// The make process

/** A recipe line ready to run. */
interface JobLine extends Command {
  recursive: boolean;
  floc: Floc;
}

export interface Job {
  id: string;
  node: Node;
  lines: JobLine[];
  next: number;
  pid: number;
  /** The line that runs (for its messages). */
  line: JobLine | null;
  /** The job spawns processes (it holds a slot). */
  slot: boolean;
  /** The environment of its lines (make's, or one with its target-specific variables). */
  env: string[];
  recursive: boolean;
  /** With a job log: the clock tick its last line was reaped at (its end, before make
   * reports it: printing a failure can take a tick, while a robust jobserver has its token
   * back from the moment a killed sub-make died). */
  reapedTick: number | null;
}

interface Goal {
  node: Node;
  reported: boolean;
  /** Commands were started for it (no "up to date" message). */
  changed: boolean;
}

export default function* make(sys: Sys, argv: string[]): Program {
  const envMap = new Map<string, string>();
  for (const e of sys.env) {
    const eq = e.indexOf("=");
    if (eq > 0) envMap.set(e.slice(0, eq), e.slice(eq + 1));
  }
  const level = Math.max(0, Number.parseInt(envMap.get("MAKELEVEL") ?? "0") || 0);
  const name = (argv[0] ?? "make").slice((argv[0] ?? "make").lastIndexOf("/") + 1) || "make";
  const prog = level > 0 ? `${name}[${level}]` : name;

  const o = defaultOptions();
  const fromEnv = splitMakeflags(envMap.get("MAKEFLAGS") ?? "");
  parseOptions(fromEnv, o, false); // errors in MAKEFLAGS are ignored, as make does
  const err = parseOptions(argv.slice(1), o, true);
  if (err !== null) {
    yield* sys.write(2, `${name}: ${err}\n`);
    if (!err.startsWith("unknown jobserver")) yield* sys.write(2, USAGE);
    return 2;
  }
  if (o.help) {
    yield* sys.write(1, USAGE);
    return 0;
  }
  if (o.version) {
    yield* sys.write(1, "dv6 make: GNU Make 4.3's everyday subset, its messages and jobserver\n");
    return 0;
  }

  const mk: Make = {
    sys,
    prog,
    name,
    pid: yield* sys.getpid(),
    level,
    o,
    cwd: "/",
    db: newDatabase(new Map()),
    nodes: new Map(),
    mentioned: new Set(),
    jobs: new Map(),
    js: null,
    limit: 1,
    blocked: false,
    stopping: false,
    waitingPrinted: false,
    failed: false,
    questioned: false,
    patVars: new Map(),
    started: 0,
    jobsMade: 0,
    printDir: false,
    entered: false,
    deferEnter: false,
    makeflags: "",
    env: [],
    envReady: false,
    envBusy: false,
    reaps: [],
    joblog: null,
    joblogOwner: false,
    startTick: yield* sys.uptime(),
  };
  try {
    yield* main(mk, envMap);
    return yield* die(mk, mk.failed ? 2 : mk.questioned ? 1 : 0);
  } catch (e) {
    if (!(e instanceof Die)) throw e;
    return yield* die(mk, e.status);
  }
}

function* main(mk: Make, envMap: Map<string, string>): Call<void> {
  const { sys, o } = mk;
  for (const d of o.dirs) {
    if ((yield* sys.chdir(d)) < 0) yield* fatal(mk, null, `${d}: No such file or directory`);
  }
  mk.cwd = yield* getcwd(sys);
  mk.printDir = !o.noPrintDir && (o.printDir || (!o.silent && (o.dirs.length > 0 || mk.level > 0)));

  yield* setupJobs(mk, envMap);
  // Under -q, as in GNU make, `Entering directory` waits for the first thing make prints or
  // runs: a make that finds everything up to date says nothing.
  if (o.question) mk.deferEnter = true;
  else yield* enter(mk);

  // Variables: the environment, make's own, the command line.
  const vars: Vars = mk.db.vars;
  for (const [k, v] of envMap) {
    if (k === "SHELL") continue;
    vars.set(k, {
      value: v,
      recursive: true,
      origin: "environment",
      exported: null,
      fromEnv: true,
    });
  }
  setVar(vars, "MAKE", mk.name, "default");
  setVar(vars, "SHELL", "/bin/sh", "default");
  setVar(vars, "CURDIR", mk.cwd, "file");
  setVar(vars, "MAKELEVEL", String(mk.level), "environment");
  setVar(vars, "MAKECMDGOALS", o.goals.join(" "), "default");
  setVar(vars, ".DEFAULT_GOAL", "", "default");
  const ctx: ExpandCtx = { vars, auto: null, floc: null };
  for (const [n, op, value] of o.vars) {
    yield* drive(mk, assign(vars, n, op, value, "command line", ctx));
  }

  yield* readMakefiles(mk);
  mk.makeflags = makeflags(mk);
  setVar(vars, "MAKEFLAGS", mk.makeflags.trimStart(), "file");
  mk.env = yield* childEnv(mk);
  mk.envReady = true;

  for (const f of mk.db.files.values()) {
    mk.mentioned.add(f.name);
    for (const d of [...f.deps, ...f.orderOnly]) mk.mentioned.add(d);
  }

  let goals = o.goals;
  if (goals.length === 0) {
    const dg = vars.get(".DEFAULT_GOAL");
    const chosen = dg !== undefined && dg.value !== ""
      ? words(yield* drive(mk, expand(dg.value, ctx)))[0]
      : mk.db.defaultGoal;
    if (chosen === null || chosen === undefined) {
      if (mk.db.makefiles.length === 0) {
        yield* fatal(mk, null, "No targets specified and no makefile found");
      }
      yield* fatal(mk, null, "No targets");
    }
    goals = [chosen!];
  }
  yield* update(mk, goals);
}

/** The jobserver and the job slots: join the jobserver of a recursive make's parent, or make
 * one for -jN. */
function* setupJobs(mk: Make, envMap: Map<string, string>): Call<void> {
  const { sys, o } = mk;
  const robust = envMap.get("ROBUST_JOBSERVER");
  if (o.auth !== null) {
    if (o.jobsArgv && o.jobs !== null && o.jobs !== Infinity) {
      yield* error(mk, `warning: -j${o.jobs} forced in submake: resetting jobserver mode.`);
    } else {
      const m = /^(-?\d+),(-?\d+)$/.exec(o.auth);
      if (m === null) {
        yield* fatal(mk, null, `internal error: invalid --jobserver-auth string '${o.auth}'`);
      }
      const js = yield* joinPipe(sys, Number(m![1]), Number(m![2]));
      if (js === null) {
        yield* error(
          mk,
          "warning: jobserver unavailable: using -j1.  Add '+' to parent make rule.",
        );
        o.jobs = 1;
        o.auth = null;
        return;
      }
      mk.js = js;
      return;
    }
    o.auth = null;
  } else if (robust !== undefined) {
    const js = yield* joinRobust(sys, robust);
    if ("format" in js) {
      if (js.format) yield* fatal(mk, null, `invalid ROBUST_JOBSERVER string '${js.message}'`);
      yield* error(mk, `warning: jobserver unavailable (${js.message}): using -j1.`);
      o.jobs = 1;
      return;
    }
    mk.js = js;
    return;
  }
  const n = o.jobs ?? 1;
  if (n === Infinity || n <= 1) {
    mk.limit = n;
    return;
  }
  const js = yield* createJobServer(sys, o.style, n);
  if (typeof js === "string") {
    yield* error(mk, `warning: ${js}: using -j1.`);
    o.jobs = 1;
    return;
  }
  mk.js = js;
  if (o.style === "pipe") o.auth = `${js.r},${js.w}`;
}

/** The environment of recipes: the exported one, and the job log. */
function* childEnv(mk: Make): Call<string[]> {
  const vars = mk.db.vars;
  const env = yield* exportedEnv(mk);
  if (mk.o.stats || mk.o.timeline || vars.get("MAKE_JOBLOG")?.fromEnv) {
    const inherited = vars.get("MAKE_JOBLOG");
    if (inherited?.fromEnv && inherited.value !== "") {
      mk.joblog = inherited.value;
    } else {
      yield* mk.sys.mkdir("/tmp");
      mk.joblog = `/tmp/make.${mk.pid}.jobs`;
      mk.joblogOwner = true;
      const fd = yield* mk.sys.open(mk.joblog, O_WRONLY | O_CREATE);
      if (fd >= 0) yield* mk.sys.close(fd);
    }
    env.set("MAKE_JOBLOG", mk.joblog);
    const parent = vars.get("MAKE_JOBID");
    yield* logJob(mk, `M ${mk.pid} ${parent?.fromEnv ? parent.value : "-"}`);
    env.delete("MAKE_JOBID");
  }
  return [...env].map(([k, v]) => `${k}=${v}`);
}

// ---------------------------------------------------------------------------------------------
// Updating

/** Finds how to make a file: its explicit rule, else a pattern rule whose prerequisites exist
 * or ought to exist. */
function* resolve(mk: Make, n: Node): Call<void> {
  if (n.resolved) return;
  n.resolved = true;
  n.mtime = n.phony ? null : yield* mtimeOf(mk.sys, n.name);
  const f = mk.db.files.get(n.name);
  if (f !== undefined && f.doubleColon !== null) {
    n.hasRule = true;
    n.recipe = f.doubleColon[0]?.recipe ?? null;
    n.entries = f.doubleColon.map((r) => {
      // Each rule sees the file's time as make found it first (GNU stores it in all of
      // them); the time is looked at again only after a rule's own recipe.
      const e = newNode(mk, n.name);
      e.entry = true;
      e.resolved = true;
      e.mtime = n.mtime;
      e.hasRule = true;
      e.deps = [...r.deps];
      e.orderOnly = [...r.orderOnly];
      e.recipe = r.recipe;
      e.stem = f.stem ?? "";
      return e;
    });
    return;
  }
  if (f !== undefined) {
    n.hasRule = true;
    n.deps = [...f.deps];
    n.orderOnly = [...f.orderOnly];
    n.recipe = f.recipe;
    n.stem = f.stem ?? "";
    if (f.recipe !== null) return;
  }
  if (n.phony) return;
  for (const c of patternCandidates(mk.db, n.name)) {
    let ok = true;
    for (const d of [...c.deps, ...c.orderOnly]) {
      if (mk.mentioned.has(d) || mk.db.files.has(d)) continue;
      if ((yield* mtimeOf(mk.sys, d)) === null) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    n.hasRule = true;
    n.recipe = c.rule.recipe;
    n.stem = c.stem;
    n.deps = [...new Set([...c.deps, ...n.deps])];
    n.orderOnly = [...new Set([...c.orderOnly, ...n.orderOnly])];
    return;
  }
}

/** Updates the goals: passes over the dependency graph that start every job that can start,
 * then waits for a job (or the token helper) to end, until every goal is done. */
function* update(mk: Make, names: string[]): Call<void> {
  const goals: Goal[] = names.map((n) => ({ node: node(mk, n), reported: false, changed: false }));
  const sys = mk.sys;
  for (;;) {
    if (!mk.stopping) {
      mk.blocked = false;
      for (const g of goals) {
        if (g.node.state === DONE) continue;
        const before = mk.started;
        yield* visit(mk, g.node, null, 0);
        if (mk.started !== before) g.changed = true;
        if (mk.blocked || mk.stopping) break;
      }
      for (const g of goals) {
        if (g.node.state !== DONE || g.reported) continue;
        g.reported = true;
        if (g.node.failed) continue;
        if (!g.changed && !mk.o.silent && !mk.o.question) {
          const n = g.node;
          yield* message(
            mk,
            n.phony || n.recipe === null
              ? `Nothing to be done for '${n.name}'.`
              : `'${n.name}' is up to date.`,
          );
        }
      }
      if (goals.every((g) => g.node.state === DONE)) break;
    }
    if (mk.jobs.size === 0) {
      if (mk.stopping) break;
      if (!mk.blocked) break; // nothing runs and nothing can start: a dependency loop left over
    }
    // Children a $(shell) reaped while it waited for its own: handled first, in order.
    const kept = mk.reaps.shift();
    if (kept !== undefined) {
      yield* reaped(mk, kept[0], kept[1]);
      continue;
    }
    // A job is ready and waits for a token.
    if (mk.blocked && !mk.stopping && mk.js !== null && !mk.js.broken) {
      if (yield* tryAcquire(sys, mk.js)) continue;
      yield* startHelper(sys, mk.js);
    }
    yield* releaseSpare(mk);
    const [pid, status] = yield* sys.wait();
    if (pid < 0) break;
    yield* reaped(mk, pid, status);
  }
  if (mk.stopping) throw new Die(2);
}

/** Gives back the tokens no running job needs (GNU make gives a job's token back when it
 * ends; the next job takes one again). */
function* releaseSpare(mk: Make): Call<void> {
  const js = mk.js;
  if (js === null) return;
  const running = [...mk.jobs.values()].filter((j) => j.slot).length;
  while (js.held.length > Math.max(0, running - 1)) yield* release(mk.sys, js);
}

/** Visits a file and its prerequisites (depth first, in order), starting the jobs that can
 * start: VISIT_OK or VISIT_FAIL when it is done, VISIT_PENDING while a job runs for it or one of
 * its prerequisites. */
function* visit(mk: Make, n: Node, parent: Node | null, depth: number): Call<number> {
  if (n.state === DONE) return n.failed ? VISIT_FAIL : VISIT_OK;
  if (n.state === RUNNING) return VISIT_PENDING;
  n.onStack = true;
  try {
    yield* resolve(mk, n);
    if (n.entries !== null) return yield* visitEntries(mk, n, parent, depth);
    let pending = false, failed = false;
    for (let li = 0; li < 2; li++) {
      const list = li === 0 ? n.deps : n.orderOnly;
      // The prerequisites before `scan` are done and made: a pass need not look at them again
      // (a long list would make every pass as long as the build).
      let contiguous = true;
      for (let i = n.scan[li]; i < list.length; i++) {
        const d = node(mk, list[i]);
        let r: number;
        if (d.state === DONE) r = d.failed ? VISIT_FAIL : VISIT_OK;
        else if (d.state === RUNNING) r = VISIT_PENDING;
        else if (d.onStack) {
          yield* error(mk, `Circular ${n.name} <- ${d.name} dependency dropped.`);
          list.splice(i--, 1);
          continue;
        } else {
          d.parent = n;
          r = yield* visit(mk, d, n, depth + 1);
          if (mk.blocked || mk.stopping) return VISIT_PENDING;
        }
        if (r === VISIT_OK && contiguous) n.scan[li] = i + 1;
        else contiguous = false;
        if (r === VISIT_PENDING) pending = true;
        else if (r === VISIT_FAIL) {
          failed = true;
          // -q: the answer is known; without -k the other prerequisites are not looked at.
          if (mk.o.question && !mk.o.keepGoing) break;
        }
      }
      if (failed && mk.o.question && !mk.o.keepGoing) break;
    }
    if (pending) return VISIT_PENDING;
    if (failed) {
      n.state = DONE;
      n.failed = true;
      if (depth === 0 && mk.o.keepGoing && !mk.o.dryRun && !mk.o.question) {
        yield* error(mk, `Target '${n.name}' not remade because of errors.`);
      }
      return VISIT_FAIL;
    }
    return yield* decide(mk, n, parent);
  } finally {
    n.onStack = false;
  }
}

/** A file of double-colon rules: each rule is updated in turn, as a target of its own (the
 * next one once the one before is done), and the file is done when they all are. */
function* visitEntries(mk: Make, n: Node, parent: Node | null, depth: number): Call<number> {
  const entries = n.entries!;
  for (const e of entries) {
    if (e.state === DONE) {
      if (e.failed && !mk.o.keepGoing) break;
      continue;
    }
    if (e.state === RUNNING) return VISIT_PENDING;
    e.parent = n.parent;
    const r = yield* visit(mk, e, parent, depth);
    if (r === VISIT_PENDING) return VISIT_PENDING;
    if (r === VISIT_FAIL && !mk.o.keepGoing) break;
  }
  n.state = DONE;
  n.failed = entries.some((e) => e.failed);
  n.changed = entries.some((e) => e.changed);
  n.mtime = n.phony ? null : yield* mtimeOf(mk.sys, n.name);
  return n.failed ? VISIT_FAIL : VISIT_OK;
}

/** All of a file's prerequisites are done: is it to be remade, and can its job start? */
function* decide(mk: Make, n: Node, parent: Node | null): Call<number> {
  if (!n.hasRule) {
    if (n.mtime !== null || n.phony) {
      n.state = DONE;
      n.changed = n.phony;
      return VISIT_OK;
    }
    const why = parent === null
      ? `No rule to make target '${n.name}'`
      : `No rule to make target '${n.name}', needed by '${parent.name}'`;
    n.state = DONE;
    n.failed = true;
    mk.failed = true;
    if (!mk.o.keepGoing) {
      if (mk.deferEnter) yield* enter(mk);
      yield* mk.sys.write(2, `${mk.prog}: *** ${why}.  Stop.\n`);
      yield* stopping(mk);
      return VISIT_FAIL;
    }
    yield* error(mk, `*** ${why}.`);
    return VISIT_FAIL;
  }
  const mine = n.mtime;
  // A double-colon rule without prerequisites always runs.
  let must = n.phony || mk.o.always || mine === null ||
    (n.entry && n.deps.length === 0 && n.orderOnly.length === 0);
  if (!must) {
    for (const d of n.deps) {
      const dn = node(mk, d);
      if (dn.changed || dn.mtime === null || dn.mtime > mine!) {
        must = true;
        break;
      }
    }
  }
  if (!must) {
    n.state = DONE;
    return VISIT_OK;
  }
  if (n.recipe === null) {
    n.state = DONE;
    n.changed = true;
    return VISIT_OK;
  }
  // -t: a recipe without recursive lines is not run (nor expanded): the file is touched.
  if (mk.o.touch && !n.recipe.some(recursiveLine)) {
    n.state = DONE;
    n.changed = true;
    if (n.phony) return VISIT_OK;
    if (!(yield* touch(mk, n))) {
      n.failed = true;
      mk.failed = true;
      if (!mk.o.keepGoing) yield* stopping(mk);
      return VISIT_FAIL;
    }
    if (!mk.o.dryRun) n.mtime = yield* mtimeOf(mk.sys, n.name);
    return VISIT_OK;
  }
  return yield* startJob(mk, n);
}

/** Does a recipe line run make recursively ($(MAKE)) or run under -n, -q and -t (`+`)? */
function recursiveLine(l: RecipeLine): boolean {
  return isRecursive(l.text) || /^[ \t@-]*\+/.test(l.text);
}

/** -t: touches a file as GNU make does (its first byte written back as it is; an empty file
 * created or truncated), printing `touch FILE` unless -s; under -n only the line. False if it
 * cannot be opened. */
function* touch(mk: Make, n: Node): Call<boolean> {
  const sys = mk.sys;
  if (mk.deferEnter) yield* enter(mk);
  if (!mk.o.silent) yield* sys.write(1, `touch ${n.name}\n`);
  mk.started++; // as GNU make: no "is up to date" for a goal touched
  if (mk.o.dryRun) return true;
  let fd = yield* sys.open(n.name, O_RDWR | O_CREATE);
  if (fd < 0) {
    yield* error(mk, `touch: open: ${n.name}: No such file or directory`);
    return false;
  }
  const st = yield* sys.fstat(fd);
  const byte = new Uint8Array(1);
  const size = st === -1 ? 0 : st[4];
  if (size > 0) yield* sys.read(fd, byte, 1);
  yield* sys.close(fd);
  // dv6 has no lseek: the byte is written at the start of the file opened again; an empty
  // file is truncated (either way the file system sets its modification time).
  fd = yield* sys.open(n.name, size > 0 ? O_WRONLY : O_WRONLY | O_TRUNC);
  if (fd >= 0) {
    if (size > 0) yield* sys.write(fd, byte, 1);
    yield* sys.close(fd);
  }
  return true;
}

/** Stops starting jobs after an error (without -k). */
function* stopping(mk: Make): Call<void> {
  mk.stopping = true;
  mk.failed = true;
  if (mk.jobs.size > 0 && !mk.waitingPrinted) {
    mk.waitingPrinted = true;
    yield* error(mk, "*** Waiting for unfinished jobs....");
  }
}

/** Can a job start now? Takes a slot if so (the implicit one, a spare token, a token taken
 * without waiting); otherwise the pass is blocked. */
function* takeSlot(mk: Make): Call<boolean> {
  const running = [...mk.jobs.values()].filter((j) => j.slot).length;
  const js = mk.js;
  if (js === null) return running < mk.limit;
  if (running === 0) return true;
  if (js.broken) return false;
  if (js.held.length >= running) return true; // a spare token
  if (yield* tryAcquire(mk.sys, js)) return true;
  return false;
}

/** Starts a file's recipe: expands its lines (with the automatic variables), then runs the
 * first. VISIT_PENDING while it runs; under -n a recipe without recursive lines is only
 * printed and done at once. */
function* startJob(mk: Make, n: Node): Call<number> {
  const recipe = n.recipe!;
  const o = mk.o;
  const spawns = (!o.dryRun && !o.question && !o.touch) || recipe.some(recursiveLine);
  if (spawns && !(yield* takeSlot(mk))) {
    mk.blocked = true;
    return VISIT_PENDING;
  }
  const auto = automatic(mk, n);
  const vars = yield* scope(mk, n);
  const ctx: ExpandCtx = { vars, auto, floc: null };
  const lines: JobLine[] = [];
  for (const l of recipe) {
    ctx.floc = l.floc;
    const c = parseCommand(yield* drive(mk, expand(l.text, ctx)));
    lines.push({
      ...c,
      ignore: c.ignore || mk.o.ignoreErrors,
      recursive: c.always || isRecursive(l.text),
      floc: l.floc,
    });
  }
  mk.started++;
  const job: Job = {
    id: `${mk.pid}.${++mk.jobsMade}`,
    node: n,
    env: vars === mk.db.vars ? mk.env : yield* jobEnv(mk, vars, auto),
    lines,
    next: 0,
    pid: 0,
    line: null,
    slot: spawns,
    recursive: lines.some((l) => l.recursive),
    reapedTick: null,
  };
  n.state = RUNNING;
  if (job.slot && !job.recursive) {
    yield* logJob(mk, `S ${job.id} ${yield* mk.sys.uptime()} ${n.name}`);
  }
  yield* runNext(mk, job);
  // One job slot and no jobserver (GNU's job_slots == 1): make runs things one at a time, so it
  // waits for the job here, as GNU's new_job does. Nothing else is printed or looked at while
  // the job runs: the next recipe of a -n build comes after a recursive make's output, and an
  // error found in the next prerequisite is reported with no job left to wait for.
  if (mk.js === null && mk.limit === 1) {
    while (n.state === RUNNING && (yield* reapChild(mk)));
  }
  return n.state === DONE ? (n.failed ? VISIT_FAIL : VISIT_OK) : VISIT_PENDING;
}

/** The environment of a job whose file has target-specific variables: the exported variables
 * as its recipe sees them. */
function* jobEnv(mk: Make, vars: Vars, auto: Automatic): Call<string[]> {
  const env = yield* exportedEnv(mk, vars, auto);
  if (mk.joblog !== null) env.set("MAKE_JOBLOG", mk.joblog);
  env.delete("MAKE_JOBID");
  return [...env].map(([k, v]) => `${k}=${v}`);
}

/** The automatic variables of a file's recipe. */
function automatic(mk: Make, n: Node): Automatic {
  const newer: string[] = [];
  for (const d of n.deps) {
    const dn = node(mk, d);
    if (n.mtime === null || dn.changed || dn.mtime === null || dn.mtime > n.mtime) newer.push(d);
  }
  return {
    "@": n.name,
    "<": n.deps[0] ?? "",
    "^": n.deps.join(" "),
    "+": n.deps.join(" "),
    "*": n.stem,
    "?": newer.join(" "),
    "|": n.orderOnly.join(" "),
  };
}

/** Runs the job's next line (printing it first, unless silent); a job whose lines are all done
 * (or only printed) finishes. */
function* runNext(mk: Make, job: Job): Call<void> {
  const { sys, o } = mk;
  while (job.next < job.lines.length) {
    const l = job.lines[job.next++];
    job.line = l;
    if (o.touch && !l.recursive) continue;
    if (o.question && !l.recursive && l.text.trim() !== "") {
      // -q: a line to run: the target is not up to date.
      yield* finishJob(mk, job, "question");
      return;
    }
    if (mk.deferEnter) yield* enter(mk);
    if (o.dryRun || (!l.silent && !o.silent)) yield* sys.write(1, l.text + "\n");
    if (o.dryRun && !l.recursive) continue;
    if (l.text.trim() === "") continue;
    const actions: SpawnAction[] = [];
    const js = mk.js;
    if (js !== null && js.style === "pipe" && !l.recursive) {
      actions.push([SPAWN_CLOSE, js.r], [SPAWN_CLOSE, js.w]);
    }
    // sh -c runs each line of its argument: a backslash-newline continues the line.
    const cmd = l.text.replace(/\\\n/g, "");
    // With a job log, a recursive make learns which job it is (for --timeline).
    const env = mk.joblog !== null && l.recursive ? [...job.env, `MAKE_JOBID=${job.id}`] : job.env;
    const pid = yield* sys.spawn("/bin/sh", ["sh", "-c", cmd], actions, 0, 0, env);
    if (pid < 0) {
      yield* sys.write(2, `${mk.prog}: /bin/sh: No such file or directory\n`);
      if (yield* lineFailed(mk, job, 127)) return;
      continue;
    }
    job.pid = pid;
    mk.jobs.set(pid, job);
    return;
  }
  yield* finishJob(mk, job, "done");
}

/** A line ended with a non-zero status: the message; true if the job failed. */
function* lineFailed(mk: Make, job: Job, status: number): Call<boolean> {
  const l = job.line!;
  const what = status === -1 ? "Killed" : `Error ${status}`;
  const where = `[${l.floc.file}:${l.floc.line}: ${job.node.name}]`;
  if (l.ignore) {
    if (!mk.o.silent) yield* error(mk, `${where} ${what} (ignored)`);
    return false;
  }
  if (mk.o.question && l.recursive && status === 1) {
    // -q: a sub-make found something to remake; no message.
    yield* finishJob(mk, job, "question");
    return true;
  }
  yield* error(mk, `*** ${where} ${what}`);
  yield* finishJob(mk, job, "failed");
  return true;
}

/** Waits for a child to end (or takes one a $(shell) reaped) and handles it; false if there
 * is none. */
function* reapChild(mk: Make): Call<boolean> {
  const [pid, status] = mk.reaps.shift() ?? (yield* mk.sys.wait());
  if (pid < 0) return false;
  yield* reaped(mk, pid, status);
  return true;
}

/** A child ended: a job's line, or the token helper. */
function* reaped(mk: Make, pid: number, status: number): Call<void> {
  const js = mk.js;
  if (js !== null && pid === js.helper) {
    helperDone(js, status);
    return;
  }
  const job = mk.jobs.get(pid);
  if (job === undefined) return;
  mk.jobs.delete(pid);
  job.pid = 0;
  if (mk.joblog !== null) job.reapedTick = yield* mk.sys.uptime();
  if (status !== 0 && (yield* lineFailed(mk, job, status))) return;
  yield* runNext(mk, job);
}

/** A job is over: its file is done (remade, failed, or found out of date by -q). */
function* finishJob(mk: Make, job: Job, how: "done" | "failed" | "question"): Call<void> {
  const n = job.node;
  n.state = DONE;
  if (job.slot) {
    const tick = job.reapedTick ?? (yield* mk.sys.uptime());
    yield* logJob(mk, `${job.recursive ? "X" : "E"} ${job.id} ${tick}`);
  }
  if (how === "question") {
    n.failed = true;
    mk.questioned = true;
    return;
  }
  if (how === "failed") {
    n.failed = true;
    mk.failed = true;
    if (!mk.o.keepGoing) yield* stopping(mk);
    return;
  }
  // -t: the recursive lines have run; the file is touched unless they were all it had.
  if (mk.o.touch && !n.phony && job.lines.some((l) => !l.recursive)) {
    if (!(yield* touch(mk, n))) {
      n.failed = true;
      mk.failed = true;
      if (!mk.o.keepGoing) yield* stopping(mk);
      return;
    }
  }
  if (mk.o.dryRun) {
    n.changed = true;
    return;
  }
  const before = n.mtime;
  n.mtime = n.phony ? null : yield* mtimeOf(mk.sys, n.name);
  n.changed = n.mtime === null || n.mtime !== before;
}

function* logJob(mk: Make, record: string): Call<void> {
  if (mk.joblog === null) return;
  const fd = yield* mk.sys.open(mk.joblog, O_WRONLY | O_APPEND);
  if (fd < 0) return;
  yield* mk.sys.write(fd, record + "\n");
  yield* mk.sys.close(fd);
}

// ---------------------------------------------------------------------------------------------
// The end

/** GNU make's die(): waits for the jobs still running, checks the jobserver, says it leaves
 * the directory; then --stats and --timeline. Returns the exit status. */
function* die(mk: Make, status: number): Call<number> {
  const sys = mk.sys;
  if (status !== 0 && mk.jobs.size > 0 && !mk.waitingPrinted) {
    mk.waitingPrinted = true;
    yield* error(mk, "*** Waiting for unfinished jobs....");
  }
  while ((mk.jobs.size > 0 || mk.reaps.length > 0) && (yield* reapChild(mk)));
  const js = mk.js;
  if (js !== null) {
    yield* stopHelper(sys, js);
    while (js.held.length > 0) yield* release(sys, js);
    if (js.owner) {
      const tokens = yield* finishJobServer(sys, js);
      if (tokens !== js.limit) {
        yield* error(
          mk,
          `INTERNAL: Exiting with ${tokens} jobserver tokens available; should be ${js.limit}!`,
        );
      }
    }
  }
  if (mk.entered) yield* message(mk, `Leaving directory '${mk.cwd}'`);
  if (mk.joblogOwner && mk.joblog !== null) {
    const finish = yield* sys.uptime();
    const log = (yield* readFile(sys, mk.joblog)) ?? "";
    const a = analyze(log, finish);
    if (mk.o.stats) yield* sys.write(1, statsLine(mk.prog, a, finish - mk.startTick));
    if (mk.o.timeline) {
      const slots = mk.js?.limit ?? (mk.limit === Infinity ? 1 : mk.limit);
      yield* sys.write(1, timeline(mk.prog, a, slots, mk.startTick, finish));
    }
    yield* sys.unlink(mk.joblog);
  }
  return status;
}

// ---------------------------------------------------------------------------------------------
// The current directory

/** The current directory's path, found as Unix's getcwd did: up through `..`, looking for the
 * entry of the directory below by its inode number. */
function* getcwd(sys: Sys): Call<string> {
  const parts: string[] = [];
  let path = ".";
  for (let depth = 0; depth < 32; depth++) {
    const here = yield* stat(sys, path);
    const up = path === "." ? ".." : path + "/..";
    const parent = yield* stat(sys, up);
    if (here === -1 || parent === -1) break;
    if (parent[1] === here[1]) return "/" + parts.join("/");
    const name = yield* entryName(sys, up, here[1]);
    if (name === null) break;
    parts.unshift(name);
    path = up;
  }
  return "/" + parts.join("/");
}

/** The name of the entry of directory `dir` for inode `ino` (not `.` or `..`). */
function* entryName(sys: Sys, dir: string, ino: number): Call<string | null> {
  const fd = yield* sys.open(dir, O_RDONLY);
  if (fd < 0) return null;
  let found: string | null = null;
  for (let de; (de = yield* readdirent(sys, fd)) !== null;) {
    if (de.inum !== ino || de.name === "." || de.name === "..") continue;
    found = de.name;
    break;
  }
  yield* sys.close(fd);
  return found;
}
