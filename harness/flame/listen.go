package flame

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
)

// ErrInput is wrapped by the errors of Start that its arguments cause — a
// listen address that is malformed or not allowed (ErrNotLoopback), a
// file that is not a profile — rather than a failure to serve.
var ErrInput = errors.New("bad input")

// ErrNotLoopback is wrapped by the error of Start for a listen address that
// is not on the loopback interface when Options.ListenAny is false: a
// profile shows the code, and the web UI can write pprof's settings file.
var ErrNotLoopback = errors.New("not a loopback address")

// inputError marks err as caused by Start's arguments (ErrInput).
type inputError struct{ err error }

func (e inputError) Error() string   { return e.err.Error() }
func (e inputError) Unwrap() []error { return []error{e.err, ErrInput} }

const defaultAddr = "127.0.0.1:0"

// listenAddr checks addr against the loopback policy. An empty host means
// 127.0.0.1, as it does for pprof's -http=:port, not every interface as it
// would for net.Listen.
func listenAddr(addr string, any bool) (string, error) {
	if addr == "" {
		return defaultAddr, nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", inputError{fmt.Errorf("listen address %q: %w", addr, err)}
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", inputError{fmt.Errorf("listen address %q: the port must be a number from 0 to 65535", addr)}
	}
	if host == "" {
		host = "127.0.0.1"
	}
	if !any && !isLoopback(host) {
		return "", inputError{fmt.Errorf("listen address %s: %w", addr, ErrNotLoopback)}
	}
	return net.JoinHostPort(host, port), nil
}

// isLoopback reports whether host names the loopback interface. Other
// names are not resolved: a name that resolves to loopback today may not
// tomorrow.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loopbackHostOnly refuses requests whose Host header is not a loopback
// name. A server on 127.0.0.1 is still reachable from a web page through
// DNS rebinding, which sends the attacker's host name in Host.
func loopbackHostOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		if !isLoopback(host) && !isLoopback(trimBrackets(host)) {
			http.Error(w, "forbidden host "+r.Host, http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func trimBrackets(host string) string {
	if len(host) >= 2 && host[0] == '[' && host[len(host)-1] == ']' {
		return host[1 : len(host)-1]
	}
	return host
}
