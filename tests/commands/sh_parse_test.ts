// The shell's parser (commands/sh/parse.ts): xv6's grammar, parse and error texts, and the
// and-or lists, syntax errors, quoting, `$?`, variables, assignments and comments added on top.
// Pure functions: no machine is booted here.

import assert from "node:assert/strict";
import { O_APPEND, O_CREATE, O_RDONLY, O_TRUNC, O_WRONLY } from "../../kernel/uapi/fcntl.ts";
import {
  type Cmd,
  type ExecCmd,
  expand,
  fields,
  isAssignment,
  isEmpty,
  type Job,
  type Lookup,
  MAXARGS,
  ParseError,
  parseJobs,
  parseLine,
  splitLines,
  type Stage,
  unfinished,
  type Word,
} from "../../commands/sh/parse.ts";

const WRITE = O_WRONLY | O_CREATE | O_TRUNC;
const APPEND = O_WRONLY | O_CREATE | O_APPEND;

/** The words of a simple command, expanded with `$?` = status. */
function words(cmd: Cmd | Stage, status = 0): string[] {
  assert.equal(cmd.type, "exec", `not a simple command: ${JSON.stringify(cmd)}`);
  if (cmd.type !== "exec") return [];
  return cmd.argv.map((w) => expand(w, status));
}

/** The words of a line that is one simple command. */
function argv(line: string, status = 0): string[] {
  return words(parseLine(line), status);
}

/** A job in short: its pipelines' stages' words (a block as "(body)"), with the operators
 * between them, and "&" when in the background. */
function show(j: Job): string {
  const pipelines = j.pipelines.map((p) =>
    (p.op === null ? "" : p.op + " ") +
    p.stages.map((s) =>
      s.type === "block" ? `(${s.body})` : s.argv.map((w) => expand(w, 0)).join(" ")
    ).join(" | ")
  );
  return pipelines.join(" ") + (j.background ? " &" : "");
}

function jobs(line: string): string[] {
  return parseJobs(line).map(show);
}

/** The message a line's parse error prints (without sh's final newline). */
function error(line: string): string {
  try {
    parseLine(line);
  } catch (e) {
    assert.ok(e instanceof ParseError, String(e));
    return e.message;
  }
  assert.fail(`'${line}' parsed`);
}

Deno.test("words are split at whitespace, as xv6's gettoken", () => {
  assert.deepEqual(argv("echo hello world\n"), ["echo", "hello", "world"]);
  assert.deepEqual(argv("  echo\t a \v b\r\n"), ["echo", "a", "b"]);
  assert.deepEqual(argv("/bin/echo x"), ["/bin/echo", "x"]);
});

Deno.test("a blank line or a comment is an empty command", () => {
  for (const line of ["", "\n", "   \n", "# just a comment\n", "   # indented\n"]) {
    const cmd = parseLine(line);
    assert.equal(cmd.type, "exec");
    assert.ok(cmd.type === "exec" && isEmpty(cmd), line);
  }
  assert.equal(isEmpty(parseLine("> f") as Stage), false);
  assert.equal(isEmpty(parseLine("echo") as Stage), false);
});

Deno.test("redirections: < on fd 0, > truncates, >> appends, anywhere among the words", () => {
  const cmd = parseLine("cat < in > out\n");
  assert.ok(cmd.type === "exec");
  assert.deepEqual(words(cmd), ["cat"]);
  assert.deepEqual(cmd.redirs.map((r) => [r.fd, expand(r.file, 0), r.flags]), [
    [0, "in", O_RDONLY],
    [1, "out", WRITE],
  ]);

  const before = parseLine("< in cat -n");
  assert.ok(before.type === "exec");
  assert.deepEqual(words(before), ["cat", "-n"]);
  assert.deepEqual(before.redirs.map((r) => expand(r.file, 0)), ["in"]);

  const app = parseLine("echo hi >> log");
  assert.ok(app.type === "exec");
  assert.deepEqual(app.redirs.map((r) => [r.fd, expand(r.file, 0), r.flags]), [[1, "log", APPEND]]);

  const tight = parseLine("echo hi>a>>b<c");
  assert.ok(tight.type === "exec");
  assert.deepEqual(words(tight), ["echo", "hi"]);
  assert.deepEqual(tight.redirs.map((r) => [r.fd, expand(r.file, 0), r.flags]), [
    [1, "a", WRITE],
    [1, "b", APPEND],
    [0, "c", O_RDONLY],
  ]);
});

Deno.test("redirections are kept in the order written (the shell applies them so)", () => {
  const cmd = parseLine("echo x > a > b");
  assert.ok(cmd.type === "exec");
  assert.deepEqual(cmd.redirs.map((r) => expand(r.file, 0)), ["a", "b"]);
});

Deno.test("a pipeline is right-associative, as xv6's, and runs as one job", () => {
  const cmd = parseLine("a | b | c");
  assert.equal(cmd.type, "pipe");
  assert.ok(cmd.type === "pipe");
  assert.deepEqual(words(cmd.left), ["a"]);
  assert.equal(cmd.right.type, "pipe");
  assert.ok(cmd.right.type === "pipe");
  assert.deepEqual(words(cmd.right.left), ["b"]);
  assert.deepEqual(words(cmd.right.right), ["c"]);
  assert.deepEqual(jobs("a | b | c"), ["a | b | c"]);
  assert.deepEqual(jobs("echo a b c|wc"), ["echo a b c | wc"]);
});

Deno.test("; runs jobs in order; & puts the and-or list before it in the background", () => {
  assert.deepEqual(jobs("a ; b"), ["a", "b"]);
  assert.deepEqual(jobs("a &"), ["a &"]);
  assert.deepEqual(jobs("a ;"), ["a"]);
  assert.deepEqual(jobs("a | b & c ; d &"), ["a | b &", "c", "d &"]);
  assert.deepEqual(jobs("sleep 10 & echo started"), ["sleep 10 &", "echo started"]);
  const back = parseLine("a | b &");
  assert.ok(back.type === "back");
  assert.equal(back.cmd.type, "pipe");
  assert.equal(back.src, "a | b");
});

Deno.test("&& and ||: equal precedence, left-associative, between | and ; or &", () => {
  assert.deepEqual(jobs("a && b"), ["a && b"]);
  assert.deepEqual(jobs("a || b"), ["a || b"]);
  assert.deepEqual(jobs("a | b && c | d || e ; f"), ["a | b && c | d || e", "f"]);
  assert.deepEqual(jobs("a&&b||c"), ["a && b || c"]);
  // left-associative: (a || b) && c
  const t = parseLine("a || b && c");
  assert.ok(t.type === "&&" && t.left.type === "||");
  assert.deepEqual(words(t.right), ["c"]);
  // & takes the whole and-or list, which runs in a child shell as a block does
  assert.deepEqual(jobs("a && b & c || d"), ["(a && b) &", "c || d"]);
  assert.deepEqual(jobs("(a || b) && c > f"), ["(a || b) && c"]);
  const bg = parseLine("echo 'x' && b  &");
  assert.ok(bg.type === "back" && bg.cmd.type === "&&");
  assert.equal(bg.src, "echo 'x' && b");
  // || is an operator, not two pipes; quoted, it is a word
  assert.deepEqual(argv("echo '&&' \\|\\| x"), ["echo", "&&", "||", "x"]);
});

Deno.test("a block keeps its source text for a child shell, and takes redirections", () => {
  const cmd = parseLine("(echo a; echo b) > out\n");
  assert.ok(cmd.type === "block");
  assert.equal(cmd.body, "echo a; echo b");
  assert.deepEqual(cmd.redirs.map((r) => [r.fd, expand(r.file, 0), r.flags]), [[1, "out", WRITE]]);
  assert.equal(cmd.src, "(echo a; echo b) > out");

  assert.deepEqual(jobs("( (a) | b ) | c &"), ["( (a) | b ) | c &"]);
  assert.deepEqual(jobs("(echo 'a)' \"(b\")"), [`(echo 'a)' "(b")`]);
  const nested = parseLine("( (a) | b )");
  assert.ok(nested.type === "block");
  assert.equal(nested.body, " (a) | b ");
  // The inner line parses too.
  assert.deepEqual(jobs(nested.body), ["(a) | b"]);
});

Deno.test("a simple command keeps its source text", () => {
  const cmd = parseLine("  cd  /tmp > log  ; echo");
  assert.ok(cmd.type === "list" && cmd.left.type === "exec");
  assert.equal(cmd.left.src, "cd  /tmp > log");
  const q = parseLine(`exit "$?" # bye`);
  assert.ok(q.type === "exec");
  assert.equal(q.src, `exit "$?"`);
});

Deno.test("syntax errors: an empty command where one must stand, an unterminated quote", () => {
  const eol = "sh: syntax error: unexpected end of line";
  for (
    const [line, message] of [
      ["; echo c", "sh: syntax error: unexpected ';'"],
      ["| echo a", "sh: syntax error: unexpected '|'"],
      ["& echo a", "sh: syntax error: unexpected '&'"],
      ["&& echo a", "sh: syntax error: unexpected '&&'"],
      ["|| echo a", "sh: syntax error: unexpected '||'"],
      ["echo a |", eol],
      ["echo a |\n", eol],
      ["echo a &&", eol],
      ["echo a || # a comment", eol],
      ["echo a ; ; echo b", "sh: syntax error: unexpected ';'"],
      ["echo a & ; echo b", "sh: syntax error: unexpected ';'"],
      ["echo a & &", "sh: syntax error: unexpected '&'"],
      ["echo a | | b", "sh: syntax error: unexpected '|'"],
      ["echo a && || b", "sh: syntax error: unexpected '||'"],
      ["echo a |&& b", "sh: syntax error: unexpected '&&'"],
      ["echo a &&& b", "sh: syntax error: unexpected '&'"],
      ["()", "sh: syntax error: unexpected ')'"],
      ["( )", "sh: syntax error: unexpected ')'"],
      ["(a && )", "sh: syntax error: unexpected ')'"],
      ["(a |", eol],
      ["echo 'abc\n", "sh: syntax error: unterminated quoted string"],
      ['echo "abc', "sh: syntax error: unterminated quoted string"],
      [`echo "it's`, "sh: syntax error: unterminated quoted string"],
    ]
  ) assert.equal(error(line), message, line);
});

Deno.test("xv6's parse errors and their texts", () => {
  assert.equal(error("echo hi >\n"), "missing file for redirection");
  assert.equal(error("cat <"), "missing file for redirection");
  assert.equal(error("echo a > > f"), "missing file for redirection");
  assert.equal(error("echo a > | wc"), "missing file for redirection");
  assert.equal(error("(echo hi\n"), "syntax - missing )");
  assert.equal(error("((echo hi)"), "syntax - missing )");
  assert.equal(error("echo a (b)"), "syntax");
  assert.equal(error("echo a < b ("), "syntax");
  // leftovers prints the rest of the line, its newline included, then "syntax"
  assert.equal(error("echo hi )\n"), "leftovers: )\n\nsyntax");
  assert.equal(error("echo hi )"), "leftovers: )\nsyntax");
  assert.equal(error("(a) b\n"), "leftovers: b\n\nsyntax");
  assert.equal(error("echo a ) # note"), "leftovers: ) # note\nsyntax");
  assert.equal(error("echo a ; )"), "leftovers: )\nsyntax");
  assert.equal(error("echo a & )"), "leftovers: )\nsyntax");
});

Deno.test("too many args: MAXARGS 10 allows 9 words, as xv6", () => {
  assert.equal(MAXARGS, 10);
  assert.deepEqual(argv("echo 1 2 3 4 5 6 7 8"), ["echo", "1", "2", "3", "4", "5", "6", "7", "8"]);
  assert.equal(error("echo 1 2 3 4 5 6 7 8 9\n"), "too many args");
  // redirections are not words
  assert.equal(argv("echo 1 2 3 4 5 6 7 8 > f < g").length, 9);
  // the limit is per command
  assert.deepEqual(jobs("echo 1 2 3 4 5 6 7 8 | echo 1 2 3 4 5 6 7 8").length, 1);
});

Deno.test("quotes: '...' is literal, \"...\" expands $?, parts of a word run together", () => {
  assert.deepEqual(argv("echo 'a  b' \"c  d\""), ["echo", "a  b", "c  d"]);
  assert.deepEqual(argv(`echo 'a|b;c&(d)<e>f#g' "h|i;j"`), ["echo", "a|b;c&(d)<e>f#g", "h|i;j"]);
  assert.deepEqual(argv(`echo '$?' "$?" $?`, 3), ["echo", "$?", "3", "3"]);
  assert.deepEqual(argv(`echo a'b c'"d"e`), ["echo", "ab cde"]);
  assert.deepEqual(argv(`echo '' "" x`), ["echo", "", "", "x"]);
  assert.deepEqual(argv(`echo "it's" 'say "hi"'`), ["echo", "it's", 'say "hi"']);
  assert.deepEqual(argv(`echo 'no \\ escapes \\' x`), ["echo", "no \\ escapes \\", "x"]);
  assert.deepEqual(argv(`echo "a \\"b\\" \\\\ \\$? \\n"`), ["echo", 'a "b" \\ $? \\n']);
});

Deno.test("a backslash outside quotes takes the next character literally", () => {
  assert.deepEqual(argv("echo a\\ b \\| \\'x\\\" \\#c"), ["echo", "a b", "|", `'x"`, "#c"]);
  assert.deepEqual(argv("echo a\\\n"), ["echo", "a"]);
  assert.deepEqual(argv("echo a\\"), ["echo", "a"]);
});

Deno.test("$? expands to the last status wherever it stands; a $ before no name is literal", () => {
  assert.deepEqual(argv("echo $? x$?y $x $ $$ $1 $-", 127), [
    "echo",
    "127",
    "x127y",
    "", // $x: an unset variable
    "$",
    "$$",
    "$1",
    "$-",
  ]);
  assert.deepEqual(argv("echo $?", -1), ["echo", "-1"]);
  const cmd = parseLine("echo a$?b");
  assert.ok(cmd.type === "exec");
  const w: Word = cmd.argv[1];
  assert.deepEqual(w, ["a", { var: "?", quoted: false }, "b"]);
  const r = parseLine("echo > out$?");
  assert.ok(r.type === "exec");
  assert.equal(expand(r.redirs[0].file, 4), "out4");
});

/** A lookup over fixed variables. */
function vars(o: Record<string, string>): Lookup {
  return (name) => Object.hasOwn(o, name) ? o[name] : undefined;
}

/** The words of a one-command line after expansion and splitting. */
function expanded(line: string, o: Record<string, string>, status = 0): string[] {
  const cmd = parseLine(line);
  assert.ok(cmd.type === "exec");
  return cmd.argv.flatMap((w) => fields(w, status, vars(o)));
}

Deno.test("$NAME and ${NAME} expand outside quotes and in double quotes, not in single", () => {
  const v = { A: "1", B_2: "two", x: "ex" };
  assert.deepEqual(expanded(`echo $A \${B_2} "$A-\${x}y" '$A \${A}' \\$A "\\$A"`, v), [
    "echo",
    "1",
    "two",
    "1-exy",
    "$A ${A}",
    "$A",
    "$A",
  ]);
  // a name is letters, digits and _, not starting with a digit; it ends at anything else
  assert.deepEqual(expanded("echo $A.c $B_2x $x-y ${A}B a$A$A$?", v, 3), [
    "echo",
    "1.c",
    "ex-y",
    "1B",
    "a113",
  ]);
  assert.deepEqual(expanded(`echo "\${?}" \${?}`, v, 5), ["echo", "5", "5"]);
  const cmd = parseLine(`echo "$A"$B`);
  assert.ok(cmd.type === "exec");
  assert.deepEqual(cmd.argv[1], ["", { var: "A", quoted: true }, { var: "B", quoted: false }]);
  // in redirections too, without splitting
  const r = parseLine("cat < $F");
  assert.ok(r.type === "exec");
  assert.equal(expand(r.redirs[0].file, 0, vars({ F: "a b" })), "a b");
});

Deno.test("\${ without } and bad names in \${} are errors", () => {
  assert.equal(error("echo ${A"), "sh: syntax error: missing '}'");
  assert.equal(error(`echo "\${A"`), "sh: syntax error: missing '}'");
  assert.equal(error("echo ${1A}"), "sh: ${1A}: bad substitution");
  assert.equal(error("echo ${}"), "sh: ${}: bad substitution");
  assert.equal(error("echo ${A:-x}"), "sh: ${A:-x}: bad substitution");
  // in single quotes a ${ is text
  assert.deepEqual(argv("echo '${'"), ["echo", "${"]);
});

Deno.test("fields: unquoted values split at blanks; empty ones vanish; quoted stay whole", () => {
  const v = { L: " a  b\tc\n", E: "", S: "   ", W: "w" };
  assert.deepEqual(expanded("echo $L", v), ["echo", "a", "b", "c"]);
  assert.deepEqual(expanded(`echo "$L"`, v), ["echo", " a  b\tc\n"]);
  assert.deepEqual(expanded("echo x$L", v), ["echo", "x", "a", "b", "c"]);
  assert.deepEqual(expanded("echo $W$L$W", v), ["echo", "w", "a", "b", "c", "w"]);
  assert.deepEqual(expanded("echo $E $S $NONE x", v), ["echo", "x"]);
  assert.deepEqual(expanded(`echo "$E" '' "$NONE" $E""`, v), ["echo", "", "", "", ""]);
  assert.deepEqual(expanded("$E echo", v), ["echo"]);
  assert.deepEqual(fields(["a"], 0), ["a"]);
  assert.deepEqual(fields([], 0), []);
});

Deno.test("leading NAME=value words are assignments, kept apart from the words", () => {
  const cmd = parseLine(`A=1 B="x y" C= D=$A'$q' cmd E=2 -x`);
  assert.ok(cmd.type === "exec");
  assert.deepEqual(cmd.assigns.map((a) => [a.name, expand(a.value, 0, vars({ A: "7" }))]), [
    ["A", "1"],
    ["B", "x y"],
    ["C", ""],
    ["D", "7$q"],
  ]);
  assert.deepEqual(words(cmd), ["cmd", "E=2", "-x"]);
  assert.equal(cmd.src, `A=1 B="x y" C= D=$A'$q' cmd E=2 -x`);
  // alone on a line, with redirections around them
  const only = parseLine("> f A=1 < g B=2");
  assert.ok(only.type === "exec");
  assert.deepEqual(only.assigns.map((a) => a.name), ["A", "B"]);
  assert.deepEqual(only.argv, []);
  assert.equal(only.redirs.length, 2);
  assert.equal(isEmpty(only), false);
  assert.equal(isEmpty(parseLine("A=") as Stage), false);
  // not assignments: a quoted or escaped name, a bad name, no name, a later word
  for (const line of [`'A=1' x`, `"A"=1 x`, `\\A=1 x`, "1A=2 x", "=x x", "A-B=1 x", "$A=1 x"]) {
    const c = parseLine(line);
    assert.ok(c.type === "exec");
    assert.deepEqual(c.assigns, [], line);
    assert.equal(c.argv.length, 2, line);
  }
  // assignments are not words: MAXARGS counts the words only
  assert.equal(argv("A=1 B=2 C=3 echo 1 2 3 4 5 6 7 8").length, 9);
  // each stage of a pipeline has its own
  const p = parseLine("A=1 a | B=2 b");
  assert.ok(p.type === "pipe" && p.left.type === "exec" && p.right.type === "exec");
  assert.deepEqual([p.left.assigns[0].name, p.right.assigns[0].name], ["A", "B"]);
});

Deno.test("isAssignment: a word that starts with a literal NAME=", () => {
  const ws = (line: string) => (parseLine(line) as ExecCmd).argv;
  // quoted or not, as in sh: `export 'B=2'` and `export "D"=1` export B and D
  assert.deepEqual(ws(`export A=1 'B=2' C "D"=1 =x 1A=1 A$x=1`).map(isAssignment), [
    false,
    true,
    true,
    false,
    true,
    false,
    false,
    false,
  ]);
});

Deno.test("splitLines: newlines end lines, except in quotes or after a backslash", () => {
  assert.deepEqual(splitLines("a\nb\n"), ["a", "b", ""]);
  assert.deepEqual(splitLines("echo 'x\ny' \"p\nq\"\nz"), ["echo 'x\ny' \"p\nq\"", "z"]);
  assert.deepEqual(splitLines("echo a\\\nb\nc"), ["echo a\\\nb", "c"]);
  assert.deepEqual(splitLines(`echo "a\\\\"\nb`), [`echo "a\\\\"`, "b"]);
  assert.deepEqual(splitLines(`echo "a\\"\nb"`), [`echo "a\\"\nb"`]);
  // a quote in a comment is no quote
  assert.deepEqual(splitLines("echo a # it's\necho b"), ["echo a # it's", "echo b"]);
  assert.deepEqual(splitLines("echo it#'s\nb'"), ["echo it#'s\nb'"]);
  assert.deepEqual(splitLines("echo 'open\n"), ["echo 'open\n"]);
});

Deno.test("splitLines: a line goes on after |, && and ||, and a comment", () => {
  assert.deepEqual(splitLines("echo a |\ncat\necho b"), ["echo a |\ncat", "echo b"]);
  assert.deepEqual(splitLines("a &&\n\nb || # c |\nd\ne"), ["a &&\n\nb || # c |\nd", "e"]);
  // not after a lone &, nor after a quoted or escaped |
  assert.deepEqual(splitLines("a &\nb"), ["a &", "b"]);
  assert.deepEqual(splitLines("echo \\|\nb '|'\nc"), ["echo \\|", "b '|'", "c"]);
  assert.deepEqual(splitLines("a | b\nc"), ["a | b", "c"]);
  // the line parses as one: a comment ends at its newline
  assert.deepEqual(jobs("echo a && # c ;\n echo b | # d\n wc"), ["echo a && echo b | wc"]);
});

Deno.test("unfinished: a text that ends in quotes, after a backslash, | && or ||", () => {
  for (const text of ["echo a |\n", "a||", "a && # c\n", "echo 'a\n", `echo "a`, "echo a\\\n"]) {
    assert.equal(unfinished(text), true, text);
  }
  for (const text of ["echo a\n", "a | b\n", "echo a\\x", "a &\n", "echo '|'\n", ""]) {
    assert.equal(unfinished(text), false, text);
  }
});

Deno.test("# starts a comment at the start of a word, outside quotes", () => {
  assert.deepEqual(argv("echo a # b c"), ["echo", "a"]);
  assert.deepEqual(argv("echo a#b"), ["echo", "a#b"]);
  assert.deepEqual(argv(`echo "#a" '#b'`), ["echo", "#a", "#b"]);
  assert.deepEqual(jobs("echo a;# b ; c"), ["echo a"]);
  assert.deepEqual(jobs("echo a | wc # | more"), ["echo a | wc"]);
  // a comment cannot close a block
  assert.equal(error("(echo a # )"), "syntax - missing )");
});

Deno.test("odd bytes are word characters", () => {
  assert.deepEqual(argv("\x01\x7f\u00e9 x\x00y"), ["\x01\x7f\u00e9", "x\x00y"]);
});
