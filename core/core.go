// Package core holds Convive's domain: the types a training manager works with
// (organisation, groups, users, courses, sessions, invitations, outbox messages,
// import batches, audit entries) and the rules that apply to them.
//
// Adapters live in sub-packages named after what they wrap (sqlite, sheet, smtp);
// core itself never imports them, nor any GUI toolkit.
package core

import (
	"bytes"
	"errors"
	"fmt"
	"text/template"
)

// Error codes shared by every layer. The GUI and the command line pick their wording
// from the code and the key; the log keeps the wrapped detail.
const (
	EInvalid   = "invalid"   // input rejected by a rule
	EConflict  = "conflict"  // would break a uniqueness or tree rule
	ENotFound  = "not_found" // the thing asked for does not exist
	ESchema    = "schema"    // the database cannot be used by this binary
	EInternal  = "internal"  // anything else: a bug or the system failing
	ECancelled = "cancelled" // the manager stopped the work
)

// Error is the error every core service returns for a condition a person can act on.
// Message is a French text/template (the fallback of the translation key Key) filled
// with Data; Error() renders it, so the command line prints French as it is.
type Error struct {
	Code    string
	Key     string
	Message string
	Data    map[string]any
	Err     error // underlying cause, for the log only
}

// Errorf builds an *Error. message is a French template using {{.Name}} fields of data.
func Errorf(code, key, message string, data map[string]any) *Error {
	return &Error{Code: code, Key: key, Message: message, Data: data}
}

// Wrap returns a copy of e that carries err as its cause.
func (e *Error) Wrap(err error) *Error {
	c := *e
	c.Err = err
	return &c
}

func (e *Error) Error() string { return Render(e.Message, e.Data) }

// Unwrap gives errors.Is and errors.As access to the cause.
func (e *Error) Unwrap() error { return e.Err }

// Render fills a {{.Name}} template with data; a broken template is returned as is
// rather than hiding the message.
func Render(message string, data map[string]any) string {
	if data == nil {
		return message
	}
	t, err := template.New("").Option("missingkey=zero").Parse(message)
	if err != nil {
		return message
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return message
	}
	return b.String()
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EInternal
}

// ErrorMessage returns the French sentence for err: the *Error's rendered message, or a
// generic sentence for unexpected failures (whose detail belongs in the log).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return fmt.Sprintf("Une erreur inattendue s'est produite (%v).", err)
}
