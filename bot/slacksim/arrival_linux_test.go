package slacksim

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// acceptedPair is a connection accepted by an arrival listener and the
// client end that dialled it.
func acceptedPair(t *testing.T) (server *arrivalConn, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	c, err := listenForArrivals(ln).Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ac, ok := c.(*arrivalConn)
	if !ok {
		t.Fatalf("accepted a %T, want an *arrivalConn (SO_TIMESTAMPNS refused?)", c)
	}
	return ac, client
}

// keptStamped is a stamped connection held open until the test binary
// exits. The kernel stamps for the whole machine while any socket asks,
// and turns stamping on and off a moment after the count changes: with
// each test closing its own sockets, a test run again (-count) found its
// reads unstamped now and then, timed when they happened.
var keptStamped = sync.OnceValues(func() ([2]net.Conn, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return [2]net.Conn{}, err
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return [2]net.Conn{}, err
	}
	server, err := listenForArrivals(ln).Accept()
	if err != nil {
		client.Close()
		return [2]net.Conn{}, err
	}
	// Both ends are returned, and so kept: a connection the collector
	// finds unreachable is closed.
	return [2]net.Conn{server, client}, nil
})

// stamping waits until the kernel stamps what arrives: it turns
// stamping on for the whole machine a moment after the first socket asks
// (until then a read is timed when it happens).
func stamping(t *testing.T, server *arrivalConn, client net.Conn) {
	t.Helper()
	if _, err := keptStamped(); err != nil {
		t.Fatalf("hold a stamped connection open: %v", err)
	}
	buf := make([]byte, 8)
	for range 2000 {
		if _, err := client.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		if _, err := server.Read(buf); err != nil {
			t.Fatal(err)
		}
		if !server.arrived().IsZero() {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("the kernel never stamped a read (SO_TIMESTAMPNS)")
}

// Bytes are timed when the sender's write handed them over, not when
// the simulator read them. The kernel stamps them a few microseconds
// either side of the write's return (on loopback it stamps them as it
// delivers them, and its clock and Go's may differ by a microsecond), so
// each read comes readLater after its write, and the time must lie
// nearer the write than the read.
func TestArrivalIsWhenSentNotWhenRead(t *testing.T) {
	const readLater = 10 * time.Millisecond
	server, client := acceptedPair(t)
	stamping(t, server, client)
	buf := make([]byte, 64)
	sendThenRead := func(msg string) (sent, read, at time.Time) {
		t.Helper()
		sent = time.Now()
		if _, err := client.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(readLater) // the gap under test, not a wait for anything
		n, err := server.Read(buf)
		read = time.Now()
		if err != nil || string(buf[:n]) != msg {
			t.Fatalf("read %q, %v; want %q", buf[:n], err, msg)
		}
		return sent, read, arrivalOf(server)
	}
	sent, read, at := sendThenRead("answer")
	if at.Before(sent.Add(-readLater/2)) || at.After(sent.Add(readLater/2)) {
		t.Errorf("arrived at %s; want near the write (%s), not at the read (%s)",
			at.Format(time.StampMicro), sent.Format(time.StampMicro), read.Format(time.StampMicro))
	}

	// A later write moves the time on.
	again, readAgain, next := sendThenRead("again")
	if !next.After(at) || next.After(again.Add(readLater/2)) {
		t.Errorf("second write arrived at %s; want after the first (%s) and near its write (%s), not at its read (%s)",
			next.Format(time.StampMicro), at.Format(time.StampMicro), again.Format(time.StampMicro), readAgain.Format(time.StampMicro))
	}
}

// The connection still behaves as TCP for the HTTP server: a deadline
// times a read out, the peer closing ends it with io.EOF.
func TestArrivalConnReadsLikeTCP(t *testing.T) {
	server, client := acceptedPair(t)
	if err := server.SetReadDeadline(time.Now().Add(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	var ne net.Error
	if _, err := server.Read(make([]byte, 8)); !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline: %v; want a timeout", err)
	}
	if err := server.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	client.Close()
	if _, err := server.Read(make([]byte, 8)); err != io.EOF {
		t.Fatalf("read after the peer closed: %v; want io.EOF", err)
	}
	before := time.Now()
	if at := arrivalOf(client); at.Before(before) {
		t.Errorf("a plain connection timed at %s, before the call (%s); want now", at, before)
	}
}

// Control messages without a receive time give none (here: four file
// descriptors, as many bytes as a time), so a read without
// one is timed when it happens rather than by an older read's time.
func TestStampOnlyFromAReceiveTime(t *testing.T) {
	if got := stamp(nil); got != 0 {
		t.Errorf("no control messages: %d, want 0", got)
	}
	if got := stamp(unix.UnixRights(0, 1, 2, 3)); got != 0 {
		t.Errorf("a message of another type: %d, want 0", got)
	}
	if got := stamp([]byte{1, 2, 3}); got != 0 {
		t.Errorf("a cut-off message: %d, want 0", got)
	}
}
