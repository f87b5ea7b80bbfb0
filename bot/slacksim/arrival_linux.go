package slacksim

import (
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// arrivalListener hands out connections that know when the kernel
// received the bytes last read from them (SO_TIMESTAMPNS), so that an
// answer or an ack is timed when it reached this machine's network, not
// when the simulator, on a CPU it shares with whatever else runs here,
// got round to reading it. On loopback the kernel stamps a packet as the
// sender's write hands it over, so the time is the bot's, to the
// microsecond.
type arrivalListener struct{ net.Listener }

func listenForArrivals(ln net.Listener) net.Listener { return arrivalListener{ln} }

func (l arrivalListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return c, nil
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return c, nil
	}
	var sockErr error
	if err := raw.Control(func(fd uintptr) {
		sockErr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	}); err != nil || sockErr != nil {
		return c, nil // timed when read instead
	}
	return &arrivalConn{TCPConn: tc, raw: raw}, nil
}

// arrivalConn is a TCP connection whose reads keep the kernel's receive
// time of the newest bytes they returned.
type arrivalConn struct {
	*net.TCPConn
	raw  syscall.RawConn
	last atomic.Int64 // Unix ns; 0 until a read carried a time
}

// Read reads as the TCP connection would (deadlines and close included,
// through the runtime's poller) and keeps the time the kernel gives with
// the data.
func (c *arrivalConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var (
		n    int
		rerr error
		oob  [64]byte
	)
	err := c.raw.Read(func(fd uintptr) bool {
		var oobn int
		for {
			n, oobn, _, _, rerr = unix.Recvmsg(int(fd), p, oob[:], 0)
			if rerr != unix.EINTR {
				break
			}
		}
		if rerr == unix.EAGAIN {
			return false // not ready: wait in the poller
		}
		if rerr == nil && n > 0 {
			// A read without a time (the kernel turns stamping on a
			// moment after the first socket asks) must not leave an
			// older read's time for these bytes.
			c.last.Store(stamp(oob[:oobn]))
		}
		return true
	})
	switch {
	case err != nil:
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
	case rerr != nil:
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: rerr}
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// stamp is the receive time (Unix ns) in a read's control messages, or 0.
func stamp(oob []byte) int64 {
	if len(oob) == 0 {
		return 0
	}
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return 0
	}
	for _, m := range msgs {
		if m.Header.Level != unix.SOL_SOCKET || m.Header.Type != unix.SCM_TIMESTAMPNS {
			continue
		}
		if len(m.Data) < int(unsafe.Sizeof(unix.Timespec{})) {
			continue
		}
		ts := *(*unix.Timespec)(unsafe.Pointer(&m.Data[0]))
		return ts.Nano()
	}
	return 0
}

// arrived is when the kernel received the newest bytes read, or the zero
// time when no read has said.
func (c *arrivalConn) arrived() time.Time {
	if ns := c.last.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// arrivalOf is when the bytes last read from c arrived, or now when c
// cannot say.
func arrivalOf(c net.Conn) time.Time {
	if ac, ok := c.(*arrivalConn); ok {
		if t := ac.arrived(); !t.IsZero() {
			return t
		}
	}
	return time.Now()
}
