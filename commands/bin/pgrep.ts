// pgrep [options] PATTERN: procps-ng's pgrep (and, through procgrep, pkill), on dv6's process
// table (procps-ng 4.0.2's, the version this follows where later ones differ). It lists the
// pids of the processes whose name matches PATTERN, a POSIX extended regular expression (as
// regcomp reads it: commands/lib/regex.ts), one per line in pid order, never its own:
//
//   -f, --full              match the full command line (argv joined by spaces; the name
//                           when argv is empty) instead of the name
//   -x, --exact             the whole name (or command line) must match: ^(PATTERN)$
//   -i, --ignore-case       match case-insensitively
//   -n, --newest            only the newest of them (the highest pid: pids only grow)
//   -o, --oldest            only the oldest (the lowest pid)
//   -P, --parent PPID,...   only children of these parents
//   -g, --pgroup PGID,...   only members of these process groups (0: pgrep's own)
//   -F, --pidfile FILE      only the process whose pid is in FILE (a regular file, not
//                           empty, that starts with the number)
//   -A, --ignore-ancestors  never pgrep's ancestors (its shell, say)
//   -v, --inverse           the processes that do not match (pgrep only)
//   -l, --list-name         "PID NAME" lines (pgrep only)
//   -a, --list-full         "PID COMMAND LINE" lines (pgrep only)
//   -d, --delimiter STRING  between pids instead of a newline (pgrep only)
//   -c, --count             print how many matched instead
//
// pkill kills them instead, printing nothing (with -e, "NAME killed (pid PID)" lines). It
// takes the signal as -SIGNAL anywhere among its arguments (-9, -KILL, -SIGKILL, -term) or
// as --signal SIGNAL; xv6 has no signals, so every signal kills, except 0, which only asks
// whether the process exists (as kill(pid, 0) does). As in procps 4.0.2, a -FOO that names no
// signal is options (-F OO: a pid file), and --signal FOO, no signal either, is signal -1,
// which Linux's kill() refuses: "killing pid N failed: Invalid argument" for each match.
//
// Exit status, as procps's: 0 if a process matched (for pkill: was killed), 1 if none did
// (or the pid file is not valid), 2 for a usage error or a bad pattern (with procps's messages,
// regcomp's for the pattern, and its usage text on fd 2).

import type { Program } from "../../kernel/uapi/abi.ts";
import { O_RDONLY } from "../../kernel/uapi/fcntl.ts";
import { T_FILE } from "../../kernel/uapi/stat.ts";
import { Getopt, type LongOption, no_argument, required_argument } from "../lib/getopt.ts";
import { compile, POSIX_EXTENDED, RegexError, toByteString } from "../lib/regex.ts";
import { signalNumber } from "../lib/signals.ts";
import { type Call, strlen } from "../lib/ulib.ts";
import type { ProcInfo, Sys } from "../lib/usys.ts";

const EXIT_USAGE = 2;

/** Linux's largest signal number (SIGRTMAX): kill() refuses any other but 0..64. */
const SIGRTMAX = 64;

type Mode = "pgrep" | "pkill";

const LONGOPTS: (LongOption & { mode?: Mode })[] = [
  { name: "signal", has_arg: required_argument, val: "signal" },
  { name: "count", has_arg: no_argument, val: "c" },
  { name: "delimiter", has_arg: required_argument, val: "d", mode: "pgrep" },
  { name: "list-name", has_arg: no_argument, val: "l", mode: "pgrep" },
  { name: "list-full", has_arg: no_argument, val: "a", mode: "pgrep" },
  { name: "full", has_arg: no_argument, val: "f" },
  { name: "pgroup", has_arg: required_argument, val: "g" },
  { name: "ignore-case", has_arg: no_argument, val: "i" },
  { name: "newest", has_arg: no_argument, val: "n" },
  { name: "oldest", has_arg: no_argument, val: "o" },
  { name: "parent", has_arg: required_argument, val: "P" },
  { name: "inverse", has_arg: no_argument, val: "v", mode: "pgrep" },
  { name: "exact", has_arg: no_argument, val: "x" },
  { name: "echo", has_arg: no_argument, val: "e", mode: "pkill" },
  { name: "pidfile", has_arg: required_argument, val: "F" },
  { name: "ignore-ancestors", has_arg: no_argument, val: "A" },
  { name: "help", has_arg: no_argument, val: "h" },
];

/** procps 4.0.2's usage text, its lines for the options dv6 has, in its order and words. */
function usageText(mode: Mode): string {
  const own = mode === "pgrep"
    ? " -d, --delimiter <string>  specify output delimiter\n" +
      " -l, --list-name           list PID and process name\n" +
      " -a, --list-full           list PID and full command line\n" +
      " -v, --inverse             negates the matching\n"
    : " -<sig>, --signal <sig>    signal to send (either number or name)\n" +
      " -e, --echo                display what is killed\n";
  return `\nUsage:\n ${mode} [options] <pattern>\n\nOptions:\n` + own +
    " -c, --count               count of matching processes\n" +
    " -f, --full                use full process name to match\n" +
    " -g, --pgroup <PGID,...>   match listed process group IDs\n" +
    " -i, --ignore-case         match case insensitively\n" +
    " -n, --newest              select most recently started\n" +
    " -o, --oldest              select least recently started\n" +
    " -P, --parent <PPID,...>   match only child processes of the given parent\n" +
    " -x, --exact               match exactly with the command name\n" +
    " -F, --pidfile <file>      read PIDs from file\n" +
    " -A, --ignore-ancestors    exclude our ancestors from results\n" +
    "\n -h, --help     display this help and exit\n" +
    `\nFor more details see pgrep(1).\n`;
}

/** What the options asked for. */
interface Query {
  full: boolean;
  exact: boolean;
  icase: boolean;
  newest: boolean;
  oldest: boolean;
  negate: boolean;
  parents: number[] | null;
  pgroups: number[] | null;
  /** -F: the pid its file names. */
  pid: number | null;
  ancestors: boolean;
  pattern: string | null;
}

/** The command line -f matches and -a prints: argv joined by spaces, else the name. */
function cmdline(p: ProcInfo): string {
  return p.argv.length > 0 ? p.argv.join(" ") : p.name;
}

/** procps's strict_atol over a comma-separated list: numbers (an empty item is 0), or the
 * first item that is not one. */
function numList(s: string): number[] | string {
  const out: number[] = [];
  for (const item of s.split(",")) {
    if (!/^[+-]?[0-9]*$/.test(item)) return item;
    out.push(Number(item.replace(/^[+-]$/, "")) || 0);
  }
  return out;
}

/** The processes a query selects from `procs` (in pid order), leaving out `me`. */
function select(q: Query, re: RegExp | null, procs: ProcInfo[], me: number): ProcInfo[] {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const skip = new Set([me]);
  if (q.ancestors) {
    for (let p = byPid.get(me); p !== undefined && !skip.has(p.ppid); p = byPid.get(p.ppid)) {
      skip.add(p.ppid);
    }
  }
  const chosen: ProcInfo[] = [];
  for (const p of [...procs].sort((a, b) => a.pid - b.pid)) {
    if (skip.has(p.pid)) continue;
    let match = (q.parents === null || q.parents.includes(p.ppid)) &&
      (q.pid === null || q.pid === p.pid) &&
      (q.pgroups === null || q.pgroups.includes(p.pgid));
    if (match && re !== null) match = re.test(toByteString(q.full ? cmdline(p) : p.name));
    if (match !== q.negate) chosen.push(p);
  }
  if (q.newest && chosen.length > 1) return [chosen[chosen.length - 1]];
  if (q.oldest && chosen.length > 1) return [chosen[0]];
  return chosen;
}

/** procps's read_pidfile: the pid a regular, non-empty file starts with (strtoul's number,
 * after blanks, ended by the end or a blank, at least 1), or null. */
function* readPidfile(sys: Sys, path: string): Call<number | null> {
  const fd = yield* sys.open(path, O_RDONLY);
  if (fd < 0) return null;
  const st = yield* sys.fstat(fd);
  const buf = new Uint8Array(11);
  const n = st !== -1 && st.type === T_FILE && st.size >= 1 ? yield* sys.read(fd, buf, 11) : 0;
  yield* sys.close(fd);
  const text = new TextDecoder().decode(buf.subarray(0, Math.max(n, 0))).replace(/\0.*$/s, "");
  const m = /^\s*([+-]?)([0-9]+)(?:\s|$)/.exec(text);
  if (m === null) return null;
  const pid = Number(m[2]) * (m[1] === "-" ? -1 : 1) | 0; // strtoul's number as a C int
  return pid >= 1 ? pid : null;
}

/** pgrep or pkill, by `mode`. */
export function* procgrep(sys: Sys, argv: string[], mode: Mode): Program {
  const warn = (msg: string): Call<number> => sys.write(2, `${mode}: ${msg}\n`);
  function* usage(): Call<never> {
    yield* sys.write(2, usageText(mode));
    return yield* sys.exit(EXIT_USAGE);
  }
  function* die(msg: string): Call<never> {
    yield* warn(msg);
    return yield* sys.exit(EXIT_USAGE);
  }

  let signal = 15; // SIGTERM
  let args = argv;
  if (mode === "pkill") {
    // procps's signal_option: the first -SIGNAL among the arguments, wherever it stands.
    const at = argv.findIndex((a, k) =>
      k > 0 && a.startsWith("-") && signalNumber(a.slice(1)) >= 0
    );
    if (at > 0) {
      signal = signalNumber(argv[at].slice(1));
      args = [...argv.slice(0, at), ...argv.slice(at + 1)];
    }
  }
  const shortopts = (mode === "pgrep" ? "lad:v" : "e") + "F:cfinoxP:Ag:h";
  const g = new Getopt(
    [mode, ...args.slice(1)],
    shortopts,
    LONGOPTS.filter((l) => l.mode === undefined || l.mode === mode),
  );
  // Every option first (a bad one anywhere is the error), then what they ask, in order.
  const opts: { key: string; arg: string }[] = [];
  for (let key; (key = g.getopt()) !== -1;) {
    if (key === "?") {
      yield* sys.write(2, g.error!);
      return yield* usage();
    }
    opts.push({ key, arg: g.optarg ?? "" });
  }

  const q: Query = {
    full: false,
    exact: false,
    icase: false,
    newest: false,
    oldest: false,
    negate: false,
    parents: null,
    pgroups: null,
    pid: null,
    ancestors: false,
    pattern: null,
  };
  let criteria = 0;
  let count = false;
  let echo = false;
  let long = false;
  let longlong = false;
  let delim = "\n";
  let pidfile: string | null = null;
  for (const { key, arg } of opts) {
    switch (key) {
      case "signal":
        signal = signalNumber(arg);
        if (signal < 0 && /^[0-9]/.test(arg)) signal = parseInt(arg, 10); // atoi, as procps
        break;
      case "F":
        pidfile = arg;
        criteria++;
        break;
      case "c":
        count = true;
        break;
      case "d":
        delim = arg;
        break;
      case "l":
        long = true;
        break;
      case "a":
        longlong = true;
        break;
      case "e":
        echo = true;
        break;
      case "f":
        q.full = true;
        break;
      case "x":
        q.exact = true;
        break;
      case "i":
        if (q.icase) return yield* usage();
        q.icase = true;
        break;
      case "n":
      case "o":
      case "v":
        if (q.newest || q.oldest || q.negate) return yield* usage();
        if (key === "n") q.newest = true;
        else if (key === "o") q.oldest = true;
        else q.negate = true;
        if (key !== "v") criteria++;
        break;
      case "P":
      case "g": {
        if (arg === "") return yield* usage();
        const list = numList(arg);
        if (typeof list === "string") {
          return yield* die(
            key === "P" ? `not a number: ${list}` : `invalid process group: ${list}`,
          );
        }
        if (key === "P") q.parents = list;
        else q.pgroups = list;
        criteria++;
        break;
      }
      case "A":
        q.ancestors = true;
        break;
      default: // h
        yield* sys.write(1, usageText(mode));
        return yield* sys.exit(0);
    }
  }
  if (pidfile !== null) {
    q.pid = yield* readPidfile(sys, pidfile);
    if (q.pid === null) {
      yield* warn(`pidfile not valid\nTry \`${mode} --help' for more information.`);
      return yield* sys.exit(1);
    }
  }
  const operands = g.argv.slice(g.optind);
  if (operands.length > 1) {
    return yield* die(
      `only one pattern can be provided\nTry \`${mode} --help' for more information.`,
    );
  }
  if (operands.length === 1) q.pattern = operands[0];
  else if (criteria === 0) {
    return yield* die(
      `no matching criteria specified\nTry \`${mode} --help' for more information.`,
    );
  }

  let re: RegExp | null = null;
  if (q.pattern !== null) {
    try {
      re = compile(q.exact ? `^(${q.pattern})$` : q.pattern, POSIX_EXTENDED, q.icase).re;
    } catch (e) {
      if (!(e instanceof RegexError)) throw e;
      return yield* die(`regex error: ${e.message}`);
    }
  }

  const me = yield* sys.getpid();
  const procs = yield* sys.procs();
  if (q.pgroups?.includes(0)) {
    const own = procs.find((p) => p.pid === me)?.pgid ?? 0;
    q.pgroups = q.pgroups.map((g) => g === 0 ? own : g);
  }
  const chosen = select(q, re, procs, me);
  if (chosen.length === 0 && !q.full && q.pattern !== null && strlen(q.pattern) > 15) {
    yield* warn(
      "pattern that searches for process name longer than 15 characters will result in zero" +
        ` matches\nTry \`${mode} -f' option to match against the complete command line.`,
    );
  }

  if (mode === "pgrep") {
    if (count) {
      yield* sys.write(1, `${chosen.length}\n`);
    } else if (chosen.length > 0) {
      const items = chosen.map((p) =>
        longlong ? `${p.pid} ${cmdline(p)}` : long ? `${p.pid} ${p.name}` : String(p.pid)
      );
      yield* sys.write(1, items.join(delim) + "\n");
    }
    return yield* sys.exit(chosen.length > 0 ? 0 : 1);
  }

  let killed = 0;
  let out = "";
  for (const p of chosen) {
    if (signal < 0 || signal > SIGRTMAX) { // kill() says EINVAL
      yield* warn(`killing pid ${p.pid} failed: Invalid argument`);
      continue;
    }
    // Signal 0 kills nothing: it succeeds if the process exists (it was in the table).
    if (signal !== 0 && (yield* sys.kill(p.pid)) < 0) continue; // gone now, which is OK
    if (echo) out += `${p.name} killed (pid ${p.pid})\n`;
    killed++;
  }
  if (count) out += `${chosen.length}\n`;
  if (out !== "") yield* sys.write(1, out);
  return yield* sys.exit(killed > 0 ? 0 : 1);
}

export default function* pgrep(sys: Sys, argv: string[]): Program {
  return yield* procgrep(sys, argv, "pgrep");
}
