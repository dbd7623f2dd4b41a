package gui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"convive/core"
)

// outboxColumn is one column of the Boîte d'envoi table.
type outboxColumn struct {
	title string
	width float32
	value func(core.Message) string
	sort  core.OutboxSort // "" when the column cannot sort the list
}

// Columns of the Boîte d'envoi table; the first holds the selection boxes.
const (
	colCheck = iota
	colState
)

// filterStates are the choices of the state filter, in order; nil is every state.
var filterStates = [][]core.MessageState{
	nil,
	{core.MessageQueued},
	{core.MessageSending},
	{core.MessageSent},
	{core.MessageFailed},
	{core.MessageUnknown},
	{core.MessageCancelled},
}

// OutboxScreen is the Boîte d'envoi: the main action Envoyer maintenant with its
// progress, the messages in a virtualised table paged from the database (filter by
// state, search), bulk cancel and re-send of the ticked messages, and the selected
// message as it will be received.
type OutboxScreen struct {
	// SendNow sends what is due (the screen's main action).
	SendNow *widget.Button
	// Running holds the progress while a run goes on: Progress, ProgressText
	// (« 12 envoyés · 108 restants · 1 échec »), Current (the recipient) and Stop.
	Running      *fyne.Container
	Progress     *widget.ProgressBar
	ProgressText *widget.Label
	Current      *widget.Label
	Stop         *widget.Button
	// Notice sums up the last run or answers Envoyer maintenant.
	Notice *widget.Label
	// Pause says why sending is paused; PauseAction opens Paramètres or asks for the
	// password.
	Pause       *widget.Label
	PauseAction *widget.Button
	// Unknown warns about messages the server may have received; ShowUnknown filters
	// the table on them.
	Unknown     *widget.Label
	ShowUnknown *widget.Button
	// Filter chooses a state, with the count of each; Search matches recipient and subject.
	Filter *widget.Select
	Search *Entry
	// Count says how many messages the table holds, and how many are ticked.
	Count *widget.Label
	// SelectAll ticks every message of the current filter; CancelSelected and
	// ResendSelected act on the ticked ones after a question giving their number.
	SelectAll      *widget.Check
	CancelSelected *widget.Button
	ResendSelected *widget.Button
	// Table lists the messages; clicking a row shows it in Detail.
	Table  *widget.Table
	Empty  fyne.CanvasObject
	Detail *OutboxDetail

	filter   core.OutboxFilter
	headers  headerCells
	columns  []outboxColumn
	fit      *fitColumns // lays out the columns
	pager    *pager[core.OutboxFilter, core.Message]
	checked  map[int64]core.MessageState
	counts   core.OutboxCounts
	debounce *time.Timer
	pauseFor pauseKind
	// refreshed is when the table was last read again during a run.
	refreshed  time.Time
	pauseBox   *fyne.Container
	unknownBox *fyne.Container
	lastAsk    int
	content    fyne.CanvasObject
	mw         *MainWindow
	st         OutboxService
}

func newOutboxScreen(mw *MainWindow, st OutboxService) *OutboxScreen {
	s := &OutboxScreen{mw: mw, st: st, checked: map[int64]core.MessageState{}}
	s.filter.Desc = true
	s.columns = []outboxColumn{
		{"", 36, nil, ""},
		{lang.X("outbox.col.state", "État"), 120, func(m core.Message) string { return messageStateLabel(m.State) }, core.OutboxByState},
		{lang.X("outbox.col.to", "Destinataire"), 220, func(m core.Message) string { return m.To }, core.OutboxByTo},
		{lang.X("outbox.col.subject", "Objet"), 240, func(m core.Message) string { return m.Subject }, core.OutboxBySubject},
		{lang.X("outbox.col.due", "Prévu le"), 140, func(m core.Message) string { return formatDate(m.Due) }, core.OutboxByDue},
		{lang.X("outbox.col.attempts", "Essais"), 80, func(m core.Message) string { return formatInt(m.Attempts) }, core.OutboxByAttempts},
		{lang.X("outbox.col.error", "Dernière erreur"), 304, messageError, ""},
	}
	s.headers = headerCells{}

	s.pager = newPager(st.CountOutbox,
		func(ctx context.Context, f core.OutboxFilter, offset, limit int) ([]core.Message, error) {
			f.Offset, f.Limit = offset, limit
			return st.Outbox(ctx, f)
		})
	s.pager.onChange = s.refreshTable
	s.pager.onError = func(err error) { showErrorAsync(mw.Window, err) }

	s.SendNow = &widget.Button{Text: lang.X("outbox.send_now", "Envoyer maintenant"), Icon: theme.MailSendIcon(),
		Importance: widget.HighImportance, OnTapped: s.onSendNow}

	s.Progress = widget.NewProgressBar()
	s.Progress.TextFormatter = func() string {
		return lang.X("outbox.progress.of", "{{.Done}} sur {{.Total}}",
			map[string]any{"Done": formatInt(int(s.Progress.Value)), "Total": formatInt(int(s.Progress.Max))})
	}
	s.ProgressText = widget.NewLabel("")
	s.Current = widget.NewLabel("")
	s.Current.Truncation = fyne.TextTruncateEllipsis
	s.Stop = &widget.Button{Text: lang.X("outbox.stop", "Arrêter"), Icon: theme.MediaStopIcon(), OnTapped: s.onStop}
	s.Running = container.NewVBox(
		container.NewBorder(nil, nil, nil, s.Stop, s.Progress),
		container.NewBorder(nil, nil, s.ProgressText, nil, s.Current))
	s.Running.Hide()

	s.Notice = wrapLabel("")
	s.Notice.Hide()

	s.Pause = wrapLabel("")
	s.Pause.Importance = widget.WarningImportance
	s.PauseAction = &widget.Button{OnTapped: s.onPauseAction}
	pauseBox := container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), container.NewCenter(s.PauseAction), s.Pause)

	s.Unknown = wrapLabel("")
	s.Unknown.Importance = widget.WarningImportance
	s.ShowUnknown = &widget.Button{Text: lang.X("outbox.unknown.show", "Voir les messages à vérifier"), Icon: theme.SearchIcon(),
		OnTapped: func() { s.Filter.SetSelectedIndex(5) }}
	unknownBox := container.NewBorder(nil, nil, widget.NewIcon(theme.QuestionIcon()), container.NewCenter(s.ShowUnknown), s.Unknown)

	s.Filter = widget.NewSelect(nil, nil)
	s.setFilterOptions()
	s.Filter.SetSelectedIndex(0)
	s.Filter.OnChanged = func(string) { s.onFilter() }

	s.Search = NewEntry()
	s.Search.SetPlaceHolder(lang.X("outbox.search", "Rechercher par destinataire ou objet"))
	s.Search.ActionItem = widget.NewIcon(theme.SearchIcon())
	s.Search.OnChanged = s.onSearchChanged
	s.Search.OnEscape = func() { s.Search.SetText("") }

	s.Count = widget.NewLabel("")
	s.SelectAll = widget.NewCheck(lang.X("outbox.select_all", "Tout cocher"), s.onSelectAll)
	s.CancelSelected = &widget.Button{Text: lang.X("outbox.cancel_selected", "Annuler"), Icon: theme.CancelIcon(), OnTapped: s.onCancelSelected}
	s.ResendSelected = &widget.Button{Text: lang.X("outbox.resend_selected", "Renvoyer"), Icon: theme.MailReplyIcon(), OnTapped: s.onResendSelected}

	s.Table = &widget.Table{
		Length: func() (int, int) { return s.pager.Len(), len(s.columns) },
		CreateCell: func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewStack(widget.NewCheck("", nil), l)
		},
		UpdateCell:    s.updateCell,
		ShowHeaderRow: true,
		CreateHeader: func() fyne.CanvasObject {
			return &widget.Button{Importance: widget.LowImportance, Alignment: widget.ButtonAlignLeading, IconPlacement: widget.ButtonIconTrailingText}
		},
		UpdateHeader: s.updateHeader,
		OnSelected:   s.onSelected,
	}
	s.Table.ExtendBaseWidget(s.Table)

	empty := wrapLabel(lang.X("outbox.empty", "Aucun e-mail dans la boîte d'envoi. Les invitations et les messages que Convive prépare attendent ici d'être envoyés."))
	empty.Alignment = fyne.TextAlignCenter
	// The whole centred block hides, so that its width never counts while the table shows.
	s.Empty = container.NewCenter(container.New(&minWidth{w: 360}, container.NewVBox(widget.NewIcon(theme.MailComposeIcon()), empty)))
	s.Empty.Hide()

	s.Detail = newOutboxDetail(s)
	s.Detail.box.Hide()

	filters := container.NewBorder(nil, nil, s.Filter, nil, s.Search)
	bulk := container.NewHBox(s.SelectAll, s.CancelSelected, s.ResendSelected)
	countRow := container.NewBorder(nil, nil, nil, bulk, s.Count)
	top := container.NewVBox(s.Running, s.Notice, pauseBox, unknownBox, filters, countRow)
	pauseBox.Hide()
	unknownBox.Hide()
	s.pauseBox, s.unknownBox = pauseBox, unknownBox

	// in a small window, the columns of free text keep only part of their width
	s.fit = newFitColumns(s.Table, s.columns, func(c outboxColumn) (string, float32, bool) { return c.title, c.width, c.sort != "" },
		map[int]float32{2: 0.8, 3: 0.5, 6: 0.4}) // recipient, subject, last error
	list := container.NewStack(container.New(s.fit, s.Table), s.Empty)
	s.content = container.NewBorder(top, nil, nil, s.Detail.box, list)
	s.updateBulk()
	return s
}

func (s *OutboxScreen) id() string                { return ScreenOutbox }
func (s *OutboxScreen) icon() fyne.Resource       { return theme.MailComposeIcon() }
func (s *OutboxScreen) title() string             { return lang.X("nav.outbox", "Boîte d'envoi") }
func (s *OutboxScreen) action() fyne.CanvasObject { return s.SendNow }
func (s *OutboxScreen) view() fyne.CanvasObject   { return s.content }
func (s *OutboxScreen) subtitle() string {
	return lang.X("outbox.subtitle", "Les e-mails préparés attendent ici d'être envoyés par le serveur de votre organisation.")
}

func (s *OutboxScreen) shown() {
	s.pager.reset(s.filter)
	s.refreshCountsAsync()
	// Mail queued from the command line shows in the status at once.
	s.mw.WakeOutbox()
}

func wrapLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// messageStateLabel is the short word shown for a message's state.
func messageStateLabel(st core.MessageState) string {
	switch st {
	case core.MessageQueued:
		return lang.X("outbox.state.queued", "En attente")
	case core.MessageSending:
		return lang.X("outbox.state.sending", "Envoi en cours")
	case core.MessageSent:
		return lang.X("outbox.state.sent", "Envoyé")
	case core.MessageFailed:
		return lang.X("outbox.state.failed", "Échec")
	case core.MessageUnknown:
		return lang.X("outbox.state.unknown", "Inconnu")
	case core.MessageCancelled:
		return lang.X("outbox.state.cancelled", "Annulé")
	}
	return string(st)
}

func messageStateImportance(st core.MessageState) widget.Importance {
	switch st {
	case core.MessageQueued, core.MessageSending:
		return widget.HighImportance
	case core.MessageSent:
		return widget.SuccessImportance
	case core.MessageFailed:
		return widget.DangerImportance
	case core.MessageUnknown:
		return widget.WarningImportance
	}
	return widget.LowImportance
}

// unknownExplanation is what an unknown message asks of the manager.
func unknownExplanation() string {
	return lang.X("outbox.unknown.explain", "Le serveur a peut-être reçu ce message : vérifiez, puis choisissez Renvoyer ou Marquer comme envoyé.")
}

// messageError is the last error of a message; an unknown message without one says
// what to do.
func messageError(m core.Message) string {
	if m.LastError == "" && m.State == core.MessageUnknown {
		return unknownExplanation()
	}
	return m.LastError
}

// setFilterOptions writes the state choices with their counts, keeping the choice.
func (s *OutboxScreen) setFilterOptions() {
	c := s.counts
	all := c.Queued + c.Sending + c.Sent + c.Failed + c.Unknown + c.Cancelled
	opts := []string{
		lang.X("outbox.filter.all", "Tous ({{.N}})", count(all)),
		lang.X("outbox.filter.queued", "En attente ({{.N}})", count(c.Queued)),
		lang.X("outbox.filter.sending", "Envoi en cours ({{.N}})", count(c.Sending)),
		lang.X("outbox.filter.sent", "Envoyés ({{.N}})", count(c.Sent)),
		lang.X("outbox.filter.failed", "Échecs ({{.N}})", count(c.Failed)),
		lang.X("outbox.filter.unknown", "Inconnus ({{.N}})", count(c.Unknown)),
		lang.X("outbox.filter.cancelled", "Annulés ({{.N}})", count(c.Cancelled)),
	}
	i := s.Filter.SelectedIndex()
	cb := s.Filter.OnChanged
	s.Filter.OnChanged = nil
	s.Filter.SetOptions(opts)
	if i >= 0 {
		s.Filter.SetSelectedIndex(i)
	}
	s.Filter.OnChanged = cb
}

func (s *OutboxScreen) setCounts(c core.OutboxCounts) {
	s.counts = c
	s.setFilterOptions()
	if c.Unknown > 0 {
		s.Unknown.SetText(lang.XN("outbox.unknown.banner", "{{.N}} messages sont à vérifier. Le serveur a peut-être reçu ces messages : vérifiez, puis choisissez Renvoyer ou Marquer comme envoyé. Ils ne repartiront pas sans votre décision.", c.Unknown, count(c.Unknown)))
		s.unknownBox.Show()
	} else {
		s.unknownBox.Hide()
	}
}

// refreshCountsAsync reads the counts of each state again.
func (s *OutboxScreen) refreshCountsAsync() {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := s.st.OutboxCounts(ctx, time.Now())
		if err != nil {
			showErrorAsync(s.mw.Window, err)
			return
		}
		doUI(func() { s.setCounts(c) })
	}()
}

// changed brings the screen up to date after a change of the messages.
func (s *OutboxScreen) changed() {
	s.pager.refresh()
	s.refreshCountsAsync()
	s.mw.refreshCountsAsync()
	if s.Detail.box.Visible() && s.Detail.msg.ID != 0 {
		s.Detail.loadAsync(s.Detail.msg.ID)
	}
}

// applyState shows the outbox state the sending goroutine published.
func (s *OutboxScreen) applyState(st outboxState, prev outboxState) {
	running := st.phase == phaseRunning
	if running {
		p := st.progress
		total := p.Done + p.Remaining
		if total > 0 {
			s.Progress.Max = float64(total)
			s.Progress.SetValue(float64(p.Done))
		} else {
			s.Progress.Max = 1
			s.Progress.SetValue(0)
		}
		s.ProgressText.SetText(progressText(p))
		if p.Current != "" {
			s.Current.SetText(lang.X("outbox.current", "Dernier destinataire : {{.To}}", map[string]any{"To": p.Current}))
		} else {
			s.Current.SetText(lang.X("outbox.connecting", "Connexion au serveur…"))
		}
		s.Running.Show()
		s.SendNow.Disable()
		s.Stop.Enable()
	} else {
		s.Running.Hide()
		s.SendNow.Enable()
	}
	if st.notice != "" && !running {
		s.Notice.SetText(st.notice)
		s.Notice.Show()
	} else {
		s.Notice.Hide()
	}
	s.pauseFor = pauseNone
	switch {
	case st.phase == phasePaused && st.pause == pauseSettings:
		s.Pause.SetText(lang.X("outbox.pause.settings", "L'envoi est en pause : {{.Reason}} Les messages restent en attente, sans essai compté.", map[string]any{"Reason": st.reason}))
		s.PauseAction.SetText(lang.X("outbox.open_settings", "Ouvrir les Paramètres"))
		s.PauseAction.SetIcon(theme.SettingsIcon())
		s.pauseFor = pauseSettings
	case st.phase == phasePaused && st.pause == pausePassword:
		s.Pause.SetText(st.reason)
		s.PauseAction.SetText(lang.X("outbox.enter_password", "Saisir le mot de passe"))
		s.PauseAction.SetIcon(theme.LoginIcon())
		s.pauseFor = pausePassword
	case st.phase == phasePaused && st.pause == pauseStopped:
		s.Pause.SetText(lang.X("outbox.pause.stopped", "Envoi arrêté à votre demande après le message en cours. L'envoi automatique reprendra quand vous choisirez Envoyer maintenant."))
		s.pauseFor = pauseStopped
	case st.phase == phasePaused && st.pause == pauseAutoOff:
		s.Pause.SetText(lang.X("outbox.pause.auto_off", "L'envoi automatique est désactivé : les messages partent quand vous choisissez Envoyer maintenant."))
		s.PauseAction.SetText(lang.X("outbox.open_settings", "Ouvrir les Paramètres"))
		s.PauseAction.SetIcon(theme.SettingsIcon())
		s.pauseFor = pauseAutoOff
	case st.phase == phaseUnreachable:
		s.Pause.SetText(lang.X("outbox.unreachable", "Le serveur d'envoi ne répond pas : {{.Reason}} Les messages restent en attente et partiront dès qu'il répondra.", map[string]any{"Reason": st.reason}))
		s.PauseAction.SetText(lang.X("outbox.open_settings", "Ouvrir les Paramètres"))
		s.PauseAction.SetIcon(theme.SettingsIcon())
		s.pauseFor = pauseSettings
	case st.phase == phaseNoServer && st.counts.Queued > 0:
		s.Pause.SetText(lang.X("outbox.no_server", "Aucun serveur d'envoi n'est réglé : les e-mails sont prêts et attendent ici. Réglez le serveur de votre organisation pour qu'ils partent."))
		s.PauseAction.SetText(lang.X("outbox.open_settings", "Ouvrir les Paramètres"))
		s.PauseAction.SetIcon(theme.SettingsIcon())
		s.pauseFor = pauseSettings
	}
	if s.pauseFor == pauseNone {
		s.pauseBox.Hide()
	} else {
		if s.pauseFor == pauseStopped {
			s.PauseAction.Hide()
		} else {
			s.PauseAction.Show()
		}
		s.pauseBox.Show()
	}
	s.setCounts(st.counts)
	if st.askPassword && st.seq != s.lastAsk {
		s.lastAsk = st.seq
		s.askPassword()
	}
	// The table follows the states of the messages during a run (once a second at
	// most) and after it.
	if running && time.Since(s.refreshed) >= time.Second || !running && prev.phase == phaseRunning {
		s.refreshed = time.Now()
		s.pager.refresh()
		if !running && s.Detail.box.Visible() && s.Detail.msg.ID != 0 {
			s.Detail.loadAsync(s.Detail.msg.ID)
		}
	}
}

func (s *OutboxScreen) onSendNow() {
	s.Notice.Hide()
	s.mw.sendOutboxNow()
}

func (s *OutboxScreen) onStop() {
	s.Stop.Disable()
	s.Current.SetText(lang.X("outbox.stopping", "Arrêt après le message en cours…"))
	s.mw.outbox.stop()
}

func (s *OutboxScreen) onPauseAction() {
	switch s.pauseFor {
	case pausePassword:
		s.askPassword()
	default:
		s.mw.ShowScreen(ScreenSettings)
	}
}

// askPassword asks for the SMTP password of this session.
func (s *OutboxScreen) askPassword() {
	passwordDialog(s.mw, func() { s.mw.sendOutboxNow() })
}

func (s *OutboxScreen) onFilter() {
	i := s.Filter.SelectedIndex()
	if i < 0 || i >= len(filterStates) {
		i = 0
	}
	s.filter.States = filterStates[i]
	s.clearChecks()
	s.Table.UnselectAll()
	s.pager.reset(s.filter)
}

func (s *OutboxScreen) onSearchChanged(text string) {
	if s.debounce != nil {
		s.debounce.Stop()
	}
	s.debounce = time.AfterFunc(searchDelay, func() {
		doUI(func() {
			if s.Search.Text != text || s.filter.Search == text {
				return
			}
			s.filter.Search = text
			s.clearChecks()
			s.Table.UnselectAll()
			s.pager.reset(s.filter)
		})
	})
}

func (s *OutboxScreen) refreshTable() {
	n := s.pager.Len()
	filtered := s.filter.Search != "" || len(s.filter.States) > 0
	switch {
	case n == 0 && !filtered:
		s.Count.SetText("")
		s.Table.Hide()
		s.Empty.Show()
	case n == 0:
		s.Count.SetText(lang.X("outbox.count.none", "Aucun message ne correspond."))
		s.Table.Show()
		s.Empty.Hide()
	default:
		s.Table.Show()
		s.Empty.Hide()
	}
	s.updateCount()
	s.Table.Refresh()
}

func (s *OutboxScreen) updateCount() {
	n := s.pager.Len()
	if n == 0 {
		s.updateBulk()
		return
	}
	text := lang.XN("outbox.count", "{{.N}} messages", n, count(n))
	if k := len(s.checked); k > 0 {
		text = lang.XN("outbox.count.checked", "{{.Total}} messages · {{.N}} cochés", k, map[string]any{"Total": formatInt(n), "N": formatInt(k)})
	}
	s.Count.SetText(text)
	s.updateBulk()
}

// updateBulk offers the bulk actions that fit every ticked message.
func (s *OutboxScreen) updateBulk() {
	queued, resendable := 0, 0
	for _, st := range s.checked {
		switch st {
		case core.MessageQueued:
			queued++
		case core.MessageFailed, core.MessageUnknown:
			resendable++
		}
	}
	k := len(s.checked)
	s.CancelSelected.SetText(lang.XN("outbox.cancel_n", "Annuler {{.N}} messages", max(k, 1), count(k)))
	s.ResendSelected.SetText(lang.XN("outbox.resend_n", "Renvoyer {{.N}} messages", max(k, 1), count(k)))
	if k > 0 && queued == k {
		s.CancelSelected.Show()
	} else {
		s.CancelSelected.Hide()
	}
	if k > 0 && resendable == k {
		s.ResendSelected.Show()
	} else {
		s.ResendSelected.Hide()
	}
}

func (s *OutboxScreen) clearChecks() {
	s.checked = map[int64]core.MessageState{}
	s.SelectAll.OnChanged = nil
	s.SelectAll.SetChecked(false)
	s.SelectAll.OnChanged = s.onSelectAll
	s.updateCount()
	s.Table.Refresh()
}

func (s *OutboxScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	c := o.(*fyne.Container)
	check, l := c.Objects[0].(*widget.Check), c.Objects[1].(*widget.Label)
	m, ok := s.pager.Item(id.Row)
	if id.Col == colCheck {
		l.Hide()
		check.Show()
		check.OnChanged = nil
		if !ok {
			check.SetChecked(false)
			check.Disable()
			return
		}
		check.Enable()
		_, on := s.checked[m.ID]
		check.SetChecked(on)
		check.OnChanged = func(v bool) { s.tick(m, v) }
		return
	}
	check.Hide()
	l.Show()
	if !ok {
		l.Importance = widget.LowImportance
		l.TextStyle.Bold = false
		l.SetText("…")
		return
	}
	l.Importance = widget.MediumImportance
	l.TextStyle.Bold = false
	if id.Col == colState {
		l.Importance = messageStateImportance(m.State)
		l.TextStyle.Bold = true
	} else if id.Col == len(s.columns)-1 && m.State == core.MessageUnknown {
		l.Importance = widget.WarningImportance
	}
	l.SetText(s.columns[id.Col].value(m))
}

func (s *OutboxScreen) tick(m core.Message, on bool) {
	if on {
		s.checked[m.ID] = m.State
	} else {
		delete(s.checked, m.ID)
	}
	s.updateCount()
}

// onSelectAll ticks every message of the current filter, read from the database in
// pages, or unticks them all.
func (s *OutboxScreen) onSelectAll(on bool) {
	if !on {
		s.clearChecks()
		return
	}
	f := s.filter
	var got map[int64]core.MessageState
	runAsync(s.mw.Window, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		got = map[int64]core.MessageState{}
		for f.Offset, f.Limit = 0, 1000; ; f.Offset += f.Limit {
			page, err := s.st.Outbox(ctx, f)
			if err != nil {
				return err
			}
			for _, m := range page {
				got[m.ID] = m.State
			}
			if len(page) < f.Limit {
				return nil
			}
		}
	}, func(err error) {
		if err != nil || !s.SelectAll.Checked {
			return
		}
		s.checked = got
		s.updateCount()
		s.Table.Refresh()
	})
}

func (s *OutboxScreen) checkedIDs() []int64 {
	ids := make([]int64, 0, len(s.checked))
	for id := range s.checked {
		ids = append(ids, id)
	}
	return ids
}

func (s *OutboxScreen) onCancelSelected() {
	ids := s.checkedIDs()
	n := len(ids)
	d := confirmDialog(s.mw.Window, lang.X("outbox.cancel.title", "Annuler des messages"),
		lang.XN("outbox.cancel.question", "Annuler {{.N}} messages ? Ils ne seront pas envoyés.", n, count(n)),
		lang.XN("outbox.cancel_n", "Annuler {{.N}} messages", n, count(n)),
		func() { s.applyAsync(func(ctx context.Context) (int, error) { return s.st.CancelMessages(ctx, ids) }) })
	// « Annuler » would answer both ways here.
	d.SetDismissText(lang.X("outbox.keep", "Ne rien annuler"))
	d.Show()
}

func (s *OutboxScreen) onResendSelected() {
	ids := s.checkedIDs()
	n := len(ids)
	d := confirmDialog(s.mw.Window, lang.X("outbox.resend.title", "Renvoyer des messages"),
		lang.XN("outbox.resend.question", "Renvoyer {{.N}} messages ? Ceux que le serveur a peut-être reçus arriveraient une seconde fois.", n, count(n)),
		lang.XN("outbox.resend_n", "Renvoyer {{.N}} messages", n, count(n)),
		func() { s.applyAsync(func(ctx context.Context) (int, error) { return s.st.ResendMessages(ctx, ids) }) })
	d.SetConfirmImportance(widget.HighImportance)
	d.Show()
}

// applyAsync runs a change of messages, then brings the screen up to date and wakes
// the sending.
func (s *OutboxScreen) applyAsync(change func(ctx context.Context) (int, error)) {
	runAsync(s.mw.Window, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := change(ctx)
		return err
	}, func(err error) {
		if err == nil {
			s.clearChecks()
		}
		s.changed()
		if s.mw.outbox != nil {
			s.mw.outbox.poke()
		}
	})
}

func (s *OutboxScreen) onSelected(id widget.TableCellID) {
	if id.Col == colCheck {
		return
	}
	m, ok := s.pager.Item(id.Row)
	if !ok {
		return
	}
	s.Detail.box.Show()
	s.Detail.loadAsync(m.ID)
}

// updateHeader shows a column's title, with an arrow on the column the list is sorted
// by; a click sorts by it, a second click the other way round.
func (s *OutboxScreen) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	b := o.(*widget.Button)
	if id.Col < 0 || id.Col >= len(s.columns) {
		return
	}
	c := s.columns[id.Col]
	s.headers.set(id.Col, b)
	var tap func()
	if c.sort != "" {
		sort := c.sort
		tap = func() { s.sortBy(sort) }
	}
	sortHeader(b, c.title, c.sort != "" && c.sort == s.filter.Sort, s.filter.Desc, tap)
}

// sortBy orders the list by a column; a second click on the same column reverses the
// order.
func (s *OutboxScreen) sortBy(sort core.OutboxSort) {
	if s.filter.Sort == sort {
		s.filter.Desc = !s.filter.Desc
	} else {
		s.filter.Sort, s.filter.Desc = sort, false
	}
	s.Table.UnselectAll()
	s.Table.Refresh()
	s.pager.reset(s.filter)
}

// HeaderButton returns the header cell of column col while it is on screen, for tests.
func (s *OutboxScreen) HeaderButton(col int) *widget.Button { return s.headers[col] }
