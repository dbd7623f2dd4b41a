package gui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"convive/core"
)

// DashboardScreen is the Tableau de bord: four large counts, refreshed each time the
// screen is shown.
type DashboardScreen struct {
	// Users, Groups, Invitations and Outbox show the figures; their captions sit below.
	Users, Groups, Invitations, Outbox *canvas.Text
	// Open goes to the Utilisateurs screen, the screen's main action.
	Open *widget.Button

	captions [4]*widget.Label
	content  fyne.CanvasObject
	mw       *MainWindow
}

func newDashboardScreen(mw *MainWindow) *DashboardScreen {
	s := &DashboardScreen{mw: mw}
	figure := func() *canvas.Text {
		t := canvas.NewText("–", theme.Color(theme.ColorNamePrimary))
		t.TextSize = 44
		t.TextStyle.Bold = true
		t.Alignment = fyne.TextAlignCenter
		return t
	}
	s.Users, s.Groups, s.Invitations, s.Outbox = figure(), figure(), figure(), figure()
	cards := container.NewGridWithColumns(4)
	for i, t := range []*canvas.Text{s.Users, s.Groups, s.Invitations, s.Outbox} {
		c := widget.NewLabel("")
		c.Alignment = fyne.TextAlignCenter
		c.Wrapping = fyne.TextWrapWord
		s.captions[i] = c
		cards.Add(widget.NewCard("", "", container.NewVBox(t, c)))
	}
	s.Open = &widget.Button{Text: lang.X("dashboard.open_users", "Voir les utilisateurs"), Icon: theme.AccountIcon(),
		Importance: widget.HighImportance, OnTapped: func() { mw.ShowScreen(ScreenUsers) }}
	s.content = container.NewVScroll(container.NewVBox(cards))
	s.setStats(core.Stats{}, false)
	return s
}

func (s *DashboardScreen) id() string                { return ScreenDashboard }
func (s *DashboardScreen) icon() fyne.Resource       { return theme.HomeIcon() }
func (s *DashboardScreen) title() string             { return lang.X("nav.dashboard", "Tableau de bord") }
func (s *DashboardScreen) action() fyne.CanvasObject { return s.Open }
func (s *DashboardScreen) view() fyne.CanvasObject   { return s.content }
func (s *DashboardScreen) subtitle() string {
	return lang.X("dashboard.subtitle", "Où en est votre organisation : comptes, groupes, invitations et e-mails en attente.")
}

func (s *DashboardScreen) shown() { s.refreshAsync() }

// refreshAsync reads the counts again.
func (s *DashboardScreen) refreshAsync() {
	var stats core.Stats
	runAsync(s.mw.Window, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		stats, err = s.mw.st.Stats(ctx)
		return err
	}, func(err error) {
		if err == nil {
			s.setStats(stats, true)
		}
	})
}

func (s *DashboardScreen) setStats(st core.Stats, known bool) {
	values := []int{st.Users, st.Groups, st.PendingInvitations, st.OutboxWaiting}
	captions := []string{
		lang.XN("dashboard.users", "utilisateurs", st.Users),
		lang.XN("dashboard.groups", "sous-groupes", st.Groups),
		lang.XN("dashboard.invitations", "invitations en attente", st.PendingInvitations),
		lang.XN("dashboard.outbox", "e-mails à envoyer", st.OutboxWaiting),
	}
	for i, t := range []*canvas.Text{s.Users, s.Groups, s.Invitations, s.Outbox} {
		if known {
			t.Text = formatInt(values[i])
		}
		t.Color = theme.Color(theme.ColorNamePrimary)
		t.Refresh()
		s.captions[i].SetText(captions[i])
	}
}
