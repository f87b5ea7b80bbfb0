package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
)

// redisLog carries go-redis's own messages (pool and connection trouble it
// handles by itself) into the bot's log as structured lines, instead of the
// plain text go-redis writes to stderr by default, which would break the
// one stream of JSON lines an operator parses.
type redisLog struct{ log zerolog.Logger }

// Printf writes one go-redis message as a warning: go-redis only speaks up
// when something went wrong that it is working around.
func (l redisLog) Printf(_ context.Context, format string, v ...any) {
	text := strings.TrimSpace(strings.TrimPrefix(fmt.Sprintf(format, v...), "redis: "))
	l.log.Warn().Str("detail", text).Msg("redis client")
}

// routeRedisLog makes every go-redis client in the process log through log.
// go-redis has one logger per process, so this is done once, at start.
func routeRedisLog(log zerolog.Logger) {
	redis.SetLogger(redisLog{log: log.With().Str("component", "redis").Logger()})
}

// consoleWriter is LOG_FORMAT=console: one line per event for a person at
// a terminal, "15:04:05 WRN message key=value …", colored only when w is a
// terminal, so a console log piped into a file or `docker logs` holds no
// escape codes.
func consoleWriter(w io.Writer) zerolog.ConsoleWriter {
	return zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly, NoColor: !isTerminal(w)}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
