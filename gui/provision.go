package gui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"convive/core"
)

// ProvisionDialog is Paramétrer un compte: the account is created at once, in its
// groups, with an optional welcome mail carrying a one-time link.
type ProvisionDialog struct {
	Email, FirstName, LastName *Entry
	Language, Role             *widget.Select
	Groups                     *widget.CheckGroup
	// Welcome queues the welcome mail; ticked by default.
	Welcome *widget.Check
	// EmailError, NameError and Error show the service's French message by the field
	// it is about.
	EmailError, FirstNameError, LastNameError, Error *widget.Label
	Create, Close                                    *widget.Button

	groups *subgroupChoice
	dlg    *dialog.CustomDialog
	mw     *MainWindow
}

// ShowProvisionDialog opens Paramétrer un compte; groupID, when not 0, is ticked.
func (mw *MainWindow) ShowProvisionDialog(groupID int64) {
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
			mw.ProvisionDialog = newProvisionDialog(mw, groups, groupID)
			mw.ProvisionDialog.dlg.Show()
			mw.Window.Canvas().Focus(mw.ProvisionDialog.Email)
		}
	})
}

func newProvisionDialog(mw *MainWindow, groups []core.Group, groupID int64) *ProvisionDialog {
	d := &ProvisionDialog{mw: mw}
	d.Email, d.FirstName, d.LastName = NewEntry(), NewEntry(), NewEntry()
	d.Email.SetPlaceHolder("prenom.nom@exemple.fr")
	for _, e := range []*Entry{d.Email, d.FirstName, d.LastName} {
		e.OnSubmitted = func(string) { d.onCreate() }
		e.OnEscape = func() { d.dlg.Hide() }
	}
	d.Language = languageSelect()
	roles := make([]string, len(core.Roles))
	for i, r := range core.Roles {
		roles[i] = roleLabel(r)
	}
	d.Role = widget.NewSelect(roles, nil)
	d.Role.SetSelectedIndex(0)
	d.groups = newSubgroupChoice(groups, groupID)
	d.Groups = d.groups.check
	d.Welcome = widget.NewCheck(lang.X("provision.welcome", "Envoyer un e-mail de bienvenue"), nil)
	d.Welcome.SetChecked(true)
	fieldError := func() *widget.Label {
		l := wrapLabel("")
		l.Importance = widget.DangerImportance
		l.Hide()
		return l
	}
	d.EmailError, d.FirstNameError, d.LastNameError, d.Error = fieldError(), fieldError(), fieldError(), fieldError()
	d.Create = &widget.Button{Text: lang.X("provision.create", "Créer le compte"), Icon: theme.ContentAddIcon(),
		Importance: widget.HighImportance, OnTapped: d.onCreate}
	d.Close = &widget.Button{Text: lang.X("dialog.cancel", "Annuler"), OnTapped: func() { d.dlg.Hide() }}
	welcomeHelp := wrapLabel(lang.X("provision.welcome.help", "Le message contient un lien à usage unique pour choisir un mot de passe ; Convive ne connaît jamais le mot de passe."))
	welcomeHelp.Importance = widget.LowImportance

	form := widget.NewForm(
		widget.NewFormItem(lang.X("provision.email", "E-mail"), container.NewVBox(d.Email, d.EmailError)),
		widget.NewFormItem(lang.X("user.first_name", "Prénom"), container.NewVBox(d.FirstName, d.FirstNameError)),
		widget.NewFormItem(lang.X("user.last_name", "Nom"), container.NewVBox(d.LastName, d.LastNameError)),
		widget.NewFormItem(lang.X("user.language", "Langue"), d.Language),
		widget.NewFormItem(lang.X("user.role", "Rôle"), d.Role),
		widget.NewFormItem(lang.X("invite.groups", "Groupes"), d.groups.view()),
	)
	content := container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), d.Close, d.Create), nil, nil,
		container.NewVScroll(container.NewVBox(form, d.Welcome, welcomeHelp, d.Error)))
	d.dlg = dialog.NewCustomWithoutButtons(lang.X("provision.title", "Paramétrer un compte"), content, mw.Window)
	d.dlg.Resize(dialogSize(mw.Window, 600, 620))
	withKeys(mw.Window, d.dlg, nil)
	return d
}

func (d *ProvisionDialog) onCreate() {
	for _, l := range []*widget.Label{d.EmailError, d.FirstNameError, d.LastNameError, d.Error} {
		l.Hide()
	}
	n := core.NewUser{
		Login:     strings.TrimSpace(d.Email.Text),
		FirstName: d.FirstName.Text,
		LastName:  d.LastName.Text,
		Language:  selectedLanguage(d.Language),
		Role:      core.Roles[max(d.Role.SelectedIndex(), 0)],
		Status:    core.StatusActive,
		GroupIDs:  d.groups.selectedIDs(),
	}
	welcome := d.Welcome.Checked
	d.Create.Disable()
	var u core.User
	st := d.mw.inv
	go func() {
		ctx, cancel := workContext()
		defer cancel()
		m, err := newMailer(ctx, st)
		if err == nil {
			u, err = st.Provision(ctx, n, welcome, m)
		}
		doUI(func() {
			d.Create.Enable()
			if err != nil {
				d.showError(err)
				return
			}
			d.dlg.Hide()
			d.mw.invitationsChanged()
			msg := lang.X("provision.done", "Le compte de {{.Name}} ({{.Login}}) est créé.", map[string]any{"Name": u.FullName(), "Login": u.Login})
			if welcome {
				msg += "\n" + lang.X("provision.done.welcome", "L'e-mail de bienvenue attend dans la boîte d'envoi.")
			}
			info := dialog.NewInformation(lang.X("provision.done.title", "Compte créé"), msg, d.mw.Window)
			withKeys(d.mw.Window, info, nil)
			info.Show()
		})
	}()
}

// showError puts the service's sentence under the field it is about.
func (d *ProvisionDialog) showError(err error) {
	target := d.Error
	var e *core.Error
	if errors.As(err, &e) {
		switch {
		case strings.HasPrefix(e.Key, "address.") || e.Key == "user.login_taken":
			target = d.EmailError
		case e.Key == "user.name_long" && e.Data["Field"] == "prénom":
			target = d.FirstNameError
		case e.Key == "user.name_long":
			target = d.LastNameError
		}
	}
	target.SetText(errorText(err))
	target.Show()
	if target == d.EmailError {
		d.mw.Window.Canvas().Focus(d.Email)
	}
}
