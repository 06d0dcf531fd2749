# glibc's own regcomp and regexec, called through ctypes in the C locale, as the oracle of
# tests/commands/regex_prop_test.ts for the expressions pgrep compiles (REG_EXTENDED |
# REG_NOSUB, and REG_ICASE for -i): reads cases (JSON on stdin: [{pattern, icase}]) and the
# subject lines (JSON: "lines"), and writes for each case regerror()'s message, or the
# numbers (from 1) of the lines regexec matches.

import ctypes
import json
import sys

libc = ctypes.CDLL("libc.so.6")
libc.setlocale(6, b"C")  # LC_ALL: Python set LC_CTYPE from the environment

REG_EXTENDED, REG_ICASE, REG_NOSUB = 1, 2, 8

libc.regcomp.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
libc.regexec.argtypes = [
    ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_int,
]
libc.regerror.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
libc.regfree.argtypes = [ctypes.c_void_p]

request = json.load(sys.stdin)
lines = [line.encode("latin-1") for line in request["lines"]]
answers = []
for case in request["cases"]:
    preg = ctypes.create_string_buffer(256)  # sizeof(regex_t) is 64 on x86-64
    flags = REG_EXTENDED | REG_NOSUB | (REG_ICASE if case["icase"] else 0)
    err = libc.regcomp(preg, case["pattern"].encode("latin-1"), flags)
    if err != 0:
        buf = ctypes.create_string_buffer(256)
        libc.regerror(err, preg, buf, 256)
        answers.append("error: " + buf.value.decode("latin-1"))
        continue
    matched = [str(i + 1) for i, line in enumerate(lines) if libc.regexec(preg, line, 0, None, 0) == 0]
    answers.append(",".join(matched))
    libc.regfree(preg)
json.dump(answers, sys.stdout)
