// Command ferretdb-launcher runs an embedded FerretDB 1.24 (SQLite handler) for the
// lltp-flow local stack. It exists because `go install .../cmd/ferretdb` builds a binary
// that panics at start without its generated version file.
//
// Flags: -listen (TCP address, loopback by default) and -data (SQLite directory).
// Telemetry is disabled by the embedded package itself.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	data := flag.String("data", "data", "directory for the SQLite files (created if missing)")
	flag.Parse()

	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	dir, err := filepath.Abs(*data)
	if err != nil {
		fail(logger, "bad -data", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		fail(logger, "cannot create the data directory", err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		// The handler requires a trailing slash. _txlock=immediate: write transactions take the
		// database's write lock when they begin, so concurrent writers wait (busy_timeout)
		// instead of failing with SQLITE_BUSY when a read transaction cannot be upgraded to a
		// write one (WAL mode). busy_timeout 30 s instead of the handler's 10 s: updates scan
		// their whole collection inside the write transaction, and under a burst of concurrent
		// writes some waited longer than 10 s and failed.
		SQLiteURL: "file:" + dir + "/?_txlock=immediate&_pragma=busy_timeout(30000)",
	})
	if err != nil {
		fail(logger, "cannot start FerretDB", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	fmt.Fprintf(os.Stderr, "ferretdb-launcher: listening on %s, data in %s\n", *listen, dir)
	if err := f.Run(ctx); err != nil {
		fail(logger, "FerretDB stopped", err)
	}
}

func fail(logger *slog.Logger, msg string, err error) {
	logger.Error(msg, "error", err)
	os.Exit(1)
}
