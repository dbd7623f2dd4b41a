package core

import (
	"os"
	"runtime/debug"
)

// SoftMemoryLimit is the memory the Go runtime aims to stay under (runtime/debug's
// soft limit): near it, the garbage collector runs more often, so that the preview of
// a 100 000-row sheet and its commit stay under 200 MB in all. It never makes an
// allocation fail; SQLite's page cache is outside it.
const SoftMemoryLimit = 128 << 20

// LimitMemory sets SoftMemoryLimit, unless the GOMEMLIMIT environment variable already
// chose a limit.
func LimitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(SoftMemoryLimit)
	}
}
