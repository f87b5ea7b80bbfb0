package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"pipelinecoach/cmd/pipelinecoach/demo"
)

const usage = `usage:
  pipelinecoach                      run the bot (configuration from the environment)
  pipelinecoach demo [-html FILE]    play a scripted fortnight against a simulated Slack
  pipelinecoach healthcheck          exit 0 when the running bot's /healthz answers 200
  pipelinecoach crm setup            create the CRM fields Pipeline Coach needs (or say what to create) and check the stages
`

// subcommand runs the commands that need no configuration: demo and
// healthcheck. ok is false when there is none, and the bot should run.
func subcommand(ctx context.Context, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	if len(args) == 0 {
		return 0, false
	}
	switch args[0] {
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr), true
	case "healthcheck":
		return healthcheck(ctx, os.Getenv("HTTP_ADDR"), stderr), true
	case "crm":
		return runCRMCommand(ctx, args[1:], stdout, stderr), true
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0, true
	}
	fmt.Fprintf(stderr, "pipelinecoach: unknown command %q\n%s", args[0], usage)
	return 2, true
}

// runDemo plays the demo: 0 when every step did what the script expected,
// 1 when one did not, 2 on bad usage.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	html := fs.String("html", "", "also write the conversation as one HTML `FILE` that looks like Slack")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "pipelinecoach demo: unexpected %q\n%s", fs.Arg(0), usage)
		return 2
	}
	if err := demo.Run(ctx, stdout, *html); err != nil {
		fmt.Fprintln(stderr, "pipelinecoach:", err)
		return 1
	}
	if *html != "" {
		fmt.Fprintf(stderr, "pipelinecoach: wrote %s\n", *html)
	}
	return 0
}

// healthTimeout bounds the health check; a container's HEALTHCHECK has its
// own timeout on top.
const healthTimeout = 3 * time.Second

// healthcheck GETs /healthz of the bot running on this machine (addr is
// HTTP_ADDR; a wildcard host is asked on loopback) and returns 0 on a 200,
// 1 otherwise. It is the container's health check: the image has no curl.
func healthcheck(ctx context.Context, addr string, stderr io.Writer) int {
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		fmt.Fprintf(stderr, "pipelinecoach healthcheck: HTTP_ADDR %q is not host:port: %v\n", addr, err)
		return 1
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	url := "http://" + net.JoinHostPort(host, port) + "/healthz"
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(stderr, "pipelinecoach healthcheck: %v\n", err)
		return 1
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "pipelinecoach healthcheck: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "pipelinecoach healthcheck: %s answered %s\n", url, resp.Status)
		return 1
	}
	return 0
}
