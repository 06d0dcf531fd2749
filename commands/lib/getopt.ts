// getopt and getopt_long, as glibc has them (posix/getopt.c): the one option parser of every
// program that takes options. glibc's contract, and where this one departs from it:
//
// - `new Getopt(argv, optstring, longopts)` scans a copy of argv (`g.argv`) from `g.optind` = 1.
//   Each `g.getopt()` returns the next option: its letter, or a long option's `val`; -1 when
//   the options end. An option's argument is in `g.optarg` (null when it has none), a long
//   option's index in `longopts` in `g.longindex`.
// - Ordering, chosen by optstring's first character:
//     (none)  glibc's default, PERMUTE: options and operands may mix (`pgrep x -l`); getopt
//             permutes `g.argv` as it goes, as glibc permutes argv, so that once it returns -1
//             the operands are `g.argv.slice(g.optind)`, in the order they were given;
//     '+'     REQUIRE_ORDER, what POSIXLY_CORRECT asks of glibc: the options end at the first
//             operand (`env A=1 cmd -x`, `kill PID -5`);
//     '-'     RETURN_IN_ORDER: each operand comes back in order as the option "\x01", with the
//             operand in optarg.
//   The environment's POSIXLY_CORRECT is not read: getopt makes no system call and reads
//   nothing but its arguments, so a program that wants POSIX order says '+'.
// - "--" ends the options and is skipped; "-" alone is an operand. An operand that starts
//   with '-' (a negative number) is an option unless "--" comes before it.
// - Short options cluster (`-fx`). A letter followed by ':' takes an argument, the rest of the
//   element or the next element (`-P1`, `-P 1`); followed by "::" an optional one, attached
//   only (`-o1`).
// - Long options: `--name`, `--name=value`, and `--name value` for a required argument; an
//   optional argument is attached only (`--name=value`). A prefix of one name, or of several
//   that have the same has_arg and val, stands for it (`--ign` for --ignore-case alone);
//   otherwise it is ambiguous.
// - Errors: getopt returns "?" (optopt holds the unknown letter, "" for an unknown long
//   option, or the option whose argument is wrong), or ":" for a missing argument when
//   optstring starts with ':' (after any '+' or '-'). glibc then prints its message to stderr,
//   word for word as here; this getopt leaves it in `g.error` ("prog: invalid option -- 'z'\n")
//   for the program to write, and none when optstring starts with ':' or `g.opterr` is false.
// - Not here: glibc's `-W foo` ("W;" in optstring), long options' flag pointers (a long option
//   returns its val), getopt_long_only.
//
// A program may move `g.optind` forward between calls to take more arguments, as C programs
// do (libipc's --hold takes the next argument when it is a number).

/** A long option takes no argument, needs one, or may have one (attached: `--name=value`). */
export const no_argument = 0;
export const required_argument = 1;
export const optional_argument = 2;

/** A long option, as glibc's struct option: getopt returns `val` when it finds it. */
export interface LongOption {
  name: string;
  has_arg: typeof no_argument | typeof required_argument | typeof optional_argument;
  val: string;
}

type Ordering = "permute" | "require" | "return";

export class Getopt {
  /** The arguments, permuted as getopt goes (argv[0], the program's name, stays first). */
  readonly argv: string[];
  /** The index in argv of the next element to scan; once getopt returns -1, of the first
   * operand. */
  optind = 1;
  /** The argument of the option just returned, or null. */
  optarg: string | null = null;
  /** The option character that caused the last error ("" for an unknown long option). */
  optopt = "";
  /** Whether getopt makes error messages (glibc's opterr). */
  opterr = true;
  /** The index in longopts of the long option just returned, or -1. */
  longindex = -1;
  /** The message of the last error, as glibc prints it to stderr, or null. */
  error: string | null = null;

  readonly #optstring: string;
  readonly #longopts: readonly LongOption[] | null;
  readonly #ordering: Ordering;
  /** What is left of the element being scanned for short options, or null. */
  #nextchar: string | null = null;
  /** The operands skipped and not yet permuted: argv[firstNonopt, lastNonopt). */
  #firstNonopt = 1;
  #lastNonopt = 1;

  /**
   * `optstring` lists the option letters (see above for ':', '+', '-'); `longopts`, the long
   * options: without it getopt is POSIX's getopt (`--name` is then the option '-'), with it
   * (even empty) glibc's getopt_long.
   */
  constructor(argv: readonly string[], optstring: string, longopts?: readonly LongOption[]) {
    this.argv = [...argv];
    this.#ordering = optstring[0] === "+" ? "require" : optstring[0] === "-" ? "return" : "permute";
    this.#optstring = this.#ordering === "permute" ? optstring : optstring.slice(1);
    this.#longopts = longopts ?? null;
  }

  /** The next option: its letter or long option's val, "?" or ":" for an error, "\x01" for an
   * operand in RETURN_IN_ORDER; -1 at the end of the options. */
  getopt(): string | -1 {
    const argv = this.argv, argc = argv.length;
    this.optarg = null;
    this.error = null;
    this.longindex = -1;
    if (argc < 1) return -1;
    const printErrors = this.opterr && this.#optstring[0] !== ":";

    if (this.#nextchar === null || this.#nextchar === "") {
      // Advance to the next element. If the program moved optind back, start from there.
      if (this.#lastNonopt > this.optind) this.#lastNonopt = this.optind;
      if (this.#firstNonopt > this.optind) this.#firstNonopt = this.optind;

      if (this.#ordering === "permute") {
        // Options found after operands go before them.
        if (this.#firstNonopt !== this.#lastNonopt && this.#lastNonopt !== this.optind) {
          this.#exchange();
        } else if (this.#lastNonopt !== this.optind) this.#firstNonopt = this.optind;
        // Skip the operands that follow, adding them to those skipped before.
        while (this.optind < argc && nonoption(argv[this.optind])) this.optind++;
        this.#lastNonopt = this.optind;
      }

      // "--" ends the options: skip it, move it before the operands skipped, and take the rest
      // as operands.
      if (this.optind !== argc && argv[this.optind] === "--") {
        this.optind++;
        if (this.#firstNonopt !== this.#lastNonopt && this.#lastNonopt !== this.optind) {
          this.#exchange();
        } else if (this.#firstNonopt === this.#lastNonopt) this.#firstNonopt = this.optind;
        this.#lastNonopt = argc;
        this.optind = argc;
      }

      if (this.optind === argc) {
        // The end: optind goes back to the operands that were skipped and permuted.
        if (this.#firstNonopt !== this.#lastNonopt) this.optind = this.#firstNonopt;
        return -1;
      }

      if (nonoption(argv[this.optind])) {
        if (this.#ordering === "require") return -1;
        this.optarg = argv[this.optind++];
        return "\x01";
      }

      if (this.#longopts !== null && argv[this.optind][1] === "-") {
        this.#nextchar = argv[this.optind].slice(2);
        return this.#longOption(printErrors);
      }
      this.#nextchar = argv[this.optind].slice(1);
    }

    // The next short option of the element.
    let c = this.#nextchar[0];
    this.#nextchar = this.#nextchar.slice(1);
    const at = this.#optstring.indexOf(c);
    // Increment optind when starting on the element's last character.
    if (this.#nextchar === "") this.optind++;

    if (at < 0 || c === ":" || c === ";") {
      if (printErrors) this.error = `${argv[0]}: invalid option -- '${c}'\n`;
      this.optopt = c;
      return "?";
    }
    if (this.#optstring[at + 1] === ":") {
      if (this.#optstring[at + 2] === ":") {
        // An optional argument: only the rest of this element.
        if (this.#nextchar !== "") {
          this.optarg = this.#nextchar;
          this.optind++;
        }
      } else if (this.#nextchar !== "") {
        // A required argument: the rest of this element,
        this.optarg = this.#nextchar;
        this.optind++;
      } else if (this.optind === argc) {
        if (printErrors) this.error = `${argv[0]}: option requires an argument -- '${c}'\n`;
        this.optopt = c;
        c = this.#optstring[0] === ":" ? ":" : "?";
      } else {
        // or the next element.
        this.optarg = argv[this.optind++];
      }
      this.#nextchar = null;
    }
    return c;
  }

  /** glibc's process_long_option, for the element `--` + nextchar. */
  #longOption(printErrors: boolean): string {
    const argv = this.argv, longopts = this.#longopts!;
    const text = this.#nextchar!;
    const eq = text.indexOf("=");
    const name = eq < 0 ? text : text.slice(0, eq);
    const prog = argv[0];

    // An exact match, else the one option the prefix stands for.
    let found = longopts.findIndex((o) => o.name === name);
    if (found < 0) {
      const ambiguous = new Set<number>();
      longopts.forEach((o, k) => {
        if (!o.name.startsWith(name)) return;
        if (found < 0) found = k;
        else if (o.has_arg !== longopts[found].has_arg || o.val !== longopts[found].val) {
          ambiguous.add(found).add(k);
        }
      });
      if (ambiguous.size > 0) {
        if (printErrors) {
          const all = longopts.map((o, k) => ambiguous.has(k) ? ` '--${o.name}'` : "").join("");
          this.error = `${prog}: option '--${text}' is ambiguous; possibilities:${all}\n`;
        }
        this.#nextchar = null;
        this.optind++;
        this.optopt = "";
        return "?";
      }
    }
    if (found < 0) {
      if (printErrors) this.error = `${prog}: unrecognized option '--${text}'\n`;
      this.#nextchar = null;
      this.optind++;
      this.optopt = "";
      return "?";
    }

    const o = longopts[found];
    this.optind++;
    this.#nextchar = null;
    if (eq >= 0) {
      if (o.has_arg === no_argument) {
        if (printErrors) this.error = `${prog}: option '--${o.name}' doesn't allow an argument\n`;
        this.optopt = o.val;
        return "?";
      }
      this.optarg = text.slice(eq + 1);
    } else if (o.has_arg === required_argument) {
      if (this.optind < argv.length) this.optarg = argv[this.optind++];
      else {
        if (printErrors) this.error = `${prog}: option '--${o.name}' requires an argument\n`;
        this.optopt = o.val;
        return this.#optstring[0] === ":" ? ":" : "?";
      }
    }
    this.longindex = found;
    return o.val;
  }

  /** glibc's exchange: the operands argv[firstNonopt, lastNonopt) and the options after them,
   * argv[lastNonopt, optind), change places. */
  #exchange(): void {
    const bottom = this.#firstNonopt, middle = this.#lastNonopt, top = this.optind;
    const moved = [...this.argv.slice(middle, top), ...this.argv.slice(bottom, middle)];
    this.argv.splice(bottom, top - bottom, ...moved);
    this.#firstNonopt += top - middle;
    this.#lastNonopt = top;
  }
}

/** An element that is not an option: it does not start with '-', or it is "-". */
function nonoption(arg: string): boolean {
  return arg[0] !== "-" || arg.length === 1;
}
