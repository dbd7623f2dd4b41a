package gui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"convive/core"
)

// newParcoursFixture opens the Parcours screen over a real store whose platform is set.
func newParcoursFixture(t *testing.T) (*fixture, *ParcoursScreen) {
	t.Helper()
	f := newFixture(t)
	if err := f.st.SetOrganisation(f.ctx, core.Organisation{Name: "Formation Exemple", URL: "https://formation.exemple.fr"}); err != nil {
		t.Fatal(err)
	}
	f.mw.ShowScreen(ScreenCourses)
	settle()
	s := f.mw.Parcours
	if s == nil || f.mw.CurrentScreen() != ScreenCourses {
		t.Fatal("the Parcours screen is not shown")
	}
	return f, s
}

// sessionMails returns the session mails of the outbox, by recipient.
func sessionMails(t *testing.T, f *fixture) map[string]core.Message {
	t.Helper()
	ms, err := f.st.Outbox(f.ctx, core.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]core.Message{}
	for _, m := range ms {
		if m.Kind == core.KindSession || m.Kind == core.KindInvitation {
			out[m.To] = m
		}
	}
	return out
}

// mailTo finds the mail whose recipient holds addr.
func mailTo(t *testing.T, f *fixture, addr string) core.Message {
	t.Helper()
	for to, m := range sessionMails(t, f) {
		if strings.Contains(to, addr) {
			return m
		}
	}
	t.Fatalf("no session mail to %s in the outbox", addr)
	return core.Message{}
}

func createCourseAndSession(t *testing.T, s *ParcoursScreen, course, session, opens string) {
	t.Helper()
	test.Tap(s.NewCourse)
	test.Type(s.CourseName, course)
	s.CourseName.OnSubmitted(s.CourseName.Text)
	waitFor(t, "the course in the list and selected", func() bool {
		return len(s.Courses) > 0 && s.courseID != 0 && s.NewSession.Disabled() == false
	})
	test.Tap(s.NewSession)
	test.Type(s.SessionForm.Name, session)
	test.Type(s.SessionForm.Opens, opens)
	test.Tap(s.SessionForm.Confirm)
	waitFor(t, "the session in the table and selected", func() bool {
		_, ok := s.current()
		return ok
	})
}

func TestParcoursScreen(t *testing.T) {
	f, s := newParcoursFixture(t)
	opens := time.Date(2030, 1, 12, 9, 0, 0, 0, time.Local)

	t.Run("an empty screen says to create a course", func(t *testing.T) {
		if !strings.Contains(strings.Join(texts(s.content), "\n"), "Aucun parcours pour l'instant") {
			t.Errorf("no empty state: %v", texts(s.content))
		}
	})

	t.Run("a course and a session are created from the screen", func(t *testing.T) {
		createCourseAndSession(t, s, "Accueil des nouveaux arrivants", "Session de janvier", "12/01/2030 09:00")
		if s.Courses[0].Name != "Accueil des nouveaux arrivants" {
			t.Errorf("course %q", s.Courses[0].Name)
		}
		ss, _ := s.current()
		if ss.Name != "Session de janvier" || !ss.Opens.Equal(opens) {
			t.Errorf("session %q opening %v", ss.Name, ss.Opens)
		}
		if state, _ := sessionState(ss.Session, time.Now()); state != "à venir" {
			t.Errorf("state %q", state)
		}
		if got := s.When.Text; got != "L'invitation partira à l'ouverture, le 12/01/2030 à 09:00." {
			t.Errorf("when: %q", got)
		}
	})

	t.Run("a closing before the opening is refused in French and nothing is created", func(t *testing.T) {
		test.Tap(s.NewSession)
		test.Type(s.SessionForm.Name, "Session ratée")
		test.Type(s.SessionForm.Opens, "12/03/2030 09:00")
		test.Type(s.SessionForm.Closes, "01/03/2030")
		test.Tap(s.SessionForm.Confirm)
		waitFor(t, "the error in the dialog", func() bool { return s.SessionForm.Error.Visible() })
		if !strings.Contains(s.SessionForm.Error.Text, "choisissez une date de clôture après l'ouverture") {
			t.Errorf("error %q", s.SessionForm.Error.Text)
		}
		s.SessionForm.Opens.SetText("31/02/2030")
		test.Tap(s.SessionForm.Confirm)
		waitFor(t, "the date error", func() bool {
			return strings.HasPrefix(s.SessionForm.Error.Text, "Ouverture\u00a0: «\u00a031/02/2030\u00a0» n'est pas une date")
		})
		s.SessionForm.Dialog.Hide()
		all, err := f.st.Sessions(f.ctx, 0)
		if err != nil || len(all) != 1 {
			t.Errorf("%d sessions (%v)", len(all), err)
		}
	})

	f.addUser(t, "elodie.martin@exemple.fr", "Élodie", "Martin")
	f.addUser(t, "paul.durand@exemple.fr", "Paul", "Durand")
	f.addUser(t, "zoe.petit@exemple.fr", "Zoé", "Petit")

	t.Run("ticked existing users are enrolled and their mail waits for the opening", func(t *testing.T) {
		test.Tap(s.AddLearners)
		e := s.Enrol
		if !strings.Contains(e.When.Text, "12/01/2030 à 09:00") {
			t.Errorf("when %q", e.When.Text)
		}
		waitFor(t, "the users", func() bool { return e.pager.Len() == 3 })
		test.Type(e.Search, "elo")
		waitFor(t, "the search without accents", func() bool { return e.pager.Len() == 1 })
		e.Users.Select(0)
		e.Search.SetText("")
		waitFor(t, "every user again", func() bool { return e.pager.Len() == 3 })
		test.Type(e.Search, "PAUL")
		waitFor(t, "Paul", func() bool { return e.pager.Len() == 1 })
		e.Users.Select(0)
		if e.Enrol.Text != "Inscrire 2 personnes" {
			t.Errorf("button %q", e.Enrol.Text)
		}
		test.Tap(e.Enrol)
		waitFor(t, "the enrolment", func() bool { return strings.Contains(e.Result.Text, "2 personnes inscrites") })
		waitFor(t, "the learners", func() bool { return len(s.Members) == 2 && s.Sessions[0].Members == 2 })
		if !strings.HasPrefix(s.LearnersTitle.Text, "2 apprenants") {
			t.Errorf("title %q", s.LearnersTitle.Text)
		}
		m := mailTo(t, f, "elodie.martin@exemple.fr")
		if m.State != core.MessageQueued || !m.Due.Equal(opens) {
			t.Errorf("mail %s due %v, want queued at %v", m.State, m.Due, opens)
		}
	})

	t.Run("new addresses are previewed then invited into the session", func(t *testing.T) {
		e := s.Enrol
		e.Tabs.SelectIndex(1)
		e.Addresses.SetText("nouveau.venu@exemple.fr; pas-une-adresse")
		test.Tap(e.Check)
		waitFor(t, "the preview", func() bool { return e.Preview.Text != "" })
		for _, want := range []string{"1 nouvelle adresse sera invitée.", "1 entrée n'est pas une adresse"} {
			if !strings.Contains(e.Preview.Text, want) {
				t.Errorf("preview lacks %q: %q", want, e.Preview.Text)
			}
		}
		test.Tap(e.Invite)
		waitFor(t, "the invitation", func() bool { return strings.Contains(e.Result.Text, "1 personne invitée") })
		waitFor(t, "three learners", func() bool { return len(s.Members) == 3 })
		if m := mailTo(t, f, "nouveau.venu@exemple.fr"); !m.Due.Equal(opens) {
			t.Errorf("new address's mail due %v", m.Due)
		}
		e.Dialog.Hide()
	})

	t.Run("learners already in the session show ticked and cannot be ticked again", func(t *testing.T) {
		test.Tap(s.AddLearners)
		e := s.Enrol
		test.Type(e.Search, "paul")
		waitFor(t, "Paul", func() bool { return e.pager.Len() == 1 && e.pager.Loaded() })
		e.Users.Select(0)
		if len(e.Checked) != 0 || !e.Enrol.Disabled() {
			t.Errorf("Paul could be ticked again: %v", e.Checked)
		}
		e.Dialog.Hide()
	})

	t.Run("moving the opening moves the queued mails", func(t *testing.T) {
		test.Tap(s.Reschedule)
		if s.SessionForm.Opens.Text != "12/01/2030 09:00" {
			t.Errorf("form opens with %q", s.SessionForm.Opens.Text)
		}
		s.SessionForm.Opens.SetText("15/02/2030 10:30")
		test.Tap(s.SessionForm.Confirm)
		waitFor(t, "the new dates", func() bool { return strings.Contains(s.Result.Text, "3 e-mails en attente") })
		moved := time.Date(2030, 2, 15, 10, 30, 0, 0, time.Local)
		for _, a := range []string{"elodie.martin@", "paul.durand@", "nouveau.venu@"} {
			if m := mailTo(t, f, a); !m.Due.Equal(moved) {
				t.Errorf("%s due %v", a, m.Due)
			}
		}
		waitFor(t, "the table", func() bool { return s.Sessions[0].Opens.Equal(moved) })
	})

	t.Run("removing a learner before the opening asks with the count and cancels the mail", func(t *testing.T) {
		i := -1
		for j, u := range s.Members {
			if u.Login == "paul.durand@exemple.fr" {
				i = j
			}
		}
		s.Learners.Select(i)
		if s.Remove.Disabled() || s.Remove.Text != "Retirer 1 apprenant" {
			t.Fatalf("remove button %q", s.Remove.Text)
		}
		test.Tap(s.Remove)
		if !strings.Contains(overlayText(f.mw.Window), "Retirer 1 apprenant de la session") {
			t.Errorf("question: %q", overlayText(f.mw.Window))
		}
		s.Question.Confirm()
		waitFor(t, "the removal", func() bool { return s.Result.Text == "1 apprenant retiré. 1 e-mail annulé." })
		if m := mailTo(t, f, "paul.durand@exemple.fr"); m.State != core.MessageCancelled {
			t.Errorf("Paul's mail is %s", m.State)
		}
		if m := mailTo(t, f, "elodie.martin@exemple.fr"); m.State != core.MessageQueued {
			t.Errorf("Élodie's mail is %s", m.State)
		}
		waitFor(t, "two learners", func() bool { return len(s.Members) == 2 })
	})

	t.Run("in an opened session the mail is due now", func(t *testing.T) {
		test.Tap(s.NewSession)
		test.Type(s.SessionForm.Name, "Session ouverte")
		test.Type(s.SessionForm.Opens, core.FrenchDateTime(time.Now().Add(-time.Hour)))
		test.Tap(s.SessionForm.Confirm)
		waitFor(t, "the opened session", func() bool {
			ss, ok := s.current()
			return ok && ss.Name == "Session ouverte"
		})
		if s.When.Text != "La session est ouverte\u00a0: l'invitation part maintenant." {
			t.Errorf("when %q", s.When.Text)
		}
		test.Tap(s.AddLearners)
		e := s.Enrol
		test.Type(e.Search, "zoe")
		waitFor(t, "Zoé", func() bool { return e.pager.Len() == 1 && e.pager.Loaded() })
		e.Users.Select(0)
		test.Tap(e.Enrol)
		before := time.Now()
		waitFor(t, "the enrolment", func() bool { return strings.Contains(e.Result.Text, "1 personne inscrite") })
		m := mailTo(t, f, "zoe.petit@exemple.fr")
		if m.State != core.MessageQueued || m.Due.After(time.Now()) || m.Due.Before(before.Add(-time.Minute)) {
			t.Errorf("mail %s due %v, want now", m.State, m.Due)
		}
		e.Dialog.Hide()
	})
}

// rename types text over the name a rename dialog starts from, then presses Entrée.
func rename(e *Entry, text string) {
	e.SetText("")
	test.Type(e, text)
	e.OnSubmitted(e.Text)
}

func TestParcoursScreenRenamesACourse(t *testing.T) {
	f, s := newParcoursFixture(t)
	if !s.RenameCourse.Disabled() {
		t.Error("Renommer is enabled with no course chosen")
	}
	createCourseAndSession(t, s, "Accueil des nouveaux arivants", "Session de janvier", "12/01/2030 09:00")
	if _, err := f.st.CreateCourse(f.ctx, "Sécurité"); err != nil {
		t.Fatal(err)
	}

	test.Tap(s.RenameCourse)
	if s.CourseName.Text != "Accueil des nouveaux arivants" {
		t.Errorf("the dialog starts from %q", s.CourseName.Text)
	}
	rename(s.CourseName, "Accueil des nouveaux arrivants")
	waitFor(t, "the new name in the list and in the title", func() bool {
		return len(s.Courses) == 2 && s.Courses[0].Name == "Accueil des nouveaux arrivants" &&
			strings.Contains(s.SessionsTitle.Text, "Accueil des nouveaux arrivants")
	})
	waitFor(t, "the course's session, still there", func() bool { return len(s.Sessions) == 1 && s.Sessions[0].Name == "Session de janvier" })

	// the name of another course is refused, and the course keeps its name
	test.Tap(s.RenameCourse)
	rename(s.CourseName, "securite")
	waitFor(t, "the refusal", func() bool { return strings.Contains(overlayText(f.mw.Window), "Un autre parcours s'appelle déjà") })
	c, err := f.st.CourseByName(f.ctx, "Accueil des nouveaux arrivants")
	if err != nil || c.ID != s.courseID {
		t.Errorf("course after a refused rename: %+v, %v", c, err)
	}
}

func TestParcoursScreenRenamesASession(t *testing.T) {
	f, s := newParcoursFixture(t)
	createCourseAndSession(t, s, "Accueil", "Sesion de janvier", "12/01/2030 09:00")
	test.Tap(s.RenameSession)
	if s.SessionName.Text != "Sesion de janvier" {
		t.Errorf("the dialog starts from %q", s.SessionName.Text)
	}
	rename(s.SessionName, "Session de janvier")
	waitFor(t, "the new name in the table and over the learners", func() bool {
		ss, ok := s.current()
		return ok && ss.Name == "Session de janvier" && strings.Contains(s.LearnersTitle.Text, "Session de janvier")
	})
	ss, _ := s.current()
	if stored, err := f.st.Session(f.ctx, ss.ID); err != nil || stored.Name != "Session de janvier" {
		t.Errorf("stored session: %+v, %v", stored, err)
	}
}

func TestParcoursScreenDeletesEmptySessionsAndCourses(t *testing.T) {
	f, s := newParcoursFixture(t)
	createCourseAndSession(t, s, "Accueil", "Session de janvier", "12/01/2030 09:00")
	ss, _ := s.current()
	anne, err := f.st.CreateUser(f.ctx, core.NewUser{Login: "anne@exemple.fr"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.mailer(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.EnrolUsers(f.ctx, ss.ID, []int64{anne.ID}, m); err != nil {
		t.Fatal(err)
	}

	// a course with a session is kept, and the reason said
	test.Tap(s.DeleteCourse)
	if q := overlayText(f.mw.Window); !strings.Contains(q, "Supprimer le parcours «\u00a0Accueil\u00a0»\u00a0?") {
		t.Fatalf("question: %q", q)
	}
	s.Question.Confirm()
	waitFor(t, "the refusal", func() bool { return strings.Contains(overlayText(f.mw.Window), "a encore des sessions") })
	press(f.mw.Window, fyne.KeyEscape)

	// so is a session with a learner
	test.Tap(s.DeleteSession)
	s.Question.Confirm()
	waitFor(t, "the refusal", func() bool { return strings.Contains(overlayText(f.mw.Window), "compte encore des apprenants") })
	press(f.mw.Window, fyne.KeyEscape)

	if _, err := f.st.RemoveFromSession(f.ctx, ss.ID, []int64{anne.ID}); err != nil {
		t.Fatal(err)
	}
	test.Tap(s.DeleteSession)
	s.Question.Confirm()
	waitFor(t, "no session left, none selected", func() bool {
		_, selected := s.current()
		return len(s.Sessions) == 0 && !selected && s.DeleteSession.Disabled()
	})
	test.Tap(s.DeleteCourse)
	s.Question.Confirm()
	waitFor(t, "no course left", func() bool { return len(s.Courses) == 0 && s.courseID == 0 && s.DeleteCourse.Disabled() })
	if list, _ := f.st.Courses(f.ctx); len(list) != 0 {
		t.Errorf("courses in the file: %+v", list)
	}
}

func TestParcoursScreenOpensOnTheFirstCourse(t *testing.T) {
	f := newFixture(t)
	var ids []int64
	for _, name := range []string{"Sécurité au travail", "Accueil"} {
		c, err := f.st.CreateCourse(f.ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	if _, err := f.st.CreateSession(f.ctx, core.Session{CourseID: ids[1], Name: "Janvier", Opens: time.Date(2030, 1, 12, 9, 0, 0, 0, time.Local)}); err != nil {
		t.Fatal(err)
	}
	f.mw.Window.Resize(fyne.NewSize(1024, 700))
	f.mw.ShowScreen(ScreenCourses)
	s := f.mw.Parcours
	// « Accueil » comes first in the list, in French order: its sessions show at once
	waitFor(t, "the first course and its session", func() bool {
		return s.courseID == ids[1] && len(s.Sessions) == 1 && !s.NewSession.Disabled()
	})
	// the opening, with its time, is not cut, and the name has the room left
	settle()
	opens := fyne.MeasureText("12/01/2030 09:00", theme.TextSize(), fyne.TextStyle{Bold: true}).Width + 2*theme.InnerPadding()
	w := s.sessionFit.widths
	if len(w) != 5 || w[1] < opens {
		t.Fatalf("columns %v, for an opening %.0f wide", w, opens)
	}
	if used := w[0] + w[1] + w[2] + w[3] + w[4] + 5*theme.Padding() + theme.ScrollBarSize(); w[0] <= 140 || used-s.sessionBox.Size().Width > 1 || used-s.sessionBox.Size().Width < -1 {
		t.Errorf("columns %v take %.0f of %.0f", w, used, s.sessionBox.Size().Width)
	}

	// a new course that sorts first takes the row of the selected one: it is the one
	// shown, with no session
	test.Tap(s.NewCourse)
	test.Type(s.CourseName, "Accompagnement")
	s.CourseName.OnSubmitted(s.CourseName.Text)
	waitFor(t, "the new course, selected", func() bool {
		return len(s.Courses) == 3 && s.Courses[0].Name == "Accompagnement" && s.courseID == s.Courses[0].ID && len(s.Sessions) == 0
	})
	test.Tap(s.DeleteCourse)
	s.Question.Confirm()
	waitFor(t, "the first course again", func() bool { return len(s.Courses) == 2 && s.courseID == ids[1] && len(s.Sessions) == 1 })

	// once it is deleted, the one left is shown
	if _, err := f.st.CreateSession(f.ctx, core.Session{CourseID: ids[0], Name: "Mars", Opens: time.Date(2030, 3, 2, 9, 0, 0, 0, time.Local)}); err != nil {
		t.Fatal(err)
	}
	sessions, _ := f.st.Sessions(f.ctx, ids[1])
	if err := f.st.DeleteSession(f.ctx, sessions[0].ID); err != nil {
		t.Fatal(err)
	}
	test.Tap(s.DeleteCourse)
	s.Question.Confirm()
	waitFor(t, "the other course and its session", func() bool {
		return len(s.Courses) == 1 && s.courseID == ids[0] && len(s.Sessions) == 1 && s.Sessions[0].Name == "Mars"
	})
}
