// make's options (GNU make's main.c: its table of switches, decode_switches with glibc's
// getopt_long, decode_env_switches and define_makeflags): the long and short options, the usage
// message, and MAKEFLAGS as make reads it from the environment and writes it for recursive makes.

import { type Style, STYLES } from "./jobserver.ts";
import type { Make } from "./makeint.ts";

export interface Options {
  /** -j: null when not given, Infinity without a number. */
  jobs: number | null;
  /** -j was given on the command line (not only in MAKEFLAGS). */
  jobsArgv: boolean;
  keepGoing: boolean;
  dryRun: boolean;
  question: boolean;
  touch: boolean;
  silent: boolean;
  always: boolean;
  ignoreErrors: boolean;
  printDir: boolean;
  noPrintDir: boolean;
  files: string[];
  dirs: string[];
  goals: string[];
  /** VAR=value definitions of the command line, in order: [name, op, value]. */
  vars: [string, string, string][];
  style: Style;
  auth: string | null;
  stats: boolean;
  timeline: boolean;
  help: boolean;
  version: boolean;
  /** -e: the environment's variables win over the makefiles'. */
  envOverrides: boolean;
  /** -o FILE: taken as very old and not remade; -W FILE: taken as infinitely new. */
  oldFiles: string[];
  newFiles: string[];
  /** -l N: accepted (dv6 has no load average to wait for), passed on in MAKEFLAGS. */
  load: number | null;
  /** -r: no built-in rules (nor default suffixes); -R: no built-in variables (dv6 defines
   * none of GNU's), which implies -r. */
  noBuiltinRules: boolean;
  noBuiltinVars: boolean;
  /** -O TYPE: whose output is kept together (job.ts); null: not given. */
  outputSync: OutputSync | null;
}

export type OutputSync = "none" | "line" | "target" | "recurse";

export function defaultOptions(): Options {
  return {
    jobs: null,
    jobsArgv: false,
    keepGoing: false,
    dryRun: false,
    question: false,
    touch: false,
    silent: false,
    always: false,
    ignoreErrors: false,
    printDir: false,
    noPrintDir: false,
    files: [],
    dirs: [],
    goals: [],
    vars: [],
    style: "pipe",
    auth: null,
    stats: false,
    timeline: false,
    help: false,
    version: false,
    envOverrides: false,
    oldFiles: [],
    newFiles: [],
    load: null,
    outputSync: null,
    noBuiltinRules: false,
    noBuiltinVars: false,
  };
}

/** Long options: name, the short option (or key) it means, argument: 0 none, 1 required,
 * 2 optional. */
const LONG: [string, string, number][] = [
  ["always-make", "B", 0],
  ["assume-new", "W", 1],
  ["assume-old", "o", 1],
  ["directory", "C", 1],
  ["dry-run", "n", 0],
  ["environment-overrides", "e", 0],
  ["file", "f", 1],
  ["help", "h", 0],
  ["ignore-errors", "i", 0],
  ["jobs", "j", 2],
  ["jobserver-auth", "jobserver-auth", 1],
  ["jobserver-style", "jobserver-style", 1],
  ["just-print", "n", 0],
  ["keep-going", "k", 0],
  ["load-average", "l", 2],
  ["makefile", "f", 1],
  ["max-load", "l", 2],
  ["new-file", "W", 1],
  ["no-builtin-rules", "r", 0],
  ["no-builtin-variables", "R", 0],
  ["no-keep-going", "S", 0],
  ["no-print-directory", "no-print-directory", 0],
  ["no-silent", "no-silent", 0],
  ["old-file", "o", 1],
  ["output-sync", "O", 2],
  ["print-directory", "w", 0],
  ["question", "q", 0],
  ["quiet", "s", 0],
  ["recon", "n", 0],
  ["silent", "s", 0],
  ["stats", "stats", 0],
  ["stop", "S", 0],
  ["timeline", "timeline", 0],
  ["touch", "t", 0],
  ["version", "v", 0],
  ["what-if", "W", 1],
];

/** Flags without an argument (-b and -m are accepted and do nothing, as in GNU make). */
const SHORT_FLAGS = "BbehiknmqRrSstvw";

export const USAGE = `Usage: make [options] [target] ...
Options:
  -B, --always-make           Unconditionally make all targets.
  -C DIRECTORY, --directory=DIRECTORY
                              Change to DIRECTORY before doing anything.
  -e, --environment-overrides
                              Environment variables override makefiles.
  -f FILE, --file=FILE, --makefile=FILE
                              Read FILE as a makefile.
  -h, --help                  Print this message and exit.
  -i, --ignore-errors         Ignore errors from recipes.
  -j [N], --jobs[=N]          Allow N jobs at once; infinite jobs with no arg.
  -k, --keep-going            Keep going when some targets can't be made.
  -l [N], --load-average[=N], --max-load[=N]
                              Don't start multiple jobs unless load is below N.
  -n, --just-print, --dry-run, --recon
                              Don't actually run any recipe; just print them.
  -o FILE, --old-file=FILE, --assume-old=FILE
                              Consider FILE to be very old and don't remake it.
  -O[TYPE], --output-sync[=TYPE]
                              Synchronize output of parallel jobs by TYPE.
  -q, --question              Run no recipe; exit status says if up to date.
  -r, --no-builtin-rules      Disable the built-in implicit rules.
  -R, --no-builtin-variables  Disable the built-in variable settings.
  -s, --silent, --quiet       Don't echo recipes.
  --no-silent                 Echo recipes (disable --silent mode).
  -S, --no-keep-going, --stop
                              Turns off -k.
  -t, --touch                 Touch targets instead of remaking them.
  -v, --version               Print the version number of make and exit.
  -w, --print-directory       Print the current directory.
  --no-print-directory        Turn off -w, even if it was turned on implicitly.
  -W FILE, --what-if=FILE, --new-file=FILE, --assume-new=FILE
                              Consider FILE to be infinitely new.
  --jobserver-style=STYLE     Share job slots through STYLE: pipe (GNU make's,
                              the default), sysvsem or psem (robust to kills).
  --stats                     Print the jobs, the makespan and the parallelism.
  --timeline                  Draw which job ran in which job slot, at the end.
`;

/** A positive -j value, or null. */
function positive(s: string): number | null {
  return /^[0-9]+$/.test(s) && Number(s) > 0 ? Number(s) : null;
}

/** A command-line variable definition `NAME=value` (any assignment operator), or null. */
function cmdVar(a: string): [string, string, string] | null {
  const m = /^([^=:?+! \t]+)[ \t]*(::=|:=|\?=|\+=|!=|=)(.*)$/s.exec(a);
  return m === null ? null : [m[1], m[2], m[3]];
}

/** Parses options into `o`, as glibc's getopt_long with GNU make's table: null, or the error
 * message (without the program name). */
export function parseOptions(args: string[], o: Options, fromArgv: boolean): string | null {
  const setJobs = (v: string | null): string | null => {
    if (v === null) o.jobs = Infinity;
    else {
      const n = positive(v);
      if (n === null) return "the '-j' option requires a positive integer argument";
      o.jobs = n;
    }
    if (fromArgv) o.jobsArgv = true;
    return null;
  };
  const flag = (key: string, arg: string | null): string | null => {
    switch (key) {
      case "B":
        o.always = true;
        break;
      case "e":
        o.envOverrides = true;
        break;
      case "r":
        o.noBuiltinRules = true;
        break;
      case "R":
        o.noBuiltinRules = o.noBuiltinVars = true;
        break;
      case "o":
        o.oldFiles.push(arg!);
        break;
      case "W":
        o.newFiles.push(arg!);
        break;
      case "l":
        // GNU reads N with strtod: what is not a number is 0; no N, no limit.
        o.load = arg === null ? null : Number.parseFloat(arg) || 0;
        break;
      case "O": {
        const type = arg ?? "target";
        if (!["none", "line", "target", "recurse"].includes(type)) {
          return `*** unknown output-sync type '${type}'.  Stop.`;
        }
        o.outputSync = type as OutputSync;
        break;
      }
      case "C":
        o.dirs.push(arg!);
        break;
      case "f":
        o.files.push(arg!);
        break;
      case "h":
        o.help = true;
        break;
      case "i":
        o.ignoreErrors = true;
        break;
      case "j":
        return setJobs(arg);
      case "k":
        o.keepGoing = true;
        break;
      case "n":
        o.dryRun = true;
        break;
      case "q":
        o.question = true;
        break;
      case "t":
        o.touch = true;
        break;
      case "S":
        o.keepGoing = false;
        break;
      case "s":
        o.silent = true;
        break;
      case "no-silent":
        o.silent = false;
        break;
      case "v":
        o.version = true;
        break;
      case "w":
        o.printDir = true;
        break;
      case "no-print-directory":
        o.noPrintDir = true;
        break;
      case "jobserver-auth":
        o.auth = arg;
        break;
      case "jobserver-style":
        if (!STYLES.includes(arg as Style)) {
          return `unknown jobserver style '${arg}' (pipe, sysvsem or psem)`;
        }
        o.style = arg as Style;
        break;
      case "stats":
        o.stats = true;
        break;
      case "timeline":
        o.timeline = true;
        break;
    }
    return null;
  };

  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      for (const rest of args.slice(i + 1)) {
        const v = cmdVar(rest);
        if (v !== null) o.vars.push(v);
        else o.goals.push(rest);
      }
      break;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const exact = LONG.find((l) => l[0] === name);
      const found = exact !== undefined ? [exact] : LONG.filter((l) => l[0].startsWith(name));
      if (found.length === 0) return `unrecognized option '${a}'`;
      if (found.length > 1 && found.some((l) => l[1] !== found[0][1])) {
        return `option '--${name}' is ambiguous; possibilities:${
          found.map((l) => ` '--${l[0]}'`).join("")
        }`;
      }
      const [full, key, mode] = found[0];
      let arg: string | null = null;
      if (mode === 0 && eq >= 0) return `option '--${full}' doesn't allow an argument`;
      if (mode === 1) {
        if (eq >= 0) arg = a.slice(eq + 1);
        else if (i + 1 < args.length) arg = args[++i];
        else return `option '--${full}' requires an argument`;
      }
      if (mode === 2) {
        if (eq >= 0) arg = a.slice(eq + 1);
        else if (i + 1 < args.length && /^[0-9]/.test(args[i + 1])) arg = args[++i];
      }
      const err = flag(key, arg);
      if (err !== null) return err;
      continue;
    }
    if (a.startsWith("-") && a !== "-") {
      for (let k = 1; k < a.length; k++) {
        const c = a[k];
        if (c === "C" || c === "f" || c === "o" || c === "W") {
          let arg: string;
          if (k + 1 < a.length) arg = a.slice(k + 1);
          else if (i + 1 < args.length) arg = args[++i];
          else return `option requires an argument -- '${c}'`;
          flag(c, arg);
          break;
        }
        if (c === "j" || c === "l" || c === "O") {
          // An optional argument: attached; -j and -l also take a number that follows.
          let arg: string | null = null;
          if (k + 1 < a.length) arg = a.slice(k + 1);
          else if (c !== "O" && i + 1 < args.length && /^[0-9]/.test(args[i + 1])) arg = args[++i];
          const err = flag(c, arg);
          if (err !== null) return err;
          break;
        }
        if (!SHORT_FLAGS.includes(c)) return `invalid option -- '${c}'`;
        flag(c, null);
      }
      continue;
    }
    const v = cmdVar(a);
    if (v !== null) o.vars.push(v);
    else o.goals.push(a);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// MAKEFLAGS

/** MAKEFLAGS for recursive makes, as GNU make 4.3 writes it: the flag letters, -jN, the
 * jobserver, then `-- VAR=value...` (the last definition first). */
export function makeflags(mk: Make): string {
  const o = mk.o;
  let letters = "";
  if (o.always) letters += "B";
  if (o.envOverrides) letters += "e";
  if (o.ignoreErrors) letters += "i";
  if (o.keepGoing) letters += "k";
  if (o.dryRun) letters += "n";
  if (o.question) letters += "q";
  if (o.noBuiltinRules) letters += "r";
  if (o.noBuiltinVars) letters += "R";
  if (o.silent) letters += "s";
  if (o.touch) letters += "t";
  if (mk.printDir) letters += "w";
  const rest: string[] = [];
  if (o.jobs === Infinity) rest.push("-j");
  else if (o.jobs !== null) rest.push(`-j${o.jobs}`);
  if (o.load !== null) rest.push(`-l${o.load}`);
  if (o.outputSync !== null) rest.push(`-O${o.outputSync}`);
  if (o.auth !== null) rest.push(`--jobserver-auth=${o.auth}`);
  if (o.noPrintDir) rest.push("--no-print-directory");
  if (o.vars.length > 0) {
    rest.push("--");
    for (const [n, op, v] of [...o.vars].reverse()) rest.push(`${n}${op}${quoteMakeflag(v)}`);
  }
  if (letters !== "") return [letters, ...rest].join(" ");
  return rest.length === 0 ? "" : " " + rest.join(" ");
}

/** Splits MAKEFLAGS into words (a backslash escapes the next character, as make writes a
 * space in a variable's value). The first word, if it has no dash, is a cluster of flag
 * letters and gets one. */
export function splitMakeflags(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  let any = false;
  for (let k = 0; k < s.length; k++) {
    const c = s[k];
    if (c === "\\" && k + 1 < s.length) {
      cur += s[++k];
      any = true;
    } else if (c === " " || c === "\t") {
      if (any) out.push(cur);
      cur = "";
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (any) out.push(cur);
  if (out.length > 0 && !out[0].startsWith("-") && !out[0].includes("=")) out[0] = "-" + out[0];
  return out;
}

/** A value as MAKEFLAGS writes it: spaces and backslashes escaped. */
export function quoteMakeflag(s: string): string {
  return s.replace(/([\\ \t])/g, "\\$1");
}
