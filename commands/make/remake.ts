// Deciding what to remake (GNU make's remake.c): the goals are updated by passes over the
// dependency graph, depth first, that start every job that can start, then wait for one to end.
// A file is remade when it does not exist, is phony, or a prerequisite is newer or was remade;
// double-colon rules are updated in turn; -q answers, -t touches, -k goes on after an error.
// First the makefiles are goals of their own (main.c's "Updating makefiles").

import {
  DONE,
  findFile,
  mtimeOf,
  newNode,
  type Node,
  node,
  RUNNING,
  VISIT_FAIL,
  VISIT_OK,
  VISIT_PENDING,
} from "./file.ts";
import { patternCandidates } from "./implicit.ts";
import { reaped, recursiveLine, startJob, stopping, touch } from "./job.ts";
import { release, startHelper, tryAcquire } from "./jobserver.ts";
import { Die, type Make } from "./makeint.ts";
import { enter, error, goalError, message } from "./output.ts";
import type { Call } from "../lib/ulib.ts";

interface Goal {
  node: Node;
  reported: boolean;
  /** Commands were started for it (no "up to date" message). */
  changed: boolean;
  /** A makefile that could not be read: why (see Make.goalError). */
  error: { text: string | null } | null;
}

/** Finds how to make a file: its explicit rule, else a pattern rule whose prerequisites exist
 * or ought to exist. */
function* resolve(mk: Make, n: Node): Call<void> {
  if (n.resolved) return;
  n.resolved = true;
  n.mtime = n.phony ? null : yield* mtimeOf(mk.sys, n.name);
  // -o FILE: very old (and done, see visit); -W FILE: infinitely new (GNU's OLD_MTIME and
  // NEW_MTIME; -W wins).
  if (n.mtime === null && !n.phony) {
    const found = yield* findFile(mk, n.name);
    if (found !== null) [n.path, n.mtime] = [found.path, found.mtime];
  }
  if (mk.o.oldFiles.includes(n.name)) n.mtime = -Infinity;
  if (mk.o.newFiles.includes(n.name)) n.mtime = Infinity;
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
      if ((yield* mtimeOf(mk.sys, d)) === null && (yield* findFile(mk, d)) === null) {
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
    n.also = c.also.map((a) => node(mk, a));
    return;
  }
}

/** GNU main.c's "Updating makefiles": every makefile make tried to read is a goal (the last
 * read first, as GNU lists them), remade even under -n, -q and -t; those of `-include` silently.
 * True when one was remade: make then reads them all again. */
export function* updateMakefiles(mk: Make): Call<boolean> {
  const reads = [...mk.db.readFiles].reverse().filter((r) => !mightLoop(mk, r.name));
  const before: (number | null)[] = [];
  for (const r of reads) before.push(yield* mtimeOf(mk.sys, r.name));
  const goals: Goal[] = reads.map((r) => {
    const n = node(mk, r.name);
    n.dontcare = r.optional;
    const why = r.missing && !r.optional && r.floc !== null
      ? `${r.floc.file}:${r.floc.line}: ${r.name}: No such file or directory\n`
      : null;
    return { node: n, reported: false, changed: false, error: why === null ? null : { text: why } };
  });
  const o = mk.o;
  const flags = { touch: o.touch, question: o.question, dryRun: o.dryRun };
  Object.assign(o, { touch: false, question: false, dryRun: false });
  try {
    yield* updateGoals(mk, goals, true);
  } finally {
    Object.assign(o, flags);
    mk.goalError = null;
    for (const n of mk.nodes.values()) n.dontcare = false;
  }
  let remade = false;
  for (const [i, r] of reads.entries()) {
    const n = node(mk, r.name);
    if (n.state !== DONE) continue;
    const now = yield* mtimeOf(mk.sys, r.name);
    if (n.failed && !r.optional) {
      yield* error(mk, `Failed to remake makefile '${r.name}'.`);
      mk.failed = true;
    }
    if (now !== before[i] && now !== null) remade = true;
  }
  return remade;
}

/** A makefile with a double-colon rule that has a recipe and no prerequisites would be
 * remade every time: GNU make does not try. */
function mightLoop(mk: Make, name: string): boolean {
  const rules = mk.db.files.get(name)?.doubleColon ?? [];
  return rules.some((r) => r.deps.length === 0 && r.recipe !== null);
}

/** Updates the goals named on the command line (or the default goal). */
export function* update(mk: Make, names: string[]): Call<void> {
  const goals = names.map((n) => ({
    node: node(mk, n),
    reported: false,
    changed: false,
    error: null,
  }));
  yield* updateGoals(mk, goals, false);
}

/** Updates goals: passes over the dependency graph that start every job that can start, then
 * waits for a job (or the token helper) to end, until every goal is done. `makefiles`: the
 * goals are the makefiles (updateMakefiles), which get no "up to date" message. */
function* updateGoals(mk: Make, goals: Goal[], makefiles: boolean): Call<void> {
  const sys = mk.sys;
  for (;;) {
    if (!mk.stopping) {
      mk.blocked = false;
      for (const g of goals) {
        if (g.node.state === DONE && !silentFailure(g.node)) continue;
        const before = mk.started;
        mk.goalError = g.error;
        yield* visit(mk, g.node, null, makefiles ? 1 : 0);
        if (mk.started !== before) g.changed = true;
        if (mk.blocked || mk.stopping) break;
      }
      for (const g of goals) {
        if (g.node.state !== DONE || g.reported) continue;
        g.reported = true;
        if (g.node.failed) continue;
        if (!g.changed && !mk.o.silent && !mk.o.question && !makefiles) {
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
  if (n.state === DONE) {
    if (silentFailure(n)) yield* complain(mk, n);
    return n.failed ? VISIT_FAIL : VISIT_OK;
  }
  if (n.state === RUNNING) return VISIT_PENDING;
  n.onStack = true;
  n.noDiag = n.dontcare;
  try {
    yield* resolve(mk, n);
    if (mk.o.oldFiles.includes(n.name)) {
      n.state = DONE; // -o: not remade
      return VISIT_OK;
    }
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
        if (d.state === DONE && silentFailure(d) && !n.dontcare) {
          d.parent = n;
          r = yield* visit(mk, d, n, depth + 1);
          if (mk.stopping) return VISIT_PENDING;
        } else if (d.state === DONE) r = d.failed ? VISIT_FAIL : VISIT_OK;
        else if (d.state === RUNNING) r = VISIT_PENDING;
        else if (d.onStack) {
          yield* error(mk, `Circular ${n.name} <- ${d.name} dependency dropped.`);
          list.splice(i--, 1);
          continue;
        } else {
          d.parent = n;
          d.dontcare = n.dontcare;
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

/** `No rule to make target`: make stops there, or goes on under -k. */
function* noRule(mk: Make, n: Node, parent: Node | null): Call<void> {
  const why = parent === null
    ? `No rule to make target '${n.name}'`
    : `No rule to make target '${n.name}', needed by '${parent.name}'`;
  mk.failed = true;
  yield* goalError(mk);
  if (!mk.o.keepGoing) {
    if (mk.deferEnter) yield* enter(mk);
    yield* mk.sys.write(2, `${mk.prog}: *** ${why}.  Stop.\n`);
    yield* stopping(mk);
    return;
  }
  yield* error(mk, `*** ${why}.`);
}

/** A file that failed silently for an `-include` and is needed now. */
function silentFailure(n: Node): boolean {
  return n.failed && n.noDiag && !n.dontcare;
}

/** Says why a file that failed silently failed (GNU's complain): its prerequisite that
 * failed, else the file itself, as having no rule (whatever the reason was). */
function* complain(mk: Make, n: Node): Call<void> {
  const culprit = n.deps.map((d) => mk.nodes.get(d)).find((d) => d?.state === DONE && d.failed);
  if (culprit !== undefined) return yield* complain(mk, culprit);
  yield* noRule(mk, n, n.parent);
  n.noDiag = false;
}

/** All of a file's prerequisites are done: is it to be remade, and can its job start? */
function* decide(mk: Make, n: Node, parent: Node | null): Call<number> {
  if (!n.hasRule) {
    if (n.mtime !== null || n.phony) {
      n.state = DONE;
      n.changed = n.phony;
      return VISIT_OK;
    }
    n.state = DONE;
    n.failed = true;
    if (!n.dontcare) yield* noRule(mk, n, parent);
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
