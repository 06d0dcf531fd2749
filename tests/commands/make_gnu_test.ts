// make (commands/make/) against GNU make 4.3 on what people write beyond the everyday subset of
// make_test.ts: remaking makefiles, grouped pattern targets, multi-line recipes from `define`,
// .SILENT, .DEFAULT_GOAL, -O, -e, -o, -W, -l, .EXPORT_ALL_VARIABLES, `private`, built-in and
// suffix rules, vpath. Each case holds the output GNU make 4.3 prints; where the host's make is
// GNU make 4.3, it is run on the same files too (make_compare.ts).

import assert from "node:assert/strict";
import { type Case, check, dv6, GNU, gnu } from "./make_compare.ts";

const CASES: Case[] = [
  // Remaking makefiles
  {
    name: "an included makefile a rule makes is made, then make reads it again",
    files: {
      Makefile: "all:\n\t@echo all $(X) restarts=$(MAKE_RESTARTS)\ninclude inc.mk\n" +
        "inc.mk:\n\techo X=yes > $@\n",
    },
    cmd: "make; make",
    out: "echo X=yes > inc.mk\nall yes restarts=1\nall yes restarts=\n",
    status: 0,
  },
  {
    name: "an included makefile older than its source is made again, then read again",
    files: {
      Makefile: "include inc.mk\nall:\n\t@echo X=$(X) $(MAKE_RESTARTS)\ninc.mk: inc.src\n" +
        "\tcat inc.src > inc.mk\n",
      "inc.src": "X = 1\n",
    },
    cmd: "make; make; sleep 1; echo X = 2 > inc.src; make; make -n; make -q; echo $?",
    out: "cat inc.src > inc.mk\nX=1 1\nX=1\ncat inc.src > inc.mk\nX=2 1\necho X=2 \n1\n",
    status: 0,
  },
  {
    name: "included makefiles made by a chain of rules and a pattern rule, the last read first",
    files: {
      Makefile: "include a.mk b.d\nall:\n\t@echo all $(A) $(B)\na.mk: b.mk\n\tcat b.mk > a.mk\n" +
        "b.mk:\n\techo A=1 > b.mk\n%.d: %.src\n\techo B=$* > $@\nMakefile: ;\n",
      "b.src": "",
    },
    cmd: "make; make",
    out: "echo B=b > b.d\necho A=1 > b.mk\ncat b.mk > a.mk\nall 1 b\nall 1 b\n",
    status: 0,
  },
  {
    name: "makefiles are remade under -n, -q and -t; `Entering directory` is said once",
    files: { Makefile: "include a.mk\nall:\n\t@echo all $(A)\na.mk:\n\techo A=1 > a.mk\n" },
    cmd: "make -n; rm a.mk; make -q all; echo $?; rm a.mk; make -t; cat a.mk; rm a.mk all; " +
      "make -C .",
    out: "echo A=1 > a.mk\necho all 1\necho A=1 > a.mk\n1\necho A=1 > a.mk\ntouch all\nA=1\n" +
      "make: Entering directory '/w'\necho A=1 > a.mk\nall 1\nmake: Leaving directory '/w'\n",
    status: 0,
  },
  {
    name: "an included makefile missing with no rule: GNU's two lines; -k goes on",
    files: { Makefile: "all:\n\t@echo all\ninclude a.mk b.mk\n" },
    cmd: "make; echo $?; make -k",
    out: "Makefile:3: b.mk: No such file or directory\n" +
      "make: *** No rule to make target 'b.mk'.  Stop.\n2\n" +
      "Makefile:3: b.mk: No such file or directory\nmake: *** No rule to make target 'b.mk'.\n" +
      "Makefile:3: a.mk: No such file or directory\nmake: *** No rule to make target 'a.mk'.\n" +
      "make: Failed to remake makefile 'b.mk'.\nmake: Failed to remake makefile 'a.mk'.\nall\n",
    status: 2,
  },
  {
    name: "an included makefile whose rule fails, or needs a file no rule makes",
    files: {
      Makefile: "all:\n\t@echo all\ninclude bad.mk\nbad.mk: $(NEED)\n\t@exit 1\n",
    },
    cmd: "make; echo $?; make -k; echo $?; make NEED=nothere",
    out: "Makefile:3: bad.mk: No such file or directory\nmake: *** [Makefile:5: bad.mk] Error 1\n" +
      "2\nMakefile:3: bad.mk: No such file or directory\nmake: *** [Makefile:5: bad.mk] Error 1\n" +
      "make: Failed to remake makefile 'bad.mk'.\nall\n2\n" +
      "Makefile:3: bad.mk: No such file or directory\n" +
      "make: *** No rule to make target 'nothere', needed by 'bad.mk'.  Stop.\n",
    status: 2,
  },
  {
    name: "-include: a missing makefile no rule makes, or whose rule fails, is silent",
    files: {
      Makefile: "all:\n\t@echo all\n-include none.mk bad.mk a.d\nbad.mk:\n\texit 1\n" +
        "%.d: %.c\n\techo $< > $@\n",
    },
    cmd: "make; echo $?",
    out: "exit 1\nall\n0\n",
    status: 0,
  },
  {
    name: "a makefile given with -f that does not exist and no rule makes",
    files: { Makefile: "all:\n" },
    cmd: "make -f nope.mk; echo $?; make -f nope.mk -f Makefile",
    out: "make: nope.mk: No such file or directory\n" +
      "make: *** No rule to make target 'nope.mk'.  Stop.\n2\n" +
      "make: nope.mk: No such file or directory\n" +
      "make: *** No rule to make target 'nope.mk'.  Stop.\n",
    status: 2,
  },
  {
    name: "a makefile that failed silently for -include, needed later: why, as GNU words it",
    files: {
      Makefile: "-include a.d\nall: a.d\n\t@echo all\na.d: a.c\n\techo x > $@\n",
      "b.mk": "-include a.d\nall: a.d\n\t@echo all\na.d:\n\texit 1\n",
      "c.mk": "-include a.d\nall: a.d\n\t@echo all\n",
    },
    cmd: "make; make -k; make -f b.mk; make -k -f b.mk; make -f c.mk; make -f c.mk -k; make a.d",
    out: "make: *** No rule to make target 'a.c', needed by 'a.d'.  Stop.\n" +
      "make: *** No rule to make target 'a.c', needed by 'a.d'.\n" +
      "make: Target 'all' not remade because of errors.\n" +
      "exit 1\nmake: *** No rule to make target 'a.d', needed by 'all'.  Stop.\n" +
      "exit 1\nmake: *** No rule to make target 'a.d', needed by 'all'.\n" +
      "make: Target 'all' not remade because of errors.\n" +
      "make: *** No rule to make target 'a.d', needed by 'all'.  Stop.\n" +
      "make: *** No rule to make target 'a.d', needed by 'all'.\n" +
      "make: Target 'all' not remade because of errors.\n" +
      "make: *** No rule to make target 'a.c', needed by 'a.d'.  Stop.\n",
    status: 2,
  },
  // Grouped pattern targets
  {
    name: "a pattern rule with two targets runs its recipe once for both",
    files: {
      Makefile: "all: a.x a.y b.y b.x\n%.x %.y: %.in\n\t@echo make $@ from $< stem $*\n" +
        "\techo > $*.x; echo > $*.y\n",
      "a.in": "",
      "b.in": "",
    },
    cmd: "make; make; sleep 1; echo > b.in; make -j4; make a.y",
    out: "make a.x from a.in stem a\necho > a.x; echo > a.y\nmake b.y from b.in stem b\n" +
      "echo > b.x; echo > b.y\nmake: Nothing to be done for 'all'.\nmake b.y from b.in stem b\n" +
      "echo > b.x; echo > b.y\nmake: 'a.y' is up to date.\n",
    status: 0,
  },
  {
    name: "a grouped pattern rule under -n, and failing under -k",
    files: {
      Makefile: "all: a.x a.y b.y b.x c.x\n%.x %.y: %.in\n\t@echo make $@\n\t@exit $(BAD)\n" +
        "c.x:\n\t@echo c\n",
      "a.in": "",
      "b.in": "",
    },
    cmd: "make -n BAD=0; make -k BAD=1",
    out: "echo make a.x\nexit 0\necho make b.y\nexit 0\necho c\n" +
      "make a.x\nmake: *** [Makefile:4: a.x] Error 1\nmake b.y\n" +
      "make: *** [Makefile:4: b.y] Error 1\nc\nmake: Target 'all' not remade because of errors.\n",
    status: 2,
  },
  // A `define` of several lines as a recipe
  {
    name: "a define through $(call): each line a recipe line, with its own @ - +",
    files: {
      Makefile: "define steps\n@echo one $(1)\n-exit 1\necho three\n\n+@echo four\nexit 3\n" +
        "endef\nall:\n\t@echo first\n\t$(call steps,x)\n\techo after\nq:\n\t@$(call steps,y)\n" +
        "two:\n\t$(two)\ndefine two\necho a \\\n  b\necho c\nendef\ne:\n\t$(E)\n\t@echo e\n",
    },
    cmd: "make; make -n q; make two; make e",
    out: "first\none x\nexit 1\nmake: [Makefile:11: all] Error 1 (ignored)\necho three\nthree\n" +
      "four\nexit 3\nmake: *** [Makefile:11: all] Error 3\n" +
      "echo one y\nexit 1\necho three\necho four\nfour\nexit 3\n" +
      "make: *** [Makefile:14: q] Error 3\necho a b\na b\necho c\nc\ne\n",
    status: 0,
  },
  // .SILENT, .DEFAULT_GOAL, where an unterminated reference is
  {
    name: ".SILENT: without prerequisites silences everything; with them, their recipes",
    files: {
      Makefile: ".SILENT:\nall: b\n\techo all\nb:\n\techo b\n",
      "s.mk": ".SILENT: b\nall: b\n\techo all $(MAKEFLAGS)\nb:\n\techo b\n",
    },
    cmd: "make; make -f s.mk; make -n -f s.mk; make -C . -f s.mk; make x",
    out: "b\nall\nb\necho all \nall\necho b\necho all n\nmake: Entering directory '/w'\nb\n" +
      "echo all w\nall w\nmake: Leaving directory '/w'\n" +
      "make: *** No rule to make target 'x'.  Stop.\n",
    status: 2,
  },
  {
    name: "$(.DEFAULT_GOAL) is the first target once there is one; cleared, the next target",
    files: {
      Makefile: "$(info [$(.DEFAULT_GOAL)])\nfirst: ; @echo first\n$(info [$(.DEFAULT_GOAL)])\n" +
        ".DEFAULT_GOAL :=\n$(info [$(.DEFAULT_GOAL)])\n.x: ; @:\nsecond third: ; @echo $@\n" +
        "$(info [$(.DEFAULT_GOAL)] $(origin .DEFAULT_GOAL))\n",
    },
    cmd: "make",
    out: "[]\n[first]\n[]\n[second] file\nsecond\n",
    status: 0,
  },
  {
    name: "an unterminated reference in a variable is reported where the variable is defined",
    files: {
      Makefile: "X = $(foo\n\nall:\n\t@echo $(X)\nb: $(Y)\nY = a$(foo\nc:\n\t@echo $(Z)\n" +
        "Z = $(W)\nW = $(Z)\nd:\n\t@echo a\n\techo $(foo\ne:\n\t@echo $(T)\ne: T = $(foo\n" +
        "%.f: P = $(foo\n\ng.f:\n\t@echo $(P)\n",
    },
    cmd: "make; make b; make c; make d; make e; make g.f",
    out: "Makefile:1: *** unterminated variable reference.  Stop.\n" +
      "make: Nothing to be done for 'b'.\n" +
      "Makefile:9: *** Recursive variable 'Z' references itself (eventually).  Stop.\n" +
      "Makefile:13: *** unterminated variable reference.  Stop.\n" +
      "Makefile:16: *** unterminated variable reference.  Stop.\n" +
      "Makefile:17: *** unterminated variable reference.  Stop.\n",
    status: 2,
  },
  // Options: -e, -o, -W, -l, -O in MAKEFLAGS; .EXPORT_ALL_VARIABLES, `private`
  {
    name: "-e: the environment's variables override the makefile's, not the command line's",
    files: { Makefile: "X = file\nall:\n\t@echo $(X) $(origin X) $(origin Y)\n\t@echo $$X\n" },
    cmd: "X=env make -e; X=env make; X=env make -e X=cl",
    out: "env environment override undefined\nenv\nfile file undefined\nfile\n" +
      "cl command line undefined\ncl\n",
    status: 0,
  },
  {
    name: "-o FILE is very old and not remade; -W FILE is infinitely new",
    files: {
      Makefile: "all: b c\n\t@echo all\nb: src\n\t@echo b; echo > b\nc:\n\t@echo c; echo > c\n",
      src: "",
    },
    cmd: "make; make; make -W src; make -W src -n; make -o b; rm b; make -o b; make -W c; " +
      "make -W all; make -o c -W c; make -o src -W src; make -o all; make -W nothere; " +
      "make -o nothere all",
    out: "b\nc\nall\nall\nb\nall\necho b; echo > b\necho all\nall\nall\nb\nall\n" +
      "make: 'all' is up to date.\nall\nb\nall\nmake: 'all' is up to date.\nall\nall\n",
    status: 0,
  },
  {
    name: "-e, -l N and -O TYPE in MAKEFLAGS (-o and -W are not); -l takes a number that follows",
    files: { Makefile: 'all:\n\t@echo "[$(MAKEFLAGS)]"\n' },
    cmd: "make -e -l 3; make -l; make -o a -W b -e -k; make -Otarget; make -O; " +
      "make --output-sync=line -j2; make -Onone; make -Orecurse -i; make -Ofoo; echo $?; " +
      "make -l x; make -l 0; make --load-average=2; make -labc; make -l2x; " +
      "make --output-sync target; make --assume-old=a --what-if b --new-file c",
    out: "[e -l3]\n[]\n[ek]\n[ -Otarget]\n[ -Otarget]\n[ -j2 -Oline --jobserver-auth=3,4]\n" +
      "[ -Onone]\n[i -Orecurse]\nmake: *** unknown output-sync type 'foo'.  Stop.\n2\n" +
      "make: *** No rule to make target 'x'.  Stop.\n[ -l0]\n[ -l2]\n[ -l0]\n[ -l2]\n" +
      "make: *** No rule to make target 'target'.  Stop.\n[]\n",
    status: 0,
  },
  {
    name: "MAKEFLAGS with every letter and value, in GNU's order",
    files: { Makefile: 'all:\n\t@echo "[$(MAKEFLAGS)]"\n' },
    cmd: "make -iBes -l2.5 -j2 -Oline --no-print-directory X=1",
    out: "[Beis -j2 -l2.5 -Oline --jobserver-auth=3,4 --no-print-directory -- X=1]\n",
    status: 0,
  },
  {
    name: ".EXPORT_ALL_VARIABLES and a bare `export` export every variable but make's defaults",
    files: {
      Makefile: ".EXPORT_ALL_VARIABLES:\nA = a\nB := b$(A)\nunexport C\nC = c\nall:\n" +
        "\t@echo $$A $$B $$C $$MAKE $$CURDIR $$MAKEFILE_LIST.\n",
      "e.mk": "export\nunexport B\nA = a\nB = b\nall:\n\t@echo $$A $$B\n",
    },
    cmd: "make; make -f e.mk",
    out: "a ba /w Makefile.\na\n",
    status: 0,
  },
  {
    name:
      "private: a target's variable is not inherited by its prerequisites, a global one by none",
    files: {
      Makefile: "P = global\nall: private P = mine\nall: dep\n\t@echo all $(P)\ndep:\n" +
        "\t@echo dep $(P)\nprivate G = g\nx:\n\t@echo x $(G) $(origin G)\n$(info $(G))\n" +
        "%.p: private Q = q\ny.p: z\n\t@echo $@ $(Q)\nz:\n\t@echo $@ $(Q)\n",
    },
    cmd: "make; make x; make y.p",
    out: "g\ndep global\nall mine\ng\nx undefined\ng\nz\ny.p q\n",
    status: 0,
  },
  // -O: output kept together (the sleeps are ticks on dv6, tenths of a second for GNU make)
  {
    name: "-O: a job's output together (target), each line's (line), or as it comes (none)",
    files: {
      Makefile: "all: a b\na:\n\techo a1\n\t@sleep $(S2)\n\techo a2\nb:\n\t@sleep $(S1)\n" +
        "\techo b1\n\t@sleep $(S2)\n\texit 1\n",
    },
    cmd: "make -j2 -k S1=1 S2=3; make -j2 -k -Otarget S1=1 S2=3; make -j2 -k -Oline S1=1 S2=3",
    gnu: {
      cmd: "make -j2 -k S1=0.1 S2=0.3; make -j2 -k -Otarget S1=0.1 S2=0.3; " +
        "make -j2 -k -Oline S1=0.1 S2=0.3",
    },
    out: "echo a1\na1\necho b1\nb1\necho a2\na2\nexit 1\nmake: *** [Makefile:10: b] Error 1\n" +
      "make: Target 'all' not remade because of errors.\n" +
      "echo a1\na1\necho a2\na2\necho b1\nb1\nexit 1\nmake: *** [Makefile:10: b] Error 1\n" +
      "make: Target 'all' not remade because of errors.\n" +
      "echo a1\na1\necho b1\nb1\necho a2\na2\nexit 1\nmake: *** [Makefile:10: b] Error 1\n" +
      "make: Target 'all' not remade because of errors.\n",
    status: 2,
  },
  {
    name: "-O with -w: each block between `Entering directory` and `Leaving directory`",
    files: {
      Makefile: "all: a b\na:\n\t@echo a1; sleep $(S2); echo a2\nb:\n\techo b1\n\texit 1\n" +
        "$(info hello)\n",
    },
    cmd: "make -j2 -Otarget S2=3; make -j2 -Otarget -w S2=3; make -j2 -Oline -C . S2=3",
    gnu: {
      cmd: "make -j2 -Otarget S2=0.3; make -j2 -Otarget -w S2=0.3; make -j2 -Oline -C . S2=0.3",
    },
    out: "hello\necho b1\nb1\nexit 1\nmake: *** [Makefile:6: b] Error 1\n" +
      "make: *** Waiting for unfinished jobs....\na1\na2\n" +
      "make: Entering directory '/w'\nhello\nmake: Leaving directory '/w'\n" +
      "make: Entering directory '/w'\necho b1\nb1\nexit 1\nmake: *** [Makefile:6: b] Error 1\n" +
      "make: Leaving directory '/w'\nmake: *** Waiting for unfinished jobs....\n" +
      "make: Entering directory '/w'\na1\na2\n" +
      "make: Leaving directory '/w'\n" +
      "make: Entering directory '/w'\nhello\nmake: Leaving directory '/w'\n" +
      "make: Entering directory '/w'\necho b1\nb1\nmake: Leaving directory '/w'\n" +
      "make: Entering directory '/w'\nexit 1\nmake: *** [Makefile:6: b] Error 1\n" +
      "make: Leaving directory '/w'\nmake: *** Waiting for unfinished jobs....\n" +
      "make: Entering directory '/w'\na1\na2\n" +
      "make: Leaving directory '/w'\n",
    status: 2,
  },
  {
    name: "-O and a sub-make: target leaves it its own blocks, recurse keeps all its output",
    files: {
      Makefile: "all: a b\na:\n\t@$(MAKE) -f sub.mk A\nb:\n\t@sleep $(S1); echo b1\n",
      "sub.mk": "A:\n\t@echo A1; sleep $(S2); echo A2\n",
    },
    cmd: "make -j2 -Otarget S1=1 S2=3; make -j2 -Orecurse S1=1 S2=3; " +
      "make -j2 -Otarget -w S1=1 S2=3",
    gnu: {
      cmd: "make -j2 -Otarget S1=0.1 S2=0.3; make -j2 -Orecurse S1=0.1 S2=0.3; " +
        "make -j2 -Otarget -w S1=0.1 S2=0.3",
    },
    out: "b1\nmake[1]: Entering directory '/w'\nA1\nA2\nmake[1]: Leaving directory '/w'\n" +
      "b1\nmake[1]: Entering directory '/w'\nA1\nA2\nmake[1]: Leaving directory '/w'\n" +
      "make: Entering directory '/w'\nb1\nmake: Leaving directory '/w'\n" +
      "make[1]: Entering directory '/w'\nA1\nA2\nmake[1]: Leaving directory '/w'\n",
    status: 0,
  },
  // Built-in and suffix rules, vpath
  {
    name: "suffix rules: .SUFFIXES makes `.X.Y:` one; the built-in `.sh` rule; -r",
    files: {
      Makefile: "all: hello a.html b.up\n.SUFFIXES: .txt .html\n.txt.html:\n" +
        '\t@echo "$@ from $< stem $*"; cat $< > $@\n.SUFFIXES: .low .up\n.low.up: dep\n' +
        "\tcat $< > $@\ndep:\n\t@:\n",
      "hello.sh": "echo hi\n",
      "a.txt": "txt\n",
      "b.low": "l\n",
    },
    cmd: "make -n; make -r hello; make a.html b.up; cat a.html b.up",
    out: "Makefile:7: warning: ignoring prerequisites on suffix rule definition\n" +
      "cat hello.sh >hello \nchmod a+x hello\n" +
      'echo "a.html from a.txt stem a"; cat a.txt > a.html\ncat b.low > b.up\n' +
      "Makefile:7: warning: ignoring prerequisites on suffix rule definition\n" +
      "make: *** No rule to make target 'hello'.  Stop.\n" +
      "Makefile:7: warning: ignoring prerequisites on suffix rule definition\n" +
      "a.html from a.txt stem a\ncat b.low > b.up\ntxt\nl\n",
    status: 0,
  },
  {
    name: "`.SUFFIXES:` empties the list: no suffix rules, built-in or not",
    files: {
      Makefile: ".SUFFIXES:\n.txt.html:\n\tcat $< > $@\n",
      "hello.sh": "echo hi\n",
      "a.txt": "txt\n",
    },
    cmd: "make a.html; make -n hello; make",
    out: "make: *** No rule to make target 'a.html'.  Stop.\n" +
      "make: *** No rule to make target 'hello'.  Stop.\nmake: *** No targets.  Stop.\n",
    status: 2,
  },
  {
    name: "a pattern rule without a recipe cancels the built-in one; the later of two wins",
    files: {
      Makefile: "%: %.sh\n%.zz: %.sh\n\t@echo one $@\n%.zz: %.sh\n\t@echo two $@\n" +
        "$(info $(words $(SUFFIXES)) suffixes)\n",
      "hello.sh": "echo hi\n",
    },
    cmd: "make -n hello; make hello.zz; make -r hello.zz",
    out:
      "35 suffixes\nmake: *** No rule to make target 'hello'.  Stop.\n35 suffixes\ntwo hello.zz\n" +
      "0 suffixes\ntwo hello.zz\n",
    status: 0,
  },
  {
    name: "VPATH and vpath: prerequisites found in other directories, named there in $< and $^",
    files: {
      Makefile: "VPATH = src:lib\nvpath %.txt src\nall: a.o c.out\n%.o: %.c b.h\n" +
        '\t@echo "$@ from $< [$^]"; cat $< > $@\nc.out: c.txt\n\t@echo "$@ from $<"; cat $< > $@\n',
      "src/a.c": "hi\n",
      "lib/b.h": "lib\n",
      "src/c.txt": "x\n",
    },
    cmd: "make; make; sleep 1; echo hi > src/a.c; make; make -r -R -s X=1; cat a.o c.out",
    out: "a.o from src/a.c [src/a.c lib/b.h]\nc.out from src/c.txt\n" +
      "make: Nothing to be done for 'all'.\na.o from src/a.c [src/a.c lib/b.h]\nhi\nx\n",
    status: 0,
  },
  {
    name: "a target found by vpath is named there until it is remade, here",
    files: {
      Makefile: "vpath %.txt src\nvpath %.h lib\nvpath %.h\nall: out.txt\n" +
        '\t@echo "[$^]"\nout.txt: in\n\t@echo making $@; echo new > $@\n',
      "src/out.txt": "old\n",
      in: "",
    },
    cmd: "make; sleep 1; echo x > in; make; make; cat out.txt src/out.txt",
    out: "[src/out.txt]\nmaking out.txt\n[out.txt]\n[out.txt]\nnew\nold\n",
    status: 0,
  },
];

for (const c of CASES) {
  Deno.test(`make (GNU): ${c.name}`, () => check(c));
}

Deno.test("make (GNU): a built-in recipe that fails is `<builtin>` in the message", () => {
  // dv6 has no chmod, the `.sh` rule's second line; GNU make, given no PATH, fails at its
  // first (`cat`): the shells' messages differ, make's last line is the same.
  const last = (s: string) => s.trimEnd().split("\n").at(-1);
  const line = "make: *** [<builtin>: hello] Error 127";
  const files = { Makefile: "all: hello\n", "hello.sh": "echo hi\n" };
  const d = dv6(files, "make -s");
  assert.equal(last(d.out), line);
  if (GNU) assert.equal(last(gnu(files, "PATH=/nowhere /usr/bin/make -s").out), line);
});
