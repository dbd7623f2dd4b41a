package gui

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"convive/core"
)

// OutboxDetail shows the selected message as it will be received, and the actions its
// state allows.
type OutboxDetail struct {
	// State is the message's state as a coloured word; Subject and Facts (recipient,
	// due date, attempts) and Error describe it; Explain says what an unknown message
	// asks of the manager when its error does not say it already.
	State, Subject, Facts, Error, Explain *widget.Label
	// HTML switches the body between the text part and the HTML part rendered.
	HTML *widget.Check
	// Body is the message as the recipient reads it.
	Body *widget.RichText
	// Actions; each is shown only when the message's state allows it.
	Cancel, Resend, MarkSent, EditRecipient, Close *widget.Button
	// RecipientEntry is the field of the last Modifier le destinataire dialog.
	RecipientEntry *Entry

	msg core.Message
	box *fyne.Container
	s   *OutboxScreen
}

func newOutboxDetail(s *OutboxScreen) *OutboxDetail {
	d := &OutboxDetail{s: s}
	d.State = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.Subject = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.Subject.Wrapping = fyne.TextWrapWord
	d.Facts = wrapLabel("")
	d.Error = wrapLabel("")
	d.Error.Importance = widget.DangerImportance
	d.Explain = wrapLabel(unknownExplanation())
	d.Explain.Importance = widget.WarningImportance
	d.HTML = widget.NewCheck(lang.X("outbox.detail.html", "Voir en HTML"), func(bool) { d.showBody() })
	d.Body = widget.NewRichText()
	d.Body.Wrapping = fyne.TextWrapWord

	d.Cancel = &widget.Button{Text: lang.X("outbox.detail.cancel", "Annuler l'envoi"), Icon: theme.CancelIcon(), OnTapped: d.onCancel}
	d.Resend = &widget.Button{Text: lang.X("outbox.detail.resend", "Renvoyer"), Icon: theme.MailReplyIcon(), OnTapped: d.onResend}
	d.MarkSent = &widget.Button{Text: lang.X("outbox.detail.mark_sent", "Marquer comme envoyé"), Icon: theme.ConfirmIcon(), OnTapped: d.onMarkSent}
	d.EditRecipient = &widget.Button{Text: lang.X("outbox.detail.recipient", "Modifier le destinataire"), Icon: theme.DocumentCreateIcon(), OnTapped: d.onEditRecipient}
	d.Close = &widget.Button{Icon: theme.CancelIcon(), Importance: widget.LowImportance, OnTapped: func() {
		d.box.Hide()
		s.Table.UnselectAll()
	}}

	head := container.NewBorder(nil, nil, nil, d.Close, d.State)
	// One scroll for the facts and the body, so that a long error never pushes the
	// window taller.
	page := container.NewVBox(d.Subject, d.Facts, d.Error, d.Explain,
		container.NewGridWithColumns(2, d.Cancel, d.EditRecipient, d.Resend, d.MarkSent), widget.NewSeparator(), d.HTML, d.Body)
	d.box = container.NewBorder(nil, nil, widget.NewSeparator(), nil,
		container.New(&minWidth{w: 340}, container.NewBorder(head, nil, nil, nil, container.NewVScroll(page))))
	d.show(core.Message{})
	return d
}

// loadAsync reads message id with its bodies and shows it.
func (d *OutboxDetail) loadAsync(id int64) {
	var m core.Message
	runAsync(d.s.mw.Window, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		m, err = d.s.st.OutboxMessage(ctx, id)
		return err
	}, func(err error) {
		if err == nil {
			d.show(m)
		}
	})
}

func (d *OutboxDetail) show(m core.Message) {
	d.msg = m
	d.State.SetText(messageStateLabel(m.State))
	d.State.Importance = messageStateImportance(m.State)
	d.State.Refresh()
	d.Subject.SetText(m.Subject)
	to := lang.X("outbox.detail.to", "À : {{.To}}", map[string]any{"To": m.To})
	var when string
	switch {
	case m.State == core.MessageSent && !m.Sent.IsZero():
		when = lang.X("outbox.detail.sent", "Envoyé le {{.At}}", map[string]any{"At": formatDate(m.Sent)})
	case m.State == core.MessageQueued && m.NextAttempt.After(m.Due):
		when = lang.X("outbox.detail.next", "Prochain essai le {{.At}}", map[string]any{"At": formatDate(m.NextAttempt)})
	default:
		when = lang.X("outbox.detail.due", "Prévu le {{.At}}", map[string]any{"At": formatDate(m.Due)})
	}
	attempts := lang.XN("outbox.detail.attempts", "{{.N}} essais d'envoi", m.Attempts, count(m.Attempts))
	d.Facts.SetText(to + "\n" + when + " · " + attempts)
	d.Error.SetText(m.LastError)
	d.Error.Importance = widget.DangerImportance
	if m.State == core.MessageUnknown {
		d.Error.Importance = widget.WarningImportance
	}
	d.Error.Refresh()
	visible(d.Error, m.LastError != "")
	visible(d.Explain, m.State == core.MessageUnknown && m.LastError == "")
	visible(d.Cancel, m.State == core.MessageQueued)
	visible(d.EditRecipient, m.State == core.MessageQueued)
	visible(d.Resend, m.State == core.MessageFailed || m.State == core.MessageUnknown)
	visible(d.MarkSent, m.State == core.MessageUnknown)
	visible(d.HTML, m.HTML != "" && m.Text != "")
	d.showBody()
}

func visible(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

func (d *OutboxDetail) showBody() {
	m := d.msg
	if m.HTML != "" && (m.Text == "" || d.HTML.Checked) {
		d.Body.Segments = htmlSegments(m.HTML)
	} else {
		d.Body.Segments = []widget.RichTextSegment{&widget.TextSegment{Style: widget.RichTextStyleParagraph, Text: m.Text}}
	}
	d.Body.Refresh()
}

func (d *OutboxDetail) apply(change func(ctx context.Context, ids []int64) (int, error)) {
	id := d.msg.ID
	d.s.applyAsync(func(ctx context.Context) (int, error) { return change(ctx, []int64{id}) })
}

func (d *OutboxDetail) onCancel() {
	c := confirmDialog(d.s.mw.Window, lang.X("outbox.cancel.title", "Annuler des messages"),
		lang.X("outbox.detail.cancel.question", "Annuler l'envoi de ce message à {{.To}} ? Il ne sera pas envoyé.", map[string]any{"To": d.msg.To}),
		lang.X("outbox.detail.cancel", "Annuler l'envoi"),
		func() { d.apply(d.s.st.CancelMessages) })
	c.SetDismissText(lang.X("outbox.keep", "Ne rien annuler"))
	c.Show()
}

func (d *OutboxDetail) onResend() {
	if d.msg.State != core.MessageUnknown {
		d.apply(d.s.st.ResendMessages)
		return
	}
	c := confirmDialog(d.s.mw.Window, lang.X("outbox.resend.title", "Renvoyer des messages"),
		lang.X("outbox.detail.resend.question", "Renvoyer ce message à {{.To}} ? Si le serveur l'a déjà reçu, il arrivera une seconde fois.", map[string]any{"To": d.msg.To}),
		lang.X("outbox.detail.resend", "Renvoyer"),
		func() { d.apply(d.s.st.ResendMessages) })
	c.SetConfirmImportance(widget.HighImportance)
	c.Show()
}

func (d *OutboxDetail) onMarkSent() { d.apply(d.s.st.MarkSent) }

func (d *OutboxDetail) onEditRecipient() {
	id := d.msg.ID
	e := NewEntry()
	e.SetText(d.msg.To)
	e.Validator = func(v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New(lang.X("outbox.recipient.empty", "Indiquez une adresse e-mail."))
		}
		return nil
	}
	item := widget.NewFormItem(lang.X("outbox.recipient.label", "Adresse e-mail"), e)
	dlg := dialog.NewForm(lang.X("outbox.recipient.title", "Modifier le destinataire"), lang.X("outbox.recipient.save", "Enregistrer"),
		lang.X("dialog.cancel", "Annuler"), []*widget.FormItem{item}, func(ok bool) {
			if ok {
				addr := e.Text
				d.s.applyAsync(func(ctx context.Context) (int, error) { return 1, d.s.st.SetRecipient(ctx, id, addr) })
			}
		}, d.s.mw.Window)
	e.OnSubmitted = func(string) { dlg.Submit() }
	e.OnEscape = dlg.Dismiss
	withKeys(d.s.mw.Window, dlg, dlg.Submit)
	dlg.Resize(fyne.NewSize(460, dlg.MinSize().Height))
	d.RecipientEntry = e
	dlg.Show()
	d.s.mw.Window.Canvas().Focus(e)
}
