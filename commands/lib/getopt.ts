// getopt_long as glibc does it, for the programs that take GNU-style options (env, pgrep,
// pkill): short options that cluster (`-fx`), with their argument attached or next (`-P1`,
// `-P 1`), long options with `=` or the next argument, unique prefixes of long names
// (`--new`), `--` to end the options, and glibc's error messages word for word. A pure
// function: no system call, no state.

/** A long option: its name, whether it takes an argument, and the key it reports. */
export interface LongOpt {
  name: string;
  arg: boolean;
  key: string;
}

/** An option found: its key (the letter, or a long option's key) and its argument. */
export interface Opt {
  key: string;
  arg: string;
}

export type Getopt =
  | { ok: true; opts: Opt[]; operands: string[] }
  | { ok: false; error: string };

/**
 * Parses `argv` (argv[0] is the program's name, used in messages). `shortopts` lists the
 * option letters, each followed by ':' when it takes an argument; a leading '+' stops at the
 * first operand (as env does), otherwise operands and options may mix (GNU's permutation).
 * On error, `error` is glibc's message (with its newline).
 */
export function getopt(argv: string[], shortopts: string, longopts: LongOpt[] = []): Getopt {
  const prog = argv[0];
  const inOrder = shortopts.startsWith("+");
  const opts: Opt[] = [];
  const operands: string[] = [];
  const fail = (error: string): Getopt => ({ ok: false, error: `${prog}: ${error}\n` });
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      i++;
      break;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const exact = longopts.find((l) => l.name === name);
      const found = exact !== undefined ? [exact] : longopts.filter((l) => l.name.startsWith(name));
      if (found.length === 0) return fail(`unrecognized option '${a}'`);
      if (found.length > 1 && found.some((l) => l.key !== found[0].key)) {
        const all = found.map((l) => ` '--${l.name}'`).join("");
        return fail(`option '--${name}' is ambiguous; possibilities:${all}`);
      }
      const l = found[0];
      if (!l.arg) {
        if (eq >= 0) return fail(`option '--${l.name}' doesn't allow an argument`);
        opts.push({ key: l.key, arg: "" });
      } else if (eq >= 0) {
        opts.push({ key: l.key, arg: a.slice(eq + 1) });
      } else if (i + 1 < argv.length) {
        opts.push({ key: l.key, arg: argv[++i] });
      } else {
        return fail(`option '--${l.name}' requires an argument`);
      }
      continue;
    }
    if (!a.startsWith("-") || a === "-") {
      if (inOrder) break;
      operands.push(a);
      continue;
    }
    for (let k = 1; k < a.length; k++) {
      const c = a[k];
      const at = c === ":" || c === "+" ? -1 : shortopts.indexOf(c);
      if (at < 0) return fail(`invalid option -- '${c}'`);
      if (shortopts[at + 1] !== ":") {
        opts.push({ key: c, arg: "" });
        continue;
      }
      if (k + 1 < a.length) opts.push({ key: c, arg: a.slice(k + 1) });
      else if (i + 1 < argv.length) opts.push({ key: c, arg: argv[++i] });
      else return fail(`option requires an argument -- '${c}'`);
      break;
    }
  }
  operands.push(...argv.slice(i));
  return { ok: true, opts, operands };
}
