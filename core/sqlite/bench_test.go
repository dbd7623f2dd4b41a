package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"convive/core"
	"convive/core/sqlite"
)

// benchUsers is the size of the organisation the user list must stay fluid with.
const benchUsers = 100_000

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// TestMain removes the benchmark database, which is shared by every benchmark of the
// run because filling it takes longer than measuring.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchStore opens the shared database of 100 000 users, filling it on first use.
func benchStore(b *testing.B) *sqlite.Store {
	b.Helper()
	benchOnce.Do(func() {
		if benchDir, benchErr = os.MkdirTemp("", "convive-bench-"); benchErr != nil {
			return
		}
		var s *sqlite.Store
		if s, benchErr = sqlite.Open(filepath.Join(benchDir, "convive.db")); benchErr != nil {
			return
		}
		defer s.Close()
		start := time.Now()
		if benchErr = sqlite.FillUsers(s, benchUsers); benchErr == nil {
			b.Logf("filled %d users in %v", benchUsers, time.Since(start).Round(time.Millisecond))
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	s, err := sqlite.Open(filepath.Join(benchDir, "convive.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkSearchUsers types a last name in the search box: one page of 100 and the
// number of matches.
func BenchmarkSearchUsers(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	f := core.UserFilter{Search: "lefevre", Limit: 100}
	n, err := s.CountUsers(ctx, f)
	if err != nil {
		b.Fatal(err)
	}
	if n < 100 || n > 2000 {
		b.Fatalf("the search word matches %d users, want a few hundred", n)
	}
	measureCPU(b, func() {
		us, err := s.Users(ctx, f)
		if err != nil || len(us) != 100 {
			b.Fatalf("%d users, %v", len(us), err)
		}
		if _, err := s.CountUsers(ctx, f); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkUsersPage scrolls to the middle of the list sorted by last name.
func BenchmarkUsersPage(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	f := core.UserFilter{Sort: core.SortLastName, Offset: benchUsers / 2, Limit: 100}
	measureCPU(b, func() {
		us, err := s.Users(ctx, f)
		if err != nil || len(us) != 100 {
			b.Fatalf("%d users, %v", len(us), err)
		}
		n, err := s.CountUsers(ctx, core.UserFilter{})
		if err != nil || n != benchUsers {
			b.Fatalf("CountUsers = %d, %v", n, err)
		}
	})
}

// measureCPU runs op b.N times and reports, besides the wall time, the CPU time per
// op: on a machine shared with other work the wall time says more about the others.
func measureCPU(b *testing.B, op func()) {
	var start time.Duration
	n := 0
	for b.Loop() {
		if n == 0 {
			start = cpuTime()
		}
		op()
		n++
	}
	if c := cpuTime() - start; c > 0 && n > 0 {
		b.ReportMetric(float64(c.Nanoseconds())/float64(n), "cpu-ns/op")
	}
}
