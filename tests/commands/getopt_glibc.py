# glibc's own getopt and getopt_long, called through ctypes, as the oracle of
# tests/commands/getopt_test.ts: reads cases (JSON on stdin: [{optstring, longopts, argv}]), and
# writes what glibc does with each (JSON on stdout: every call's result, optarg, optind,
# optopt after an error, longindex; the argv as glibc permuted it; what it printed to stderr).

import ctypes
import json
import os
import sys
import tempfile

libc = ctypes.CDLL("libc.so.6")


class Option(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("has_arg", ctypes.c_int),
        ("flag", ctypes.POINTER(ctypes.c_int)),
        ("val", ctypes.c_int),
    ]


optind = ctypes.c_int.in_dll(libc, "optind")
opterr = ctypes.c_int.in_dll(libc, "opterr")
optopt = ctypes.c_int.in_dll(libc, "optopt")
optarg = ctypes.c_char_p.in_dll(libc, "optarg")
argv_t = ctypes.POINTER(ctypes.c_char_p)
libc.getopt.argtypes = [ctypes.c_int, argv_t, ctypes.c_char_p]
libc.getopt_long.argtypes = [
    ctypes.c_int,
    argv_t,
    ctypes.c_char_p,
    ctypes.POINTER(Option),
    ctypes.POINTER(ctypes.c_int),
]
os.environ.pop("POSIXLY_CORRECT", None)


def run(case):
    argv = case["argv"]
    arr = (ctypes.c_char_p * (len(argv) + 1))(*[a.encode() for a in argv], None)
    longopts = None
    if case["longopts"] is not None:
        entries = [Option(o["name"].encode(), o["has_arg"], None, ord(o["val"])) for o in case["longopts"]]
        longopts = (Option * (len(entries) + 1))(*entries, Option(None, 0, None, 0))
    optstring = case["optstring"].encode()
    optind.value = 0  # glibc starts afresh
    opterr.value = 1
    calls = []
    err = tempfile.TemporaryFile()
    saved = os.dup(2)
    os.dup2(err.fileno(), 2)
    try:
        while True:
            index = ctypes.c_int(-1)
            if longopts is None:
                r = libc.getopt(len(argv), arr, optstring)
            else:
                r = libc.getopt_long(len(argv), arr, optstring, longopts, ctypes.byref(index))
            c = -1 if r == -1 else chr(r)
            failed = c in ("?", ":")
            opt = chr(optopt.value) if failed and optopt.value != 0 else ""
            arg = None if optarg.value is None else optarg.value.decode()
            calls.append([c, arg, optind.value, opt, index.value])
            if r == -1:
                break
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    err.seek(0)
    return {
        "calls": calls,
        "argv": [arr[i].decode() for i in range(len(argv))],
        "stderr": err.read().decode(),
    }


json.dump([run(case) for case in json.load(sys.stdin)], sys.stdout)
