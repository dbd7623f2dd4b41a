package gui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"convive/core"
)

// ShowChangeEmail asks for the new address of the user on display in the detail
// panel, explaining what will happen, then changes it and shows the result; the
// change shows in the Historique tab.
func (mw *MainWindow) ShowChangeEmail(u core.User) {
	if mw.inv == nil || u.ID == 0 {
		return
	}
	explain := lang.X("email.change.active", "Le compte est actif : l'adresse est changée sur place, et les e-mails en attente partiront vers la nouvelle adresse.")
	if u.Status == core.StatusInvited {
		explain = lang.X("email.change.invited", "L'invitation n'est pas encore acceptée : elle est annulée et une nouvelle invitation part vers la nouvelle adresse.")
	}
	entry := NewEntry()
	entry.SetPlaceHolder("prenom.nom@exemple.fr")
	msg := wrapLabel(lang.X("email.change.current", "Adresse actuelle : {{.Login}}", map[string]any{"Login": u.Login}) + "\n" + explain)
	errLabel := wrapLabel("")
	errLabel.Importance = widget.DangerImportance
	errLabel.Hide()
	var d *dialog.FormDialog
	d = dialog.NewForm(lang.X("email.change.title", "Modifier l'e-mail"), lang.X("email.change.confirm", "Modifier l'e-mail"),
		lang.X("dialog.cancel", "Annuler"),
		[]*widget.FormItem{
			widget.NewFormItem("", msg),
			widget.NewFormItem(lang.X("email.change.new", "Nouvelle adresse"), entry),
			widget.NewFormItem("", errLabel),
		}, func(ok bool) {
			if ok {
				mw.changeEmailAsync(u, strings.TrimSpace(entry.Text), d, errLabel)
			}
		}, mw.Window)
	entry.OnSubmitted = func(string) { d.Submit() }
	entry.OnEscape = d.Dismiss
	d.Resize(fyne.NewSize(min(560, mw.Window.Canvas().Size().Width-40), d.MinSize().Height))
	mw.EmailEntry = entry
	mw.emailDialog = d
	d.Show()
	mw.Window.Canvas().Focus(entry)
}

func (mw *MainWindow) changeEmailAsync(u core.User, newLogin string, d *dialog.FormDialog, errLabel *widget.Label) {
	var ch core.EmailChange
	go func() {
		ctx, cancel := workContext()
		defer cancel()
		m, err := newMailer(ctx, mw.inv)
		if err == nil {
			ch, err = mw.inv.ChangeEmail(ctx, u.ID, newLogin, m)
		}
		doUI(func() {
			if err != nil {
				// The form closed on its button: show it again with the reason.
				errLabel.SetText(errorText(err))
				errLabel.Show()
				d.Show()
				return
			}
			mw.invitationsChanged()
			mw.Users.Detail.loadAsync(u.ID)
			mw.Users.Detail.Tabs.SelectIndex(1)
			data := map[string]any{"Old": u.Login, "New": ch.User.Login}
			text := lang.X("email.changed.active", "L'adresse de {{.Old}} est maintenant {{.New}}.", data)
			if ch.Reinvited {
				text = lang.X("email.changed.invited", "L'invitation de {{.Old}} est annulée ; une nouvelle invitation à {{.New}} attend dans la boîte d'envoi.", data)
			} else if ch.MessagesMoved > 0 {
				text += "\n" + lang.XN("email.changed.moved", "{{.N}} e-mails en attente partiront vers la nouvelle adresse.", ch.MessagesMoved, count(ch.MessagesMoved))
			}
			mw.notify(text)
		})
	}()
}

// ShowPasswordReset asks before queuing a reset mail for the user on display.
func (mw *MainWindow) ShowPasswordReset(u core.User) {
	if mw.inv == nil || u.ID == 0 {
		return
	}
	q := lang.X("reset.question", "Envoyer à {{.Email}} un lien pour choisir un nouveau mot de passe ? Convive ne connaît pas les mots de passe : c'est le seul moyen de retrouver l'accès.",
		map[string]any{"Email": u.Email})
	d := dialog.NewConfirm(lang.X("reset.title", "Envoyer un lien de réinitialisation"), q, func(ok bool) {
		if ok {
			mw.resetAsync(u)
		}
	}, mw.Window)
	d.SetConfirmText(lang.X("reset.confirm", "Envoyer le lien"))
	d.SetDismissText(lang.X("dialog.cancel", "Annuler"))
	withKeys(mw.Window, d, d.Confirm)
	mw.lastConfirm = d
	d.Show()
}

func (mw *MainWindow) resetAsync(u core.User) {
	runAsync(mw.Window, func() error {
		ctx, cancel := workContext()
		defer cancel()
		m, err := newMailer(ctx, mw.inv)
		if err != nil {
			return err
		}
		_, err = mw.inv.QueuePasswordReset(ctx, u.ID, m)
		return err
	}, func(err error) {
		if err != nil {
			return
		}
		mw.invitationsChanged()
		mw.Users.Detail.loadAsync(u.ID)
		mw.Users.Detail.Tabs.SelectIndex(1)
		mw.notify(lang.X("reset.done", "Le lien de réinitialisation pour {{.Email}} attend dans la boîte d'envoi.", map[string]any{"Email": u.Email}))
	})
}
