package gui

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"convive/core"
)

// UserDetail is the panel beside the Utilisateurs table: it shows the selected user,
// lets the manager change names, language, role and groups, and lists the changes
// recorded for the user.
type UserDetail struct {
	// Name is the panel's heading, the person's full name.
	Name *widget.Label
	// Login, Email (shown for an alias only), Status, Created and Updated are read-only.
	Login, Email, Status, Created, Updated *widget.Label
	FirstName, LastName                    *Entry
	// Language offers Français and Anglais; Role offers Apprenant, Formateur, Administrateur.
	Language, Role *widget.Select
	// Groups has one box per subgroup, labelled by path.
	Groups   *widget.CheckGroup
	NoGroups *widget.Label
	// Save writes the changes; Saved confirms it.
	Save  *widget.Button
	Saved *widget.Label
	// History lists the recorded changes, newest first, in the second tab of Tabs.
	History *fyne.Container
	Tabs    *container.AppTabs
	// Close hides the panel.
	Close *widget.Button
	// ChangeEmail and ResetPassword open Modifier l'e-mail and Envoyer un lien de
	// réinitialisation; they show when the window offers invitations.
	ChangeEmail, ResetPassword *widget.Button
	onChangeEmail, onReset     func(core.User)

	user     core.User
	groupIDs map[string]int64 // path → id of every subgroup offered
	gen      int
	box      *fyne.Container
	w        fyne.Window
	st       UsersService
	onSaved  func(core.User)
}

func newUserDetail(w fyne.Window, st UsersService, onSaved func(core.User)) *UserDetail {
	d := &UserDetail{w: w, st: st, onSaved: onSaved}
	d.Name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.Name.Wrapping = fyne.TextWrapWord
	selectable := func() *widget.Label {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapBreak
		l.Selectable = true
		return l
	}
	d.Login, d.Email = selectable(), selectable()
	d.Status, d.Created, d.Updated = widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel("")
	d.FirstName, d.LastName = NewEntry(), NewEntry()
	d.FirstName.OnSubmitted = func(string) { d.saveAsync() }
	d.LastName.OnSubmitted = func(string) { d.saveAsync() }

	langs := make([]string, len(core.Languages))
	for i, l := range core.Languages {
		langs[i] = languageLabel(l)
	}
	d.Language = widget.NewSelect(langs, nil)
	roles := make([]string, len(core.Roles))
	for i, r := range core.Roles {
		roles[i] = roleLabel(r)
	}
	d.Role = widget.NewSelect(roles, nil)

	d.Groups = widget.NewCheckGroup(nil, nil)
	d.NoGroups = widget.NewLabel(lang.X("user.groups.none", "Aucun sous-groupe pour l'instant : créez-en dans l'écran Groupes."))
	d.NoGroups.Wrapping = fyne.TextWrapWord
	d.NoGroups.Importance = widget.LowImportance

	d.Save = &widget.Button{Text: lang.X("user.save", "Enregistrer"), Icon: theme.DocumentSaveIcon(),
		Importance: widget.HighImportance, OnTapped: d.saveAsync}
	d.Saved = widget.NewLabel("")
	d.Saved.Importance = widget.SuccessImportance
	d.Close = &widget.Button{Icon: theme.CancelIcon(), Importance: widget.LowImportance, OnTapped: func() { d.box.Hide() }}
	d.History = container.NewVBox()

	form := widget.NewForm(
		widget.NewFormItem(lang.X("user.first_name", "Prénom"), d.FirstName),
		widget.NewFormItem(lang.X("user.last_name", "Nom"), d.LastName),
		widget.NewFormItem(lang.X("user.language", "Langue"), d.Language),
		widget.NewFormItem(lang.X("user.role", "Rôle"), d.Role),
		widget.NewFormItem(lang.X("user.status", "Statut"), d.Status),
		widget.NewFormItem(lang.X("user.created", "Créé le"), d.Created),
		widget.NewFormItem(lang.X("user.updated", "Modifié le"), d.Updated),
	)
	groupsTitle := widget.NewLabelWithStyle(lang.X("user.groups", "Groupes"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.Tabs = container.NewAppTabs(
		container.NewTabItem(lang.X("user.tab.record", "Fiche"), container.NewVScroll(container.NewVBox(
			form, groupsTitle, d.NoGroups, d.Groups))),
		container.NewTabItem(lang.X("user.history", "Historique"), container.NewVScroll(d.History)),
	)
	// The login is written in full under the name, across the panel, since it is what
	// people look for; the delivery address only differs for a "#" alias.
	head := container.NewVBox(container.NewBorder(nil, nil, nil, d.Close, d.Name), d.Login, d.Email)
	d.ChangeEmail = &widget.Button{Text: lang.X("user.change_email", "Modifier l'e-mail"), Icon: theme.MailComposeIcon(),
		Alignment: widget.ButtonAlignLeading, OnTapped: func() {
			if d.onChangeEmail != nil {
				d.onChangeEmail(d.user)
			}
		}}
	d.ResetPassword = &widget.Button{Text: lang.X("user.reset", "Envoyer un lien de réinitialisation"), Icon: theme.MailSendIcon(),
		Alignment: widget.ButtonAlignLeading, OnTapped: func() {
			if d.onReset != nil {
				d.onReset(d.user)
			}
		}}
	d.ChangeEmail.Hide()
	d.ResetPassword.Hide()
	foot := container.NewVBox(widget.NewSeparator(), container.NewHBox(d.Save, d.Saved), d.ChangeEmail, d.ResetPassword)
	d.box = container.NewBorder(nil, nil, widget.NewSeparator(), nil,
		container.New(&minWidth{w: 360}, container.NewBorder(head, foot, nil, nil, d.Tabs)))
	return d
}

// loadAsync fills the panel with user id, its groups and its history.
func (d *UserDetail) loadAsync(id int64) {
	d.gen++
	gen := d.gen
	var (
		u       core.User
		mine    []int64
		groups  []core.Group
		entries []core.AuditEntry
	)
	runAsync(d.w, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		if u, err = d.st.User(ctx, id); err != nil {
			return err
		}
		if mine, err = d.st.UserGroupIDs(ctx, id); err != nil {
			return err
		}
		if groups, err = d.st.Groups(ctx); err != nil {
			return err
		}
		entries, err = d.st.Audit(ctx, "user", id)
		return err
	}, func(err error) {
		if gen != d.gen {
			return
		}
		if err == nil {
			d.fill(u, mine, groups, entries)
		}
	})
}

func (d *UserDetail) fill(u core.User, mine []int64, groups []core.Group, entries []core.AuditEntry) {
	d.user = u
	d.Name.SetText(u.FullName())
	d.Login.SetText(u.Login)
	if u.Email != u.Login {
		d.Email.SetText(lang.X("user.email", "Envoi des e-mails à {{.Email}}", map[string]any{"Email": u.Email}))
		d.Email.Show()
	} else {
		d.Email.SetText("")
		d.Email.Hide()
	}
	d.Status.SetText(statusLabel(u.Status))
	d.Status.Importance = statusImportance(u.Status)
	d.Status.Refresh()
	d.Created.SetText(formatDate(u.Created))
	d.Updated.SetText(formatDate(u.Updated))
	d.FirstName.SetText(u.FirstName)
	d.LastName.SetText(u.LastName)
	d.Language.SetSelectedIndex(indexOf(core.Languages, u.Language))
	d.Role.SetSelectedIndex(indexOf(core.Roles, u.Role))
	d.Saved.SetText("")
	visible(d.ChangeEmail, d.onChangeEmail != nil)
	visible(d.ResetPassword, d.onReset != nil)

	d.groupIDs = map[string]int64{}
	var options []string
	for _, g := range groups {
		if g.IsRoot() {
			continue
		}
		options = append(options, g.Path)
		d.groupIDs[g.Path] = g.ID
	}
	in := map[int64]bool{}
	for _, id := range mine {
		in[id] = true
	}
	var selected []string
	for _, p := range options {
		if in[d.groupIDs[p]] {
			selected = append(selected, p)
		}
	}
	d.Groups.Options = options
	d.Groups.Selected = selected
	d.Groups.Refresh()
	if len(options) == 0 {
		d.NoGroups.Show()
	} else {
		d.NoGroups.Hide()
	}
	d.setHistory(entries)
}

func (d *UserDetail) setHistory(entries []core.AuditEntry) {
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].At.After(entries[j].At) })
	if len(entries) > 50 {
		entries = entries[:50]
	}
	d.History.RemoveAll()
	if len(entries) == 0 {
		d.History.Add(widget.NewLabel(lang.X("user.history.none", "Aucune modification enregistrée.")))
	}
	for _, e := range entries {
		l := widget.NewLabel(auditText(e))
		l.Wrapping = fyne.TextWrapWord
		d.History.Add(l)
	}
}

// saveAsync writes names, language, role and groups of the user on display.
func (d *UserDetail) saveAsync() {
	if d.user.ID == 0 {
		return
	}
	first, last := d.FirstName.Text, d.LastName.Text
	upd := core.UserUpdate{FirstName: &first, LastName: &last}
	if i := d.Language.SelectedIndex(); i >= 0 {
		l := core.Languages[i]
		upd.Language = &l
	}
	if i := d.Role.SelectedIndex(); i >= 0 {
		r := core.Roles[i]
		upd.Role = &r
	}
	ids := []int64{}
	for _, p := range d.Groups.Selected {
		if id, ok := d.groupIDs[p]; ok {
			ids = append(ids, id)
		}
	}
	upd.GroupIDs = &ids
	id := d.user.ID
	d.Save.Disable()
	var saved core.User
	var entries []core.AuditEntry
	runAsync(d.w, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		if saved, err = d.st.UpdateUser(ctx, id, upd); err != nil {
			return err
		}
		entries, err = d.st.Audit(ctx, "user", id)
		return err
	}, func(err error) {
		d.Save.Enable()
		if err != nil || d.user.ID != id {
			return
		}
		d.user = saved
		d.Name.SetText(saved.FullName())
		d.FirstName.SetText(saved.FirstName)
		d.LastName.SetText(saved.LastName)
		d.Updated.SetText(formatDate(saved.Updated))
		d.setHistory(entries)
		d.Saved.SetText(lang.X("user.saved", "Modifications enregistrées."))
		if d.onSaved != nil {
			d.onSaved(saved)
		}
	})
}

// UserID is the user on display, 0 when none.
func (d *UserDetail) UserID() int64 { return d.user.ID }

func indexOf[T comparable](list []T, v T) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return 0
}

func languageLabel(l core.Language) string {
	if l == core.LangEN {
		return lang.X("language.en", "Anglais")
	}
	return lang.X("language.fr", "Français")
}

func roleLabel(r core.Role) string {
	switch r {
	case core.RoleCoach:
		return lang.X("role.coach", "Formateur")
	case core.RoleAdmin:
		return lang.X("role.admin", "Administrateur")
	default:
		return lang.X("role.learner", "Apprenant")
	}
}

// auditText describes one recorded change in a sentence: when, what, by whom.
func auditText(e core.AuditEntry) string {
	data := map[string]any{"At": formatDate(e.At), "Who": e.Who, "Group": auditGroup(e.Detail)}
	switch e.Action {
	case "user.create":
		if e.BatchID != 0 {
			data["Batch"] = e.BatchID
			return lang.X("audit.user.create.import", "{{.At}} · import n° {{.Batch}} : fiche créée par {{.Who}}", data)
		}
		return lang.X("audit.user.create", "{{.At}} · fiche créée par {{.Who}}", data)
	case "user.update":
		if fields := auditFields(e.Detail); fields != "" {
			data["Fields"] = fields
			return lang.X("audit.user.update.fields", "{{.At}} · fiche modifiée par {{.Who}} : {{.Fields}}", data)
		}
		return lang.X("audit.user.update", "{{.At}} · fiche modifiée par {{.Who}}", data)
	case "user.invite", "invitation.create":
		return lang.X("audit.user.invite", "{{.At}} · invité par e-mail par {{.Who}}", data)
	case "user.set_email":
		data["Old"], data["New"] = auditLogins(e.Detail)
		return lang.X("audit.user.set_email", "{{.At}} · e-mail changé de {{.Old}} en {{.New}} par {{.Who}}", data)
	case "invitation.resend":
		return lang.X("audit.invitation.resend", "{{.At}} · invitation renvoyée par {{.Who}}", data)
	case "invitation.cancel":
		return lang.X("audit.invitation.cancel", "{{.At}} · invitation annulée par {{.Who}}", data)
	case "invitation.accept":
		return lang.X("audit.invitation.accept", "{{.At}} · invitation marquée comme acceptée par {{.Who}}", data)
	case "user.reset_password":
		return lang.X("audit.user.reset_password", "{{.At}} · lien de réinitialisation du mot de passe préparé par {{.Who}}", data)
	case "membership.add":
		return lang.X("audit.membership.add", "{{.At}} · ajouté au groupe « {{.Group}} » par {{.Who}}", data)
	case "membership.remove":
		return lang.X("audit.membership.remove", "{{.At}} · retiré du groupe « {{.Group}} » par {{.Who}}", data)
	default:
		return lang.X("audit.other", "{{.At}} · modification enregistrée par {{.Who}}", data)
	}
}

// auditLogins reads the old and new login of an e-mail change.
func auditLogins(detail string) (oldLogin, newLogin string) {
	var v struct {
		Before, After struct {
			Login string `json:"login"`
		}
	}
	if json.Unmarshal([]byte(detail), &v) != nil {
		return "", ""
	}
	return v.Before.Login, v.After.Login
}

// auditGroup reads the group path out of a membership change, "" when there is none.
func auditGroup(detail string) string {
	var v struct {
		Group string `json:"group"`
	}
	if json.Unmarshal([]byte(detail), &v) != nil {
		return ""
	}
	return v.Group
}

// auditFields names the fields a user change touched, in the order of the form:
// "prénom, nom, groupes".
func auditFields(detail string) string {
	var v struct {
		After map[string]json.RawMessage `json:"after"`
	}
	if json.Unmarshal([]byte(detail), &v) != nil {
		return ""
	}
	var names []string
	for _, f := range []struct{ key, name string }{
		{"first_name", lang.X("audit.field.first_name", "prénom")},
		{"last_name", lang.X("audit.field.last_name", "nom")},
		{"language", lang.X("audit.field.language", "langue")},
		{"role", lang.X("audit.field.role", "rôle")},
		{"status", lang.X("audit.field.status", "statut")},
		{"groups", lang.X("audit.field.groups", "groupes")},
	} {
		if _, ok := v.After[f.key]; ok {
			names = append(names, f.name)
		}
	}
	return strings.Join(names, ", ")
}
