package sqlite

// The outbox: every mail waits here until it is sent. The dispatcher (core.Dispatcher)
// moves a message queued → sending → sent | failed | unknown, each step one committed
// transaction with its audit row; the manager cancels, re-sends, marks as sent or
// corrects a recipient. At start-up, before sending anything, the window and
// `convive send` call RecoverSending: a message found in "sending" was interrupted by a
// crash and becomes "unknown" (there can be two: the dispatcher claims the next message
// while one is with the server). Open does not do it, so that opening a file to read it
// changes nothing.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"convive/core"
)

// Settings keys of the SMTP server. The password is never stored here.
const (
	keySMTPHost        = "smtp.host"
	keySMTPPort        = "smtp.port"
	keySMTPSecurity    = "smtp.security"
	keySMTPAuth        = "smtp.auth"
	keySMTPUser        = "smtp.user"
	keySMTPFrom        = "smtp.from"
	keySMTPFromName    = "smtp.from_name"
	keySMTPReplyTo     = "smtp.reply_to"
	keySMTPRate        = "smtp.rate"
	keySMTPMaxAttempts = "smtp.max_attempts"
	keySMTPAuto        = "smtp.auto"
)

// messageCols are the columns scanMessage reads, in order.
const messageCols = `id, kind, to_addr, subject, text_body, html_body, message_id, due, state, attempts,
	next_attempt, last_error, coalesce(invitation_id, 0), coalesce(user_id, 0), created, sent_at`

func scanMessage(sc interface{ Scan(...any) error }) (core.Message, error) {
	var m core.Message
	var due, next, created, sent sql.NullInt64
	err := sc.Scan(&m.ID, &m.Kind, &m.To, &m.Subject, &m.Text, &m.HTML, &m.MessageID, &due, &m.State, &m.Attempts,
		&next, &m.LastError, &m.InvitationID, &m.UserID, &created, &sent)
	m.Due, m.NextAttempt, m.Created, m.Sent = fromMillis(due), fromMillis(next), fromMillis(created), fromMillis(sent)
	return m, err
}

func messageNotFound(id int64) *core.Error {
	return core.Errorf(core.ENotFound, "outbox.not_found",
		"Le message n° {{.ID}} n'existe pas dans la boîte d'envoi. Vérifiez son numéro avec : convive outbox",
		map[string]any{"ID": id})
}

// millis stores t as unix milliseconds; the zero time is NULL.
func millis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// stateLabel is the French name of a message state, in sentences.
func stateLabel(st core.MessageState) string {
	switch st {
	case core.MessageQueued:
		return "en attente"
	case core.MessageSending:
		return "en cours d'envoi"
	case core.MessageSent:
		return "envoyé"
	case core.MessageFailed:
		return "en échec"
	case core.MessageUnknown:
		return "à vérifier"
	case core.MessageCancelled:
		return "annulé"
	}
	return string(st)
}

// recovered is the error of a message found in "sending" at start-up: it was with the
// server, or claimed to go next and perhaps never started; the text is true of both.
const recovered = "Convive s'est arrêté alors que ce message partait ou allait partir (plantage, arrêt forcé ou coupure de courant)\u00a0: il a peut-être été reçu. Vérifiez auprès du destinataire, puis choisissez «\u00a0Renvoyer\u00a0» ou «\u00a0Marquer comme envoyé\u00a0»."

// Enqueue puts messages in the outbox, in one transaction: all or none. Each one is
// checked (recipient validated by core.ParseAddress and stored as its delivery address,
// subject and text present), gets its Message-ID now unless it has one (random, at the
// domain of the sender address set in the SMTP settings), is due at m.Due (now when
// zero) and starts queued. Each is audited.
func (s *Store) Enqueue(ctx context.Context, msgs ...core.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := s.enqueueTx(ctx, tx, msgs...)
		return err
	})
}

// enqueueTx is Enqueue inside the caller's transaction, for the code that creates
// invitations or imports users: the mail is queued if and only if the rest commits. It
// returns the new messages' ids.
func (s *Store) enqueueTx(ctx context.Context, tx *sql.Tx, msgs ...core.Message) ([]int64, error) {
	domain, err := s.senderDomain(ctx, tx)
	if err != nil {
		return nil, err
	}
	t := now()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO outbox (kind, to_addr, subject, text_body, html_body, message_id,
		due, state, fold, invitation_id, user_id, created, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	defer ins.Close()
	aud, err := s.auditWriter(ctx, tx)
	if err != nil {
		return nil, err
	}
	defer aud.Close()
	ids := make([]int64, 0, len(msgs))
	for i, m := range msgs {
		m, err := checkMessage(m, i, len(msgs))
		if err != nil {
			return nil, err
		}
		if m.MessageID == "" {
			m.MessageID = core.NewMessageID(domain)
		}
		due := t
		if !m.Due.IsZero() {
			due = m.Due.UnixMilli()
		}
		res, err := ins.ExecContext(ctx, string(m.Kind), m.To, m.Subject, m.Text, m.HTML, m.MessageID, due,
			core.Fold(m.To+" "+m.Subject), nullID(m.InvitationID), nullID(m.UserID), t, t)
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE") {
				return nil, core.Errorf(core.EConflict, "outbox.message_id",
					"Le Message-ID «\u00a0{{.ID}}\u00a0» est déjà celui d'un autre message de la boîte d'envoi\u00a0: chaque message doit avoir le sien.",
					map[string]any{"ID": m.MessageID}).Wrap(err)
			}
			return nil, err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
		if err := aud.write(ctx, t, "outbox.enqueue", "message", id, change{After: map[string]any{
			"kind": m.Kind, "to": m.To, "subject": m.Subject, "message_id": m.MessageID, "due": due,
		}}); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// checkMessage validates one message to enqueue; i and n name it in the error when
// several are enqueued together.
func checkMessage(m core.Message, i, n int) (core.Message, error) {
	where := ""
	if n > 1 {
		where = fmt.Sprintf(" (message %d sur %d)", i+1, n)
	}
	switch m.Kind {
	case core.KindInvitation, core.KindWelcome, core.KindSession, core.KindReset, core.KindTest:
	default:
		return m, core.Errorf(core.EInvalid, "outbox.kind", "Le type de message «\u00a0{{.Kind}}\u00a0» est inconnu{{.Where}}.",
			map[string]any{"Kind": string(m.Kind), "Where": where})
	}
	a, err := core.ParseAddress(m.To)
	if err != nil {
		return m, core.Errorf(core.EInvalid, "outbox.to", "Destinataire{{.Where}}\u00a0: {{.Reason}}",
			map[string]any{"Where": where, "Reason": core.ErrorMessage(err)}).Wrap(err)
	}
	m.To = a.Email
	m.Subject = strings.TrimSpace(m.Subject)
	if m.Subject == "" {
		return m, core.Errorf(core.EInvalid, "outbox.subject", "Le message pour «\u00a0{{.To}}\u00a0» n'a pas d'objet{{.Where}}.",
			map[string]any{"To": m.To, "Where": where})
	}
	if strings.TrimSpace(m.Text) == "" && strings.TrimSpace(m.HTML) == "" {
		return m, core.Errorf(core.EInvalid, "outbox.body", "Le message pour «\u00a0{{.To}}\u00a0» n'a pas de texte{{.Where}}.",
			map[string]any{"To": m.To, "Where": where})
	}
	m.MessageID = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(m.MessageID), "<"), ">")
	return m, nil
}

// senderDomain is the domain Message-IDs are made at: the sender address's, else the
// platform's, else "localhost".
func (s *Store) senderDomain(ctx context.Context, q querier) (string, error) {
	from, err := s.setting(ctx, q, keySMTPFrom)
	if err != nil {
		return "", err
	}
	if a, err := core.ParseAddress(from); err == nil {
		_, d, _ := strings.Cut(a.Key, "@")
		return d, nil
	}
	u, err := s.setting(ctx, q, keyOrgURL)
	if err != nil {
		return "", err
	}
	if pu, err := url.Parse(u); err == nil && pu.Hostname() != "" && strings.Contains(pu.Hostname(), ".") {
		return pu.Hostname(), nil
	}
	return "localhost", nil
}

// RecoverSending turns every message left in "sending" into "unknown": the process that
// was sending it stopped before the result was recorded, so the server may or may not
// have it (one of them may have been claimed and not started yet: nothing tells which,
// so the manager decides for each). It returns how many there were. Call it once when the window opens or
// `convive send` starts, before sending anything. While another program holds the
// sending (HoldSending), it touches nothing: that program's message in "sending" is
// in flight, not interrupted.
func (s *Store) RecoverSending(ctx context.Context) (int, error) {
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		// Another program that is sending right now holds its own message in
		// "sending": that one was not interrupted.
		if l, err := s.currentSender(ctx, tx); err != nil || (l.ID != s.senderID && l.live()) {
			return err
		}
		var err error
		n, err = s.recoverSending(ctx, tx)
		return err
	})
	return n, err
}

// recoverSending turns the messages in "sending" into "unknown", in tx; the caller has
// made sure that no live program is sending.
func (s *Store) recoverSending(ctx context.Context, tx *sql.Tx) (int, error) {
	ids, err := idsWhere(ctx, tx, `SELECT id FROM outbox WHERE state = 'sending' ORDER BY id`)
	if err != nil {
		return 0, err
	}
	t := now()
	for _, id := range ids {
		var since int64
		if err := tx.QueryRowContext(ctx, `SELECT updated FROM outbox WHERE id = ?`, id).Scan(&since); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'unknown', last_error = ?, updated = ? WHERE id = ?`, recovered, t, id); err != nil {
			return 0, err
		}
		c := stateChange(core.MessageSending, core.MessageUnknown)
		c.Before["since"] = since
		if err := s.audit(ctx, tx, t, "outbox.recover", "message", id, c); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

func stateChange(from, to core.MessageState) change {
	return change{Before: map[string]any{"state": from}, After: map[string]any{"state": to}}
}

func idsWhere(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// dueQuery selects the queued messages that may be sent at ?1: due, and past their
// next attempt.
const dueWhere = `state = 'queued' AND due <= ?1 AND coalesce(next_attempt, 0) <= ?1`

// NextDue returns the oldest queued message that is due and whose next attempt has
// come, or nil when there is none.
func (s *Store) NextDue(ctx context.Context, at time.Time) (*core.Message, error) {
	m, err := nextDue(ctx, s.r, at)
	return m, s.dbError(err)
}

var nextDueSQL = `SELECT ` + messageCols + ` FROM outbox WHERE ` + dueWhere + ` ORDER BY due, id LIMIT 1`

func nextDue(ctx context.Context, q querier, at time.Time) (*core.Message, error) {
	return scanDue(q.QueryRowContext(ctx, nextDueSQL, at.UnixMilli()))
}

func scanDue(row *sql.Row) (*core.Message, error) {
	m, err := scanMessage(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// MarkSending moves a queued message to "sending", committed before the SMTP
// conversation starts. It returns false when the message is no longer queued (the
// manager cancelled it or changed it meanwhile). The attempt is audited once, with its
// result ("since" is when it was committed as sending).
func (s *Store) MarkSending(ctx context.Context, id int64, at time.Time) (bool, error) {
	ok := false
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		ok, err = s.markSending(ctx, tx, id, at)
		return err
	})
	return ok, err
}

func (s *Store) markSending(ctx context.Context, tx *sql.Tx, id int64, at time.Time) (bool, error) {
	res, err := s.execTx(ctx, tx, updateSendingSQL, at.UnixMilli(), id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	// The audit row of the attempt is written with its result (or by RecoverSending),
	// with the time "sending" was committed: one row per attempt, not two, on the path
	// where every commit counts.
	return n == 1, err
}

// MarkResult records the end of an attempt on a message in "sending": its new state,
// whether the attempt counts, when to try again (queued only) and the French error.
// A message sent for an invitation dates the invitation's last mail.
func (s *Store) MarkResult(ctx context.Context, id int64, state core.MessageState, counted bool, next time.Time, lastError string, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		return s.markResult(ctx, tx, id, state, counted, next, lastError, at)
	})
}

func (s *Store) markResult(ctx context.Context, tx *sql.Tx, id int64, state core.MessageState, counted bool, next time.Time, lastError string, at time.Time) error {
	switch state {
	case core.MessageQueued, core.MessageSent, core.MessageFailed, core.MessageUnknown:
	default:
		return fmt.Errorf("outbox: %q is not the result of an attempt", state)
	}
	t := at.UnixMilli()
	var started sql.NullInt64
	if err := s.queryRowTx(ctx, tx, selectSendingSinceSQL, id).Scan(&started); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	inc := 0
	if counted {
		inc = 1
	}
	var sentAt, nextAt any
	if state == core.MessageSent {
		sentAt, lastError = t, ""
	}
	if state == core.MessageQueued {
		nextAt = millis(next)
	}
	res, err := s.execTx(ctx, tx, updateResultSQL, string(state), inc, nextAt, lastError, sentAt, t, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return core.Errorf(core.EConflict, "outbox.not_sending",
			"Le résultat de l'envoi du message n° {{.ID}} n'a pas pu être enregistré\u00a0: il n'était plus «\u00a0en cours d'envoi\u00a0». Un autre programme Convive envoie-t-il en même temps\u00a0?",
			map[string]any{"ID": id})
	}
	if state == core.MessageSent {
		if _, err := s.execTx(ctx, tx, updateInvitationSentSQL, t, id); err != nil {
			return err
		}
	}
	c := stateChange(core.MessageSending, state)
	c.Before["since"] = started.Int64
	c.After["counted"] = counted
	if lastError != "" {
		c.After["error"] = lastError
	}
	if nextAt != nil {
		c.After["next_attempt"] = nextAt
	}
	return s.audit(ctx, tx, t, "outbox."+resultAction(state, counted), "message", id, c)
}

// The statements of a state change, prepared once (Store.hot).
const (
	updateSendingSQL        = `UPDATE outbox SET state = 'sending', updated = ? WHERE id = ? AND state = 'queued'`
	selectSendingSinceSQL   = `SELECT updated FROM outbox WHERE id = ? AND state = 'sending'`
	updateResultSQL         = `UPDATE outbox SET state = ?, attempts = attempts + ?, next_attempt = ?, last_error = ?, sent_at = ?, updated = ? WHERE id = ? AND state = 'sending'`
	updateInvitationSentSQL = `UPDATE invitations SET last_sent = ? WHERE id = (SELECT invitation_id FROM outbox WHERE id = ?)`
)

func resultAction(state core.MessageState, counted bool) string {
	switch {
	case state == core.MessageQueued && !counted:
		return "paused"
	case state == core.MessageQueued:
		return "retry"
	}
	return string(state)
}

// MarkResultClaim records the result of the attempt on id (unless id is 0) and moves
// the queued message claim to "sending" (unless claim is 0), in one transaction
// (core.OutboxClaimer): the result is committed before the next message can leave, and
// the next message is committed as "sending" before it can, with one commit per
// message. It returns false when claim was no longer queued.
func (s *Store) MarkResultClaim(ctx context.Context, id int64, state core.MessageState, counted bool, next time.Time, lastError string, at time.Time, claim int64) (bool, error) {
	ok := false
	err := s.write(ctx, func(tx *sql.Tx) error {
		ok = false
		if id != 0 {
			if err := s.markResult(ctx, tx, id, state, counted, next, lastError, at); err != nil {
				return err
			}
		}
		if claim == 0 {
			return nil
		}
		var err error
		ok, err = s.markSending(ctx, tx, claim, at)
		return err
	})
	return ok, err
}

// MarkResultClaimNext records the result of the attempt on id (unless id is 0), then
// moves the oldest due message to "sending" and returns it as stored, nil when none is
// due, in one transaction (core.NextClaimer): one commit per message, and the message
// sent is the one the file holds at its claim. The dispatcher runs it while the message
// after id is with the server, so that the commit overlaps that conversation.
func (s *Store) MarkResultClaimNext(ctx context.Context, id int64, state core.MessageState, counted bool, next time.Time, lastError string, at time.Time) (*core.Message, error) {
	var m *core.Message
	err := s.write(ctx, func(tx *sql.Tx) error {
		m = nil
		if id != 0 {
			if err := s.markResult(ctx, tx, id, state, counted, next, lastError, at); err != nil {
				return err
			}
		}
		due, err := scanDue(s.queryRowTx(ctx, tx, nextDueSQL, at.UnixMilli()))
		if err != nil || due == nil {
			return err
		}
		ok, err := s.markSending(ctx, tx, due.ID, at)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("outbox: message %d left the queue inside its claim", due.ID)
		}
		due.State = core.MessageSending
		m = due
		return nil
	})
	return m, err
}

// OutboxDue counts the queued messages that may be sent at the given time, and returns
// the earliest time a queued message becomes sendable (zero when none is queued).
func (s *Store) OutboxDue(ctx context.Context, at time.Time) (int, time.Time, error) {
	var due int
	var next sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM outbox WHERE `+dueWhere+`),
		(SELECT min(max(due, coalesce(next_attempt, 0))) FROM outbox WHERE state = 'queued')`, at.UnixMilli()).Scan(&due, &next)
	if err != nil {
		return 0, time.Time{}, s.dbError(err)
	}
	return due, fromMillis(next), nil
}

// OutboxCounts returns the number of messages in each state, how many are due at the
// given time and when the next one becomes sendable.
func (s *Store) OutboxCounts(ctx context.Context, at time.Time) (core.OutboxCounts, error) {
	var c core.OutboxCounts
	rows, err := s.r.QueryContext(ctx, `SELECT state, count(*) FROM outbox GROUP BY state`)
	if err != nil {
		return c, s.dbError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var st core.MessageState
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return c, s.dbError(err)
		}
		switch st {
		case core.MessageQueued:
			c.Queued = n
		case core.MessageSending:
			c.Sending = n
		case core.MessageSent:
			c.Sent = n
		case core.MessageFailed:
			c.Failed = n
		case core.MessageUnknown:
			c.Unknown = n
		case core.MessageCancelled:
			c.Cancelled = n
		}
	}
	if err := rows.Err(); err != nil {
		return c, s.dbError(err)
	}
	c.Due, c.NextDue, err = s.OutboxDue(ctx, at)
	return c, err
}

// outboxWhere builds the WHERE clause of a filter.
func outboxWhere(f core.OutboxFilter) (string, []any, error) {
	var conds []string
	var args []any
	if len(f.States) > 0 {
		marks := make([]string, len(f.States))
		for i, st := range f.States {
			switch st {
			case core.MessageQueued, core.MessageSending, core.MessageSent, core.MessageFailed, core.MessageUnknown, core.MessageCancelled:
			default:
				return "", nil, core.Errorf(core.EInvalid, "outbox.state",
					"L'état «\u00a0{{.State}}\u00a0» n'existe pas\u00a0: choisissez queued, sending, sent, failed, unknown ou cancelled.",
					map[string]any{"State": string(st)})
			}
			marks[i] = "?"
			args = append(args, string(st))
		}
		conds = append(conds, "state IN ("+strings.Join(marks, ", ")+")")
	}
	for _, w := range strings.Fields(core.Fold(f.Search)) {
		conds = append(conds, `fold LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape.Replace(w)+"%")
	}
	if len(conds) == 0 {
		return "", args, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

var likeEscape = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// outboxSorts maps the sort columns to SQL; messages that sort alike keep their order
// of creation.
var outboxSorts = map[core.OutboxSort]string{
	"": "", core.OutboxByState: "state", core.OutboxByTo: "to_addr COLLATE NOCASE", core.OutboxBySubject: "subject COLLATE NOCASE",
	core.OutboxByDue: "due", core.OutboxByAttempts: "attempts",
}

// Outbox returns one page of messages matching f, in the order of f.Sort (oldest
// first by default; f.Desc reverses it). Bodies are included.
func (s *Store) Outbox(ctx context.Context, f core.OutboxFilter) ([]core.Message, error) {
	where, args, err := outboxWhere(f)
	if err != nil {
		return nil, err
	}
	col, ok := outboxSorts[f.Sort]
	if !ok {
		return nil, core.Errorf(core.EInvalid, "outbox.sort", "La boîte d'envoi ne peut pas être triée par «\u00a0{{.Sort}}\u00a0».",
			map[string]any{"Sort": string(f.Sort)})
	}
	dir := ""
	if f.Desc {
		dir = " DESC"
	}
	order := " ORDER BY id" + dir
	if col != "" {
		order = " ORDER BY " + col + dir + ", id" + dir
	}
	limit := ""
	if f.Limit > 0 || f.Offset > 0 {
		limit = " LIMIT " + strconv.Itoa(max(f.Limit, -1)) + " OFFSET " + strconv.Itoa(max(f.Offset, 0))
		if f.Limit <= 0 {
			limit = " LIMIT -1 OFFSET " + strconv.Itoa(max(f.Offset, 0))
		}
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+messageCols+` FROM outbox`+where+order+limit, args...)
	if err != nil {
		return nil, s.dbError(err)
	}
	defer rows.Close()
	out := []core.Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, s.dbError(err)
		}
		out = append(out, m)
	}
	return out, s.dbError(rows.Err())
}

// CountOutbox counts the messages matching f (paging aside).
func (s *Store) CountOutbox(ctx context.Context, f core.OutboxFilter) (int, error) {
	where, args, err := outboxWhere(f)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox`+where, args...).Scan(&n)
	return n, s.dbError(err)
}

// OutboxMessage returns one message, bodies included.
func (s *Store) OutboxMessage(ctx context.Context, id int64) (core.Message, error) {
	m, err := scanMessage(s.r.QueryRowContext(ctx, `SELECT `+messageCols+` FROM outbox WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, messageNotFound(id)
	}
	return m, s.dbError(err)
}

// change applies fn to each message of ids in one transaction: all or none. fn gets the
// message's current state and returns the new one, or an error refusing the change;
// returning the current state leaves the message as it is.
func (s *Store) changeStates(ctx context.Context, ids []int64, action string, fn func(id int64, st core.MessageState) (core.MessageState, error), set string) (int, error) {
	changed := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		changed = 0
		t := now()
		for _, id := range ids {
			var st core.MessageState
			err := tx.QueryRowContext(ctx, `SELECT state FROM outbox WHERE id = ?`, id).Scan(&st)
			if errors.Is(err, sql.ErrNoRows) {
				return messageNotFound(id)
			}
			if err != nil {
				return err
			}
			to, err := fn(id, st)
			if err != nil {
				return err
			}
			if to == st {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, updated = ?`+set+` WHERE id = ?`, string(to), t, id); err != nil {
				return err
			}
			if err := s.audit(ctx, tx, t, action, "message", id, stateChange(st, to)); err != nil {
				return err
			}
			changed++
		}
		return nil
	})
	return changed, err
}

func refuse(key, message string, id int64, st core.MessageState) error {
	return core.Errorf(core.EConflict, key, message, map[string]any{"ID": id, "State": stateLabel(st)})
}

// CancelMessages cancels queued messages, all or none: they will not be sent. A
// message being sent, or already sent, failed or unknown, is refused with the reason;
// one already cancelled is left as it is. It returns how many were cancelled.
func (s *Store) CancelMessages(ctx context.Context, ids []int64) (int, error) {
	return s.changeStates(ctx, ids, "outbox.cancel", func(id int64, st core.MessageState) (core.MessageState, error) {
		switch st {
		case core.MessageQueued:
			return core.MessageCancelled, nil
		case core.MessageCancelled:
			return st, nil
		case core.MessageSending:
			return st, refuse("outbox.cancel_sending", "Le message n° {{.ID}} est en cours d'envoi\u00a0: il ne peut plus être annulé. Attendez la fin de l'envoi ; rien n'a été annulé.", id, st)
		}
		return st, refuse("outbox.cancel_state", "Le message n° {{.ID}} est {{.State}}\u00a0: seul un message en attente peut être annulé. Rien n'a été annulé.", id, st)
	}, "")
}

// ResendMessages puts failed or unknown messages back in the queue, due at once, with
// the same Message-ID; their attempts are kept. A message already queued is left as it
// is; any other state is refused, all or none. It returns how many were queued again.
func (s *Store) ResendMessages(ctx context.Context, ids []int64) (int, error) {
	return s.changeStates(ctx, ids, "outbox.resend", func(id int64, st core.MessageState) (core.MessageState, error) {
		switch st {
		case core.MessageFailed, core.MessageUnknown:
			return core.MessageQueued, nil
		case core.MessageQueued:
			return st, nil
		}
		return st, refuse("outbox.resend_state", "Le message n° {{.ID}} est {{.State}}\u00a0: seul un message en échec ou à vérifier peut être renvoyé. Rien n'a été renvoyé.", id, st)
	}, ", next_attempt = NULL, last_error = ''")
}

// ResendUnknown puts every unknown message back in the queue (see ResendMessages) and
// returns how many there were.
func (s *Store) ResendUnknown(ctx context.Context) (int, error) {
	ids, err := idsWhere(ctx, s.r, `SELECT id FROM outbox WHERE state = 'unknown' ORDER BY id`)
	if err != nil {
		return 0, s.dbError(err)
	}
	return s.ResendMessages(ctx, ids)
}

// MarkSent records the manager's decision that unknown messages did arrive: they become
// sent and will never be sent again. A message already sent is left as it is; any other
// state is refused, all or none. It returns how many were marked.
func (s *Store) MarkSent(ctx context.Context, ids []int64) (int, error) {
	return s.changeStates(ctx, ids, "outbox.mark_sent", func(id int64, st core.MessageState) (core.MessageState, error) {
		switch st {
		case core.MessageUnknown:
			return core.MessageSent, nil
		case core.MessageSent:
			return st, nil
		}
		return st, refuse("outbox.mark_sent_state", "Le message n° {{.ID}} est {{.State}}\u00a0: seul un message à vérifier peut être marqué comme envoyé. Rien n'a été modifié.", id, st)
	}, ", sent_at = coalesce(sent_at, updated)")
}

// SetRecipient changes the recipient of a queued message; the address is validated by
// core.ParseAddress and stored as its delivery address. The change is audited.
func (s *Store) SetRecipient(ctx context.Context, id int64, addr string) error {
	a, err := core.ParseAddress(addr)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		var st core.MessageState
		var old, subject string
		err := tx.QueryRowContext(ctx, `SELECT state, to_addr, subject FROM outbox WHERE id = ?`, id).Scan(&st, &old, &subject)
		if errors.Is(err, sql.ErrNoRows) {
			return messageNotFound(id)
		}
		if err != nil {
			return err
		}
		if st != core.MessageQueued {
			return refuse("outbox.recipient_state", "Le message n° {{.ID}} est {{.State}}\u00a0: seul le destinataire d'un message en attente peut être modifié.", id, st)
		}
		if old == a.Email {
			return nil
		}
		t := now()
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET to_addr = ?, fold = ?, updated = ? WHERE id = ?`,
			a.Email, core.Fold(a.Email+" "+subject), t, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, t, "outbox.recipient", "message", id, change{
			Before: map[string]any{"to": old}, After: map[string]any{"to": a.Email}})
	})
}

// SMTPSettings returns the SMTP settings (never a password). AutoSend is on unless it
// was turned off.
func (s *Store) SMTPSettings(ctx context.Context) (core.SMTPSettings, error) {
	var c core.SMTPSettings
	rows, err := s.r.QueryContext(ctx, `SELECT key, value FROM settings WHERE key LIKE 'smtp.%'`)
	if err != nil {
		return c, s.dbError(err)
	}
	defer rows.Close()
	c.AutoSend = true
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return c, s.dbError(err)
		}
		n, _ := strconv.Atoi(v)
		switch k {
		case keySMTPHost:
			c.Host = v
		case keySMTPPort:
			c.Port = n
		case keySMTPSecurity:
			c.Security = v
		case keySMTPAuth:
			c.Auth = v
		case keySMTPUser:
			c.User = v
		case keySMTPFrom:
			c.From = v
		case keySMTPFromName:
			c.FromName = v
		case keySMTPReplyTo:
			c.ReplyTo = v
		case keySMTPRate:
			c.RateLimit = n
		case keySMTPMaxAttempts:
			c.MaxAttempts = n
		case keySMTPAuto:
			c.AutoSend = v != "off"
		}
	}
	return c, s.dbError(rows.Err())
}

// SetSMTPSettings stores the SMTP settings as given (check them first with
// smtp.ConfigFromSettings(…).Validate()); the change is audited. No password is ever
// stored here.
func (s *Store) SetSMTPSettings(ctx context.Context, c core.SMTPSettings) error {
	itoa := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	auto := ""
	if !c.AutoSend {
		auto = "off"
	}
	values := [][2]string{
		{keySMTPHost, strings.TrimSpace(c.Host)}, {keySMTPPort, itoa(c.Port)}, {keySMTPSecurity, c.Security},
		{keySMTPAuth, c.Auth}, {keySMTPUser, strings.TrimSpace(c.User)}, {keySMTPFrom, strings.TrimSpace(c.From)},
		{keySMTPFromName, core.CleanName(c.FromName)}, {keySMTPReplyTo, strings.TrimSpace(c.ReplyTo)},
		{keySMTPRate, itoa(c.RateLimit)}, {keySMTPMaxAttempts, itoa(c.MaxAttempts)}, {keySMTPAuto, auto},
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		ch := change{Before: map[string]any{}, After: map[string]any{}}
		for _, kv := range values {
			old, err := s.setting(ctx, tx, kv[0])
			if err != nil {
				return err
			}
			if old == kv[1] {
				continue
			}
			if err := setSetting(ctx, tx, kv[0], kv[1]); err != nil {
				return err
			}
			ch.Before[kv[0]], ch.After[kv[0]] = old, kv[1]
		}
		if len(ch.After) == 0 {
			return nil
		}
		return s.audit(ctx, tx, now(), "smtp.update", "settings", 0, ch)
	})
}
