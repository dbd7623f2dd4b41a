package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"convive/assets"
	"convive/core"
	"convive/core/secret"
	"convive/core/smtp/mailpittest"
	"convive/core/sqlite"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/zalando/go-keyring"
)

// recordingServer is a real SMTP server (emersion/go-smtp) on 127.0.0.1 that takes
// delay to answer each message and records the Message-ID of every message it took.
type recordingServer struct {
	port   int
	delay  time.Duration
	onData func(n int) // called with the number of the message (from 1) once it is taken, before the answer

	mu       sync.Mutex
	ids      []string
	subjects []string
}

func startRecordingServer(t *testing.T, delay time.Duration, onData func(n int)) *recordingServer {
	t.Helper()
	rs := &recordingServer{delay: delay, onData: onData}
	srv := gosmtp.NewServer(rs)
	srv.Domain = "test.invalid"
	srv.ReadTimeout = 20 * time.Second
	srv.WriteTimeout = 20 * time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rs.port = l.Addr().(*net.TCPAddr).Port
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return rs
}

// IDs returns how many times the server took each Message-ID.
func (rs *recordingServer) IDs() map[string]int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	seen := map[string]int{}
	for _, id := range rs.ids {
		seen[id]++
	}
	return seen
}

func (rs *recordingServer) NewSession(*gosmtp.Conn) (gosmtp.Session, error) {
	return recordingSession{rs}, nil
}

type recordingSession struct{ rs *recordingServer }

func (recordingSession) Reset()                                 {}
func (recordingSession) Logout() error                          { return nil }
func (recordingSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (recordingSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }

func (s recordingSession) Data(r io.Reader) error {
	d, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(d))
	if err != nil {
		return err
	}
	time.Sleep(s.rs.delay)
	s.rs.mu.Lock()
	s.rs.ids = append(s.rs.ids, strings.Trim(m.Header.Get("Message-Id"), "<>"))
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	s.rs.subjects = append(s.rs.subjects, subject)
	n := len(s.rs.ids)
	s.rs.mu.Unlock()
	if s.rs.onData != nil {
		s.rs.onData(n)
	}
	return nil
}

// queue puts n French messages in the outbox of the database at path.
func queue(t *testing.T, path string, n int) []core.Message {
	t.Helper()
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	prenoms := []string{"Hélène", "Françoise", "Jérôme", "Noël", "Zoé", "Gaëlle"}
	msgs := make([]core.Message, n)
	for i := range msgs {
		p := prenoms[i%len(prenoms)]
		msgs[i] = core.Message{
			Kind:    core.KindInvitation,
			To:      fmt.Sprintf("apprenant%03d@exemple.fr", i),
			Subject: fmt.Sprintf("%s, votre accès à « Sécurité des données » (n° %d)", p, i),
			Text:    fmt.Sprintf("Bonjour %s,\n\nVous êtes invité(e) à suivre le parcours « Sécurité des données ».\nÉtape suivante : créez votre mot de passe.\n\nÀ bientôt !\n", p),
			HTML:    fmt.Sprintf("<p>Bonjour %s,</p><p>Étape suivante : créez votre mot de passe.</p>", p),
		}
	}
	if err := st.Enqueue(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
	out, err := st.Outbox(context.Background(), core.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// stored returns every message of the outbox at path.
func stored(t *testing.T, path string) []core.Message {
	t.Helper()
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	out, err := st.Outbox(context.Background(), core.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// localSMTP sets the database at path to send to 127.0.0.1:port in clear text.
func localSMTP(t *testing.T, db string, port int) {
	t.Helper()
	must(t, "--db", db, "smtp", "set", "--host", "127.0.0.1", "--port", strconv.Itoa(port), "--security", "none",
		"--from", "formation@exemple.fr", "--from-name", "Service formation")
}

// sendJSON runs send --json and decodes its report, checking it has exactly the keys
// a script relies on. Notices go to stderr, which is returned.
func sendJSON(t *testing.T, args ...string) (map[string]int, string) {
	t.Helper()
	r := convive(t, append(args, "send", "--json")...)
	if r.code != exitOK {
		t.Fatalf("send --json: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	out := r.stdout
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("send --json printed %q: %v", out, err)
	}
	var keys []string
	rep := map[string]int{}
	for k, v := range raw {
		keys = append(keys, k)
		rep[k] = int(v.(float64))
	}
	for _, k := range []string{"sent", "failed", "retry_later", "unknown", "remaining"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("send --json lacks %q: %s", k, out)
		}
	}
	if len(raw) != 5 {
		t.Errorf("send --json has keys %v, want exactly sent, failed, retry_later, unknown, remaining", keys)
	}
	return rep, r.stderr
}

func TestThirtyFrenchMessagesGoOutOnceThroughMailpit(t *testing.T) {
	t.Setenv(secret.EnvPassword, "")
	mp := mailpittest.Start(t)
	db := tempDB(t)
	localSMTP(t, db, mp.SMTPPort)
	msgs := queue(t, db, 30)

	rep, stderr := sendJSON(t, "--db", db)
	if stderr != "" {
		t.Errorf("stderr of a clean send: %q", stderr)
	}
	if want := map[string]int{"sent": 30, "failed": 0, "retry_later": 0, "unknown": 0, "remaining": 0}; !reflect.DeepEqual(rep, want) {
		t.Fatalf("report %v, want %v", rep, want)
	}
	got := mp.WaitCount(t, 30, 10*time.Second)
	if len(got) != 30 {
		t.Fatalf("mailpit holds %d messages, want 30", len(got))
	}
	byID := map[string]core.Message{}
	for _, m := range msgs {
		byID[m.MessageID] = m
	}
	seen := map[string]bool{}
	for _, sum := range got {
		if seen[sum.MessageID] {
			t.Errorf("Message-ID %s arrived twice", sum.MessageID)
		}
		seen[sum.MessageID] = true
		want, ok := byID[sum.MessageID]
		if !ok {
			t.Errorf("mailpit holds a message whose Message-ID %q is not the stored one of any message", sum.MessageID)
			continue
		}
		if len(sum.To) != 1 || sum.To[0].Address != want.To || sum.Subject != want.Subject {
			t.Errorf("message %s: to %v, subject %q; want %s, %q", sum.MessageID, sum.To, sum.Subject, want.To, want.Subject)
		}
		full := mp.Message(t, sum.ID)
		if text := strings.ReplaceAll(full.Text, "\r\n", "\n"); text != want.Text {
			t.Errorf("text of %s\n got %q\nwant %q", want.To, text, want.Text)
		}
		if !strings.Contains(full.HTML, "Étape suivante") || full.From == nil || full.From.Name != "Service formation" {
			t.Errorf("HTML or sender of %s: %q, %+v", want.To, full.HTML, full.From)
		}
	}
	for _, m := range stored(t, db) {
		if m.State != core.MessageSent || m.Attempts != 1 {
			t.Errorf("message %d is %s after %d attempts, want sent after 1", m.ID, m.State, m.Attempts)
		}
	}

	again, _ := sendJSON(t, "--db", db)
	if again["sent"] != 0 || again["remaining"] != 0 {
		t.Errorf("a second send did something: %v", again)
	}
	time.Sleep(300 * time.Millisecond)
	if n := mp.Count(t); n != 30 {
		t.Errorf("mailpit holds %d messages after a second send, want still 30", n)
	}
}

// TestAKilledSendLosesNothingAndSendsNothingTwice kills a real convive process with
// SIGKILL in the middle of a batch, sends again, and checks every message.
func TestAKilledSendLosesNothingAndSendsNothingTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Setenv(secret.EnvPassword, "")
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	db := filepath.Join(dir, "convive.db")
	t.Setenv(envDB, "")
	killAt := make(chan struct{})
	var once sync.Once
	srv := startRecordingServer(t, 20*time.Millisecond, func(n int) {
		if n == 60 {
			once.Do(func() { close(killAt) })
		}
	})
	localSMTP(t, db, srv.port)
	msgs := queue(t, db, 200)

	cmd := exec.Command(bin, "--db", db, "send", "--wait")
	cmd.Env = append(os.Environ(), "CONVIVE_DB=", "LANG=C")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-killAt:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("the server saw fewer than 60 messages in a minute; output:\n%s", out.String())
	}
	// The 60th message is being answered: kill the sender while it waits for the answer.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	var sending, sentBefore int
	for _, m := range stored(t, db) {
		switch m.State {
		case core.MessageSending:
			sending++
		case core.MessageSent:
			sentBefore++
		}
	}
	// The message in conversation, and the one before it (result not yet committed)
	// or the one after it (claimed while the 60th was with the server).
	if sending > 2 {
		t.Fatalf("%d messages are in the sending state after the kill, want at most two", sending)
	}
	if sentBefore == 0 || sentBefore >= 200 {
		t.Fatalf("%d messages recorded as sent before the kill: the kill did not land mid-batch", sentBefore)
	}
	t.Logf("killed after %d messages recorded sent, %d in sending", sentBefore, sending)

	again := exec.Command(bin, "--db", db, "send")
	again.Env = cmd.Env
	if b, err := again.CombinedOutput(); err != nil {
		t.Fatalf("second send: %v\n%s", err, b)
	} else if sending > 0 && !strings.Contains(string(b), "à vérifier") {
		t.Errorf("the second send does not tell about the interrupted message:\n%s", b)
	}

	seen := srv.IDs()
	var sent, unknown int
	for _, m := range stored(t, db) {
		switch m.State {
		case core.MessageSent:
			sent++
			if seen[m.MessageID] != 1 {
				t.Errorf("message %d is sent but the server took it %d times", m.ID, seen[m.MessageID])
			}
		case core.MessageUnknown:
			unknown++
			if seen[m.MessageID] > 1 {
				t.Errorf("unknown message %d was taken %d times", m.ID, seen[m.MessageID])
			}
		default:
			t.Errorf("message %d is %s, want sent or unknown", m.ID, m.State)
		}
	}
	if sent+unknown != len(msgs) || unknown != sending {
		t.Errorf("%d sent + %d unknown, want %d messages with %d unknown", sent, unknown, len(msgs), sending)
	}
	ids := map[string]bool{}
	for _, m := range msgs {
		ids[m.MessageID] = true
	}
	for id, n := range seen {
		if !ids[id] {
			t.Errorf("the server took a message %q that is not in the outbox", id)
		}
		if n > 1 {
			t.Errorf("the server took %q %d times", id, n)
		}
	}
}

func TestOutboxCommands(t *testing.T) {
	t.Setenv(secret.EnvPassword, "")
	db := tempDB(t)
	msgs := queue(t, db, 4)

	t.Run("send with nothing due needs no server", func(t *testing.T) {
		empty := tempDB(t)
		rep, stderr := sendJSON(t, "--db", empty)
		if rep["sent"] != 0 || rep["remaining"] != 0 || stderr != "" {
			t.Errorf("report %v, stderr %q", rep, stderr)
		}
	})

	t.Run("send without a server says how to set one and keeps the mail", func(t *testing.T) {
		stderr := fails(t, exitFailure, "--db", db, "send")
		if !strings.Contains(stderr, "convive smtp set") {
			t.Errorf("stderr %q", stderr)
		}
		if n := len(stored(t, db)); n != 4 {
			t.Errorf("%d messages after a send without server", n)
		}
	})

	t.Run("the json list has the keys a script relies on", func(t *testing.T) {
		list := decodeJSON(t, must(t, "--db", db, "outbox", "--format", "json"))
		if len(list) != 4 {
			t.Fatalf("%d objects", len(list))
		}
		o := list[0]
		for _, k := range []string{"id", "to", "subject", "state", "due", "attempts", "last_error", "message_id"} {
			if _, ok := o[k]; !ok {
				t.Errorf("object lacks %q: %v", k, o)
			}
		}
		if _, err := time.Parse(time.RFC3339, o["due"].(string)); err != nil {
			t.Errorf("due %q is not RFC 3339", o["due"])
		}
		if o["message_id"] != msgs[0].MessageID || o["state"] != "queued" || o["to"] != msgs[0].To {
			t.Errorf("first object %v", o)
		}
	})

	t.Run("cancel, then the state filter", func(t *testing.T) {
		out := must(t, "--db", db, "outbox", "cancel", strconv.FormatInt(msgs[0].ID, 10))
		if !strings.Contains(out, "1 message annulé") {
			t.Errorf("output %q", out)
		}
		list := decodeJSON(t, must(t, "--db", db, "outbox", "--state", "annulé", "--format", "json"))
		if len(list) != 1 || list[0]["state"] != "cancelled" {
			t.Errorf("cancelled list %v", list)
		}
		csv := decodeCSV(t, must(t, "--db", db, "outbox", "--state", "queued", "--format", "csv"))
		if len(csv) != 4 {
			t.Errorf("csv of queued has %d lines, want header and 3", len(csv))
		}
		table := must(t, "--db", db, "outbox")
		if !strings.Contains(table, "Annulé") || !strings.Contains(table, "4 messages.") {
			t.Errorf("table:\n%s", table)
		}
	})

	t.Run("refusals are French, on stderr, with exit 1 or 2", func(t *testing.T) {
		fails(t, exitFailure, "--db", db, "outbox", "mark-sent", strconv.FormatInt(msgs[1].ID, 10))
		fails(t, exitFailure, "--db", db, "outbox", "resend", strconv.FormatInt(msgs[0].ID, 10))
		fails(t, exitFailure, "--db", db, "outbox", "cancel", "999")
		fails(t, exitUsage, "--db", db, "outbox", "cancel", "douze")
		fails(t, exitUsage, "--db", db, "outbox", "resend")
		fails(t, exitUsage, "--db", db, "outbox", "--state", "perdu")
		fails(t, exitUsage, "--db", db, "send", "--max", "-1")
		fails(t, exitFailure, "--db", db, "outbox", "recipient", strconv.FormatInt(msgs[1].ID, 10), "pas-une-adresse")
	})

	t.Run("the recipient of a queued message can be corrected", func(t *testing.T) {
		must(t, "--db", db, "outbox", "recipient", strconv.FormatInt(msgs[1].ID, 10), "camille.lefevre@exemple.fr")
		list := decodeJSON(t, must(t, "--db", db, "outbox", "--search", "lefevre", "--format", "json"))
		if len(list) != 1 || list[0]["to"] != "camille.lefevre@exemple.fr" {
			t.Errorf("list %v", list)
		}
	})
}

func TestUnknownMessagesWaitForTheManager(t *testing.T) {
	t.Setenv(secret.EnvPassword, "")
	db := tempDB(t)
	msgs := queue(t, db, 3)
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	// Two messages a killed process left in "sending".
	for _, m := range msgs[:2] {
		if ok, err := st.MarkSending(context.Background(), m.ID, time.Now()); err != nil || !ok {
			t.Fatal(err)
		}
	}
	st.Close()
	srv := startRecordingServer(t, 0, nil)
	localSMTP(t, db, srv.port)

	rep, stderr := sendJSON(t, "--db", db)
	if rep["sent"] != 1 || rep["remaining"] != 0 {
		t.Fatalf("report %v, want only the untouched message sent", rep)
	}
	if !strings.Contains(stderr, "2 messages étaient «\u00a0en cours d'envoi\u00a0»") {
		t.Errorf("with --json the notice about interrupted messages goes to stderr; got %q", stderr)
	}
	if len(srv.IDs()) != 1 {
		t.Fatalf("server took %v", srv.IDs())
	}
	list := decodeJSON(t, must(t, "--db", db, "outbox", "--state", "unknown", "--format", "json"))
	if len(list) != 2 || !strings.Contains(list[0]["last_error"].(string), "Marquer comme envoyé") {
		t.Fatalf("unknown list %v", list)
	}
	must(t, "--db", db, "outbox", "mark-sent", strconv.FormatInt(msgs[0].ID, 10))
	out := must(t, "--db", db, "outbox", "resend", "--unknown")
	if !strings.Contains(out, "1 message remis en attente") {
		t.Errorf("resend --unknown said %q", out)
	}
	if rep, _ := sendJSON(t, "--db", db); rep["sent"] != 1 {
		t.Errorf("after resend: %v", rep)
	}
	seen := srv.IDs()
	if seen[msgs[0].MessageID] != 0 || seen[msgs[1].MessageID] != 1 {
		t.Errorf("server took %v: the one marked as sent must not go, the re-sent one once", seen)
	}
}

func TestSMTPCommands(t *testing.T) {
	t.Setenv(secret.EnvPassword, "")
	db := tempDB(t)

	t.Run("clear text is refused for a remote server and nothing is saved", func(t *testing.T) {
		stderr := fails(t, exitFailure, "--db", db, "smtp", "set", "--host", "smtp.exemple.fr", "--port", "25", "--security", "none", "--from", "formation@exemple.fr")
		if !strings.Contains(stderr, "localhost") || !strings.Contains(stderr, "Rien n'a été enregistré") {
			t.Errorf("stderr %q", stderr)
		}
		if out := must(t, "--db", db, "smtp", "show"); !strings.Contains(out, "Aucun serveur SMTP") {
			t.Errorf("show after a refused set:\n%s", out)
		}
	})

	t.Run("set then show, options left out keep their value", func(t *testing.T) {
		must(t, "--db", db, "smtp", "set", "--host", "smtp.exemple.fr", "--port", "587", "--security", "starttls",
			"--from", "formation@exemple.fr", "--from-name", "Service formation", "--user", "formation", "--rate", "30")
		must(t, "--db", db, "smtp", "set", "--reply-to", "ne-pas-repondre@exemple.fr")
		out := must(t, "--db", db, "smtp", "show")
		for _, want := range []string{"smtp.exemple.fr:587", "STARTTLS", "formation@exemple.fr", "Service formation", "ne-pas-repondre@exemple.fr", "30 e-mails par minute"} {
			if !strings.Contains(out, want) {
				t.Errorf("show lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("the environment password is used and never shown", func(t *testing.T) {
		t.Setenv(secret.EnvPassword, "très secret")
		out := must(t, "--db", db, "smtp", "show")
		if strings.Contains(out, "très secret") || !strings.Contains(out, secret.EnvPassword) {
			t.Errorf("show:\n%s", out)
		}
	})

	t.Run("an empty password on stdin is refused", func(t *testing.T) {
		var o, e bytes.Buffer
		code := run([]string{"--db", db, "smtp", "set", "--password-stdin"}, strings.NewReader(""), &o, &e)
		if code != exitFailure || !strings.Contains(e.String(), "vide") {
			t.Errorf("exit %d, stderr %q", code, e.String())
		}
	})

	t.Run("smtp test reaches a local server and sends nothing", func(t *testing.T) {
		srv := startRecordingServer(t, 0, nil)
		db := tempDB(t)
		localSMTP(t, db, srv.port)
		if out := must(t, "--db", db, "smtp", "test"); !strings.Contains(out, "Connexion réussie") {
			t.Errorf("output %q", out)
		}
		if len(srv.IDs()) != 0 {
			t.Error("the connection test sent a message")
		}
		// the Test template as the manager edited it
		st, err := sqlite.Open(db)
		if err != nil {
			t.Fatal(err)
		}
		err = core.MailTemplates{Store: st, Defaults: assets.DefaultMailTemplate}.Save(context.Background(),
			core.MailTemplate{Kind: core.KindTest, Lang: core.LangFR, Subject: "Notre essai d'envoi", Body: "Bonjour,\n\nCeci est notre essai.\n"})
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		out := must(t, "--db", db, "smtp", "test", "--to", "responsable@exemple.fr")
		if !strings.Contains(out, "directement") || len(srv.IDs()) != 1 {
			t.Errorf("output %q, server took %d", out, len(srv.IDs()))
		}
		srv.mu.Lock()
		subjects := srv.subjects
		srv.mu.Unlock()
		if len(subjects) != 1 || subjects[0] != "Notre essai d'envoi" {
			t.Errorf("the test e-mail's subject is %q, not the edited template's", subjects)
		}
		if n := len(stored(t, db)); n != 0 {
			t.Errorf("the test e-mail went through the outbox (%d messages)", n)
		}
	})

	t.Run("every command has French help", func(t *testing.T) {
		for _, args := range [][]string{{"smtp", "--help"}, {"smtp", "set", "--help"}, {"smtp", "test", "-h"}, {"help", "smtp", "show"},
			{"outbox", "--help"}, {"outbox", "resend", "--help"}, {"help", "send"}, {"send", "--help"}} {
			out := must(t, args...)
			if !strings.Contains(out, "Utilisation\u00a0:") || strings.Contains(out, " :") {
				t.Errorf("%v help:\n%s", args, out)
			}
		}
	})
}

func TestThePasswordGoesToTheKeyringOrIsRefusedWithoutOne(t *testing.T) {
	t.Setenv(secret.EnvPassword, "")
	keyring.MockInit()
	t.Cleanup(func() { keyring.MockInitWithError(errors.New("no keyring in tests")) })
	db := tempDB(t)
	setWithPassword := func(pw string, args ...string) result {
		var o, e bytes.Buffer
		code := run(append([]string{"--db", db, "smtp", "set", "--password-stdin"}, args...), strings.NewReader(pw+"\n"), &o, &e)
		return result{code, o.String(), e.String()}
	}

	r := setWithPassword("mot de passe é", "--host", "smtp.exemple.fr", "--port", "587", "--security", "starttls",
		"--from", "formation@exemple.fr", "--user", "formation")
	if r.code != exitOK || !strings.Contains(r.stdout, "trousseau") {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if pw, err := secret.Load(secret.Account("formation", "smtp.exemple.fr")); err != nil || pw != "mot de passe é" {
		t.Fatalf("keyring holds %q, %v", pw, err)
	}
	if out := must(t, "--db", db, "smtp", "show"); !strings.Contains(out, "dans le trousseau") || strings.Contains(out, "mot de passe é") {
		t.Errorf("show:\n%s", out)
	}
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	var leaked int
	for _, k := range []string{"smtp.host", "smtp.user", "smtp.from", "smtp.password"} {
		if v, _ := st.Setting(context.Background(), k); strings.Contains(v, "mot de passe") {
			leaked++
		}
	}
	st.Close()
	if leaked > 0 {
		t.Error("the password is in the settings table")
	}

	t.Run("a new server takes the password along", func(t *testing.T) {
		must(t, "--db", db, "smtp", "set", "--host", "mail.exemple.fr")
		if pw, err := secret.Load(secret.Account("formation", "mail.exemple.fr")); err != nil || pw != "mot de passe é" {
			t.Errorf("under the new server: %q, %v", pw, err)
		}
		if _, err := secret.Load(secret.Account("formation", "smtp.exemple.fr")); !secret.IsNotFound(err) {
			t.Errorf("the old entry is still there: %v", err)
		}
	})

	t.Run("without a keyring the password is refused and nothing changes", func(t *testing.T) {
		keyring.MockInitWithError(errors.New("org.freedesktop.secrets was not provided by any .service files"))
		r := setWithPassword("autre", "--host", "smtp.ailleurs.fr")
		if r.code != exitFailure || !strings.Contains(r.stderr, secret.EnvPassword) || !strings.Contains(r.stderr, "rien n'a été modifié") {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
		if out := must(t, "--db", db, "smtp", "show"); !strings.Contains(out, "mail.exemple.fr") {
			t.Errorf("the server changed although the command failed:\n%s", out)
		}
	})
}

// A scheduled send while the window sends from the same file leaves the window's
// message in flight alone, sends nothing, says why and exits 0.
func TestSendWhileAnotherProgramSends(t *testing.T) {
	t.Setenv(secret.EnvPassword, "")
	db := tempDB(t)
	msgs := queue(t, db, 3)
	srv := startRecordingServer(t, 0, nil)
	localSMTP(t, db, srv.port)
	window, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer window.Close()
	ctx := context.Background()
	if ok, _, err := window.HoldSending(ctx); !ok || err != nil {
		t.Fatalf("hold: %v", err)
	}
	if ok, err := window.MarkSending(ctx, msgs[0].ID, time.Now()); !ok || err != nil {
		t.Fatalf("claim: %v", err)
	}
	r := convive(t, "--db", db, "send", "--json")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("send --json printed %q: %v", r.stdout, err)
	}
	if rep["sent"] != 0.0 || rep["remaining"] != 2.0 || !strings.Contains(fmt.Sprint(rep["busy"]), "Un autre programme Convive envoie déjà") {
		t.Errorf("report %v", rep)
	}
	if !strings.Contains(r.stderr, "Un autre programme Convive envoie déjà") || strings.Contains(r.stderr, "en cours d'envoi") {
		t.Errorf("stderr %q", r.stderr)
	}
	if len(srv.IDs()) != 0 {
		t.Errorf("server took %v", srv.IDs())
	}
	if m := stored(t, db)[0]; m.State != core.MessageSending {
		t.Errorf("the window's message in flight became %s", m.State)
	}
}
