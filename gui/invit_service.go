package gui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"convive/assets"
	"convive/core"
)

// InviteService is what the invitation screens and dialogs need: the preview and the
// writing of invitations, account set-up, the invitation list and its bulk actions, the
// change of an address and the reset mail. *sqlite.Store satisfies it.
type InviteService interface {
	core.MailSource
	Groups(ctx context.Context) ([]core.Group, error)
	Sessions(ctx context.Context, courseID int64) ([]core.SessionSummary, error)
	PreviewInvite(ctx context.Context, req core.InviteRequest) (core.InvitePreview, error)
	Invite(ctx context.Context, req core.InviteRequest, m *core.Mailer) (core.InviteResult, error)
	Provision(ctx context.Context, n core.NewUser, welcome bool, m *core.Mailer) (core.User, error)
	Invitations(ctx context.Context, f core.InvitationFilter) ([]core.InvitationRow, error)
	CountInvitations(ctx context.Context, f core.InvitationFilter) (int, error)
	ResendInvitations(ctx context.Context, ids []int64, m *core.Mailer) (int, error)
	PreviewCancel(ctx context.Context, entries []string) (core.CancelPreview, error)
	CancelInvitations(ctx context.Context, entries []string) (core.CancelResult, error)
	CancelInvitationIDs(ctx context.Context, ids []int64) (int, error)
	PreviewAccept(ctx context.Context, entries []string) (core.CancelPreview, error)
	AcceptInvitations(ctx context.Context, entries []string) (core.AcceptResult, error)
	AcceptInvitationIDs(ctx context.Context, ids []int64) (int, error)
	ChangeEmail(ctx context.Context, userID int64, newLogin string, m *core.Mailer) (core.EmailChange, error)
	QueuePasswordReset(ctx context.Context, userID int64, m *core.Mailer) (core.Message, error)
}

// newMailer loads the mail templates, the organisation and the sender name, as every
// action that queues mail needs them.
func newMailer(ctx context.Context, st InviteService) (*core.Mailer, error) {
	return core.NewMailer(ctx, st, assets.DefaultMailTemplate)
}

// workContext is the context of one action started by the manager.
func workContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 2*time.Minute)
}

// subgroupChoice offers the subgroups as tick boxes, labelled by path.
type subgroupChoice struct {
	check *widget.CheckGroup
	ids   map[string]int64
	paths []string
}

func newSubgroupChoice(groups []core.Group, preselect int64) *subgroupChoice {
	c := &subgroupChoice{ids: map[string]int64{}}
	var sel []string
	for _, g := range groups {
		if g.IsRoot() {
			continue
		}
		c.paths = append(c.paths, g.Path)
		c.ids[g.Path] = g.ID
		if g.ID == preselect {
			sel = append(sel, g.Path)
		}
	}
	c.check = widget.NewCheckGroup(c.paths, nil)
	c.check.Selected = sel
	return c
}

// selectedIDs returns the ticked groups, the preselected one first (the invitation's
// group).
func (c *subgroupChoice) selectedIDs() []int64 {
	ids := []int64{}
	for _, p := range c.check.Selected {
		if id, ok := c.ids[p]; ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// view is the tick boxes in a scroll of limited height, or a sentence when the
// organisation has no subgroup yet.
func (c *subgroupChoice) view() fyne.CanvasObject {
	if len(c.paths) == 0 {
		l := wrapLabel(lang.X("invite.groups.none", "Aucun sous-groupe : les personnes rejoignent le Groupe général."))
		l.Importance = widget.LowImportance
		return l
	}
	sc := container.NewVScroll(c.check)
	h := c.check.MinSize().Height
	if h > 150 {
		h = 150
	}
	sc.SetMinSize(fyne.NewSize(0, h))
	return sc
}

// languageSelect offers the languages of mail, French first.
func languageSelect() *widget.Select {
	opts := make([]string, len(core.Languages))
	for i, l := range core.Languages {
		opts[i] = languageLabel(l)
	}
	s := widget.NewSelect(opts, nil)
	s.SetSelectedIndex(0)
	return s
}

// selectedLanguage is the language chosen in a languageSelect.
func selectedLanguage(s *widget.Select) core.Language {
	if i := s.SelectedIndex(); i >= 0 && i < len(core.Languages) {
		return core.Languages[i]
	}
	return core.LangFR
}

// line is one row of a preview list: a heading, or an entry with its explanation.
type line struct {
	text       string
	heading    bool
	importance widget.Importance
	// tick, when not nil, shows a box before the text (the "#" alias of an account).
	tick   *bool
	onTick func()
}

// lineList is a virtualised list of preview lines, so that a pasted list of ten
// thousand addresses previews as fast as ten.
type lineList struct {
	lines []line
	list  *widget.List
}

func newLineList() *lineList {
	l := &lineList{}
	l.list = widget.NewList(
		func() int { return len(l.lines) },
		func() fyne.CanvasObject {
			lb := widget.NewLabel("")
			lb.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, widget.NewCheck("", nil), nil, lb)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			lb := c.Objects[0].(*widget.Label)
			ck := c.Objects[1].(*widget.Check)
			ln := l.lines[i]
			lb.TextStyle = fyne.TextStyle{Bold: ln.heading}
			lb.Importance = ln.importance
			lb.SetText(ln.text)
			if ln.tick == nil {
				ck.OnChanged = nil
				ck.Hide()
				return
			}
			ck.OnChanged = nil
			ck.SetChecked(*ln.tick)
			ck.OnChanged = func(on bool) {
				*ln.tick = on
				if ln.onTick != nil {
					ln.onTick()
				}
			}
			ck.Show()
		})
	return l
}

func (l *lineList) set(lines []line) {
	l.lines = lines
	l.list.Refresh()
	l.list.ScrollToTop()
}

// texts returns every line as shown, for tests.
func (l *lineList) texts() []string {
	out := make([]string, len(l.lines))
	for i, ln := range l.lines {
		out[i] = ln.text
	}
	return out
}
