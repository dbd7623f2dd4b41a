//go:build windows

package sqlite

import "os"

// processAlive reports whether a process of this machine still runs: on Windows,
// FindProcess opens the process and fails when there is none.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
