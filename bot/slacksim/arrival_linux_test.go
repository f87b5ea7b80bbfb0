package slacksim

import (
	"errors"
	"io"
	"net"
	"os"
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

// stamping waits until the kernel stamps what arrives: it turns
// stamping on for the whole machine a moment after the first socket asks
// (until then a read is timed when it happens).
func stamping(t *testing.T, server *arrivalConn, client net.Conn) {
	t.Helper()
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
// the simulator read them: the read here comes after the writer has
// taken the time its write returned.
func TestArrivalIsWhenSentNotWhenRead(t *testing.T) {
	server, client := acceptedPair(t)
	stamping(t, server, client)
	before := time.Now()
	if _, err := client.Write([]byte("answer")); err != nil {
		t.Fatal(err)
	}
	written := time.Now()
	buf := make([]byte, 64)
	n, err := server.Read(buf)
	read := time.Now()
	if err != nil || string(buf[:n]) != "answer" {
		t.Fatalf("read %q, %v", buf[:n], err)
	}
	at := arrivalOf(server)
	if at.Before(before.Truncate(time.Microsecond)) || at.After(written) {
		t.Errorf("arrived at %s; want between the write (%s) and its return (%s), not at the read (%s)",
			at.Format(time.StampMicro), before.Format(time.StampMicro), written.Format(time.StampMicro), read.Format(time.StampMicro))
	}

	// A later write moves the time on.
	if _, err := client.Write([]byte("again")); err != nil {
		t.Fatal(err)
	}
	again := time.Now()
	if _, err := server.Read(buf); err != nil {
		t.Fatal(err)
	}
	if next := arrivalOf(server); !next.After(at) || next.After(again) {
		t.Errorf("second write arrived at %s; want after the first (%s) and by %s", next, at, again)
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
