//go:build unix

package boltstore_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"pipelinecoach/storage/boltstore"
)

// Without write access to DATA_DIR, or to the data file, Open says so.
// Root ignores permissions: as root, the check runs in a helper process
// as nobody (see asNobody).
func TestUnwritable(t *testing.T) {
	base := t.TempDir()
	readOnly := filepath.Join(base, "readonly")
	s, err := boltstore.Open(readOnly, boltstore.Options{})
	must(t, "Open", err)
	must(t, "Close", s.Close())
	must(t, "chmod", os.Chmod(s.Path(), 0o400))
	unwritable := filepath.Join(base, "unwritable")
	must(t, "mkdir", os.Mkdir(unwritable, 0o500))
	t.Cleanup(func() { _ = os.Chmod(unwritable, 0o700) })

	var out string
	if os.Geteuid() == 0 {
		must(t, "chmod", os.Chmod(filepath.Dir(base), 0o755)) // the test's temporary root
		must(t, "chmod", os.Chmod(base, 0o755))
		must(t, "chmod", os.Chmod(readOnly, 0o755))
		must(t, "chmod", os.Chmod(unwritable, 0o555))
		var code int
		out, code = asNobody(t, "unwritable", base)
		if code != 0 {
			t.Fatalf("the helper exited %d: %s", code, out)
		}
	} else {
		out = openAll(base)
	}
	for _, want := range []string{
		"DATA_DIR " + unwritable + " is not writable",
		"DATA_DIR " + filepath.Join(unwritable, "data") + " is not writable",
		"open " + filepath.Join(readOnly, boltstore.FileName) + ": the data file is not writable",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Open did not say %q; it said:\n%s", want, out)
		}
	}
	if strings.Contains(out, "opened") {
		t.Errorf("Open succeeded:\n%s", out)
	}
}

func init() {
	helpers["unwritable"] = func(base string) int {
		fmt.Print(openAll(base))
		return 0
	}
}

// openAll opens the stores of TestUnwritable and says how each went.
func openAll(base string) string {
	var b strings.Builder
	for _, dir := range []string{filepath.Join(base, "unwritable"), filepath.Join(base, "unwritable", "data"), filepath.Join(base, "readonly")} {
		s, err := boltstore.Open(dir, boltstore.Options{})
		switch {
		case err == nil:
			_ = s.Close()
			fmt.Fprintf(&b, "%s: opened\n", dir)
		case !errors.Is(err, boltstore.ErrNotWritable):
			fmt.Fprintf(&b, "%s: not ErrNotWritable: %v\n", dir, err)
		default:
			fmt.Fprintf(&b, "%v\n", err)
		}
	}
	return b.String()
}

// asNobody runs helper name as the user nobody (65534), from a copy of this
// test binary that nobody may run. The caller must be root.
func asNobody(t *testing.T, name, dir string) (string, int) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "boltstore.test")
	must(t, "chmod", os.Chmod(filepath.Dir(bin), 0o755))
	exe, err := os.ReadFile(os.Args[0])
	must(t, "read test binary", err)
	must(t, "copy test binary", os.WriteFile(bin, exe, 0o755))
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+name, "BOLTSTORE_TEST_DIR="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run helper %s as nobody: %v", name, err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}
