// Package flame serves a merged harness profile in pprof's web UI, embedded
// in the harness binary, flame graph first.
//
// It is the library behind `harness pprof DIR [PROFILE]`: [Resolve] turns
// the command's arguments into a profile file, [Start] serves it on a
// loopback port and returns the entry links to print, and [Server.Wait]
// returns once the caller's context is cancelled and the server is down.
//
// pprof's driver keeps its view settings in package-level state, so the
// view split by worker (pprof's -tagroot=worker, which its web UI cannot
// take as a URL parameter) is a second driver instance over a copy of the
// profile with the worker pseudo-frames already added, served under its own
// prefix. Both instances get identical flags, so their shared state agrees.
package flame
