"""The seed's threading program.

N threads (os.cpu_count() unless a count is given) each compute math.sqrt
over range(0, 4000000). CPython's global interpreter lock lets one thread
run Python code at a time, so they take turns on one core.
"""
import math
import os
import sys
import threading


def work():
    for i in range(0, 4000000):
        math.sqrt(i)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else os.cpu_count()
    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
