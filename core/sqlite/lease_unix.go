//go:build !windows

package sqlite

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process of this machine still runs.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
