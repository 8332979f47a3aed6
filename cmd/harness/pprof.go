package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"harness/harness/flame"
)

func pprofCmd() *cobra.Command {
	var opt flame.Options
	cmd := &cobra.Command{
		Use:   "pprof DIR [PROFILE]",
		Short: "Open a merged profile in the pprof web UI, flame graph first",
		Long: `Serve a run directory's merged profile (default cpu; or wall, heap, mutex,
block, goroutine, or a path) in the pprof web UI built into harness. DIR is a
scenario directory, or a batch directory holding one scenario. It listens on
127.0.0.1 only unless --listen-any is given, prints the URLs and serves until
Ctrl-C. The graph view needs Graphviz (dot); the flame graph does not.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			prof := ""
			if len(args) == 2 {
				prof = args[1]
			}
			path, err := flame.Resolve(args[0], prof)
			if err != nil {
				return usageErr("%v", err)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			opt.Log = cmd.ErrOrStderr()
			srv, err := flame.Start(ctx, path, opt)
			switch {
			case errors.Is(err, flame.ErrNotLoopback):
				return usageErr("%v (pass --listen-any to serve beyond this machine)", err)
			case errors.Is(err, flame.ErrInput):
				return usageErr("%v", err)
			case err != nil:
				return &exitError{code: exitFailed, err: err}
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "serving %s at %s (Ctrl-C to stop)\n", path, srv.URL)
			for _, l := range srv.Links {
				fmt.Fprintf(out, "  %-24s %s\n", l.Name, l.URL)
			}
			for _, n := range srv.Notes {
				fmt.Fprintf(out, "note: %s\n", n)
			}
			if err := srv.Wait(); err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&opt.Addr, "http", "127.0.0.1:0", "listen on `ADDR` (host:port; port 0 picks a free one)")
	cmd.Flags().BoolVar(&opt.ListenAny, "listen-any", false, "allow a non-loopback --http address")
	cmd.Flags().BoolVar(&opt.OpenBrowser, "open", false, "open the flame graph in a browser")
	return cmd
}
