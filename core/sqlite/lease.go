package sqlite

// The sending lease: one program at a time sends from a database (core.SendingLease).
// The holder is written in the settings with its host, its process and an expiry it
// renews while it sends; a holder whose process is gone from this machine, or whose
// expiry has passed, holds nothing.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"os"
	"time"

	"convive/core"
)

const (
	keySender = "outbox.sender"
	// senderTTL is how long a hold lasts without renewal (core renews every 30 s).
	senderTTL = 2 * time.Minute
)

// senderLease is the holder of the sending, as stored.
type senderLease struct {
	ID    string `json:"id"`
	Host  string `json:"host"`
	PID   int    `json:"pid"`
	Until int64  `json:"until"` // unix milliseconds
}

// newSenderID names one open Store: two stores of one process are two senders.
func newSenderID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func hostName() string {
	h, _ := os.Hostname()
	return h
}

// live reports whether l still holds the sending.
func (l senderLease) live() bool {
	if l.ID == "" || time.Now().UnixMilli() >= l.Until {
		return false
	}
	return l.Host != hostName() || processAlive(l.PID)
}

// currentSender reads the holder of the sending.
func (s *Store) currentSender(ctx context.Context, tx *sql.Tx) (senderLease, error) {
	var l senderLease
	v, err := s.setting(ctx, tx, keySender)
	if err != nil || v == "" {
		return l, err
	}
	if json.Unmarshal([]byte(v), &l) != nil {
		return senderLease{}, nil // unreadable: nobody holds it
	}
	return l, nil
}

// busySender says in French that another program sends.
func busySender(l senderLease) string {
	return core.Render("Un autre programme Convive envoie déjà les e-mails de cette base (un envoi programmé, par exemple)\u00a0: ils partiront de là, et l'envoi reprendra ici quand il aura fini. Processus {{.PID}} sur «\u00a0{{.Host}}\u00a0».",
		map[string]any{"PID": l.PID, "Host": l.Host})
}

// HoldSending makes this store the one that sends for senderTTL, or renews its hold,
// unless another live program holds it (core.SendingLease). Taking the sending over,
// it first turns what a stopped program left in "sending" into "unknown".
func (s *Store) HoldSending(ctx context.Context) (bool, string, error) {
	ok, who := false, ""
	err := s.write(ctx, func(tx *sql.Tx) error {
		l, err := s.currentSender(ctx, tx)
		if err != nil {
			return err
		}
		if l.ID != s.senderID && l.live() {
			ok, who = false, busySender(l)
			return nil
		}
		if l.ID != s.senderID {
			// Taking the sending over: what a program that is gone left in "sending"
			// was interrupted (the window may have opened before it stopped).
			if _, err := s.recoverSending(ctx, tx); err != nil {
				return err
			}
		}
		b, err := json.Marshal(senderLease{ID: s.senderID, Host: hostName(), PID: os.Getpid(), Until: time.Now().Add(senderTTL).UnixMilli()})
		if err != nil {
			return err
		}
		ok = true
		return setSetting(ctx, tx, keySender, string(b))
	})
	return ok, who, err
}

// ReleaseSending gives up this store's hold on the sending, if it has it.
func (s *Store) ReleaseSending(ctx context.Context) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		l, err := s.currentSender(ctx, tx)
		if err != nil || l.ID != s.senderID {
			return err
		}
		return setSetting(ctx, tx, keySender, "")
	})
}
