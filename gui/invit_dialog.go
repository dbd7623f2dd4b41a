package gui

import (
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

// InviteDialog is Inviter par e-mail: addresses pasted in any mix of separators, the
// groups and the language of the mail, a preview sorting the addresses (new, already
// invited, already an account with its "#" alias, invalid, duplicates), then one
// button that invites the valid ones.
type InviteDialog struct {
	// Addresses takes the pasted list.
	Addresses *Entry
	// Groups has one box per subgroup; Language is the language of the mail.
	Groups   *widget.CheckGroup
	Language *widget.Select
	// Check asks for the preview; Preview lists it, Summary sums it up.
	Check   *widget.Button
	Preview *lineList
	Summary *widget.Label
	// AliasAll ticks the "#" alias of every address that is already an account.
	AliasAll *widget.Check
	// Confirm invites (« Inviter 12 personnes »); Close leaves without inviting.
	Confirm *widget.Button
	Close   *widget.Button

	groups  *subgroupChoice
	preview core.InvitePreview
	aliases []bool // per account of the preview: invite under the alias
	checked string // the text the preview is about
	dlg     *dialog.CustomDialog
	mw      *MainWindow
	st      InviteService
}

// ShowInviteDialog opens Inviter par e-mail; groupID, when not 0, is ticked already.
func (mw *MainWindow) ShowInviteDialog(groupID int64) {
	if mw.inv == nil {
		return
	}
	var groups []core.Group
	runAsync(mw.Window, func() error {
		ctx, cancel := workContext()
		defer cancel()
		var err error
		groups, err = mw.inv.Groups(ctx)
		return err
	}, func(err error) {
		if err == nil {
			mw.InviteDialog = newInviteDialog(mw, groups, groupID)
			mw.InviteDialog.dlg.Show()
			mw.Window.Canvas().Focus(mw.InviteDialog.Addresses)
		}
	})
}

func newInviteDialog(mw *MainWindow, groups []core.Group, groupID int64) *InviteDialog {
	d := &InviteDialog{mw: mw, st: mw.inv}
	d.Addresses = NewEntry()
	d.Addresses.MultiLine = true
	d.Addresses.OnEscape = func() { d.dlg.Hide() }
	d.Addresses.Wrapping = fyne.TextWrapWord
	d.Addresses.SetMinRowsVisible(3)
	d.Addresses.SetPlaceHolder(lang.X("invite.addresses.placeholder", "Collez ici une ou plusieurs adresses, séparées par des virgules, des points-virgules, des espaces ou des retours à la ligne."))
	d.Addresses.OnChanged = func(string) { d.updateConfirm() }
	d.groups = newSubgroupChoice(groups, groupID)
	d.Groups = d.groups.check
	d.Language = languageSelect()
	d.Check = &widget.Button{Text: lang.X("invite.check", "Vérifier"), Icon: theme.SearchIcon(), OnTapped: d.onCheck}
	d.Preview = newLineList()
	d.Summary = wrapLabel("")
	d.AliasAll = widget.NewCheck(lang.X("invite.alias.all", "Utiliser l'alias « # » pour toutes les adresses déjà utilisées"), d.onAliasAll)
	d.AliasAll.Hide()
	d.Confirm = &widget.Button{Text: lang.X("invite.confirm.none", "Inviter"), Icon: theme.MailSendIcon(),
		Importance: widget.HighImportance, OnTapped: d.onConfirm}
	d.Confirm.Disable()
	d.Close = &widget.Button{Text: lang.X("dialog.cancel", "Annuler"), OnTapped: func() { d.dlg.Hide() }}

	form := widget.NewForm(
		widget.NewFormItem(lang.X("invite.addresses", "Adresses"), d.Addresses),
		widget.NewFormItem(lang.X("invite.groups", "Groupes"), d.groups.view()),
		widget.NewFormItem(lang.X("invite.language", "Langue de l'e-mail"), d.Language),
	)
	top := container.NewVBox(form, container.NewHBox(d.Check), d.Summary, d.AliasAll)
	buttons := container.NewHBox(layout.NewSpacer(), d.Close, d.Confirm)
	content := container.NewBorder(top, buttons, nil, nil, d.Preview.list)
	d.dlg = dialog.NewCustomWithoutButtons(lang.X("invite.title", "Inviter par e-mail"), content, mw.Window)
	d.dlg.Resize(dialogSize(mw.Window, 720, 640))
	withKeys(mw.Window, d.dlg, nil)
	return d
}

// dialogSize is w×h, or less when the window is smaller.
func dialogSize(win fyne.Window, w, h float32) fyne.Size {
	s := win.Canvas().Size()
	if s.Width > 0 && w > s.Width-40 {
		w = s.Width - 40
	}
	if s.Height > 0 && h > s.Height-40 {
		h = s.Height - 40
	}
	return fyne.NewSize(w, h)
}

func (d *InviteDialog) request() core.InviteRequest {
	return core.InviteRequest{
		Addresses: entriesOf(d.Addresses.Text),
		GroupIDs:  d.groups.selectedIDs(),
		Language:  selectedLanguage(d.Language),
	}
}

// entriesOf splits a pasted list the way the services read it.
func entriesOf(text string) []string {
	var out []string
	for _, a := range core.ParseAddressList(text) {
		out = append(out, a.Input)
	}
	return out
}

func (d *InviteDialog) onCheck() {
	req := d.request()
	if len(req.Addresses) == 0 {
		d.Summary.SetText(lang.X("invite.addresses.empty", "Collez au moins une adresse e-mail, puis choisissez Vérifier."))
		d.Summary.Importance = widget.WarningImportance
		d.Summary.Refresh()
		return
	}
	text := d.Addresses.Text
	d.Check.Disable()
	var p core.InvitePreview
	runAsync(d.mw.Window, func() error {
		ctx, cancel := workContext()
		defer cancel()
		var err error
		p, err = d.st.PreviewInvite(ctx, req)
		return err
	}, func(err error) {
		d.Check.Enable()
		if err == nil {
			d.checked = text
			d.setPreview(p)
		}
	})
}

// setPreview lists the preview by category.
func (d *InviteDialog) setPreview(p core.InvitePreview) {
	d.preview = p
	d.aliases = make([]bool, len(p.Accounts))
	var lines []line
	head := func(text string, imp widget.Importance) {
		lines = append(lines, line{text: text, heading: true, importance: imp})
	}
	if n := len(p.New); n > 0 {
		head(lang.XN("invite.preview.new", "{{.N}} nouvelles adresses : une invitation chacune", n, count(n)), widget.SuccessImportance)
		for _, a := range p.New {
			lines = append(lines, line{text: a.Login})
		}
	}
	if n := len(p.Resend); n > 0 {
		head(lang.XN("invite.preview.resend", "{{.N}} adresses déjà invitées : l'invitation sera renvoyée", n, count(n)), widget.HighImportance)
		for _, r := range p.Resend {
			lines = append(lines, line{text: lang.X("invite.preview.resend.item", "{{.Login}} · invitée le {{.Date}}",
				map[string]any{"Login": r.Address.Login, "Date": formatDate(r.Created)})})
		}
	}
	if n := len(p.Accounts); n > 0 {
		head(lang.XN("invite.preview.accounts", "{{.N}} adresses sont déjà un compte : cochez celles à inviter sous leur alias « # »", n, count(n)), widget.WarningImportance)
		for i, a := range p.Accounts {
			where := a.User.FullName()
			if len(a.User.Groups) > 0 {
				where += " · " + strings.Join(a.User.Groups, ", ")
			}
			data := map[string]any{"Login": a.Address.Login, "Where": where, "Alias": a.Alias.Login}
			if a.AliasTaken || a.Alias.Login == "" {
				lines = append(lines, line{text: lang.X("invite.preview.account.noalias", "{{.Login}} · compte de {{.Where}} ; aucun alias libre", data)})
				continue
			}
			lines = append(lines, line{text: lang.X("invite.preview.account", "{{.Login}} · compte de {{.Where}}", data)})
			lines = append(lines, line{text: lang.X("invite.preview.alias", "Inviter sous l'alias {{.Alias}}", data),
				tick: &d.aliases[i], onTick: d.updateConfirm})
		}
	}
	if n := len(p.Invalid); n > 0 {
		head(lang.XN("invite.preview.invalid", "{{.N}} entrées ne sont pas des adresses (elles seront laissées de côté)", n, count(n)), widget.DangerImportance)
		for _, v := range p.Invalid {
			lines = append(lines, line{text: v.Reason})
		}
	}
	if n := len(p.Typos); n > 0 {
		head(lang.XN("invite.preview.typos", "{{.N}} adresses ont peut-être une faute de frappe : corrigez-les dans la liste si besoin", n, count(n)), widget.WarningImportance)
		for _, t := range p.Typos {
			lines = append(lines, line{text: lang.X("invite.preview.typo", "{{.Login}} : vouliez-vous dire {{.Suggestion}} ?",
				map[string]any{"Login": t.Address.Login, "Suggestion": t.Suggestion})})
		}
	}
	if n := len(p.Duplicates); n > 0 {
		head(lang.XN("invite.preview.duplicates", "{{.N}} adresses données plusieurs fois (gardées une fois)", n, count(n)), widget.MediumImportance)
		for _, v := range p.Duplicates {
			lines = append(lines, line{text: v})
		}
	}
	d.Preview.set(lines)
	d.AliasAll.OnChanged = nil
	d.AliasAll.SetChecked(false)
	d.AliasAll.OnChanged = d.onAliasAll
	visible(d.AliasAll, d.aliasable() > 1)
	d.updateConfirm()
}

// aliasable counts the accounts whose alias is free.
func (d *InviteDialog) aliasable() int {
	n := 0
	for _, a := range d.preview.Accounts {
		if !a.AliasTaken && a.Alias.Login != "" {
			n++
		}
	}
	return n
}

func (d *InviteDialog) onAliasAll(on bool) {
	for i, a := range d.preview.Accounts {
		if !a.AliasTaken && a.Alias.Login != "" {
			d.aliases[i] = on
		}
	}
	d.Preview.list.Refresh()
	d.updateConfirm()
}

// people counts who the confirmation invites: new addresses, re-sent invitations and
// the accounts invited under their alias.
func (d *InviteDialog) people() int {
	n := len(d.preview.New) + len(d.preview.Resend)
	for _, on := range d.aliases {
		if on {
			n++
		}
	}
	return n
}

func (d *InviteDialog) updateConfirm() {
	stale := d.checked != d.Addresses.Text
	n := d.people()
	switch {
	case stale && d.checked != "":
		d.Summary.SetText(lang.X("invite.stale", "La liste a changé : choisissez Vérifier à nouveau."))
		d.Summary.Importance = widget.WarningImportance
	case d.checked == "":
		d.Summary.SetText(lang.X("invite.hint", "Choisissez Vérifier : Convive vous montre ce qui sera fait avant d'inviter qui que ce soit."))
		d.Summary.Importance = widget.MediumImportance
	case n == 0:
		d.Summary.SetText(lang.X("invite.nobody", "Personne à inviter dans cette liste."))
		d.Summary.Importance = widget.WarningImportance
	default:
		d.Summary.SetText(lang.XN("invite.ready", "{{.N}} personnes recevront un e-mail d'invitation.", n, count(n)))
		d.Summary.Importance = widget.MediumImportance
	}
	d.Summary.Refresh()
	if n > 0 && !stale {
		d.Confirm.SetText(lang.XN("invite.confirm", "Inviter {{.N}} personnes", n, count(n)))
		d.Confirm.Enable()
	} else {
		d.Confirm.SetText(lang.X("invite.confirm.none", "Inviter"))
		d.Confirm.Disable()
	}
}

// finalRequest replaces each ticked account by its alias.
func (d *InviteDialog) finalRequest() core.InviteRequest {
	req := d.request()
	alias := map[string]string{}
	for i, a := range d.preview.Accounts {
		if d.aliases[i] {
			alias[a.Address.Key] = a.Alias.Login
		}
	}
	if len(alias) == 0 {
		return req
	}
	entries := make([]string, 0, len(req.Addresses))
	for _, a := range core.ParseAddressList(d.Addresses.Text) {
		if a.Err == nil {
			if l, ok := alias[a.Address.Key]; ok {
				entries = append(entries, l)
				continue
			}
		}
		entries = append(entries, a.Input)
	}
	req.Addresses = entries
	return req
}

func (d *InviteDialog) onConfirm() {
	req := d.finalRequest()
	d.Confirm.Disable()
	var res core.InviteResult
	runAsync(d.mw.Window, func() error {
		ctx, cancel := workContext()
		defer cancel()
		m, err := newMailer(ctx, d.st)
		if err != nil {
			return err
		}
		res, err = d.st.Invite(ctx, req, m)
		return err
	}, func(err error) {
		if err != nil {
			d.updateConfirm()
			return
		}
		d.dlg.Hide()
		d.mw.invitationsChanged()
		info := dialog.NewInformation(lang.X("invite.done.title", "Invitations préparées"), inviteSummary(res), d.mw.Window)
		withKeys(d.mw.Window, info, nil)
		info.Show()
	})
}

// inviteSummary says in sentences what an invitation did.
func inviteSummary(r core.InviteResult) string {
	var parts []string
	parts = append(parts, lang.XN("invite.done.invited", "{{.N}} invitations ajoutées à la boîte d'envoi.", r.Invited, count(r.Invited)))
	if r.Resent > 0 {
		parts = append(parts, lang.XN("invite.done.resent", "{{.N}} invitations renvoyées.", r.Resent, count(r.Resent)))
	}
	if n := len(r.AlreadyAccount); n > 0 {
		parts = append(parts, lang.XN("invite.done.accounts", "{{.N}} adresses déjà utilisées par un compte ont été laissées de côté.", n, count(n)))
	}
	if n := len(r.Invalid); n > 0 {
		parts = append(parts, lang.XN("invite.done.invalid", "{{.N}} entrées invalides ont été ignorées.", n, count(n)))
	}
	return strings.Join(parts, "\n")
}
