package core

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"
)

// Lifetimes of the one-time links.
const (
	WelcomeTokenTTL = 14 * 24 * time.Hour // a welcome link to choose a password
	ResetTokenTTL   = 3 * 24 * time.Hour  // a password-reset link
)

// NeverExpires is the expiry stored for an invitation's link: an invitation is valid
// until it is cancelled (31/12/9999).
var NeverExpires = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// Token is a one-time secret for a link in a mail. Only Hash is stored; Secret leaves
// in the mail and nowhere else.
type Token struct {
	Secret string   // 256 random bits, base64url without padding: 43 characters
	Hash   [32]byte // SHA-256 of Secret
}

// NewToken draws a token from crypto/rand.
func NewToken() (Token, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Token{}, Errorf(EInternal, "token.random", "Le système n'a pas fourni de nombre aléatoire pour le lien du message.", nil).Wrap(err)
	}
	s := base64.RawURLEncoding.EncodeToString(b[:])
	return Token{Secret: s, Hash: HashToken(s)}, nil
}

// HashToken returns the SHA-256 of a token, the form it is kept and looked up in.
func HashToken(secret string) [32]byte { return sha256.Sum256([]byte(secret)) }
