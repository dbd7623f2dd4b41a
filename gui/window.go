package gui

import (
	"context"
	"fmt"
	"log"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"convive/assets"
	"convive/core"
)

// Default window size, used until the person resizes the window once.
const (
	defaultWidth  = 1100
	defaultHeight = 720
)

// Screen identifiers, in the order of the navigation list.
const (
	ScreenDashboard   = "dashboard"
	ScreenUsers       = "users"
	ScreenGroups      = "groups"
	ScreenCourses     = "courses"
	ScreenInvitations = "invitations"
	ScreenImport      = "import"
	ScreenOutbox      = "outbox"
	ScreenSettings    = "settings"
)

// screen is one entry of the navigation: what it shows and when it is shown.
type screen interface {
	id() string
	icon() fyne.Resource
	title() string
	// subtitle says in one sentence what the screen is for.
	subtitle() string
	// action is the screen's main button, or nil when it has none yet.
	action() fyne.CanvasObject
	view() fyne.CanvasObject
	// shown runs each time the screen is displayed, to bring its data up to date.
	shown()
}

// MainWindow is Convive's single window: navigation on the left, the current screen on
// the right under its title, a status bar at the bottom.
type MainWindow struct {
	// Window is the Fyne window; the caller shows it (ShowAndRun).
	Window fyne.Window

	// Nav lists the screens; selecting an item shows its screen.
	Nav *widget.List
	// Title, Subtitle and Action are the header of the current screen.
	Title    *widget.Label
	Subtitle *widget.Label
	Action   *fyne.Container
	// DatabaseStatus, OutboxStatus and LastSend make up the status bar.
	DatabaseStatus *widget.Label
	OutboxStatus   *widget.Label
	LastSend       *widget.Label

	Dashboard *DashboardScreen
	Users     *UsersScreen
	Groups    *GroupsScreen
	Settings  *SettingsScreen
	Importer  *ImporterScreen
	// Parcours is the Parcours screen; nil when the services keep no courses.
	Parcours *ParcoursScreen

	// Picker shows the file dialogs; tests replace it before building the screens
	// again (see SetFilePicker).
	Picker FilePicker

	// Invitations is the Invitations screen; nil when the services keep no invitations.
	Invitations *InvitationsScreen
	// InviteDialog, ProvisionDialog and EmailEntry are the last Inviter par e-mail,
	// Paramétrer un compte and Modifier l'e-mail dialogs opened, for the tests.
	InviteDialog    *InviteDialog
	ProvisionDialog *ProvisionDialog
	EmailEntry      *Entry
	emailDialog     dialog.Dialog
	lastConfirm     dialog.Dialog
	inv             InviteService // st as an invitation service, or nil

	// Outbox is the Boîte d'envoi; nil when the services keep no outbox.
	Outbox *OutboxScreen
	// PasswordEntry is the field of the last dialog asking for the SMTP password.
	PasswordEntry *widget.Entry

	obs    OutboxService // st as an outbox, or nil
	outbox *outboxSender
	ostate outboxState // last state the sending published
	// countedAt is when the navigation counts were last asked for during a run.
	countedAt time.Time

	st      Services
	screens []screen
	current int
	body    *fyne.Container
	stats   core.Stats
}

// NewMainWindow builds the window over st. The window is titled "Convive", takes the
// size saved in the "ui.window" setting and saves it again when it closes. It opens on
// the Tableau de bord; the caller shows it.
func NewMainWindow(a fyne.App, st Services) *MainWindow {
	mw := &MainWindow{st: st, Window: a.NewWindow("Convive")}
	if len(assets.IconPNG) > 0 {
		mw.Window.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	}
	mw.Window.Resize(mw.savedSize())
	mw.Window.SetCloseIntercept(func() {
		mw.saveSize()
		// The message in flight finishes before the window (and then the database)
		// closes.
		mw.Window.Hide()
		mw.StopOutbox()
		mw.Window.Close()
	})
	if obs, ok := st.(OutboxService); ok {
		mw.obs = obs
		mw.outbox = newOutboxSender(obs, func(s outboxState) { doUI(func() { mw.setOutboxState(s) }) })
	}
	mw.Window.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		mw.ShowScreen(ScreenUsers)
		mw.Window.Canvas().Focus(mw.Users.Search)
	})
	if inv, ok := st.(InviteService); ok {
		mw.inv = inv
	}
	mw.Window.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyI, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		mw.ShowInviteDialog(mw.currentGroupID())
	})
	mw.Window.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		if mw.Importer != nil {
			mw.ShowScreen(ScreenImport)
			mw.Importer.onChooseFile()
		}
	})
	mw.Window.Canvas().AddShortcut(&fyne.ShortcutPaste{}, func(fyne.Shortcut) {
		if mw.Importer != nil && mw.CurrentScreen() == ScreenImport {
			mw.Importer.onPaste()
		}
	})
	mw.Window.SetOnDropped(mw.DropFiles)
	mw.build()
	// Ctrl+1 to Ctrl+9: the screens in the order of the navigation
	for i := range min(len(mw.screens), 9) {
		key := fyne.KeyName(strconv.Itoa(i + 1))
		mw.Window.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
			mw.Nav.Select(i)
		})
	}
	if mw.outbox != nil {
		mw.outbox.start()
	}
	return mw
}

// WakeOutbox tells the automatic sending that new mail was queued, so that it goes
// out without waiting for the next minute. Screens that queue mail call it.
func (mw *MainWindow) WakeOutbox() {
	if mw.outbox != nil {
		mw.outbox.poke()
	}
}

// StopOutbox stops the sending that runs while the window is open; the message in
// flight finishes first. Closing the window does it.
func (mw *MainWindow) StopOutbox() {
	if mw.outbox != nil {
		mw.outbox.close(45 * time.Second)
	}
}

// sendOutboxNow asks for the due messages to be sent now.
func (mw *MainWindow) sendOutboxNow() {
	if mw.outbox != nil {
		mw.outbox.sendNow()
	}
}

// setOutboxState shows a new state of the outbox: status bar, Boîte d'envoi screen,
// navigation count.
func (mw *MainWindow) setOutboxState(s outboxState) {
	prev := mw.ostate
	mw.ostate = s
	mw.showOutboxStatus()
	if mw.Outbox != nil {
		mw.Outbox.applyState(s, prev)
	}
	// During a run the count beside Boîte d'envoi follows once a second at most.
	ended := prev.phase == phaseRunning && s.phase != phaseRunning
	if ended || s.counts.Waiting() != mw.stats.OutboxWaiting && (s.phase != phaseRunning || time.Since(mw.countedAt) >= time.Second) {
		mw.countedAt = time.Now()
		mw.refreshCountsAsync()
	}
}

func (mw *MainWindow) showOutboxStatus() {
	mw.OutboxStatus.SetText(outboxStatusText(mw.ostate))
	last := lastSendText(mw.ostate)
	mw.LastSend.SetText(last)
	visible(mw.LastSend, last != "")
}

// DropFiles is the window's drop handler: the first file dropped anywhere in the window
// goes to the Annuler plusieurs invitations or Rapprocher les comptes actifs dialog
// while one is open, and otherwise opens in the Importer screen.
func (mw *MainWindow) DropFiles(_ fyne.Position, uris []fyne.URI) {
	for _, u := range uris {
		if u == nil || u.Scheme() != "file" {
			continue
		}
		if !mw.dropOnBulkDialog(u.Path()) && mw.Importer != nil {
			mw.ShowScreen(ScreenImport)
			mw.Importer.OpenFile(u.Path())
		}
		return
	}
}

// SetFilePicker replaces the file dialogs of the window (tests hand in a fake).
func (mw *MainWindow) SetFilePicker(p FilePicker) {
	mw.Picker = p
	if mw.Importer != nil {
		mw.Importer.picker = p
	}
}

// build makes every screen and lays the window out, in the current language.
func (mw *MainWindow) build() {
	w := mw.Window
	mw.Dashboard = newDashboardScreen(mw)
	mw.Users = newUsersScreen(w, mw.st)
	mw.Groups = newGroupsScreen(w, mw.st)
	mw.Settings = newSettingsScreen(mw)
	if mw.Picker == nil {
		mw.Picker = NewFilePicker(w)
	}
	var importScreen screen = newLaterScreen(ScreenImport, theme.UploadIcon(),
		lang.X("nav.import", "Importer"),
		lang.X("import.subtitle", "Créez ou mettez à jour de nombreux comptes d'un coup à partir d'un tableur."),
		lang.X("import.later", "L'import de tableurs (.xlsx et .csv) arrive dans une prochaine version de Convive."))
	if is, ok := mw.st.(ImportService); ok {
		mw.Importer = newImporterScreen(w, is, mw.Picker)
		mw.Importer.onImported = func() {
			mw.refreshCountsAsync()
			mw.WakeOutbox()
		}
		importScreen = mw.Importer
	}
	var invitations screen = newLaterScreen(ScreenInvitations, theme.MailSendIcon(),
		lang.X("nav.invitations", "Invitations"),
		lang.X("invitations.subtitle", "Suivez les invitations en attente, relancez-les ou annulez-les."),
		lang.X("invitations.later", "L'envoi et le suivi des invitations par e-mail arrivent dans une prochaine version de Convive."))
	mw.Invitations = nil
	if mw.inv != nil {
		mw.Invitations = newInvitationsScreen(mw, mw.inv)
		invitations = mw.Invitations
		mw.Users.Invite = &widget.Button{Text: lang.X("invite.action", "Inviter par e-mail"), Icon: theme.MailSendIcon(),
			Importance: widget.HighImportance, OnTapped: func() { mw.ShowInviteDialog(0) }}
		mw.Users.Provision = &widget.Button{Text: lang.X("provision.action", "Paramétrer un compte"), Icon: theme.ContentAddIcon(),
			OnTapped: func() { mw.ShowProvisionDialog(0) }}
		// The empty state offers the two ways in, beside the sentence that names them.
		mw.Users.Empty.Add(container.NewCenter(container.NewHBox(
			&widget.Button{Text: lang.X("users.empty.import", "Importer un tableur"), Icon: theme.UploadIcon(),
				OnTapped: func() { mw.ShowScreen(ScreenImport) }},
			&widget.Button{Text: lang.X("invite.action", "Inviter par e-mail"), Icon: theme.MailSendIcon(),
				Importance: widget.HighImportance, OnTapped: func() { mw.ShowInviteDialog(0) }})))
		mw.Users.Detail.onChangeEmail = mw.ShowChangeEmail
		mw.Users.Detail.onReset = mw.ShowPasswordReset
		mw.Groups.onInvite = mw.ShowInviteDialog
		mw.Groups.onProvision = mw.ShowProvisionDialog
		mw.Groups.AddUsers.Show()
	}
	mw.screens = []screen{
		mw.Dashboard,
		mw.Users,
		mw.Groups,
		mw.parcoursScreen(),
		invitations,
		importScreen,
		mw.outboxScreen(),
		mw.Settings,
	}

	mw.Title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	mw.Title.SizeName = theme.SizeNameHeadingText
	mw.Subtitle = widget.NewLabel("")
	mw.Subtitle.Wrapping = fyne.TextWrapWord
	mw.Action = container.NewHBox()
	header := container.NewBorder(nil, nil, nil, container.NewCenter(mw.Action),
		container.NewVBox(mw.Title, mw.Subtitle))

	// The widest item sizes the navigation: a title, with the widest count beside the
	// screens that show one. It is found once; every row starts as a copy of it.
	var widestTitle, widestCount string
	var widest float32
	for _, s := range mw.screens {
		count := ""
		if s.id() == ScreenInvitations || s.id() == ScreenOutbox {
			count = navCount(navCountCap + 1)
		}
		if w := newNavItem(s.title(), count).MinSize().Width; w > widest {
			widest, widestTitle, widestCount = w, s.title(), count
		}
	}
	mw.Nav = widget.NewList(
		func() int { return len(mw.screens) },
		func() fyne.CanvasObject { return newNavItem(widestTitle, widestCount) },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			s := mw.screens[i]
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(s.title())
			c.Objects[1].(*widget.Icon).SetResource(s.icon())
			badge := c.Objects[2].(*widget.Label)
			n := 0
			switch s.id() {
			case ScreenInvitations:
				n = mw.stats.PendingInvitations
			case ScreenOutbox:
				n = mw.stats.OutboxWaiting
			}
			badge.SetText(navCount(n))
		})
	mw.Nav.OnSelected = func(i widget.ListItemID) { mw.show(i) }

	mw.DatabaseStatus = widget.NewLabel(lang.X("status.database", "Base de données : {{.Path}}", map[string]any{"Path": mw.st.Path()}))
	mw.DatabaseStatus.Truncation = fyne.TextTruncateEllipsis
	mw.OutboxStatus = widget.NewLabel("")
	mw.LastSend = widget.NewLabel("")
	mw.showOutboxStatus()
	status := container.NewBorder(widget.NewSeparator(), nil, nil, container.NewHBox(mw.OutboxStatus, mw.LastSend), mw.DatabaseStatus)

	mw.body = container.NewStack()
	page := container.NewBorder(container.NewVBox(header, widget.NewSeparator()), nil, nil, nil, mw.body)
	nav := container.NewBorder(nil, nil, nil, widget.NewSeparator(), mw.Nav)
	mw.Window.SetContent(container.NewBorder(nil, status, nav, nil, container.NewPadded(page)))
	mw.current = -1
	mw.Nav.Select(0)
}

// outboxScreen is the Boîte d'envoi, or a placeholder when the services keep no outbox.
func (mw *MainWindow) outboxScreen() screen {
	if mw.obs == nil {
		mw.Outbox = nil
		return newLaterScreen(ScreenOutbox, theme.MailComposeIcon(),
			lang.X("nav.outbox", "Boîte d'envoi"),
			lang.X("outbox.subtitle", "Les e-mails préparés attendent ici d'être envoyés par le serveur de votre organisation."),
			lang.X("outbox.later", "L'envoi des e-mails arrive dans une prochaine version de Convive."))
	}
	mw.Outbox = newOutboxScreen(mw, mw.obs)
	mw.Outbox.applyState(mw.ostate, mw.ostate)
	return mw.Outbox
}

// currentGroupID is the subgroup selected in Groupes while that screen shows, else 0:
// Ctrl+I there invites into it.
func (mw *MainWindow) currentGroupID() int64 {
	if mw.CurrentScreen() != ScreenGroups {
		return 0
	}
	if g := mw.Groups.Selected(); !g.IsRoot() {
		return g.ID
	}
	return 0
}

// ShowScreen displays the screen with the given identifier (ScreenUsers…).
func (mw *MainWindow) ShowScreen(id string) {
	for i, s := range mw.screens {
		if s.id() == id {
			mw.Nav.Select(i)
			return
		}
	}
}

// CurrentScreen returns the identifier of the screen on display.
func (mw *MainWindow) CurrentScreen() string {
	if mw.current < 0 {
		return ""
	}
	return mw.screens[mw.current].id()
}

func (mw *MainWindow) show(i int) {
	if i < 0 || i >= len(mw.screens) {
		return
	}
	s := mw.screens[i]
	mw.current = i
	mw.Title.SetText(s.title())
	mw.Subtitle.SetText(s.subtitle())
	mw.Action.RemoveAll()
	if a := s.action(); a != nil {
		mw.Action.Add(a)
	}
	mw.body.Objects = []fyne.CanvasObject{s.view()}
	mw.body.Refresh()
	s.shown()
	mw.refreshCountsAsync()
}

// refreshCountsAsync updates the counts beside Invitations and Boîte d'envoi.
func (mw *MainWindow) refreshCountsAsync() {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		stats, err := mw.st.Stats(ctx)
		if err != nil {
			log.Printf("convive: counts for the navigation: %v", err)
			return
		}
		doUI(func() {
			if stats != mw.stats {
				mw.stats = stats
				mw.Nav.Refresh()
			}
		})
	}()
}

// savedSize reads the "ui.window" setting ("1100x720"); a missing or odd value gives
// the default size.
func (mw *MainWindow) savedSize() fyne.Size {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := mw.st.Setting(ctx, SettingWindow)
	if err != nil {
		log.Printf("convive: reading the window size: %v", err)
	}
	var w, h float32
	if _, err := fmt.Sscanf(v, "%gx%g", &w, &h); err != nil || w < 400 || h < 300 || w > 10000 || h > 10000 {
		return fyne.NewSize(defaultWidth, defaultHeight)
	}
	return fyne.NewSize(w, h)
}

// saveSize writes the window size into "ui.window"; it runs as the window closes, so it
// waits for the write.
func (mw *MainWindow) saveSize() {
	s := mw.Window.Canvas().Size()
	if s.Width < 1 || s.Height < 1 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := mw.st.SetSetting(ctx, SettingWindow, fmt.Sprintf("%dx%d", int(s.Width+0.5), int(s.Height+0.5))); err != nil {
		log.Printf("convive: saving the window size: %v", err)
	}
}

// applyLanguage switches the window to code ("fr" or "en") by loading the translations
// again and rebuilding every screen; then it shows the Paramètres screen again.
func (mw *MainWindow) applyLanguage(code string) {
	SetLanguage(code)
	if err := LoadTranslations(); err != nil {
		log.Printf("convive: loading translations: %v", err)
	}
	mw.build()
	mw.ShowScreen(ScreenSettings)
}

// laterScreen stands for a screen that a later version brings: it says so plainly and
// offers no button.
type laterScreen struct {
	sid, name, sub, message string
	res                     fyne.Resource
	content                 fyne.CanvasObject
}

func newLaterScreen(id string, icon fyne.Resource, title, subtitle, message string) *laterScreen {
	l := widget.NewLabel(message)
	l.Wrapping = fyne.TextWrapWord
	l.Alignment = fyne.TextAlignCenter
	ic := widget.NewIcon(icon)
	return &laterScreen{sid: id, res: icon, name: title, sub: subtitle, message: message,
		content: container.NewVBox(layout.NewSpacer(), container.NewCenter(container.NewGridWrap(fyne.NewSize(64, 64), ic)), l, layout.NewSpacer())}
}

func (s *laterScreen) id() string                { return s.sid }
func (s *laterScreen) icon() fyne.Resource       { return s.res }
func (s *laterScreen) title() string             { return s.name }
func (s *laterScreen) subtitle() string          { return s.sub }
func (s *laterScreen) action() fyne.CanvasObject { return nil }
func (s *laterScreen) view() fyne.CanvasObject   { return s.content }
func (s *laterScreen) shown()                    {}

// navCountCap is the highest count shown in full beside a screen's title; the screen
// itself says the exact number.
const navCountCap = 999

// navCount is the count beside a screen's title: none for 0, « 999+ » past the cap.
func navCount(n int) string {
	switch {
	case n <= 0:
		return ""
	case n > navCountCap:
		return formatInt(navCountCap) + "+"
	}
	return formatInt(n)
}

// newNavItem is an item of the navigation: title, icon and count (its objects, in
// that order).
func newNavItem(title, count string) *fyne.Container {
	badge := widget.NewLabelWithStyle(count, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	badge.Importance = widget.HighImportance
	return container.New(navItemLayout{}, widget.NewLabel(title), widget.NewIcon(theme.HomeIcon()), badge)
}

// navItemLayout puts the icon at the left, the title after it and the count at the
// right. The title and the count share the padding between them, which keeps the
// navigation as narrow as its longest title.
type navItemLayout struct{}

func (navItemLayout) parts(objects []fyne.CanvasObject) (title, icon, count fyne.CanvasObject) {
	return objects[0], objects[1], objects[2]
}

func (l navItemLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	title, icon, count := l.parts(objects)
	w := icon.MinSize().Width + theme.Padding() + title.MinSize().Width
	if c := count.(*widget.Label); c.Text != "" {
		w += c.MinSize().Width - 2*theme.InnerPadding() + 2*theme.Padding()
	}
	return fyne.NewSize(w, max(icon.MinSize().Height, title.MinSize().Height))
}

func (l navItemLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	title, icon, count := l.parts(objects)
	is := icon.MinSize()
	icon.Resize(is)
	icon.Move(fyne.NewPos(0, (size.Height-is.Height)/2))
	x := is.Width + theme.Padding()
	title.Resize(fyne.NewSize(size.Width-x, size.Height))
	title.Move(fyne.NewPos(x, 0))
	// the count, right-aligned, spans the same space: its padding on the left
	// overlaps the title's on the right
	count.Resize(fyne.NewSize(size.Width-x, size.Height))
	count.Move(fyne.NewPos(x, 0))
}
