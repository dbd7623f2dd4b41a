//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The smoke test starts the real binary on a virtual display, as a person would start
// it, and watches what it logs. It needs Xvfb and xdotool (or xwininfo); without them it
// is skipped on a developer's machine and fails in CI (CI set), where `make test` has
// installed them. CONVIVE_SMOKE_SCREENSHOT=path.png keeps a screenshot of the window.

const windowWait = 60 * time.Second

func TestTheAppOpensItsWindowUnderXvfbAndLogsNoError(t *testing.T) {
	if testing.Short() {
		t.Skip("smoke test skipped with -short")
	}
	xvfb := requireTool(t, "Xvfb")
	finder := windowFinder(t)

	dir := t.TempDir()
	bin := buildBinary(t, dir)
	db := filepath.Join(dir, "convive.db")

	// Some data, through the real binary's command line, so the window has rows to show.
	for _, args := range [][]string{
		{"groups", "add", "Ventes/Région Sud"},
		{"users", "add", "anne.lefevre@example.com", "--first-name", "Anne", "--last-name", "Lefèvre", "--group", "Ventes/Région Sud"},
		{"users", "add", "jean.dupont@example.com", "--first-name", "Jean", "--last-name", "Dupont"},
	} {
		out, err := exec.Command(bin, append([]string{"--db", db}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("convive %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	display := startXvfb(t, xvfb)
	app := launch(t, bin, display, dir, "--db", db)
	app.waitForWindow(t, finder)

	// Let the first screen draw, and whatever it logs arrive.
	time.Sleep(2 * time.Second)
	app.mustBeRunning(t)
	screenshot(t, display, dir)

	if bad := errorLines(app.logs.String()); len(bad) > 0 {
		t.Errorf("convive logged errors:\n%s", strings.Join(bad, "\n"))
	}
	if s := app.logs.String(); s != "" {
		t.Logf("convive logged:\n%s", s)
	}

	app.stop(t, finder)

	t.Run("Ctrl+O opens the system's file dialog, with the window's French title", func(t *testing.T) {
		xdotool := requireTool(t, "xdotool")
		xdo := func(args ...string) string {
			cmd := exec.Command(xdotool, args...)
			cmd.Env = append(cleanEnv(), "DISPLAY="+display)
			out, _ := cmd.Output()
			return string(bytes.TrimSpace(out))
		}
		app := launch(t, bin, display, dir, "--db", db)
		app.waitForWindow(t, finder)
		time.Sleep(time.Second)
		// Without a window manager, the keyboard goes to the window under the pointer,
		// and a key is now and then lost: Ctrl+O is pressed again every 2 s (a second
		// press while the dialog is open opens nothing more).
		xdo("mousemove", "400", "300")
		const title = "^Choisir le tableur à importer$"
		for start := time.Now(); xdo("search", "--onlyvisible", "--name", title) == ""; time.Sleep(250 * time.Millisecond) {
			app.mustBeRunning(t)
			if time.Since(start) > 20*time.Second {
				t.Fatalf("no file dialog titled %q; convive logged:\n%s", title, app.logs.String())
			}
			if time.Since(start)%(2*time.Second) < 250*time.Millisecond {
				xdo("key", "ctrl+o")
			}
		}
		if n := len(strings.Fields(xdo("search", "--onlyvisible", "--name", title))); n != 1 {
			t.Errorf("%d file dialogs on the screen", n)
		}
		// Échap closes it and takes it off the screen; it is sent again each second,
		// as a key can be lost. A dialog left on the screen with nothing behind it would
		// stay there whatever the keys.
		for start := time.Now(); ; time.Sleep(time.Second) {
			found := strings.Fields(xdo("search", "--onlyvisible", "--name", title))
			if len(found) == 0 {
				break
			}
			if time.Since(start) > 20*time.Second {
				t.Fatal("the file dialog stays on the screen after Échap")
			}
			xdo("windowfocus", "--sync", found[0])
			xdo("key", "--window", found[0], "Escape")
		}
		app.mustBeRunning(t)
		if bad := errorLines(app.logs.String()); len(bad) > 0 {
			t.Errorf("convive logged errors:\n%s", strings.Join(bad, "\n"))
		}
		app.stop(t, finder)
	})

	t.Run("a file that is not a Convive database is explained in a window and on stderr", func(t *testing.T) {
		notes := filepath.Join(dir, "notes.db")
		if err := os.WriteFile(notes, []byte("des notes, pas une base de données\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		app := launch(t, bin, display, dir, "--db", notes)
		app.waitForWindow(t, finder)
		if !strings.Contains(app.logs.String(), "Erreur\u00a0: Le fichier") {
			t.Errorf("stderr does not explain the refusal:\n%s", app.logs.String())
		}
	})
}

// process is a running convive and what it logged.
type process struct {
	cmd    *exec.Cmd
	logs   *syncBuffer
	exited chan error
}

// launch starts the binary on display with LANG=C and a private home folder; the
// process is killed when the test ends.
func launch(t *testing.T, bin, display, dir string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, args...), logs: new(syncBuffer), exited: make(chan error, 1)}
	p.cmd.Env = append(cleanEnv(), "LANG=C", "DISPLAY="+display, "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		// Without a session bus, D-Bus clients start one of their own (dbus-launch
		// --autolaunch) that outlives the test; an address where nothing listens keeps
		// them from doing so, and Convive does without the bus.
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(dir, "no-session-bus"))
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting convive: %v", err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.exited
	})
	return p
}

// waitForWindow waits until a window titled "Convive" is shown, and fails if the
// process stops first or nothing shows within windowWait.
func (p *process) waitForWindow(t *testing.T, finder func(string) bool) {
	t.Helper()
	display := envValue(p.cmd.Env, "DISPLAY")
	start := time.Now()
	for !finder(display) {
		p.mustBeRunning(t)
		if time.Since(start) > windowWait {
			t.Fatalf("no window titled « Convive » after %v; convive logged:\n%s", windowWait, p.logs.String())
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("window shown after %v", time.Since(start).Round(100*time.Millisecond))
}

// stop kills the process and waits until its window is gone.
func (p *process) stop(t *testing.T, finder func(string) bool) {
	t.Helper()
	_ = p.cmd.Process.Kill()
	err := <-p.exited
	p.exited <- err
	for start := time.Now(); finder(envValue(p.cmd.Env, "DISPLAY")); time.Sleep(100 * time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatal("the window of a killed convive is still shown after 10 s")
		}
	}
}

// mustBeRunning fails the test if the process has stopped.
func (p *process) mustBeRunning(t *testing.T) {
	t.Helper()
	select {
	case err := <-p.exited:
		p.exited <- err
		t.Fatalf("convive stopped (%v); it logged:\n%s", err, p.logs.String())
	default:
	}
}

func envValue(env []string, key string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}

// requireTool returns the path of a program the smoke test needs: missing, the test is
// skipped, unless CI is set.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing: `make test-deps` installs it", name)
	}
	t.Skipf("%s is missing (make test-deps installs it)", name)
	return ""
}

// windowFinder returns a function that tells whether a window titled exactly
// "Convive" is shown on a display, with xdotool or else xwininfo. Only visible windows
// count: the toolkits leave a hidden 10×10 window named "convive", and xdotool's names
// ignore case.
func windowFinder(t *testing.T) func(display string) bool {
	t.Helper()
	if p, err := exec.LookPath("xdotool"); err == nil {
		return func(display string) bool {
			cmd := exec.Command(p, "search", "--onlyvisible", "--name", "^Convive$")
			cmd.Env = append(cleanEnv(), "DISPLAY="+display)
			out, err := cmd.Output()
			return err == nil && len(bytes.TrimSpace(out)) > 0
		}
	}
	p := requireTool(t, "xwininfo")
	return func(display string) bool {
		cmd := exec.Command(p, "-root", "-tree")
		cmd.Env = append(cleanEnv(), "DISPLAY="+display)
		out, err := cmd.Output()
		return err == nil && bytes.Contains(out, []byte(`"Convive":`))
	}
}

// buildBinary builds cmd/convive the way `make build` does and returns its path.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "convive")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-ldflags", "-X main.version=smoke", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startXvfb starts a virtual display on a free number chosen by Xvfb itself
// (-displayfd) and returns its name, e.g. ":1".
func startXvfb(t *testing.T, xvfb string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var logs syncBuffer
	x := exec.Command(xvfb, "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	x.Stdout, x.Stderr = &logs, &logs
	if err := x.Start(); err != nil {
		t.Fatalf("starting Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() {
		_ = x.Process.Kill()
		_ = x.Wait()
	})
	number := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		number <- strings.TrimSpace(line)
	}()
	select {
	case n := <-number:
		if n == "" {
			t.Fatalf("Xvfb did not start:\n%s", logs.String())
		}
		return ":" + n
	case <-time.After(30 * time.Second):
		t.Fatalf("Xvfb gave no display number in 30 s:\n%s", logs.String())
	}
	return ""
}

// screenshot saves the whole display in the test's folder, and where
// CONVIVE_SMOKE_SCREENSHOT says, when ImageMagick's import is installed.
func screenshot(t *testing.T, display, dir string) {
	t.Helper()
	imp, err := exec.LookPath("import")
	if err != nil {
		t.Log("no screenshot: ImageMagick's import is not installed")
		return
	}
	path := filepath.Join(dir, "convive.png")
	if keep := os.Getenv("CONVIVE_SMOKE_SCREENSHOT"); keep != "" {
		path = keep
	}
	cmd := exec.Command(imp, "-window", "root", path)
	cmd.Env = append(cleanEnv(), "DISPLAY="+display)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Logf("no screenshot: %v\n%s", err, out)
		return
	}
	t.Logf("screenshot: %s", path)
}

// cleanEnv is the test's environment without what would change the run: the language,
// the display and the database.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "LANG", k == "LANGUAGE", strings.HasPrefix(k, "LC_"), k == "DISPLAY", k == "WAYLAND_DISPLAY",
			k == "XAUTHORITY", k == envDB, k == "HOME", k == "XDG_CONFIG_HOME", k == "DBUS_SESSION_BUS_ADDRESS":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// Lines in the log that mean something went wrong in Convive.
var errorLine = regexp.MustCompile(`^(Erreur|Avertissement)\b|^panic:|^fatal error:|DATA RACE|Error in Fyne call thread|Fyne error:`)

// Fyne errors that come from the test machine or from Fyne itself, not from Convive:
//   - the test gives no D-Bus session (notifications, portal, theme settings);
//   - on the very first start Fyne may read its own preferences file while it writes
//     it ("Preferences load error:" caused by EOF; the next read succeeds);
//   - a machine whose inotify instances are used up (fs.inotify.max_user_instances)
//     cannot let Fyne watch its theme settings file for changes.
var harmlessFyneError = regexp.MustCompile(`(?i)Cause: .*(d-?bus|org\.freedesktop|session bus)` +
	`|Preferences load error:\s+\S+ \S+\s+Cause: EOF$` +
	`|Failed to watch settings file:\s+\S+ \S+\s+Cause: too many open files$`)

// Lines from GTK and GLib about the desktop session (no D-Bus, no dconf, no
// accessibility bus under Xvfb): they say nothing about Convive.
var desktopNoise = regexp.MustCompile(`^\(\S+:\d+\): (Gtk|GLib|GLib-GIO|dconf|dbind|atk-bridge)-(WARNING|Message)`)

// errorLines returns the error lines of a log. A Fyne error spans three lines (message,
// Cause, At); only the message and cause are kept, and harmlessFyneError ones skipped.
func errorLines(log string) []string {
	lines := strings.Split(log, "\n")
	var bad []string
	for i, line := range lines {
		if desktopNoise.MatchString(line) || !errorLine.MatchString(line) {
			continue
		}
		if strings.Contains(line, "Fyne error:") && i+1 < len(lines) && harmlessFyneError.MatchString(line+" "+lines[i+1]) {
			continue
		}
		bad = append(bad, line)
		if strings.Contains(line, "Fyne error:") && i+1 < len(lines) {
			bad = append(bad, lines[i+1])
		}
	}
	return bad
}

func TestErrorLinesTellConviveErrorsFromDesktopNoise(t *testing.T) {
	log := strings.Join([]string{
		"2026/11/25 11:46:49 Fyne error:  Translation failure",
		`2026/11/25 11:46:49   Cause: message "nav.users" not found in language "fr"`,
		"2026/11/25 11:46:49   At: lang.go:73",
		"2026/11/25 11:46:49 Fyne error:  Failed to read settings",
		"2026/11/25 11:46:49   Cause: dbus: couldn't determine address of session bus",
		"2026/11/25 11:48:58 Fyne error:  Preferences load error:",
		"2026/11/25 11:48:58   Cause: EOF",
		"2026/11/25 11:48:58   At: app/preferences.go:103",
		"2026/11/25 11:48:58 Fyne error:  Preferences load error:",
		"2026/11/25 11:48:58   Cause: invalid character 'x' looking for beginning of value",
		"2026/11/25 13:11:14 Fyne error:  Failed to watch settings file:",
		"2026/11/25 13:11:14   Cause: too many open files",
		"2026/11/25 13:11:14   At: app/settings_desktop.go:37",
		"(convive:1234): Gtk-WARNING **: 11:46:49.000: cannot open display",
		"(convive:1234): dconf-WARNING **: failed to commit changes to dconf",
		"Erreur\u00a0: Le fichier « x.db » n'est pas un fichier de données Convive.",
		"*** Error in Fyne call thread, this should have been called in fyne.Do[AndWait] ***",
		"panic: runtime error: index out of range",
	}, "\n")
	got := errorLines(log)
	want := []string{
		"2026/11/25 11:46:49 Fyne error:  Translation failure",
		`2026/11/25 11:46:49   Cause: message "nav.users" not found in language "fr"`,
		"2026/11/25 11:48:58 Fyne error:  Preferences load error:",
		"2026/11/25 11:48:58   Cause: invalid character 'x' looking for beginning of value",
		"Erreur\u00a0: Le fichier « x.db » n'est pas un fichier de données Convive.",
		"*** Error in Fyne call thread, this should have been called in fyne.Do[AndWait] ***",
		"panic: runtime error: index out of range",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("errorLines =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// syncBuffer is a bytes.Buffer that a process and the test can use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var _ io.Writer = (*syncBuffer)(nil)
