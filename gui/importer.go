package gui

import (
	"context"
	"log"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"convive/core"
	"convive/core/importer"
	"convive/core/sheet"
)

// ImporterScreen is the Importer screen (« Paramétrer plusieurs comptes »): a file
// dropped, chosen or pasted is read, every row is checked and shown with its verdict,
// the manager adjusts the columns and the options, then imports the rows in one go and
// can undo the import afterwards.
type ImporterScreen struct {
	// ChooseFile opens the file dialog (Ctrl+O); it is the screen's main action until a
	// file is read.
	ChooseFile *widget.Button
	// Paste reads cells copied from a spreadsheet (Ctrl+V on this screen).
	Paste *widget.Button
	// Template saves the import template.
	Template *widget.Button

	// Source names the file read; Sheet picks another sheet of a workbook.
	Source *widget.Label
	Sheet  *widget.Select
	// ReadInfo says how many rows were read; Warnings lists what deserves a look.
	ReadInfo *widget.Label
	Warnings *widget.Label
	// Filter shows the rows of one status, with the count of each.
	Filter *widget.Select
	// Table is the preview; its header row maps each column by hand.
	Table *widget.Table
	// RowDetail says in full why the selected row is refused or deserves a look.
	RowDetail *widget.Label

	// The options of the import; changing one checks the rows again.
	Mode     *widget.Select
	Action   *widget.Select
	Language *widget.Select
	Groups   *widget.SelectEntry

	// Import writes the rows (« Importer 120 lignes »); ImportNote says why it is
	// disabled when there is nothing to write.
	Import     *widget.Button
	ImportNote *widget.Label

	// Progress, ProgressFile, ProgressText and Stop show long work and let it be
	// stopped.
	ProgressFile *widget.Label
	Progress     *widget.ProgressBar
	ProgressText *widget.Label
	Stop         *widget.Button

	// Summary tells what the import did; ExportRejected saves the refused rows and
	// Undo cancels the import.
	Summary        *widget.Label
	ExportRejected *widget.Button
	Undo           *widget.Button
	Another        *widget.Button

	// Recent lists the last imports, each with its undo button.
	Recent *fyne.Container
	// PasswordEntry and PasswordMessage are the field and the sentence of the last
	// password dialog.
	PasswordEntry   *Entry
	PasswordMessage *widget.Label

	w      fyne.Window
	st     ImportService
	picker FilePicker

	source  importer.Source
	base    *importer.Preview // as read; re-mapping starts from it
	pv      *importer.Preview // as shown
	mapping sheet.Mapping
	width   int // columns of the sheet shown
	plan    *core.ImportPlan
	planErr error
	rows    []core.PlannedRow // what the table shows: the plan's rows, or the raw rows
	visible []int             // indices into rows under the filter
	filter  core.RowStatus    // "" for every row
	batch   core.Batch        // the last import committed from this screen

	gen      int // bumped by every new piece of work; older answers are dropped
	cancel   context.CancelFunc
	back     string // the view to return to when work is stopped
	debounce *time.Timer
	updating bool // set while widgets are filled in code, so their OnChanged is ignored

	views      map[string]fyne.CanvasObject
	body       *fyne.Container
	act        *fyne.Container
	content    fyne.CanvasObject
	sheetBox   fyne.CanvasObject
	groupsText string   // the groups field as last seen, to add a picked group to it
	groupPaths []string // the groups offered in the groups field
	// onImported runs after an import is written or undone (navigation counts, outbox).
	onImported func()
}

// Views of the screen.
const (
	importViewStart   = "start"
	importViewBusy    = "busy"
	importViewPreview = "preview"
	importViewDone    = "done"
)

// fieldChoices are the fields a column can be mapped to, in the order of the select.
var fieldChoices = []core.Field{core.FieldEmail, core.FieldFirstName, core.FieldLastName, core.FieldGroup, core.FieldLanguage, core.FieldRole, core.FieldIgnore}

func fieldLabel(f core.Field) string {
	switch f {
	case core.FieldEmail:
		return lang.X("import.field.email", "E-mail")
	case core.FieldFirstName:
		return lang.X("import.field.first_name", "Prénom")
	case core.FieldLastName:
		return lang.X("import.field.last_name", "Nom")
	case core.FieldGroup:
		return lang.X("import.field.group", "Groupe")
	case core.FieldLanguage:
		return lang.X("import.field.language", "Langue")
	case core.FieldRole:
		return lang.X("import.field.role", "Rôle")
	}
	return lang.X("import.field.ignore", "Ignorée")
}

func rowStatusLabel(s core.RowStatus) string {
	switch s {
	case core.RowNew:
		return lang.X("import.status.new", "Nouveau")
	case core.RowUpdate:
		return lang.X("import.status.update", "Mise à jour")
	case core.RowUnchanged:
		return lang.X("import.status.unchanged", "Inchangé")
	case core.RowDuplicate:
		return lang.X("import.status.duplicate", "Doublon")
	case core.RowInvalid:
		return lang.X("import.status.invalid", "Invalide")
	}
	return ""
}

func rowStatusImportance(s core.RowStatus) widget.Importance {
	switch s {
	case core.RowNew:
		return widget.SuccessImportance
	case core.RowUpdate:
		return widget.HighImportance
	case core.RowUnchanged:
		return widget.LowImportance
	case core.RowDuplicate:
		return widget.WarningImportance
	case core.RowInvalid:
		return widget.DangerImportance
	}
	return widget.MediumImportance
}

var (
	modeChoices   = []core.ImportMode{core.ModeCreate, core.ModeUpsert, core.ModeUpdate}
	actionChoices = []core.ImportAction{core.ActionProvision, core.ActionInvite}
)

func modeLabel(m core.ImportMode) string {
	switch m {
	case core.ModeCreate:
		return lang.X("import.mode.create", "Créer seulement")
	case core.ModeUpdate:
		return lang.X("import.mode.update", "Mettre à jour seulement")
	}
	return lang.X("import.mode.upsert", "Créer ou mettre à jour")
}

func actionLabel(a core.ImportAction) string {
	if a == core.ActionInvite {
		return lang.X("import.action.invite", "Inviter par e-mail")
	}
	return lang.X("import.action.provision", "Paramétrer le compte maintenant")
}

// spreadsheetFilter is the filter of the open dialog. It shows the formats Convive
// does not read too (.xls, .ods…), so that choosing one explains what to save it as
// rather than hiding the file.
func spreadsheetFilter() FileFilter {
	return FileFilter{Description: lang.X("import.file.filter", "Tableurs (.xlsx, .csv)"), Extensions: []string{".xlsx", ".xlsm", ".csv", ".txt", ".tsv", ".xls", ".xlsb", ".ods"}}
}

func newImporterScreen(w fyne.Window, st ImportService, picker FilePicker) *ImporterScreen {
	s := &ImporterScreen{w: w, st: st, picker: picker, views: map[string]fyne.CanvasObject{}}

	s.ChooseFile = &widget.Button{Text: lang.X("import.choose", "Choisir un fichier…"), Icon: theme.FolderOpenIcon(), Importance: widget.HighImportance, OnTapped: s.onChooseFile}
	s.Paste = &widget.Button{Text: lang.X("import.paste", "Coller depuis le presse-papiers"), Icon: theme.ContentPasteIcon(), OnTapped: s.onPaste}
	s.Template = &widget.Button{Text: lang.X("import.template", "Télécharger le modèle"), Icon: theme.DownloadIcon(), OnTapped: s.onTemplate}

	s.buildStart()
	s.buildBusy()
	s.buildPreview()
	s.buildDone()

	s.Import = &widget.Button{Text: lang.X("import.run.none", "Importer"), Icon: theme.UploadIcon(), Importance: widget.HighImportance, OnTapped: s.onImport}
	s.act = container.NewStack(s.ChooseFile)
	s.body = container.NewStack()
	s.content = s.body
	s.setView(importViewStart)
	return s
}

func (s *ImporterScreen) id() string                { return ScreenImport }
func (s *ImporterScreen) icon() fyne.Resource       { return theme.UploadIcon() }
func (s *ImporterScreen) title() string             { return lang.X("nav.import", "Importer") }
func (s *ImporterScreen) action() fyne.CanvasObject { return s.act }
func (s *ImporterScreen) view() fyne.CanvasObject   { return s.content }
func (s *ImporterScreen) subtitle() string {
	return lang.X("import.subtitle", "Créez ou mettez à jour de nombreux comptes d'un coup à partir d'un tableur.")
}

func (s *ImporterScreen) shown() {
	if s.current() == importViewStart {
		s.refreshRecentAsync()
	}
	s.refreshGroupsAsync()
}

func (s *ImporterScreen) current() string {
	if len(s.body.Objects) == 0 {
		return ""
	}
	for name, v := range s.views {
		if v == s.body.Objects[0] {
			return name
		}
	}
	return ""
}

// setView shows one of the screen's views and the matching main action.
func (s *ImporterScreen) setView(name string) {
	s.body.Objects = []fyne.CanvasObject{s.views[name]}
	s.body.Refresh()
	main := fyne.CanvasObject(s.ChooseFile)
	if name == importViewPreview {
		main = s.Import
	}
	if name == importViewBusy {
		main = layout.NewSpacer()
	}
	s.act.Objects = []fyne.CanvasObject{main}
	s.act.Refresh()
}

func (s *ImporterScreen) buildStart() {
	icon := widget.NewIcon(theme.UploadIcon())
	drop := widget.NewLabelWithStyle(lang.X("import.drop", "Déposez un fichier .xlsx ou .csv n'importe où dans cette fenêtre."), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	drop.Wrapping = fyne.TextWrapWord
	hint := widget.NewLabel(lang.X("import.drop.hint", "Vous pouvez aussi choisir le fichier, ou coller des cellules copiées dans votre tableur (Ctrl+V). La première ligne donne le titre des colonnes : E-mail, Prénom, Nom, Groupe, Langue, Rôle. Rien n'est enregistré avant que vous ayez vérifié l'aperçu."))
	hint.Wrapping = fyne.TextWrapWord
	hint.Alignment = fyne.TextAlignCenter
	choose := &widget.Button{Text: s.ChooseFile.Text, Icon: theme.FolderOpenIcon(), OnTapped: s.onChooseFile}
	buttons := container.NewHBox(layout.NewSpacer(), choose, s.Paste, s.Template, layout.NewSpacer())
	zone := widget.NewCard("", "", container.NewVBox(
		container.NewCenter(container.NewGridWrap(fyne.NewSize(56, 56), icon)), drop, hint, buttons))

	s.Recent = container.NewVBox()
	recentTitle := widget.NewLabelWithStyle(lang.X("import.recent", "Imports récents"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	recent := container.NewVBox(recentTitle, s.Recent)
	s.views[importViewStart] = container.NewVScroll(container.NewVBox(
		container.NewCenter(container.New(&minWidth{w: 640}, zone)), recent))
}

func (s *ImporterScreen) buildBusy() {
	s.Progress = widget.NewProgressBar()
	s.ProgressFile = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	s.ProgressFile.Truncation = fyne.TextTruncateEllipsis
	s.ProgressText = widget.NewLabel("")
	s.ProgressText.Alignment = fyne.TextAlignCenter
	s.Stop = &widget.Button{Text: lang.X("import.stop", "Arrêter"), Icon: theme.CancelIcon(), OnTapped: s.onStop}
	s.views[importViewBusy] = container.NewCenter(container.New(&minWidth{w: 480}, container.NewVBox(
		s.ProgressFile, s.ProgressText, s.Progress, container.NewCenter(s.Stop))))
}

func (s *ImporterScreen) buildPreview() {
	s.Source = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.Source.Truncation = fyne.TextTruncateEllipsis
	s.Sheet = widget.NewSelect(nil, s.onSheet)
	other := &widget.Button{Text: lang.X("import.other_file", "Changer de fichier…"), Icon: theme.FolderOpenIcon(), Importance: widget.LowImportance, OnTapped: s.onChooseFile}
	sheetBox := container.NewHBox(widget.NewLabel(lang.X("import.sheet.label", "Feuille :")), s.Sheet)
	s.ReadInfo = widget.NewLabel("")
	s.ReadInfo.Wrapping = fyne.TextWrapWord
	s.Warnings = widget.NewLabel("")
	s.Warnings.Wrapping = fyne.TextWrapWord
	s.Warnings.Importance = widget.WarningImportance
	top := container.NewBorder(nil, nil, nil, container.NewHBox(sheetBox, other), s.Source)
	s.sheetBox = sheetBox

	labels := func(n int, f func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	s.Mode = widget.NewSelect(labels(len(modeChoices), func(i int) string { return modeLabel(modeChoices[i]) }), func(string) { s.optionsChanged() })
	s.Mode.SetSelected(modeLabel(core.ModeUpsert))
	s.Action = widget.NewSelect(labels(len(actionChoices), func(i int) string { return actionLabel(actionChoices[i]) }), func(string) { s.optionsChanged() })
	s.Action.SetSelected(actionLabel(core.ActionProvision))
	s.Language = widget.NewSelect(labels(len(core.Languages), func(i int) string { return languageLabel(core.Languages[i]) }), func(string) { s.optionsChanged() })
	s.Language.SetSelected(languageLabel(core.LangFR))
	s.Groups = widget.NewSelectEntry(nil)
	s.Groups.SetPlaceHolder(lang.X("import.groups.placeholder", "Aucun (séparés par ;)"))
	s.Groups.OnChanged = s.onGroupsChanged
	s.Groups.OnSubmitted = func(string) { s.optionsChanged() }

	// A select is as wide as its placeholder: the longest choice keeps every choice
	// readable.
	for _, sel := range []*widget.Select{s.Mode, s.Action, s.Language} {
		sel.PlaceHolder = longest(sel.Options)
	}
	// The options sit in two aligned forms; the right one takes the width its longest
	// choice needs, the left one the rest.
	left := widget.NewForm(
		widget.NewFormItem(lang.X("import.mode", "Mode :"), s.Mode),
		widget.NewFormItem(lang.X("import.groups", "Groupes pour tous :"), s.Groups))
	right := widget.NewForm(
		widget.NewFormItem(lang.X("import.action", "Nouvelles personnes :"), s.Action),
		widget.NewFormItem(lang.X("import.language", "Langue des e-mails :"), s.Language))
	options := container.NewBorder(nil, nil, nil, right, left)

	s.Filter = widget.NewSelect(nil, s.onFilter)
	filterBox := container.NewBorder(nil, nil, widget.NewLabel(lang.X("import.filter", "Afficher :")), nil, s.Filter)

	s.Table = &widget.Table{
		Length:        s.tableLength,
		CreateCell:    s.createCell,
		UpdateCell:    s.updateCell,
		ShowHeaderRow: true,
		CreateHeader:  s.createHeader,
		UpdateHeader:  s.updateHeader,
	}
	s.Table.ExtendBaseWidget(s.Table)

	s.ImportNote = widget.NewLabel("")
	s.ImportNote.Wrapping = fyne.TextWrapWord
	s.ImportNote.Importance = widget.WarningImportance

	head := container.NewVBox(top, s.Warnings, options, widget.NewSeparator(),
		container.NewBorder(nil, nil, nil, filterBox, s.ReadInfo))
	s.RowDetail = widget.NewLabel("")
	s.RowDetail.Wrapping = fyne.TextWrapWord
	s.RowDetail.Hide()
	s.Table.OnSelected = s.onRowSelected
	s.views[importViewPreview] = container.NewBorder(head, container.NewVBox(s.RowDetail, s.ImportNote), nil, nil, s.Table)
}

func (s *ImporterScreen) buildDone() {
	s.Summary = widget.NewLabel("")
	s.Summary.Wrapping = fyne.TextWrapWord
	s.ExportRejected = &widget.Button{Text: lang.X("import.export_rejected", "Exporter les lignes refusées…"), Icon: theme.DocumentSaveIcon(), OnTapped: s.onExportRejected}
	s.Undo = &widget.Button{Text: lang.X("import.undo", "Annuler cet import"), Icon: theme.ContentUndoIcon(), Importance: widget.DangerImportance, OnTapped: func() { s.confirmUndo(s.batch) }}
	s.Another = &widget.Button{Text: lang.X("import.another", "Importer un autre fichier"), Icon: theme.UploadIcon(), OnTapped: func() {
		s.closeSource()
		s.setView(importViewStart)
		s.refreshRecentAsync()
	}}
	title := widget.NewLabelWithStyle(lang.X("import.done", "Import terminé"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	s.views[importViewDone] = container.NewVScroll(container.NewVBox(title, s.Summary,
		container.NewHBox(s.ExportRejected, s.Undo, s.Another)))
}

// ---- ways in ----

func (s *ImporterScreen) onChooseFile() {
	if s.current() == importViewBusy {
		return
	}
	title := lang.X("import.choose.title", "Choisir le tableur à importer")
	go func() {
		path, err := s.picker.Open(title, spreadsheetFilter())
		if err != nil {
			showErrorAsync(s.w, err)
			return
		}
		if path != "" {
			doUI(func() { s.OpenFile(path) })
		}
	}()
}

// OpenFile reads the file at path and shows its preview; a dropped file comes here.
func (s *ImporterScreen) OpenFile(path string) {
	if s.current() == importViewBusy {
		return
	}
	s.readAsync(importer.Source{Path: path}, "")
}

func (s *ImporterScreen) onPaste() {
	if s.current() == importViewBusy {
		return
	}
	text := fyne.CurrentApp().Clipboard().Content()
	if strings.TrimSpace(text) == "" {
		s.info(lang.X("import.paste.empty.title", "Rien à coller"),
			lang.X("import.paste.empty", "Le presse-papiers ne contient pas de cellules. Sélectionnez les cellules dans votre tableur, copiez-les (Ctrl+C), puis réessayez."))
		return
	}
	s.readAsync(importer.Source{Paste: text}, "")
}

func (s *ImporterScreen) onTemplate() {
	title := lang.X("import.template.title", "Enregistrer le modèle d'import")
	go func() {
		path, err := s.picker.Save(title, "modele-import-convive.xlsx", FileFilter{Description: lang.X("import.template.filter", "Classeur Excel (.xlsx)"), Extensions: []string{".xlsx", ".csv"}})
		if err != nil || path == "" {
			showErrorAsync(s.w, err)
			return
		}
		if err := sheet.WriteTemplate(path); err != nil {
			showErrorAsync(s.w, err)
			return
		}
		doUI(func() {
			s.info(lang.X("import.template.saved.title", "Modèle enregistré"),
				lang.X("import.template.saved", "Le modèle « {{.File}} » est enregistré. Remplissez-le dans votre tableur, enregistrez-le, puis déposez-le ici.", map[string]any{"File": filepath.Base(path)}))
		})
	}()
}

func (s *ImporterScreen) info(title, message string) {
	d := dialog.NewInformation(title, message, s.w)
	withKeys(s.w, d, nil)
	d.Show()
}

// ---- work ----

// begin starts a piece of long work: it shows the progress view and returns the
// context that Arrêter cancels and the generation that its answers must carry.
func (s *ImporterScreen) begin(st step, name string) (context.Context, int) {
	if s.cancel != nil {
		s.cancel()
	}
	s.gen++
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if v := s.current(); v != importViewBusy {
		s.back = v
	}
	s.Progress.SetValue(0)
	s.ProgressFile.SetText(name)
	s.ProgressText.SetText(stepText(st, 0, 0))
	s.Stop.Enable()
	s.setView(importViewBusy)
	return ctx, s.gen
}

// reporter returns the progress callback of the work of generation gen.
func (s *ImporterScreen) reporter(gen int) progressFunc {
	return throttle(func(st step, done, total int, fraction float64) {
		doUI(func() {
			if gen != s.gen || s.current() != importViewBusy {
				return
			}
			s.ProgressText.SetText(stepText(st, done, total))
			s.Progress.SetValue(fraction)
		})
	})
}

func stepText(st step, done, total int) string {
	switch st {
	case stepCheck:
		return lang.X("import.step.check", "Vérification des comptes existants…")
	case stepSave:
		if total > 0 && done >= total {
			return lang.X("import.step.finish", "Finalisation de l'import…")
		}
		return lang.X("import.step.save", "Enregistrement : {{.Done}} sur {{.Total}}", map[string]any{"Done": formatInt(done), "Total": formatInt(total)})
	}
	return lang.XN("import.step.read", "Lecture : {{.N}} lignes lues", done, count(done))
}

// end closes a piece of work of generation gen; it reports false when newer work
// replaced it.
func (s *ImporterScreen) end(gen int) bool {
	if gen != s.gen {
		return false
	}
	s.cancel = nil
	return true
}

func (s *ImporterScreen) onStop() {
	if s.cancel != nil {
		s.cancel()
		s.Stop.Disable()
		s.ProgressText.SetText(lang.X("import.stopping", "Arrêt en cours…"))
	}
}

// stopped goes back to the view shown before the work began.
func (s *ImporterScreen) stopped() {
	back := s.back
	if back == "" || back == importViewBusy || back == importViewPreview && s.pv == nil {
		back = importViewStart
	}
	s.setView(back)
}

// readAsync reads a sheet of src (the default one when name is "") and shows its
// preview. An encrypted workbook makes it ask for the password.
func (s *ImporterScreen) readAsync(src importer.Source, name string) {
	file := filepath.Base(src.Path)
	if src.Path == "" {
		file = lang.X("import.pasted", "Cellules collées")
	}
	ctx, gen := s.begin(stepRead, file)
	report := s.reporter(gen)
	req := importer.Request{Source: src, Sheet: name, Options: s.options(), Progress: serviceProgress(report, 0)}
	st := s.st
	go func() {
		pv, err := importer.Read(ctx, st, req)
		doUI(func() {
			if !s.end(gen) {
				return
			}
			switch {
			case err != nil && pv != nil && !cancelled(err):
				// No column holds e-mails: the preview comes without a plan, for the
				// manager to point at the column by hand.
			case err != nil:
				s.stopped()
				switch {
				case cancelled(err):
				case sheet.NeedsPassword(err):
					s.askPassword(src, name, err)
				default:
					showError(s.w, err)
				}
				return
			}
			s.source, s.base = src, pv
			s.mapping = pv.Mapping
			s.rows, s.filter = nil, ""
			s.setPreview(pv, err)
			s.showSource()
			s.setView(importViewPreview)
		})
	}()
}

// askPassword asks for the password of the encrypted workbook of src; err says
// whether a password was given and did not open it.
func (s *ImporterScreen) askPassword(src importer.Source, name string, err error) {
	entry := NewEntry()
	entry.Password = true
	msg := lang.X("import.password.ask", "Le classeur « {{.File}} » est protégé par un mot de passe. Saisissez-le pour le lire ; il n'est pas conservé.", map[string]any{"File": filepath.Base(src.Path)})
	text := widget.NewLabel(msg)
	text.Wrapping = fyne.TextWrapWord
	if src.Password != "" {
		text.SetText(messageText(err))
		text.Importance = widget.DangerImportance
	}
	form := widget.NewForm(widget.NewFormItem(lang.X("import.password", "Mot de passe"), entry))
	d := dialog.NewCustomConfirm(lang.X("import.password.title", "Classeur protégé"), lang.X("import.password.open", "Ouvrir"), lang.X("dialog.cancel", "Annuler"),
		container.NewVBox(text, form), func(ok bool) {
			if ok && entry.Text != "" {
				src.Password = entry.Text
				s.readAsync(src, name)
			}
		}, s.w)
	s.PasswordEntry = entry
	s.PasswordMessage = text
	entry.OnSubmitted = func(string) { d.Confirm() }
	entry.OnEscape = d.Dismiss
	withKeys(s.w, d, d.Confirm)
	d.Resize(fyne.NewSize(480, d.MinSize().Height))
	d.Show()
	s.w.Canvas().Focus(entry)
}

// replanAsync judges the rows again with the current mapping and options; the file is
// not read again.
func (s *ImporterScreen) replanAsync() {
	if s.base == nil {
		return
	}
	if s.cancel != nil {
		s.cancel()
	}
	s.gen++
	gen := s.gen
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	base, mapping, opts, st := s.base, s.mapping, s.options(), s.st
	go func() {
		pv, err := importer.Remap(ctx, st, base, mapping, opts, nil)
		doUI(func() {
			if !s.end(gen) || cancelled(err) {
				return
			}
			if err != nil {
				s.setPreview(nil, err)
				return
			}
			s.setPreview(pv, nil)
		})
	}()
}

func (s *ImporterScreen) closeSource() {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	s.gen++
	s.base, s.pv, s.plan, s.planErr, s.rows, s.visible = nil, nil, nil, nil, nil, nil
}

// options returns the options as the widgets show them.
func (s *ImporterScreen) options() core.ImportOptions {
	o := core.ImportOptions{Mode: core.ModeUpsert, Action: core.ActionProvision, Language: core.LangFR}
	for _, m := range modeChoices {
		if modeLabel(m) == s.Mode.Selected {
			o.Mode = m
		}
	}
	for _, a := range actionChoices {
		if actionLabel(a) == s.Action.Selected {
			o.Action = a
		}
	}
	for _, l := range core.Languages {
		if languageLabel(l) == s.Language.Selected {
			o.Language = l
		}
	}
	for _, g := range strings.Split(s.Groups.Text, ";") {
		if g = strings.TrimSpace(g); g != "" {
			o.DefaultGroups = append(o.DefaultGroups, g)
		}
	}
	return o
}

func (s *ImporterScreen) optionsChanged() {
	if s.updating {
		return
	}
	if s.debounce != nil {
		s.debounce.Stop()
	}
	s.replanAsync()
}

// onGroupsChanged adds a group picked from the list to those already typed, rather
// than replacing them, then re-plans once typing pauses.
func (s *ImporterScreen) onGroupsChanged(text string) {
	if s.updating {
		return
	}
	prev := s.groupsText
	s.groupsText = text
	picked := false
	for _, o := range s.groupPaths {
		picked = picked || o == text
	}
	if picked && strings.TrimSpace(prev) != "" && !strings.HasPrefix(text, prev) {
		already := false
		for _, g := range strings.Split(prev, ";") {
			already = already || strings.EqualFold(strings.TrimSpace(g), text)
		}
		joined := prev
		if !already {
			joined = strings.TrimRight(strings.TrimSpace(prev), ";") + " ; " + text
		}
		s.updating = true
		s.Groups.SetText(joined)
		s.updating = false
		s.groupsText = joined
	}
	s.optionsChangedLater()
}

// optionsChangedLater re-plans once typing in the groups field pauses.
func (s *ImporterScreen) optionsChangedLater() {
	if s.updating {
		return
	}
	if s.debounce != nil {
		s.debounce.Stop()
	}
	text := s.Groups.Text
	s.debounce = time.AfterFunc(400*time.Millisecond, func() {
		doUI(func() {
			if s.Groups.Text == text {
				s.replanAsync()
			}
		})
	})
}

func (s *ImporterScreen) onSheet(name string) {
	if s.updating || s.base == nil || name == s.base.Sheet {
		return
	}
	s.readAsync(s.source, name)
}

// Remap maps sheet column col (0-based) to f by hand and judges the rows again.
func (s *ImporterScreen) Remap(col int, f core.Field) {
	if s.base == nil {
		return
	}
	if c, ok := s.mapping.Column(col); ok && c.Field == f {
		return
	}
	s.mapping = s.mapping.Set(col, f)
	s.Table.Refresh()
	s.replanAsync()
}

// refreshGroupsAsync offers the existing groups as default groups.
func (s *ImporterScreen) refreshGroupsAsync() {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		groups, err := s.st.Groups(ctx)
		if err != nil {
			log.Printf("convive: groups for the import: %v", err)
			return
		}
		var paths []string
		for _, g := range groups {
			if g.Path != "" {
				paths = append(paths, g.Path)
			}
		}
		doUI(func() {
			s.groupPaths = paths
			s.Groups.SetOptions(paths)
		})
	}()
}

// ---- commit and undo ----

func (s *ImporterScreen) onImport() {
	if s.plan == nil || s.plan.Writable() == 0 || s.current() != importViewPreview {
		return
	}
	pv, st := s.pv, s.st
	ctx, gen := s.begin(stepSave, pv.File)
	report := s.reporter(gen)
	progress := serviceProgress(report, pv.Plan.Writable())
	go func() {
		var meta core.ImportMeta
		var err error
		if pv.Plan.Options.Action == core.ActionInvite {
			meta.Mail, err = importMail(ctx, st)
		}
		var batch core.Batch
		if err == nil {
			batch, err = importer.Commit(ctx, st, pv, meta, progress)
		}
		doUI(func() {
			if !s.end(gen) {
				return
			}
			if err != nil {
				s.stopped()
				// Stopped by the person: the store rolled the batch back, whatever
				// the error it met on the way out says.
				if cancelled(err) || ctx.Err() != nil {
					log.Printf("convive: import stopped: %v", err)
					s.info(lang.X("import.stopped.title", "Import arrêté"), lang.X("import.stopped", "L'import a été arrêté : rien n'a été enregistré."))
					return
				}
				showError(s.w, err)
				return
			}
			s.batch = batch
			s.showSummary(batch)
			s.imported()
		})
	}()
}

func (s *ImporterScreen) showSummary(b core.Batch) {
	var lines []string
	lines = append(lines, lang.XN("import.summary.created", "{{.N}} comptes créés", b.NewUsers, count(b.NewUsers)))
	lines = append(lines, lang.XN("import.summary.updated", "{{.N}} comptes mis à jour", b.Updated, count(b.Updated)))
	if b.Invited > 0 {
		lines = append(lines, lang.XN("import.summary.invited", "{{.N}} invitations prêtes dans la boîte d'envoi", b.Invited, count(b.Invited)))
	}
	if s.plan != nil {
		lines = append(lines, lang.XN("import.summary.unchanged", "{{.N}} lignes sans changement", s.plan.Unchanged, count(s.plan.Unchanged)))
		rejected := s.plan.Invalid + s.plan.Duplicate
		lines = append(lines, lang.XN("import.summary.rejected", "{{.N}} lignes refusées", rejected, count(rejected)))
		if rejected > 0 {
			s.ExportRejected.Enable()
		} else {
			s.ExportRejected.Disable()
		}
	}
	s.Summary.SetText(lang.X("import.summary.file", "Fichier : {{.File}}", map[string]any{"File": b.File}) + "\n" + "• " + strings.Join(lines, "\n• "))
	if b.NewUsers+b.Updated+b.Invited == 0 || !b.Undone.IsZero() {
		s.Undo.Disable()
	} else {
		s.Undo.Enable()
	}
	s.setView(importViewDone)
}

func (s *ImporterScreen) onExportRejected() {
	if s.pv == nil {
		return
	}
	pv := s.pv
	base := strings.TrimSuffix(pv.File, filepath.Ext(pv.File))
	suggested := lang.X("import.rejected.file", "{{.Name}} - lignes refusées.xlsx", map[string]any{"Name": base})
	title := lang.X("import.rejected.title", "Enregistrer les lignes refusées")
	go func() {
		path, err := s.picker.Save(title, suggested, FileFilter{Description: lang.X("import.template.filter", "Classeur Excel (.xlsx)"), Extensions: []string{".xlsx", ".csv"}})
		if err != nil || path == "" {
			showErrorAsync(s.w, err)
			return
		}
		n, err := pv.WriteRejected(path)
		if err != nil {
			showErrorAsync(s.w, err)
			return
		}
		doUI(func() {
			s.info(lang.X("import.rejected.saved.title", "Lignes refusées enregistrées"),
				lang.XN("import.rejected.saved", "{{.N}} lignes refusées sont enregistrées dans « {{.File}} », avec le motif de chacune. Corrigez-les puis importez ce fichier.", n,
					map[string]any{"N": formatInt(n), "File": filepath.Base(path)}))
		})
	}()
}

// confirmUndo asks before undoing batch b, with the count in the question.
func (s *ImporterScreen) confirmUndo(b core.Batch) {
	n := b.NewUsers + b.Updated
	d := confirmDialog(s.w, lang.X("import.undo.title", "Annuler un import"),
		lang.XN("import.undo.question", "Annuler l'import de {{.N}} comptes ? Les comptes créés seront supprimés et les modifications défaites.", n, count(n)),
		lang.X("import.undo.confirm", "Annuler l'import"), func() { s.undoAsync(b) })
	d.SetDismissText(lang.X("import.undo.keep", "Garder"))
	d.Show()
}

func (s *ImporterScreen) undoAsync(b core.Batch) {
	s.Undo.Disable()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		done, err := s.st.UndoBatch(ctx, b.ID)
		doUI(func() {
			if err != nil {
				if s.batch.ID == b.ID && s.batch.Undone.IsZero() {
					s.Undo.Enable()
				}
				showError(s.w, err)
				return
			}
			if s.batch.ID == b.ID {
				s.batch = done
				s.Undo.Disable()
			}
			s.info(lang.X("import.undone.title", "Import annulé"),
				lang.X("import.undone", "L'import de « {{.File}} » est annulé.", map[string]any{"File": b.File})+
					"\n• "+lang.XN("import.undone.created", "{{.N}} comptes supprimés", b.NewUsers, count(b.NewUsers))+
					"\n• "+lang.XN("import.undone.updated", "{{.N}} comptes remis dans leur état d'avant", b.Updated, count(b.Updated)))
			s.refreshRecentAsync()
			s.imported()
		})
	}()
}

func (s *ImporterScreen) imported() {
	if s.onImported != nil {
		s.onImported()
	}
}

// refreshRecentAsync lists the last five imports with their undo buttons.
func (s *ImporterScreen) refreshRecentAsync() {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		batches, err := s.st.Batches(ctx)
		if err != nil {
			log.Printf("convive: recent imports: %v", err)
			return
		}
		if len(batches) > 5 {
			batches = batches[:5]
		}
		doUI(func() {
			s.Recent.RemoveAll()
			if len(batches) == 0 {
				s.Recent.Add(widget.NewLabel(lang.X("import.recent.none", "Aucun import pour l'instant.")))
				return
			}
			for _, b := range batches {
				b := b
				text := lang.X("import.recent.item", "{{.At}} · {{.File}} · {{.Created}} créés, {{.Updated}} mis à jour",
					map[string]any{"At": formatDate(b.Created), "File": b.File, "Created": formatInt(b.NewUsers), "Updated": formatInt(b.Updated)})
				l := widget.NewLabel(text)
				l.Truncation = fyne.TextTruncateEllipsis
				var right fyne.CanvasObject
				if !b.Undone.IsZero() {
					right = widget.NewLabel(lang.X("import.recent.undone", "annulé le {{.At}}", map[string]any{"At": formatDate(b.Undone)}))
				} else {
					right = &widget.Button{Text: lang.X("import.recent.undo", "Annuler"), Icon: theme.ContentUndoIcon(), Importance: widget.LowImportance, OnTapped: func() { s.confirmUndo(b) }}
				}
				s.Recent.Add(container.NewBorder(nil, nil, nil, right, l))
			}
		})
	}()
}
