package gui

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"convive/core"
	"convive/core/sheet"
)

// invColumn is one column of the Invitations table.
type invColumn struct {
	title string
	sort  core.InvitationSort // "" when the column cannot be sorted
	width float32
	value func(core.InvitationRow) string
}

// stateFilters are the choices of the state filter, in order; nil is every state.
var stateFilters = [][]core.InvitationState{
	{core.InvitationPending},
	{core.InvitationAccepted},
	{core.InvitationCancelled},
	nil,
}

// scopes are the choices of the view, in order.
var scopes = []core.InvitationScope{core.ScopeGroup, core.ScopeSubgroups, core.ScopeAll}

// InvitationsScreen lists the invitations, paged from the database: Dans le groupe /
// Dans les sous-groupes / Toutes, filters by state, group and session, a search, sort
// by header, tick boxes and the bulk actions (Renvoyer, Annuler, Marquer comme
// acceptées), cancel or accept from a pasted list or a file, and export.
type InvitationsScreen struct {
	// Invite is the main action, Inviter par e-mail.
	Invite *widget.Button
	// Scope chooses Dans le groupe, Dans les sous-groupes or Toutes.
	Scope *widget.RadioGroup
	// State, Group and Session filter; Search matches login and names.
	State, Group, Session *widget.Select
	Search                *Entry
	// From and To (« Du », « Au ») bound the day of invitation, French dates such as
	// 25/11/2026, empty for no bound; DateHint says when one cannot be read.
	From, To *Entry
	DateHint *widget.Label
	// Count says how many invitations match and how many are ticked.
	Count *widget.Label
	// SelectAll ticks every invitation of the current filter.
	SelectAll              *widget.Check
	Resend, Cancel, Accept *widget.Button
	CancelMany, AcceptMany *widget.Button
	Export                 *widget.Button
	Table                  *widget.Table
	Empty                  fyne.CanvasObject
	headers                map[int]*widget.Button
	filter                 core.InvitationFilter
	columns                []invColumn
	fit                    *fitColumns // lays out the columns
	pager                  *pager[core.InvitationFilter, core.InvitationRow]
	checked                map[int64]bool
	allTicked              bool // every row of the filter is ticked (beyond what is loaded)
	groupIDs, sessionIDs   []int64
	debounce               *time.Timer
	content                fyne.CanvasObject
	mw                     *MainWindow
	st                     InviteService
	lastBulk               *BulkDialog
}

func newInvitationsScreen(mw *MainWindow, st InviteService) *InvitationsScreen {
	s := &InvitationsScreen{mw: mw, st: st, checked: map[int64]bool{}, headers: map[int]*widget.Button{}}
	s.filter = core.InvitationFilter{Scope: core.ScopeGroup, States: stateFilters[0], Sort: core.InvSortCreated, Desc: true}
	s.columns = []invColumn{
		{"", "", 36, nil},
		{lang.X("invitations.col.state", "État"), core.InvSortState, 96, func(r core.InvitationRow) string { return invitationStateLabel(r.State) }},
		{lang.X("invitations.col.login", "Identifiant"), core.InvSortLogin, 220, func(r core.InvitationRow) string { return r.Login }},
		{lang.X("invitations.col.name", "Nom"), "", 120, func(r core.InvitationRow) string { return strings.TrimSpace(r.FirstName + " " + r.LastName) }},
		{lang.X("invitations.col.group", "Groupe"), "", 130, func(r core.InvitationRow) string {
			if r.Group == "" {
				return lang.X("group.root", "Groupe général")
			}
			return r.Group
		}},
		{lang.X("invitations.col.session", "Session"), "", 110, func(r core.InvitationRow) string { return r.Session }},
		{lang.X("invitations.col.created", "Invitée le"), core.InvSortCreated, 140, func(r core.InvitationRow) string { return formatDate(r.Created) }},
		{lang.X("invitations.col.last_sent", "Dernier envoi"), core.InvSortLastSent, 160, func(r core.InvitationRow) string {
			if r.LastSent.IsZero() {
				return lang.X("invitations.not_sent", "pas encore envoyée")
			}
			return formatDate(r.LastSent)
		}},
	}
	s.pager = newPager(st.CountInvitations,
		func(ctx context.Context, f core.InvitationFilter, offset, limit int) ([]core.InvitationRow, error) {
			f.Offset, f.Limit = offset, limit
			return st.Invitations(ctx, f)
		})
	s.pager.onChange = s.refreshTable
	s.pager.onError = func(err error) { showErrorAsync(mw.Window, err) }

	s.Invite = &widget.Button{Text: lang.X("invite.action", "Inviter par e-mail"), Icon: theme.MailSendIcon(),
		Importance: widget.HighImportance, OnTapped: func() { mw.ShowInviteDialog(0) }}
	s.Scope = widget.NewRadioGroup([]string{
		lang.X("invitations.scope.group", "Dans le groupe"),
		lang.X("invitations.scope.subgroups", "Dans les sous-groupes"),
		lang.X("invitations.scope.all", "Toutes"),
	}, nil)
	s.Scope.Horizontal = true
	s.Scope.Required = true
	s.Scope.SetSelected(s.Scope.Options[0])
	s.Scope.OnChanged = func(string) { s.onFilter() }
	s.State = widget.NewSelect([]string{
		lang.X("invitations.state.pending", "En attente"),
		lang.X("invitations.state.accepted", "Acceptées"),
		lang.X("invitations.state.cancelled", "Annulées"),
		lang.X("invitations.state.all", "Tous les états"),
	}, nil)
	s.State.SetSelectedIndex(0)
	s.State.OnChanged = func(string) { s.onFilter() }
	s.Group = widget.NewSelect(nil, nil)
	s.Group.PlaceHolder = lang.X("invitations.group.any", "Tous les groupes")
	s.Group.OnChanged = func(string) { s.onFilter() }
	s.Session = widget.NewSelect(nil, nil)
	s.Session.PlaceHolder = lang.X("invitations.session.any", "Toutes les sessions")
	s.Session.OnChanged = func(string) { s.onFilter() }
	s.Search = NewEntry()
	s.Search.SetPlaceHolder(lang.X("invitations.search", "Rechercher par identifiant ou nom"))
	s.Search.ActionItem = widget.NewIcon(theme.SearchIcon())
	s.Search.OnChanged = s.onSearchChanged
	s.Search.OnEscape = func() { s.Search.SetText("") }
	s.From, s.To = NewEntry(), NewEntry()
	for _, e := range []*Entry{s.From, s.To} {
		e.SetPlaceHolder(lang.X("invitations.date.placeholder", "jj/mm/aaaa"))
		e.OnChanged = func(string) { s.scheduleTextFilters() }
		e.OnEscape = func() { e.SetText("") }
	}
	s.DateHint = widget.NewLabel(lang.X("invitations.date.invalid", "Date illisible\u00a0: écrivez 25/11/2026"))
	s.DateHint.Importance = widget.DangerImportance
	s.DateHint.Hide()

	s.Count = widget.NewLabel("")
	s.SelectAll = widget.NewCheck(lang.X("invitations.select_all", "Tout cocher"), s.onSelectAll)
	s.Resend = &widget.Button{Text: lang.X("invitations.resend", "Renvoyer"), OnTapped: s.onResend}
	s.Cancel = &widget.Button{Text: lang.X("invitations.cancel", "Annuler"), OnTapped: s.onCancel}
	s.Accept = &widget.Button{Text: lang.X("invitations.accept", "Marquer comme acceptées"), OnTapped: s.onAccept}
	s.CancelMany = &widget.Button{Text: lang.X("invitations.cancel_many", "Annuler plusieurs invitations…"), Icon: theme.ContentClearIcon(),
		OnTapped: func() { s.lastBulk = showBulkDialog(mw, bulkCancel) }}
	s.AcceptMany = &widget.Button{Text: lang.X("invitations.accept_many", "Rapprocher les comptes actifs…"), Icon: theme.ViewRefreshIcon(),
		OnTapped: func() { s.lastBulk = showBulkDialog(mw, bulkAccept) }}
	s.Export = &widget.Button{Text: lang.X("invitations.export", "Exporter…"), Icon: theme.DownloadIcon(), OnTapped: s.onExport}

	s.Table = &widget.Table{
		Length: func() (int, int) { return s.pager.Len(), len(s.columns) },
		CreateCell: func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewStack(widget.NewCheck("", nil), l)
		},
		UpdateCell:    s.updateCell,
		ShowHeaderRow: true,
		CreateHeader: func() fyne.CanvasObject {
			return &widget.Button{Importance: widget.LowImportance, Alignment: widget.ButtonAlignLeading, IconPlacement: widget.ButtonIconTrailingText}
		},
		UpdateHeader: s.updateHeader,
		// A click anywhere in a row ticks or unticks it.
		OnSelected: func(id widget.TableCellID) {
			s.Table.Unselect(id)
			if r, ok := s.pager.Item(id.Row); ok && id.Col != 0 {
				s.tick(r.ID, !(s.allTicked || s.checked[r.ID]))
				s.Table.Refresh()
			}
		},
	}
	s.Table.ExtendBaseWidget(s.Table)

	empty := wrapLabel(lang.X("invitations.empty", "Aucune invitation ici. Invitez des personnes par e-mail, ou changez de vue ou de filtre."))
	empty.Alignment = fyne.TextAlignCenter
	s.Empty = container.NewCenter(container.New(&minWidth{w: 380}, container.NewVBox(widget.NewIcon(theme.MailSendIcon()), empty)))
	s.Empty.Hide()

	filters := container.NewBorder(nil, nil, nil, container.NewHBox(s.State, s.Group, s.Session), s.Search)
	// The count sits beside the bulk actions and is cut rather than widen the window.
	s.Count.Alignment = fyne.TextAlignTrailing
	s.Count.Truncation = fyne.TextTruncateEllipsis
	tools := container.NewHBox(s.CancelMany, s.AcceptMany, s.Export)
	dateField := func(e *Entry) fyne.CanvasObject { return container.New(&minWidth{w: 116}, e) }
	// The dates have their own short row; the hint takes the rest of it and is cut
	// rather than widen the window.
	s.DateHint.Truncation = fyne.TextTruncateEllipsis
	dates := container.NewBorder(nil, nil, container.NewHBox(
		widget.NewLabel(lang.X("invitations.from", "Du")), dateField(s.From),
		widget.NewLabel(lang.X("invitations.to", "Au")), dateField(s.To)), nil, s.DateHint)
	bulk := container.NewHBox(s.SelectAll, s.Resend, s.Cancel, s.Accept)
	top := container.NewVBox(
		s.Scope,
		filters,
		dates,
		tools,
		container.NewBorder(nil, nil, bulk, nil, s.Count))
	// in a small window, the columns of free text keep only part of their width
	s.fit = newFitColumns(s.Table, s.columns, func(c invColumn) (string, float32, bool) { return c.title, c.width, c.sort != "" },
		map[int]float32{2: 0.75, 3: 0.6, 4: 0.6, 5: 0.6}) // login, name, group, session
	s.content = container.NewBorder(top, nil, nil, nil, container.NewStack(container.New(s.fit, s.Table), s.Empty))
	s.updateBulk()
	return s
}

func (s *InvitationsScreen) id() string                { return ScreenInvitations }
func (s *InvitationsScreen) icon() fyne.Resource       { return theme.MailSendIcon() }
func (s *InvitationsScreen) title() string             { return lang.X("nav.invitations", "Invitations") }
func (s *InvitationsScreen) action() fyne.CanvasObject { return s.Invite }
func (s *InvitationsScreen) view() fyne.CanvasObject   { return s.content }
func (s *InvitationsScreen) subtitle() string {
	return lang.X("invitations.subtitle", "Suivez les invitations en attente, relancez-les ou annulez-les.")
}

func (s *InvitationsScreen) shown() {
	s.pager.reset(s.filter)
	s.loadChoicesAsync()
}

// loadChoicesAsync fills the group and session filters.
func (s *InvitationsScreen) loadChoicesAsync() {
	var groups []core.Group
	var sessions []core.SessionSummary
	runAsync(s.mw.Window, func() error {
		ctx, cancel := workContext()
		defer cancel()
		var err error
		if groups, err = s.st.Groups(ctx); err != nil {
			return err
		}
		sessions, err = s.st.Sessions(ctx, 0)
		return err
	}, func(err error) {
		if err != nil {
			return
		}
		gopts := []string{lang.X("invitations.group.any", "Tous les groupes")}
		s.groupIDs = []int64{0}
		for _, g := range groups {
			if g.IsRoot() {
				continue
			}
			gopts = append(gopts, g.Path)
			s.groupIDs = append(s.groupIDs, g.ID)
		}
		sopts := []string{lang.X("invitations.session.any", "Toutes les sessions")}
		s.sessionIDs = []int64{0}
		for _, ss := range sessions {
			sopts = append(sopts, ss.Label())
			s.sessionIDs = append(s.sessionIDs, ss.ID)
		}
		setOptionsQuietly(s.Group, gopts)
		setOptionsQuietly(s.Session, sopts)
		visible(s.Session, len(sessions) > 0)
	})
}

// setOptionsQuietly replaces the choices of sel, keeping the chosen one when it is
// still offered, without calling OnChanged.
func setOptionsQuietly(sel *widget.Select, opts []string) {
	cur := sel.Selected
	cb := sel.OnChanged
	sel.OnChanged = nil
	sel.SetOptions(opts)
	found := false
	for _, o := range opts {
		if o == cur {
			found = true
		}
	}
	if found {
		sel.SetSelected(cur)
	} else {
		sel.ClearSelected()
	}
	sel.OnChanged = cb
}

func (s *InvitationsScreen) onFilter() {
	s.filter.Scope = scopes[max(indexOfString(s.Scope.Options, s.Scope.Selected), 0)]
	s.filter.States = stateFilters[max(s.State.SelectedIndex(), 0)]
	s.filter.GroupID, s.filter.SessionID = 0, 0
	if i := s.Group.SelectedIndex(); i >= 0 && i < len(s.groupIDs) {
		s.filter.GroupID = s.groupIDs[i]
	}
	if i := s.Session.SelectedIndex(); i >= 0 && i < len(s.sessionIDs) {
		s.filter.SessionID = s.sessionIDs[i]
	}
	s.clearTicks()
	s.pager.reset(s.filter)
}

func indexOfString(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

func (s *InvitationsScreen) onSearchChanged(string) { s.scheduleTextFilters() }

// scheduleTextFilters asks the database again once typing in the search or the dates
// has paused.
func (s *InvitationsScreen) scheduleTextFilters() {
	if s.debounce != nil {
		s.debounce.Stop()
	}
	s.debounce = time.AfterFunc(searchDelay, func() { doUI(s.applyTextFilters) })
}

// applyTextFilters reads the search and the dates as they are now; an unreadable date
// shows DateHint and bounds nothing.
func (s *InvitationsScreen) applyTextFilters() {
	from, okFrom := dateBound(s.From.Text, false)
	to, okTo := dateBound(s.To.Text, true)
	visible(s.DateHint, !okFrom || !okTo)
	if s.filter.Search == s.Search.Text && s.filter.From.Equal(from) && s.filter.To.Equal(to) {
		return
	}
	s.filter.Search, s.filter.From, s.filter.To = s.Search.Text, from, to
	s.clearTicks()
	s.pager.reset(s.filter)
}

// dateBound reads a date typed in « Du » (end false: the start of that day) or « Au »
// (end true: the start of the next day, so that the whole day counts; with a time, the
// minute after it). Empty text is no bound; ok is false when the text is not a date.
func dateBound(text string, end bool) (t time.Time, ok bool) {
	if strings.TrimSpace(text) == "" {
		return time.Time{}, true
	}
	t, err := core.ParseDate(text, nil)
	if err != nil {
		return time.Time{}, false
	}
	if end {
		if t.Hour() == 0 && t.Minute() == 0 {
			return t.AddDate(0, 0, 1), true
		}
		return t.Add(time.Minute), true
	}
	return t, true
}

func (s *InvitationsScreen) sortBy(col int) {
	key := s.columns[col].sort
	if key == "" {
		return
	}
	if s.filter.Sort == key {
		s.filter.Desc = !s.filter.Desc
	} else {
		s.filter.Sort, s.filter.Desc = key, key == core.InvSortCreated || key == core.InvSortLastSent
	}
	s.Table.Refresh()
	s.pager.reset(s.filter)
}

func (s *InvitationsScreen) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	b := o.(*widget.Button)
	if id.Col < 0 || id.Col >= len(s.columns) {
		return
	}
	c := s.columns[id.Col]
	for col, other := range s.headers {
		if other == b && col != id.Col {
			delete(s.headers, col)
		}
	}
	s.headers[id.Col] = b
	b.SetText(c.title)
	switch {
	case c.sort == "":
		b.SetIcon(nil)
	case c.sort == s.filter.Sort && s.filter.Desc:
		b.SetIcon(theme.MenuDropDownIcon())
	case c.sort == s.filter.Sort:
		b.SetIcon(theme.MenuDropUpIcon())
	default:
		b.SetIcon(nil)
	}
	col := id.Col
	b.OnTapped = func() { s.sortBy(col) }
}

// HeaderButton returns the header cell of column col while it is on screen.
func (s *InvitationsScreen) HeaderButton(col int) *widget.Button { return s.headers[col] }

func (s *InvitationsScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	c := o.(*fyne.Container)
	ck, l := c.Objects[0].(*widget.Check), c.Objects[1].(*widget.Label)
	r, ok := s.pager.Item(id.Row)
	if id.Col == 0 {
		l.Hide()
		ck.Show()
		ck.OnChanged = nil
		if !ok {
			ck.SetChecked(false)
			return
		}
		ck.SetChecked(s.allTicked || s.checked[r.ID])
		rid := r.ID
		ck.OnChanged = func(on bool) { s.tick(rid, on) }
		return
	}
	ck.Hide()
	l.Show()
	if !ok {
		l.Importance = widget.LowImportance
		l.SetText("…")
		return
	}
	l.Importance = widget.MediumImportance
	if s.columns[id.Col].sort == core.InvSortState {
		l.Importance = invitationStateImportance(r.State)
	}
	l.SetText(s.columns[id.Col].value(r))
}

// Tick ticks or unticks the invitation in row i (for tests and the keyboard).
func (s *InvitationsScreen) Tick(i int, on bool) {
	if r, ok := s.pager.Item(i); ok {
		s.tick(r.ID, on)
		s.Table.Refresh()
	}
}

func (s *InvitationsScreen) tick(id int64, on bool) {
	if s.allTicked && !on {
		// Leaving "everything ticked" keeps the loaded rows ticked except this one.
		s.allTicked = false
		for _, page := range s.pager.pages {
			for _, r := range page {
				s.checked[r.ID] = true
			}
		}
		s.SelectAll.OnChanged = nil
		s.SelectAll.SetChecked(false)
		s.SelectAll.OnChanged = s.onSelectAll
	}
	if on {
		s.checked[id] = true
	} else {
		delete(s.checked, id)
	}
	s.updateBulk()
}

func (s *InvitationsScreen) onSelectAll(on bool) {
	s.allTicked = on
	s.checked = map[int64]bool{}
	s.Table.Refresh()
	s.updateBulk()
}

func (s *InvitationsScreen) clearTicks() {
	s.allTicked = false
	s.checked = map[int64]bool{}
	s.SelectAll.OnChanged = nil
	s.SelectAll.SetChecked(false)
	s.SelectAll.OnChanged = s.onSelectAll
	s.updateBulk()
}

// ticked is how many invitations are ticked.
func (s *InvitationsScreen) ticked() int {
	if s.allTicked {
		return s.pager.Len()
	}
	return len(s.checked)
}

func (s *InvitationsScreen) updateBulk() {
	n := s.ticked()
	for _, b := range []*widget.Button{s.Resend, s.Cancel, s.Accept} {
		if n == 0 {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	s.Accept.SetText(lang.XN("invitations.accept.n", "Marquer comme acceptées", n, count(n)))
	s.refreshCount()
}

func (s *InvitationsScreen) refreshCount() {
	n := s.pager.Len()
	var text string
	switch {
	case !s.pager.Loaded():
		text = ""
	case len(s.filter.States) == 1 && s.filter.States[0] == core.InvitationPending:
		text = lang.XN("invitations.count.pending", "{{.N}} invitations en attente", n, count(n))
	case len(s.filter.States) == 1 && s.filter.States[0] == core.InvitationAccepted:
		text = lang.XN("invitations.count.accepted", "{{.N}} invitations acceptées", n, count(n))
	case len(s.filter.States) == 1 && s.filter.States[0] == core.InvitationCancelled:
		text = lang.XN("invitations.count.cancelled", "{{.N}} invitations annulées", n, count(n))
	default:
		text = lang.XN("invitations.count", "{{.N}} invitations", n, count(n))
	}
	if t := s.ticked(); t > 0 {
		text += " · " + lang.XN("invitations.count.ticked", "{{.N}} sélectionnées", t, count(t))
	}
	s.Count.SetText(text)
}

func (s *InvitationsScreen) refreshTable() {
	visible(s.Empty, s.pager.Len() == 0)
	visible(s.Table, s.pager.Len() > 0)
	s.refreshCount()
	s.Table.Refresh()
}

// changed brings the screen up to date after the invitations changed.
func (s *InvitationsScreen) changed() {
	s.clearTicks()
	s.pager.refresh()
}

// selectionAsync returns the ids of the ticked invitations; with "everything ticked"
// it asks the database for every id of the filter.
func (s *InvitationsScreen) selectionAsync(then func(ids []int64)) {
	if !s.allTicked {
		ids := make([]int64, 0, len(s.checked))
		for id := range s.checked {
			ids = append(ids, id)
		}
		then(ids)
		return
	}
	f := s.filter
	f.Offset, f.Limit = 0, 0
	var ids []int64
	runAsync(s.mw.Window, func() error {
		ctx, cancel := workContext()
		defer cancel()
		rows, err := s.st.Invitations(ctx, f)
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		return err
	}, func(err error) {
		if err == nil {
			then(ids)
		}
	})
}

func (s *InvitationsScreen) onResend() {
	s.selectionAsync(func(ids []int64) {
		n := len(ids)
		d := confirmDialog(s.mw.Window, lang.X("invitations.resend.title", "Renvoyer les invitations"),
			lang.XN("invitations.resend.question", "Renvoyer {{.N}} invitations ?", n, count(n)),
			lang.X("invitations.resend", "Renvoyer"), func() { s.resendAsync(ids) })
		d.SetConfirmImportance(widget.HighImportance)
		s.mw.lastConfirm = d
		d.Show()
	})
}

func (s *InvitationsScreen) resendAsync(ids []int64) {
	var n int
	runAsync(s.mw.Window, func() error {
		ctx, cancel := workContext()
		defer cancel()
		m, err := newMailer(ctx, s.st)
		if err != nil {
			return err
		}
		n, err = s.st.ResendInvitations(ctx, ids, m)
		return err
	}, func(err error) {
		if err == nil {
			s.mw.invitationsChanged()
			s.mw.notify(lang.XN("invitations.resent", "{{.N}} invitations renvoyées : les e-mails attendent dans la boîte d'envoi.", n, count(n)))
		}
	})
}

func (s *InvitationsScreen) onCancel() {
	s.selectionAsync(func(ids []int64) {
		n := len(ids)
		d := confirmDialog(s.mw.Window, lang.X("invitations.cancel.title", "Annuler des invitations"),
			lang.XN("invitations.cancel.question", "Annuler {{.N}} invitations ? Leurs e-mails en attente ne partiront pas.", n, count(n)),
			lang.XN("invitations.cancel.confirm", "Annuler {{.N}} invitations", n, count(n)), func() {
				s.endAsync(ids, s.st.CancelInvitationIDs, cancelledText)
			})
		d.SetDismissText(lang.X("dialog.keep", "Ne rien faire"))
		s.mw.lastConfirm = d
		d.Show()
	})
}

func (s *InvitationsScreen) onAccept() {
	s.selectionAsync(func(ids []int64) {
		n := len(ids)
		d := confirmDialog(s.mw.Window, lang.X("invitations.accept.title", "Marquer comme acceptées"),
			lang.XN("invitations.accept.question", "Marquer {{.N}} invitations comme acceptées ? Les personnes deviennent des comptes actifs.", n, count(n)),
			lang.XN("invitations.accept.n", "Marquer comme acceptées", n, count(n)), func() {
				s.endAsync(ids, s.st.AcceptInvitationIDs, acceptedText)
			})
		d.SetConfirmImportance(widget.HighImportance)
		s.mw.lastConfirm = d
		d.Show()
	})
}

// cancelledText and acceptedText say how many invitations a bulk action ended.
func cancelledText(n int) string {
	return lang.XN("invitations.cancelled", "{{.N}} invitations annulées.", n, count(n))
}

func acceptedText(n int) string {
	return lang.XN("invitations.accepted", "{{.N}} invitations marquées comme acceptées.", n, count(n))
}

func (s *InvitationsScreen) endAsync(ids []int64, end func(context.Context, []int64) (int, error), done func(int) string) {
	var n int
	runAsync(s.mw.Window, func() error {
		ctx, cancel := workContext()
		defer cancel()
		var err error
		n, err = end(ctx, ids)
		return err
	}, func(err error) {
		if err == nil {
			s.mw.invitationsChanged()
			s.mw.notify(done(n))
		}
	})
}

// onExport writes the invitations of the current filter to an xlsx or csv file.
func (s *InvitationsScreen) onExport() {
	f := s.filter
	f.Offset, f.Limit = 0, 0
	picker := s.mw.Picker
	var path string
	var n int
	runAsync(s.mw.Window, func() error {
		var err error
		path, err = picker.Save(lang.X("invitations.export.title", "Exporter les invitations"), "invitations.xlsx",
			FileFilter{Description: lang.X("invitations.export.filter", "Tableurs (.xlsx, .csv)"), Extensions: []string{".xlsx", ".csv"}})
		if err != nil || path == "" {
			return err
		}
		if ext := strings.ToLower(filepath.Ext(path)); ext != ".xlsx" && ext != ".csv" {
			path += ".xlsx"
		}
		ctx, cancel := workContext()
		defer cancel()
		rows, err := s.st.Invitations(ctx, f)
		if err != nil {
			return err
		}
		n = len(rows)
		header, cells := core.InvitationTable(rows)
		return sheet.WriteTable(path, "Invitations", header, cells)
	}, func(err error) {
		if err == nil && path != "" {
			s.mw.notify(lang.XN("invitations.exported", "{{.N}} invitations exportées dans « {{.File}} ».", n,
				map[string]any{"N": formatInt(n), "File": filepath.Base(path)}))
		}
	})
}

// invitationStateLabel is the short word shown for an invitation's state.
func invitationStateLabel(st core.InvitationState) string {
	switch st {
	case core.InvitationAccepted:
		return lang.X("invitation.state.accepted", "Acceptée")
	case core.InvitationCancelled:
		return lang.X("invitation.state.cancelled", "Annulée")
	}
	return lang.X("invitation.state.pending", "En attente")
}

func invitationStateImportance(st core.InvitationState) widget.Importance {
	switch st {
	case core.InvitationAccepted:
		return widget.SuccessImportance
	case core.InvitationCancelled:
		return widget.LowImportance
	}
	return widget.WarningImportance
}

// notify shows a short information over the window.
func (mw *MainWindow) notify(text string) {
	d := dialog.NewInformation(lang.X("notice.title", "C'est fait"), text, mw.Window)
	withKeys(mw.Window, d, nil)
	d.Show()
}

// invitationsChanged brings every view of invitations and users up to date after
// mail was queued or invitations changed, and wakes the sending.
func (mw *MainWindow) invitationsChanged() {
	if mw.Invitations != nil {
		mw.Invitations.changed()
	}
	mw.Users.pager.refresh()
	mw.Groups.pager.refresh()
	mw.refreshCountsAsync()
	mw.WakeOutbox()
}
