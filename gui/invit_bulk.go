package gui

import (
	"context"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"convive/core"
	"convive/core/sheet"
)

// bulkMode is what a BulkDialog does with the invitations of a list.
type bulkMode int

const (
	bulkCancel bulkMode = iota // Annuler plusieurs invitations
	bulkAccept                 // Rapprocher les comptes actifs
)

// BulkDialog cancels, or marks accepted, the invitations of a pasted list or of a
// file (every cell holding an "@"), after a preview in four lists.
type BulkDialog struct {
	// Addresses takes the pasted list; ChooseFile reads a spreadsheet or CSV file,
	// named in File.
	Addresses  *Entry
	ChooseFile *widget.Button
	File       *widget.Label
	// Check asks for the preview, listed in Preview.
	Check   *widget.Button
	Preview *lineList
	Summary *widget.Label
	// Confirm asks « Annuler 37 invitations ? » and then does it.
	Confirm *widget.Button
	Close   *widget.Button

	mode        bulkMode
	title       string
	fileEntries []string
	checked     string
	preview     core.CancelPreview
	dlg         *dialog.CustomDialog
	open        bool // shown: a file dropped on the window comes here
	mw          *MainWindow
	st          InviteService
}

func showBulkDialog(mw *MainWindow, mode bulkMode) *BulkDialog {
	d := &BulkDialog{mw: mw, st: mw.inv, mode: mode}
	d.Addresses = NewEntry()
	d.Addresses.MultiLine = true
	d.Addresses.OnEscape = func() { d.dlg.Hide() }
	d.Addresses.Wrapping = fyne.TextWrapWord
	d.Addresses.SetMinRowsVisible(3)
	d.Addresses.OnChanged = func(string) { d.updateConfirm() }
	title := lang.X("bulk.cancel.title", "Annuler plusieurs invitations")
	help := lang.X("bulk.cancel.help", "Collez les adresses dont l'invitation est à annuler, ou choisissez un fichier (.xlsx ou .csv) : chaque cellule qui contient une adresse compte. Rien n'est annulé avant votre confirmation.")
	if mode == bulkAccept {
		title = lang.X("bulk.accept.title", "Rapprocher les comptes actifs")
		help = lang.X("bulk.accept.help", "Collez la liste des comptes actifs de la plateforme, ou choisissez le fichier exporté (.xlsx ou .csv) : les invitations en attente de ces adresses seront marquées comme acceptées, après votre confirmation.")
	}
	d.Addresses.SetPlaceHolder(lang.X("bulk.placeholder", "Une adresse par ligne, ou séparées par des virgules, des points-virgules ou des espaces."))
	d.ChooseFile = &widget.Button{Text: lang.X("bulk.file", "Choisir un fichier…"), Icon: theme.FolderOpenIcon(), OnTapped: d.onChooseFile}
	d.File = widget.NewLabel("")
	d.File.Truncation = fyne.TextTruncateEllipsis
	d.Check = &widget.Button{Text: lang.X("invite.check", "Vérifier"), Icon: theme.SearchIcon(), OnTapped: d.onCheck}
	d.Preview = newLineList()
	d.Summary = wrapLabel("")
	d.Confirm = &widget.Button{Importance: widget.DangerImportance, OnTapped: d.onConfirm}
	if mode == bulkAccept {
		d.Confirm.Importance = widget.HighImportance
	}
	d.Close = &widget.Button{Text: lang.X("dialog.close", "Fermer"), OnTapped: func() { d.dlg.Hide() }}
	top := container.NewVBox(wrapLabel(help), d.Addresses,
		container.NewBorder(nil, nil, container.NewHBox(d.ChooseFile, d.Check), nil, d.File), d.Summary)
	content := container.NewBorder(top, container.NewHBox(layout.NewSpacer(), d.Close, d.Confirm), nil, nil, d.Preview.list)
	d.title = title
	d.dlg = dialog.NewCustomWithoutButtons(title, content, mw.Window)
	d.dlg.Resize(dialogSize(mw.Window, 700, 620))
	withKeys(mw.Window, d.dlg, nil)
	d.dlg.SetOnClosed(func() { d.open = false })
	d.updateConfirm()
	d.open = true
	d.dlg.Show()
	mw.Window.Canvas().Focus(d.Addresses)
	return d
}

func (d *BulkDialog) entries() []string {
	return append(entriesOf(d.Addresses.Text), d.fileEntries...)
}

func (d *BulkDialog) onChooseFile() {
	picker := d.mw.Picker
	d.readFileAsync(func() (string, error) {
		return picker.Open(lang.X("bulk.file.title", "Choisir la liste d'adresses"),
			FileFilter{Description: lang.X("invitations.export.filter", "Tableurs (.xlsx, .csv)"), Extensions: []string{".xlsx", ".csv"}})
	})
}

// OpenFile reads the addresses of the file at path, as Choisir un fichier… does, and
// shows the preview; a file dropped on the window while the dialog is open comes here.
func (d *BulkDialog) OpenFile(path string) {
	d.readFileAsync(func() (string, error) { return path, nil })
}

// readFileAsync reads the addresses of the file pick names ("" when none was chosen),
// off Fyne's goroutine, then shows the preview.
func (d *BulkDialog) readFileAsync(pick func() (string, error)) {
	var path string
	var found []string
	runAsync(d.mw.Window, func() error {
		var err error
		path, err = pick()
		if err != nil || path == "" {
			return err
		}
		found, err = addressesInFile(path)
		return err
	}, func(err error) {
		if err != nil || path == "" {
			return
		}
		d.fileEntries = found
		d.File.SetText(lang.XN("bulk.file.read", "{{.N}} adresses lues dans « {{.File}} »", len(found),
			map[string]any{"N": formatInt(len(found)), "File": filepath.Base(path)}))
		d.onCheck()
	})
}

// addressesInFile reads every cell holding an "@" in the first sheet of a file.
func addressesInFile(path string) ([]string, error) {
	wb, err := sheet.Open(path, sheet.Options{})
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	rows, err := wb.Rows(context.Background(), "")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		out = append(out, core.AddressesInCells(rows.Row().Cells)...)
	}
	return out, rows.Err()
}

// key is what the preview is about: the text and the file read.
func (d *BulkDialog) key() string {
	return d.Addresses.Text + "\x00" + d.File.Text
}

func (d *BulkDialog) onCheck() {
	entries := d.entries()
	if len(entries) == 0 {
		d.Summary.SetText(lang.X("bulk.empty", "Collez au moins une adresse ou choisissez un fichier, puis choisissez Vérifier."))
		return
	}
	key := d.key()
	preview := d.st.PreviewCancel
	if d.mode == bulkAccept {
		preview = d.st.PreviewAccept
	}
	var p core.CancelPreview
	d.Check.Disable()
	runAsync(d.mw.Window, func() error {
		ctx, cancel := workContext()
		defer cancel()
		var err error
		p, err = preview(ctx, entries)
		return err
	}, func(err error) {
		d.Check.Enable()
		if err == nil {
			d.checked = key
			d.setPreview(p)
		}
	})
}

func (d *BulkDialog) setPreview(p core.CancelPreview) {
	d.preview = p
	var lines []line
	head := func(text string, imp widget.Importance) {
		lines = append(lines, line{text: text, heading: true, importance: imp})
	}
	n := len(p.Cancel)
	if d.mode == bulkAccept {
		head(lang.XN("bulk.accept.will", "{{.N}} invitations seront marquées comme acceptées", n, count(n)), widget.SuccessImportance)
	} else {
		head(lang.XN("bulk.cancel.will", "{{.N}} invitations seront annulées", n, count(n)), widget.DangerImportance)
	}
	for _, inv := range p.Cancel {
		text := inv.Login
		if !inv.Created.IsZero() {
			text += " · " + lang.X("bulk.invited_on", "invitée le {{.Date}}", map[string]any{"Date": formatDate(inv.Created)})
		}
		lines = append(lines, line{text: text})
	}
	list := func(items []string, heading string, imp widget.Importance) {
		head(heading, imp)
		for _, s := range items {
			lines = append(lines, line{text: s})
		}
	}
	nf, aa, ac := len(p.NotFound), len(p.AlreadyAccepted), len(p.AlreadyCancelled)
	list(p.NotFound, lang.XN("bulk.not_found", "{{.N}} adresses introuvables (aucune invitation)", nf, count(nf)), widget.WarningImportance)
	list(p.AlreadyAccepted, lang.XN("bulk.already_accepted", "{{.N}} invitations déjà acceptées", aa, count(aa)), widget.MediumImportance)
	list(p.AlreadyCancelled, lang.XN("bulk.already_cancelled", "{{.N}} invitations déjà annulées", ac, count(ac)), widget.MediumImportance)
	if k := len(p.Invalid); k > 0 {
		head(lang.XN("bulk.invalid", "{{.N}} entrées ne sont pas des adresses", k, count(k)), widget.DangerImportance)
		for _, v := range p.Invalid {
			lines = append(lines, line{text: v.Reason})
		}
	}
	d.Preview.set(lines)
	d.updateConfirm()
}

func (d *BulkDialog) updateConfirm() {
	n := len(d.preview.Cancel)
	ready := d.checked != "" && d.checked == d.key() && n > 0
	if d.mode == bulkAccept {
		d.Confirm.SetText(lang.XN("bulk.accept.confirm", "Marquer {{.N}} invitations comme acceptées", n, count(n)))
	} else {
		d.Confirm.SetText(lang.XN("bulk.cancel.confirm", "Annuler {{.N}} invitations", n, count(n)))
	}
	if !ready {
		d.Confirm.SetText(lang.X("bulk.cancel.confirm.none", "Annuler les invitations"))
		if d.mode == bulkAccept {
			d.Confirm.SetText(lang.X("bulk.accept.confirm.none", "Marquer comme acceptées"))
		}
	}
	switch {
	case d.checked != "" && d.checked != d.key():
		d.Summary.SetText(lang.X("invite.stale", "La liste a changé : choisissez Vérifier à nouveau."))
	case d.checked == "":
		d.Summary.SetText("")
	case n == 0:
		d.Summary.SetText(lang.X("bulk.nothing", "Aucune invitation en attente dans cette liste."))
	default:
		d.Summary.SetText("")
	}
	visible(d.Summary, d.Summary.Text != "")
	if ready {
		d.Confirm.Enable()
	} else {
		d.Confirm.Disable()
	}
}

func (d *BulkDialog) onConfirm() {
	entries := d.entries()
	n := len(d.preview.Cancel)
	question := lang.XN("invitations.cancel.question", "Annuler {{.N}} invitations ? Leurs e-mails en attente ne partiront pas.", n, count(n))
	if d.mode == bulkAccept {
		question = lang.XN("invitations.accept.question", "Marquer {{.N}} invitations comme acceptées ? Les personnes deviennent des comptes actifs.", n, count(n))
	}
	c := confirmDialog(d.mw.Window, d.title, question, d.Confirm.Text, func() { d.doAsync(entries) })
	if d.mode == bulkAccept {
		c.SetConfirmImportance(widget.HighImportance)
	} else {
		c.SetDismissText(lang.X("dialog.keep", "Ne rien faire"))
	}
	d.mw.lastConfirm = c
	c.Show()
}

func (d *BulkDialog) doAsync(entries []string) {
	var done int
	d.Confirm.Disable()
	runAsync(d.mw.Window, func() error {
		ctx, cancel := workContext()
		defer cancel()
		if d.mode == bulkAccept {
			r, err := d.st.AcceptInvitations(ctx, entries)
			done = r.Accepted
			return err
		}
		r, err := d.st.CancelInvitations(ctx, entries)
		done = r.Cancelled
		return err
	}, func(err error) {
		if err != nil {
			d.updateConfirm()
			return
		}
		d.dlg.Hide()
		d.mw.invitationsChanged()
		if d.mode == bulkAccept {
			d.mw.notify(acceptedText(done))
		} else {
			d.mw.notify(cancelledText(done))
		}
	})
}

// dropOnBulkDialog hands a dropped file to the Annuler plusieurs invitations or
// Rapprocher les comptes actifs dialog while one is open, and says whether it did.
func (mw *MainWindow) dropOnBulkDialog(path string) bool {
	if mw.Invitations == nil || mw.Invitations.lastBulk == nil || !mw.Invitations.lastBulk.open {
		return false
	}
	mw.Invitations.lastBulk.OpenFile(path)
	return true
}
