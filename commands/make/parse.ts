// make's reader and expander, as pure functions (no system calls, no state at module level):
// GNU make's syntax for the everyday subset that make.ts runs.
//
//   - logical lines: `\` + newline joins lines (one space outside recipes; kept in recipes),
//     `#` starts a comment (not in a recipe), a TAB starts a recipe line after a rule;
//   - variables: `=` (recursive), `:=` and `::=` (simple), `?=`, `+=`, with `export`,
//     `override`, `unexport`, and `define NAME [op] ... endef`;
//   - references: `$(VAR)`, `${VAR}`, `$X`, `$$`, substitution references `$(VAR:a=b)` and
//     `$(VAR:%.c=%.o)`, the automatic variables `$@ $< $^ $+ $* $? $|` and their D/F forms,
//     and the text functions (subst, patsubst, strip, findstring, filter, filter-out, sort,
//     word, wordlist, words, firstword, lastword, dir, notdir, suffix, basename, addsuffix,
//     addprefix, join, if, or, and, foreach, call, value, origin, flavor, info, warning,
//     error), and wildcard and shell (with `VAR != COMMAND`), which need the outside world;
//   - rules: `targets: prerequisites | order-only ; recipe`, several targets, pattern rules
//     (`%.o: %.c`), static pattern rules (`objs: %.o: %.c`), `.PHONY`;
//   - conditionals (ifeq, ifneq, ifdef, ifndef, else, endif) and `include` / `-include`.
//
// The reader and the expander are generators that yield what they need from the outside world
// (the text of an included makefile, a message to print, a shell command's output, the files a
// wildcard matches) and get the answer back, so that make.ts can drive them with system calls
// while they stay pure. A request is performed once, where the expansion reaches it: a $(shell)
// runs once per evaluation and $(info) prints in order with it, as in GNU make.
//
// Being split along GNU make's source files; moved out so far: glob.ts, options.ts, makeint.ts,
// output.ts, expand.ts, function.ts, variable.ts, file.ts, implicit.ts, read.ts.

// ---------------------------------------------------------------------------------------------
// Recipe lines

/** A recipe line ready to run: its command and its prefixes (`@` silent, `-` ignore errors,
 * `+` run even under -n). */
export interface Command {
  text: string;
  silent: boolean;
  ignore: boolean;
  always: boolean;
}

/** Strips a recipe line's prefixes (leading whitespace and any of `@-+`). */
export function parseCommand(expanded: string): Command {
  let i = 0;
  const c: Command = { text: "", silent: false, ignore: false, always: false };
  for (; i < expanded.length; i++) {
    const ch = expanded[i];
    if (ch === "@") c.silent = true;
    else if (ch === "-") c.ignore = true;
    else if (ch === "+") c.always = true;
    else if (ch !== " " && ch !== "\t") break;
  }
  c.text = expanded.slice(i);
  return c;
}

/** Does an unexpanded recipe line run make recursively (`$(MAKE)` or `${MAKE}` in it)? */
export function isRecursive(text: string): boolean {
  return text.includes("$(MAKE)") || text.includes("${MAKE}");
}
