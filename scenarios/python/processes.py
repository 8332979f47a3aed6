"""The seed's multiprocessing program.

N processes (os.cpu_count() unless a count is given) each compute math.sqrt
over range(0, 4000000). Each process has its own interpreter and its own
GIL, so they run in parallel on as many cores as there are.
"""
import math
import multiprocessing
import os
import sys


def work():
    for i in range(0, 4000000):
        math.sqrt(i)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else os.cpu_count()
    procs = [multiprocessing.Process(target=work) for _ in range(n)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()


if __name__ == "__main__":
    main()
