// Package boltstore keeps coach's prospects, teams, job queue and ledger in
// one embedded bbolt file, for a single process that runs without Redis.
//
// bbolt gives one file, ACID transactions and pure Go, with no server to
// run. Every method is one bbolt transaction: an Update for a change (atomic
// and durable once it returns: bbolt syncs the file before the commit
// returns), a View for a read. bbolt allows one writer at a time, so changes
// are serialized; reads run alongside them on a snapshot.
//
// The file is locked while it is open: a second process pointed at the same
// DATA_DIR fails at once with ErrInUse. The embedded store serves one
// process; several replicas need Redis (storage/redisstore).
//
// As in redisstore, job due times and leases are kept at millisecond
// resolution (a Job's Due is its due time truncated to the millisecond) and
// prospects keep every field exactly (JSON). Ledger expiry runs on
// Options.Now.
package boltstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"pipelinecoach/coach"
)

// FileName is the name of the data file in DATA_DIR.
const FileName = "pipelinecoach.db"

// DefaultLockTimeout is how long Open waits for another process to let go
// of the file before it gives up.
const DefaultLockTimeout = 100 * time.Millisecond

// Errors Open and the methods return, for errors.Is; the wrapping error
// names the file and says what to do.
var (
	// ErrInUse: another process has the data file open.
	ErrInUse = errors.New("data file in use by another process")
	// ErrForeign: the file at the data path is not a Pipeline Coach data file.
	ErrForeign = errors.New("not a Pipeline Coach data file")
	// ErrCorrupt: the data file is damaged.
	ErrCorrupt = errors.New("data file corrupt")
	// ErrNotWritable: DATA_DIR or the data file cannot be written.
	ErrNotWritable = errors.New("not writable")
	// ErrNoSpace: a write failed for lack of disk space (or a file size or
	// quota limit); the transaction was rolled back and nothing was written.
	ErrNoSpace = errors.New("no space left for the data file")
)

// Options tune Open. The zero value is ready to use.
type Options struct {
	// Now is the clock of ledger expiry; time.Now when nil.
	Now func() time.Time
	// LockTimeout is how long Open waits for the file lock held by another
	// process; DefaultLockTimeout when zero or less.
	LockTimeout time.Duration
}

// Store is coach.Store in one bbolt file. It is safe for concurrent use.
type Store struct {
	db   *bolt.DB
	path string
	now  func() time.Time
}

var _ coach.Store = (*Store)(nil)

// Open opens the data file FileName in dir, creating dir (0700) and the file
// (0600) when they do not exist. It fails with a clear error, naming the path
// and what to do, when dir cannot be written (ErrNotWritable), when another
// process has the file open (ErrInUse), when the file is not one of ours
// (ErrForeign) or is damaged (ErrCorrupt).
func Open(dir string, opts Options) (*Store, error) {
	if dir == "" {
		return nil, fmt.Errorf("open embedded store: DATA_DIR is empty: %w", coach.ErrInvalid)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, dirError(dir, err)
	}
	if info, err := os.Stat(dir); err != nil {
		return nil, dirError(dir, err)
	} else if !info.IsDir() {
		return nil, fmt.Errorf("DATA_DIR %s is not a directory: set DATA_DIR to a directory", dir)
	}
	path := filepath.Join(dir, FileName)
	db, err := openBolt(path, opts.LockTimeout)
	if err != nil {
		return nil, openError(dir, path, opts.LockTimeout, err)
	}
	s := &Store{db: db, path: path, now: opts.Now}
	if err := s.init(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// errUnreadable: bbolt panicked or faulted reading the file.
var errUnreadable = errors.New("bbolt could not read it")

// openBolt opens the bbolt file at path. bbolt panics on some damaged files
// (a freelist page past the end of a truncated file, say), and reading the
// mapped file past its end faults; both become an ErrCorrupt error, and the
// file is closed so that its lock is let go.
func openBolt(path string, lockTimeout time.Duration) (db *bolt.DB, err error) {
	var file *os.File
	openFile := func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		file = f
		return f, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if file != nil {
				_ = file.Close()
			}
			db, err = nil, fmt.Errorf("%w: %v", errUnreadable, r)
		}
	}()
	return bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout, OpenFile: openFile})
}

// dirError explains why DATA_DIR could not be made or read.
func dirError(dir string, err error) error {
	switch {
	case errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS):
		return fmt.Errorf("DATA_DIR %s is not writable: %w: give the process write access to it, or set DATA_DIR to a directory it can write (%w)",
			dir, err, ErrNotWritable)
	case errors.Is(err, syscall.ENOTDIR) || errors.Is(err, fs.ErrExist):
		return fmt.Errorf("DATA_DIR %s is not a directory: %w: set DATA_DIR to a directory", dir, err)
	}
	return fmt.Errorf("create DATA_DIR %s: %w", dir, err)
}

// openError explains why bbolt could not open the file at path.
func openError(dir, path string, lockTimeout time.Duration, err error) error {
	_, statErr := os.Stat(path)
	exists := statErr == nil
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("open %s: it is in use by another Pipeline Coach process (pid unknown; still locked after %s); "+
			"the embedded store serves one process — stop the other one, or set REDIS_URL to run several replicas: %w",
			path, lockTimeout, ErrInUse)
	case (errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)) && exists:
		return fmt.Errorf("open %s: the data file is not writable: %w: give the process write access to it (%w)",
			path, err, ErrNotWritable)
	case errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS):
		return fmt.Errorf("DATA_DIR %s is not writable: %w: give the process write access to it, or set DATA_DIR to a directory it can write (%w)",
			dir, err, ErrNotWritable)
	case errors.Is(err, syscall.EISDIR):
		return fmt.Errorf("open %s: it is a directory, not a data file: move it away or set DATA_DIR to another directory (%w)",
			path, ErrForeign)
	case errors.Is(err, berrors.ErrInvalid):
		return fmt.Errorf("open %s: it is not a Pipeline Coach data file (not a bbolt database, or damaged beyond reading): %w; "+
			"move it away to start with an empty store, or set DATA_DIR to another directory (%w)", path, err, ErrForeign)
	case errors.Is(err, berrors.ErrVersionMismatch):
		return fmt.Errorf("open %s: it was written in another bbolt format: %w; move it away or set DATA_DIR to another directory (%w)",
			path, err, ErrForeign)
	case errors.Is(err, berrors.ErrChecksum), errors.Is(err, errUnreadable), strings.Contains(err.Error(), "file size too small"):
		return fmt.Errorf("open %s: the data file is corrupt: %w; restore it from a backup, or move it away to start with an empty store (%w)",
			path, err, ErrCorrupt)
	case isNoSpace(err):
		return fmt.Errorf("open %s: %w: free some space (%w)", path, err, ErrNoSpace)
	}
	return fmt.Errorf("open %s: %w", path, err)
}

// Close closes the file and lets another process open it. Closing twice
// does nothing.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close %s: %w", s.path, err)
	}
	return nil
}

// Path is the data file's path.
func (s *Store) Path() string { return s.path }

// Ping checks that the file is open and readable.
func (s *Store) Ping(ctx context.Context) error {
	what := "ping " + s.path
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return s.guard(what, func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			if tx.Bucket(bucketMeta) == nil {
				return fmt.Errorf("meta bucket missing: %w", ErrCorrupt)
			}
			return nil
		})
	})
}

// view runs fn over the buckets in a read-only transaction. what says what
// was being done, for the error.
func (s *Store) view(ctx context.Context, what string, fn func(buckets) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return s.guard(what, func() error { return s.db.View(withBuckets(fn)) })
}

// update runs fn over the buckets in a read-write transaction: all of it
// is written, or nothing when fn or the commit fails.
func (s *Store) update(ctx context.Context, what string, fn func(buckets) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return s.guard(what, func() error { return s.db.Update(withBuckets(fn)) })
}

// withBuckets opens a transaction's buckets for fn.
func withBuckets(fn func(buckets) error) func(*bolt.Tx) error {
	return func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		return fn(b)
	}
}

// guard runs a transaction and words its error. bbolt panics on a damaged
// page, and an I/O error reading the mapped file is a fault; both become an
// ErrCorrupt error here (bbolt has rolled the transaction back) rather than
// taking the bot down.
func (s *Store) guard(what string, run func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: reading %s failed (%v): the data file may be corrupt; "+
				"restore it from a backup: %w", what, s.path, r, ErrCorrupt)
		}
	}()
	err = run()
	switch {
	case err == nil:
		return nil
	case !isDomain(err) && isNoSpace(err):
		return fmt.Errorf("%s: writing %s: %w: nothing was written; free some disk space (%w)", what, s.path, err, ErrNoSpace)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// isDomain reports whether err is one of coach's answers (a conflict, or a
// refusal: a missing record, bad input, a rep on another team) rather than
// a failure of the file.
func isDomain(err error) bool {
	return errors.Is(err, coach.ErrConflict) || errors.Is(err, coach.ErrRefused)
}

// noSpace are the errors of a write that ran out of room: a full disk, a
// quota, a file size limit.
var noSpace = []syscall.Errno{syscall.ENOSPC, syscall.EDQUOT, syscall.EFBIG}

// isNoSpace reports whether err is a write that ran out of room. bbolt
// formats some file errors with %s (growing the file), so the text is checked
// too.
func isNoSpace(err error) bool {
	for _, errno := range noSpace {
		if errors.Is(err, errno) || strings.Contains(err.Error(), errno.Error()) {
			return true
		}
	}
	return false
}
