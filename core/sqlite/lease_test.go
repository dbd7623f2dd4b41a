package sqlite_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"convive/core"
	"convive/core/sqlite"
)

func TestOneProgramSendsAtATime(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "convive.db")
	open2 := func() *sqlite.Store {
		s, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open2(), open2()
	if err := a.Enqueue(ctx, core.Message{Kind: core.KindInvitation, To: "anne@exemple.fr", Subject: "Invitation", Text: "Bonjour"}); err != nil {
		t.Fatal(err)
	}
	m, err := a.NextDue(ctx, time.Now().Add(time.Second))
	if err != nil || m == nil {
		t.Fatalf("next due: %v %v", m, err)
	}

	if ok, _, err := a.HoldSending(ctx); !ok || err != nil {
		t.Fatalf("the first program could not hold the sending: %v", err)
	}
	if ok, err := a.MarkSending(ctx, m.ID, time.Now()); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}

	t.Run("a second program neither sends nor takes the message in flight for an interrupted one", func(t *testing.T) {
		ok, who, err := b.HoldSending(ctx)
		if ok || err != nil || !strings.Contains(who, "Un autre programme Convive envoie déjà") || !strings.Contains(who, "Processus") {
			t.Errorf("second hold: %v %q %v", ok, who, err)
		}
		if n, err := b.RecoverSending(ctx); n != 0 || err != nil {
			t.Errorf("RecoverSending while another program sends: %d, %v", n, err)
		}
		if got, _ := b.OutboxMessage(ctx, m.ID); got.State != core.MessageSending {
			t.Errorf("the message in flight is now %s", got.State)
		}
	})

	t.Run("once the first lets go, the second sends, and what it left in sending is recovered", func(t *testing.T) {
		if err := a.ReleaseSending(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := b.RecoverSending(ctx); n != 1 || err != nil {
			t.Errorf("RecoverSending: %d, %v", n, err)
		}
		if ok, _, err := b.HoldSending(ctx); !ok || err != nil {
			t.Errorf("hold after release: %v %v", ok, err)
		}
		if err := b.ReleaseSending(ctx); err != nil {
			t.Fatal(err)
		}
	})

	hold := func(l map[string]any) {
		v, _ := json.Marshal(l)
		if err := a.SetSetting(ctx, "outbox.sender", string(v)); err != nil {
			t.Fatal(err)
		}
	}
	host, _ := os.Hostname()

	t.Run("a holder whose process is gone holds nothing, and what it left in sending is recovered", func(t *testing.T) {
		cmd := exec.Command("true")
		if err := cmd.Run(); err != nil {
			t.Skip("no true command:", err)
		}
		if err := a.Enqueue(ctx, core.Message{Kind: core.KindInvitation, To: "zoe@exemple.fr", Subject: "Invitation", Text: "Bonjour"},
			core.Message{Kind: core.KindInvitation, To: "paul@exemple.fr", Subject: "Invitation", Text: "Bonjour"}); err != nil {
			t.Fatal(err)
		}
		left, err := a.NextDue(ctx, time.Now().Add(time.Second))
		if err != nil || left == nil {
			t.Fatalf("next due: %v %v", left, err)
		}
		if ok, err := a.MarkSending(ctx, left.ID, time.Now()); !ok || err != nil {
			t.Fatalf("claim: %v %v", ok, err)
		}
		hold(map[string]any{"id": "parti", "host": host, "pid": cmd.Process.Pid, "until": time.Now().Add(time.Hour).UnixMilli()})
		if ok, who, err := b.HoldSending(ctx); !ok || err != nil {
			t.Errorf("hold over a dead process: %v %q %v", ok, who, err)
		}
		if got, _ := b.OutboxMessage(ctx, left.ID); got.State != core.MessageUnknown {
			t.Errorf("the message the gone program left in sending is %s", got.State)
		}
		// renewing its own hold recovers nothing: the message in flight is its own
		if ok, err := b.MarkSending(ctx, msgs(t, b)[0], time.Now()); !ok || err != nil {
			t.Fatalf("claim: %v %v", ok, err)
		}
		if ok, _, err := b.HoldSending(ctx); !ok || err != nil {
			t.Fatalf("renewal: %v", err)
		}
		if n := countState(t, b, core.MessageSending); n != 1 {
			t.Errorf("%d messages in sending after a renewal, want its own one", n)
		}
		if err := b.ReleaseSending(ctx); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a holder that stopped renewing holds nothing", func(t *testing.T) {
		hold(map[string]any{"id": "ailleurs", "host": "autre-machine", "pid": 1, "until": time.Now().Add(-time.Second).UnixMilli()})
		if ok, who, err := b.HoldSending(ctx); !ok || err != nil {
			t.Errorf("hold over an expired lease: %v %q %v", ok, who, err)
		}
	})

	t.Run("a live holder on another machine keeps it until its expiry", func(t *testing.T) {
		hold(map[string]any{"id": "ailleurs", "host": "autre-machine", "pid": 1, "until": time.Now().Add(time.Minute).UnixMilli()})
		if ok, who, _ := b.HoldSending(ctx); ok || !strings.Contains(who, "autre-machine") {
			t.Errorf("hold over a live lease elsewhere: %v %q", ok, who)
		}
	})
}

// msgs returns the ids of the queued messages.
func msgs(t *testing.T, s *sqlite.Store) []int64 {
	t.Helper()
	list, err := s.Outbox(context.Background(), core.OutboxFilter{States: []core.MessageState{core.MessageQueued}})
	if err != nil || len(list) == 0 {
		t.Fatalf("queued: %v %v", list, err)
	}
	var ids []int64
	for _, m := range list {
		ids = append(ids, m.ID)
	}
	return ids
}

func countState(t *testing.T, s *sqlite.Store, state core.MessageState) int {
	t.Helper()
	n, err := s.CountOutbox(context.Background(), core.OutboxFilter{States: []core.MessageState{state}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
