// make [options] [target...] [VAR=value...]: GNU make's everyday subset, with GNU make 4.3's
// messages and exit statuses.
//
//   -f FILE      read FILE (default: GNUmakefile, makefile or Makefile)
//   -C DIR       change to DIR first (then `make: Entering directory 'DIR'`)
//   -j [N]       N jobs at once (no N: no limit); -k keep going; -n print, do not run;
//   -s           silent; -B remake everything; -i ignore errors; -w / --no-print-directory
//   -q           question: run no recipe; the status says whether all is up to date (0, or 1)
//   -t           touch the targets to be remade instead of running their recipes
//   -e           the environment's variables win; -o FILE old, not remade; -W FILE new
//   -O[TYPE]     output kept together per job (target), per line, or per sub-make (recurse)
//   -l [N]       accepted (no load average here); -r no built-in rules; -R (and -r)
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
// Before its goals, make remakes the makefiles it read (or tried to) that a rule can make, and
// reads them all again if one changed (GNU make execs itself again).
//
// Statuses: 0, or 2 after an error (under -q: 1 when something is to be remade). A recipe line's
// process killed (status -1, as dv6's kill makes it) is reported as `Killed`, as GNU make reports
// SIGKILL.
//
// This file is the program (programs.ts registers it) and GNU make's main.c: the options read,
// the jobserver joined or made, the variables make starts with, the makefiles read, the goals
// updated, and the end (GNU's die()). The other files follow GNU make's sources:
//
//   makeint.ts   makeint.h: the types the files share, one make's state (Make)
//   options.ts   main.c's switches: the options, the usage, MAKEFLAGS
//   output.ts    output.c: messages, `Entering directory`, fatal errors
//   read.ts      read.c: reading makefiles; drive() answers the reader's requests
//   expand.ts    expand.c: the expander
//   function.ts  function.c: the text functions, $(shell), $(wildcard)
//   glob.ts      lib/glob.c, lib/fnmatch.c: $(wildcard)'s patterns
//   variable.ts  variable.c: variables, target/pattern-specific values, export
//   file.ts      file.c, filedef.h: the files the makefiles name, the nodes make updates
//   implicit.ts  implicit.c: the pattern rules that could make a file
//   remake.ts    remake.c: deciding what to remake
//   job.ts       job.c, commands.c: running recipes, job slots, reaping
//   jobserver.ts posixos.c's jobserver, and dv6's robust ones (jobtoken.ts: their token helper)
//   stats.ts     --stats and --timeline

import type { Program } from "../../kernel/uapi/abi.ts";
import { O_CREATE, O_RDONLY, O_WRONLY } from "../../kernel/uapi/fcntl.ts";
import { expand, type ExpandCtx } from "./expand.ts";
import { newDatabase } from "./file.ts";
import { convertSuffixRules, installBuiltinRules } from "./implicit.ts";
import { words } from "./function.ts";
import { logJob, reapChild } from "./job.ts";
import {
  createJobServer,
  finishJobServer,
  joinPipe,
  joinRobust,
  release,
  stopHelper,
} from "./jobserver.ts";
import { Die, type Make } from "./makeint.ts";
import { defaultOptions, makeflags, parseOptions, splitMakeflags, USAGE } from "./options.ts";
import { enter, error, fatal, message } from "./output.ts";
import { drive, readFile, readMakefiles } from "./read.ts";
import { update, updateMakefiles } from "./remake.ts";
import { analyze, statsLine, timeline } from "./stats.ts";
import { assign, exportedEnv, setVar, type Vars } from "./variable.ts";
import { type Call, readdirent, stat } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

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
    // A bad value is fatal (`*** ... Stop.`); a bad option gets the usage.
    if (!err.startsWith("unknown jobserver") && !err.startsWith("***")) {
      yield* sys.write(2, USAGE);
    }
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
    goalError: null,
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
  // Under -O line or target, make's output while it reads is one block, with its own
  // `Entering directory` and `Leaving directory` (job.ts's syncFor ends it), as each job's is.
  const sync = o.outputSync === "line" || o.outputSync === "target";
  if (o.question || sync) mk.deferEnter = true;
  else yield* enter(mk);

  // Read the makefiles and make those a rule can make; when one was remade, read them all
  // again (GNU make execs itself again, with MAKE_RESTARTS in its environment).
  for (let restarts = 0;; restarts++) {
    yield* readAll(mk, envMap, restarts);
    if (!(yield* updateMakefiles(mk))) break;
    Object.assign(mk, {
      db: newDatabase(new Map()),
      nodes: new Map(),
      mentioned: new Set(),
      patVars: new Map(),
      failed: false,
      envReady: false,
    });
  }

  const vars = mk.db.vars;
  let goals = o.goals;
  if (goals.length === 0) {
    const dg = vars.get(".DEFAULT_GOAL")!;
    const chosen = words(yield* drive(mk, expand(dg.value, { vars, auto: null, floc: null })))[0];
    if (chosen === undefined) {
      if (mk.db.makefiles.length === 0) {
        yield* fatal(mk, null, "No targets specified and no makefile found");
      }
      yield* fatal(mk, null, "No targets");
    }
    goals = [chosen!];
  }
  yield* update(mk, goals);
}

/** The variables make starts with (the environment's, make's own, the command line's), the
 * makefiles read, MAKEFLAGS and the environment of recipes. */
function* readAll(mk: Make, envMap: Map<string, string>, restarts: number): Call<void> {
  const vars: Vars = mk.db.vars;
  for (const [k, v] of envMap) {
    if (k === "SHELL") continue;
    vars.set(k, {
      value: v,
      recursive: true,
      origin: mk.o.envOverrides ? "environment override" : "environment",
      exported: null,
      fromEnv: true,
    });
  }
  setVar(vars, "MAKE", mk.name, "default");
  setVar(vars, "SHELL", "/bin/sh", "default");
  setVar(vars, "CURDIR", mk.cwd, "file");
  setVar(vars, "MAKELEVEL", String(mk.level), "environment");
  setVar(vars, "MAKECMDGOALS", mk.o.goals.join(" "), "default");
  setVar(vars, ".DEFAULT_GOAL", "", "default");
  // Not exported: GNU's MAKE_RESTARTS is for the make it execs again.
  if (restarts > 0) {
    setVar(vars, "MAKE_RESTARTS", String(restarts), "environment");
    vars.get("MAKE_RESTARTS")!.exported = false;
  }
  const ctx: ExpandCtx = { vars, auto: null, floc: null };
  for (const [n, op, value] of mk.o.vars) {
    yield* drive(mk, assign(vars, n, op, value, "command line", ctx));
  }

  if (!mk.o.noBuiltinRules) installBuiltinRules(mk.db);
  setVar(vars, "SUFFIXES", mk.db.suffixes.join(" "), "default");
  yield* readMakefiles(mk);
  yield* drive(mk, convertSuffixRules(mk.db));
  // `.SILENT:` without prerequisites is -s (GNU's snap_deps); with them, job.ts silences their
  // recipes.
  if (mk.db.files.get(".SILENT")?.deps.length === 0) mk.o.silent = true;
  if (mk.db.files.has(".EXPORT_ALL_VARIABLES")) mk.db.exportAll = true;
  mk.makeflags = makeflags(mk);
  setVar(vars, "MAKEFLAGS", mk.makeflags, "file");
  mk.env = yield* childEnv(mk);
  mk.envReady = true;

  for (const f of mk.db.files.values()) {
    mk.mentioned.add(f.name);
    for (const d of [...f.deps, ...f.orderOnly]) mk.mentioned.add(d);
  }
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
  // Made once: a make that reads its makefiles again keeps its log.
  if (mk.joblog === null && (mk.o.stats || mk.o.timeline || vars.get("MAKE_JOBLOG")?.fromEnv)) {
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
    const parent = vars.get("MAKE_JOBID");
    yield* logJob(mk, `M ${mk.pid} ${parent?.fromEnv ? parent.value : "-"}`);
  }
  if (mk.joblog !== null) {
    env.set("MAKE_JOBLOG", mk.joblog);
    env.delete("MAKE_JOBID");
  }
  return [...env].map(([k, v]) => `${k}=${v}`);
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
    if (parent.ino === here.ino) return "/" + parts.join("/");
    const name = yield* entryName(sys, up, here.ino);
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
