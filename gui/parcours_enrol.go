package gui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"convive/core"
)

// EnrolDialog is « Ajouter des apprenants »: existing users ticked in a searchable list,
// or new addresses pasted and invited into the session.
type EnrolDialog struct {
	Dialog dialog.Dialog
	Tabs   *container.AppTabs
	// When says when the mail goes.
	When *widget.Label

	// Search filters the users (accents and case aside); Users lists one page at a
	// time with a tick box each; Checked holds the ticked ones.
	Search  *Entry
	Users   *widget.List
	Checked map[int64]bool
	Count   *widget.Label
	Enrol   *widget.Button

	// Addresses takes the pasted addresses; Check previews them; Preview says what
	// will happen; Invite confirms.
	Addresses *widget.Entry
	Check     *widget.Button
	Preview   *widget.Label
	Invite    *widget.Button

	// Result says what was done.
	Result *widget.Label

	pager   *pager[string, core.User]
	members map[int64]bool // already in the session
	checked string         // the text the preview was made of
	s       *ParcoursScreen
	session core.SessionSummary
}

func newEnrolDialog(s *ParcoursScreen, ss core.SessionSummary) *EnrolDialog {
	e := &EnrolDialog{s: s, session: ss, Checked: map[int64]bool{}, members: map[int64]bool{}}
	for _, u := range s.Members {
		e.members[u.ID] = true
	}
	e.When = widget.NewLabelWithStyle(mailWhen(ss.Session, s.now()), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	e.When.Wrapping = fyne.TextWrapWord
	e.Result = widget.NewLabel("")
	e.Result.Wrapping = fyne.TextWrapWord
	e.Result.Importance = widget.SuccessImportance
	e.Result.Hide()

	// Existing users.
	e.pager = newPager(
		func(ctx context.Context, q string) (int, error) {
			return s.st.CountUsers(ctx, core.UserFilter{Search: q})
		},
		func(ctx context.Context, q string, offset, limit int) ([]core.User, error) {
			return s.st.Users(ctx, core.UserFilter{Search: q, Offset: offset, Limit: limit})
		})
	e.pager.onError = func(err error) { showErrorAsync(s.w, err) }
	e.Search = NewEntry()
	e.Search.SetPlaceHolder(lang.X("enrol.search", "Rechercher par nom ou identifiant"))
	e.Search.OnChanged = func(q string) { e.pager.reset(strings.TrimSpace(q)) }
	e.Users = widget.NewList(
		func() int { return e.pager.Len() },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, widget.NewCheck("", nil), nil, l)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			l, ch := c.Objects[0].(*widget.Label), c.Objects[1].(*widget.Check)
			ch.OnChanged = nil
			u, ok := e.pager.Item(i)
			if !ok {
				l.SetText("…")
				ch.SetChecked(false)
				ch.Disable()
				return
			}
			if e.members[u.ID] {
				l.SetText(lang.X("enrol.already", "{{.Name}} · déjà dans la session", map[string]any{"Name": learnerText(u)}))
				ch.SetChecked(true)
				ch.Disable()
				return
			}
			l.SetText(learnerText(u))
			ch.Enable()
			ch.SetChecked(e.Checked[u.ID])
			id := u.ID
			ch.OnChanged = func(on bool) { e.setChecked(id, on) }
		})
	e.Users.OnSelected = func(i widget.ListItemID) {
		if u, ok := e.pager.Item(i); ok && !e.members[u.ID] {
			e.setChecked(u.ID, !e.Checked[u.ID])
			e.Users.RefreshItem(i)
		}
		e.Users.UnselectAll()
	}
	e.pager.onChange = func() {
		e.Users.Refresh()
		e.showCount()
	}
	e.Count = widget.NewLabel("")
	e.Enrol = &widget.Button{Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: e.onEnrol}
	existing := container.NewBorder(
		container.NewVBox(e.Search, e.Count), container.NewHBox(layout.NewSpacer(), e.Enrol), nil, nil, e.Users)

	// New addresses.
	e.Addresses = widget.NewMultiLineEntry()
	e.Addresses.Wrapping = fyne.TextWrapWord
	e.Addresses.SetPlaceHolder(lang.X("enrol.addresses.placeholder", "Collez ici les adresses e-mail, séparées par des virgules, des points-virgules ou des retours à la ligne."))
	e.Addresses.OnChanged = func(string) { e.Invite.Disable() }
	e.Check = &widget.Button{Text: lang.X("enrol.check", "Vérifier les adresses"), Icon: theme.SearchIcon(), OnTapped: e.onCheck}
	e.Preview = widget.NewLabel("")
	e.Preview.Wrapping = fyne.TextWrapWord
	e.Invite = &widget.Button{Text: lang.X("enrol.invite", "Inviter dans la session"), Icon: theme.MailSendIcon(),
		Importance: widget.HighImportance, OnTapped: e.onInvite}
	e.Invite.Disable()
	both := container.NewVSplit(e.Addresses, container.NewVScroll(e.Preview))
	both.Offset = 0.4
	fresh := container.NewBorder(nil, container.NewHBox(e.Check, layout.NewSpacer(), e.Invite), nil, nil, both)

	e.Tabs = container.NewAppTabs(
		container.NewTabItem(lang.X("enrol.tab.existing", "Utilisateurs existants"), existing),
		container.NewTabItem(lang.X("enrol.tab.new", "Nouvelles adresses"), fresh))
	closeBtn := &widget.Button{Text: lang.X("dialog.close", "Fermer")}
	content := container.NewBorder(e.When, container.NewVBox(e.Result, container.NewHBox(layout.NewSpacer(), closeBtn)), nil, nil, e.Tabs)
	d := dialog.NewCustomWithoutButtons(lang.X("enrol.title", "Ajouter des apprenants à «\u00a0{{.Session}}\u00a0»", map[string]any{"Session": ss.Name}), content, s.w)
	e.Dialog = d
	closeBtn.OnTapped = d.Hide
	e.Search.OnEscape = d.Hide
	withKeys(s.w, d, nil)
	size := s.w.Canvas().Size()
	d.Resize(fyne.NewSize(min(760, size.Width-40), min(620, size.Height-40)))
	e.showCount()
	e.pager.reset("")
	return e
}

func (e *EnrolDialog) setChecked(id int64, on bool) {
	if on {
		e.Checked[id] = true
	} else {
		delete(e.Checked, id)
	}
	e.showCount()
}

func (e *EnrolDialog) showCount() {
	n := len(e.Checked)
	found := lang.XN("enrol.found", "{{.N}} utilisateurs", e.pager.Len(), count(e.pager.Len()))
	e.Count.SetText(found + " · " + lang.XN("enrol.ticked", "{{.N}} cochés", n, count(n)))
	if n == 0 {
		e.Enrol.SetText(lang.X("enrol.enrol.none", "Inscrire"))
		e.Enrol.Disable()
		return
	}
	e.Enrol.SetText(lang.XN("enrol.enrol", "Inscrire {{.N}} personnes", n, count(n)))
	e.Enrol.Enable()
}

func (e *EnrolDialog) onEnrol() {
	ids := make([]int64, 0, len(e.Checked))
	for id := range e.Checked {
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return
	}
	e.Enrol.Disable()
	var n int
	runAsync(e.s.w, func() error {
		ctx := context.Background()
		m, err := e.s.mailer(ctx)
		if err != nil {
			return err
		}
		n, err = e.s.st.EnrolUsers(ctx, e.session.ID, ids, m)
		return err
	}, func(err error) {
		if err != nil {
			e.showCount()
			return
		}
		for _, id := range ids {
			e.members[id] = true
		}
		e.Checked = map[int64]bool{}
		e.showCount()
		e.Users.Refresh()
		e.Result.Show()
		e.Result.SetText(lang.XN("enrol.done", "{{.N}} personnes inscrites à la session.", n, count(n)))
		e.s.changed()
	})
}

func (e *EnrolDialog) request() core.InviteRequest {
	return core.InviteRequest{Addresses: []string{e.Addresses.Text}, SessionID: e.session.ID}
}

func (e *EnrolDialog) onCheck() {
	text := e.Addresses.Text
	if strings.TrimSpace(text) == "" {
		e.Preview.SetText(lang.X("enrol.addresses.empty", "Collez d'abord au moins une adresse e-mail."))
		return
	}
	req := e.request()
	var p core.InvitePreview
	runAsync(e.s.w, func() error {
		var err error
		p, err = e.s.st.PreviewInvite(context.Background(), req)
		return err
	}, func(err error) {
		if err != nil {
			return
		}
		e.checked = text
		e.Preview.SetText(previewText(p))
		if len(p.New)+len(p.Resend)+len(p.Accounts) > 0 {
			e.Invite.Enable()
		} else {
			e.Invite.Disable()
		}
	})
}

// previewText says what inviting the pasted addresses into the session will do.
func previewText(p core.InvitePreview) string {
	var lines []string
	if n := len(p.New); n > 0 {
		lines = append(lines, lang.XN("enrol.preview.new", "{{.N}} nouvelles adresses seront invitées.", n, count(n)))
	}
	if n := len(p.Resend); n > 0 {
		lines = append(lines, lang.XN("enrol.preview.resend", "{{.N}} adresses déjà invitées recevront l'invitation de la session.", n, count(n)))
	}
	if n := len(p.Accounts); n > 0 {
		lines = append(lines, lang.XN("enrol.preview.accounts", "{{.N}} adresses ont déjà un compte\u00a0: ces personnes seront inscrites.", n, count(n)))
	}
	if n := len(p.Invalid); n > 0 {
		lines = append(lines, lang.XN("enrol.preview.invalid", "{{.N}} entrées ne sont pas des adresses et seront laissées de côté\u00a0:", n, count(n)))
		for i, inv := range p.Invalid {
			if i == 10 {
				lines = append(lines, "…")
				break
			}
			lines = append(lines, "  · "+inv.Reason)
		}
	}
	if len(lines) == 0 {
		return lang.X("enrol.preview.nothing", "Aucune adresse à inviter.")
	}
	return strings.Join(lines, "\n")
}

func (e *EnrolDialog) onInvite() {
	if e.Addresses.Text != e.checked {
		e.onCheck()
		return
	}
	req := e.request()
	e.Invite.Disable()
	var res core.InviteResult
	runAsync(e.s.w, func() error {
		ctx := context.Background()
		m, err := e.s.mailer(ctx)
		if err != nil {
			return err
		}
		res, err = e.s.st.Invite(ctx, req, m)
		return err
	}, func(err error) {
		if err != nil {
			e.Invite.Enable()
			return
		}
		n := res.Invited + res.Resent + res.Enrolled
		e.Addresses.SetText("")
		e.Preview.SetText("")
		e.Invite.Disable()
		e.Result.Show()
		e.Result.SetText(lang.XN("enrol.invited", "{{.N}} personnes invitées dans la session.", n, count(n)))
		e.s.changed()
	})
}
