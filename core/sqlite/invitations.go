package sqlite

// Invitations: Inviter par e-mail (preview, then one transaction that creates the
// invited users, their invitations, memberships and queued mails), re-send, cancel,
// accept (one by one or by reconciliation with the platform's list), the pending
// views, and the changes of address. Every mail goes through the outbox in the same
// transaction as the change that makes it (enqueueTx), so it is queued if and only if
// the change commits; cancelling or accepting an invitation cancels its queued mails
// in the same transaction, so they are never sent (the outbox only sends queued rows).
//
// An invitation's last_sent is written by the outbox when its mail is actually sent
// (MarkResult); a re-send queues a new mail and leaves last_sent as it is until then.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"convive/core"
)

// keysJSON returns the keys as a JSON array, for json_each.
func keysJSON[T any](keys []T) string {
	b, _ := json.Marshal(keys)
	return string(b)
}

// knownUser is an existing user found by login key.
type knownUser struct {
	id              int64
	login, email    string
	first, last     string
	language        core.Language
	status          core.UserStatus
	pendingID       int64 // pending invitation, 0 when none
	pendingCreated  int64
	pendingLastSent sql.NullInt64
	pendingSession  int64
	pendingGroup    int64
}

// usersByKeys finds the users whose login key is among keys, with their pending
// invitation; pending invitations whose user is gone are found too (id 0).
func usersByKeys(ctx context.Context, q querier, keys []string) (map[string]*knownUser, error) {
	out := make(map[string]*knownUser, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	js := keysJSON(keys)
	rows, err := q.QueryContext(ctx, `SELECT id, login, login_key, email, first_name, last_name, language, status
		FROM users WHERE login_key IN (SELECT value FROM json_each(?))`, js)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		u := &knownUser{}
		var key string
		if err := rows.Scan(&u.id, &u.login, &key, &u.email, &u.first, &u.last, &u.language, &u.status); err != nil {
			rows.Close()
			return nil, err
		}
		out[key] = u
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT id, login, login_key, email, coalesce(user_id, 0), created, last_sent,
		coalesce(session_id, 0), coalesce(group_id, 0), language
		FROM invitations WHERE state = 'pending' AND login_key IN (SELECT value FROM json_each(?))`, js)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, userID, created, session, group int64
		var login, key, email string
		var lang core.Language
		var last sql.NullInt64
		if err := rows.Scan(&id, &login, &key, &email, &userID, &created, &last, &session, &group, &lang); err != nil {
			return nil, err
		}
		u := out[key]
		if u == nil {
			u = &knownUser{login: login, email: email, status: core.StatusInvited, language: lang}
			out[key] = u
		}
		u.pendingID, u.pendingCreated, u.pendingLastSent, u.pendingSession, u.pendingGroup = id, created, last, session, group
	}
	return out, rows.Err()
}

func (u *knownUser) user() core.User {
	return core.User{ID: u.id, Login: u.login, Email: u.email, FirstName: u.first, LastName: u.last, Language: u.language, Status: u.status}
}

// listed reads the entries of a request: each may be one address or a pasted list.
func listed(entries []string) []core.ListedAddress {
	var out []core.ListedAddress
	seen := map[string]bool{}
	for _, e := range entries {
		for _, l := range core.ParseAddressList(e) {
			if l.Err == nil {
				l.Duplicate = seen[l.Address.Key]
				seen[l.Address.Key] = true
			}
			out = append(out, l)
		}
	}
	return out
}

// classify sorts the entries of req into the categories of the preview.
func (s *Store) classify(ctx context.Context, q querier, req core.InviteRequest, tag string) (core.InvitePreview, map[string]*knownUser, error) {
	p := core.InvitePreview{Alias: tag}
	list := listed(req.Addresses)
	keys := make([]string, 0, len(list)*2)
	for _, l := range list {
		if l.Err == nil && !l.Duplicate {
			keys = append(keys, l.Address.Key)
		}
	}
	known, err := usersByKeys(ctx, q, keys)
	if err != nil {
		return p, nil, err
	}
	// The aliases offered to existing accounts may be taken as well.
	var aliasKeys []string
	for _, k := range keys {
		if u := known[k]; u != nil && u.status != core.StatusInvited && tag != "" {
			a, _ := core.ParseAddress(u.login)
			if al, err := a.WithAlias(tag); err == nil && known[al.Key] == nil {
				aliasKeys = append(aliasKeys, al.Key)
			}
		}
	}
	if len(aliasKeys) > 0 {
		more, err := usersByKeys(ctx, q, aliasKeys)
		if err != nil {
			return p, nil, err
		}
		for k, u := range more {
			known[k] = u
		}
	}
	for _, l := range list {
		switch {
		case l.Err != nil:
			p.Invalid = append(p.Invalid, core.InvalidAddress{Input: l.Input, Reason: core.ErrorMessage(l.Err)})
			continue
		case l.Duplicate:
			p.Duplicates = append(p.Duplicates, l.Input)
			continue
		}
		u := known[l.Address.Key]
		switch {
		case u == nil || (u.status == core.StatusInvited && u.pendingID == 0):
			p.New = append(p.New, l.Address)
			if s := core.SuggestDomain(l.Address.Email); s != "" {
				p.Typos = append(p.Typos, core.DomainTypo{Address: l.Address, Suggestion: s})
			}
		case u.pendingID != 0:
			p.Resend = append(p.Resend, core.PendingInvite{Address: l.Address, InvitationID: u.pendingID, UserID: u.id,
				Created: fromMillis(sql.NullInt64{Int64: u.pendingCreated, Valid: true}), LastSent: fromMillis(u.pendingLastSent)})
		default:
			acc := core.ExistingAccount{Address: l.Address, User: u.user(), Enrol: req.SessionID != 0}
			if tag != "" {
				if al, err := l.Address.WithAlias(tag); err == nil {
					acc.Alias = al
					if a := known[al.Key]; a != nil && a.status != core.StatusInvited {
						acc.AliasTaken = true
					}
				}
			}
			p.Accounts = append(p.Accounts, acc)
		}
	}
	if len(p.Accounts) > 0 {
		us := make([]core.User, len(p.Accounts))
		for i, a := range p.Accounts {
			us[i] = a.User
		}
		if err := fillGroups(ctx, q, us); err != nil {
			return p, nil, err
		}
		for i := range p.Accounts {
			p.Accounts[i].User.Groups = us[i].Groups
		}
	}
	return p, known, nil
}

// PreviewInvite sorts the addresses of req without writing anything: new, already
// invited (their invitation will be re-sent), already an account (with where it is
// used and the "#" alias offered), invalid (with the French reason) and given twice.
func (s *Store) PreviewInvite(ctx context.Context, req core.InviteRequest) (core.InvitePreview, error) {
	org, err := s.Organisation(ctx)
	if err != nil {
		return core.InvitePreview{}, err
	}
	p, _, err := s.classify(ctx, s.r, req, core.AliasTag(org.Name))
	return p, s.dbError(err)
}

// sessionInfo is what a session mail needs.
type sessionInfo struct {
	id           int64
	course, name string
	opens        int64
}

func loadSession(ctx context.Context, q querier, id int64) (sessionInfo, error) {
	si := sessionInfo{id: id}
	err := q.QueryRowContext(ctx, `SELECT c.name, s.name, s.opens FROM sessions s JOIN courses c ON c.id = s.course_id WHERE s.id = ?`, id).
		Scan(&si.course, &si.name, &si.opens)
	if errors.Is(err, sql.ErrNoRows) {
		return si, sessionNotFound(id)
	}
	return si, err
}

// due is when a session mail leaves: now if the session has opened, else at its opening.
func (si sessionInfo) due(at int64) time.Time {
	if si.opens > at {
		return time.UnixMilli(si.opens).UTC()
	}
	return time.Time{}
}

// inviteTx holds the prepared statements of a transaction that invites people.
type inviteTx struct {
	s       *Store
	tx      *sql.Tx
	at      int64
	m       *core.Mailer
	users   *userInserter
	tokens  *tokenWriter
	invite  *sql.Stmt
	member  *sql.Stmt
	enrol   *sql.Stmt
	audit   *sql.Stmt
	msgs    []core.Message
	enrols  []int64 // for each message, the user whose session_members row gets it (0: none)
	session sessionInfo
}

func (s *Store) newInviteTx(ctx context.Context, tx *sql.Tx, m *core.Mailer) (*inviteTx, error) {
	it := &inviteTx{s: s, tx: tx, at: now(), m: m}
	var err error
	if it.users, err = newUserInserter(ctx, tx); err != nil {
		return nil, err
	}
	if it.tokens, err = newTokenWriter(ctx, tx); err != nil {
		it.close()
		return nil, err
	}
	stmts := []struct {
		p   **sql.Stmt
		sql string
	}{
		{&it.invite, `INSERT INTO invitations (user_id, login, login_key, email, group_id, session_id, language, state, created)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`},
		{&it.member, `INSERT INTO memberships (group_id, user_id, added) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`},
		{&it.enrol, `INSERT INTO session_members (session_id, user_id, added, message_id) VALUES (?, ?, ?, ?)
			ON CONFLICT DO UPDATE SET message_id = excluded.message_id`},
		{&it.audit, `INSERT INTO audit (at, who, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)`},
	}
	for _, st := range stmts {
		if *st.p, err = tx.PrepareContext(ctx, st.sql); err != nil {
			it.close()
			return nil, err
		}
	}
	return it, nil
}

func (it *inviteTx) close() {
	if it.users != nil {
		it.users.Close()
	}
	if it.tokens != nil {
		it.tokens.close()
	}
	for _, st := range []*sql.Stmt{it.invite, it.member, it.enrol, it.audit} {
		if st != nil {
			st.Close()
		}
	}
}

func (it *inviteTx) writeAudit(ctx context.Context, action, entity string, id int64, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	_, err = it.audit.ExecContext(ctx, it.at, it.s.who, action, entity, id, string(b))
	return err
}

// mail composes the invitation (or session) mail of u and keeps it for flush.
func (it *inviteTx) mail(ctx context.Context, u core.User, lang core.Language, invitationID int64, withToken bool) error {
	in := core.MailInput{Kind: core.KindInvitation, Lang: lang, User: u, InvitationID: invitationID}
	if withToken {
		tok, err := it.tokens.issue(ctx, u.ID, purposeInvitation, it.at, core.NeverExpires)
		if err != nil {
			return err
		}
		in.Token = tok
	}
	enrolled := int64(0)
	if it.session.id != 0 {
		in.Kind, in.Course, in.Session = core.KindSession, it.session.course, it.session.name
		in.Opens = time.UnixMilli(it.session.opens)
		in.Due = it.session.due(it.at)
		enrolled = u.ID
	}
	msg, err := it.m.Compose(in)
	if err != nil {
		return err
	}
	it.msgs = append(it.msgs, msg)
	it.enrols = append(it.enrols, enrolled)
	return nil
}

// join adds u to the groups and tells whether u is new to the session (always true
// without a session). The session_members row itself is written by flush, with the
// session mail it belongs to; fresh says u was created by this transaction, so cannot
// be in the session yet.
func (it *inviteTx) join(ctx context.Context, userID int64, groups []*node, fresh bool) (bool, error) {
	for _, g := range groups {
		if _, err := it.member.ExecContext(ctx, g.id, userID, it.at); err != nil {
			return false, err
		}
	}
	if it.session.id == 0 || fresh {
		return true, nil
	}
	var n int
	err := it.tx.QueryRowContext(ctx, `SELECT count(*) FROM session_members WHERE session_id = ? AND user_id = ?`, it.session.id, userID).Scan(&n)
	return n == 0, err
}

// flush queues the mails and, for a session, writes each person's session_members
// row with the mail it belongs to (or points an existing row at the new mail).
func (it *inviteTx) flush(ctx context.Context) error {
	if len(it.msgs) == 0 {
		return nil
	}
	ids, err := it.s.enqueueTx(ctx, it.tx, it.msgs...)
	if err != nil {
		return err
	}
	if it.session.id != 0 {
		for i, id := range ids {
			if it.enrols[i] == 0 {
				continue
			}
			if _, err := it.enrol.ExecContext(ctx, it.session.id, it.enrols[i], it.at, id); err != nil {
				return err
			}
		}
	}
	it.msgs, it.enrols = it.msgs[:0], it.enrols[:0]
	return nil
}

// cancelQueued cancels the queued outbox messages matching where (with args), each
// audited, and returns how many there were.
func cancelQueued(ctx context.Context, s *Store, tx *sql.Tx, at int64, where string, args ...any) (int, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit (at, who, action, entity, entity_id, detail)
		SELECT ?, ?, 'outbox.cancel', 'message', id, '{"before":{"state":"queued"},"after":{"state":"cancelled"}}'
		FROM outbox WHERE state = 'queued' AND `+where, append([]any{at, s.who}, args...)...); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', updated = ? WHERE state = 'queued' AND `+where, append([]any{at}, args...)...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Invite confirms an invitation (see PreviewInvite), in one transaction: each new
// address becomes a user with status invited (or the invited user found is reused),
// joins the chosen groups (and the session), gets one pending invitation and one mail
// in the chosen language; an address already invited gets its invitation re-sent (its
// previous mail, if still queued, is replaced: never two); an existing account is
// listed in AlreadyAccount, or invited under its "#" alias with req.UseAlias, or, for
// a session, simply enrolled with the session mail. Invalid entries are listed and the
// valid ones still proceed. For a session, the mail is the session mail, due now if
// the session has opened, else at its opening. m makes the mails (core.NewMailer).
func (s *Store) Invite(ctx context.Context, req core.InviteRequest, m *core.Mailer) (core.InviteResult, error) {
	res := core.InviteResult{AlreadyAccount: []string{}, Invalid: []string{}}
	lang, err := checkLanguage(req.Language)
	if err != nil {
		return res, err
	}
	if m == nil {
		return res, core.Errorf(core.EInternal, "invite.no_mailer", "Les e-mails d'invitation ne peuvent pas être préparés (aucun modèle fourni).", nil)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		res = core.InviteResult{AlreadyAccount: []string{}, Invalid: []string{}}
		p, known, err := s.classify(ctx, tx, req, m.AliasTag())
		if err != nil {
			return err
		}
		t, err := loadTree(ctx, tx)
		if err != nil {
			return err
		}
		groups, err := subgroupSet(t, req.GroupIDs)
		if err != nil {
			return err
		}
		groupID := t.root.id
		if len(groups) > 0 {
			groupID = groups[0].id
		}
		it, err := s.newInviteTx(ctx, tx, m)
		if err != nil {
			return err
		}
		defer it.close()
		if req.SessionID != 0 {
			if it.session, err = loadSession(ctx, tx, req.SessionID); err != nil {
				return err
			}
		}
		var session any
		if req.SessionID != 0 {
			session = req.SessionID
		}
		groupPaths := paths(groups)
		invite := func(a core.Address, u *knownUser) error {
			var user core.User
			if u != nil && u.id != 0 {
				user = u.user()
				user.Language = lang
			} else {
				id, err := it.users.insert(ctx, userRow{addr: a, language: lang, role: core.RoleLearner, status: core.StatusInvited, created: it.at})
				if err != nil {
					return err
				}
				user = core.User{ID: id, Login: a.Login, Email: a.Email, Language: lang, Status: core.StatusInvited}
			}
			if _, err := it.join(ctx, user.ID, groups, u == nil || u.id == 0); err != nil {
				return err
			}
			r, err := it.invite.ExecContext(ctx, user.ID, user.Login, a.Key, user.Email, groupID, session, string(lang), it.at)
			if err != nil {
				return err
			}
			invID, err := r.LastInsertId()
			if err != nil {
				return err
			}
			detail := map[string]any{"invitation": invID, "login": user.Login, "email": user.Email, "language": lang, "groups": groupPaths}
			if req.SessionID != 0 {
				detail["session"] = req.SessionID
			}
			action := "user.invite"
			if u == nil || u.id == 0 {
				detail["status"] = core.StatusInvited
			} else {
				action = "invitation.create"
			}
			if err := it.writeAudit(ctx, action, "user", user.ID, change{After: detail}); err != nil {
				return err
			}
			res.Invited++
			return it.mail(ctx, user, lang, invID, true)
		}
		var resendIDs []int64
		resend := func(u *knownUser) error {
			user := u.user()
			if user.ID != 0 { // 0: the invitation outlived its user, only the mail goes
				if _, err := it.join(ctx, user.ID, groups, false); err != nil {
					return err
				}
			}
			resendIDs = append(resendIDs, u.pendingID)
			if err := it.writeAudit(ctx, "invitation.resend", "user", user.ID, change{After: map[string]any{
				"invitation": u.pendingID, "language": lang, "groups": groupPaths}}); err != nil {
				return err
			}
			res.Resent++
			return it.mail(ctx, user, lang, u.pendingID, user.ID != 0)
		}
		for _, a := range p.New {
			if err := invite(a, known[a.Key]); err != nil {
				return err
			}
		}
		for _, r := range p.Resend {
			if err := resend(known[r.Address.Key]); err != nil {
				return err
			}
		}
		for _, acc := range p.Accounts {
			switch {
			case acc.Enrol:
				u := known[acc.Address.Key]
				added, err := it.join(ctx, u.id, groups, false)
				if err != nil {
					return err
				}
				if !added {
					continue // already in the session: the mail went or is waiting
				}
				if err := it.writeAudit(ctx, "session.enrol", "user", u.id, change{After: map[string]any{"session": req.SessionID}}); err != nil {
					return err
				}
				res.Enrolled++
				if err := it.mail(ctx, u.user(), u.language, 0, false); err != nil {
					return err
				}
			case req.UseAlias && acc.Alias.Key != "" && !acc.AliasTaken:
				au := known[acc.Alias.Key]
				if au != nil && au.pendingID != 0 {
					if err := resend(au); err != nil {
						return err
					}
				} else if err := invite(acc.Alias, au); err != nil {
					return err
				}
			default:
				res.AlreadyAccount = append(res.AlreadyAccount, acc.Address.Login)
			}
		}
		for _, inv := range p.Invalid {
			res.Invalid = append(res.Invalid, inv.Input)
		}
		if len(resendIDs) > 0 {
			ids := keysJSON(resendIDs)
			if _, err := cancelQueued(ctx, s, tx, it.at, `invitation_id IN (SELECT value FROM json_each(?))`, ids); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE invitations SET language = ? WHERE id IN (SELECT value FROM json_each(?))`, string(lang), ids); err != nil {
				return err
			}
		}
		return it.flush(ctx)
	})
	return res, err
}

// ResendInvitations sends pending invitations again: each gets a new mail (and a new
// link), its previous mail still queued being cancelled, so it never receives two.
// A session invitation gets the session mail again, due at the opening if the session
// has not opened. Invitations that are no longer pending are left out. It returns how
// many were re-sent.
func (s *Store) ResendInvitations(ctx context.Context, ids []int64, m *core.Mailer) (int, error) {
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		n = 0
		it, err := s.newInviteTx(ctx, tx, m)
		if err != nil {
			return err
		}
		defer it.close()
		type inv struct {
			id, user, session int64
		}
		var todo []inv
		rows, err := tx.QueryContext(ctx, `SELECT id, coalesce(user_id, 0), coalesce(session_id, 0) FROM invitations
			WHERE state = 'pending' AND id IN (SELECT value FROM json_each(?)) ORDER BY coalesce(session_id, 0), id`, keysJSON(dedupe(ids)))
		if err != nil {
			return err
		}
		for rows.Next() {
			var v inv
			if err := rows.Scan(&v.id, &v.user, &v.session); err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(todo) == 0 {
			return nil
		}
		js := make([]int64, len(todo))
		for i, v := range todo {
			js[i] = v.id
		}
		if _, err := cancelQueued(ctx, s, tx, it.at, `invitation_id IN (SELECT value FROM json_each(?))`, keysJSON(js)); err != nil {
			return err
		}
		for _, v := range todo {
			if v.session != it.session.id {
				if err := it.flush(ctx); err != nil {
					return err
				}
				it.session = sessionInfo{}
				if v.session != 0 {
					if it.session, err = loadSession(ctx, tx, v.session); err != nil {
						return err
					}
				}
			}
			var u core.User
			var lang core.Language
			err := tx.QueryRowContext(ctx, `SELECT coalesce(u.id, 0), i.login, i.email, coalesce(u.first_name, ''), coalesce(u.last_name, ''), i.language
				FROM invitations i LEFT JOIN users u ON u.id = i.user_id WHERE i.id = ?`, v.id).
				Scan(&u.ID, &u.Login, &u.Email, &u.FirstName, &u.LastName, &lang)
			if err != nil {
				return err
			}
			if err := it.writeAudit(ctx, "invitation.resend", "user", u.ID, change{After: map[string]any{"invitation": v.id}}); err != nil {
				return err
			}
			if err := it.mail(ctx, u, lang, v.id, u.ID != 0); err != nil {
				return err
			}
			n++
		}
		return it.flush(ctx)
	})
	return n, err
}

// invitationMatch is an invitation found for an address of a pasted list.
type invitationMatch struct {
	id, user                  int64
	login, loginKey, emailKey string
	state                     core.InvitationState
}

// matchInvitations finds the invitations of the valid addresses of list, by login key
// and, for an address without "#" alias, by delivery address too (so that the plain
// address finds its aliases' invitations). The result is keyed by the entry's key.
func matchInvitations(ctx context.Context, q querier, list []core.ListedAddress) (map[string][]invitationMatch, error) {
	var logins, emails []string
	for _, l := range list {
		if l.Err == nil && !l.Duplicate {
			logins = append(logins, l.Address.Key)
			if l.Address.Tag() == "" {
				emails = append(emails, l.Address.Key)
			}
		}
	}
	out := map[string][]invitationMatch{}
	if len(logins) == 0 {
		return out, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT id, coalesce(user_id, 0), login, login_key, email_key, state FROM invitations
		WHERE login_key IN (SELECT value FROM json_each(?1)) OR email_key IN (SELECT value FROM json_each(?2))`, keysJSON(logins), keysJSON(emails))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byEmail := map[string][]invitationMatch{}
	for rows.Next() {
		var m invitationMatch
		if err := rows.Scan(&m.id, &m.user, &m.login, &m.loginKey, &m.emailKey, &m.state); err != nil {
			return nil, err
		}
		out[m.loginKey] = append(out[m.loginKey], m)
		if m.emailKey != m.loginKey {
			byEmail[m.emailKey] = append(byEmail[m.emailKey], m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, k := range emails {
		out[k] = append(out[k], byEmail[k]...)
	}
	return out, nil
}

// sortedMatches is the outcome of a list of addresses for cancel and accept: the
// pending invitations to change, and the addresses that need nothing.
type sortedMatches struct {
	pending                       []invitationMatch
	notFound, accepted, cancelled []string
	invalid                       []core.InvalidAddress
}

func sortMatches(list []core.ListedAddress, found map[string][]invitationMatch) sortedMatches {
	var r sortedMatches
	seen := map[int64]bool{}
	for _, l := range list {
		if l.Err != nil {
			r.invalid = append(r.invalid, core.InvalidAddress{Input: l.Input, Reason: core.ErrorMessage(l.Err)})
			continue
		}
		if l.Duplicate {
			continue
		}
		ms := found[l.Address.Key]
		var pending bool
		var accepted bool
		for _, m := range ms {
			switch m.state {
			case core.InvitationPending:
				pending = true
				if !seen[m.id] {
					seen[m.id] = true
					r.pending = append(r.pending, m)
				}
			case core.InvitationAccepted:
				accepted = true
			}
		}
		switch {
		case pending:
		case len(ms) == 0:
			r.notFound = append(r.notFound, l.Address.Login)
		case accepted:
			r.accepted = append(r.accepted, l.Address.Login)
		default:
			r.cancelled = append(r.cancelled, l.Address.Login)
		}
	}
	return r
}

func invalidInputs(in []core.InvalidAddress) []string {
	out := make([]string, 0, len(in))
	for _, i := range in {
		out = append(out, i.Input)
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// PreviewCancel sorts a pasted list of addresses (any separators, see
// core.ParseAddressList) for Annuler plusieurs invitations: the pending invitations
// that will be cancelled, and the addresses not found, already accepted, already
// cancelled or invalid. Nothing is written.
func (s *Store) PreviewCancel(ctx context.Context, entries []string) (core.CancelPreview, error) {
	list := listed(entries)
	found, err := matchInvitations(ctx, s.r, list)
	if err != nil {
		return core.CancelPreview{}, s.dbError(err)
	}
	r := sortMatches(list, found)
	p := core.CancelPreview{NotFound: r.notFound, AlreadyAccepted: r.accepted, AlreadyCancelled: r.cancelled, Invalid: r.invalid}
	for _, m := range r.pending {
		p.Cancel = append(p.Cancel, core.Invitation{ID: m.id, UserID: m.user, Login: m.login, State: m.state})
	}
	return p, nil
}

// CancelInvitations cancels the pending invitations of a list of addresses, in one
// transaction, with their queued mails (which are then never sent) and their links.
// Cancelling again is harmless: the address is reported as already cancelled.
func (s *Store) CancelInvitations(ctx context.Context, entries []string) (core.CancelResult, error) {
	list := listed(entries)
	var res core.CancelResult
	err := s.write(ctx, func(tx *sql.Tx) error {
		found, err := matchInvitations(ctx, tx, list)
		if err != nil {
			return err
		}
		r := sortMatches(list, found)
		res = core.CancelResult{NotFound: orEmpty(r.notFound), AlreadyAccepted: orEmpty(r.accepted),
			AlreadyCancelled: orEmpty(r.cancelled), Invalid: orEmpty(invalidInputs(r.invalid))}
		ids := make([]int64, len(r.pending))
		for i, m := range r.pending {
			ids[i] = m.id
		}
		res.Cancelled, err = s.endInvitations(ctx, tx, ids, core.InvitationCancelled)
		return err
	})
	return res, err
}

// CancelInvitationIDs cancels the given invitations (one, or a selection of the
// list), with their queued mails. Those no longer pending are left as they are; it
// returns how many were cancelled.
func (s *Store) CancelInvitationIDs(ctx context.Context, ids []int64) (int, error) {
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = s.endInvitations(ctx, tx, ids, core.InvitationCancelled)
		return err
	})
	return n, err
}

// PreviewAccept sorts a list of addresses (typed, or the platform's list of active
// accounts) for marking invitations accepted; see PreviewCancel. Cancel holds the
// invitations that will be accepted.
func (s *Store) PreviewAccept(ctx context.Context, entries []string) (core.CancelPreview, error) {
	return s.PreviewCancel(ctx, entries)
}

// AcceptInvitations marks accepted the pending invitations of a list of addresses —
// typed, or the platform's list of active accounts (reconciliation) — in one
// transaction: their users become active and their queued invitation mails are
// cancelled. Addresses without a pending invitation are reported, nothing more.
func (s *Store) AcceptInvitations(ctx context.Context, entries []string) (core.AcceptResult, error) {
	list := listed(entries)
	var res core.AcceptResult
	err := s.write(ctx, func(tx *sql.Tx) error {
		found, err := matchInvitations(ctx, tx, list)
		if err != nil {
			return err
		}
		r := sortMatches(list, found)
		res = core.AcceptResult{NotFound: orEmpty(r.notFound), AlreadyAccepted: orEmpty(r.accepted),
			AlreadyCancelled: orEmpty(r.cancelled), Invalid: orEmpty(invalidInputs(r.invalid))}
		ids := make([]int64, len(r.pending))
		for i, m := range r.pending {
			ids[i] = m.id
		}
		res.Accepted, err = s.endInvitations(ctx, tx, ids, core.InvitationAccepted)
		return err
	})
	return res, err
}

// AcceptInvitationIDs marks the given invitations accepted (see AcceptInvitations);
// it returns how many were pending.
func (s *Store) AcceptInvitationIDs(ctx context.Context, ids []int64) (int, error) {
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = s.endInvitations(ctx, tx, ids, core.InvitationAccepted)
		return err
	})
	return n, err
}

// endInvitations cancels or accepts the pending invitations among ids, set-based so
// that 10 000 take well under a second: audit rows (on the user, so that the detail
// panel shows them), the state, the queued mails cancelled, the links revoked, and for
// an acceptance the user made active.
func (s *Store) endInvitations(ctx context.Context, tx *sql.Tx, ids []int64, to core.InvitationState) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	at := now()
	js := keysJSON(dedupe(ids))
	action, col := "invitation.cancel", "cancelled_at"
	if to == core.InvitationAccepted {
		action, col = "invitation.accept", "accepted_at"
	}
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS ending (id INTEGER PRIMARY KEY, user_id INTEGER)`); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM temp.ending`); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO temp.ending (id, user_id) SELECT id, user_id FROM invitations
		WHERE state = 'pending' AND id IN (SELECT value FROM json_each(?))`, js)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return 0, err
	}
	detail := `json_object('invitation', i.id, 'login', i.login, 'before', json_object('state', 'pending'), 'after', json_object('state', ?))`
	if to == core.InvitationAccepted {
		detail = `json_object('invitation', i.id, 'login', i.login, 'before', json_object('state', 'pending', 'status', u.status),
			'after', json_object('state', ?, 'status', CASE WHEN u.status = 'invited' THEN 'active' ELSE u.status END))`
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit (at, who, action, entity, entity_id, detail)
		SELECT ?, ?, ?, 'user', coalesce(i.user_id, 0), `+detail+`
		FROM temp.ending e JOIN invitations i ON i.id = e.id LEFT JOIN users u ON u.id = i.user_id ORDER BY i.id`,
		at, s.who, action, string(to)); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE invitations SET state = ?, `+col+` = ? WHERE id IN (SELECT id FROM temp.ending)`, string(to), at); err != nil {
		return 0, err
	}
	if _, err := cancelQueued(ctx, s, tx, at, `invitation_id IN (SELECT id FROM temp.ending)`); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tokens SET used_at = ? WHERE purpose = 'invitation' AND used_at IS NULL
		AND user_id IN (SELECT user_id FROM temp.ending)`, at); err != nil {
		return 0, err
	}
	if to == core.InvitationAccepted {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET status = 'active', updated = ?
			WHERE status = 'invited' AND id IN (SELECT user_id FROM temp.ending)`, at); err != nil {
			return 0, err
		}
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM temp.ending`)
	return int(n), err
}

// invitationCols are the columns scanInvitationRow reads.
const invitationCols = `i.id, coalesce(i.user_id, 0), i.login, i.email, coalesce(i.group_id, 0), coalesce(i.session_id, 0), i.language,
	i.state, i.created, i.last_sent, coalesce(i.batch_id, 0), coalesce(u.first_name, ''), coalesce(u.last_name, ''),
	coalesce(c.name || ' — ' || se.name, '')`

const invitationFrom = ` FROM invitations i LEFT JOIN users u ON u.id = i.user_id
	LEFT JOIN sessions se ON se.id = i.session_id LEFT JOIN courses c ON c.id = se.course_id`

// invitationWhere builds the WHERE clause of f.
func (s *Store) invitationWhere(ctx context.Context, f core.InvitationFilter) (string, []any, error) {
	var conds []string
	var args []any
	switch f.Scope {
	case core.ScopeAll:
	case core.ScopeGroup:
		conds = append(conds, `i.group_id = ?`)
		args = append(args, s.rootID)
	case core.ScopeSubgroups:
		// An invitation whose subgroup was deleted since (group_id NULL) stays here.
		conds = append(conds, `(i.group_id <> ? OR i.group_id IS NULL)`)
		args = append(args, s.rootID)
	default:
		return "", nil, core.Errorf(core.EInvalid, "invitation.scope",
			"La vue «\u00a0{{.Scope}}\u00a0» n'existe pas\u00a0: choisissez group (Dans le groupe), subgroups (Dans les sous-groupes) ou all.",
			map[string]any{"Scope": string(f.Scope)})
	}
	if len(f.States) > 0 {
		marks := make([]string, len(f.States))
		for i, st := range f.States {
			switch st {
			case core.InvitationPending, core.InvitationAccepted, core.InvitationCancelled:
			default:
				return "", nil, core.Errorf(core.EInvalid, "invitation.state",
					"L'état «\u00a0{{.State}}\u00a0» n'existe pas\u00a0: choisissez pending, accepted ou cancelled.", map[string]any{"State": string(st)})
			}
			marks[i] = "?"
			args = append(args, string(st))
		}
		conds = append(conds, `i.state IN (`+strings.Join(marks, ", ")+`)`)
	}
	if f.GroupID != 0 {
		t, err := loadTree(ctx, s.r)
		if err != nil {
			return "", nil, err
		}
		n, err := t.find(f.GroupID)
		if err != nil {
			return "", nil, err
		}
		var ids []int64
		var walk func(*node)
		walk = func(n *node) {
			ids = append(ids, n.id)
			for _, c := range n.children {
				walk(c)
			}
		}
		walk(n)
		conds = append(conds, `i.group_id IN (SELECT value FROM json_each(?))`)
		args = append(args, keysJSON(ids))
	}
	if f.SessionID != 0 {
		conds = append(conds, `i.session_id = ?`)
		args = append(args, f.SessionID)
	}
	if !f.From.IsZero() {
		conds = append(conds, `i.created >= ?`)
		args = append(args, f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		conds = append(conds, `i.created < ?`)
		args = append(args, f.To.UnixMilli())
	}
	// Words of three letters or more are looked up in the users' trigram index (login,
	// first and last name); shorter ones, and invitations whose user is gone, by LIKE.
	for _, w := range strings.Fields(core.Fold(f.Search)) {
		pat := "%" + likeEscaper.Replace(w) + "%"
		if utf8.RuneCountInString(w) >= 3 {
			m, margs := usersMatching(w)
			conds = append(conds, `(i.user_id IN (`+m+`) OR (i.user_id IS NULL AND i.login_key LIKE ? ESCAPE '\'))`)
			args = append(append(args, margs...), pat)
			continue
		}
		conds = append(conds, `(i.login_key LIKE ? ESCAPE '\' OR i.user_id IN (SELECT id FROM users INDEXED BY users_fold WHERE fold LIKE ? ESCAPE '\'))`)
		args = append(args, pat, pat)
	}
	if len(conds) == 0 {
		return "", args, nil
	}
	return ` WHERE ` + strings.Join(conds, " AND "), args, nil
}

var invitationSorts = map[core.InvitationSort]string{
	"":                   "i.created",
	core.InvSortCreated:  "i.created",
	core.InvSortLogin:    "i.login_key", // then the state, as the index invitations_login_key holds them
	core.InvSortLastSent: "coalesce(i.last_sent, 0)",
	core.InvSortState:    "i.state",
}

// Invitations returns one page of invitations, filtered, sorted and paged in SQL,
// with their person's names, group path and session.
func (s *Store) Invitations(ctx context.Context, f core.InvitationFilter) ([]core.InvitationRow, error) {
	col, ok := invitationSorts[f.Sort]
	if !ok {
		return nil, core.Errorf(core.EInvalid, "invitation.sort", "La liste des invitations ne peut pas être triée par «\u00a0{{.Sort}}\u00a0».",
			map[string]any{"Sort": string(f.Sort)})
	}
	where, args, err := s.invitationWhere(ctx, f)
	if err != nil {
		return nil, s.dbError(err)
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	args = append(args, limit, max(f.Offset, 0))
	// The page's ids are found first, from the invitations alone, so that rows skipped
	// by the offset are never joined to their user, group and session.
	order := ` ORDER BY ` + col + dir
	if f.Sort == core.InvSortLogin {
		order += `, i.state` + dir
	}
	order += `, i.id` + dir
	// Sorted by login, the page is read from the login index in order, its state
	// checked there too, rather than sorting every pending invitation.
	indexed := ""
	if f.Sort == core.InvSortLogin {
		indexed = ` INDEXED BY invitations_login_key`
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+invitationCols+` FROM (SELECT i.id AS pid FROM invitations i`+indexed+where+order+` LIMIT ? OFFSET ?) page
		JOIN invitations i ON i.id = page.pid LEFT JOIN users u ON u.id = i.user_id
		LEFT JOIN sessions se ON se.id = i.session_id LEFT JOIN courses c ON c.id = se.course_id`+order, args...)
	if err != nil {
		return nil, s.dbError(err)
	}
	defer rows.Close()
	out := []core.InvitationRow{}
	for rows.Next() {
		var r core.InvitationRow
		var created, last sql.NullInt64
		if err := rows.Scan(&r.ID, &r.UserID, &r.Login, &r.Email, &r.GroupID, &r.SessionID, &r.Language, &r.State,
			&created, &last, &r.BatchID, &r.FirstName, &r.LastName, &r.Session); err != nil {
			return nil, s.dbError(err)
		}
		r.Created, r.LastSent = fromMillis(created), fromMillis(last)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbError(err)
	}
	rows.Close()
	if len(out) > 0 {
		t, err := loadTree(ctx, s.r)
		if err != nil {
			return nil, s.dbError(err)
		}
		for i := range out {
			if n := t.byID[out[i].GroupID]; n != nil {
				out[i].Group = n.path()
			}
		}
	}
	return out, nil
}

// CountInvitations counts the invitations matching f (paging and sorting aside).
func (s *Store) CountInvitations(ctx context.Context, f core.InvitationFilter) (int, error) {
	if f.Scope == core.ScopeSubgroups {
		// Everything but the Groupe général: two counts that each read one index
		// alone, where "group_id <> root" would read every row.
		f.Scope = core.ScopeAll
		all, err := s.CountInvitations(ctx, f)
		if err != nil {
			return 0, err
		}
		f.Scope = core.ScopeGroup
		root, err := s.CountInvitations(ctx, f)
		return all - root, err
	}
	where, args, err := s.invitationWhere(ctx, f)
	if err != nil {
		return 0, s.dbError(err)
	}
	var n int
	err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM invitations i`+where, args...).Scan(&n)
	return n, s.dbError(err)
}

// Invitation returns one invitation with its person, group and session.
func (s *Store) Invitation(ctx context.Context, id int64) (core.InvitationRow, error) {
	var r core.InvitationRow
	var created, last sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT `+invitationCols+invitationFrom+` WHERE i.id = ?`, id).Scan(
		&r.ID, &r.UserID, &r.Login, &r.Email, &r.GroupID, &r.SessionID, &r.Language, &r.State,
		&created, &last, &r.BatchID, &r.FirstName, &r.LastName, &r.Session)
	if errors.Is(err, sql.ErrNoRows) {
		return r, core.Errorf(core.ENotFound, "invitation.not_found", "L'invitation n° {{.ID}} n'existe pas. Actualisez la liste.", map[string]any{"ID": id})
	}
	if err != nil {
		return r, s.dbError(err)
	}
	r.Created, r.LastSent = fromMillis(created), fromMillis(last)
	if t, err := loadTree(ctx, s.r); err == nil {
		if n := t.byID[r.GroupID]; n != nil {
			r.Group = n.path()
		}
	}
	return r, nil
}

// Provision creates an account now (Paramétrer un compte): the user is active, in the
// given subgroups, audited like CreateUser. With welcome, a welcome mail is queued in
// the same transaction, with a one-time link to choose a password (a random token of
// 256 bits, of which only the SHA-256 is kept, valid core.WelcomeTokenTTL).
func (s *Store) Provision(ctx context.Context, n core.NewUser, welcome bool, m *core.Mailer) (core.User, error) {
	if welcome && m == nil {
		return core.User{}, core.Errorf(core.EInternal, "provision.no_mailer", "Le message de bienvenue ne peut pas être préparé (aucun modèle fourni).", nil)
	}
	if n.Status == "" {
		n.Status = core.StatusActive
	}
	f, err := checkNewUser(n)
	if err != nil {
		return core.User{}, err
	}
	addr, first, last, lang, role, status := f.addr, f.first, f.last, f.lang, f.role, f.status
	var u core.User
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := loginTaken(ctx, tx, addr); err != nil {
			return err
		}
		t, err := loadTree(ctx, tx)
		if err != nil {
			return err
		}
		groups, err := subgroupSet(t, n.GroupIDs)
		if err != nil {
			return err
		}
		it, err := s.newInviteTx(ctx, tx, m)
		if err != nil {
			return err
		}
		defer it.close()
		id, err := it.users.insert(ctx, userRow{addr: addr, first: first, last: last, language: lang, role: role, status: status, created: it.at})
		if err != nil {
			return err
		}
		if _, err := it.join(ctx, id, groups, true); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, it.at, "user.create", "user", id, change{After: map[string]any{
			"login": addr.Login, "email": addr.Email, "first_name": first, "last_name": last,
			"language": lang, "role": role, "status": status, "groups": paths(groups), "welcome": welcome,
		}}); err != nil {
			return err
		}
		if u, err = s.user(ctx, tx, `u.id = ?`, id); err != nil {
			return err
		}
		if !welcome {
			return nil
		}
		tok, err := it.tokens.issue(ctx, id, purposeWelcome, it.at, time.UnixMilli(it.at).Add(core.WelcomeTokenTTL))
		if err != nil {
			return err
		}
		msg, err := m.Compose(core.MailInput{Kind: core.KindWelcome, Lang: lang, User: u, Token: tok})
		if err != nil {
			return err
		}
		_, err = s.enqueueTx(ctx, tx, msg)
		return err
	})
	return u, err
}

// QueuePasswordReset queues a password-reset mail for an active account (Identifiants
// perdus): passwords are never kept, so this is the only thing to do. The link holds
// a new one-time token (only its SHA-256 is kept), valid core.ResetTokenTTL. It returns
// the queued message.
func (s *Store) QueuePasswordReset(ctx context.Context, userID int64, m *core.Mailer) (core.Message, error) {
	var msg core.Message
	err := s.write(ctx, func(tx *sql.Tx) error {
		u, err := s.user(ctx, tx, `u.id = ?`, userID)
		if errors.Is(err, sql.ErrNoRows) {
			return userNotFound(userID)
		}
		if err != nil {
			return err
		}
		switch u.Status {
		case core.StatusInvited:
			return core.Errorf(core.EConflict, "reset.invited",
				"«\u00a0{{.Login}}\u00a0» n'a pas encore accepté son invitation\u00a0: il n'a pas de mot de passe à réinitialiser. Renvoyez plutôt l'invitation.",
				map[string]any{"Login": u.Login})
		case core.StatusDisabled:
			return core.Errorf(core.EConflict, "reset.disabled",
				"Le compte «\u00a0{{.Login}}\u00a0» est désactivé\u00a0: réactivez-le avant d'envoyer un lien de réinitialisation.",
				map[string]any{"Login": u.Login})
		}
		it, err := s.newInviteTx(ctx, tx, m)
		if err != nil {
			return err
		}
		defer it.close()
		tok, err := it.tokens.issue(ctx, u.ID, purposeReset, it.at, time.UnixMilli(it.at).Add(core.ResetTokenTTL))
		if err != nil {
			return err
		}
		if msg, err = m.Compose(core.MailInput{Kind: core.KindReset, Lang: u.Language, User: u, Token: tok}); err != nil {
			return err
		}
		ids, err := s.enqueueTx(ctx, tx, msg)
		if err != nil {
			return err
		}
		msg.ID, msg.State = ids[0], core.MessageQueued
		return s.audit(ctx, tx, it.at, "user.reset_password", "user", u.ID, change{After: map[string]any{"message": ids[0]}})
	})
	return msg, err
}

// ChangeEmail changes the address of a user (Modifier l'e-mail). An account that is
// only invited (pending invitation) has its invitation cancelled with its queued mail,
// its login changed, and a new invitation made, in the same groups and session, with
// a new mail. An active or disabled account has its login and delivery address changed
// in place, and its queued mails readdressed. Both are audited on the user.
func (s *Store) ChangeEmail(ctx context.Context, userID int64, newLogin string, m *core.Mailer) (core.EmailChange, error) {
	addr, err := core.ParseAddress(newLogin)
	if err != nil {
		return core.EmailChange{}, err
	}
	var ch core.EmailChange
	err = s.write(ctx, func(tx *sql.Tx) error {
		ch = core.EmailChange{}
		old, err := s.user(ctx, tx, `u.id = ?`, userID)
		if errors.Is(err, sql.ErrNoRows) {
			return userNotFound(userID)
		}
		if err != nil {
			return err
		}
		oldAddr, _ := core.ParseAddress(old.Login)
		if oldAddr.Key == addr.Key && old.Login == addr.Login {
			ch.User = old
			return nil
		}
		if oldAddr.Key != addr.Key {
			if err := loginTaken(ctx, tx, addr); err != nil {
				return err
			}
		}
		var pending, group, session int64
		var lang core.Language
		err = tx.QueryRowContext(ctx, `SELECT id, coalesce(group_id, 0), coalesce(session_id, 0), language FROM invitations
			WHERE user_id = ? AND state = 'pending'`, userID).Scan(&pending, &group, &session, &lang)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		at := now()
		k := keysOf(addr.Login, old.FirstName, old.LastName)
		if _, err := tx.ExecContext(ctx, `UPDATE users SET login = ?, login_key = ?, fold = ?,
			sort_last = ?, sort_first = ?, updated = ? WHERE id = ?`,
			addr.Login, addr.Key, k.fold, k.sortLast, k.sortFirst, at, userID); err != nil {
			return err
		}
		c := change{Before: map[string]any{"login": old.Login, "email": old.Email}, After: map[string]any{"login": addr.Login, "email": addr.Email}}
		if pending == 0 {
			res, err := tx.ExecContext(ctx, `UPDATE outbox SET to_addr = ?, fold = ?, updated = ? WHERE user_id = ? AND state = 'queued'`,
				addr.Email, core.Fold(addr.Email), at, userID)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			ch.MessagesMoved = int(n)
			if err := s.audit(ctx, tx, at, "user.set_email", "user", userID, c); err != nil {
				return err
			}
			ch.User, err = s.user(ctx, tx, `u.id = ?`, userID)
			return err
		}
		if m == nil {
			return core.Errorf(core.EInternal, "invite.no_mailer", "Les e-mails d'invitation ne peuvent pas être préparés (aucun modèle fourni).", nil)
		}
		if ch.CancelledMails, err = cancelQueued(ctx, s, tx, at, `invitation_id = ?`, pending); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET state = 'cancelled', cancelled_at = ? WHERE id = ?`, at, pending); err != nil {
			return err
		}
		if err := revokeTokens(ctx, tx, keysJSON([]int64{userID}), purposeInvitation, at); err != nil {
			return err
		}
		it, err := s.newInviteTx(ctx, tx, m)
		if err != nil {
			return err
		}
		defer it.close()
		it.at = at
		if session != 0 {
			if it.session, err = loadSession(ctx, tx, session); err != nil {
				return err
			}
		}
		var groupArg, sessionArg any
		if group != 0 {
			groupArg = group
		}
		if session != 0 {
			sessionArg = session
		}
		r, err := it.invite.ExecContext(ctx, userID, addr.Login, addr.Key, addr.Email, groupArg, sessionArg, string(lang), at)
		if err != nil {
			return err
		}
		if ch.InvitationID, err = r.LastInsertId(); err != nil {
			return err
		}
		c.Before["invitation"], c.After["invitation"] = pending, ch.InvitationID
		if err := s.audit(ctx, tx, at, "user.set_email", "user", userID, c); err != nil {
			return err
		}
		if ch.User, err = s.user(ctx, tx, `u.id = ?`, userID); err != nil {
			return err
		}
		ch.Reinvited = true
		if err := it.mail(ctx, ch.User, lang, ch.InvitationID, true); err != nil {
			return err
		}
		return it.flush(ctx)
	})
	return ch, err
}

// PendingInvitation returns the pending invitation of a user, or ENotFound.
func (s *Store) PendingInvitation(ctx context.Context, userID int64) (core.InvitationRow, error) {
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT id FROM invitations WHERE user_id = ? AND state = 'pending'`, userID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return core.InvitationRow{}, core.Errorf(core.ENotFound, "invitation.none", "Cet utilisateur n'a pas d'invitation en attente.", nil)
	}
	if err != nil {
		return core.InvitationRow{}, s.dbError(err)
	}
	return s.Invitation(ctx, id)
}
