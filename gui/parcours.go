package gui

import (
	"context"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"convive/assets"
	"convive/core"
)

// ParcoursService is what the Parcours screen needs: courses, their sessions, their
// learners, and the mail sources to make the session mails. *sqlite.Store satisfies it.
type ParcoursService interface {
	core.MailSource
	UserLister
	Courses(ctx context.Context) ([]core.Course, error)
	CreateCourse(ctx context.Context, name string) (core.Course, error)
	RenameCourse(ctx context.Context, id int64, name string) (core.Course, error)
	RenameSession(ctx context.Context, id int64, name string) (core.Session, error)
	DeleteCourse(ctx context.Context, id int64) error
	DeleteSession(ctx context.Context, id int64) error
	Sessions(ctx context.Context, courseID int64) ([]core.SessionSummary, error)
	Session(ctx context.Context, id int64) (core.SessionSummary, error)
	CreateSession(ctx context.Context, n core.Session) (core.Session, error)
	SessionMembers(ctx context.Context, id int64) ([]core.User, error)
	RescheduleSession(ctx context.Context, id int64, opens, closes time.Time) (int, error)
	EnrolUsers(ctx context.Context, sessionID int64, userIDs []int64, m *core.Mailer) (int, error)
	RemoveFromSession(ctx context.Context, sessionID int64, userIDs []int64) (int, error)
	PreviewInvite(ctx context.Context, req core.InviteRequest) (core.InvitePreview, error)
	Invite(ctx context.Context, req core.InviteRequest, m *core.Mailer) (core.InviteResult, error)
}

// ParcoursScreen is the Parcours screen: the courses on the left, the sessions of the
// selected course, and the learners of the selected session.
type ParcoursScreen struct {
	// NewCourse is the main action.
	NewCourse *widget.Button
	// CourseList lists the courses; selecting one shows its sessions.
	CourseList *widget.List
	// SessionsTitle names the selected course; SessionTable lists its sessions.
	SessionsTitle *widget.Label
	SessionTable  *widget.Table
	NewSession    *widget.Button
	// RenameCourse and DeleteCourse act on the selected course.
	RenameCourse *widget.Button
	DeleteCourse *widget.Button
	// LearnersTitle names the selected session, When says when its mail goes.
	LearnersTitle *widget.Label
	When          *widget.Label
	// Learners lists the learners of the selected session, with a tick box each.
	Learners      *widget.List
	AddLearners   *widget.Button
	Remove        *widget.Button
	Reschedule    *widget.Button
	RenameSession *widget.Button
	DeleteSession *widget.Button
	// Result says what the last action did.
	Result *widget.Label

	// CourseName, SessionForm, Enrol and Question belong to the dialogs last opened.
	CourseName  *Entry
	SessionName *Entry
	SessionForm *SessionForm
	Enrol       *EnrolDialog
	Question    *dialog.ConfirmDialog

	Courses  []core.Course
	Sessions []core.SessionSummary
	Members  []core.User
	// Checked holds the ticked learners.
	Checked map[int64]bool

	courseID, sessionID int64
	membersLoaded       bool
	emptyCourses        fyne.CanvasObject
	content             fyne.CanvasObject
	sessionPane         *fyne.Container
	sessionFit          *sessionTableLayout
	sessionBox          *fyne.Container // the sessions table in sessionFit
	emptyLearners       *widget.Label
	learnerPane         *fyne.Container
	mw                  *MainWindow
	st                  ParcoursService
	w                   fyne.Window
	// now is the clock, replaced by tests.
	now func() time.Time
}

func newParcoursScreen(mw *MainWindow, st ParcoursService) *ParcoursScreen {
	s := &ParcoursScreen{mw: mw, st: st, w: mw.Window, Checked: map[int64]bool{}, now: time.Now}
	s.NewCourse = &widget.Button{Text: lang.X("courses.new", "Nouveau parcours"), Icon: theme.ContentAddIcon(),
		Importance: widget.HighImportance, OnTapped: s.onNewCourse}

	s.CourseList = widget.NewList(
		func() int { return len(s.Courses) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("Accueil des nouveaux arrivants")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.Courses[i].Name) })
	s.CourseList.OnSelected = func(i widget.ListItemID) {
		if i >= 0 && i < len(s.Courses) {
			s.selectCourse(s.Courses[i].ID)
		}
	}
	emptyText := widget.NewLabel(lang.X("courses.empty", "Aucun parcours pour l'instant. Créez-en un, puis ajoutez-lui des sessions datées."))
	emptyText.Wrapping = fyne.TextWrapWord
	s.emptyCourses = container.NewVBox(emptyText, container.NewHBox(&widget.Button{Text: lang.X("courses.new", "Nouveau parcours"),
		Icon: theme.ContentAddIcon(), OnTapped: s.onNewCourse}))

	s.SessionsTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.SessionsTitle.Truncation = fyne.TextTruncateEllipsis
	s.NewSession = &widget.Button{Text: lang.X("sessions.new", "Nouvelle session"), Icon: theme.ContentAddIcon(), OnTapped: s.onNewSession}
	s.RenameCourse = &widget.Button{Text: lang.X("courses.rename", "Renommer"), Icon: theme.DocumentCreateIcon(), OnTapped: s.onRenameCourse}
	s.DeleteCourse = &widget.Button{Text: lang.X("courses.delete", "Supprimer"), Icon: theme.DeleteIcon(), OnTapped: s.onDeleteCourse}
	s.SessionTable = s.newSessionTable()
	s.sessionBox = container.New(s.sessionFit, s.SessionTable)

	s.LearnersTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.LearnersTitle.Truncation = fyne.TextTruncateEllipsis
	s.When = widget.NewLabel("")
	s.When.Wrapping = fyne.TextWrapWord
	s.Learners = widget.NewList(
		func() int { return len(s.Members) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, widget.NewCheck("", nil), nil, l)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			u := s.Members[i]
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(learnerText(u))
			ch := c.Objects[1].(*widget.Check)
			ch.OnChanged = nil
			ch.SetChecked(s.Checked[u.ID])
			id := u.ID
			ch.OnChanged = func(on bool) { s.setChecked(id, on) }
		})
	s.Learners.OnSelected = func(i widget.ListItemID) {
		if i >= 0 && i < len(s.Members) {
			id := s.Members[i].ID
			s.setChecked(id, !s.Checked[id])
			s.Learners.RefreshItem(i)
		}
		s.Learners.UnselectAll()
	}
	s.AddLearners = &widget.Button{Text: lang.X("sessions.add_learners", "Ajouter des apprenants"), Icon: theme.ContentAddIcon(),
		Importance: widget.HighImportance, OnTapped: s.onAddLearners}
	s.Remove = &widget.Button{Text: lang.X("sessions.remove", "Retirer"), Icon: theme.ContentRemoveIcon(), OnTapped: s.onRemove}
	s.Reschedule = &widget.Button{Text: lang.X("sessions.reschedule", "Modifier les dates"), Icon: theme.HistoryIcon(), OnTapped: s.onReschedule}
	s.RenameSession = &widget.Button{Text: lang.X("sessions.rename", "Renommer"), Icon: theme.DocumentCreateIcon(), OnTapped: s.onRenameSession}
	s.DeleteSession = &widget.Button{Text: lang.X("sessions.delete", "Supprimer"), Icon: theme.DeleteIcon(), OnTapped: s.onDeleteSession}
	s.emptyLearners = widget.NewLabel(lang.X("sessions.no_learners", "Aucun apprenant dans cette session pour l'instant : ajoutez-en avec « Ajouter des apprenants »."))
	s.emptyLearners.Wrapping = fyne.TextWrapWord
	s.emptyLearners.Hide()
	s.Result = widget.NewLabel("")
	s.Result.Wrapping = fyne.TextWrapWord
	s.Result.Importance = widget.SuccessImportance

	// the actions on the selected session under its table, those on its learners
	// over their list
	s.sessionPane = container.NewBorder(
		container.NewBorder(nil, nil, nil, s.NewSession, s.SessionsTitle), container.NewHBox(s.Reschedule, s.RenameSession, s.DeleteSession),
		nil, nil, s.sessionBox)
	learnerButtons := container.NewHBox(s.AddLearners, s.Remove)
	s.learnerPane = container.NewBorder(
		container.NewVBox(widget.NewSeparator(), s.LearnersTitle, s.When, learnerButtons),
		s.Result, nil, nil, container.NewStack(s.Learners, container.NewVBox(s.emptyLearners)))
	right := container.NewVSplit(s.sessionPane, s.learnerPane)
	right.Offset = 0.45
	left := container.NewBorder(widget.NewLabelWithStyle(lang.X("courses.list", "Parcours"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewVBox(s.RenameCourse, s.DeleteCourse), nil, nil, container.NewStack(s.CourseList, s.emptyCourses))
	split := container.NewHSplit(left, right)
	split.Offset = 0.24
	s.content = split
	s.showSelection()
	return s
}

func (s *ParcoursScreen) id() string                { return ScreenCourses }
func (s *ParcoursScreen) icon() fyne.Resource       { return theme.ListIcon() }
func (s *ParcoursScreen) title() string             { return lang.X("nav.courses", "Parcours") }
func (s *ParcoursScreen) action() fyne.CanvasObject { return s.NewCourse }
func (s *ParcoursScreen) view() fyne.CanvasObject   { return s.content }
func (s *ParcoursScreen) shown()                    { s.loadCoursesAsync(s.courseID) }
func (s *ParcoursScreen) subtitle() string {
	return lang.X("courses.subtitle", "Préparez les parcours et leurs sessions datées, et inscrivez-y des apprenants.")
}

// sessionColumns are the headers of the sessions table.
func sessionColumns() []string {
	return []string{
		lang.X("sessions.col.name", "Session"),
		lang.X("sessions.col.opens", "Ouverture"),
		lang.X("sessions.col.closes", "Clôture"),
		lang.X("sessions.col.members", "Apprenants"),
		lang.X("sessions.col.state", "État"),
	}
}

// sessionTableLayout is the layout of the sessions table: the dates, the counts and the
// states take the width of their widest text, header included, and the name column
// the rest, so that every column shows without scrolling and names are cut last.
type sessionTableLayout struct {
	t      *widget.Table
	heads  []string
	cells  func(col int) []string // the texts of a column, as the table shows them
	widths []float32              // as last laid out
}

func (f *sessionTableLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	return objects[0].MinSize()
}

// textWidth is the width of a cell that shows the widest of texts in bold (the
// selected session's row is bold) without cutting it.
func textWidth(texts []string) float32 {
	var w float32
	for _, t := range texts {
		w = max(w, fyne.MeasureText(t, theme.TextSize(), fyne.TextStyle{Bold: true}).Width)
	}
	// a label's padding on both sides, and a little more: a cell cuts a bold text
	// that has exactly its width
	return w + 2*theme.InnerPadding() + theme.Padding()
}

func (f *sessionTableLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	f.widths = make([]float32, len(f.heads))
	rest := size.Width - theme.ScrollBarSize() - float32(len(f.heads))*theme.Padding()
	for col := 1; col < len(f.heads); col++ {
		f.widths[col] = textWidth(append(f.cells(col), f.heads[col]))
		rest -= f.widths[col]
	}
	f.widths[0] = max(140, rest)
	for col, w := range f.widths {
		f.t.SetColumnWidth(col, w)
	}
	objects[0].Resize(size)
	objects[0].Move(fyne.NewPos(0, 0))
}

// sessionCell is the text of a cell of the sessions table, with its importance.
func (s *ParcoursScreen) sessionCell(ss core.SessionSummary, col int) (string, widget.Importance) {
	switch col {
	case 0:
		return ss.Name, widget.MediumImportance
	case 1:
		return tableDate(ss.Opens), widget.MediumImportance
	case 2:
		return tableDate(ss.Closes), widget.MediumImportance
	case 3:
		return formatInt(ss.Members), widget.MediumImportance
	}
	return sessionState(ss.Session, s.now())
}

// sessionColumnTexts is what column col of the sessions table may show: its cells,
// and for the states every word, so that the column keeps its width as days pass.
func (s *ParcoursScreen) sessionColumnTexts(col int) []string {
	if col == 4 {
		return []string{lang.X("sessions.state.upcoming", "à venir"), lang.X("sessions.state.open", "ouverte"), lang.X("sessions.state.closed", "close")}
	}
	texts := make([]string, 0, len(s.Sessions))
	for _, ss := range s.Sessions {
		text, _ := s.sessionCell(ss, col)
		texts = append(texts, text)
	}
	return texts
}

func (s *ParcoursScreen) newSessionTable() *widget.Table {
	heads := sessionColumns()
	t := widget.NewTableWithHeaders(
		func() (int, int) { return len(s.Sessions), len(heads) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			if id.Row >= len(s.Sessions) {
				l.SetText("")
				return
			}
			ss := s.Sessions[id.Row]
			l.TextStyle = fyne.TextStyle{Bold: ss.ID == s.sessionID}
			text, imp := s.sessionCell(ss, id.Col)
			l.Importance = imp
			l.SetText(text)
		})
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(heads) {
			o.(*widget.Label).SetText(heads[id.Col])
		}
	}
	s.sessionFit = &sessionTableLayout{t: t, heads: heads, cells: s.sessionColumnTexts}
	t.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(s.Sessions) {
			s.selectSession(s.Sessions[id.Row].ID)
		}
	}
	return t
}

// sessionState is the short coloured word of a session: à venir, ouverte or close.
func sessionState(se core.Session, now time.Time) (string, widget.Importance) {
	switch {
	case now.Before(se.Opens):
		return lang.X("sessions.state.upcoming", "à venir"), widget.WarningImportance
	case !se.Closes.IsZero() && !now.Before(se.Closes):
		return lang.X("sessions.state.closed", "close"), widget.MediumImportance
	}
	return lang.X("sessions.state.open", "ouverte"), widget.SuccessImportance
}

// tableDate writes a date the French way, without the time when it is midnight.
func tableDate(t time.Time) string {
	if l := t.Local(); !t.IsZero() && l.Hour() == 0 && l.Minute() == 0 {
		return l.Format("02/01/2006")
	}
	return core.FrenchDateTime(t)
}

// mailWhen says when the mail of a person added to se goes.
func mailWhen(se core.Session, now time.Time) string {
	if !se.Closes.IsZero() && !now.Before(se.Closes) {
		return lang.X("sessions.when.closed", "La session est close depuis le {{.Date}} : l'invitation part tout de même maintenant.",
			map[string]any{"Date": tableDate(se.Closes)})
	}
	if !now.Before(se.Opens) {
		return lang.X("sessions.when.now", "La session est ouverte\u00a0: l'invitation part maintenant.")
	}
	l := se.Opens.Local()
	return lang.X("sessions.when.later", "L'invitation partira à l'ouverture, le {{.Date}} à {{.Time}}.",
		map[string]any{"Date": l.Format("02/01/2006"), "Time": l.Format("15:04")})
}

func learnerText(u core.User) string {
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if name == "" {
		return u.Login
	}
	return name + " · " + u.Login
}

func (s *ParcoursScreen) setChecked(id int64, on bool) {
	if on {
		s.Checked[id] = true
	} else {
		delete(s.Checked, id)
	}
	s.showSelection()
}

// current returns the selected session.
func (s *ParcoursScreen) current() (core.SessionSummary, bool) {
	for _, ss := range s.Sessions {
		if ss.ID == s.sessionID {
			return ss, true
		}
	}
	return core.SessionSummary{}, false
}

// showSelection updates the titles and buttons after a selection or new data.
func (s *ParcoursScreen) showSelection() {
	visible(s.emptyCourses, len(s.Courses) == 0)
	visible(s.CourseList, len(s.Courses) > 0)
	course := ""
	for _, c := range s.Courses {
		if c.ID == s.courseID {
			course = c.Name
		}
	}
	if course == "" {
		s.SessionsTitle.SetText(lang.X("sessions.pick_course", "Choisissez un parcours à gauche pour voir ses sessions."))
		s.NewSession.Disable()
		s.RenameCourse.Disable()
		s.DeleteCourse.Disable()
	} else {
		if len(s.Sessions) == 0 {
			s.SessionsTitle.SetText(lang.X("sessions.none", "Aucune session dans «\u00a0{{.Course}}\u00a0» pour l'instant\u00a0: ajoutez-en une.", map[string]any{"Course": course}))
		} else {
			s.SessionsTitle.SetText(lang.X("sessions.of", "Sessions de «\u00a0{{.Course}}\u00a0»", map[string]any{"Course": course}))
		}
		s.NewSession.Enable()
		s.RenameCourse.Enable()
		s.DeleteCourse.Enable()
	}
	ss, ok := s.current()
	visible(s.emptyLearners, ok && len(s.Members) == 0 && s.membersLoaded)
	visible(s.When, ok)
	if !ok {
		s.LearnersTitle.SetText(lang.X("sessions.pick_session", "Choisissez une session pour voir et inscrire ses apprenants."))
		s.When.SetText("")
		s.AddLearners.Disable()
		s.Reschedule.Disable()
		s.RenameSession.Disable()
		s.DeleteSession.Disable()
		s.Remove.Disable()
		return
	}
	s.LearnersTitle.SetText(lang.XN("sessions.learners", "{{.N}} apprenants dans la session «\u00a0{{.Session}}\u00a0»", len(s.Members),
		map[string]any{"N": formatInt(len(s.Members)), "Session": ss.Name}))
	s.When.SetText(mailWhen(ss.Session, s.now()))
	s.AddLearners.Enable()
	s.Reschedule.Enable()
	s.RenameSession.Enable()
	s.DeleteSession.Enable()
	n := len(s.Checked)
	if n == 0 {
		s.Remove.SetText(lang.X("sessions.remove", "Retirer"))
		s.Remove.Disable()
	} else {
		s.Remove.SetText(lang.XN("sessions.remove.n", "Retirer {{.N}} apprenants", n, count(n)))
		s.Remove.Enable()
	}
}

// loadCoursesAsync reads the courses again and selects the course selectID, or the
// first one when it is not there.
func (s *ParcoursScreen) loadCoursesAsync(selectID int64) {
	var cs []core.Course
	runAsync(s.w, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		cs, err = s.st.Courses(ctx)
		return err
	}, func(err error) {
		if err != nil {
			return
		}
		s.Courses = cs
		s.CourseList.Refresh()
		i := slices.IndexFunc(cs, func(c core.Course) bool { return c.ID == selectID })
		if i < 0 && len(cs) > 0 {
			// nothing chosen yet, or the course is gone: the first one, rather than
			// empty panes that ask for a click
			i = 0
		}
		switch {
		case i >= 0 && cs[i].ID == s.courseID:
			s.CourseList.Select(i)
			s.loadSessionsAsync(s.sessionID)
		case i >= 0:
			// the row may be the one selected, holding another course now: Select
			// only calls selectCourse, which reads the sessions, for a new row
			s.CourseList.UnselectAll()
			s.CourseList.Select(i)
		default:
			s.courseID, s.sessionID, s.Sessions, s.Members = 0, 0, nil, nil
			s.SessionTable.Refresh()
			s.Learners.Refresh()
		}
		s.showSelection()
	})
}

func (s *ParcoursScreen) selectCourse(id int64) {
	if id == s.courseID {
		return
	}
	s.courseID, s.sessionID = id, 0
	s.Sessions, s.Members, s.Checked = nil, nil, map[int64]bool{}
	s.Result.SetText("")
	s.SessionTable.UnselectAll()
	s.SessionTable.Refresh()
	s.Learners.Refresh()
	s.showSelection()
	s.loadSessionsAsync(0)
}

// loadSessionsAsync reads the sessions of the selected course and selects sessionID.
func (s *ParcoursScreen) loadSessionsAsync(sessionID int64) {
	courseID := s.courseID
	var ss []core.SessionSummary
	runAsync(s.w, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		ss, err = s.st.Sessions(ctx, courseID)
		return err
	}, func(err error) {
		if err != nil || courseID != s.courseID {
			return
		}
		s.Sessions = ss
		if slices.IndexFunc(ss, func(x core.SessionSummary) bool { return x.ID == sessionID }) < 0 {
			sessionID = 0
		}
		if sessionID != s.sessionID {
			s.sessionID, s.Members, s.Checked = sessionID, nil, map[int64]bool{}
			s.Learners.Refresh()
		}
		s.sessionBox.Refresh() // the columns take the width of the new texts
		s.SessionTable.Refresh()
		s.showSelection()
		if sessionID != 0 {
			s.loadMembersAsync()
		}
	})
}

func (s *ParcoursScreen) selectSession(id int64) {
	if id != s.sessionID {
		s.membersLoaded = false
		s.sessionID, s.Members, s.Checked = id, nil, map[int64]bool{}
		s.Result.SetText("")
		s.Learners.Refresh()
	}
	s.SessionTable.Refresh()
	s.showSelection()
	s.loadMembersAsync()
}

// loadMembersAsync reads the learners of the selected session.
func (s *ParcoursScreen) loadMembersAsync() {
	id := s.sessionID
	var us []core.User
	runAsync(s.w, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var err error
		us, err = s.st.SessionMembers(ctx, id)
		return err
	}, func(err error) {
		if err != nil || id != s.sessionID {
			return
		}
		s.Members, s.membersLoaded = us, true
		for uid := range s.Checked {
			if !slices.ContainsFunc(us, func(u core.User) bool { return u.ID == uid }) {
				delete(s.Checked, uid)
			}
		}
		s.Learners.Refresh()
		s.showSelection()
	})
}

// changed reloads what an action on the session changed and wakes the outbox.
func (s *ParcoursScreen) changed() {
	s.loadSessionsAsync(s.sessionID)
	s.mw.WakeOutbox()
	s.mw.refreshCountsAsync()
}

func (s *ParcoursScreen) onNewCourse() {
	var d dialog.Dialog
	d, s.CourseName = nameDialog(s.w, lang.X("courses.new.title", "Nouveau parcours"), lang.X("courses.new.name", "Nom du parcours"), "",
		lang.X("courses.new.confirm", "Créer le parcours"), func(name string) {
			var c core.Course
			runAsync(s.w, func() error {
				var err error
				c, err = s.st.CreateCourse(context.Background(), name)
				return err
			}, func(err error) {
				if err == nil {
					s.loadCoursesAsync(c.ID)
				}
			})
		})
	d.Show()
}

// onRenameCourse asks for the selected course's new name.
func (s *ParcoursScreen) onRenameCourse() {
	i := slices.IndexFunc(s.Courses, func(c core.Course) bool { return c.ID == s.courseID })
	if i < 0 {
		return
	}
	old := s.Courses[i]
	var d dialog.Dialog
	d, s.CourseName = nameDialog(s.w, lang.X("courses.rename.title", "Renommer le parcours"), lang.X("courses.new.name", "Nom du parcours"), old.Name,
		lang.X("courses.rename.confirm", "Renommer"), func(name string) {
			var c core.Course
			runAsync(s.w, func() error {
				var err error
				c, err = s.st.RenameCourse(context.Background(), old.ID, name)
				return err
			}, func(err error) {
				if err == nil {
					s.loadCoursesAsync(c.ID)
				}
			})
		})
	d.Show()
	s.w.Canvas().Focus(s.CourseName)
}

// onRenameSession asks for the selected session's new name.
func (s *ParcoursScreen) onRenameSession() {
	ss, ok := s.current()
	if !ok {
		return
	}
	var d dialog.Dialog
	d, s.SessionName = nameDialog(s.w, lang.X("sessions.rename.title", "Renommer la session"), lang.X("sessions.name", "Nom de la session"), ss.Name,
		lang.X("courses.rename.confirm", "Renommer"), func(name string) {
			var se core.Session
			runAsync(s.w, func() error {
				var err error
				se, err = s.st.RenameSession(context.Background(), ss.ID, name)
				return err
			}, func(err error) {
				if err == nil {
					s.loadSessionsAsync(se.ID)
				}
			})
		})
	d.Show()
	s.w.Canvas().Focus(s.SessionName)
}

// onDeleteCourse deletes the selected course, once confirmed; the store refuses a
// course that still has sessions, and says so.
func (s *ParcoursScreen) onDeleteCourse() {
	i := slices.IndexFunc(s.Courses, func(c core.Course) bool { return c.ID == s.courseID })
	if i < 0 {
		return
	}
	c := s.Courses[i]
	s.Question = confirmDialog(s.w, lang.X("courses.delete.title", "Supprimer le parcours"),
		lang.X("courses.delete.question", "Supprimer le parcours «\u00a0{{.Course}}\u00a0»\u00a0?", map[string]any{"Course": c.Name}),
		lang.X("courses.delete", "Supprimer"), func() {
			runAsync(s.w, func() error { return s.st.DeleteCourse(context.Background(), c.ID) }, func(err error) {
				if err == nil {
					s.CourseList.UnselectAll()
					s.loadCoursesAsync(0)
				}
			})
		})
	s.Question.Show()
}

// onDeleteSession deletes the selected session, once confirmed; the store refuses a
// session that still has learners, and says so.
func (s *ParcoursScreen) onDeleteSession() {
	ss, ok := s.current()
	if !ok {
		return
	}
	s.Question = confirmDialog(s.w, lang.X("sessions.delete.title", "Supprimer la session"),
		lang.X("sessions.delete.question", "Supprimer la session «\u00a0{{.Session}}\u00a0»\u00a0?", map[string]any{"Session": ss.Name}),
		lang.X("sessions.delete", "Supprimer"), func() {
			runAsync(s.w, func() error { return s.st.DeleteSession(context.Background(), ss.ID) }, func(err error) {
				if err == nil {
					s.Result.SetText("")
					s.SessionTable.UnselectAll()
					s.loadSessionsAsync(0)
				}
			})
		})
	s.Question.Show()
}

func (s *ParcoursScreen) onNewSession() {
	courseID := s.courseID
	if courseID == 0 {
		return
	}
	s.SessionForm = newSessionForm(s.w, lang.X("sessions.new.title", "Nouvelle session"), lang.X("sessions.new.confirm", "Créer la session"), true,
		func(f *SessionForm, opens, closes time.Time) {
			n := core.Session{CourseID: courseID, Name: f.Name.Text, Opens: opens, Closes: closes}
			var se core.Session
			go func() {
				var err error
				se, err = s.st.CreateSession(context.Background(), n)
				doUI(func() {
					if err != nil {
						f.showError(err)
						return
					}
					f.Dialog.Hide()
					s.Result.SetText("")
					s.loadSessionsAsync(se.ID)
				})
			}()
		})
	s.SessionForm.Dialog.Show()
	s.w.Canvas().Focus(s.SessionForm.Name)
}

func (s *ParcoursScreen) onReschedule() {
	ss, ok := s.current()
	if !ok {
		return
	}
	s.SessionForm = newSessionForm(s.w, lang.X("sessions.reschedule.title", "Modifier les dates de «\u00a0{{.Session}}\u00a0»", map[string]any{"Session": ss.Name}),
		lang.X("sessions.reschedule.confirm", "Enregistrer les dates"), false,
		func(f *SessionForm, opens, closes time.Time) {
			go func() {
				moved, err := s.st.RescheduleSession(context.Background(), ss.ID, opens, closes)
				doUI(func() {
					if err != nil {
						f.showError(err)
						return
					}
					f.Dialog.Hide()
					s.Result.SetText(lang.XN("sessions.moved", "Dates enregistrées. {{.N}} e-mails en attente suivent la nouvelle ouverture.", moved, count(moved)))
					s.changed()
				})
			}()
		})
	s.SessionForm.Opens.SetText(core.FrenchDateTime(ss.Opens))
	s.SessionForm.Closes.SetText(core.FrenchDateTime(ss.Closes))
	s.SessionForm.Dialog.Show()
}

func (s *ParcoursScreen) onRemove() {
	ss, ok := s.current()
	n := len(s.Checked)
	if !ok || n == 0 {
		return
	}
	ids := make([]int64, 0, n)
	for id := range s.Checked {
		ids = append(ids, id)
	}
	s.Question = confirmDialog(s.w, lang.X("sessions.remove.title", "Retirer des apprenants"),
		lang.XN("sessions.remove.question", "Retirer {{.N}} apprenants de la session «\u00a0{{.Session}}\u00a0»\u00a0? Leurs e-mails encore en attente ne partiront pas.", n,
			map[string]any{"N": formatInt(n), "Session": ss.Name}),
		lang.X("sessions.remove", "Retirer"), func() {
			var cancelled int
			runAsync(s.w, func() error {
				var err error
				cancelled, err = s.st.RemoveFromSession(context.Background(), ss.ID, ids)
				return err
			}, func(err error) {
				if err != nil {
					return
				}
				s.Checked = map[int64]bool{}
				s.Result.SetText(lang.XN("sessions.removed", "{{.N}} apprenants retirés.", n, count(n)) + " " +
					lang.XN("sessions.removed.mails", "{{.N}} e-mails annulés.", cancelled, count(cancelled)))
				s.changed()
			})
		})
	s.Question.Show()
}

func (s *ParcoursScreen) onAddLearners() {
	ss, ok := s.current()
	if !ok {
		return
	}
	s.Enrol = newEnrolDialog(s, ss)
	s.Enrol.Dialog.Show()
}

// mailer loads the templates, the platform and the sender for the session mails.
func (s *ParcoursScreen) mailer(ctx context.Context) (*core.Mailer, error) {
	return core.NewMailer(ctx, s.st, assets.DefaultMailTemplate)
}

// SessionForm is the dialog of a new session or of new dates: name (new session only),
// opening and closing written the French way.
type SessionForm struct {
	Dialog              dialog.Dialog
	Name, Opens, Closes *Entry
	// Error says in French what is wrong; the dialog stays open.
	Error   *widget.Label
	Confirm *widget.Button
}

func newSessionForm(w fyne.Window, title, confirmText string, withName bool, onConfirm func(f *SessionForm, opens, closes time.Time)) *SessionForm {
	f := &SessionForm{Name: NewEntry(), Opens: NewEntry(), Closes: NewEntry()}
	f.Name.SetPlaceHolder(lang.X("sessions.name.placeholder", "Par exemple\u00a0: Session de janvier"))
	f.Opens.SetPlaceHolder("25/11/2026 14:05")
	f.Closes.SetPlaceHolder(lang.X("sessions.closes.placeholder", "Facultatif, par exemple 19/12/2026 17:00"))
	f.Error = widget.NewLabel("")
	f.Error.Wrapping = fyne.TextWrapWord
	f.Error.Importance = widget.DangerImportance
	f.Error.Hide()
	var items []*widget.FormItem
	if withName {
		items = append(items, widget.NewFormItem(lang.X("sessions.name", "Nom de la session"), f.Name))
	}
	opensItem := widget.NewFormItem(lang.X("sessions.opens", "Ouverture"), f.Opens)
	opensItem.HintText = lang.X("sessions.opens.hint", "Jour et heure, par exemple 12/01/2027 09:00.")
	closesItem := widget.NewFormItem(lang.X("sessions.closes", "Clôture"), f.Closes)
	closesItem.HintText = lang.X("sessions.closes.hint", "Laissez vide si la session reste ouverte.")
	items = append(items, opensItem, closesItem)
	form := widget.NewForm(items...)

	submit := func() {
		f.Error.Hide()
		var opens, closes time.Time
		var err error
		if strings.TrimSpace(f.Opens.Text) != "" {
			if opens, err = core.ParseDate(f.Opens.Text, nil); err != nil {
				f.showFieldError(lang.X("sessions.opens.error", "Ouverture : {{.Error}}", map[string]any{"Error": errorText(err)}), f.Opens)
				return
			}
		}
		if strings.TrimSpace(f.Closes.Text) != "" {
			if closes, err = core.ParseDate(f.Closes.Text, nil); err != nil {
				f.showFieldError(lang.X("sessions.closes.error", "Clôture : {{.Error}}", map[string]any{"Error": errorText(err)}), f.Closes)
				return
			}
		}
		onConfirm(f, opens, closes)
	}
	f.Confirm = &widget.Button{Text: confirmText, Importance: widget.HighImportance, OnTapped: submit}
	cancel := &widget.Button{Text: lang.X("dialog.cancel", "Annuler")}
	content := container.NewBorder(nil, container.NewVBox(f.Error, container.NewHBox(layout.NewSpacer(), cancel, f.Confirm)), nil, nil, form)
	d := dialog.NewCustomWithoutButtons(title, content, w)
	f.Dialog = d
	cancel.OnTapped = d.Hide
	for _, e := range []*Entry{f.Name, f.Opens, f.Closes} {
		e.OnSubmitted = func(string) { submit() }
		e.OnEscape = d.Hide
	}
	withKeys(w, d, submit)
	d.Resize(fyne.NewSize(560, d.MinSize().Height+60))
	return f
}

// showFieldError says what is wrong with one field and puts the cursor in it.
func (f *SessionForm) showFieldError(text string, e *Entry) {
	f.Error.SetText(text)
	f.Error.Show()
	if c := fyne.CurrentApp().Driver().CanvasForObject(e); c != nil {
		c.Focus(e)
	}
}

func (f *SessionForm) showError(err error) {
	f.Error.SetText(errorText(err))
	f.Error.Show()
}

// parcoursScreen is the Parcours screen, or a placeholder when the services keep no
// courses.
func (mw *MainWindow) parcoursScreen() screen {
	ps, ok := mw.st.(ParcoursService)
	if !ok {
		mw.Parcours = nil
		return newLaterScreen(ScreenCourses, theme.ListIcon(),
			lang.X("nav.courses", "Parcours"),
			lang.X("courses.subtitle", "Préparez les parcours et leurs sessions datées, et inscrivez-y des apprenants."),
			lang.X("courses.later", "Les parcours et les sessions arrivent dans une prochaine version de Convive."))
	}
	mw.Parcours = newParcoursScreen(mw, ps)
	return mw.Parcours
}
