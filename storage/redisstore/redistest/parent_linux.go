package redistest

import (
	"os/exec"
	"syscall"
)

// endWithParent has the kernel kill the server when the process that
// started it ends, even killed outright or by a test's timeout, when no
// cleanup runs: a server left behind keeps its port and its memory.
// The kernel watches the thread that started the server, not the process;
// Go ends a thread early only when a goroutine locked to it exits.
func endWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
