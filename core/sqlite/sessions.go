package sqlite

// Courses (parcours) and their dated sessions. A person added to a session gets the
// session mail, due now if the session has opened, else at its opening; the mail is
// linked to the person's session_members row, so that moving the opening moves it and
// taking the person out cancels it, as long as it is still queued.

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"convive/core"
)

// maxCourseName bounds a course or session name, in characters.
const maxCourseName = 200

func sessionNotFound(id int64) *core.Error {
	return core.Errorf(core.ENotFound, "session.not_found",
		"La session n° {{.ID}} n'existe pas. Vérifiez son numéro avec : convive sessions list",
		map[string]any{"ID": id})
}

func courseNotFound(name string) *core.Error {
	return core.Errorf(core.ENotFound, "course.not_found",
		"Le parcours «\u00a0{{.Name}}\u00a0» n'existe pas. Créez-le avec : convive courses add \"{{.Name}}\"",
		map[string]any{"Name": name})
}

func courseIDNotFound(id int64) *core.Error {
	return core.Errorf(core.ENotFound, "course.id_not_found", "Le parcours n° {{.ID}} n'existe pas. Vérifiez-le avec : convive courses list",
		map[string]any{"ID": id})
}

func checkCourseName(what, name string) (string, error) {
	clean := core.CleanName(name)
	switch {
	case clean == "":
		return "", core.Errorf(core.EInvalid, "course.name_empty", "Le nom {{.What}} est vide\u00a0: donnez-lui un nom.", map[string]any{"What": what})
	case utf8.RuneCountInString(clean) > maxCourseName:
		return "", core.Errorf(core.EInvalid, "course.name_long", "Le nom {{.What}} «\u00a0{{.Name}}\u00a0» dépasse {{.Max}} caractères\u00a0: raccourcissez-le.",
			map[string]any{"What": what, "Name": clean, "Max": maxCourseName})
	}
	return clean, nil
}

// CreateCourse creates a course (parcours). Two courses cannot have the same name,
// case and accents aside. The creation is audited.
func (s *Store) CreateCourse(ctx context.Context, name string) (core.Course, error) {
	clean, err := checkCourseName("du parcours", name)
	if err != nil {
		return core.Course{}, err
	}
	var c core.Course
	err = s.write(ctx, func(tx *sql.Tx) error {
		var other string
		err := tx.QueryRowContext(ctx, `SELECT name FROM courses WHERE fold = ?`, core.Fold(clean)).Scan(&other)
		if err == nil {
			return core.Errorf(core.EConflict, "course.exists", "Le parcours «\u00a0{{.Name}}\u00a0» existe déjà\u00a0: choisissez un autre nom, ou ajoutez-lui une session.",
				map[string]any{"Name": other})
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		at := now()
		res, err := tx.ExecContext(ctx, `INSERT INTO courses (name, fold, sort_key, created, updated) VALUES (?, ?, ?, ?, ?)`,
			clean, core.Fold(clean), core.NameKey(clean), at, at)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		c = core.Course{ID: id, Name: clean, Created: time.UnixMilli(at).UTC()}
		return s.audit(ctx, tx, at, "course.create", "course", id, change{After: map[string]any{"name": clean}})
	})
	return c, err
}

// RenameCourse gives course id another name; two courses still cannot share one, case
// and accents aside. Its sessions follow; mails already in the outbox keep the name
// they were written with. The change is audited.
func (s *Store) RenameCourse(ctx context.Context, id int64, name string) (core.Course, error) {
	clean, err := checkCourseName("du parcours", name)
	if err != nil {
		return core.Course{}, err
	}
	var c core.Course
	err = s.write(ctx, func(tx *sql.Tx) error {
		var old string
		var created sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT name, created FROM courses WHERE id = ?`, id).Scan(&old, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return courseIDNotFound(id)
		} else if err != nil {
			return err
		}
		c = core.Course{ID: id, Name: clean, Created: fromMillis(created)}
		if old == clean {
			return nil
		}
		var other string
		err = tx.QueryRowContext(ctx, `SELECT name FROM courses WHERE fold = ? AND id <> ?`, core.Fold(clean), id).Scan(&other)
		if err == nil {
			return core.Errorf(core.EConflict, "course.name_taken", "Un autre parcours s'appelle déjà «\u00a0{{.Name}}\u00a0»\u00a0: choisissez un autre nom.",
				map[string]any{"Name": other})
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		at := now()
		if _, err := tx.ExecContext(ctx, `UPDATE courses SET name = ?, fold = ?, sort_key = ?, updated = ? WHERE id = ?`,
			clean, core.Fold(clean), core.NameKey(clean), at, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, at, "course.rename", "course", id, change{Before: map[string]any{"name": old}, After: map[string]any{"name": clean}})
	})
	return c, err
}

// Courses returns every course in French alphabetical order, numbers by their value.
func (s *Store) Courses(ctx context.Context) ([]core.Course, error) {
	// sorted here by core.CompareFrench: the files of older versions hold another
	// order's keys in sort_key
	rows, err := s.r.QueryContext(ctx, `SELECT id, name, created FROM courses ORDER BY id`)
	if err != nil {
		return nil, s.dbError(err)
	}
	defer rows.Close()
	out := []core.Course{}
	for rows.Next() {
		var c core.Course
		var created sql.NullInt64
		if err := rows.Scan(&c.ID, &c.Name, &created); err != nil {
			return nil, s.dbError(err)
		}
		c.Created = fromMillis(created)
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b core.Course) int { return core.CompareFrench(a.Name, b.Name) })
	return out, s.dbError(rows.Err())
}

// CourseByName finds a course by its name (case and accents aside) or its number.
func (s *Store) CourseByName(ctx context.Context, name string) (core.Course, error) {
	var c core.Course
	var created sql.NullInt64
	q := `SELECT id, name, created FROM courses WHERE fold = ?`
	arg := any(core.Fold(core.CleanName(name)))
	if id, err := strconv.ParseInt(strings.TrimSpace(name), 10, 64); err == nil {
		q, arg = `SELECT id, name, created FROM courses WHERE id = ?`, id
	}
	err := s.r.QueryRowContext(ctx, q, arg).Scan(&c.ID, &c.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return c, courseNotFound(name)
	}
	c.Created = fromMillis(created)
	return c, s.dbError(err)
}

// checkDates refuses a session without opening, or closing before it opens.
func checkDates(opens, closes time.Time) error {
	if opens.IsZero() {
		return core.Errorf(core.EInvalid, "session.no_opens", "Indiquez la date d'ouverture de la session.", nil)
	}
	if !closes.IsZero() && !closes.After(opens) {
		return core.Errorf(core.EInvalid, "session.closes_before",
			"La session serait close le {{.Closes}}, avant ou au moment de son ouverture le {{.Opens}}\u00a0: choisissez une date de clôture après l'ouverture.",
			map[string]any{"Closes": core.FrenchDate(closes), "Opens": core.FrenchDate(opens)})
	}
	return nil
}

// CreateSession creates a dated session of a course: a name, an opening and an
// optional closing, which must come after the opening. The creation is audited.
func (s *Store) CreateSession(ctx context.Context, n core.Session) (core.Session, error) {
	name, err := checkCourseName("de la session", n.Name)
	if err != nil {
		return core.Session{}, err
	}
	if err := checkDates(n.Opens, n.Closes); err != nil {
		return core.Session{}, err
	}
	var out core.Session
	err = s.write(ctx, func(tx *sql.Tx) error {
		var course string
		err := tx.QueryRowContext(ctx, `SELECT name FROM courses WHERE id = ?`, n.CourseID).Scan(&course)
		if errors.Is(err, sql.ErrNoRows) {
			return courseIDNotFound(n.CourseID)
		} else if err != nil {
			return err
		}
		at := now()
		res, err := tx.ExecContext(ctx, `INSERT INTO sessions (course_id, name, opens, closes, created, updated) VALUES (?, ?, ?, ?, ?, ?)`,
			n.CourseID, name, n.Opens.UnixMilli(), millis(n.Closes), at, at)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		out = core.Session{ID: id, CourseID: n.CourseID, Name: name, Opens: time.UnixMilli(n.Opens.UnixMilli()).UTC()}
		if !n.Closes.IsZero() {
			out.Closes = time.UnixMilli(n.Closes.UnixMilli()).UTC()
		}
		return s.audit(ctx, tx, at, "session.create", "session", id, change{After: map[string]any{
			"course": course, "name": name, "opens": n.Opens.UnixMilli(), "closes": millis(n.Closes)}})
	})
	return out, err
}

// RenameSession gives session id another name. Mails already in the outbox keep the
// name they were written with. The change is audited.
func (s *Store) RenameSession(ctx context.Context, id int64, name string) (core.Session, error) {
	clean, err := checkCourseName("de la session", name)
	if err != nil {
		return core.Session{}, err
	}
	var out core.Session
	err = s.write(ctx, func(tx *sql.Tx) error {
		ss, err := sessionSummary(ctx, tx, id)
		if err != nil {
			return err
		}
		out = ss.Session
		if ss.Name == clean {
			return nil
		}
		at := now()
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET name = ?, updated = ? WHERE id = ?`, clean, at, id); err != nil {
			return err
		}
		out.Name = clean
		return s.audit(ctx, tx, at, "session.rename", "session", id, change{Before: map[string]any{"name": ss.Name}, After: map[string]any{"name": clean}})
	})
	return out, err
}

// DeleteSession deletes a session that has no learner left: one with learners is
// refused, so that no enrolment and no mail goes with it unseen. The deletion is
// audited, with what the session was.
func (s *Store) DeleteSession(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		ss, err := sessionSummary(ctx, tx, id)
		if err != nil {
			return err
		}
		if ss.Members > 0 {
			return core.Errorf(core.EConflict, "session.not_empty",
				"La session «\u00a0{{.Name}}\u00a0» compte encore des apprenants\u00a0: retirez-les d'abord (leurs e-mails en attente seront annulés), puis supprimez la session.",
				map[string]any{"Name": ss.Name})
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, now(), "session.delete", "session", id, change{Before: map[string]any{
			"course": ss.Course, "name": ss.Name, "opens": ss.Opens.UnixMilli(), "closes": millis(ss.Closes)}})
	})
}

// DeleteCourse deletes a course that has no session left; one with sessions is
// refused. The deletion is audited.
func (s *Store) DeleteCourse(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var name string
		var sessions int
		err := tx.QueryRowContext(ctx, `SELECT name, (SELECT count(*) FROM sessions WHERE course_id = c.id) FROM courses c WHERE id = ?`, id).Scan(&name, &sessions)
		if errors.Is(err, sql.ErrNoRows) {
			return courseIDNotFound(id)
		} else if err != nil {
			return err
		}
		if sessions > 0 {
			return core.Errorf(core.EConflict, "course.not_empty",
				"Le parcours «\u00a0{{.Name}}\u00a0» a encore des sessions\u00a0: supprimez-les d'abord, puis le parcours.",
				map[string]any{"Name": name})
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM courses WHERE id = ?`, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, now(), "course.delete", "course", id, change{Before: map[string]any{"name": name}})
	})
}

const sessionSummaryCols = `s.id, s.course_id, s.name, s.opens, s.closes, c.name,
	(SELECT count(*) FROM session_members m WHERE m.session_id = s.id)`

func scanSessionSummary(sc interface{ Scan(...any) error }) (core.SessionSummary, error) {
	var ss core.SessionSummary
	var opens, closes sql.NullInt64
	err := sc.Scan(&ss.ID, &ss.CourseID, &ss.Name, &opens, &closes, &ss.Course, &ss.Members)
	ss.Opens, ss.Closes = fromMillis(opens), fromMillis(closes)
	return ss, err
}

// Sessions returns the sessions of a course (every course when courseID is 0), by
// course name then opening, with their number of learners.
func (s *Store) Sessions(ctx context.Context, courseID int64) ([]core.SessionSummary, error) {
	q := `SELECT ` + sessionSummaryCols + ` FROM sessions s JOIN courses c ON c.id = s.course_id`
	var args []any
	if courseID != 0 {
		q += ` WHERE s.course_id = ?`
		args = append(args, courseID)
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY s.opens, s.id`, args...)
	if err != nil {
		return nil, s.dbError(err)
	}
	defer rows.Close()
	out := []core.SessionSummary{}
	for rows.Next() {
		ss, err := scanSessionSummary(rows)
		if err != nil {
			return nil, s.dbError(err)
		}
		out = append(out, ss)
	}
	slices.SortStableFunc(out, func(a, b core.SessionSummary) int {
		return cmp.Or(core.CompareFrench(a.Course, b.Course), cmp.Compare(a.CourseID, b.CourseID))
	})
	return out, s.dbError(rows.Err())
}

// Session returns one session with its course's name and its number of learners.
func (s *Store) Session(ctx context.Context, id int64) (core.SessionSummary, error) {
	ss, err := sessionSummary(ctx, s.r, id)
	return ss, s.dbError(err)
}

// sessionSummary reads one session through q; a missing one is sessionNotFound.
func sessionSummary(ctx context.Context, q querier, id int64) (core.SessionSummary, error) {
	ss, err := scanSessionSummary(q.QueryRowContext(ctx, `SELECT `+sessionSummaryCols+` FROM sessions s JOIN courses c ON c.id = s.course_id WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ss, sessionNotFound(id)
	}
	return ss, err
}

// SessionMembers returns the learners of a session, by last name, with their groups.
func (s *Store) SessionMembers(ctx context.Context, id int64) ([]core.User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userCols+` FROM session_members m JOIN users u ON u.id = m.user_id
		WHERE m.session_id = ? ORDER BY u.sort_last, u.id`, id)
	if err != nil {
		return nil, s.dbError(err)
	}
	defer rows.Close()
	us := []core.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, s.dbError(err)
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbError(err)
	}
	rows.Close()
	return us, s.dbError(fillGroups(ctx, s.r, us))
}

// RescheduleSession changes the opening and closing of a session. The session mails
// still queued move with it: due at the new opening, or now if it has passed. It
// returns how many mails moved. The change is audited.
func (s *Store) RescheduleSession(ctx context.Context, id int64, opens, closes time.Time) (int, error) {
	if err := checkDates(opens, closes); err != nil {
		return 0, err
	}
	moved := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		var oldOpens int64
		var oldCloses sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT opens, closes FROM sessions WHERE id = ?`, id).Scan(&oldOpens, &oldCloses)
		if errors.Is(err, sql.ErrNoRows) {
			return sessionNotFound(id)
		} else if err != nil {
			return err
		}
		at := now()
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET opens = ?, closes = ?, updated = ? WHERE id = ?`,
			opens.UnixMilli(), millis(closes), at, id); err != nil {
			return err
		}
		due := max(opens.UnixMilli(), at)
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET due = ?, updated = ? WHERE state = 'queued'
			AND id IN (SELECT message_id FROM session_members WHERE session_id = ? AND message_id IS NOT NULL)`, due, at, id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		moved = int(n)
		var oc any
		if oldCloses.Valid {
			oc = oldCloses.Int64
		}
		return s.audit(ctx, tx, at, "session.reschedule", "session", id, change{
			Before: map[string]any{"opens": oldOpens, "closes": oc},
			After:  map[string]any{"opens": opens.UnixMilli(), "closes": millis(closes), "mails_moved": moved}})
	})
	return moved, err
}

// EnrolUsers adds existing users to a session (the tick boxes). Each one not yet in it
// gets the session mail in their language, due now if the session has opened, else at
// its opening; an invited user's mail carries their invitation link and is cancelled
// with their invitation. It returns how many were added. New addresses go through
// Invite with InviteRequest.SessionID.
func (s *Store) EnrolUsers(ctx context.Context, sessionID int64, userIDs []int64, m *core.Mailer) (int, error) {
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		n = 0
		it, err := s.newInviteTx(ctx, tx, m)
		if err != nil {
			return err
		}
		defer it.close()
		if it.session, err = loadSession(ctx, tx, sessionID); err != nil {
			return err
		}
		for _, id := range dedupe(userIDs) {
			u, err := s.user(ctx, tx, `u.id = ?`, id)
			if errors.Is(err, sql.ErrNoRows) {
				return userNotFound(id)
			} else if err != nil {
				return err
			}
			added, err := it.join(ctx, id, nil, false)
			if err != nil {
				return err
			}
			if !added {
				continue
			}
			var inv int64
			if u.Status == core.StatusInvited {
				err := tx.QueryRowContext(ctx, `SELECT id FROM invitations WHERE user_id = ? AND state = 'pending'`, id).Scan(&inv)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return err
				}
			}
			if err := it.writeAudit(ctx, "session.enrol", "user", id, change{After: map[string]any{"session": sessionID}}); err != nil {
				return err
			}
			if err := it.mail(ctx, u, u.Language, inv, inv != 0); err != nil {
				return err
			}
			n++
		}
		return it.flush(ctx)
	})
	return n, err
}

// RemoveFromSession takes users out of a session. Their session mail, if still queued,
// is cancelled (before the opening, they never hear of it); a pending invitation made
// for this session is cancelled too. It returns how many mails were cancelled.
func (s *Store) RemoveFromSession(ctx context.Context, sessionID int64, userIDs []int64) (int, error) {
	cancelled := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := loadSession(ctx, tx, sessionID); err != nil {
			return err
		}
		at := now()
		users := keysJSON(dedupe(userIDs))
		var err error
		cancelled, err = cancelQueued(ctx, s, tx, at, `id IN (SELECT message_id FROM session_members
			WHERE session_id = ? AND user_id IN (SELECT value FROM json_each(?)))`, sessionID, users)
		if err != nil {
			return err
		}
		var invs []int64
		if invs, err = idsWhere(ctx, tx, `SELECT id FROM invitations WHERE state = 'pending' AND session_id = ?
			AND user_id IN (SELECT value FROM json_each(?))`, sessionID, users); err != nil {
			return err
		}
		if _, err := s.endInvitations(ctx, tx, invs, core.InvitationCancelled); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit (at, who, action, entity, entity_id, detail)
			SELECT ?, ?, 'session.remove', 'user', user_id, json_object('session', session_id) FROM session_members
			WHERE session_id = ? AND user_id IN (SELECT value FROM json_each(?))`, at, s.who, sessionID, users); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM session_members WHERE session_id = ? AND user_id IN (SELECT value FROM json_each(?))`, sessionID, users)
		return err
	})
	return cancelled, err
}
