package gui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"convive/core"
)

// searchDelay is how long the search waits after the last key before asking the
// database, so that typing a name asks once rather than once per letter.
const searchDelay = 150 * time.Millisecond

// userColumn is one column of the Utilisateurs table.
type userColumn struct {
	title string
	sort  core.UserSort // "" when the column cannot be sorted
	width float32
	value func(core.User) string
}

// UsersScreen is the Utilisateurs screen: a search box, the count, a virtualised table
// of every user paged from the database, and the detail panel of the selected user.
type UsersScreen struct {
	// Search filters as you type, ignoring case and accents.
	Search *Entry
	// Count says how many users the table holds ("12 480 utilisateurs").
	Count *widget.Label
	// Table lists the users; its header row sorts.
	Table *widget.Table
	// Empty is shown instead of the table while there is no user at all.
	Empty *fyne.Container
	// Detail edits the selected user.
	Detail *UserDetail
	// Invite and Provision are the screen's main actions, Inviter par e-mail and
	// Paramétrer un compte, when the window offers invitations.
	Invite, Provision *widget.Button

	filter   core.UserFilter
	columns  []userColumn
	fit      *fitColumns // lays out the columns
	headers  headerCells
	pager    *pager[core.UserFilter, core.User]
	debounce *time.Timer
	content  fyne.CanvasObject
	w        fyne.Window
	st       UsersService
}

func newUsersScreen(w fyne.Window, st UsersService) *UsersScreen {
	s := &UsersScreen{w: w, st: st, headers: headerCells{}}
	s.columns = []userColumn{
		{lang.X("users.col.login", "Identifiant"), core.SortLogin, 200, func(u core.User) string { return u.Login }},
		{lang.X("users.col.first_name", "Prénom"), core.SortFirstName, 100, func(u core.User) string { return u.FirstName }},
		{lang.X("users.col.last_name", "Nom"), core.SortLastName, 120, func(u core.User) string { return u.LastName }},
		{lang.X("users.col.groups", "Groupes"), "", 160, func(u core.User) string { return strings.Join(u.Groups, ", ") }},
		{lang.X("users.col.status", "Statut"), core.SortStatus, 80, func(u core.User) string { return statusLabel(u.Status) }},
		{lang.X("users.col.created", "Créé le"), core.SortCreated, 135, func(u core.User) string { return formatDate(u.Created) }},
	}

	s.pager = newPager(st.CountUsers,
		func(ctx context.Context, f core.UserFilter, offset, limit int) ([]core.User, error) {
			f.Offset, f.Limit = offset, limit
			return st.Users(ctx, f)
		})
	s.pager.onChange = s.refreshTable
	s.pager.onError = func(err error) { showErrorAsync(w, err) }

	s.Search = NewEntry()
	s.Search.SetPlaceHolder(lang.X("users.search", "Rechercher par nom, prénom ou identifiant (Ctrl+F)"))
	s.Search.ActionItem = widget.NewIcon(theme.SearchIcon())
	s.Search.OnChanged = s.onSearchChanged
	s.Search.OnEscape = func() { s.Search.SetText("") }

	s.Count = widget.NewLabel("")

	s.Table = &widget.Table{
		Length: func() (int, int) { return s.pager.Len(), len(s.columns) },
		CreateCell: func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		UpdateCell:    s.updateCell,
		ShowHeaderRow: true,
		CreateHeader: func() fyne.CanvasObject {
			b := &widget.Button{Importance: widget.LowImportance, Alignment: widget.ButtonAlignLeading, IconPlacement: widget.ButtonIconTrailingText}
			return b
		},
		UpdateHeader: s.updateHeader,
		OnSelected:   s.onSelected,
	}
	s.Table.ExtendBaseWidget(s.Table)

	empty := widget.NewLabel(lang.X("users.empty", "Aucun utilisateur pour l'instant. Importez un tableur ou invitez par e-mail."))
	empty.Wrapping = fyne.TextWrapWord
	empty.Alignment = fyne.TextAlignCenter
	s.Empty = container.NewVBox(widget.NewIcon(theme.AccountIcon()), empty)
	s.Empty.Hide()

	s.Detail = newUserDetail(w, st, func(u core.User) { s.pager.refresh() })
	s.Detail.box.Hide()
	// Closing the panel also clears the selection, so that the same row can be
	// opened again.
	s.Detail.Close.OnTapped = func() {
		s.Detail.box.Hide()
		s.Table.UnselectAll()
	}

	top := container.NewVBox(s.Search, s.Count)
	// in a small window, the columns of free text keep only part of their width
	s.fit = newFitColumns(s.Table, s.columns, func(c userColumn) (string, float32, bool) { return c.title, c.width, c.sort != "" },
		map[int]float32{0: 0.75, 1: 0.6, 2: 0.6, 3: 0.5}) // login, first name, last name, groups
	list := container.NewStack(container.New(s.fit, s.Table), container.NewCenter(container.New(&minWidth{w: 420}, s.Empty)))
	s.content = container.NewBorder(top, nil, nil, s.Detail.box, list)
	return s
}

func (s *UsersScreen) id() string          { return ScreenUsers }
func (s *UsersScreen) icon() fyne.Resource { return theme.AccountIcon() }
func (s *UsersScreen) title() string       { return lang.X("nav.users", "Utilisateurs") }
func (s *UsersScreen) action() fyne.CanvasObject {
	if s.Invite == nil {
		return nil
	}
	return container.NewHBox(s.Provision, s.Invite)
}
func (s *UsersScreen) view() fyne.CanvasObject { return s.content }
func (s *UsersScreen) subtitle() string {
	return lang.X("users.subtitle", "Retrouvez n'importe quelle personne de votre organisation et modifiez sa fiche.")
}

func (s *UsersScreen) shown() { s.pager.reset(s.filter) }

func (s *UsersScreen) onSearchChanged(text string) {
	if s.debounce != nil {
		s.debounce.Stop()
	}
	s.debounce = time.AfterFunc(searchDelay, func() {
		doUI(func() {
			if s.Search.Text != text || s.filter.Search == text {
				return
			}
			s.filter.Search = text
			s.Table.UnselectAll()
			s.pager.reset(s.filter)
		})
	})
}

// sortBy orders the table by column col; a second click on the same column reverses
// the order.
func (s *UsersScreen) sortBy(col int) {
	key := s.columns[col].sort
	if key == "" {
		return
	}
	if s.sortKey() == key {
		s.filter.Desc = !s.filter.Desc
	} else {
		s.filter.Sort, s.filter.Desc = key, false
	}
	s.Table.UnselectAll()
	s.Table.Refresh()
	s.pager.reset(s.filter)
}

// sortKey is the column the table is sorted by, last name by default.
func (s *UsersScreen) sortKey() core.UserSort {
	if s.filter.Sort == "" {
		return core.SortLastName
	}
	return s.filter.Sort
}

func (s *UsersScreen) refreshTable() {
	n := s.pager.Len()
	switch {
	case n == 0 && s.filter.Search == "":
		s.Count.SetText("")
		s.Table.Hide()
		s.Empty.Show()
	case n == 0:
		s.Count.SetText(lang.X("users.count.none", "Aucun utilisateur ne correspond à « {{.Search}} ».", map[string]any{"Search": s.filter.Search}))
		s.Table.Show()
		s.Empty.Hide()
	case s.filter.Search != "":
		s.Count.SetText(lang.XN("users.count.found", "{{.N}} utilisateurs correspondent à « {{.Search}} »", n,
			map[string]any{"N": formatInt(n), "Search": s.filter.Search}))
		s.Table.Show()
		s.Empty.Hide()
	default:
		s.Count.SetText(lang.XN("users.count", "{{.N}} utilisateurs", n, count(n)))
		s.Table.Show()
		s.Empty.Hide()
	}
	s.Table.Refresh()
}

func (s *UsersScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	u, ok := s.pager.Item(id.Row)
	if !ok {
		l.Importance = widget.LowImportance
		l.SetText("…")
		return
	}
	l.Importance = widget.MediumImportance
	if s.columns[id.Col].sort == core.SortStatus {
		l.Importance = statusImportance(u.Status)
	}
	l.SetText(s.columns[id.Col].value(u))
}

func (s *UsersScreen) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	b := o.(*widget.Button)
	if id.Col < 0 || id.Col >= len(s.columns) {
		return
	}
	c := s.columns[id.Col]
	s.headers.set(id.Col, b)
	var tap func()
	if c.sort != "" {
		col := id.Col
		tap = func() { s.sortBy(col) }
	}
	sortHeader(b, c.title, c.sort != "" && c.sort == s.sortKey(), s.filter.Desc, tap)
}

// headerCells remembers the header button of each column on screen: Fyne hands the
// same buttons to other columns as the table scrolls sideways.
type headerCells map[int]*widget.Button

func (h headerCells) set(col int, b *widget.Button) {
	h[col] = b
	for other, ob := range h {
		if ob == b && other != col {
			delete(h, other)
		}
	}
}

// sortHeader dresses the header button of a sortable table: the title, an arrow on the
// column the list is sorted by (down when reversed), and tap for a column that sorts.
func sortHeader(b *widget.Button, title string, sorted, desc bool, tap func()) {
	b.SetText(title)
	switch {
	case !sorted:
		b.SetIcon(nil)
	case desc:
		b.SetIcon(theme.MenuDropDownIcon())
	default:
		b.SetIcon(theme.MenuDropUpIcon())
	}
	b.OnTapped = tap
}

// HeaderButton returns the header cell of column col while it is on screen, for tests
// and keyboard helpers.
func (s *UsersScreen) HeaderButton(col int) *widget.Button { return s.headers[col] }

func (s *UsersScreen) onSelected(id widget.TableCellID) {
	u, ok := s.pager.Item(id.Row)
	if !ok {
		return
	}
	s.Detail.box.Show()
	s.Detail.loadAsync(u.ID)
}

// statusLabel is the short word shown for a user's status.
func statusLabel(st core.UserStatus) string {
	switch st {
	case core.StatusInvited:
		return lang.X("status.invited", "Invité")
	case core.StatusDisabled:
		return lang.X("status.disabled", "Désactivé")
	default:
		return lang.X("status.active", "Actif")
	}
}

func statusImportance(st core.UserStatus) widget.Importance {
	switch st {
	case core.StatusInvited:
		return widget.WarningImportance
	case core.StatusDisabled:
		return widget.LowImportance
	default:
		return widget.SuccessImportance
	}
}

// minWidth lays its objects out stacked, at least w wide.
type minWidth struct{ w float32 }

func (m *minWidth) MinSize(objects []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(m.w, 0)
	for _, o := range objects {
		if o.Visible() {
			s = s.Max(o.MinSize())
		}
	}
	return s.Max(fyne.NewSize(m.w, 0))
}

func (m *minWidth) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

// fitColumns gives a table the whole space and spreads the extra width over its
// columns in proportion to their natural widths. In a narrower space, the columns of
// free text (names, addresses, subjects) give up part of their width, their texts then
// cut with « … », so that dates and states stay whole and in view; only below that
// does the table scroll sideways.
type fitColumns struct {
	table    *widget.Table
	widths   []float32 // natural
	least    []float32 // what each can shrink to
	titles   []string
	sortable []bool
	last     float32
}

// add appends a column of the given natural width, widened when its title, with the
// sort arrow of a sortable column, would not fit in it (English titles are longer). In
// a small window, the column keeps at least the share keep of its width (1 for dates,
// states and counts), and always its title.
func (f *fitColumns) add(title string, width float32, sortable bool, keep float32) {
	b := &widget.Button{Text: title, Importance: widget.LowImportance}
	if sortable {
		b.Icon = theme.MenuDropUpIcon()
	}
	head := b.MinSize().Width
	width = max(width, head)
	f.widths, f.least = append(f.widths, width), append(f.least, max(head, width*min(keep, 1)))
	f.titles, f.sortable = append(f.titles, title), append(f.sortable, sortable)
}

// newFitColumns lays out table, whose columns are cols: col tells a column's title,
// natural width and whether it sorts, and keep what the columns of free text, by
// index, keep of their width in a small window (the others keep it all).
func newFitColumns[C any](table *widget.Table, cols []C, col func(C) (string, float32, bool), keep map[int]float32) *fitColumns {
	f := &fitColumns{table: table}
	for i, c := range cols {
		k, text := keep[i]
		if !text {
			k = 1
		}
		title, width, sortable := col(c)
		f.add(title, width, sortable, k)
	}
	return f
}

// columnWidths shares room between the columns.
func (f *fitColumns) columnWidths(room float32) []float32 {
	var natural, slack float32
	for i, w := range f.widths {
		natural += w
		slack += w - f.least[i]
	}
	out := make([]float32, len(f.widths))
	for i, w := range f.widths {
		switch {
		case room >= natural:
			out[i] = w * room / natural
		case slack > 0:
			// each text column gives in proportion to what it can give
			out[i] = w - min(natural-room, slack)*(w-f.least[i])/slack
		default:
			out[i] = w
		}
	}
	return out
}

func (f *fitColumns) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}

func (f *fitColumns) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
	if size.Width == f.last {
		return
	}
	f.last = size.Width
	// Leave room for the separators between cells and the vertical scroll bar.
	room := size.Width - theme.Padding()*float32(len(f.widths)+1) - theme.ScrollBarSize()
	for i, w := range f.columnWidths(room) {
		f.table.SetColumnWidth(i, w)
	}
}
