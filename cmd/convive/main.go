// Command convive is Convive's desktop application and its command line.
//
// Without a command it opens the window; with one (groups, users, version, help) it
// works on the same database for scripting, prints the result and exits. The database is
// the file given by --db, else the CONVIVE_DB environment variable, else the default file
// in the user's configuration folder.
package main

import (
	"io"
	"os"

	"convive/core"

	// Before Fyne reads the locale: see the package comment.
	_ "convive/cmd/convive/internal/locale"
)

// version is stamped at build time with -ldflags "-X main.version=…" (git describe).
var version = "dev"

func main() {
	core.LimitMemory()
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole program but the process: it parses args, opens the window or runs a
// command, and returns the exit status (0 done, 1 failure, 2 usage error).
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
	fs := c.flags("convive")
	showVersion := fs.Bool("version", false, "")
	rest, err := parseArgs(fs, args, true)
	switch {
	case err == errHelp:
		return c.help(helpMain)
	case err != nil:
		return c.usageError(err, "convive")
	case *showVersion:
		return c.version(nil)
	case len(rest) == 0:
		return openWindow(c)
	}
	return c.dispatch(rest)
}
