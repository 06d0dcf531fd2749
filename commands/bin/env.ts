// env [-i] [-0] [-u NAME]... [-C DIR] [-] [NAME=VALUE]... [COMMAND [ARG]...]: coreutils' env.
// It starts from this process's environment (empty with -i or a lone -), removes each -u
// NAME, sets each NAME=VALUE, then either prints the result, one NAME=VALUE per line (ended
// by NUL with -0), or runs COMMAND with it: exec, found as sh finds it (as written if it has
// a '/', else in /bin), after changing to DIR with -C. Messages and statuses are coreutils':
// 125 for env's own errors, 126 when COMMAND exists but cannot be run, 127 when it does not
// exist.

import type { Program } from "../../kernel/uapi/abi.ts";
import { EXIT_CANCELED, EXIT_CANNOT_INVOKE, EXIT_ENOENT } from "../lib/exitstatus.ts";
import { Getopt, type LongOption, no_argument, required_argument } from "../lib/getopt.ts";
import { type Call, fprintf, stat } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

const LONGOPTS: LongOption[] = [
  { name: "ignore-environment", has_arg: no_argument, val: "i" },
  { name: "null", has_arg: no_argument, val: "0" },
  { name: "unset", has_arg: required_argument, val: "u" },
  { name: "chdir", has_arg: required_argument, val: "C" },
  { name: "help", has_arg: no_argument, val: "h" },
];

const HELP = `Usage: env [OPTION]... [-] [NAME=VALUE]... [COMMAND [ARG]...]
Set each NAME to VALUE in the environment and run COMMAND.

Mandatory arguments to long options are mandatory for short options too.
  -i, --ignore-environment  start with an empty environment
  -0, --null           end each output line with NUL, not newline
  -u, --unset=NAME     remove variable from the environment
  -C, --chdir=DIR      change working directory to DIR
      --help        display this help and exit

A mere - implies -i.  If no COMMAND, print the resulting environment.
`;

/** coreutils' quote(): the text in single quotes. */
function quote(s: string): string {
  return "'" + s + "'";
}

function* fail(sys: Sys, message: string, usage = false): Call<never> {
  yield* fprintf(sys, 2, "env: %s\n", message);
  if (usage) yield* fprintf(sys, 2, "Try 'env --help' for more information.\n");
  return yield* sys.exit(EXIT_CANCELED);
}

/** Sets NAME=VALUE in `env`: in the place of the first NAME there was, else at the end. */
function setenv(env: string[], entry: string): string[] {
  const name = entry.slice(0, entry.indexOf("=") + 1);
  const at = env.findIndex((e) => e.startsWith(name));
  if (at < 0) return [...env, entry];
  return env.flatMap((e, k) => k === at ? [entry] : e.startsWith(name) ? [] : [e]);
}

export default function* env(sys: Sys, argv: string[]): Program {
  let ignore = false;
  let nul = false;
  let dir: string | null = null;
  let help = false;
  const unsets: string[] = [];
  const g = new Getopt(argv, "+i0u:C:", LONGOPTS);
  for (let c; (c = g.getopt()) !== -1;) {
    if (c === "i") ignore = true;
    else if (c === "0") nul = true;
    else if (c === "u") unsets.push(g.optarg!);
    else if (c === "C") dir = g.optarg;
    else if (c === "h") help = true;
    else {
      yield* sys.write(2, g.error!);
      yield* fprintf(sys, 2, "Try 'env --help' for more information.\n");
      return yield* sys.exit(EXIT_CANCELED);
    }
  }
  if (help) {
    yield* sys.write(1, HELP);
    return yield* sys.exit(0);
  }
  let rest = g.argv.slice(g.optind);
  if (rest[0] === "-") {
    ignore = true;
    rest = rest.slice(1);
  }

  let environ = ignore ? [] : [...sys.env];
  for (const name of unsets) {
    if (name === "" || name.includes("=")) {
      return yield* fail(sys, `cannot unset ${quote(name)}: Invalid argument`);
    }
    environ = environ.filter((e) => !e.startsWith(name + "="));
  }
  while (rest.length > 0 && rest[0].includes("=")) {
    environ = setenv(environ, rest[0]);
    rest = rest.slice(1);
  }

  if (rest.length === 0) {
    if (dir !== null) return yield* fail(sys, "must specify command with --chdir (-C)", true);
    const end = nul ? "\0" : "\n";
    if (environ.length > 0) yield* sys.write(1, environ.map((e) => e + end).join(""));
    return yield* sys.exit(0);
  }
  if (nul) return yield* fail(sys, "cannot specify --null (-0) with command", true);
  if (dir !== null && (yield* sys.chdir(dir)) < 0) {
    return yield* fail(sys, `cannot change directory to ${quote(dir)}: No such file or directory`);
  }
  const path = rest[0].includes("/") ? rest[0] : "/bin/" + rest[0];
  yield* sys.exec(path, rest, environ);
  // exec returned: the command cannot be run.
  if ((yield* stat(sys, path)) !== -1) {
    yield* fprintf(sys, 2, "env: %s: Permission denied\n", quote(rest[0]));
    return yield* sys.exit(EXIT_CANNOT_INVOKE);
  }
  yield* fprintf(sys, 2, "env: %s: No such file or directory\n", quote(rest[0]));
  return yield* sys.exit(EXIT_ENOENT);
}
